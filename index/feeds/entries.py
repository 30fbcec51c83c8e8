"""What a feed or a sitemap lists: its articles' links and what it says about each."""

from dataclasses import dataclass, field


@dataclass
class Entry:
    url: str
    title: str = ""
    date: str | None = None  # published, YYYY-MM-DD
    authors: list[str] = field(default_factory=list)
    source: str | None = None  # the feed's or the news sitemap's publication name
    # When the listing says the article last changed (a feed's updated, a sitemap's lastmod):
    # while it stays the same, a sync does not fetch the page again.
    version: str | None = None


@dataclass
class Listing:
    kind: str  # "feed" or "sitemap"
    title: str | None = None
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's sitemaps, read in turn
