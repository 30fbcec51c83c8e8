"""RSS (0.9x, 1.0, 2.0) and Atom feeds, read by feedparser."""

import calendar
import re
from datetime import datetime, timezone

import feedparser

from index.feeds.entries import Entry, Listing

_ADDRESS = re.compile(r"^\S+@\S+(?:\s*\((?P<name>[^)]*)\))?$")  # "desk@herald.example (Ana Ruiz)"


def read_feed(body: bytes) -> Listing:
    """The feed's entries with their title, link, published date, authors and source (the feed's title).
    A feed so broken that no entry with a link can be read is a ValueError saying where."""
    parsed = feedparser.parse(body)
    title = (parsed.feed.get("title") or "").strip() or None
    entries = [entry for entry in (_entry(item, title) for item in parsed.entries) if entry is not None]
    if not entries and parsed.get("bozo"):
        raise ValueError(f"a malformed feed: {_problem(parsed.get('bozo_exception'))}")
    return Listing(kind="feed", title=title, entries=entries)


def _entry(item, feed_title: str | None) -> Entry | None:
    link = (item.get("link") or "").strip()
    if not link:
        return None
    # dict.get: feedparser's own get() answers a missing `updated` with `published`, and warns.
    published = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
    updated = dict.get(item, "updated") or dict.get(item, "published")
    source = item.get("source", {}).get("title") or feed_title
    return Entry(
        url=link,
        title=(item.get("title") or "").strip(),
        date=_iso(published),
        authors=_authors(item),
        source=source,
        version=(updated or "").strip() or None,
    )


def _iso(parsed) -> str | None:
    """feedparser's UTC time tuple as YYYY-MM-DD."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).date().isoformat()


def _authors(item) -> list[str]:
    """Atom's author names; RSS's `author` is an address, often with the name after it in brackets."""
    single = (item.get("author") or "").strip()
    if _ADDRESS.match(single):
        named = _ADDRESS.match(single).group("name")
        return [named.strip()] if named else []
    names = [(a.get("name") or "").strip() for a in item.get("authors") or []]
    return [n for n in names if n] or ([single] if single else [])


def _problem(error) -> str:
    """feedparser's parse error, with its line and column when it has them."""
    if error is None:
        return "no entries could be read"
    line, column = getattr(error, "getLineNumber", None), getattr(error, "getColumnNumber", None)
    message = getattr(error, "getMessage", lambda: str(error))()
    if line and column:
        return f"line {line()}, column {column()}: {message}"
    return message
