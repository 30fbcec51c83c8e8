"""Corrections and stale sources (the editors' desk, issue 23 parts 4-5): an article re-ingested with
a change is cited as "updated DATE"; a withdrawn article leaves the store (vectors, lexical index,
docstore) and no re-ingest, upload or feed sync brings it back, in a real embedded store and in the
shared one (PostgreSQL); the CLI and the admin API withdraw and list; a feed served on 127.0.0.1
whose listing is not read for BYLINE_STALE_AFTER_HOURS is stale in `byline sources`, the Articles
tab's table, `GET /api/sources` and `/healthz`, judged by a clock the test moves (no sleeping)."""

from datetime import datetime, timedelta, timezone

import httpx
import pytest
from typer.testing import CliRunner

from tests.fixtures_server import serve_in_thread
from tests.news_site import HERALD, Route, Site, build, page, rss
from tests.test_shared_store import database, postgres  # noqa: F401
from ui.cli import app

TRAM = """---
title: Port Elwyn approves a tram line
source: Harbour Herald
date: 2024-04-02
---
The city council of Port Elwyn voted on Monday to build a tram line from the harbour to Eastgate.
The tram line will have eleven stops, the transport committee said.
"""
TRAM_CORRECTED = TRAM.replace("eleven stops", "twelve stops").replace("committee said.", "committee said, correcting an earlier figure.")
QUARRY = """---
title: Quarry flooded after storm
source: Valley Gazette
date: 2024-04-03
---
The disused Penhallow quarry flooded overnight after the storm, and the footpath around it is closed.
"""
REASON = "Legal: the quarry's owner disputes the report"
ADMIN_KEY = "corrections-admin-3d9f"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def cli(*args: str, **env: str):
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def found(service, query: str) -> set[str]:
    return {hit.doc_id for hit in service.search(query, k=5).results}


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_corrections_are_dated_and_withdrawn_articles_stay_out(where, tmp_path, seed_settings, request):
    from rag.service import Byline
    from ui.render import citation_lines

    url = request.getfixturevalue("database") if where == "postgresql" else ""
    store = tmp_path / "store"
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tram.md").write_text(TRAM, encoding="utf-8")
    (folder / "quarry.md").write_text(QUARRY, encoding="utf-8")
    env = {"BYLINE_DATABASE_URL": url, "BYLINE_STORE": str(store)}
    with Byline(seed_settings.model_copy(update={"store": store, "database_url": url})) as service:
        assert service.ingest([folder]).added == 2
        question = "How many stops will the Port Elwyn tram line have?"
        first = [c for c in service.ask(question).citations if c.doc_id == "tram.md"]
        assert first and all(c.updated is None for c in first)

        # A correction: the changed file replaces the article, and its citations say when.
        (folder / "tram.md").write_text(TRAM_CORRECTED, encoding="utf-8")
        assert service.ingest([folder]).updated == 1
        result = service.ask(question)
        cited = next(c for c in result.citations if "twelve stops" in c.sentence)
        assert cited.doc_id == "tram.md" and datetime.now(timezone.utc) - datetime.fromisoformat(cited.updated) < timedelta(minutes=10)
        assert f"updated {cited.updated[:10]}" in "\n".join(citation_lines(result.citations, service.citation_contexts(result.citations)))

        # Withdrawn through the CLI: gone from Chroma, the lexical index and the docstore.
        assert "quarry.md" in found(service, "Penhallow quarry flooded")
        refused = cli("withdraw", "quarry.md", **env)
        assert refused.exit_code == 1 and "reason" in refused.stderr
        done = cli("withdraw", "quarry.md", "--reason", REASON, **env)
        assert done.exit_code == 0 and done.stdout == f"withdrew quarry.md: {REASON}\n", done.stderr
        assert service.article("quarry.md") is None and "quarry.md" not in found(service, "Penhallow quarry flooded")
        assert service.store.vectors.ids(["quarry.md"]) == []
        assert service.store.docs.lexical_search(["penhallow"], 5) == []
        listed = cli("withdrawn", **env).stdout.split("\t")
        assert listed[0] == "quarry.md" and listed[2:4] == ["command line", REASON]

        # No re-ingest of the folder, changed or not, and no upload brings it back.
        (folder / "quarry.md").write_text(QUARRY + "Pumps arrived on Tuesday.\n", encoding="utf-8")
        again = cli("ingest", str(folder), **env)
        assert again.exit_code == 0 and "0 added" in again.stdout
        assert f"/quarry.md: withdrawn on {cited.updated[:10]}: {REASON}" in again.stderr
        articles, _ = service.load([("quarry.md", QUARRY.encode())])
        uploaded = service.ingest_loaded(articles)
        assert uploaded.added == 0 and [s.path for s in uploaded.skipped] == ["quarry.md"]
        assert service.article("quarry.md") is None and service.count() == 1

        # Undone, the next ingest stores it again.
        assert cli("withdraw", "quarry.md", "--undo", **env).exit_code == 0
        assert service.ingest([folder]).added == 1 and "quarry.md" in found(service, "Penhallow quarry flooded")
        assert cli("withdraw", "nowhere.md", "--reason", "x", **env).exit_code == 1


@pytest.fixture
def site():
    with Site() as site:
        build(site)
        yield site


