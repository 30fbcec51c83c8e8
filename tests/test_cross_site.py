"""Other sites' pages against a server: a server without keys takes no writes from them, no server
answers to a host name it is not reached by (DNS rebinding), and every write is logged with the
name of its key, never the key. Real servers on 127.0.0.1 over fresh stores."""

import hashlib
import logging
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from tests.fixtures_server import serve_in_thread
from tests.gradio_events import gradio_call, gradio_events

EVIL = "http://evil.example"
NEWS = "https://news.example"  # in BYLINE_CORS_ORIGINS: the widget's site
DOC = "bridge.txt"
ORIGINAL = "Port Elwyn harbour bridge reopened to traffic on Tuesday after six weeks of storm repairs.\n"
PLANTED = "Port Elwyn harbour bridge collapsed into the sea on Tuesday, the council said.\n"
FEED = "http://127.0.0.1:9/feed.xml"


@pytest.fixture(scope="module")
def open_site(seed_settings, tmp_path_factory) -> Iterator[tuple[str, object]]:
    """A server without keys, the widget's site in BYLINE_CORS_ORIGINS, over an empty store."""
    from rag.service import Byline
    from ui.server import create_app

    settings = seed_settings.model_copy(update={"store": tmp_path_factory.mktemp("cross-site"), "cors_origins": NEWS})
    with Byline(settings) as service:
        for url in serve_in_thread(create_app(service)):
            yield url, service


def upload(url: str, text: str, headers: dict, name: str = DOC) -> httpx.Response:
    files = [("files", (name, text.encode(), "text/plain"))]
    return httpx.post(f"{url}/api/articles", files=files, headers=headers, timeout=120)


def stored_text(service, doc_id: str = DOC) -> str | None:
    stored = service.article(doc_id)
    return stored.article.text.strip() + "\n" if stored else None


