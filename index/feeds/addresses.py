"""Which addresses the fetcher may reach. A feed or a sitemap is untrusted: its links, and the
redirects they lead to, could point at the machine Byline runs on, its network or a cloud's
metadata service (SSRF). Only public addresses are reached, unless BYLINE_FETCH_ALLOW_PRIVATE lists
the host name or the network. A name is resolved here, each of its addresses checked, and the
connection made to an address checked (`GuardedBackend`), so the name cannot turn into another
address in between.
"""

import ipaddress
import socket

import httpcore

SETTING = "BYLINE_FETCH_ALLOW_PRIVATE"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PrivateAddress(ValueError):
    """A host that resolves to an address the fetcher may not reach."""


class AddressPolicy:
    """`allowed`: host names and networks (`10.0.0.0/8`, `127.0.0.1`, `::1`) that may be private,
    or `*` for every address."""

    def __init__(self, allowed: tuple[str, ...] = ()):
        self.everything = "*" in allowed
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        self.hosts: set[str] = set()
        for entry in allowed:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(entry.lower().rstrip("."))

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of `host`, every one of them reachable; `PrivateAddress` names one that is
        not, and an OSError says why the name does not resolve."""
        host = host.strip("[]")
        found = list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
        if self.everything or host.lower().rstrip(".") in self.hosts:
            return found
        for text in found:
            address = ipaddress.ip_address(text.split("%")[0])  # an IPv6 link-local one may carry a zone
            address = getattr(address, "ipv4_mapped", None) or address
            kind = _private_kind(address)
            if kind and not any(address in network for network in self.networks):
                shown = host if host == text else f"{host} ({text})"
                raise PrivateAddress(f"{shown} is a {kind} address; only public addresses are fetched unless {SETTING} lists the host or its network")
        return found


def _private_kind(address: Address) -> str | None:
    """What makes an address not public, or None for a public one."""
    for kind in ("unspecified", "loopback", "link-local", "multicast", "private", "reserved"):
        if getattr(address, "is_" + kind.replace("-", "_")):
            return kind
    return None if address.is_global else "non-public"


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to the addresses `policy` allows."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = self.policy.addresses(host, port)
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from None
        failed: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                failed = error
        raise failed
