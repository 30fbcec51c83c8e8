"""Corrections kept beside the articles, in the docstore's database (SQLite, or the shared PostgreSQL):
when a stored article last changed (a re-ingest, re-upload or re-sync brought a new version: its
citations say "updated DATE"), and the articles withdrawn by the desk, with why, which no ingest,
upload or feed sync stores again."""

from dataclasses import dataclass
from datetime import datetime, timezone

from index.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_updates (
    doc_id TEXT PRIMARY KEY REFERENCES articles(doc_id) ON DELETE CASCADE,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawn (
    doc_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    withdrawn_at TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL
);
"""
TABLES = {"article_updates": "doc_id, updated_at", "withdrawn": "doc_id, reason, title, url, withdrawn_at, withdrawn_by"}
MAX_REASON_CHARS = 500


@dataclass
class Withdrawn:
    doc_id: str
    reason: str
    title: str = ""
    url: str | None = None
    withdrawn_at: str = ""
    withdrawn_by: str = ""  # the key's name (never the key), or who ran the command


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def checked_reason(reason: str | None) -> str:
    """The reason on one line; a withdrawal without one is refused (the desk must know why)."""
    text = " ".join((reason or "").split())
    if not text:
        raise ValueError("give the reason for the withdrawal (--reason), for the desk's record")
    if len(text) > MAX_REASON_CHARS:
        raise ValueError(f"the reason is {len(text)} characters; keep it under {MAX_REASON_CHARS}")
    return text


class Corrections:
    def __init__(self, database: Database):
        """On the docstore's database, after its schema (updates refer to its articles)."""
        self.database = database
        database.script(database.schema(SCHEMA))

    # --- updates: written in the ingest's docstore transaction --------------------------------
    def mark_updated(self, doc_ids: list[str], at: str | None = None) -> None:
        """Record that these stored articles were replaced by a new version now; call inside the docstore's transaction."""
        at = at or utc_now()
        self.database.write_many(
            "INSERT INTO article_updates VALUES (?, ?) ON CONFLICT (doc_id) DO UPDATE SET updated_at = excluded.updated_at",
            [(doc_id, at) for doc_id in doc_ids],
        )

    def updated(self, doc_ids: list[str]) -> dict[str, str]:
        """When each of these articles last changed, for those that have (ISO 8601, UTC)."""
        if not doc_ids:
            return {}
        return dict(self.database.rows(f"SELECT doc_id, updated_at FROM article_updates WHERE doc_id IN ({_marks(doc_ids)})", tuple(doc_ids)))

    # --- withdrawals ----------------------------------------------------------------------
    def record_withdrawal(self, withdrawn: Withdrawn) -> None:
        """Keep a withdrawal (a second one of the same article replaces its reason); call inside a transaction."""
        self.database.write(
            "INSERT INTO withdrawn VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET reason = excluded.reason,"
            " withdrawn_at = excluded.withdrawn_at, withdrawn_by = excluded.withdrawn_by",
            (withdrawn.doc_id, withdrawn.reason, withdrawn.title, withdrawn.url, withdrawn.withdrawn_at, withdrawn.withdrawn_by),
        )

    def withdrawn_of(self, doc_ids: list[str]) -> dict[str, Withdrawn]:
        """The withdrawals among these doc_ids."""
        found: dict[str, Withdrawn] = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start : start + 500]
            rows = self.database.rows(f"SELECT * FROM withdrawn WHERE doc_id IN ({_marks(part)})", tuple(part))
            found.update({row[0]: Withdrawn(*row) for row in rows})
        return found

    def withdrawals(self) -> list[Withdrawn]:
        """Every withdrawal, the newest first."""
        return [Withdrawn(*row) for row in self.database.rows("SELECT * FROM withdrawn ORDER BY withdrawn_at DESC, doc_id")]

    def restore(self, doc_id: str) -> bool:
        """Forget a withdrawal, so that the article may be stored again; whether there was one."""
        with self.database.transaction():
            return self.database.write("DELETE FROM withdrawn WHERE doc_id = ?", (doc_id,)) > 0
