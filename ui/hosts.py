"""The `Host` names a request may carry. A page on a name of its own that resolves to this server
(DNS rebinding) carries that name, so only the names the server is really reached by are served."""

from rag.settings import Settings

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str:
    """A `Host` header's name: no port, brackets or final dot, in lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


class AllowedHosts:
    """Loopback names, the address the server is bound to, BYLINE_ALLOWED_HOSTS (`*`: any), and the
    address a connection came in on (a literal address cannot be rebound); any port."""

    def __init__(self, settings: Settings, bind_host: str = ""):
        self.names = (LOOPBACK | {host_name(bind_host)} | set(settings.allowed_host_list())) - {""}

    def allows(self, host: str, local_address: str) -> bool:
        if not host or "*" in self.names:  # no Host: an HTTP/1.0 client, never a browser
            return True
        name = host_name(host)
        return name in self.names or name == local_address.lower()
