"""The lexical index in SQLite: BM25 over each chunk's terms (terms.py), in the docstore's database (FTS5).

Its rows are written in the docstore's transactions, so adding or deleting an article updates it
in place. `chunk_terms` holds a chunk's terms (its article's title and dateline, then its text)
and the columns filters test; `chunk_search`, an FTS5 index over them (external content: the
triggers keep it equal to `chunk_terms`, whose rows go with their chunk's). The terms are
tokenised already: FTS5's ascii tokenizer only splits them at the spaces between them.

Ranking is FTS5's bm25(). FTS5 scores every chunk that holds any query term, and a common word
("new", "which") is in a good share of a large store's chunks; so on a large store a search first
has FTS5 score only the chunks holding one of the query's rarer terms (for all its terms), and
keeps that ranking when the limit-th score is above all that the common terms could give a chunk
without a rare one (MaxScore): the same result as the whole query, at a fraction of the work.
"""

import math
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from index.lexical.base import K1, conditions

# The rows, here and in tantivy.py's index.
CHUNK_TERMS = """
CREATE TABLE IF NOT EXISTS chunk_terms (
    id INTEGER PRIMARY KEY,
    node_id TEXT NOT NULL UNIQUE REFERENCES chunks(node_id) ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    source TEXT,
    date_ord INTEGER,
    terms TEXT NOT NULL
);
"""
# A store that used tantivy.py's index has no FTS5 index: it is rebuilt from the rows, and tantivy's queue goes.
SCHEMA = (
    CHUNK_TERMS
    + """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_search USING fts5(
    terms, content='chunk_terms', content_rowid='id', tokenize="ascii tokenchars '_'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_search, 'row');
CREATE TRIGGER IF NOT EXISTS chunk_terms_added AFTER INSERT ON chunk_terms BEGIN
    INSERT INTO chunk_search(rowid, terms) VALUES (new.id, new.terms);
END;
CREATE TRIGGER IF NOT EXISTS chunk_terms_removed AFTER DELETE ON chunk_terms BEGIN
    INSERT INTO chunk_search(chunk_search, rowid, terms) VALUES ('delete', old.id, old.terms);
END;
INSERT INTO chunk_search(chunk_search) SELECT 'rebuild'
WHERE NOT EXISTS (SELECT 1 FROM chunk_search_docsize) AND EXISTS (SELECT 1 FROM chunk_terms);
DROP TRIGGER IF EXISTS chunk_terms_queued;
DROP TRIGGER IF EXISTS chunk_terms_unqueued;
DROP TABLE IF EXISTS lexical_queue;
"""
)
# From this many chunks on, a search first scores only chunks with the query's rarer terms.
RARE_FIRST_FROM = 20000
# The common terms left out of that first search may add up to this share of what all terms can add.
COMMON_SHARE = 0.25


