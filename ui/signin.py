"""The sign-in page: a person pastes a key; an HttpOnly cookie then carries a signed, expiring token
naming that key (ui/sessions.py), not the key, to the chat at `/`."""

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ui.access import SESSION_COOKIE, KeyRing
from ui.route_access import SIGN_IN_PATH

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1a1a1a; margin: 0; }
main { max-width: 380px; margin: 12vh auto; background: #fff; padding: 24px 28px; border-radius: 10px;
       box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }
h1 { font-size: 1.3em; margin: 0 0 8px; }
label { display: block; margin: 16px 0 4px; font-weight: 600; }
input { width: 100%; box-sizing: border-box; padding: 8px; font: inherit; border: 1px solid #b8bec6; border-radius: 6px; }
button { margin-top: 16px; padding: 8px 18px; font: inherit; border: 0; border-radius: 6px; background: #e07b00; color: #fff; cursor: pointer; }
.error { color: #8c1c13; background: #fdecea; padding: 8px 10px; border-radius: 6px; }
.hint { color: #666; font-size: .9em; }
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# No script at all, only this page's own style; the form posts only to this server.
PAGE_POLICY = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


def page(error: str = "") -> str:
    shown = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Byline</title><style>{STYLE}</style></head>
<body><main>
<h1>Sign in to Byline</h1>
<p class="hint">Paste a key this server was given (BYLINE_API_KEYS or BYLINE_READER_KEYS).</p>
{shown}
<form method="post" action="{SIGN_IN_PATH}">
<label for="key">Key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main></body></html>
"""


def signin_router(keys: KeyRing) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(SIGN_IN_PATH)
    def sign_in_page() -> Response:
        if keys.open:
            return RedirectResponse("/", status.HTTP_303_SEE_OTHER)
        return HTMLResponse(page(), headers=PAGE_HEADERS)

    @router.post(SIGN_IN_PATH)
    async def sign_in(request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
            return HTMLResponse(page("Sign in from this server's own page."), status.HTTP_403_FORBIDDEN, headers=PAGE_HEADERS)
        async with request.form(max_files=0, max_fields=2) as form:
            given = str(form.get("key") or "").strip()
        holder, wait = keys.identify(request.client.host if request.client else "unknown", key=given)
        if wait:
            return HTMLResponse(
                page(f"Too many wrong keys from this address: try again in {wait} s."),
                status.HTTP_429_TOO_MANY_REQUESTS,
                headers={**PAGE_HEADERS, "Retry-After": str(wait)},
            )
        if holder is None:
            return HTMLResponse(page("That is not one of this server's keys."), status.HTTP_401_UNAUTHORIZED, headers=PAGE_HEADERS)
        response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
        response.set_cookie(
            SESSION_COOKIE,
            keys.sessions.issue(holder.ident),
            max_age=int(keys.sessions.lifetime_s),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @router.get("/signout")
    def sign_out(request: Request) -> Response:
        response = RedirectResponse(SIGN_IN_PATH, status.HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
        return response

    return router
