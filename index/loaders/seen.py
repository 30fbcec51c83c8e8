"""The doc_ids a load has seen, and where each was first seen: kept in a private temporary
SQLite database (spilled to disk), so that a run over millions of records holds none of them
in memory."""

import sqlite3


class SeenIds:
    def __init__(self) -> None:
        self._db = sqlite3.connect("", check_same_thread=False)  # "": temporary, on disk beyond its cache
        self._db.execute("CREATE TABLE seen (doc_id TEXT PRIMARY KEY, place TEXT NOT NULL)")

    def first(self, doc_id: str, place: str) -> str | None:
        """None when `doc_id` is new (it is recorded as seen at `place`); else where it was seen first."""
        if self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (doc_id, place)).rowcount:
            return None
        return self._db.execute("SELECT place FROM seen WHERE doc_id = ?", (doc_id,)).fetchone()[0]
