"""The chat UI (Gradio) at `/` of the app: mounted at once, or built in a thread once the server has
started (`byline serve`), so that /healthz and the REST API answer while Gradio imports and builds
its page (seconds). The build waits for the server's first requests to be answered (Gradio's import
holds the GIL, and would slow them), unless the page is asked for. Until it is mounted, `/` and Gradio's other paths answer 503 with a page that
reloads itself. Either way the access check (ui/access.py) stands in front of it: it goes by the
request's path, not by the routes mounted."""

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from rag.service import Byline

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2
# The build starts once the server has been this long without a request in flight, at the first
# request for the page, or at the latest this long after the server started.
QUIET_S = 1.0
LATEST_S = 10.0
STARTING_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    f'<meta http-equiv="refresh" content="{RETRY_AFTER_S}"><title>Byline is starting</title></head>'
    "<body><p>Byline is starting: the chat opens here in a few seconds.</p></body></html>"
).encode()
FAILED_PAGE = b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Byline</title></head><body><p>The chat page failed to start: see the server\'s log. The API still answers.</p></body></html>'


def mount_ui(app: FastAPI, service: Byline) -> FastAPI:
    """Gradio's app for `service`, mounted at `/` of `app` (last: its catch-all would shadow routes added after it)."""
    import gradio as gr

    from ui.gradio_app import build_app

    demo = build_app(service)
    return gr.mount_gradio_app(app, demo, path="/", css=demo.byline_css, footer_links=["api"], max_file_size=f"{service.settings.max_upload_mb}mb")


def mount_ui_later(app: FastAPI, service: Byline, on_mounted: Callable[[], None] = lambda: None) -> "LateUI":
    """A placeholder at `/` of `app`, replaced by Gradio's app once a thread has built it; the
    thread starts with the server (its lifespan), and Gradio's start-up events run on the server's
    loop. `on_mounted` is called once Gradio's routes are served."""
    late = LateUI(app, service, on_mounted)
    app.mount("/", late)
    app.add_middleware(RequestsInFlight, late=late)  # outermost: it only counts
    outer = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(lifespan_app):
        async with outer(lifespan_app) as state:
            late.start(asyncio.get_running_loop())
            try:
                yield state
            finally:
                await late.stop()

    app.router.lifespan_context = lifespan
    return late


class LateUI:
    """The ASGI app at `/`: 503 and a page that reloads itself until Gradio's app is mounted in it."""

    def __init__(self, app: FastAPI, service: Byline, on_mounted: Callable[[], None]):
        self.parent = app
        self.service = service
        self.on_mounted = on_mounted
        self.gradio = None  # Gradio's app, once built and started
        self.failed = False
        self.ready = threading.Event()
        self.wanted = threading.Event()  # the page was asked for (or the server stops)
        self.stopping = False
        self.in_flight = 0  # requests being answered (RequestsInFlight counts them on the server's loop)
        self.last_request = time.monotonic()
        self._stack = contextlib.AsyncExitStack()

    @property
    def routes(self) -> list:
        """Gradio's routes once it is mounted (ui/route_access.py lists them through the mount)."""
        return self.gradio.routes if self.gradio is not None else []

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.last_request = time.monotonic()
        threading.Thread(target=self._build, args=(loop,), name="build the chat UI", daemon=True).start()

    def _quiet(self) -> None:
        """Returns once the server is quiet, the page is wanted, or LATEST_S after the start."""
        latest = time.monotonic() + LATEST_S
        while not self.wanted.wait(0.05) and time.monotonic() < latest:
            if self.in_flight == 0 and time.monotonic() - self.last_request >= QUIET_S:
                return

    def _build(self, loop: asyncio.AbstractEventLoop) -> None:
        self._quiet()
        if self.stopping:  # a server stopped within its first seconds builds nothing
            self.ready.set()
            return
        try:
            lifespan, routes = self.parent.router.lifespan_context, list(self.parent.router.routes)
            mount_ui(self.parent, self.service)  # Gradio's CORS defers to the parent app's: it must know the parent
            gradio = self.parent.router.routes[-1].app
            # Its mount is served here, not by the parent's router, and its start-up runs below, not in the lifespan.
            self.parent.router.routes[:] = routes
            self.parent.router.lifespan_context = lifespan
            asyncio.run_coroutine_threadsafe(self._started(gradio), loop).result()
            self.on_mounted()
        except Exception:  # noqa: BLE001  the API goes on serving; the page says the chat failed
            log.exception("the chat UI failed to start")
            self.failed = True
        finally:
            self.ready.set()
        if self.stopping:
            return
        try:  # then, still off the requests' path, what the first upload would wait for
            self.service.ready_for_uploads()
        except Exception:  # noqa: BLE001  another process writing (StoreBusy), or a store being closed: the upload makes it
            log.warning("the copy grouper was not made ahead of the first upload", exc_info=True)

    async def _started(self, gradio) -> None:
        """What Gradio's mount runs in the server's lifespan: its app's lifespan, then its start-up events."""
        await self._stack.enter_async_context(gradio.router.lifespan_context(gradio))
        blocks = gradio.get_blocks()
        blocks.run_startup_events()
        await blocks.run_extra_startup_events()
        self.gradio = gradio

    async def stop(self) -> None:
        self.stopping = True
        self.wanted.set()
        await self._stack.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gradio is not None:
            return await self.gradio(scope, receive, send)
        self.wanted.set()
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})  # try again later
        else:
            page = FAILED_PAGE if self.failed else STARTING_PAGE
            headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(page)).encode())]
            if not self.failed:
                headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
            await send({"type": "http.response.start", "status": 500 if self.failed else 503, "headers": headers})
            await send({"type": "http.response.body", "body": page})


class RequestsInFlight:
    """Counts the requests being answered, and when the last one ended, for LateUI's wait."""

    def __init__(self, app, late: LateUI):
        self.app = app
        self.late = late

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        self.late.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.late.in_flight -= 1
            self.late.last_request = time.monotonic()
