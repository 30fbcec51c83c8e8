"""Fixtures for the web tests, registered for every test module by tests/conftest.py (import only
the constants and helpers).

One service per session: seed article + two test articles, API keys on, CORS open to a host page
served from another port (where the widget is embedded); `server` puts it on a real port.
"""

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index import offline as _offline  # noqa: F401
from tests.conftest import SEED_DOC, SEEDS

API_KEY = "test-key-7f3a"
QUESTION = "Which neighbourhoods did the Syrian army capture?"
HARBOUR_DOC = "harbour.txt"
VALLEY_DOC = "valley.md"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(2)>"
# A title that breaks out of an attribute and links through Markdown; a URL that is a script.
XSS_TITLE = 'Harbour bridge reopens <img src=x onerror=alert(3)> " onmouseover="alert(5) [details](javascript:alert(6))'
XSS_URL = "javascript:alert(4)"
HARBOUR_QUESTION = "What did the council notice about the harbour bridge say?"
HARBOUR_ARTICLE = f"""---
title: {XSS_TITLE}
url: {XSS_URL}
source: Coastal Courier
date: 2024-03-05
---
PORT ELWYN — The Port Elwyn harbour bridge reopened to traffic on Tuesday after six weeks of storm repairs, the town council said.
The council notice about the harbour bridge said {XSS_SCRIPT} {XSS_IMG} in large letters.
Ferry services, which carried commuters during the closure, will return to their normal timetable next week.
"""
VALLEY_ARTICLE = """---
title: Valley orchards report a record apple harvest
source: Valley Gazette
date: 2023-06-01
---
Orchards across the Elwyn valley reported a record apple harvest this year, growers said on Thursday.
The growers' cooperative said warm spring weather and fewer late frosts doubled the yield of its members.
"""


@dataclass
class RunningServer:
    url: str
    service: object
    host_url: str  # a page on another origin, allowed by CORS


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve_in_thread(app) -> Iterator[str]:
    """Run `app` under uvicorn on a free 127.0.0.1 port until the generator is closed."""
    import uvicorn

    sock = free_socket()
    port = sock.getsockname()[1]
    # A stream still open at the end (a Gradio client's heartbeat) is cut after 1 s, not waited for.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("server-corpus")
    shutil.copy(SEEDS / SEED_DOC, folder / SEED_DOC)
    (folder / HARBOUR_DOC).write_text(HARBOUR_ARTICLE, encoding="utf-8")
    (folder / VALLEY_DOC).write_text(VALLEY_ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def host_site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A static web server on its own port: the 'any page' that embeds the widget."""
    folder = tmp_path_factory.mktemp("host-site")
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", folder
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def served_service(tmp_path_factory, corpus, host_site):
    """The service behind `server` (the API tests call it in-process)."""
    from rag.service import Byline
    from rag.settings import Settings

    host_url, _ = host_site
    settings = Settings(store=tmp_path_factory.mktemp("server-store"), api_keys=f"other-key, {API_KEY}", cors_origins=host_url, max_upload_mb=1)
    service = Byline(settings)
    report = service.ingest([corpus])
    assert report.added == 3 and not report.errors, report
    service.warm_up()
    return service


@pytest.fixture(scope="session")
def server(served_service, host_site) -> Iterator[RunningServer]:
    from ui.server import create_app

    for url in serve_in_thread(create_app(served_service)):
        yield RunningServer(url=url, service=served_service, host_url=host_site[0])


@pytest.fixture(scope="session")
def open_server(tmp_path_factory) -> Iterator[str]:
    """A server with the default settings: no API keys, no CORS origins (an empty store)."""
    from rag.service import Byline
    from rag.settings import Settings
    from ui.server import create_app

    service = Byline(Settings(store=tmp_path_factory.mktemp("open-store")))
    yield from serve_in_thread(create_app(service))
