"""The lexical index in tantivy (a Rust search engine: BM25 with block-max WAND), in a folder beside
an SQLite docstore (BYLINE_LEXICAL_INDEX=tantivy).

The `chunk_terms` rows stay in the docstore's database, written in its transactions as with FTS5,
and search results are joined to them by id. Triggers queue the id of every row added or deleted
(`lexical_queue`) in the same transaction; after each write (`written`) the queue is applied to
tantivy (each queued chunk's document deleted, then added again from its row if the row is still
there), committed, and only then emptied up to what was applied. A write cut short in between
leaves its queue to the next write or the next open, so a committed change is never missed.
Opening a store without the index folder (a new store, or one that used FTS5) or whose queue
was dropped (it was opened with FTS5 since) builds the index from all the rows; FTS5's tables go.

Ranking is FTS5's bm25() as tantivy computes BM25 (k1 = 1.2, b = 0.75, over the same terms): each
query term is boosted by FTS5's idf over tantivy's (ln((N - n + 0.5) / (n + 0.5)), at least 1e-6,
over ln(1 + (N - n + 0.5) / (n + 0.5))) and by how many times the query holds it. Scores then
differ from FTS5's only where tantivy keeps a chunk's length in one byte (exact up to 40 terms,
within a few percent above) and counts a deleted chunk's terms until it merges its segment.
"""

import math
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, cast

import tantivy
from tantivy import Occur, Query

from index.lexical.base import FILTERS, OPERATORS
from index.lexical.sqlite import CHUNK_TERMS

QUEUE = "lexical_queue"
SCHEMA = (
    CHUNK_TERMS
    + f"""
CREATE TABLE IF NOT EXISTS {QUEUE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS chunk_terms_queued AFTER INSERT ON chunk_terms BEGIN
    INSERT INTO {QUEUE} (id) VALUES (new.id);
END;
CREATE TRIGGER IF NOT EXISTS chunk_terms_unqueued AFTER DELETE ON chunk_terms BEGIN
    INSERT INTO {QUEUE} (id) VALUES (old.id);
END;
DROP TRIGGER IF EXISTS chunk_terms_added;
DROP TRIGGER IF EXISTS chunk_terms_removed;
DROP TABLE IF EXISTS chunk_vocab;
DROP TABLE IF EXISTS chunk_search;
"""
)
ROWS = "SELECT id, doc_id, source, date_ord, terms FROM chunk_terms"
# Another process applying its queue holds tantivy's writer: wait this long for it.
WRITER_WAIT = 30.0
WRITER_HEAP = 64_000_000
# From this many queued changes on (a bulk fill), the index is built again from all the rows, read a batch at a time.
REBUILD_FROM = 50_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    builder.add_text_field("doc_id", tokenizer_name="raw", fast=True)
    builder.add_text_field("source", tokenizer_name="raw", fast=True)
    builder.add_integer_field("date_ord", indexed=True, fast=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")  # the terms are tokenised already
    return builder.build()


class TantivyIndex:
    """tantivy's side of a lexical index kept in a folder: its documents, its writer, and BM25 search as FTS5's.
    Where the rows come from and how changes reach it is the subclass's."""

    _deferred = False  # in a bulk fill's block: changes wait for its end

    @contextmanager
    def filled_at_end(self) -> Iterator[None]:
        """Rows written in the block are applied together at its end (also after a failure)."""
        self._deferred = True
        try:
            with self._filling():
                yield
        finally:
            self._deferred = False
            self.written()

    def _filling(self) -> AbstractContextManager[None]:
        """What else a bulk fill's block runs in."""
        return nullcontext()

    def written(self) -> None:
        """Bring the folder up to date with the rows' changes (each subclass knows where to find them)."""
        raise NotImplementedError

    def _start(self, folder: Path, keep: bool) -> bool:
        """Open the index in `folder` (when `keep`), else, or where there is none, make an empty one; whether it was kept."""
        self._folder, self._schema = folder, _schema()
        found = self._open() if keep else None
        if found is None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        self._index = found or tantivy.Index(self._schema, path=str(folder))
        self._index.config_reader("manual")  # each search reloads: it sees every commit before it, from any process
        return found is not None

    def _open(self) -> "tantivy.Index | None":
        """The index in the folder; None where there is none, or it cannot be read."""
        try:
            return tantivy.Index.open(str(self._folder)) if tantivy.Index.exists(str(self._folder)) else None
        except ValueError:
            return None

    def document_frequency(self, term: str) -> int:
        """How many chunks hold `term` (a term as terms.py makes them)."""
        query = Query.term_query(self._schema, "terms", term, index_option="freq")
        found: Any = self._searcher().search(query, 1, count=True)  # (the stubs lack SearchResult.count)
        return found.count or 0

    def _searcher(self) -> tantivy.Searcher:
        self._index.reload()  # 60 µs on a 100k-chunk index
        return self._index.searcher()

    @contextmanager
    def _writer(self, threads: int = 1) -> Iterator[tantivy.IndexWriter]:
        """Tantivy's writer, waiting up to WRITER_WAIT for another process to let it go."""
        waited = 0.0
        while True:
            try:
                writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=threads)
                break
            except ValueError as error:
                if "LockBusy" not in str(error) or waited >= WRITER_WAIT:
                    raise
                time.sleep(0.05)
                waited += 0.05
        try:
            yield writer
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # its merges finished, and its lock let go

    def search(self, terms: list[str], limit: int, where: Sequence[tuple[str, str, object]] = (), any_of: bool = False) -> list[tuple[int, float]]:
        """(chunk_terms id, BM25 score) of the `limit` chunks tantivy ranks best for any of `terms`,
        best first. `where` holds (column, operator, value) tests on FILTERS columns, all of which
        must hold (any one, with `any_of`); text columns are compared by equality only."""
        if not terms or limit <= 0:
            return []
        searcher = self._searcher()
        chunks = searcher.num_docs
        shares = {term: times * _as_fts5(chunks, min(searcher.doc_freq("terms", term), chunks)) for term, times in Counter(terms).items()}
        if not any(shares.values()):
            return []
        query = Query.boolean_query(
            [
                (Occur.Should, Query.boost_query(Query.term_query(self._schema, "terms", term, index_option="freq"), share))
                for term, share in shares.items()
                if share
            ]
        )
        if where:
            tests = Query.boolean_query([(Occur.Should if any_of else Occur.Must, self._test(*test)) for test in where])
            query = Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(tests, 0.0))])
        hits = searcher.search(query, limit, count=False).hits
        ids = searcher.fast_field_values("id", [address for _, address in hits])
        return [(cast(int, id), score) for (score, _), id in zip(hits, ids)]  # "id" is an integer field

    def _test(self, column: str, operator: str, value: object) -> Query:
        """The documents whose `column` passes `operator` `value` as SQL would have it (a missing value passes none)."""
        if column not in FILTERS or operator not in OPERATORS or (column != "date_ord" and operator[0] in "<>"):
            raise ValueError(f"lexical search cannot filter on {column} {operator}")
        if operator in ("=", "!="):
            matching = Query.term_query(self._schema, column, value)
        elif operator.endswith("IN"):
            matching = Query.term_set_query(self._schema, column, list(value))  # type: ignore[call-overload]
        else:
            bounded = {"include_lower": operator == ">="} if operator[0] == ">" else {"include_upper": operator == "<="}
            bound = int(cast(int, value))
            lower, upper = (bound, None) if operator[0] == ">" else (None, bound)
            matching = Query.range_query(self._schema, column, tantivy.FieldType.Integer, lower, upper, **bounded)
        if operator in ("!=", "NOT IN"):
            return Query.boolean_query([(Occur.Must, Query.exists_query(column)), (Occur.MustNot, matching)])
        return matching

    @staticmethod
    def _replace(writer: tantivy.IndexWriter, ids: list[int], rows: list[tuple]) -> None:
        """Each of `ids`' documents deleted, then added again from its row where it still has one."""
        for id in ids:
            writer.delete_documents_by_term("id", id)
        TantivyIndex._add(writer, rows)

    @staticmethod
    def _add(writer: tantivy.IndexWriter, rows: Iterable[tuple]) -> None:
        """A document for each `chunk_terms` row (`ROWS`' columns)."""
        for row in rows:
            writer.add_document(_document(*row))


