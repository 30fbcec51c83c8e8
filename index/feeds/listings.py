"""What a fetched body is, told by its content rather than its URL or Content-Type: the root
element of an XML document names a listing (a feed, a sitemap); anything else is an article page.

`LISTINGS` is the one seam for new kinds of listing: a root element name and its reader.
"""

import zlib
from collections.abc import Callable

from lxml import etree

from index.feeds.entries import Listing
from index.feeds.rss import read_feed
from index.feeds.sitemaps import read_index, read_urlset

LISTINGS: dict[str, Callable[[bytes], Listing]] = {
    "rss": read_feed,  # RSS 0.9x and 2.0
    "RDF": read_feed,  # RSS 1.0
    "feed": read_feed,  # Atom
    "urlset": read_urlset,
    "sitemapindex": read_index,
}
SNIFF_BYTES = 65536


def read_listing(body: bytes, max_bytes: int) -> Listing | None:
    """The listing in `body`, or None when it is no listing (an article page)."""
    body = gunzipped(body, max_bytes)
    reader = LISTINGS.get(root_element(body) or "")
    return reader(body) if reader else None


def root_element(body: bytes) -> str | None:
    """The local name of the first element of an XML document, or None when `body` does not start as XML."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
    try:
        parser.feed(body[:SNIFF_BYTES].lstrip())
        for _, element in parser.read_events():
            return etree.QName(element).localname
    except etree.XMLSyntaxError:
        return None
    return None


def gunzipped(body: bytes, max_bytes: int) -> bytes:
    """A gzip-compressed body (a `sitemap.xml.gz`) unpacked, up to `max_bytes`."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = unpacker.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise ValueError(f"a damaged gzip file: {error}") from None
    if len(data) > max_bytes:
        raise ValueError(f"unpacked, it is over the limit of {max_bytes / 1048576:g} MB (BYLINE_FETCH_MAX_MB)")
    return data
