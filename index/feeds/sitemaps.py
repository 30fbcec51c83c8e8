"""XML sitemaps (sitemaps.org): a `urlset` of pages, with Google News tags when present, or a
`sitemapindex` of further sitemaps."""

from lxml import etree

from index.loaders.dates import iso_date
from index.feeds.entries import Entry, Listing

# No DTDs, entities or network: a sitemap is untrusted XML.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(body: bytes) -> etree._Element:
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"malformed XML: {error}") from None


def read_urlset(body: bytes) -> Listing:
    entries = []
    for url in parse_xml(body).iterfind("{*}url"):
        loc = _text(url, "{*}loc")
        if not loc:
            continue
        news = url.find("{*}news")
        entries.append(
            Entry(
                url=loc,
                title=_text(news, "{*}title") or "",
                date=iso_date(_text(news, "{*}publication_date")),
                source=_text(news, "{*}publication/{*}name"),
                version=_text(url, "{*}lastmod"),
            )
        )
    return Listing(kind="sitemap", entries=entries)


def read_index(body: bytes) -> Listing:
    sitemaps = [loc for loc in (_text(s, "{*}loc") for s in parse_xml(body).iterfind("{*}sitemap")) if loc]
    return Listing(kind="sitemap", sitemaps=sitemaps)


def _text(element, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    text = (found.text or "").strip() if found is not None else ""
    return text or None
