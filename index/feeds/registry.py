"""The registered feeds and sitemaps, and the articles each has brought in: its own SQLite file in
the store folder (`sources.sqlite3`), beside the articles it names, or the shared PostgreSQL
database (BYLINE_DATABASE_URL).

The file and its tables (`sources`, `entries`, `source_success`) keep the names they had before
feeds were called feeds, so that stores and shared databases already written open as they are."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from index.db import Database, open_database

FILE = "sources.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT,
    prune INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    added TEXT NOT NULL,
    last_sync TEXT,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    source TEXT NOT NULL REFERENCES sources(url) ON DELETE CASCADE,
    link TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    version TEXT,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (source, link)
);
CREATE INDEX IF NOT EXISTS entries_doc_id ON entries(doc_id);
CREATE TABLE IF NOT EXISTS source_success (
    url TEXT PRIMARY KEY REFERENCES sources(url) ON DELETE CASCADE,
    at TEXT NOT NULL
);
"""
# When each source's listing was last read: sources synced before this was kept count their last error-free sync.
LAST_SUCCESS = "COALESCE((SELECT o.at FROM source_success o WHERE o.url = s.url), CASE WHEN s.last_error IS NULL THEN s.last_sync END)"


@dataclass
class Feed:
    url: str
    kind: str  # "feed" or "sitemap"
    title: str | None = None
    prune: bool = False  # each sync removes the articles that have left it
    etag: str | None = None
    last_modified: str | None = None
    added: str = ""
    last_sync: str | None = None
    last_error: str | None = None
    articles: int = 0
    last_success: str | None = None  # the last sync that read its listing (a 304 included)

    def stale(self, hours: float, at: datetime | None = None) -> bool:
        """Whether its listing has not been read for more than `hours` (since it was added, if never);
        never, with `hours` 0."""
        if hours <= 0:
            return False
        since = datetime.fromisoformat(self.last_success or self.added)
        return (at or clock()) - since > timedelta(hours=hours)


@dataclass
class KnownEntry:
    link: str
    doc_id: str
    version: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def clock() -> datetime:
    """The time syncs are recorded at and staleness is judged by (tests move it)."""
    return datetime.now(timezone.utc)


def now() -> str:
    return clock().isoformat(timespec="seconds")


class FeedRegistry:
    def __init__(self, database: "Database | Path"):
        """On `database` (index/db/), or a path: an SQLite file there."""
        self._db = database if isinstance(database, Database) else open_database("", Path(database))
        self._db.script(SCHEMA)

    @classmethod
    def in_store(cls, store: Path, database_url: str = "") -> "FeedRegistry":
        """The registry of the store in folder `store`, or in the shared database at `database_url`."""
        return cls(open_database(database_url, Path(store) / FILE))

    @property
    def database(self) -> Database:
        return self._db

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[Database]:
        with self._db.transaction():
            yield self._db

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._db.rows(sql, params)

    def register(self, url: str, kind: str, title: str | None, prune: bool) -> Feed:
        """Add a source, or update an existing one's kind, title and prune choice."""
        with self._transaction() as db:
            db.write(
                "INSERT INTO sources (url, kind, title, prune, added) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, title = COALESCE(excluded.title, sources.title),"
                " prune = excluded.prune",
                (url, kind, title, int(prune), now()),
            )
        return self.get(url)

    def get(self, url: str) -> Feed | None:
        found = [s for s in self._list("WHERE s.url = ?", (url,))]
        return found[0] if found else None

    def all(self) -> list[Feed]:
        return self._list("", ())

    def _list(self, where: str, params: tuple) -> list[Feed]:
        rows = self._rows(
            "SELECT s.url, s.kind, s.title, s.prune, s.etag, s.last_modified, s.added, s.last_sync, s.last_error,"
            f" (SELECT COUNT(*) FROM entries e WHERE e.source = s.url), {LAST_SUCCESS} FROM sources s {where} ORDER BY s.added, s.url",
            params,
        )
        return [Feed(*row[:3], bool(row[3]), *row[4:]) for row in rows]

    def remove(self, url: str) -> bool:
        with self._transaction() as db:
            return db.write("DELETE FROM sources WHERE url = ?", (url,)) > 0

    def entries(self, source: str) -> dict[str, KnownEntry]:
        rows = self._rows("SELECT link, doc_id, version, etag, last_modified FROM entries WHERE source = ?", (source,))
        return {row[0]: KnownEntry(*row) for row in rows}

    def save_entries(self, source: str, entries: Iterable[KnownEntry]) -> None:
        with self._transaction() as db:
            db.write_many(
                "INSERT INTO entries (source, link, doc_id, version, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, link) DO UPDATE SET doc_id = excluded.doc_id, version = excluded.version,"
                " etag = excluded.etag, last_modified = excluded.last_modified",
                [(source, e.link, e.doc_id, e.version, e.etag, e.last_modified) for e in entries],
            )

    def forget_entries(self, source: str, links: list[str]) -> None:
        with self._transaction() as db:
            db.write_many("DELETE FROM entries WHERE source = ? AND link = ?", [(source, link) for link in links])

    def forget_article(self, doc_id: str) -> None:
        """Forget the entries that brought in `doc_id`, and the listing validators of their sources, so
        that the next sync reads its page again (an article let back in after a withdrawal: its entry
        would say it is unchanged, or the listing answer 304, and it would never be stored again)."""
        with self._transaction() as db:
            db.write("UPDATE sources SET etag = NULL, last_modified = NULL WHERE url IN (SELECT source FROM entries WHERE doc_id = ?)", (doc_id,))
            db.write("DELETE FROM entries WHERE doc_id = ?", (doc_id,))

    def claims(self, doc_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(source, link, doc_id) of every entry, of any source, that brings in one of `doc_ids`."""
        doc_ids = list(doc_ids)
        found = []
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            found += self._rows(f"SELECT source, link, doc_id FROM entries WHERE doc_id IN ({','.join('?' * len(part))})", tuple(part))
        return found

    def synced(self, url: str, etag: str | None, last_modified: str | None, error: str | None, keep_validators: bool, listing_read: bool = True) -> None:
        """Record a sync of `url`: its time and error (None: none); the listing's ETag and
        Last-Modified only when `keep_validators` (everything in it was read), so the next sync
        asks for it again otherwise; a success (for staleness) when `listing_read`."""
        at = now()
        with self._transaction() as db:
            if keep_validators:
                db.write("UPDATE sources SET etag = ?, last_modified = ? WHERE url = ?", (etag, last_modified, url))
            db.write("UPDATE sources SET last_sync = ?, last_error = ? WHERE url = ?", (at, error, url))
            if listing_read:
                db.write("INSERT INTO source_success VALUES (?, ?) ON CONFLICT (url) DO UPDATE SET at = excluded.at", (url, at))
