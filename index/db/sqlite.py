"""The default database: SQLite files in the store folder, locked for writers by a lock file."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from index.db.base import Database, WriteLock
from index.lexical.base import LexicalIndex

# Schema words that differ between dialects: a schema is written with these names in braces.
SQLITE_TYPES = {"blob": "BLOB", "now": "(datetime('now'))", "id": "INTEGER PRIMARY KEY"}


class FileWriteLock(WriteLock):
    """A lock file in the store folder: the processes of one machine."""

    def __init__(self, path: Path):
        self._lock = FileLock(path, preserve_lock_file=True)

    def acquire(self, wait: float) -> bool:
        try:
            if wait <= 0:
                self._lock.acquire(blocking=False)
            else:
                self._lock.acquire(timeout=wait)
            return True
        except Timeout:
            return False

    def release(self) -> None:
        self._lock.release()


class SQLiteDatabase(Database):
    dialect = "sqlite"
    types = SQLITE_TYPES

    def __init__(self, path: Path, lexical: str = "auto"):
        """The file at `path`, its lexical index FTS5's ("sqlite"), tantivy's in a folder beside it
        ("tantivy"), or "auto": the one the file has, tantivy's for a new one. A store opened with the
        other one is switched to it, so "auto" is the default: opening never rebuilds an index."""
        super().__init__(str(path))
        self.lexical = lexical
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self.connection.execute("PRAGMA foreign_keys = ON")
        self.connection.execute("PRAGMA journal_mode = WAL")

    def script(self, sql: str) -> None:
        with self._lock:
            self.connection.executescript(sql)

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self.connection.execute(sql, params).fetchall()

    def write(self, sql: str, params: tuple | list = ()) -> int:
        with self._lock:
            return self.connection.execute(sql, params).rowcount

    def write_many(self, sql: str, rows: list[tuple]) -> None:
        with self._lock:
            self.connection.executemany(sql, rows)

    def batches(self, sql: str, size: int = 1000) -> Iterator[list[tuple]]:
        with self._lock:
            cursor = self.connection.execute(sql)
            while batch := cursor.fetchmany(size):
                yield batch

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def lexical_index(self) -> LexicalIndex:
        if self.lexical == "tantivy" or (self.lexical == "auto" and not self.rows("SELECT 1 FROM sqlite_master WHERE name = 'chunk_search'")):
            from index.lexical.tantivy import TantivyLexicalIndex

            return TantivyLexicalIndex(self.connection, self._lock, Path(self.where).parent / "lexical.tantivy")
        from index.lexical.sqlite import SQLiteLexicalIndex

        return SQLiteLexicalIndex(self.connection, self._lock)

    def write_lock(self, folder: Path) -> WriteLock:
        return FileWriteLock(folder / "write.lock")

    def close(self) -> None:
        self.connection.close()
