"""One ASGI app: the REST API, the widget, the API docs and the sign-in page beside the Gradio UI
mounted at `/`, all behind one access check (ui/access.py)."""

import logging
import time
from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from rag.service import Byline
from rag.feeds import stale_feeds
from ui.access import add_access
from ui.api import router as api_router
from ui.desk_api import router as desk_router
from ui.dependencies import ServiceDep
from ui.errors import ANY_ROUTE, answer_other_methods
from ui.limits import BodyLimit
from ui.route_access import unclassified_routes
from ui.security import schema_keys
from ui.signin import signin_router
from ui.ui_mount import mount_ui, mount_ui_later
from ui.feeds_api import router as sources_router
from ui.widget import widget_router

log = logging.getLogger(__name__)
health_router = APIRouter(tags=["health"], responses=ANY_ROUTE)


@health_router.get("/healthz")
def healthz(service: ServiceDep) -> dict:
    """Served once the models are loaded; `ready` is false while the answerer's model server is down (answers are then extractive)."""
    # Feeds and sitemaps whose listing went unread for BYLINE_STALE_AFTER_HOURS: still 200, for monitoring to alert on.
    stale = [{"url": s.url, "last_success": s.last_success, "last_error": s.last_error} for s in stale_feeds(service)]
    return {"status": "ok", "articles": service.count(), **service.answerer_status(), "stale": stale}


def create_app(service: Byline, bind_host: str = "", clock: Callable[[], float] = time.monotonic, ui_later: bool = False) -> FastAPI:
    """`bind_host`: the address `byline serve` listens on, one of the names requests may carry;
    `clock`: the seconds the rate limits count in (ui/ratelimit.py; tests pass their own); `ui_later`:
    the chat UI is built in a thread once the server starts, while the API already answers (ui/ui_mount.py)."""
    # Swagger UI loads from a CDN, which fails offline: /api/docs is a local page over the schema.
    app = FastAPI(title="Byline", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.service = service  # what the routes' ServiceDep gives them (ui/dependencies.py)
    # Added first, so inside the access check and CORS: their refusals come first, and a 413 carries CORS headers.
    app.add_middleware(BodyLimit, settings=service.settings)
    keys = add_access(app, service.settings, bind_host, clock)
    app.include_router(health_router)
    app.include_router(api_router)
    app.include_router(sources_router)
    app.include_router(desk_router)
    app.include_router(widget_router(service.settings))
    app.include_router(signin_router(keys))
    answer_other_methods(app)
    schema_keys(app, service.settings)
    # Gradio last: its catch-all `/` mount would shadow routes added after it.
    if ui_later:
        mount_ui_later(app, service, on_mounted=lambda: _warn_unclassified(app))
    else:
        _warn_unclassified(mount_ui(app, service))
    return app


def _warn_unclassified(app: FastAPI) -> None:
    if unclassified := unclassified_routes(app):
        log.warning("routes missing from ui/access.py ROUTES, so open to admin keys only: %s", ", ".join(unclassified))
