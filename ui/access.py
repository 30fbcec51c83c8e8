"""Who may call what: one access check in front of the whole app (REST API, widget, Gradio).

Admin keys (BYLINE_API_KEYS) may do everything; reader keys (BYLINE_READER_KEYS) may ask and
search only, from the origins they are bound to, within the rate limits. A key comes as
`Authorization: Bearer <key>`, or a sign-in token (ui/sessions.py) in the cookie the sign-in page
sets; wrong ones are counted per address. With no keys configured everything is open, but only to
the server's own pages and BYLINE_CORS_ORIGINS for writes. Every request must name a host the
server is reached by (ui/hosts.py). Every write is logged. ui/route_access.py says which routes
need which key.
"""

import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.settings import Settings
from ui.access_log import client_address, logged
from ui.hosts import AllowedHosts
from ui.ratelimit import SlidingWindow, admit, retry_after
from ui.route_access import SIGN_IN_PATH, Access, access_for
from ui.sessions import SessionTokens

SESSION_COOKIE = "byline_session"
# Set by the access check for the Gradio handlers (any copy a client sends is dropped).
ROLE_HEADER = "x-byline-role"
KEY_NAME_HEADER = "x-byline-key-name"  # the caller's key by its name (`_who`), for the question log
ADMIN, READER = "admin", "reader"
KEY_CHARACTERS = re.compile(r"[A-Za-z0-9._~+/=-]+")
ORIGIN = re.compile(r"https?://[^/\s?#]+")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SET_HERE = frozenset({ROLE_HEADER.encode(), KEY_NAME_HEADER.encode()})


def request_key_name(headers: Mapping[str, str]) -> str:
    """The caller's key by its name, as the access check gave it (never the key itself)."""
    return headers.get(KEY_NAME_HEADER) or "no key"


def request_role(headers: Mapping[str, str], settings: Settings) -> str:
    """The role the access check gave a request. Without the check in front (Gradio launched on
    its own) only a server with no keys at all counts every caller as admin."""
    if role := headers.get(ROLE_HEADER):
        return role
    return READER if settings.keys_configured() else ADMIN


@dataclass(frozen=True)
class Holder:
    """What a key may do."""

    role: str
    origins: tuple[str, ...]  # a reader key's pages; empty: not bound
    ident: str  # names the key in rate-limit buckets, sign-in tokens and the log without keeping it


OPEN = Holder(ADMIN, (), "")  # every caller of a server without keys


class KeyRing:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic):
        admin = [(key, ()) for key in _checked(settings.api_key_list(), "BYLINE_API_KEYS")]
        readers = settings.reader_key_list()
        _checked([key for key, _ in readers], "BYLINE_READER_KEYS")
        for _, origins in readers:
            for origin in origins:
                if not ORIGIN.fullmatch(origin):
                    raise ValueError(f"BYLINE_READER_KEYS: {origin!r} is not an origin; write it as https://news.example")
        if {key for key, _ in admin} & {key for key, _ in readers}:
            raise ValueError("a key is in both BYLINE_API_KEYS and BYLINE_READER_KEYS; give it one role")
        self._keys = [
            (key.encode(), Holder(role, tuple(origins), hashlib.sha256(key.encode()).hexdigest()[:16]))
            for role, pairs in ((ADMIN, admin), (READER, readers))
            for key, origins in pairs
        ]
        self.reader_origins = sorted({origin for _, origins in readers for origin in origins})
        self._by_ident = {holder.ident: holder for _, holder in self._keys}
        self.sessions = SessionTokens([key.decode() for key, _ in self._keys], settings.session_hours * 3600)
        self._failures = SlidingWindow(settings.rate_limit_per_address, clock)

    @property
    def open(self) -> bool:
        return not self._keys

    def holder(self, given: str) -> Holder | None:
        given_bytes = given.encode()
        # Compare with every key, in constant time, so timing tells nothing about the keys.
        matches = [holder for key, holder in self._keys if secrets.compare_digest(given_bytes, key)]
        return matches[0] if matches else None

    def identify(self, address: str, key: str | None = None, token: str | None = None) -> tuple[Holder | None, int]:
        """(whom a key or sign-in token belongs to, 0); (None, seconds to wait) without looking
        while `address` has used up its wrong tries (BYLINE_RATE_LIMIT_PER_ADDRESS a minute), so
        that a right key is not told from a wrong one then."""
        if wait := retry_after(self._failures.wait_s(address)):
            return None, wait
        holder = self.holder(key) if key else self._by_ident.get(self.sessions.ident(token or "") or "")
        if holder is None:
            self._failures.record(address)
        return holder, 0


