"""Who may call the API: optional bearer API keys, CORS origins and an upload size limit."""

import secrets
from collections.abc import Callable

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="A key from BYLINE_API_KEYS (only when that setting is set).")


def api_key_guard(settings: Settings) -> Callable[..., None]:
    """A dependency that, when API keys are configured, refuses calls without a valid one."""
    keys = [key.encode() for key in settings.api_key_list()]

    def require_api_key(credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
        if not keys:
            return
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "This server needs an API key: send the header 'Authorization: Bearer <key>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        given = credentials.credentials.encode()
        # Compare with every key, in constant time, so timing tells nothing about the keys.
        if not any([secrets.compare_digest(given, key) for key in keys]):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "Unknown API key.", headers={"WWW-Authenticate": "Bearer"}
            )

    return require_api_key


def add_cors(app: FastAPI, settings: Settings) -> None:
    """Let the web pages of BYLINE_CORS_ORIGINS call the API; with none, only same-origin pages can."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list(),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
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
