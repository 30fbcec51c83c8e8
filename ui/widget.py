"""The embeddable chat: /widget.js for a <script> tag, /widget as a bare page for an <iframe>."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).parent / "static"


def widget_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/widget.js")
    def widget_js() -> FileResponse:
        # Any site may load the script; what it may call is decided by CORS and API keys.
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get("/widget")
    def widget_page() -> FileResponse:
        return FileResponse(STATIC / "widget.html", media_type="text/html", headers={"Cache-Control": "no-cache"})

    @router.get("/api/docs")
    def api_docs() -> FileResponse:
        return FileResponse(STATIC / "api-docs.html", media_type="text/html")

    return router
