"""The sign-in cookie's value: a signed, expiring token naming a key by its ident, never the key.

`<ident>.<expiry, Unix seconds>.<HMAC-SHA256 of both>`. The signing secret is derived from every
configured key, so every server with the same keys accepts the same tokens (behind a load
balancer, after a restart), and adding or removing any key ends every sign-in made before.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable


class SessionTokens:
    def __init__(self, keys: list[str], lifetime_s: float, clock: Callable[[], float] = time.time):
        self._secret = hmac.new(b"byline sign-in", "\n".join(sorted(keys)).encode(), hashlib.sha256).digest()
        self.lifetime_s = lifetime_s
        self._clock = clock

    def issue(self, ident: str) -> str:
        payload = f"{ident}.{int(self._clock() + self.lifetime_s)}"
        return f"{payload}.{self._mac(payload)}"

    def ident(self, token: str) -> str | None:
        """The ident a token names, or None when it is forged, altered or expired."""
        payload, _, mac = token.rpartition(".")
        ident, _, expiry = payload.partition(".")
        if not (ident and expiry.isdigit() and hmac.compare_digest(mac.encode(), self._mac(payload).encode())):
            return None
        return ident if int(expiry) > self._clock() else None

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