def test_feeds_keep_withdrawn_articles_out_and_stale_feeds_are_flagged(site, tmp_path, seed_settings, monkeypatch):
    """One feed on 127.0.0.1, synced into a served store: the admin API withdraws one of its
    articles, and syncs of its changed page do not bring it back; then the clock moves past
    BYLINE_STALE_AFTER_HOURS and the feed, whose listing now fails, is stale everywhere."""
    from index.feeds import registry
    from rag.service import Byline
    from rag.feeds import web_feeds
    from ui.server import create_app
    from ui.feed_lines import readable_time, source_rows

    settings = seed_settings.model_copy(
        update={"store": tmp_path / "store", "fetch_delay": 0, "fetch_allow_private": "127.0.0.1", "api_keys": ADMIN_KEY, "stale_after_hours": 24}
    )
    feed = f"{site.url}/feeds/harbour"
    lighthouse = f"{site.url}/news/lighthouse.html"
    with Byline(settings) as service:
        sources = web_feeds(service)
        [report] = sources.add([feed])
        assert report.added == 2, report
        for url in serve_in_thread(create_app(service)):
            health = httpx.get(f"{url}/healthz").json()
            assert health["status"] == "ok" and health["stale"] == []

            withdraw = f"{url}/api/articles/{lighthouse}/withdraw"
            assert httpx.post(withdraw, json={"reason": "  "}, headers=ADMIN).status_code == 422
            done = httpx.post(withdraw, json={"reason": REASON}, headers=ADMIN)
            assert done.status_code == 200 and done.json()["withdrawn_by"].startswith("admin key") and done.json()["title"] == "Cape Morrow keeper retires"
            assert httpx.post(f"{url}/api/articles/{site.url}/nowhere/withdraw", json={"reason": "x"}, headers=ADMIN).status_code == 404
            listed = httpx.get(f"{url}/api/withdrawn", headers=ADMIN).json()["withdrawn"]
            assert [(w["doc_id"], w["reason"]) for w in listed] == [(lighthouse, REASON)]
            hits = httpx.get(f"{url}/api/search", params={"q": "lighthouse keeper retired"}, headers=ADMIN).json()["results"]
            assert lighthouse not in {hit["doc_id"] for hit in hits}

            # The feed lists it again with a changed page: the sync reads it and leaves it out.
            site.routes["/news/lighthouse.html"] = Route(
                page("Keeper retires", ["Agnes Morrow retired on Friday, said the coastguard.", "She kept the lamp for forty years."])
            )
            relisted = [{"title": "Cape Morrow keeper retires", "link": lighthouse, "date": "Wed, 03 Apr 2024 09:00:00 GMT"}]
            site.routes["/feeds/harbour"] = Route(rss(HERALD, relisted), "text/plain")
            [synced] = httpx.post(f"{url}/api/sources/sync", json={}, headers=ADMIN).json()["sources"]
            assert synced["added"] == 0 and any(s.startswith(f"{lighthouse}: withdrawn on") for s in synced["skipped"]), synced
            assert service.article(lighthouse) is None

            # A day later the listing fails: the sync is recorded, but not as a success.
            later = registry.clock() + timedelta(hours=20)
            monkeypatch.setattr(registry, "clock", lambda: later)
            site.routes["/feeds/harbour"] = Route(b"gone", "text/plain", status=500)
            [failed] = sources.sync()
            assert failed.errors and httpx.get(f"{url}/healthz").json()["stale"] == []
            monkeypatch.setattr(registry, "clock", lambda: later + timedelta(hours=5))
            [stale] = httpx.get(f"{url}/healthz").json()["stale"]
            assert httpx.get(f"{url}/healthz").status_code == 200
            assert stale["url"] == feed and stale["last_error"] and stale["last_success"] < later.isoformat()
            [info] = httpx.get(f"{url}/api/sources", headers=ADMIN).json()["sources"]
            assert info["stale"] is True and info["last_success"] == stale["last_success"]
        [row], _ = source_rows(service)
        assert row[0] == feed and row[4].startswith(f"STALE (listing last read {readable_time(stale['last_success'])})")
        shown = cli("sources", "--store", str(settings.store), BYLINE_STALE_AFTER_HOURS="24")
        assert shown.exit_code == 0 and "\tSTALE (listing last read" in shown.stdout
        assert "STALE" not in cli("sources", "--store", str(settings.store), BYLINE_STALE_AFTER_HOURS="0").stdout


def test_an_article_let_back_in_is_stored_by_the_next_feed_sync(site, tmp_path, seed_settings):
    """`byline withdraw --undo` of a fed article: the next sync reads its page again and stores it, though
    neither the feed nor the page changed (its entry said 'unchanged', and the feed could answer 304)."""
    from rag.service import Byline
    from rag.feeds import web_feeds

    settings = seed_settings.model_copy(update={"store": tmp_path / "store", "fetch_delay": 0, "fetch_allow_private": "127.0.0.1"})
    lighthouse = f"{site.url}/news/lighthouse.html"
    with Byline(settings) as service:
        sources = web_feeds(service)
        [report] = sources.add([f"{site.url}/feeds/harbour"])
        assert report.added == 2, report
        service.withdraw(lighthouse, REASON)
        [kept_out] = sources.sync()
        assert kept_out.added == 0 and service.article(lighthouse) is None
        undone = cli("withdraw", lighthouse, "--undo", BYLINE_STORE=str(settings.store), BYLINE_FETCH_ALLOW_PRIVATE="127.0.0.1")
        assert undone.exit_code == 0, undone.output
        [back] = sources.sync()
        assert back.added == 1 and service.article(lighthouse) is not None, back
        assert [s.articles for s in sources.registered()] == [2]
        [again] = sources.sync()
        assert again.added == 0 and not again.errors
