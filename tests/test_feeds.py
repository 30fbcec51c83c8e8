"""Articles from the web: article pages, RSS and Atom feeds, sitemaps and a sitemap index, read into
a real store and kept in sync, from a site on 127.0.0.1 that these tests write and serve
(tests/news_site.py), broken URLs included. Nothing leaves the machine.

One store for the module; the tests run in order: add, search, sync, prune, add in the background,
remove. The site is on 127.0.0.1, which the fetcher refuses unless BYLINE_FETCH_ALLOW_PRIVATE allows
it: the module allows it, and the last tests check the refusals.
"""

import json
import re
import socket
import threading
import time
import uuid
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.news_site import HERALD, TRAM, TRAM_CHANGED, Route, Site, build, harbour_feed, page, rss

TIMEOUT = 1.5  # the slow source takes 4x this; a loaded machine still answers the others within it
LIMIT_MB = 0.1
DATE = "Sat, 06 Apr 2024 09:00:00 GMT"
LOCAL = "127.0.0.1"  # BYLINE_FETCH_ALLOW_PRIVATE for the site
WIRE = {
    "quarry": (
        "Quarry flooded after storm",
        "The disused Penhallow quarry flooded overnight after the storm, and the footpath around it is closed until the water drains.",
    ),
    "ferryman": (
        "Ferryman rows his last crossing",
        "After fifty one years the ferryman of Sallow Reach rowed his last crossing on Sunday, carrying the mayor and a brass band.",
    ),
    "orchard": (
        "Orchard saved by volunteers",
        "Volunteers replanted ninety apple trees in the Old Mill orchard, saving rare varieties such as the Sallow Pippin from being lost.",
    ),
}


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: a dead host."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def site():
    with Site() as site:
        build(site, slow=TIMEOUT * 4, huge=300_000)
        yield site


@pytest.fixture(scope="module")
def service(seed_settings, tmp_path_factory):
    from rag.service import Byline

    update = {
        "store": tmp_path_factory.mktemp("sources-store"),
        "fetch_delay": 0,
        "fetch_timeout": TIMEOUT,
        "fetch_max_mb": LIMIT_MB,
        "fetch_allow_private": LOCAL,
    }
    return Byline(seed_settings.model_copy(update=update))


@pytest.fixture(scope="module")
def added(site, service) -> dict:
    """Every URL of the site added in one call, as `byline ingest URL...` does: their reports by path."""
    from rag.feeds import web_feeds

    u = site.url
    paths = [
        "/feeds/harbour",
        "/valley/latest.html",
        "/sitemap-news.xml",
        "/sitemap-index.xml",
        "/news/museum.html?utm_campaign=spring#top",
        "/broken/slow.xml",
        "/broken/malformed.rss",
        "/broken/huge.xml",
        "/broken/loop-a",
        "/private/secret.html",
    ]
    dead = f"http://127.0.0.1:{closed_port()}/feed.xml"
    reports = web_feeds(service).add([u + p for p in paths] + [dead])
    return {**dict(zip(paths, reports)), "dead": reports[-1]}


