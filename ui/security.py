"""The API's bearer-key scheme as the OpenAPI schema shows it, and the upload size limit.
Keys themselves are checked in front of every route, in ui/access.py."""

from fastapi import HTTPException, Request, status
from fastapi.security import HTTPBearer

from ui.dependencies import SettingsDep

# Shows the key in the schema and /api/docs; auto_error=False: ui/access.py decides.
bearer = HTTPBearer(
    auto_error=False, description="A key from BYLINE_API_KEYS (admin) or BYLINE_READER_KEYS (ask and search only)."
)


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
