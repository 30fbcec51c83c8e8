"""A fetched article page → an `Article`, read by the same HTML loader (trafilatura) as `.html` files.

Its doc_id is its canonical URL: the address the page declares for itself (`<link rel="canonical">`
or `og:url`) when that is on the host it came from, else the address it was read from; without
its fragment and tracking parameters, so the same story reached by two links is stored once.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from index.articles import Article
from index.loaders import load_bytes
from index.loaders.doc_ids import MAX_DOC_ID_CHARS
from index.loaders.urls import title_from_url
from index.feeds.entries import Entry
from index.feeds.fetcher import Fetched

TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
DEFAULT_PORTS = {"http": 80, "https": 443}


def read_page(fetched: Fetched, entry: Entry | None, max_article_bytes: int) -> Article:
    """The article on the page; what a feed or sitemap says of it (`entry`) goes before what the
    page says. A page with no article text is a ValueError naming its URL."""
    errors: list[str] = []
    found = load_bytes(fetched.body, fetched.url, "page", errors, max_article_bytes, read_as=".html")
    if not found:
        raise ValueError("; ".join(errors))
    article = found[0]
    url = canonical_url(article.url, fetched.url)
    article.doc_id = doc_id_for(url)
    article.url = url
    if entry is not None:
        article.title = entry.title or article.title
        article.date = entry.date or article.date
        article.authors = entry.authors or article.authors
        article.source = entry.source or article.source
    article.title = article.title or title_from_url(url, article.text) or url
    article.source = article.source or _host(url)
    return article


def canonical_url(declared: str | None, fetched_url: str) -> str:
    url = fetched_url
    if declared:
        candidate = urljoin(fetched_url, declared.strip())
        if urlsplit(candidate).scheme in DEFAULT_PORTS and _host(candidate) == _host(fetched_url):
            url = candidate
    return normalized(url)


def normalized(url: str) -> str:
    """`url` with its scheme and host in lower case, no default port, fragment or tracking parameters."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        host += f":{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(TRACKING)]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def doc_id_for(url: str) -> str:
    """The URL itself; one too long for a doc_id is cut and told apart by a hash of the whole."""
    if len(url) <= MAX_DOC_ID_CHARS:
        return url
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"{url[: MAX_DOC_ID_CHARS - 18]}#{digest}"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
