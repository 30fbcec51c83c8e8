"""A small news site on 127.0.0.1 for the sources tests: article pages, RSS and Atom feeds, sitemaps,
robots.txt, and broken URLs (slow, huge, malformed, a redirect loop). Nothing leaves the machine.

The stories are invented. A test changes what the site serves through `Site.routes`, and reads
what was asked of it in `Site.requests`. `python -m tests.news_site` serves it for the README's
examples.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERALD = "Harbour Herald"
TRAM = [
    "The city council of Port Elwyn voted on Monday to build a tram line from the harbour to Eastgate, ending a decade of debate.",
    "The line will have eleven stops and should carry its first passengers in the spring of 2027, the transport committee said.",
]
TRAM_CHANGED = TRAM + ["Late on Monday the council added a twelfth stop, at the Saltmarsh hospital, after nurses petitioned for it."]
LIGHTHOUSE = [
    "Agnes Morrow, who kept the Cape Morrow lighthouse for forty years, retired on Friday with a party on the pier.",
    "She said she would miss the gulls more than the storms, and handed the brass keys to the coastguard.",
]
GLASSWORKS = [
    "The old Tollin glassworks will become a museum of coloured glass, the Valley Trust announced on Wednesday.",
    "Its furnace, cold since 1961, is to be relit twice a year for demonstrations by visiting glassblowers.",
]
FESTIVAL = [
    "A record forty thousand people lined the river Dell on Saturday for the lantern festival, organisers said.",
    "Three hundred paper boats carried candles past the weir before a fireworks display closed the evening.",
]
RESCUE = [
    "Volunteers of the Brannock mountain rescue team brought two stranded climbers down from the north ridge overnight.",
    "The pair had been caught by fog near the summit cairn and called for help shortly after dusk.",
]
MUSEUM = [
    "The Elwyn maritime museum reopened on Sunday after a two year restoration of its timber roof.",
    "Its prize exhibit, a whaling boat built in 1872, now hangs from new oak beams above the main hall.",
]
BAKERY = [
    "A family bakery on Quay Street won the national sourdough prize on Thursday for its seaweed loaf.",
    "The judges praised the crust, and the bakery said it would bake twice as many loaves this weekend.",
]
SECRET = ["This page is behind robots.txt and must never be read by a polite crawler, whatever its feed says."]
DATES = {"tram": "Tue, 02 Apr 2024 09:00:00 GMT", "lighthouse": "Mon, 01 Apr 2024 08:00:00 GMT", "bakery": "Thu, 04 Apr 2024 07:30:00 GMT"}


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
        f'<entry><title>{e["title"]}</title><link href="{e["link"]}"/><id>{e["link"]}</id>'
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


def harbour_feed(u: str, items: list[str], tram_date: str = DATES["tram"]) -> bytes:
    titles = {"tram": "Tram line to Eastgate approved", "lighthouse": "Cape Morrow keeper retires", "bakery": "Quay Street bakery wins sourdough prize"}
    dates = {**DATES, "tram": tram_date}
    # The tram link carries tracking parameters: its article is stored under its canonical URL.
    links = {"tram": f"{u}/news/tram.html?utm_source=rss&utm_medium=feed", "lighthouse": f"{u}/news/lighthouse.html", "bakery": f"{u}/news/bakery.html"}
    return rss(HERALD, [{"title": titles[i], "link": links[i], "date": dates[i], "author": "desk@herald.example (Ana Ruiz)"} for i in items])


class Site:
    def __init__(self, port: int = 0):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []  # (path, headers) of every request, in order
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
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


def build(site: Site, slow: float = 2.0, huge: int = 12_000_000) -> None:
    """The site as the tests first see it: robots.txt, pages, two feeds, a news sitemap, a sitemap
    index, and broken URLs (`slow` seconds for the slow one, `huge` bytes for the huge one)."""
    u = site.url
    r = site.routes
    r["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    r["/news/tram.html"] = Route(page("Tram line approved | Harbour Herald", TRAM, canonical=f"{u}/news/tram.html"))
    r["/news/lighthouse.html"] = Route(page("Keeper retires", LIGHTHOUSE))
    r["/news/bakery.html"] = Route(page("Bakery prize", BAKERY))
    r["/valley/glassworks.html"] = Route(page("Glassworks to be a museum", GLASSWORKS, site_name="Valley Gazette"))
    r["/private/secret.html"] = Route(page("Secret", SECRET))
    r["/news/festival.html"] = Route(page("Lantern festival", FESTIVAL))
    r["/news/rescue.html"] = Route(page("Climbers rescued from the north ridge", RESCUE, site_name="Brannock Post", published="2024-03-30"))
    r["/news/museum.html"] = Route(page("Maritime museum reopens", MUSEUM, site_name="Harbour Herald", published="2024-03-31"))
    # Told apart by content: the RSS feed has no extension and says it is text, the Atom feed
    # ends in .html and says it is HTML.
    r["/feeds/harbour"] = Route(harbour_feed(u, ["tram", "lighthouse"]), "text/plain", etag='"v1"')
    r["/valley/latest.html"] = Route(
        atom(
            "Valley Gazette",
            [
                {"title": "Glassworks to become a museum", "link": f"{u}/valley/glassworks.html", "date": "2024-04-03T10:00:00Z", "author": "Tomas Reed"},
                {"title": "A page robots.txt keeps out", "link": f"{u}/private/secret.html", "date": "2024-04-03T11:00:00Z", "author": "Nobody"},
            ],
        ),
        "text/html",
    )
    r["/sitemap-news.xml"] = Route(
        urlset(
            [
                {
                    "loc": f"{u}/news/festival.html",
                    "lastmod": "2024-04-06",
                    "title": "Lanterns light up the Dell",
                    "publication": "Dell Valley News",
                    "date": "2024-04-06",
                }
            ]
        ),
        "application/xml",
    )
    r["/sitemap-index.xml"] = Route(sitemap_index([f"{u}/sitemaps/part-1.xml"]), "application/xml", last_modified="Sat, 30 Mar 2024 12:00:00 GMT")
    r["/sitemaps/part-1.xml"] = Route(urlset([{"loc": f"{u}/news/rescue.html", "lastmod": "2024-03-30"}]), "application/xml")
    # Broken ones.
    r["/broken/slow.xml"] = Route(harbour_feed(u, ["tram"]), "application/rss+xml", delay=slow)
    r["/broken/malformed.rss"] = Route(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title><item><title>Cut off', "application/rss+xml")
    r["/broken/huge.xml"] = Route(content_type="application/rss+xml", stream=huge)
    r["/broken/loop-a"] = Route(status=302, headers={"Location": "/broken/loop-b"})
    r["/broken/loop-b"] = Route(status=302, headers={"Location": "/broken/loop-a"})


def main() -> None:
    """`python -m tests.news_site [--port 8000]`: serve the site until Ctrl-C (the README's examples)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    port = parser.parse_args().port
    with Site(port) as site:
        build(site)
        print(f"A small news site on {site.url}: {site.url}/feeds/harbour, {site.url}/sitemap-index.xml, …", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
