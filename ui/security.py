"""The API's bearer-key scheme as the OpenAPI schema shows it, and the upload size limit.
Keys themselves are checked in front of every route, in ui/access.py."""

from collections.abc import Callable

from fastapi import HTTPException, Request, status
from fastapi.security import HTTPBearer

from rag.settings import Settings

# Shows the key in the schema and /api/docs; auto_error=False: ui/access.py decides.
bearer = HTTPBearer(
    auto_error=False, description="A key from BYLINE_API_KEYS (admin) or BYLINE_READER_KEYS (ask and search only)."
)


def upload_limit(settings: Settings) -> Callable[[Request], None]:
    """A dependency refusing bodies over `max_upload_mb` from their Content-Length, before they are read."""
    max_bytes = settings.max_upload_mb * 1024 * 1024

    def check_size(request: Request) -> None:
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit():
            raise HTTPException(status.HTTP_411_LENGTH_REQUIRED, "Send the upload with a Content-Length header.")
        if int(declared) > max_bytes:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"Upload is {int(declared) / 1048576:.1f} MB; the limit is {settings.max_upload_mb} MB"
                " (BYLINE_MAX_UPLOAD_MB). Upload fewer or smaller files at a time.",
            )

    return check_size
