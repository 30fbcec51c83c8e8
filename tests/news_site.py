"""A small news site on 127.0.0.1 for the sources tests: article pages, RSS and Atom feeds, sitemaps,
robots.txt, and broken URLs (slow, huge, malformed, a redirect loop). Nothing leaves the machine.

The stories are invented. A test changes what the site serves through `Site.routes`, and reads
what was asked of it in `Site.requests`.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERALD = "Harbour Herald"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: str | None = None  # a matching If-None-Match gets a 304
    last_modified: str | None = None  # a matching If-Modified-Since gets a 304
    delay: float = 0.0  # seconds before answering
    gate: threading.Event | None = None  # when set, the answer waits until it opens (10 s at most)
    stream: int = 0  # bytes sent without a Content-Length, past any size limit


def page(title: str, paragraphs: list[str], canonical: str | None = None, site_name: str | None = None, published: str | None = None) -> bytes:
    head = [f"<title>{title}</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if site_name:
        head.append(f'<meta property="og:site_name" content="{site_name}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{''.join(head)}</head><body>"
        f"<header><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav></header>"
        f"<article><h1>{title}</h1>{body}</article><footer>Contact us</footer></body></html>"
    ).encode()


def rss(title: str, items: list[dict]) -> bytes:
    entries = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['link']}</guid>"
        f"<pubDate>{i['date']}</pubDate><author>{i.get('author', '')}</author></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>Local news</description>{entries}</channel></rss>"
    ).encode()


def atom(title: str, entries: list[dict]) -> bytes:
    items = "".join(
        f"<entry><title>{e['title']}</title><link href=\"{e['link']}\"/><id>{e['link']}</id>"
        f"<published>{e['date']}</published><updated>{e['date']}</updated>"
        f"<author><name>{e['author']}</name></author></entry>"
        for e in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
        f"<id>urn:valley</id><updated>2024-04-01T00:00:00Z</updated>{items}</feed>"
    ).encode()


def urlset(urls: list[dict]) -> bytes:
    items = "".join(
        f"<url><loc>{u['loc']}</loc><lastmod>{u['lastmod']}</lastmod>"
        + (
            f"<news:news><news:publication><news:name>{u['publication']}</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{u['date']}</news:publication_date>"
            f"<news:title>{u['title']}</news:title></news:news>"
            if "title" in u
            else ""
        )
        + "</url>"
        for u in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{items}</urlset>'
    ).encode()


def sitemap_index(locs: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'.encode()


class Site:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []  # (path, headers) of every request, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "Site":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def headers_of(self, path: str) -> list[dict]:
        return [headers for asked, headers in self.requests if asked == path]

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = site.routes.get(self.path.split("?")[0])
                if route is None:
                    return self._send(404, b"not here", "text/plain")
                time.sleep(route.delay)
                if route.gate is not None:
                    route.gate.wait(10)
                unchanged = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                )
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if unchanged:
                    return self._send(304, b"", None, headers)
                if route.stream:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        for _ in range(route.stream // 8192):
                            self.wfile.write(b"<p>" + b"x" * 8185 + b"</p>")
                    except OSError:
                        pass  # the client stopped reading
                    self.close_connection = True
                    return
                self._send(route.status, route.body, route.content_type, headers)

            def _send(self, status, body, content_type, headers=None):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout under test)

            def log_message(self, *args):
                pass

        return Handler
