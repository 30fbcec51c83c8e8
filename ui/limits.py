"""Request bodies are bounded before they are read: one over its limit gets 413 at once, whether it
declares its length (Content-Length) or streams it; the app never holds more than the limit.
Uploads have their own limit (BYLINE_MAX_UPLOAD_MB), every other request BYLINE_MAX_REQUEST_MB."""

import json

from rag.settings import Settings

MB = 1024 * 1024
UPLOAD_PATHS = frozenset({"/api/articles", "/gradio_api/upload"})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for a body over its limit, before the app reads past the limit."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.request_limit = (int(settings.max_request_mb * MB), "BYLINE_MAX_REQUEST_MB")
        self.upload_limit = (settings.max_upload_mb * MB, "BYLINE_MAX_UPLOAD_MB")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.upload_limit if scope["path"] in UPLOAD_PATHS else self.request_limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, int(declared), limit, setting)
            return
        received, over, started = 0, False, False

        async def counted():
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def watched(message) -> None:
            nonlocal started
            if over:  # the app's own reply to a body it could not finish reading
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _refuse(send, received, limit, setting, read_all=False)


async def _refuse(send, size: int, limit: int, setting: str, read_all: bool = True) -> None:
    amount = f"{size / MB:.1f} MB" if read_all else f"over {size / MB:.1f} MB"
    detail = f"The request body is {amount}; the limit is {limit / MB:g} MB ({setting})."
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