def test_open_server_takes_writes_only_from_its_own_pages(open_site):
    url, service = open_site
    assert upload(url, ORIGINAL, {}).status_code == 200, "curl and the CLI send no Origin"
    for page in ({"Origin": EVIL}, {"Referer": f"{EVIL}/story.html"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:1"}):
        planted = upload(url, PLANTED, page)
        assert planted.status_code == 403, page
        assert "BYLINE_CORS_ORIGINS" in planted.json()["detail"] and "BYLINE_API_KEYS" in planted.json()["detail"]
        assert upload(url, PLANTED, page, name="planted.txt").status_code == 403
    evil = {"Origin": EVIL}
    assert httpx.delete(f"{url}/api/articles/{DOC}", headers=evil).status_code == 403
    assert httpx.post(f"{url}/api/sources", json={"url": FEED}, headers=evil).status_code == 403
    assert httpx.post(f"{url}/api/sources/sync", json={}, headers=evil).status_code == 403
    assert httpx.post(f"{url}/gradio_api/upload", files=[("files", ("x.txt", b"Text.", "text/plain"))], headers=evil).status_code == 403
    fns = gradio_events(url, {})
    assert gradio_call(url, evil, fns["byline-delete"], [DOC, None])["status"] == 403
    assert gradio_call(url, evil, fns["byline-add-url"], [FEED, None])["status"] == 403
    assert stored_text(service) == ORIGINAL and service.article("planted.txt") is None
    assert httpx.get(f"{url}/api/sources").json()["sources"] == []
    # Reading is not a write: without CORS headers another site's page cannot read the answer anyway.
    assert httpx.get(f"{url}/api/articles", headers=evil).status_code == 200
    # The server's own pages, and the widget's site named in BYLINE_CORS_ORIGINS, may write.
    assert upload(url, PLANTED, {"Origin": url}, name="own.txt").status_code == 200
    assert upload(url, PLANTED, {"Origin": NEWS}, name="news.txt").status_code == 200
    assert stored_text(service, "own.txt") == PLANTED and stored_text(service, "news.txt") == PLANTED
    deleted = gradio_call(url, {"Origin": url}, fns["byline-delete"], ["own.txt", None])
    assert deleted["status"] == 200 and deleted["success"] and service.article("own.txt") is None


def test_only_host_names_the_server_is_reached_by(open_site, seed_settings):
    url, service = open_site
    port = url.rsplit(":", 1)[1]
    rebound = {"Host": f"evil.example:{port}"}
    refused = httpx.get(f"{url}/api/articles", headers=rebound)
    assert refused.status_code == 400 and "BYLINE_ALLOWED_HOSTS" in refused.json()["detail"]
    for path in ("/", "/config", "/healthz", "/widget"):
        assert httpx.get(f"{url}{path}", headers=rebound).status_code == 400, path
    assert httpx.delete(f"{url}/api/articles/{DOC}", headers=rebound).status_code == 400
    assert stored_text(service) == ORIGINAL
    for host in (f"localhost:{port}", "LOCALHOST.", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert httpx.get(f"{url}/api/articles", headers={"Host": host}).status_code == 200, host

    from rag.service import Byline
    from ui.server import create_app

    def status(app, host: str) -> int:
        return TestClient(app).get("/api/articles", headers={"Host": host}).status_code

    named = seed_settings.model_copy(update={"store": service.settings.store, "allowed_hosts": "byline.example, Archive.Example."})
    app = create_app(Byline(named), bind_host="newsroom.lan")
    assert [status(app, host) for host in ("byline.example", "archive.example:8443", "newsroom.lan:7860")] == [200, 200, 200]
    assert status(app, "evil.example") == 400
    anything = create_app(Byline(seed_settings.model_copy(update={"store": service.settings.store, "allowed_hosts": "*"})))
    assert status(anything, f"evil.example:{port}") == 200


def test_every_write_is_logged_with_its_keys_ident_not_the_key(seed_settings, tmp_path, caplog):
    from rag.service import Byline
    from ui.server import create_app

    key = "admin-log-5e1d"
    ident = hashlib.sha256(key.encode()).hexdigest()[:16]
    settings = seed_settings.model_copy(update={"store": tmp_path / "store", "api_keys": key})
    with Byline(settings) as service:
        client = TestClient(create_app(service), headers={"Authorization": f"Bearer {key}"})
        with caplog.at_level(logging.INFO, logger="ui.access"):
            files = [("files", (DOC, ORIGINAL.encode(), "text/plain"))]
            assert client.post("/api/articles", files=files).status_code == 200
            assert client.get("/api/articles").status_code == 200
            assert client.delete(f"/api/articles/{DOC}").status_code == 200
            assert client.delete(f"/api/articles/{DOC}", headers={"Authorization": "Bearer wrong-key"}).status_code == 401
    lines = [record.getMessage() for record in caplog.records if record.name == "ui.access"]
    assert lines == [
        f"POST /api/articles 200 by admin key {ident} from testclient",
        f"DELETE /api/articles/{DOC} 200 by admin key {ident} from testclient",
        f"DELETE /api/articles/{DOC} 401 by no valid key from testclient",
    ]
    assert key not in caplog.text and "wrong-key" not in caplog.text


def test_serve_beyond_this_machine_without_keys_warns(monkeypatch, tmp_path):
    import rag.service
    from ui.cli import app

    def stop(self):
        raise RuntimeError("stopped before serving")

    monkeypatch.setattr(rag.service.Byline, "warm_up", stop)
    for name in ("BYLINE_API_KEYS", "BYLINE_READER_KEYS"):
        monkeypatch.delenv(name, raising=False)

    def serve(host: str) -> str:
        result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "0", "--store", str(tmp_path / "store")])
        assert result.exit_code == 1 and "stopped before serving" in result.output
        return " ".join(result.output.split())

    warned = serve("0.0.0.0")
    assert "warning: no keys are set, and --host 0.0.0.0 serves beyond this machine" in warned
    assert "BYLINE_API_KEYS" in warned and "docs/deploy.md" in warned
    assert "warning" not in serve("127.0.0.1") and "warning" not in serve("localhost")
    monkeypatch.setenv("BYLINE_API_KEYS", "admin-key-1")
    assert "warning" not in serve("0.0.0.0")
