"""Which routes need which key: every route the app serves, Byline's own and Gradio's, is named
here with the access it needs; a test fails on a route that is not."""

import enum

from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, compile_path

SIGN_IN_PATH = "/signin"


class Access(enum.Enum):
    PUBLIC = "no key"  # assets and pages that hold no data
    READ = "any key"  # a reader key reads what the chat needs
    ASK = "any key, counted"  # a question or search: reader keys are rate-limited
    ADMIN = "admin key"
    BLOCKED = "nobody"  # Gradio features Byline does not use: 404


ROUTES: dict[str, Access] = {
    # Byline's own routes.
    "/healthz": Access.PUBLIC,
    "/api/openapi.json": Access.PUBLIC,
    "/api/docs": Access.PUBLIC,
    "/widget.js": Access.PUBLIC,
    "/widget": Access.PUBLIC,
    SIGN_IN_PATH: Access.PUBLIC,
    "/signout": Access.PUBLIC,
    "/api/ask": Access.ASK,
    "/api/ask/stream": Access.ASK,
    "/api/search": Access.ASK,
    "/api/feedback": Access.ASK,
    "/api/report": Access.ADMIN,
    "/api/articles": Access.ADMIN,
    "/api/articles/{doc_id:path}": Access.ADMIN,
    "/api/articles/{doc_id:path}/withdraw": Access.ADMIN,
    "/api/withdrawn": Access.ADMIN,
    "/api/sources": Access.ADMIN,
    "/api/sources/sync": Access.ADMIN,
    "/api/sources/{url:path}": Access.ADMIN,
    # Gradio: the page's code, styles and icons hold no data.
    "/assets/{path:path}": Access.PUBLIC,
    "/static/{path:path}": Access.PUBLIC,
    "/svelte/{path:path}": Access.PUBLIC,
    "/favicon.ico": Access.PUBLIC,
    "/theme.css": Access.PUBLIC,
    "/gradio_api/theme.css": Access.PUBLIC,
    "/robots.txt": Access.PUBLIC,
    "/manifest.json": Access.PUBLIC,
    "/pwa_icon": Access.PUBLIC,
    "/pwa_icon/{size}": Access.PUBLIC,
    # Gradio: the page, its description and its calls (each handler checks the role itself).
    "/": Access.READ,
    "/config": Access.READ,
    "/config/": Access.READ,
    "/gradio_api/info": Access.READ,
    "/gradio_api/info/": Access.READ,
    "/gradio_api/openapi.json": Access.READ,
    "/gradio_api/app_id": Access.READ,
    "/gradio_api/app_id/": Access.READ,
    "/gradio_api/user": Access.READ,
    "/gradio_api/user/": Access.READ,
    "/gradio_api/login_check": Access.READ,
    "/gradio_api/login_check/": Access.READ,
    "/gradio_api/deep_link": Access.READ,
    "/gradio_api/startup-events": Access.READ,
    "/gradio_api/heartbeat/{session_hash}": Access.READ,
    "/gradio_api/queue/join": Access.ASK,
    "/gradio_api/queue/data": Access.READ,
    "/gradio_api/queue/status": Access.READ,
    "/gradio_api/cancel": Access.READ,
    "/gradio_api/reset": Access.READ,
    "/gradio_api/reset/": Access.READ,
    "/gradio_api/api/{api_name}": Access.ASK,
    "/gradio_api/api/{api_name}/": Access.ASK,
    "/gradio_api/run/{api_name}": Access.ASK,
    "/gradio_api/run/{api_name}/": Access.ASK,
    "/gradio_api/call/{api_name}": Access.ASK,
    "/gradio_api/call/{api_name}/": Access.ASK,
    "/gradio_api/call/v2/{api_name}": Access.ASK,
    "/gradio_api/call/v2/{api_name}/": Access.ASK,
    "/gradio_api/call/{api_name}/{event_id}": Access.READ,
    "/gradio_api/call/v2/{api_name}/{event_id}": Access.READ,
    # Gradio: uploaded files and the upload itself belong to the Articles tab.
    "/gradio_api/upload": Access.ADMIN,
    "/gradio_api/upload_progress": Access.ADMIN,
    "/gradio_api/file={path_or_url:path}": Access.ADMIN,
    "/gradio_api/file/{path:path}": Access.ADMIN,
    "/gradio_api/component_server": Access.ADMIN,
    "/gradio_api/component_server/": Access.ADMIN,
    # Gradio features Byline does not use: its own login, Hugging Face proxying and run
    # history, media streams, recording, monitoring, dev reload, custom components, vibe editing.
    "/openapi.json": Access.BLOCKED,
    "/login": Access.BLOCKED,
    "/login/": Access.BLOCKED,
    "/logout": Access.BLOCKED,
    "/gradio_api/token": Access.BLOCKED,
    "/gradio_api/token/": Access.BLOCKED,
    "/gradio_api/proxy={url_path:path}": Access.BLOCKED,
    "/gradio_api/runs": Access.BLOCKED,
    "/gradio_api/runs/": Access.BLOCKED,
    "/gradio_api/run-history/connect": Access.BLOCKED,
    "/gradio_api/run-history/buckets": Access.BLOCKED,
    "/gradio_api/run-history/records": Access.BLOCKED,
    "/gradio_api/run-history/records/{endpoint}/{record_id}/assets/{asset_id}": Access.BLOCKED,
    "/gradio_api/stream/{event_id}": Access.BLOCKED,
    "/gradio_api/stream/{event_id}/close": Access.BLOCKED,
    "/gradio_api/stream/{session_hash}/{run}/{component_id}/playlist.m3u8": Access.BLOCKED,
    "/gradio_api/stream/{session_hash}/{run}/{component_id}/{segment_id}.{ext}": Access.BLOCKED,
    "/gradio_api/stream/{session_hash}/{run}/{component_id}/playlist-file": Access.BLOCKED,
    "/gradio_api/process_recording": Access.BLOCKED,
    "/monitoring": Access.BLOCKED,
    "/monitoring/summary": Access.BLOCKED,
    "/monitoring/{key}": Access.BLOCKED,
    "/gradio_api/dev/reload": Access.BLOCKED,
    "/gradio_api/custom_component/{id}/{environment}/{type}/{file_name}": Access.BLOCKED,
    "/gradio_api/vibe-edit": Access.BLOCKED,
    "/gradio_api/vibe-edit/": Access.BLOCKED,
    "/gradio_api/undo-vibe-edit": Access.BLOCKED,
    "/gradio_api/undo-vibe-edit/": Access.BLOCKED,
    "/gradio_api/vibe-code": Access.BLOCKED,
    "/gradio_api/vibe-code/": Access.BLOCKED,
    "/gradio_api/vibe-starter-queries": Access.BLOCKED,
    "/gradio_api/vibe-starter-queries/": Access.BLOCKED,
}
_COMPILED = [(compile_path(template)[0], access) for template, access in ROUTES.items()]


def access_for(path: str) -> Access:
    """The access a request path needs: its route's, or an admin key for a route not in ROUTES."""
    return next((access for pattern, access in _COMPILED if pattern.match(path)), Access.ADMIN)


def route_templates(routes: list[BaseRoute], prefix: str = "") -> list[str]:
    """Every path template an app serves, through mounts and included routers."""
    templates = []
    for route in routes:
        if isinstance(route, Mount):
            templates += route_templates(getattr(route.app, "routes", []), prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI's included router (Gradio's /gradio_api)
            templates += route_templates(route.original_router.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            templates.append(prefix + route.path)
    return templates


def unclassified_routes(app: FastAPI) -> list[str]:
    return sorted({template for template in route_templates(app.routes) if template not in ROUTES})
