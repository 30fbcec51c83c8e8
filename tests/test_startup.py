"""Start-up as a user sees it: `byline serve` fails fast on a busy port and shows its URL once it
listens; a one-off `byline ask` says what it is doing while the model loads."""

import io

import socket
import threading

import httpx
from typer.testing import CliRunner

from ui.cli import app
from ui.listening import announcing_server, bind


def test_busy_port_fails_before_the_store_and_models_load(monkeypatch, tmp_path):
    import rag.service

    def never(*args, **kwargs):
        raise AssertionError("the service was built although the port is busy")

    monkeypatch.setattr(rag.service, "Byline", never)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port}" in result.output and "already in use" in result.output
    assert "--port 8000" in result.output and "make run PORT=8000" in result.output
    assert "Byline on" not in result.output


def test_unknown_host_is_named():
    assert "no-such-host.invalid" in bind("no-such-host.invalid", 7860)


async def hello(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def test_the_url_is_announced_once_the_socket_accepts_connections():
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    with socket.socket() as early:  # bound, not yet listening: nobody may be told to connect
        assert early.connect_ex(("127.0.0.1", port)) != 0
    announced: list[tuple[str, int]] = []

    def announce(url: str) -> None:
        with socket.socket() as probe:
            announced.append((url, probe.connect_ex(("127.0.0.1", port))))

    server = announcing_server(hello, announce)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(400):  # `started` is set inside uvicorn's startup, just before the announcement
            if announced:
                break
            threading.Event().wait(0.05)
        assert announced == [(f"http://127.0.0.1:{port}", 0)]
        assert httpx.get(announced[0][0], timeout=10).text == "hello"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_command_says_what_it_is_doing_on_a_terminal(monkeypatch):
    from ui.cli import _working

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with _working("Loading the store and the embedding model…") as status:
        threading.Event().wait(0.3)
        status.update("Searching the articles and checking the answer…")
        threading.Event().wait(0.3)
    shown = terminal.getvalue()
    assert "Loading the store and the embedding model…" in shown
    assert "Searching the articles and checking the answer…" in shown


def test_nothing_is_shown_when_stderr_is_not_a_terminal(monkeypatch):
    from ui.cli import _working

    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    with _working("Loading…") as status:
        status.update("Searching…")
    assert piped.getvalue() == ""


def test_answering_imports_no_copy_grouping():
    """`byline ask` and `serve` import the service, not datasketch: it loads when ingest groups copies."""
    import subprocess
    import sys

    code = "import sys, rag.service; print('datasketch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
