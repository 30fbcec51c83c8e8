"""The embeddable chat: /widget.js for a <script> tag, /widget as a bare page for an <iframe>."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).parent / "static"
# The bare chat page runs only Byline's own script and talks only to Byline; any site may frame it.
WIDGET_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
)


def widget_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/widget.js")
    def widget_js() -> FileResponse:
        # Any site may load the script; what it may call is decided by CORS and API keys.
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get("/widget")
    def widget_page() -> FileResponse:
        return FileResponse(
            STATIC / "widget.html",
            media_type="text/html",
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": WIDGET_PAGE_POLICY},
        )

    @router.get("/api/docs")
    def api_docs() -> FileResponse:
        return FileResponse(STATIC / "api-docs.html", media_type="text/html")

    return router
