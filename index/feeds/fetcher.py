"""A polite HTTP fetcher for pages, feeds and sitemaps.

It names itself (User-Agent: Byline), reads each site's robots.txt and keeps out of what it
disallows, waits between two requests to one host (robots.txt's Crawl-delay when longer), and
gives up on a request that takes too long, a body that grows too big or redirects that do not end.
It reaches public addresses only, on every redirect too, unless told otherwise (addresses.py).
Every refusal is a `FetchError` whose message names the URL and says why.
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego

from index.feeds import USER_AGENT
from index.feeds.addresses import AddressPolicy, GuardedBackend, PrivateAddress

ROBOTS_AGENT = "Byline"
MAX_CRAWL_DELAY = 30.0  # seconds; a longer Crawl-delay is held to this
CHUNK = 65536
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(ValueError):
    """A URL that could not be read; the message names it and says why."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status, when the server answered with an error


class Disallowed(FetchError):
    """A URL the site's robots.txt asks crawlers not to read."""


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 20.0  # seconds for a whole request, from connecting to the last byte
    max_bytes: int = 10 * 1024 * 1024
    delay: float = 1.0  # seconds between two requests to one host
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    allow_private: tuple[str, ...] = ()  # host names and networks that may be private (addresses.py)


@dataclass
class Fetched:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 for a conditional request that found nothing new
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher:
    """One crawl's fetcher: robots.txt files and per-host timing are remembered for its lifetime."""

    def __init__(self, limits: FetchLimits = FetchLimits()):
        self.limits = limits
        self._policy = AddressPolicy(limits.allow_private)
        transport = httpx.HTTPTransport()
        transport._pool._network_backend = GuardedBackend(self._policy)  # httpcore's seam for how to connect
        self._client = httpx.Client(headers={"User-Agent": limits.user_agent}, follow_redirects=False, timeout=limits.timeout, transport=transport)
        self._robots: dict[str, Protego | None] = {}
        self._next_request: dict[str, float] = {}  # host → earliest time for its next request
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body at `url`; with `etag`/`last_modified` a conditional request (304: `not_modified`)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, headers, obey_robots=True)

    def _follow(self, url: str, headers: dict, obey_robots: bool) -> Fetched:
        first = url
        for _ in range(self.limits.max_redirects + 1):
            self._check_address(url)
            if obey_robots and not self._allowed(url):
                raise Disallowed(url, "robots.txt asks crawlers not to read it")
            fetched, location = self._request(url, headers)
            if fetched.status in REDIRECTS and location:
                url = urljoin(url, location)
                continue
            if fetched.status >= 400:
                raise FetchError(url, f"the server answered HTTP {fetched.status}", fetched.status)
            return fetched
        raise FetchError(first, f"more than {self.limits.max_redirects} redirects (the last to {url})")

    def _check_address(self, url: str) -> None:
        """Refuse what is no web address, and a host that is (or resolves to) an address not to reach.
        The connection checks again (addresses.py); this check also holds behind a proxy."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(url, "not a web address (http:// or https://)")
        try:
            self._policy.addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        except PrivateAddress as error:
            raise FetchError(url, str(error)) from None
        except (OSError, ValueError) as error:
            raise FetchError(url, f"cannot connect ({_reason(error)})") from None

    def _request(self, url: str, headers: dict) -> tuple[Fetched, str | None]:
        """One request: what came back, and where a redirect points."""
        self._wait_turn(url)
        limits = self.limits
        deadline = time.monotonic() + limits.timeout
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > limits.max_bytes:
                    raise FetchError(url, f"{_size(int(length))} is over the limit of {_size(limits.max_bytes)} (BYLINE_FETCH_MAX_MB)")
                body = bytearray()
                # Decompressed bytes are counted: a small gzip body may unpack to gigabytes.
                for chunk in response.iter_bytes(CHUNK):
                    body += chunk
                    if len(body) > limits.max_bytes:
                        raise FetchError(url, f"the body is over the limit of {_size(limits.max_bytes)} (BYLINE_FETCH_MAX_MB)")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("too slow")
                return (
                    Fetched(
                        url=url,
                        status=response.status_code,
                        body=bytes(body),
                        content_type=response.headers.get("content-type", ""),
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    ),
                    response.headers.get("location"),
                )
        except PrivateAddress as error:
            raise FetchError(url, str(error)) from None
        except httpx.TimeoutException:
            raise FetchError(url, f"no complete answer within {limits.timeout:g} s (BYLINE_FETCH_TIMEOUT)") from None
        except httpx.ConnectError as error:
            raise FetchError(url, f"cannot connect ({_reason(error)})") from None
        except httpx.HTTPError as error:
            raise FetchError(url, _reason(error)) from None
        finally:
            self._finished(url)

    def _allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets Byline read `url`. A site whose robots.txt cannot be
        read (down, too slow, a server error) is not read at all, and is not asked again this crawl."""
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        robots = self._robots[origin]
        if isinstance(robots, FetchError):
            raise FetchError(url, f"{robots.reason} (its site's robots.txt, read first)", robots.status)
        return robots is None or robots.can_fetch(url, ROBOTS_AGENT)

    def _read_robots(self, origin: str) -> Protego | FetchError | None:
        """The site's rules; None (everything allowed) when it has no robots.txt (a 4xx answer)."""
        try:
            found = self._follow(f"{origin}/robots.txt", {}, obey_robots=False)
        except FetchError as error:
            return None if error.status and error.status < 500 else error
        return Protego.parse(found.body.decode("utf-8", errors="replace"))

    def _delay(self, url: str) -> float:
        robots = self._robots.get(_origin(url))
        asked = (robots.crawl_delay(ROBOTS_AGENT) if isinstance(robots, Protego) else None) or 0.0
        return max(self.limits.delay, min(float(asked), MAX_CRAWL_DELAY))

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            wait = self._next_request.get(host, 0.0) - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def _finished(self, url: str) -> None:
        with self._lock:
            self._next_request[urlsplit(url).netloc] = time.monotonic() + self._delay(url)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _size(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size >= 104858 else f"{size / 1024:.0f} KB"


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text
