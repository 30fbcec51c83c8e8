"""One access model for every route: admin and reader keys, key origins, rate limits, sign-in.

A real server on the seed store (the Gradio queue needs one) with an admin key, a reader key and a
reader key bound to one origin. Nothing here changes the store: every write is one that must fail.
"""

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import SEED_DOC
from tests.fixtures_server import serve_in_thread
from tests.gradio_events import gradio_call, gradio_events

ADMIN_KEY = "admin-9c2e"
READER_KEY = "reader-41b7"
BOUND_KEY = "bound-77d0"
NEWS = "https://news.example"
EVIL = "https://evil.example"
QUESTION = "Which neighbourhoods did the Syrian army capture?"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
READER = {"Authorization": f"Bearer {READER_KEY}"}
ADMIN_ONLY = "needs an admin key"


def keyed_app(seed_settings, clock=time.monotonic, **update):
    from rag.service import Byline
    from ui.server import create_app

    keys = {"api_keys": ADMIN_KEY, "reader_keys": f"{READER_KEY}, {BOUND_KEY} {NEWS}/ https://www.news.example"}
    settings = seed_settings.model_copy(update={**keys, "rate_limit": 0, "rate_limit_per_address": 0, **update})
    return create_app(Byline(settings), clock=clock)


class Clock:
    """The seconds the rate limits count in, moved by the test alone."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Keyed:
    app: object
    url: str
    service: object


@pytest.fixture(scope="module")
def keyed(seed_service, seed_settings) -> Iterator[Keyed]:
    app = keyed_app(seed_settings)
    for url in serve_in_thread(app):
        yield Keyed(app, url, seed_service)


@pytest.fixture(scope="module")
def gradio_fns(keyed) -> dict[str, tuple[int, int | None]]:
    return gradio_events(keyed.url, ADMIN)


def test_every_route_is_classified(keyed):
    """A route Gradio or Byline adds fails here until ui/access.py ROUTES says who may call it."""
    from ui.route_access import ROUTES, Access, access_for, route_templates, unclassified_routes

    assert unclassified_routes(keyed.app) == []
    assert set(ROUTES) - set(route_templates(keyed.app.routes)) == set(), "ROUTES names routes no longer served"
    assert access_for("/gradio_api/file=/etc/passwd") is Access.ADMIN
    assert access_for("/gradio_api/vibe-edit/") is Access.BLOCKED and access_for("/no/such/route") is Access.ADMIN


@pytest.mark.parametrize(
    ("method", "path", "body", "reader_may"),
    [
        ("POST", "/api/ask", {"question": QUESTION}, True),
        ("POST", "/api/ask/stream", {"question": QUESTION}, True),
        ("GET", "/api/search?q=army", None, True),
        ("GET", "/api/articles", None, False),
        ("GET", f"/api/articles/{SEED_DOC}", None, False),
        ("DELETE", f"/api/articles/{SEED_DOC}", None, False),
        ("POST", f"/api/articles/{SEED_DOC}/withdraw", {"reason": "a test"}, False),
        ("GET", "/api/withdrawn", None, False),
        ("POST", "/api/articles", None, False),
        ("GET", "/api/sources", None, False),
        ("POST", "/api/sources", {"url": "http://127.0.0.1:9/feed.xml"}, False),
        ("POST", "/api/sources/sync", {}, False),
        ("DELETE", "/api/sources/http%3A%2F%2F127.0.0.1%3A9%2Ffeed.xml", None, False),
    ],
)
def test_rest_routes_need_the_right_key(keyed, method, path, body, reader_may):
    def call(headers: dict) -> httpx.Response:
        files = [("files", ("x.txt", b"Text.", "text/plain"))] if method == "POST" and body is None else None
        return httpx.request(method, f"{keyed.url}{path}", json=body, files=files, headers=headers, timeout=120)

    for headers in ({}, {"Authorization": "Bearer unknown-key"}, {"Cookie": "byline_session=unknown-key"}):
        refused = call(headers)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer", (path, headers)
        assert refused.json()["detail"]
    as_reader = call(READER)
    if reader_may:
        assert as_reader.status_code == 200, as_reader.text
    else:
        assert as_reader.status_code == 403 and "BYLINE_API_KEYS" in as_reader.json()["detail"]
    if method == "GET":  # the admin's writes are tested in test_api; here nothing may change the store
        assert call(ADMIN).status_code == 200
    assert keyed.service.article(SEED_DOC) is not None


def test_gradio_routes_need_a_key(keyed):
    def get(path: str, headers: dict | None = None) -> int:
        return httpx.get(f"{keyed.url}{path}", headers=headers or {}).status_code

    for path in ["/config", "/gradio_api/info", "/gradio_api/queue/data?session_hash=x", "/gradio_api/heartbeat/x", "/gradio_api/file=x.txt"]:
        assert get(path) == 401, path
    upload = {"files": [("files", ("x.txt", b"Text.", "text/plain"))]}
    assert httpx.post(f"{keyed.url}/gradio_api/upload", **upload).status_code == 401
    assert httpx.post(f"{keyed.url}/gradio_api/upload", headers=READER, **upload).status_code == 403
    assert get("/gradio_api/file=x.txt", READER) == 403
    assert get("/config", READER) == 200 and get("/gradio_api/info", READER) == 200
    assert httpx.post(f"{keyed.url}/gradio_api/upload", headers=ADMIN, **upload).status_code == 200
    # Gradio features Byline does not use are not served, even to an admin.
    for path in ["/monitoring", "/gradio_api/vibe-code", "/gradio_api/token", "/gradio_api/proxy=https://x.hf.space/"]:
        assert get(path, ADMIN) == 404, path
    # The page's code and styles need no key: a browser without one is sent to the sign-in page.
    page = httpx.get(f"{keyed.url}/")
    assert page.status_code == 303 and page.headers["location"] == "/signin"
    assert get("/theme.css") == 200 and get("/favicon.ico") == 200
    assert get("/healthz") == 200 and get("/widget.js") == 200 and get("/api/openapi.json") == 200


def test_gradio_events_refuse_without_a_key_and_readers_get_no_articles(keyed, gradio_fns):
    feed = "http://127.0.0.1:9/feed.xml"
    inputs = {
        "byline-delete": [SEED_DOC, None],
        "byline-show": [SEED_DOC],
        "byline-add": [None, None],
        "byline-add-url": [feed, None],
        "byline-feeds-refresh": [None],
        "tick": [None, None],
        "byline-sync": [None],
        "byline-remove-feed": [feed, True, None],
        "byline-withdraw": [SEED_DOC, "a test", None],
        "byline-article-search": ["Damascus"],
        "byline-article-find": ["Damascus"],
        "byline-articles-previous": [None],
        "byline-articles-next": [None],
    }  # None: a gr.State's place (the session keeps its value)
    for name, fn in gradio_fns.items():
        data = inputs.get(name, [QUESTION] if name in ("ask", "byline-question", "byline-ask") else [])
        # A cross-origin page, without a key: nothing runs.
        refused = gradio_call(keyed.url, {"Origin": EVIL}, fn, data)
        assert refused["status"] == 401, name
    spoofing = {**READER, "X-Byline-Role": "admin"}  # the access check drops a client's own role header
    for name in inputs:
        done = gradio_call(keyed.url, spoofing, gradio_fns[name], inputs[name])
        assert done["success"] is False and ADMIN_ONLY in done["output"]["error"], name
    loaded = gradio_call(keyed.url, READER, gradio_fns["load"], [])["output"]["data"]
    # The tab hidden; its articles (1) and feeds (8, after the list's line, choices, view and paging) empty.
    assert loaded[0] == {"visible": False, "__type__": "update"} and loaded[1]["data"] == [] and loaded[8]["data"] == []
    assert gradio_call(keyed.url, ADMIN, gradio_fns["load"], [])["output"]["data"][0]["visible"] is True
    refreshed = gradio_call(keyed.url, ADMIN, gradio_fns["byline-feeds-refresh"], [None])["output"]["data"]
    assert refreshed[0]["headers"] == ["URL", "kind", "status", "articles", "last sync", "last error"]
    shown = gradio_call(keyed.url, ADMIN, gradio_fns["byline-show"], [SEED_DOC])
    assert "Damascus" in shown["output"]["data"][0]
    assert keyed.service.article(SEED_DOC) is not None


def test_gradio_client_needs_a_key(keyed):
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017  (the client fails on its first request, whatever it calls it)
        Client(keyed.url, verbose=False)
    client = Client(keyed.url, verbose=False, headers=READER)
    try:
        assert "Yarmouk" in client.predict(QUESTION, api_name="/ask")["answer"]
    finally:
        client.close()  # its heartbeat stream would hold the server open at teardown


def test_reader_key_bound_to_origins(keyed):
    def search(headers: dict) -> httpx.Response:
        return httpx.get(f"{keyed.url}/api/search", params={"q": "army"}, headers={"Authorization": f"Bearer {BOUND_KEY}", **headers})

    assert search({"Origin": NEWS}).status_code == 200
    assert search({"Origin": "https://www.news.example"}).status_code == 200
    assert search({"Referer": f"{NEWS}/world/syria.html"}).status_code == 200
    assert search({"Origin": keyed.url}).status_code == 200  # the server's own pages (/widget)
    copied = search({"Origin": EVIL})
    assert copied.status_code == 403
    assert copied.json()["detail"] == f"This reader key may not be used from {EVIL}: add {EVIL} to this key's origins in BYLINE_READER_KEYS."
    assert search({"Referer": f"{EVIL}/page"}).status_code == 403
    assert "named no Origin or Referer" in search({}).json()["detail"]
    # Its origins may call cross-origin, and refusals carry CORS headers so a widget can read them.
    preflight = httpx.options(
        f"{keyed.url}/api/ask/stream",
        headers={"Origin": NEWS, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.headers["access-control-allow-origin"] == NEWS
    refused = httpx.post(f"{keyed.url}/api/ask", json={"question": QUESTION}, headers={"Origin": NEWS})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == NEWS


def test_sign_in_page_sets_a_strict_cookie(keyed):
    with httpx.Client(base_url=keyed.url) as browser:
        page = browser.get("/signin")
        policy = page.headers["content-security-policy"]
        assert page.status_code == 200 and "<script" not in page.text and 'name="key"' in page.text
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        wrong = browser.post("/signin", data={"key": "not-a-key"}, headers={"Origin": keyed.url})
        assert wrong.status_code == 401 and "not one of this server" in wrong.text and "byline_session" not in browser.cookies
        assert browser.post("/signin", data={"key": READER_KEY}, headers={"Origin": EVIL}).status_code == 403
        signed = browser.post("/signin", data={"key": READER_KEY}, headers={"Origin": keyed.url})
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie and "secure" not in cookie
        assert browser.get("/").status_code == 200 and "Sign out" in browser.get("/config").text
        assert browser.get("/api/search", params={"q": "army"}).status_code == 200
        assert browser.get("/api/articles").status_code == 403  # a reader signed in is still a reader
        # The cookie is only good on the server's own pages: another origin (another port) is refused.
        assert browser.get("/config", headers={"Origin": "http://127.0.0.1:1"}).status_code == 403
        out = browser.get("/signout")
        assert out.status_code == 303 and out.headers["location"] == "/signin"
        assert "byline_session" not in browser.cookies and browser.get("/").status_code == 303


def test_sign_in_cookie_holds_a_signed_expiring_token_not_the_key(keyed):
    from ui.sessions import SessionTokens

    with httpx.Client(base_url=keyed.url) as browser:
        signed = browser.post("/signin", data={"key": ADMIN_KEY}, headers={"Origin": keyed.url})
        assert signed.status_code == 303 and "max-age=43200" in signed.headers["set-cookie"].lower()
        token = browser.cookies["byline_session"]
        assert ADMIN_KEY not in signed.headers["set-cookie"] and ADMIN_KEY not in token
        assert browser.get("/api/articles").status_code == 200

    def articles(cookie: str) -> httpx.Response:
        return httpx.get(f"{keyed.url}/api/articles", cookies={"byline_session": cookie})

    ident, expiry, signature = token.split(".")
    keys = [ADMIN_KEY, READER_KEY, BOUND_KEY]
    assert articles(SessionTokens(keys, 3600).issue(ident)).status_code == 200  # the server's own signature
    for forged in (
        f"{ident}.{int(expiry) + 86400}.{signature}",  # a longer life under the old signature
        f"{SessionTokens([READER_KEY], 3600).issue(ident)}",  # signed without the admin key
        SessionTokens(keys, -1).issue(ident),  # expired
        SessionTokens([*keys, "removed-key"], 3600).issue(hashlib.sha256(b"removed-key").hexdigest()[:16]),
        ADMIN_KEY,  # the key itself is no sign-in
    ):
        refused = articles(forged)
        assert refused.status_code == 401 and "sign in again" in refused.json()["detail"], forged


def test_sign_in_cookie_is_secure_over_https(keyed):
    from starlette.testclient import TestClient

    client = TestClient(keyed.app, base_url="https://byline.example")
    signed = client.post("/signin", data={"key": ADMIN_KEY}, follow_redirects=False)
    assert signed.status_code == 303 and "secure" in signed.headers["set-cookie"].lower()
    # Behind a TLS proxy on 127.0.0.1 (the address uvicorn trusts by default), as docs/deploy.md's nginx sends it.
    proxied = httpx.post(f"{keyed.url}/signin", data={"key": ADMIN_KEY}, headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 303 and "secure" in proxied.headers["set-cookie"].lower()


def test_rate_limits_per_key_and_per_address(seed_settings):
    """Reader keys only, counted per minute: 3 a key and 5 an address here (defaults 60 and 30)."""
    from starlette.testclient import TestClient

    from rag.settings import Settings

    assert (Settings().rate_limit, Settings().rate_limit_per_address) == (60, 30)
    clock = Clock()
    app = keyed_app(seed_settings, clock, rate_limit=3, rate_limit_per_address=5)
    other = {"Authorization": f"Bearer {BOUND_KEY}", "Origin": NEWS}
    client = TestClient(app)
    statuses = [client.get("/api/search", params={"q": "army"}, headers=READER).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    clock.now += 15
    limited = client.get("/api/search", params={"q": "army"}, headers=READER)
    assert limited.headers["retry-after"] == "45"
    assert "BYLINE_RATE_LIMIT" in limited.json()["detail"] and "try again in" in limited.json()["detail"]
    # Another key from the same address: 2 more make the address's 5, the next is refused.
    assert [client.get("/api/search", params={"q": "army"}, headers=other).status_code for _ in range(3)] == [200, 200, 429]
    # Static assets and admin keys are not counted.
    assert all(client.get("/widget.js").status_code == 200 for _ in range(6))
    assert all(client.get("/api/search", params={"q": "army"}, headers=ADMIN).status_code == 200 for _ in range(6))
    # A minute after the first three, the key may ask again (the address's window holds only the other key's two).
    clock.now += 45
    assert client.get("/api/search", params={"q": "army"}, headers=READER).status_code == 200


def test_wrong_keys_are_throttled_per_address(seed_settings):
    """BYLINE_RATE_LIMIT_PER_ADDRESS wrong keys or sign-ins a minute; then the address waits, with a
    right key too (else a guess's answer would still tell right from wrong)."""
    from starlette.testclient import TestClient

    clock = Clock()
    app = keyed_app(seed_settings, clock, rate_limit_per_address=30)
    client = TestClient(app)
    guesses = [client.get("/api/articles", headers={"Authorization": f"Bearer guess-{n}"}) for n in range(60)]
    assert [guess.status_code for guess in guesses] == [401] * 30 + [429] * 30
    assert guesses[-1].headers["retry-after"] == "60"
    assert "BYLINE_RATE_LIMIT_PER_ADDRESS" in guesses[-1].json()["detail"]
    assert client.get("/api/articles", headers=ADMIN).status_code == 429
    assert client.get("/api/articles", cookies={"byline_session": "forged.1.x"}).status_code == 429
    assert TestClient(app, client=("10.0.0.2", 50000)).get("/api/articles", headers=ADMIN).status_code == 200
    clock.now += 60  # the wrong tries are a minute old: the address is let in again
    assert client.get("/api/articles", headers=ADMIN).status_code == 200

    clock = Clock()
    browser = TestClient(keyed_app(seed_settings, clock, rate_limit_per_address=5), client=("10.0.0.3", 50000))
    posts = [browser.post("/signin", data={"key": f"guess-{n}"}, follow_redirects=False) for n in range(8)]
    assert [post.status_code for post in posts] == [401] * 5 + [429] * 3
    assert posts[-1].headers["retry-after"] == "60" and "try again in" in posts[-1].text
    clock.now += 59.5
    assert browser.post("/signin", data={"key": ADMIN_KEY}, follow_redirects=False).status_code == 429
    clock.now += 0.5
    assert browser.post("/signin", data={"key": ADMIN_KEY}, follow_redirects=False).status_code == 303


def test_sliding_window_forgets_after_a_minute():
    from ui.ratelimit import SlidingWindow, admit

    now = [0.0]
    window = SlidingWindow(2, clock=lambda: now[0])
    assert [admit([(window, "k")]) for _ in range(3)] == [0, 0, 60]
    now[0] = 59.5
    assert admit([(window, "k")]) == 1 and admit([(window, "other")]) == 0
    now[0] = 60.0
    assert admit([(window, "k")]) == 0
    assert admit([(SlidingWindow(0), "k")] * 2) == 0


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"api_keys": "good, bad key"}, "BYLINE_API_KEYS: key 2 holds a character"),
        ({"reader_keys": "r\u00e9ader"}, "BYLINE_READER_KEYS: key 1 holds a character"),
        ({"reader_keys": "reader news.example"}, "'news.example' is not an origin"),
        ({"api_keys": "same", "reader_keys": "same"}, "in both BYLINE_API_KEYS and BYLINE_READER_KEYS"),
    ],
)
def test_bad_key_settings_fail_at_start(seed_settings, update, message):
    from ui.access import KeyRing

    with pytest.raises(ValueError, match=message):
        KeyRing(seed_settings.model_copy(update=update))


def test_huge_article_offset_is_a_422_not_a_500(keyed):
    response = httpx.get(f"{keyed.url}/api/articles", params={"offset": "100000000000000000000"}, headers=ADMIN)
    assert response.status_code == 422 and "offset" in response.text


def test_no_keys_leave_everything_open(seed_settings):
    from starlette.testclient import TestClient

    from rag.service import Byline
    from ui.server import create_app

    client = TestClient(create_app(Byline(seed_settings)))
    for path in ["/", "/config", "/gradio_api/info", "/api/articles"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/signin", follow_redirects=False).headers["location"] == "/"  # nothing to sign in to
