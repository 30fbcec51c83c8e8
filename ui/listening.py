"""`byline serve`'s socket: bound before anything slow loads, announced once it listens."""

import socket
from collections.abc import Callable

import uvicorn


def bind(host: str, port: int) -> socket.socket | str:
    """A socket bound to host:port, or why it cannot be (a sentence naming the way out)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        return f"cannot serve on {host}: {error.strerror} (set --host or BYLINE_HOST)"
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        return (
            f"cannot serve on {host}:{port}: {error.strerror.lower()}. Choose another port: "
            "`byline serve --port 8000`, `make run PORT=8000` or BYLINE_PORT=8000"
        )
    sock.set_inheritable(True)
    return sock


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, announce: Callable[[], None]):
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            self._announce()


def announcing_server(app, announce: Callable[[str], None]) -> uvicorn.Server:
    """A uvicorn server for `app` that calls `announce(url)` once it accepts connections."""
    server = _AnnouncingServer(uvicorn.Config(app, log_level="warning"), lambda: announce(_url(server)))
    return server


def _url(server: uvicorn.Server) -> str:
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve_on(app, sock: socket.socket, announce: Callable[[str], None]) -> None:
    announcing_server(app, announce).run(sockets=[sock])
