"""`byline serve` answers /healthz and the API before the chat page is built (ui/ui_mount.py): until
Gradio is mounted, `/` answers 503 with a page that reloads itself, and every route keeps its access
check, during start-up and after. A real server on the seed store; the build is held by the test."""

import threading
import time

import httpx
import pytest

from tests.fixtures_server import serve_in_thread

ADMIN_KEY = "admin-5d1f"
READER_KEY = "reader-0e3a"
READER = {"Authorization": f"Bearer {READER_KEY}"}
QUESTION = "Which neighbourhoods did the Syrian army capture?"


@pytest.fixture
def held_build(monkeypatch):
    """mount_ui waits until the test sets the event (or raises if the test says it fails)."""
    import ui.ui_mount

    release, failing = threading.Event(), []
    real = ui.ui_mount.mount_ui

    def held(app, service):
        assert release.wait(60)
        if failing:
            raise RuntimeError("the chat page broke")
        return real(app, service)

    monkeypatch.setattr(ui.ui_mount, "mount_ui", held)
    return release, failing


def late_app(seed_service, seed_settings):
    from rag.service import Byline
    from ui.server import create_app

    settings = seed_settings.model_copy(update={"api_keys": ADMIN_KEY, "reader_keys": READER_KEY, "rate_limit": 0})
    assert seed_service.count() == 1  # the seed store is ingested
    return create_app(Byline(settings), ui_later=True)


def test_the_api_answers_and_every_route_stays_checked_while_the_chat_page_builds(seed_service, seed_settings, held_build):
    from ui.route_access import ROUTES, route_templates, unclassified_routes

    release, _ = held_build
    app = late_app(seed_service, seed_settings)
    for url in serve_in_thread(app):
        with httpx.Client(base_url=url, timeout=60, follow_redirects=False) as client:
            assert client.get("/healthz").status_code == 200
            hits = client.get("/api/search", params={"q": QUESTION, "k": 3}, headers=READER)
            assert hits.status_code == 200 and hits.json()["results"]
            assert client.get("/api/search", params={"q": QUESTION}).status_code == 401  # no key, as ever
            refused = {path: client.get(path).status_code for path in ["/", "/config", "/gradio_api/info"]}
            assert all(status in (303, 401) for status in refused.values()), refused
            assert client.get("/gradio_api/upload", headers=READER).status_code == 403  # admin only, built or not
            assert client.get("/gradio_api/vibe-edit/", headers=READER).status_code == 404  # blocked, built or not
            starting = client.get("/", headers=READER)
            assert starting.status_code == 503 and starting.headers["retry-after"] == "2"
            assert "Byline is starting" in starting.text and 'http-equiv="refresh"' in starting.text
            assert client.get("/config", headers=READER).status_code == 503

            release.set()
            late = next(route.app for route in app.routes if getattr(route, "path", None) == "")
            assert late.ready.wait(60) and not late.failed
            page = client.get("/", headers=READER)
            assert page.status_code == 200 and "gradio" in page.text.lower()
            assert client.get("/config", headers=READER).status_code == 200
            assert {path: client.get(path).status_code for path in refused} == refused  # refused as before
            assert client.get("/gradio_api/upload", headers=READER).status_code == 403
            assert client.get("/healthz").status_code == 200
            # Then the copy grouper that the first upload would otherwise make first.
            store, given_up = app.state.service.store, time.monotonic() + 30
            while store.copy_grouper is None and time.monotonic() < given_up:
                time.sleep(0.05)
            assert store.copy_grouper is not None and not store.copy_grouper.stored_since
    assert unclassified_routes(app) == []
    assert set(ROUTES) - set(route_templates(app.routes)) == set(), "Gradio's routes are seen through the late mount"


def test_a_chat_page_that_fails_to_build_leaves_the_api_serving(seed_service, seed_settings, held_build):
    release, failing = held_build
    failing.append(True)
    release.set()
    app = late_app(seed_service, seed_settings)
    for url in serve_in_thread(app):
        late = next(route.app for route in app.routes if getattr(route, "path", None) == "")
        assert late.ready.wait(60) and late.failed
        with httpx.Client(base_url=url, timeout=60) as client:
            page = client.get("/", headers=READER)
            assert page.status_code == 500 and "failed to start" in page.text and "retry-after" not in page.headers
            assert client.get("/api/search", params={"q": QUESTION}, headers=READER).status_code == 200


def test_a_server_stopped_before_it_is_quiet_builds_no_chat_page(seed_service, seed_settings, monkeypatch):
    import ui.ui_mount

    monkeypatch.setattr(ui.ui_mount, "QUIET_S", 60.0)
    app = late_app(seed_service, seed_settings)
    for url in serve_in_thread(app):
        assert httpx.get(f"{url}/healthz", timeout=60).status_code == 200
    late = next(route.app for route in app.routes if getattr(route, "path", None) == "")
    assert late.ready.wait(10) and late.gradio is None and not late.failed