@pytest.fixture
def byline(monkeypatch, service):
    """`byline(*args)` runs the command in this process on the module's store; (exit code, stdout, stderr)."""
    from ui.cli import app

    monkeypatch.setenv("BYLINE_FETCH_DELAY", "0")
    monkeypatch.setenv("BYLINE_FETCH_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("BYLINE_FETCH_ALLOW_PRIVATE", LOCAL)

    def run(*args):
        result = CliRunner().invoke(app, [*map(str, args), "--store", str(service.settings.store)])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def test_feeds_sitemaps_and_pages_become_articles(site, service, added):
    u = site.url
    harbour = added["/feeds/harbour"]
    assert (harbour.kind, harbour.title, harbour.added, harbour.errors) == ("feed", HERALD, 2, [])
    tram = service.article(f"{u}/news/tram.html").article  # the canonical URL, tracking parameters gone
    assert (tram.title, tram.url, tram.date, tram.source, tram.authors) == (
        "Tram line to Eastgate approved",
        f"{u}/news/tram.html",
        "2024-04-02",
        HERALD,
        ["Ana Ruiz"],
    )
    assert tram.text.endswith(TRAM[-1]) and "Contact us" not in tram.text  # the page's main text, through trafilatura

    valley = added["/valley/latest.html"]
    assert (valley.kind, valley.added, valley.errors) == ("feed", 1, [])
    assert valley.skipped == [f"{u}/private/secret.html: robots.txt asks crawlers not to read it"]
    glass = service.article(f"{u}/valley/glassworks.html").article
    assert (glass.title, glass.date, glass.source, glass.authors) == ("Glassworks to become a museum", "2024-04-03", "Valley Gazette", ["Tomas Reed"])

    news = added["/sitemap-news.xml"]
    assert (news.kind, news.added, news.errors) == ("sitemap", 1, [])
    festival = service.article(f"{u}/news/festival.html").article
    assert (festival.title, festival.date, festival.source) == ("Lanterns light up the Dell", "2024-04-06", "Dell Valley News")

    index = added["/sitemap-index.xml"]
    assert (index.kind, index.added, index.errors) == ("sitemap", 1, [])
    rescue = service.article(f"{u}/news/rescue.html").article
    assert (rescue.title, rescue.date, rescue.source) == ("Climbers rescued from the north ridge", "2024-03-30", "Brannock Post")

    museum = added["/news/museum.html?utm_campaign=spring#top"]
    assert (museum.kind, museum.doc_ids, museum.added) == ("page", [f"{u}/news/museum.html"], 1)
    stored = service.article(f"{u}/news/museum.html").article
    assert (stored.title, stored.date, stored.source, stored.url) == ("Maritime museum reopens", "2024-03-31", HERALD, f"{u}/news/museum.html")
    assert service.count() == 6 and service.article(f"{u}/private/secret.html") is None
    assert not site.headers_of("/private/secret.html"), "robots.txt was not respected"
    assert all(h["user-agent"].startswith("Byline/") for _, h in site.requests)
    assert len(site.headers_of("/robots.txt")) == 1, "robots.txt is read once per site and crawl"


def test_broken_urls_get_clear_errors_and_the_others_carry_on(site, added):
    u = site.url
    expected = {
        "dead": "cannot connect",
        "/broken/slow.xml": f"no complete answer within {TIMEOUT:g} s (BYLINE_FETCH_TIMEOUT)",
        "/broken/malformed.rss": "a malformed feed: line",
        "/broken/huge.xml": "over the limit of 102 KB (BYLINE_FETCH_MAX_MB)",
        "/broken/loop-a": "more than 5 redirects",
        "/private/secret.html": "robots.txt asks crawlers not to read it",
    }
    for path, message in expected.items():
        report = added[path]
        assert report.kind is None and report.doc_ids == [], path
        assert len(report.errors) == 1 and message in report.errors[0], (path, report.errors)
        assert report.errors[0].startswith(u + path if path != "dead" else "http://127.0.0.1:"), report.errors


def test_fetched_articles_are_searchable_and_answerable(site, service, added):
    u = site.url
    for query, doc in [
        ("tram line to Eastgate", "/news/tram.html"),
        ("lantern festival paper boats", "/news/festival.html"),
        ("climbers stranded in fog on the north ridge", "/news/rescue.html"),
        ("whaling boat oak beams", "/news/museum.html"),
    ]:
        assert service.search(query, k=1).results[0].doc_id == u + doc, query
    result = service.ask("How many stops will the tram line have?")
    assert "eleven stops" in result.answer and result.citations[0].doc_id == f"{u}/news/tram.html"


def test_sync_asks_conditionally_adds_updates_and_keeps_going(site, service, added, byline):
    from rag.feeds import web_feeds

    u = site.url
    sources = web_feeds(service)
    unchanged = {r.url: r for r in sources.sync()}
    assert unchanged[f"{u}/feeds/harbour"].not_modified  # 304 to If-None-Match
    assert site.headers_of("/feeds/harbour")[-1]["if-none-match"] == '"v1"'
    assert unchanged[f"{u}/sitemap-index.xml"].not_modified  # 304 to If-Modified-Since
    assert site.headers_of("/sitemap-index.xml")[-1]["if-modified-since"] == "Sat, 30 Mar 2024 12:00:00 GMT"
    assert len(site.headers_of("/valley/glassworks.html")) == 1, "an entry whose date has not changed is not fetched again"

    # The harbour feed gains the bakery story and a corrected tram story; the Atom feed breaks.
    site.routes["/feeds/harbour"] = Route(harbour_feed(u, ["bakery", "tram", "lighthouse"], "Wed, 03 Apr 2024 18:00:00 GMT"), "text/plain", etag='"v2"')
    site.routes["/news/tram.html"] = Route(page("Tram line approved", TRAM_CHANGED, canonical=f"{u}/news/tram.html"))
    site.routes["/valley/latest.html"] = Route(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><title>half", "text/html")
    synced = {r.url: r for r in sources.sync()}
    harbour = synced[f"{u}/feeds/harbour"]
    assert (harbour.added, harbour.updated, harbour.unchanged, harbour.errors) == (1, 1, 1, [])
    assert "twelfth stop" in service.article(f"{u}/news/tram.html").article.text
    assert service.search("seaweed sourdough loaf", k=1).results[0].doc_id == f"{u}/news/bakery.html"
    valley = synced[f"{u}/valley/latest.html"]
    assert valley.kind == "feed" and "a malformed feed" in valley.errors[0]
    assert service.article(f"{u}/valley/glassworks.html") is not None, "a broken feed keeps its articles"
    assert synced[f"{u}/sitemap-news.xml"].errors == []

    code, listing, _ = byline("sources")
    assert code == 0
    lines = {line.split("\t")[0]: line.split("\t") for line in listing.splitlines()}
    assert lines[f"{u}/feeds/harbour"][1:3] == ["feed", "3 articles"] and lines[f"{u}/feeds/harbour"][4] == "ok"
    assert lines[f"{u}/valley/latest.html"][4].startswith(f"error: {u}/valley/latest.html: a malformed feed")
    assert re.fullmatch(r"synced \d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d UTC", lines[f"{u}/valley/latest.html"][3])
    assert len(lines) == 4  # the page and the broken URLs added once are not registered
    code, as_json, _ = byline("sources", "--json")
    assert {s["url"]: s["articles"] for s in json.loads(as_json)}[f"{u}/sitemap-index.xml"] == 1


def test_prune_removes_what_left_the_feed(site, service, added, byline):
    u = site.url
    site.routes["/feeds/harbour"] = Route(harbour_feed(u, ["bakery", "tram"], "Wed, 03 Apr 2024 18:00:00 GMT"), "text/plain", etag='"v3"')
    code, out, err = byline("sync")  # without --prune: the lighthouse story stays
    assert code == 1 and "a malformed feed" in err  # the Atom feed is still broken
    assert service.article(f"{u}/news/lighthouse.html") is not None
    site.routes["/feeds/harbour"] = Route(harbour_feed(u, ["bakery", "tram"], "Wed, 03 Apr 2024 18:00:00 GMT"), "text/plain", etag='"v4"')
    code, out, err = byline("sync", "--prune")
    assert f'{u}/feeds/harbour: a feed "{HERALD}": 2 articles (0 added, 0 updated, 2 unchanged), 1 removed' in out
    assert service.article(f"{u}/news/lighthouse.html") is None
    assert service.search("Cape Morrow lighthouse keeper", k=3).results[0].doc_id != f"{u}/news/lighthouse.html"
    assert service.article(f"{u}/valley/glassworks.html") is not None, "a feed that could not be read is not pruned"


def test_ingest_takes_urls_beside_paths(site, byline, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("The harbour master said on Tuesday that the new breakwater is finished.\n", encoding="utf-8")
    code, out, err = byline("ingest", note, f"{site.url}/news/museum.html", f"{site.url}/broken/loop-a")
    assert code == 1 and "1 article (1 added, 0 updated, 0 unchanged)" in out
    assert f'{site.url}/news/museum.html: an article page "Maritime museum reopens": 1 article (0 added, 0 updated, 1 unchanged)' in out
    assert f"error: {site.url}/broken/loop-a: more than 5 redirects" in err


def test_background_sync_never_holds_up_questions(site, service, added):
    """`byline serve --sync-every`: while the background sync waits on a slow feed, questions are answered."""
    import threading

    from index.articles import Article
    from rag.service import Byline
    from rag.feeds import BackgroundSync

    u = site.url
    gate = threading.Event()
    feed = harbour_feed(u, ["bakery", "tram", "lighthouse"], "Fri, 05 Apr 2024 06:00:00 GMT")
    site.routes["/feeds/harbour"] = Route(feed, "text/plain", etag='"v5"', gate=gate)
    # The server's own service on the same store, patient with the slow feed.
    server_side = Byline(service.settings.model_copy(update={"fetch_timeout": 20}))
    background = BackgroundSync(server_side, every=3600)
    asked = len(site.headers_of("/feeds/harbour"))
    background.start()
    try:
        deadline = time.monotonic() + 10
        while len(site.headers_of("/feeds/harbour")) == asked:  # until the sync waits on the feed
            assert time.monotonic() < deadline, "the background sync did not start"
            time.sleep(0.02)
        assert service.search("tram line to Eastgate", k=1).results[0].doc_id == f"{u}/news/tram.html"
        # The sync holds no store lock while it fetches: an upload goes through meanwhile.
        note = Article(doc_id="note.txt", text="The harbour master said the new breakwater is finished.", title="Breakwater")
        writer = threading.Thread(target=lambda: service.ingest_loaded([note]) and service.delete("note.txt"))
        writer.start()
        writer.join(15)
        assert not writer.is_alive() and service.article("note.txt") is None
        assert background.is_alive() and not gate.is_set()  # all while the sync was still waiting
    finally:
        gate.set()
        background.stop()
        background.join(20)
    assert not background.is_alive()
    assert service.article(f"{u}/news/lighthouse.html") is not None, "the background sync stored what came back"


def test_serve_refuses_a_bad_interval(byline):
    code, _, err = byline("serve", "--sync-every", "soon")
    assert code == 1 and "--sync-every 'soon': give a time such as 90s, 15m or 2h" in err


def test_fetcher_waits_between_requests_to_one_host(site):
    from index.feeds.fetcher import Fetcher, FetchLimits

    with Fetcher(FetchLimits(delay=0.3, allow_private=(LOCAL,))) as fetcher:
        start = time.monotonic()
        fetcher.get(f"{site.url}/news/bakery.html")  # robots.txt, then the page
        fetcher.get(f"{site.url}/news/festival.html")
        assert time.monotonic() - start >= 0.6


def test_api_adds_lists_and_syncs_sources(site, service, added):
    u = site.url
    with sources_app(service) as client:
        page_added = client.post("/api/sources", json={"url": f"{u}/news/bakery.html"})
        assert page_added.status_code == 200 and page_added.json()["kind"] == "page"
        assert page_added.json()["doc_ids"] == [f"{u}/news/bakery.html"]
        dead = client.post("/api/sources", json={"url": f"http://127.0.0.1:{closed_port()}/rss"})
        assert dead.status_code == 422 and "cannot connect" in dead.json()["detail"]
        assert client.post("/api/sources", json={"url": "file:///etc/passwd"}).status_code == 422
        listed = client.get("/api/sources").json()["sources"]
        assert {s["url"]: s["kind"] for s in listed}[f"{u}/sitemap-news.xml"] == "sitemap"
        synced = client.post("/api/sources/sync", json={}).json()["sources"]
        assert len(synced) == 4 and any(s["errors"] for s in synced) and any(s["not_modified"] for s in synced)


def test_articles_tab_shows_what_came_in_as_text(site, service, added):
    from ui.feed_lines import add_url_markdown

    site.routes["/news/ferry.html"] = Route(
        page(
            "Ferry <img src=x onerror=alert(1)> [timetable](javascript:alert(2))",
            [
                "The winter ferry timetable starts on Monday, with two fewer crossings to the islands each day.",
                "The operator said the crossings would return in April, when the new boat is delivered.",
            ],
        )
    )
    shown = add_url_markdown(service, f"{site.url}/news/ferry.html")
    assert "/news/ferry.html>: an article page" in shown and "1 added" in shown
    assert "<img" not in shown and "\\[timetable\\]\\(javascript" in shown  # a Markdown link, escaped
    refused = add_url_markdown(service, f"{site.url}/broken/loop-a")
    assert refused.startswith("Nothing was added: ") and "more than 5 redirects" in refused
    assert "http:// or https://" in add_url_markdown(service, "ftp://example.com/feed")


def sources_app(service):
    """The sources router alone, on `service` (who may call it: tests/test_access.py)."""
    from fastapi import FastAPI

    from ui.feeds_api import router

    app = FastAPI()
    app.state.service = service
    app.include_router(router)
    return TestClient(app)


def test_api_reads_a_long_feed_in_the_background(site, service, added):
    """`POST /api/sources` registers a feed and answers 202 at once; its articles are read in the
    background, one source at a time, and `GET /api/sources` shows how far; questions go on meanwhile."""
    from rag.service import Byline
    from rag.feeds import web_feeds

    u = site.url
    gate = threading.Event()
    for name, (title, text) in WIRE.items():
        site.routes[f"/wire/{name}.html"] = Route(page(title, [text, "The story was sent to member papers by the wire desk."]), gate=gate)
    items = [{"title": title, "link": f"{u}/wire/{name}.html", "date": "Sat, 06 Apr 2024 09:00:00 GMT"} for name, (title, _) in WIRE.items()]
    bakery = {"title": "Bakery wins prize", "link": f"{u}/news/bakery.html", "date": "Thu, 04 Apr 2024 07:30:00 GMT"}
    site.routes["/feeds/wire"] = Route(rss("Wire", [bakery, *items]), "application/rss+xml")
    server_side = Byline(service.settings.model_copy(update={"fetch_timeout": 20}))  # patient with the gated pages
    sources = web_feeds(server_side)
    with sources_app(server_side) as client:
        started = time.monotonic()
        response = client.post("/api/sources", json={"url": f"{u}/feeds/wire"})
        assert response.status_code == 202 and time.monotonic() - started < 5, response.text
        body = response.json()
        assert (body["kind"], body["title"], body["added"], body["doc_ids"]) == ("feed", "Wire", 0, [])
        assert body["status"] in ("queued", "syncing") and body["source"]["url"] == f"{u}/feeds/wire"
        try:
            deadline = time.monotonic() + 10
            while True:  # until the worker waits on the first gated page
                listed = {s["url"]: s for s in client.get("/api/sources").json()["sources"]}
                if listed[f"{u}/feeds/wire"]["progress"] == {"done": 1, "total": 4}:
                    break
                assert time.monotonic() < deadline, listed[f"{u}/feeds/wire"]
                time.sleep(0.02)
            assert listed[f"{u}/feeds/wire"]["status"] == "syncing" and listed[f"{u}/feeds/wire"]["articles"] == 0
            assert (listed[f"{u}/feeds/harbour"]["status"], listed[f"{u}/feeds/harbour"]["progress"]) == ("idle", None)
            assert service.search("tram line to Eastgate", k=1).results[0].doc_id == f"{u}/news/tram.html"
            busy = client.post("/api/sources/sync", json={})
            assert busy.status_code == 409 and "already running" in busy.json()["detail"]
        finally:
            gate.set()
        assert sources.state.wait_idle(30), "the background worker did not finish"
        wire = {s["url"]: s for s in client.get("/api/sources").json()["sources"]}[f"{u}/feeds/wire"]
        assert (wire["status"], wire["progress"], wire["articles"], wire["last_error"]) == ("idle", None, 4, None)
        assert wire["last_sync"]
    assert service.search("ferryman last crossing Sallow Reach", k=1).results[0].doc_id == f"{u}/wire/ferryman.html"


def test_remove_a_source_and_the_articles_only_it_brought_in(site, service, added, byline):
    u = site.url
    code, _, err = byline("sources", "remove", f"{u}/feeds/nowhere")
    assert code == 1 and f"error: {u}/feeds/nowhere: not a registered feed or sitemap" in err
    code, out, err = byline("sources", "remove", f"{u}/feeds/wire", "--prune")
    assert code == 0 and f"{u}/feeds/wire: removed, and 3 articles that only it brought in" in out, err
    assert all(service.article(f"{u}/wire/{name}.html") is None for name in WIRE)
    assert service.article(f"{u}/news/bakery.html") is not None, "the harbour feed still lists the bakery story"
    assert service.search("ferryman last crossing Sallow Reach", k=1).results[0].doc_id != f"{u}/wire/ferryman.html"
    _, listing, _ = byline("sources")
    assert f"{u}/feeds/wire" not in listing and f"{u}/feeds/harbour" in listing

    with sources_app(service) as client:  # without prune: the registration goes, its articles stay
        path = "/api/sources/" + quote(f"{u}/sitemap-news.xml", safe="")
        assert client.delete(path).json() == {"url": f"{u}/sitemap-news.xml", "removed": 0}
        assert client.delete(path).status_code == 404
        assert f"{u}/sitemap-news.xml" not in {s["url"] for s in client.get("/api/sources").json()["sources"]}
    assert service.article(f"{u}/news/festival.html") is not None


def test_prune_deletes_in_one_write(site, service, added, monkeypatch):
    """Many articles leaving a listing are deleted together: one store write, not one per article."""
    from rag.feeds import web_feeds

    u = site.url
    links = [f"{u}/many/{n}.html" for n in range(6)]
    for n in range(len(links)):
        site.routes[f"/many/{n}.html"] = Route(page(f"Council notice {n}", [f"Notice {n}: the council will resurface road number {n} in May."]))
    site.routes["/feeds/many"] = Route(
        rss("Notices", [{"title": f"Notice {n}", "link": link, "date": DATE} for n, link in enumerate(links)]), "application/rss+xml"
    )
    sources = web_feeds(service)
    assert sources.add([f"{u}/feeds/many"])[0].added == 6
    writes = []
    monkeypatch.setattr(service.store, "delete", lambda doc_id: writes.append(doc_id))
    delete_many = service.store.delete_many
    monkeypatch.setattr(service.store, "delete_many", lambda doc_ids: writes.append(doc_ids) or delete_many(doc_ids))
    site.routes["/feeds/many"] = Route(rss("Notices", [{"title": "Notice 0", "link": links[0], "date": DATE}]), "application/rss+xml")
    pruned = {r.url: r for r in sources.sync(prune=True)}[f"{u}/feeds/many"]
    assert pruned.removed == 5 and writes == [sorted(links[1:])]
    assert service.article(links[0]) is not None and all(service.article(link) is None for link in links[1:])
    sources.remove(f"{u}/feeds/many", prune=True)
    assert service.article(links[0]) is None


def test_articles_tab_lists_syncs_and_removes_sources(site, service, added):
    """The Articles tab's feeds and sitemaps table, through the running Gradio app: a feed added from
    URL shows up queued, its progress while it syncs (the timer), then its articles; Sync now and
    Remove source (with its articles) go through the same calls as the CLI and the API."""
    from rag.service import Byline
    from rag.feeds import web_feeds
    from tests.gradio_events import gradio_call, gradio_events
    from ui.gradio_app import build_app
    from ui.uploads import _markdown_text

    u = site.url
    feed = f"{u}/feeds/notes"
    gate = threading.Event()
    links = [f"{u}/notes/{n}.html" for n in range(2)]
    for n in range(len(links)):
        text = f"Note {n}: the parish hall will host the spring fair on day {n + 3} of May."
        site.routes[f"/notes/{n}.html"] = Route(page(f"Parish note {n}", [text]), gate=gate if n else None)
    items = [{"title": f"Note {n}", "link": link, "date": DATE} for n, link in enumerate(links)]
    # The feed's title, once parsed, is markup, which must stay text.
    site.routes["/feeds/notes"] = Route(rss("Notes &lt;img src=x onerror=alert(1)&gt;", items), "application/rss+xml")
    server_side = Byline(service.settings.model_copy(update={"fetch_timeout": 20}))  # patient with the gated page
    demo = build_app(server_side)
    demo.launch(server_name="127.0.0.1", server_port=closed_port(), prevent_thread_lock=True, quiet=True)
    try:
        url = demo.local_url.rstrip("/")
        events = gradio_events(url, {})

        tab = uuid.uuid4().hex[:12]  # one page's session: the status line follows the feed it added

        def click(name: str, *data) -> list:
            done = gradio_call(url, {}, events[name], list(data), session=tab)
            assert done["success"], done
            return done["output"]["data"]

        def row(table: dict) -> list[str] | None:
            return {r[0]: r for r in table["data"]}.get(feed)

        try:
            # outputs: status, the articles (7: table, line, choices, sources, view, paging), the sources table, its
            # choices, the timer, the feed the status follows (a gr.State: None here; None in inputs too)
            shown = click("byline-add-url", feed, None)
            assert "is registered; its articles are being read in the background" in shown[0]
            assert row(shown[8])[1] == "feed" and row(shown[8])[2] in ("queued", "syncing", "syncing 0/2", "syncing 1/2")
            assert shown[10]["active"] is True, "the timer refreshes the table while the feed syncs"
            assert feed in [choice[0] for choice in shown[9]["choices"]]
            deadline = time.monotonic() + 10
            while row((ticked := click("tick", None, None))[0])[2] != "syncing 1/2":  # until the worker waits on the gated page
                assert time.monotonic() < deadline, row(ticked[0])
                time.sleep(0.05)
            assert row(ticked[0])[3:5] == ["0 articles", "never synced"]
            assert "being read in the background \\(syncing 1/2\\)" in ticked[10], ticked[10]
        finally:
            gate.set()
        assert web_feeds(server_side).state.wait_idle(20)
        ticked = click("tick", None, None)  # outputs: the sources table, its choices, the timer, the articles (7), status
        assert row(ticked[0])[:4] == [feed, "feed", "idle", "2 articles"] and row(ticked[0])[5] == ""  # no "last error: ok"
        assert re.fullmatch(r"synced \d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d UTC", row(ticked[0])[4])
        assert ticked[2]["active"] is False and links[1] in [r[0] for r in ticked[3]["data"]], "the articles, refreshed once done"
        # The status line no longer says the feed is being read: it says what was read (issue 20).
        said = ticked[10]
        assert said.startswith(_markdown_text(f"{feed}: a feed")) and said.endswith(": read, 2 articles from it in the store."), said
        assert "<img" not in said and "background" not in said
        assert click("tick", None, None)[10] == {"__type__": "update"}, "said once: the next tick leaves the status line as it is"

        synced = click("byline-sync", None)[0]
        assert _markdown_text(f'{feed}: a feed "Notes <img src=x onerror=alert(1)>"') in synced, synced
        assert "<img" not in synced and _markdown_text(f"{u}/sitemap-index.xml") in synced  # every registered source
        removed = click("byline-remove-feed", feed, True, None)
        assert removed[0] == _markdown_text(f"{feed}: removed, and 2 articles that only it brought in") + "."
        assert row(removed[1]) is None and all(service.article(link) is None for link in links)
        assert "not a registered feed or sitemap" in click("byline-remove-feed", feed, False, None)[0]
    finally:
        demo.close()


def test_private_addresses_are_refused_unless_allowed(site, byline, monkeypatch):
    """SSRF: a feed could point at the machine itself or its network; the fetcher refuses any address
    that is not public, on every redirect and at the connection too, unless BYLINE_FETCH_ALLOW_PRIVATE allows it."""
    from index.feeds.addresses import AddressPolicy, GuardedBackend, PrivateAddress
    from index.feeds.fetcher import Fetcher, FetchError, FetchLimits

    u = site.url
    port = u.rsplit(":", 1)[1]
    asked = len(site.requests)
    monkeypatch.setenv("BYLINE_FETCH_ALLOW_PRIVATE", "")
    code, _, err = byline("ingest", f"{u}/feeds/harbour")
    assert code == 1 and err.strip() == (
        f"error: {u}/feeds/harbour: 127.0.0.1 is a loopback address; only public addresses are fetched"
        " unless BYLINE_FETCH_ALLOW_PRIVATE lists the host or its network"
    )
    with Fetcher(FetchLimits(delay=0)) as fetcher:
        with pytest.raises(FetchError, match=f"^http://localhost:{port}/news/tram.html: localhost \\(127.0.0.1\\) is a loopback address"):
            fetcher.get(f"http://localhost:{port}/news/tram.html")
    assert len(site.requests) == asked, "a refused address was asked anyway"

    # A host name allowed, and a redirect from it to an address that is not.
    site.routes["/go/elsewhere"] = Route(status=302, headers={"Location": f"{u}/news/tram.html"})
    with Fetcher(FetchLimits(delay=0, allow_private=("localhost",))) as fetcher:
        assert fetcher.get(f"http://localhost:{port}/news/tram.html").status == 200
        with pytest.raises(FetchError, match=f"^{u}/news/tram.html: 127.0.0.1 is a loopback address"):
            fetcher.get(f"http://localhost:{port}/go/elsewhere")
    with Fetcher(FetchLimits(delay=0, allow_private=("127.0.0.0/8",))) as fetcher:
        assert fetcher.get(f"http://localhost:{port}/go/elsewhere").url == f"{u}/news/tram.html"

    # The connection itself checks the address it connects to, whatever checked the name before
    # (as if the name had changed its address since).
    asked = len(site.requests)
    with Fetcher(FetchLimits(delay=0)) as fetcher:
        monkeypatch.setattr(fetcher, "_check_address", lambda url: None)
        with pytest.raises(FetchError, match=f"^{u}/news/tram.html: 127.0.0.1 is a loopback address"):
            fetcher.get(f"{u}/news/tram.html")
    assert len(site.requests) == asked
    with pytest.raises(PrivateAddress, match="127.0.0.1 is a loopback address"):
        GuardedBackend(AddressPolicy()).connect_tcp("127.0.0.1", int(port))
    kinds = {
        "10.1.2.3": "private",
        "169.254.169.254": "link-local",
        "::1": "loopback",
        "::ffff:127.0.0.1": "loopback",
        "0.0.0.0": "unspecified",
        "100.64.0.1": "non-public",
        "224.0.0.1": "multicast",
        "fd00::1": "private",
    }
    for address, kind in kinds.items():
        with pytest.raises(PrivateAddress, match=f"is a {kind} address"):
            AddressPolicy().addresses(address, 80)
    assert AddressPolicy().addresses("93.184.215.14", 80) == ["93.184.215.14"]
    assert AddressPolicy(("10.0.0.0/8",)).addresses("10.1.2.3", 80) == ["10.1.2.3"]
    assert AddressPolicy(("*",)).addresses("169.254.169.254", 80) == ["169.254.169.254"]


def test_a_bad_allow_list_is_a_clear_error(byline, monkeypatch):
    monkeypatch.setenv("BYLINE_FETCH_ALLOW_PRIVATE", "10.0.0.0/33")
    code, _, err = byline("sync")
    assert code == 1 and "BYLINE_FETCH_ALLOW_PRIVATE" in err and "10.0.0.0/33" in err


def readme_examples() -> list[tuple[str, list[str]]]:
    """The commands of README's "News from the web" console examples, each with the lines it prints."""
    from tests.conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### News from the web", 1)[1].split("\n### ", 1)[0]
    examples = []
    for block in section.split("```console\n")[1:]:
        text = block.split("```", 1)[0].replace("\\\n", "")
        for chunk in text.split("$ ")[1:]:
            command, *printed = chunk.strip().splitlines()
            examples.append((command.strip(), printed))
    return examples


def test_the_readme_examples_are_what_byline_prints(tmp_path, monkeypatch):
    """README's examples, run on a fresh store against the news site as `python -m tests.news_site` serves it."""
    import re
    import shlex

    from ui.cli import app

    monkeypatch.delenv("BYLINE_FETCH_ALLOW_PRIVATE", raising=False)
    monkeypatch.setenv("BYLINE_FETCH_DELAY", "0")
    monkeypatch.setenv("BYLINE_STORE", str(tmp_path / "store"))
    ran = []
    with Site() as site:
        build(site)
        for command, printed in readme_examples():
            words = shlex.split(command.replace("http://127.0.0.1:8000", site.url))
            if words[0] == "export":
                monkeypatch.setenv(*words[1].split("=", 1))
                continue
            env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
            words = words[len(env) :]
            if words[:1] != ["byline"] or words[1] == "ask":  # the news site itself, curl, and answers (tested above)
                continue
            result = CliRunner().invoke(app, words[1:], env=env)
            shown = (result.stdout + result.stderr).replace(site.url, "http://127.0.0.1:8000")
            synced = re.compile(r"synced \d{1,2} [A-Z][a-z]{2} 20\d\d \d\d:\d\d UTC")
            assert synced.sub("synced …", shown).splitlines() == [synced.sub("synced …", line) for line in printed], command
            ran.append(words[1])
    assert ran == ["ingest", "ingest", "sources", "sync", "sources", "ingest"]