class TantivyLexicalIndex(TantivyIndex):
    schema = ""  # its tables are made as it opens, before the index is brought up to date with them

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, folder: Path):
        self._db, self._lock = db, lock
        with lock:
            queued = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (QUEUE,)).fetchone() is not None
            db.executescript(SCHEMA)
        if self._start(folder, keep=queued):
            self.written()
        else:
            self._rebuild()

    def written(self) -> None:
        """Apply the queued changes to tantivy, then empty the queue up to them."""
        if self._deferred:
            return
        with self._lock:
            queued = self._db.execute(f"SELECT count(*) FROM {QUEUE}").fetchone()[0]
        if queued >= REBUILD_FROM:
            self._rebuild()
        elif queued:
            self._apply()

    def _apply(self) -> None:
        with self._writer() as writer, self._lock:
            with self._snapshot():  # the queue and the rows it names
                last = self._db.execute(f"SELECT max(seq) FROM {QUEUE}").fetchone()[0]
                ids = [id for (id,) in self._db.execute(f"SELECT DISTINCT id FROM {QUEUE} WHERE seq <= ?", (last,))]
                rows = self._db.execute(f"{ROWS} WHERE id IN (SELECT id FROM {QUEUE} WHERE seq <= ?)", (last,)).fetchall()
            if last is None:  # another process applied it meanwhile
                return
            self._replace(writer, ids, rows)
            writer.commit()
            self._db.execute(f"DELETE FROM {QUEUE} WHERE seq <= ?", (last,))

    def _rebuild(self) -> None:
        """Index every row, as the only documents."""
        with self._writer(threads=0) as writer, self._lock:
            with self._snapshot():
                last = self._db.execute(f"SELECT coalesce(max(seq), 0) FROM {QUEUE}").fetchone()[0]
                writer.delete_all_documents()
                self._add(writer, self._db.execute(ROWS))
            writer.commit()
            self._db.execute(f"DELETE FROM {QUEUE} WHERE seq <= ?", (last,))

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction (where none is open already): what it reads is one version of the database."""
        begun = not self._db.in_transaction
        if begun:
            self._db.execute("BEGIN")
        try:
            yield
        finally:
            if begun:
                self._db.execute("COMMIT")


def _as_fts5(chunks: int, holding: int) -> float:
    """The boost that turns tantivy's idf of a term `holding` of `chunks` hold into FTS5's (0: none hold it)."""
    if not holding:
        return 0.0
    tantivy_idf = math.log(1 + (chunks - holding + 0.5) / (holding + 0.5))
    return max(math.log((chunks - holding + 0.5) / (holding + 0.5)), 1e-6) / tantivy_idf


def _document(id: int, doc_id: str, source: str | None, date_ord: int | None, terms: str) -> tantivy.Document:
    document = tantivy.Document(id=id, doc_id=doc_id, terms=terms)
    if source is not None:
        document.add_text("source", source)
    if date_ord is not None:
        document.add_integer("date_ord", date_ord)
    return document
