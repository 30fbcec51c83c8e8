"""Adding a URL, and syncing the registered feeds and sitemaps.

Everything is fetched before it is written, outside any store lock; articles are then written
through the store's normal write path (`Writer`), a batch at a time, so questions are never
held up by the network. Sources are synced one at a time, and each one's problems (a dead host,
a malformed feed, a page that is gone) are errors of that source alone: the others carry on.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.articles import Article
from index.loaders.dates import iso_date
from index.feeds.entries import Entry, Listing
from index.feeds.fetcher import Disallowed, Fetched, Fetcher, FetchError, FetchLimits
from index.feeds.listings import read_listing
from index.feeds.pages import read_page
from index.feeds.registry import KnownEntry, Feed, FeedRegistry

if TYPE_CHECKING:  # index.ingest loads llama-index: `byline sources` does without
    from index.ingest import IngestReport

WRITE_BATCH = 16  # articles fetched before they are written: a long sitemap is stored as it is read
MAX_SITEMAPS = 50  # sitemaps read from one sitemap index
MAX_LISTED_ERRORS = 3  # of a source's errors, the first few are its `last_error`


@dataclass
class Writer:
    """The store's normal write path: `store` articles (unchanged ones are skipped), `delete_many`
    articles in one write (how many were stored)."""

    store: Callable[[list[Article]], "IngestReport"]
    delete_many: Callable[[list[str]], int]


@dataclass
class FeedReport:
    url: str
    kind: str | None = None  # "page", "feed" or "sitemap"; None when it could not be read
    title: str | None = None
    doc_ids: list[str] = field(default_factory=list)  # the articles written (added, updated or unchanged)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    not_modified: bool = False  # the feed or sitemap answered 304: nothing new since the last sync
    skipped: list[str] = field(default_factory=list)  # listed pages robots.txt keeps out, and withdrawn articles
    errors: list[str] = field(default_factory=list)


class SyncWatch:
    """What a sync tells as it goes, and whether it should stop: this one tells nobody and never stops."""

    def started(self, url: str) -> None:
        pass

    def read(self, url: str, done: int, total: int) -> None:
        """`done` of the `total` entries of the source's listing read (fetched, unchanged or failed)."""

    def finished(self, url: str) -> None:
        pass

    def stopped(self, url: str) -> bool:
        """Whether to stop reading the source's entries (it is being removed)."""
        return False


