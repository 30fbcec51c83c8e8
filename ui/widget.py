"""The embeddable chat: /widget.js for a <script> tag, /widget as a bare page for an <iframe>."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from rag.settings import Settings

STATIC = Path(__file__).parent / "static"
# The bare chat page runs only Byline's own script and talks only to Byline.
WIDGET_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors "
)


def frame_ancestors(settings: Settings) -> str:
    """Who may frame /widget: with origins configured (BYLINE_CORS_ORIGINS, reader keys' origins),
    only those sites and the server itself, so a key bound to a site is not usable in a frame
    elsewhere; with none, any site."""
    origins = sorted({*settings.cors_origin_list(), *(o for _, bound in settings.reader_key_list() for o in bound)})
    return " ".join(["'self'", *origins]) if origins else "*"


def widget_router(settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page_policy = WIDGET_PAGE_POLICY + frame_ancestors(settings)

    @router.get("/widget.js")
    def widget_js() -> FileResponse:
        # Any site may load the script; what it may call is decided by CORS and API keys.
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    @router.get("/widget")
    def widget_page() -> FileResponse:
        return FileResponse(
            STATIC / "widget.html",
            media_type="text/html",
            headers={"Cache-Control": "no-cache", "Content-Security-Policy": page_policy},
        )

    @router.get("/api/docs")
    def api_docs() -> FileResponse:
        return FileResponse(STATIC / "api-docs.html", media_type="text/html")

    return router
