"""The access check's record of writes: one `logging` line per request that may change something
(method, path, status, whose key by its ident, client address), on the `ui.access` logger."""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("ui.access")


def client_address(scope: Scope) -> str:
    return (scope.get("client") or ("unknown",))[0]


def logged(app: ASGIApp, who: str) -> ASGIApp:
    """`app`, logging its request once answered."""

    async def respond(scope: Scope, receive: Receive, send: Send) -> None:
        status = "-"

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")  # percent-encoded: one line
            log.info("%s %s %s by %s from %s", scope["method"], path, status, who, client_address(scope))

    return respond