class SQLiteLexicalIndex:
    schema = SCHEMA

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock):
        self._db, self._lock = db, lock

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def document_frequency(self, term: str) -> int:
        """How many chunks hold `term` (a term as terms.py makes them)."""
        rows = self._rows("SELECT doc FROM chunk_vocab WHERE term = ?", (term,))
        return rows[0][0] if rows else 0

    def filled_at_end(self) -> AbstractContextManager[None]:
        """As PostgreSQL's: here FTS5's triggers index each row as fast as a bulk load would."""
        return nullcontext()

    def written(self) -> None:
        """Nothing to catch up: the index changes in the docstore's transactions."""

    def search(self, terms: list[str], limit: int, where: Sequence[tuple[str, str, object]] = (), any_of: bool = False) -> list[tuple[int, float]]:
        """(chunk_terms id, score) of the `limit` chunks BM25 ranks best for any of `terms`, best
        first, scores positive (FTS5's bm25() negated). `where` holds (column, operator, value)
        tests on FILTERS columns, all of which must hold (any one, with `any_of`)."""
        if not terms or limit <= 0:
            return []
        condition, params = conditions(where, any_of)
        with self._lock:
            begun = not self._db.in_transaction
            if begun:  # one snapshot: every statement below reads the same version of the index
                self._db.execute("BEGIN")
            try:
                return self._rare_first(terms, limit, condition, params) or self._top(_match(terms), limit, condition, params)
            finally:
                if begun:
                    self._db.execute("COMMIT")

    def _top(self, match: str, limit: int, condition: str, params: list) -> list[tuple[int, float]]:
        """(id, score) of the `limit` chunks that FTS5 ranks best for `match` and pass `condition`."""
        if condition:
            sql = (
                "SELECT t.id, -rank FROM chunk_search JOIN chunk_terms t ON t.id = chunk_search.rowid"
                f" WHERE chunk_search MATCH ? AND ({condition}) ORDER BY rank LIMIT ?"
            )
        else:
            sql = "SELECT rowid, -rank FROM chunk_search WHERE chunk_search MATCH ? ORDER BY rank LIMIT ?"
        return self._db.execute(sql, (match, *params, limit)).fetchall()

    def _rare_first(self, terms: list[str], limit: int, condition: str, params: list) -> list[tuple[int, float]] | None:
        """The whole query's ranking from FTS5 scoring only the chunks that hold one of its rarer
        terms (MaxScore); None when that cannot be proven to be the whole query's ranking."""
        chunks = self._chunks()
        if chunks < RARE_FIRST_FROM:
            return None
        counts = {term: self._db.execute("SELECT doc FROM chunk_vocab WHERE term = ?", (term,)).fetchone() for term in set(terms)}
        # The most each term can add to a chunk's score (FTS5's idf × (k1 + 1), once per time the query holds it).
        most = {term: terms.count(term) * (K1 + 1) * _idf(chunks, found[0] if found else 0) for term, found in counts.items()}
        ceiling = COMMON_SHARE * sum(most.values())
        while True:
            common, bound = set(), 0.0  # the commonest terms, while all they can add stays under the ceiling
            for share, term in sorted((share, term) for term, share in most.items()):
                if bound + share >= ceiling:
                    break
                common.add(term)
                bound += share
            rare = [term for term in terms if term not in common]
            if not common or not rare:
                return None
            best = self._rare_ranked(rare, [term for term in terms if term in common], limit, condition, params)
            if len(best) < limit:
                return None  # chunks with common terms only may be among the best
            if best[-1][1] >= bound:
                return best  # a chunk without a rare term scores at most `bound`: none is missing
            # The limit-th best score is at least best[-1]'s: fewer common terms stay under it, and pass.
            ceiling = best[-1][1]

    def _rare_ranked(self, rare: list[str], common: list[str], limit: int, condition: str, params: list) -> list[tuple[int, float]]:
        """The `limit` best chunks that hold a rare term, scored for all terms: FTS5 ranks those with
        common terms too, then those without, each scored for every phrase of the query."""
        with_common = self._top(f"({_match(rare)}) AND ({_match(common)})", limit, condition, params)
        without = self._top(f"({_match(rare)}) NOT ({_match(common)})", limit, condition, params)
        return sorted(with_common + without, key=lambda found: -found[1])[:limit]

    def _chunks(self) -> int:
        """How many chunks FTS5's bm25() counts: the first varint of its averages record (row 1 of its data table)."""
        found = self._db.execute("SELECT block FROM chunk_search_data WHERE id = 1").fetchone()
        return _varint(found[0], 0)[0] if found and found[0] else 0


def _idf(chunks: int, holding: int) -> float:
    """FTS5's bm25() idf of a term that `holding` of `chunks` hold."""
    return max(math.log((chunks - holding + 0.5) / (holding + 0.5)), 1e-6)


def _match(terms: list[str]) -> str:
    """An FTS5 query for any of `terms`, each quoted: no query text is ever read as FTS5 syntax."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """SQLite's variable-length integer at `position`, and the position after it."""
    value = 0
    for i in range(8):
        byte = data[position + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, position + i + 1
    return (value << 8) | data[position + 8], position + 9