@dataclass
class FeedSync:
    registry: FeedRegistry
    writer: Writer
    limits: FetchLimits
    max_article_bytes: int
    max_articles: int = 200  # read from one listing per sync, the newest first
    watch: SyncWatch = field(default_factory=SyncWatch)

    def add(self, urls: list[str], prune: bool = False) -> list[FeedReport]:
        """Read each URL: an article page is stored; a feed or a sitemap is registered and synced."""
        reports = []
        with Fetcher(self.limits) as fetcher:
            for url in urls:
                report, fetched = self._register(url.strip(), fetcher, prune)
                if fetched is not None:
                    report = self._sync(self.registry.get(report.url), fetcher, prune, fetched)
                reports.append(report)
        return reports

    def register(self, url: str, prune: bool = False) -> tuple[FeedReport, Fetched | None]:
        """Read `url` alone: an article page is stored (its report, and None); a feed or a sitemap is
        registered, none of its articles read yet: its report and its body, for `sync_one`."""
        with Fetcher(self.limits) as fetcher:
            return self._register(url.strip(), fetcher, prune)

    def _register(self, url: str, fetcher: Fetcher, prune: bool) -> tuple[FeedReport, Fetched | None]:
        report = FeedReport(url)
        try:
            fetched = fetcher.get(url)
            listing = read_listing(fetched.body, self.limits.max_bytes)
            if listing is None:
                article = read_page(fetched, None, self.max_article_bytes)
                report.kind, report.title = "page", article.title
                self._write(report, [(article, None)], None)
                return report, None
        except (FetchError, ValueError) as error:
            report.errors.append(_naming(url, error))
            return report, None
        source = self.registry.register(url, listing.kind, listing.title, prune)
        report.kind, report.title = source.kind, source.title
        return report, fetched

    def sync_one(self, url: str, prune: bool = False, fetched: Fetched | None = None) -> FeedReport | None:
        """Sync one registered source (None: not registered), from its body when `register` just read it."""
        source = self.registry.get(url)
        if source is None:
            return None
        with Fetcher(self.limits) as fetcher:
            return self._sync(source, fetcher, prune, fetched)

    def sync(self, prune: bool = False, urls: list[str] | None = None) -> list[FeedReport]:
        """Sync every registered source (or those in `urls`), one at a time."""
        reports = []
        with Fetcher(self.limits) as fetcher:
            for source in self.registry.all():
                if urls is None or source.url in urls:
                    reports.append(self._sync(source, fetcher, prune))
        return reports

    def _sync(self, source: Feed, fetcher: Fetcher, prune: bool, fetched: Fetched | None = None) -> FeedReport:
        self.watch.started(source.url)
        try:
            return self._read_source(source, fetcher, prune, fetched)
        finally:
            self.watch.finished(source.url)

    def _read_source(self, source: Feed, fetcher: Fetcher, prune: bool, fetched: Fetched | None) -> FeedReport:
        report = FeedReport(source.url, kind=source.kind, title=source.title)
        try:
            if fetched is None:
                fetched = fetcher.get(source.url, source.etag, source.last_modified)
            if fetched.not_modified:
                report.not_modified = True
                self.registry.synced(source.url, source.etag, source.last_modified, None, keep_validators=True)
                return report
            listing, complete = self._listing(fetched, fetcher, report)
        except (FetchError, ValueError) as error:
            report.errors.append(_naming(source.url, error))
            self.registry.synced(source.url, None, None, report.errors[0], keep_validators=False, listing_read=False)
            return report
        report.title = listing.title or source.title
        known = self.registry.entries(source.url)
        self._read_entries(source.url, _newest(listing.entries, self.max_articles), known, fetcher, report)
        if prune or source.prune:
            if complete:
                self._prune(source.url, known, {entry.url for entry in listing.entries}, report)
            else:
                report.errors.append(f"{source.url}: nothing pruned, as not all of its sitemaps could be read")
        error = "; ".join(report.errors[:MAX_LISTED_ERRORS]) if report.errors else None
        if len(report.errors) > MAX_LISTED_ERRORS:
            error += f"; and {len(report.errors) - MAX_LISTED_ERRORS} more"
        self.registry.synced(source.url, fetched.etag, fetched.last_modified, error, keep_validators=not report.errors)
        return report

    def _listing(self, fetched: Fetched, fetcher: Fetcher, report: FeedReport) -> tuple[Listing, bool]:
        """The listing at `fetched`, a sitemap index's sitemaps read into it; and whether all of them were read."""
        listing = read_listing(fetched.body, self.limits.max_bytes)
        if listing is None:
            raise ValueError("it is no longer a feed or a sitemap (it reads as a web page)")
        complete = True
        for url in listing.sitemaps[:MAX_SITEMAPS]:
            try:
                child = read_listing(fetcher.get(url).body, self.limits.max_bytes)
                if child is None or child.kind != "sitemap" or child.sitemaps:
                    raise ValueError("not a sitemap of pages")
                listing.entries += child.entries
            except (FetchError, ValueError) as error:
                report.errors.append(_naming(url, error))
                complete = False
        if len(listing.sitemaps) > MAX_SITEMAPS:
            complete = False
        return listing, complete

    def _read_entries(self, url: str, entries: list[Entry], known: dict[str, KnownEntry], fetcher: Fetcher, report: FeedReport) -> None:
        """Fetch each new or changed entry's page and store its article, a batch at a time."""
        batch: list[tuple[Article, KnownEntry]] = []
        for done, entry in enumerate(entries):
            self.watch.read(url, done, len(entries))
            if self.watch.stopped(url):
                break
            old = known.get(entry.url)
            if old and entry.version and old.version == entry.version:
                report.unchanged += 1  # the listing says it has not changed: not fetched again
                continue
            try:
                page = fetcher.get(entry.url, old and old.etag, old and old.last_modified)
                if page.not_modified:
                    report.unchanged += 1
                    self.registry.save_entries(url, [KnownEntry(entry.url, old.doc_id, entry.version, old.etag, old.last_modified)])
                    continue
                article = read_page(page, entry, self.max_article_bytes)
            except Disallowed as error:
                report.skipped.append(str(error))
                continue
            except (FetchError, ValueError) as error:
                report.errors.append(_naming(entry.url, error))
                continue
            batch.append((article, KnownEntry(entry.url, article.doc_id, entry.version, page.etag, page.last_modified)))
            if len(batch) >= WRITE_BATCH:
                self._write(report, batch, url)
                batch = []
        self._write(report, batch, url)
        self.watch.read(url, len(entries), len(entries))

    def _write(self, report: FeedReport, batch: list[tuple[Article, KnownEntry | None]], source: str | None) -> None:
        """Store a batch of articles (two links to one article store it once), then note their entries."""
        if not batch:
            return
        articles = list({article.doc_id: article for article, _ in reversed(batch)}.values())[::-1]
        try:
            stored = self.writer.store(articles)
        except RuntimeError as error:  # the store stayed busy (another process writing) or cannot be written
            report.errors.append(f"{report.url}: {len(articles)} articles read but not stored: {error}")
            return
        report.added += stored.added
        report.updated += stored.updated
        report.unchanged += stored.unchanged
        report.chunks += stored.chunks
        report.errors += stored.errors
        report.skipped += [f"{skipped.path}: {skipped.reason}" for skipped in stored.skipped]  # withdrawn by the desk
        report.doc_ids += [article.doc_id for article in articles]
        if source is not None:
            self.registry.save_entries(source, [entry for _, entry in batch if entry is not None])

    def _prune(self, url: str, known: dict[str, KnownEntry], listed: set[str], report: FeedReport) -> None:
        """Remove the articles whose links left the listing (unless another link, of any source, still
        brings them in), in one write; their entries are forgotten once the articles are gone."""
        gone = {link: entry for link, entry in known.items() if link not in listed}
        if not gone:
            return
        claims = self.registry.claims({entry.doc_id for entry in gone.values()})
        claimed = {doc_id for source, link, doc_id in claims if not (source == url and link in gone)}
        try:
            report.removed += self.writer.delete_many(sorted({e.doc_id for e in gone.values()} - claimed))
        except RuntimeError as error:  # the store stayed busy: the entries stay, the next sync prunes them
            report.errors.append(f"{url}: nothing pruned: {error}")
            return
        self.registry.forget_entries(url, list(gone))

    def remove(self, url: str, prune: bool = False) -> int | None:
        """Unregister a feed or sitemap (None: it was not registered); with `prune`, first delete the
        articles that it alone brought in, in one write: how many were deleted."""
        if self.registry.get(url) is None:
            return None
        removed = 0
        if prune:
            doc_ids = {entry.doc_id for entry in self.registry.entries(url).values()}
            claimed = {doc_id for source, _, doc_id in self.registry.claims(doc_ids) if source != url}
            removed = self.writer.delete_many(sorted(doc_ids - claimed))
        self.registry.remove(url)
        return removed


def _newest(entries: list[Entry], limit: int) -> list[Entry]:
    """Each link once; past `limit`, the newest by the listing's dates (undated ones last)."""
    unique = list({entry.url: entry for entry in reversed(entries)}.values())[::-1]
    if len(unique) <= limit:
        return unique
    return sorted(unique, key=lambda e: e.date or iso_date(e.version) or "", reverse=True)[:limit]


def _naming(url: str, error: Exception) -> str:
    """The error's message, opening with the URL it is about."""
    message = str(error)
    return message if message.startswith(url) else f"{url}: {message}"
