"""JSON and JSON Lines exports: one article per record."""

import json

from index.articles import Article
from index.loaders.dates import iso_date
from index.loaders.html import extract_html, looks_like_html
from index.loaders.problems import Skipped
from index.loaders.text import parse_dateline
from index.loaders.urls import title_from_url

ID_FIELDS = ("doc_id", "id")
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("publish_date", "published_at", "date")


def load_records(raw: str, doc_id: str, skipped: list) -> list[Article]:
    records = list(_parse(raw, doc_id))
    articles = []
    for where, record in records:
        try:
            articles.append(record_to_article(record, f"{doc_id}#{where}"))
        except ValueError as error:
            skipped.append(Skipped(f"{doc_id} record {where}", str(error)))
    return articles


def record_to_article(record, fallback_id: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    text = _first(record, TEXT_FIELDS)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing field 'text' (or 'body'/'content')")
    html_meta = {}
    if looks_like_html(text):
        html_meta, text = extract_html(text)
    authors = record.get("authors") or html_meta.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(",") if a.strip()]
    doc_id = _first(record, ID_FIELDS)
    url = record.get("url") or html_meta.get("url")
    text = text.strip()
    place, agency = parse_dateline(text)
    return Article(
        doc_id=str(doc_id) if doc_id not in (None, "") else fallback_id,
        text=text,
        title=str(record.get("title") or html_meta.get("title") or title_from_url(url)),
        url=url,
        source=record.get("source") or html_meta.get("source") or agency,
        dateline=record.get("dateline") or place,
        date=iso_date(_first(record, DATE_FIELDS) or html_meta.get("date")),
        authors=[str(a) for a in authors],
    )


def _parse(raw: str, doc_id: str):
    if doc_id.lower().endswith(".jsonl"):
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                try:
                    yield f"L{number}", json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"line {number}: invalid JSON ({error.msg})") from None
        return
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON at line {error.lineno} ({error.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        data = [data]
    for number, record in enumerate(data, start=1):
        yield str(number), record


def _first(record: dict, names: tuple[str, ...]):
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None
