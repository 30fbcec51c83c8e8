"""The database behind the docstore and the sources registry, chosen in one place (`open_database`):
SQLite files in the store folder (the default), or one shared PostgreSQL database
(BYLINE_DATABASE_URL, index/postgres.py) that any number of processes on any machines use at once.

SQL is written once, with `?` placeholders; a dialect says only what differs (a few type names
in the schemas, JSON access, the lexical index, the cross-process write lock). One connection
per database object, shared by the process's threads: every statement takes its lock.
"""

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

# Schema words that differ between dialects: a schema is written with these names in braces.
SQLITE_TYPES = {"blob": "BLOB", "now": "(datetime('now'))", "id": "INTEGER PRIMARY KEY"}


class WriteLock(ABC):
    """The store's cross-process write lock."""

    @abstractmethod
    def acquire(self, wait: float) -> bool:
        """Take the lock, waiting up to `wait` seconds (0: not at all); whether it was taken."""

    @abstractmethod
    def release(self) -> None: ...


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


class Database(ABC):
    dialect = ""
    types: dict[str, str] = {}

    def __init__(self, where: str):
        self.where = where  # what messages name: a file, or the database without its password
        self._lock = threading.RLock()

    def schema(self, template: str) -> str:
        """A schema written with `{blob}`, `{now}`, `{id}` in this dialect."""
        return template.format(**self.types)

    @abstractmethod
    def script(self, sql: str) -> None:
        """Run several statements without parameters (a schema)."""

    @abstractmethod
    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]: ...

    @abstractmethod
    def write(self, sql: str, params: tuple | list = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    def write_many(self, sql: str, rows: list[tuple]) -> None: ...

    @abstractmethod
    def batches(self, sql: str, size: int = 1000) -> Iterator[list[tuple]]:
        """The rows of a query, `size` at a time (call inside `transaction()`)."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All of it or nothing; other writers wait (this process's threads on the lock)."""

    @abstractmethod
    def json_text(self, column: str, key: str) -> str:
        """An SQL expression: the text of `key` in the JSON object in `column`."""

    @abstractmethod
    def lexical_index(self):
        """The lexical index kept in this database (index/lexical_index.py or index/lexical_postgres.py)."""

    @abstractmethod
    def write_lock(self, folder: Path) -> WriteLock:
        """The lock that writers to a store in `folder` on this database take."""

    @abstractmethod
    def close(self) -> None: ...


class SQLiteDatabase(Database):
    dialect = "sqlite"
    types = SQLITE_TYPES

    def __init__(self, path: Path):
        super().__init__(str(path))
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

    def lexical_index(self):
        from index.lexical_index import LexicalIndex

        return LexicalIndex(self.connection, self._lock)

    def write_lock(self, folder: Path) -> WriteLock:
        return FileWriteLock(folder / "write.lock")

    def close(self) -> None:
        self.connection.close()


def open_database(url: str, path: Path) -> Database:
    """The PostgreSQL database at `url` (postgresql://…), or with no url the SQLite file at `path`."""
    if not url:
        return SQLiteDatabase(path)
    from index.postgres import PostgresDatabase

    return PostgresDatabase(url)
