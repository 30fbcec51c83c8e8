"""HTML news pages: main text and metadata through trafilatura."""

import re

from index.articles import Article
from index.loaders.dates import iso_date
from index.loaders.problems import Reading
from index.loaders.text import headline, split_footer
from index.loaders.urls import title_from_url

_HTML_TAG = re.compile(r"<(html|body|p|div|article|br|h1|h2|head)[\s>/]", re.I)


def looks_like_html(text: str) -> bool:
    return len(_HTML_TAG.findall(text[:20000])) >= 2


def extract_html(html: str) -> tuple[dict, str]:
    import trafilatura

    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True)
    if document is None or not (document.text or "").strip():
        raise ValueError("no article text found in the HTML")
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    meta = {
        "title": document.title,
        "date": document.date,
        "source": document.sitename,
        "url": document.url,
        "authors": authors,
    }
    return meta, document.text


def load_html(raw: str, reading: Reading) -> list[Article]:
    meta, text = extract_html(raw)
    body, footer = split_footer(text)
    return [
        Article(
            doc_id=reading.doc_id,
            text=body,
            title=meta["title"] or title_from_url(meta["url"], body) or headline(body),
            url=meta["url"],
            source=meta["source"],
            date=iso_date(meta["date"]),
            authors=meta["authors"],
            footer=footer,
        )
    ]
