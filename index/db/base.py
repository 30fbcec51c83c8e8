"""What every database behind the docstore and the feeds registry does (`Database`), and its
cross-process write lock (`WriteLock`): a dialect is one module in index/db/ implementing them.

SQL is written once, with `?` placeholders; a dialect says only what differs (a few type names
in the schemas, JSON access, the lexical index, the cross-process write lock). One connection
per database object, shared by the process's threads: every statement takes its lock.
"""

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from index.lexical.base import LexicalIndex


class WriteLock(ABC):
    """The store's cross-process write lock."""

    @abstractmethod
    def acquire(self, wait: float) -> bool:
        """Take the lock, waiting up to `wait` seconds (0: not at all); whether it was taken."""

    @abstractmethod
    def release(self) -> None: ...


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
    def lexical_index(self) -> LexicalIndex:
        """The lexical index kept in this database (index/lexical/: sqlite.py or postgres.py)."""

    @abstractmethod
    def write_lock(self, folder: Path) -> WriteLock:
        """The lock that writers to a store in `folder` on this database take."""

    @abstractmethod
    def close(self) -> None: ...
