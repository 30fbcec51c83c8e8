"""The API's bearer-key scheme as the OpenAPI schema shows it, and the upload size limit.
Keys themselves are checked in front of every route, in ui/access.py."""

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.security import HTTPBearer

from rag.settings import Settings
from ui.dependencies import SettingsDep

# Shows the key in the schema and /api/docs; auto_error=False: ui/access.py decides.
bearer = HTTPBearer(auto_error=False, description="A key from BYLINE_API_KEYS (admin) or BYLINE_READER_KEYS (ask, search and feedback only).")


def schema_keys(app: FastAPI, settings: Settings) -> None:
    """The schema names the bearer scheme (and 401) only on a server that has keys: an open one asks
    for none, and a client generated from its schema should not send one."""
    if settings.keys_configured():
        return
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()  # FastAPI builds it once and keeps it; dropping twice changes nothing
        schema.get("components", {}).pop("securitySchemes", None)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation.pop("security", None)
                operation.get("responses", {}).pop("401", None)
        return schema

    app.openapi = openapi


async def upload_limit(request: Request, settings: SettingsDep) -> None:
    """A dependency refusing bodies over `max_upload_mb` from their Content-Length, before they are read."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise HTTPException(status.HTTP_411_LENGTH_REQUIRED, "Send the upload with a Content-Length header.")
    if int(declared) > settings.max_upload_mb * 1024 * 1024:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"Upload is {int(declared) / 1048576:.1f} MB; the limit is {settings.max_upload_mb} MB"
            " (BYLINE_MAX_UPLOAD_MB). Upload fewer or smaller files at a time.",
        )