def _checked(keys: list[str], setting: str) -> list[str]:
    for n, key in enumerate(keys, 1):
        if not KEY_CHARACTERS.fullmatch(key):
            raise ValueError(f"{setting}: key {n} holds a character a header or cookie cannot carry; use only letters, digits and - . _ ~ + / =")
    return keys


class AccessMiddleware:
    """Refuses a request its key does not allow, before any route sees it; tells the Gradio
    handlers the caller's role in ROLE_HEADER."""

    def __init__(self, app: ASGIApp, keys: KeyRing, settings: Settings, bind_host: str = "", clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.keys = keys
        self.hosts = AllowedHosts(settings, bind_host)
        self.writers = frozenset(settings.cors_origin_list())  # pages that may write to an open server
        self.per_key = SlidingWindow(settings.rate_limit, clock)
        self.per_address = SlidingWindow(settings.rate_limit_per_address, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        refusal, holder = self._check(scope, headers)
        respond = refusal
        if respond is None:
            kept = [(name, value) for name, value in scope["headers"] if name.lower() not in _SET_HERE]
            given = [(ROLE_HEADER.encode(), holder.role.encode()), (KEY_NAME_HEADER.encode(), _who(holder).encode())] if holder else []
            scope = {**scope, "headers": kept + given}
            respond = self.app
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            respond = logged(respond, _who(holder))
        await respond(scope, receive, send)

    def _check(self, scope: Scope, headers: dict[str, str]) -> tuple[ASGIApp | None, Holder | None]:
        """(a refusal, or None to let the request through; whose key it carries)."""
        host = headers.get("host", "")
        if not self.hosts.allows(host, str((scope.get("server") or ("",))[0])):
            return _refusal(
                400,
                f"This server does not answer to the host {host[:100]!r}: only to localhost, 127.0.0.1, [::1], the "
                "address it is bound to and the names in BYLINE_ALLOWED_HOSTS (so that no other site's page can "
                "reach it through a name of its own). If it is reached by this name, add the name to BYLINE_ALLOWED_HOSTS.",
            ), None
        access = access_for(scope["path"])
        if access is Access.BLOCKED:
            return _refusal(404, "Not found."), None
        if self.keys.open and (page := self._foreign_writer(scope, headers)):
            return _refusal(
                403,
                f"This server has no keys, so it takes writes only from its own pages: not from {page[:100]}. "
                "Add that origin to BYLINE_CORS_ORIGINS, or set keys (BYLINE_API_KEYS) and send one.",
            ), OPEN
        if access is Access.PUBLIC:
            return None, None
        if self.keys.open:
            return None, OPEN
        address = client_address(scope)
        key = _bearer(headers.get("authorization", ""))
        token = None if key else cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        holder, wait = self.keys.identify(address, key=key, token=token) if key or token else (None, 0)
        if wait:
            return _refusal(
                429,
                f"Too many wrong keys or sign-ins from this address: try again in {wait} s (BYLINE_RATE_LIMIT_PER_ADDRESS a minute).",
                {"Retry-After": str(wait)},
            ), None
        if holder is None:
            return _unknown(scope, key, token), None
        if refusal := _origin_refusal(holder, headers, from_cookie=key is None):
            return refusal, holder
        if access is Access.ADMIN and holder.role != ADMIN:
            return _refusal(
                403,
                "This is a reader key: it may ask, search and send feedback only. Listing, reading, uploading and "
                "deleting articles, and the editors' report, need a key from BYLINE_API_KEYS.",
            ), holder
        if access is Access.ASK and holder.role == READER:
            if wait := admit([(self.per_key, holder.ident), (self.per_address, address)]):
                return _refusal(
                    429,
                    f"Too many requests: try again in {wait} s (limits per minute: BYLINE_RATE_LIMIT per key, BYLINE_RATE_LIMIT_PER_ADDRESS per address).",
                    {"Retry-After": str(wait)},
                ), holder
        return None, holder

    def _foreign_writer(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """The other site's page a write comes from (its Origin, else its Referer's): None for a
        read, a program that names no page, the server's own pages and BYLINE_CORS_ORIGINS."""
        if scope["type"] == "http" and scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin") or _origin_of(headers.get("referer", ""))
        if not origin or origin.rstrip("/") in self.writers or _same_host(origin, headers.get("host", "")):
            return None
        return origin


def _who(holder: Holder | None) -> str:
    """A request's caller as the write log names it: never the key."""
    if holder is None:
        return "no valid key"
    return "no key (open server)" if holder is OPEN else f"{holder.role} key {holder.ident}"


def _unknown(scope: Scope, key: str | None, token: str | None) -> ASGIApp:
    """No key, or one that is not configured: a browser opening the chat goes to the sign-in page."""
    if scope["path"] == "/" and scope.get("method") in ("GET", "HEAD"):
        return _redirect(SIGN_IN_PATH)
    if key:
        return _refusal(401, "Unknown key.", {"WWW-Authenticate": "Bearer"})
    if token:
        return _refusal(401, "This sign-in has expired or is not valid: sign in again at /signin.", {"WWW-Authenticate": "Bearer"})
    return _refusal(
        401,
        "This server needs a key: send the header 'Authorization: Bearer <key>', or sign in at /signin.",
        {"WWW-Authenticate": "Bearer"},
    )


def _origin_refusal(holder: Holder, headers: dict[str, str], from_cookie: bool) -> ASGIApp | None:
    """A signed-in browser calls from the server's own pages only; a reader key bound to origins,
    from those or the server's own."""
    origin = headers.get("origin") or _origin_of(headers.get("referer", ""))
    if _same_host(origin, headers.get("host", "")):
        return None
    if from_cookie:
        # The cookie is SameSite=Strict already; this also refuses other ports of the same host.
        return _refusal(403, "A signed-in browser may call this server only from its own pages.") if origin else None
    if not holder.origins or origin in holder.origins:
        return None
    if not origin:
        return _refusal(403, "This reader key works only from its origins' pages (BYLINE_READER_KEYS); the request named no Origin or Referer.")
    return _refusal(403, f"This reader key may not be used from {origin}: add {origin} to this key's origins in BYLINE_READER_KEYS.")


def _bearer(authorization: str) -> str | None:
    scheme, _, credentials = authorization.partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _same_host(origin: str, host: str) -> bool:
    """Whether `origin` is this server as the browser reached it (scheme aside: a TLS proxy may end it)."""
    return bool(origin and host) and urlsplit(origin).netloc.lower() == host.lower()


def _refusal(status: int, detail: str, headers: dict[str, str] | None = None) -> ASGIApp:
    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"detail": detail}, ensure_ascii=False, separators=(",", ":")).encode()
        extra = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return respond


def _redirect(location: str) -> ASGIApp:
    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 303, "headers": [(b"location", location.encode()), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    return respond


def add_access(app: FastAPI, settings: Settings, bind_host: str = "", clock: Callable[[], float] = time.monotonic) -> KeyRing:
    """Put the access check in front of `app`, and CORS in front of it so that refusals carry
    CORS headers too: the pages of BYLINE_CORS_ORIGINS and of the reader keys' origins may call.
    `bind_host`: the address `byline serve` listens on, a name the server is reached by; `clock`:
    the seconds the rate limits count in (tests pass their own)."""
    keys = KeyRing(settings, clock)
    app.add_middleware(AccessMiddleware, keys=keys, settings=settings, bind_host=bind_host, clock=clock)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted({*settings.cors_origin_list(), *keys.reader_origins}),
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    return keys
