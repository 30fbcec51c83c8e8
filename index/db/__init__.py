"""The database behind the docstore and the feeds registry, chosen in one place (`open_database`):
SQLite files in the store folder (the default, sqlite.py), or one shared PostgreSQL database
(BYLINE_DATABASE_URL, postgres.py) that any number of processes on any machines use at once.

The extension point for another database is one module here implementing base.Database, plus one
line in `open_database`.
"""

from pathlib import Path

from index.db.base import Database, WriteLock

__all__ = ["Database", "WriteLock", "open_database"]


def open_database(url: str, path: Path, lexical: str = "auto") -> Database:
    """The PostgreSQL database at `url` (postgresql://…), or with no url the SQLite file at `path`
    with the `lexical` index (index/db/sqlite.py's); PostgreSQL's index is mirrored in tantivy in a folder
    beside `path` (index/lexical/tantivy_mirror.py), or with "sqlite" used alone, as the database's own."""
    if not url:
        from index.db.sqlite import SQLiteDatabase

        return SQLiteDatabase(path, lexical)
    from index.db.postgres import PostgresDatabase

    return PostgresDatabase(url, lexical, path.parent / "lexical.tantivy")
