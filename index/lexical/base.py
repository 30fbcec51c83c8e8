"""What a lexical index is (`LexicalIndex`), and the contract both dialects share: the `chunk_terms`
rows the docstore writes (`INSERT`, `row`, `terms_of`), the filters a search takes (`conditions`),
and FTS5's BM25 parameters (`K1`, `B`) that PostgreSQL's ranking reproduces.

A database's lexical index is one module here (sqlite.py, postgres.py) plus the one line of its
dialect's `Database.lexical_index` (index/db/) that returns it; tantivy.py is one kept beside an
SQLite docstore, chosen by a setting (BYLINE_LEXICAL_INDEX), and tantivy_mirror.py each server's
mirror of PostgreSQL's.
"""

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, cast

from index.articles import Article, date_ordinal
from index.lexical.terms import lexical_terms

# The columns of `chunk_terms` that a search can filter on (chunk metadata of the same name).
FILTERS = ("doc_id", "source", "date_ord")
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
INSERT = "INSERT INTO chunk_terms (node_id, doc_id, source, date_ord, terms) VALUES (?, ?, ?, ?, ?)"
# FTS5's bm25() parameters (fixed in SQLite).
K1, B = 1.2, 0.75


def terms_of(article: Article, text: str) -> str:
    """The terms a chunk of `article` with this text is indexed by."""
    return " ".join(lexical_terms(" ".join(part for part in (article.title, article.dateline, text) if part)))


def row(article: Article, node_id: str, text: str, terms: str | None = None) -> tuple:
    """The `chunk_terms` row of a chunk, for INSERT; `terms` is `terms_of(article, text)` when worked out already."""
    terms = terms_of(article, text) if terms is None else terms
    return (node_id, article.doc_id, article.source or None, date_ordinal(article.date), terms)


def conditions(where: Sequence[tuple[str, str, object]], any_of: bool) -> tuple[str, list[object]]:
    """The SQL test on `chunk_terms t` of a search's `where` (see `LexicalIndex.search`), and its parameters."""
    tests: list[str] = []
    params: list[object] = []
    for column, operator, value in where:
        if column not in FILTERS or operator not in OPERATORS:
            raise ValueError(f"lexical search cannot filter on {column} {operator}")
        values = list(cast(Iterable[object], value)) if operator.endswith("IN") else [value]
        tests.append(f"t.{column} {operator} " + (f"({','.join('?' * len(values))})" if operator.endswith("IN") else "?"))
        params.extend(values)
    return (" OR " if any_of else " AND ").join(tests), params


class LexicalIndex(Protocol):
    """A database's BM25 index over the `chunk_terms` rows."""

    schema: str  # its tables, created with the docstore's

    def document_frequency(self, term: str) -> int:
        """How many chunks hold `term` (a term as terms.py makes them)."""
        ...

    def filled_at_end(self) -> AbstractContextManager[None]:
        """A block whose rows may be indexed together at its end (a bulk fill)."""
        ...

    def written(self) -> None:
        """After the docstore commits a write: an index kept outside the database catches up with its rows."""
        ...

    def search(self, terms: list[str], limit: int, where: Sequence[tuple[str, str, object]] = (), any_of: bool = False) -> list[tuple[int, float]]:
        """(chunk_terms id, score) of the `limit` chunks BM25 ranks best for any of `terms`, best
        first, scores positive. `where` holds (column, operator, value) tests on FILTERS columns,
        all of which must hold (any one, with `any_of`)."""
        ...
