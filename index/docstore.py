"""The sidecar docstore: full article texts, sentence offsets and chunk texts, in SQLite or PostgreSQL.

Chroma holds the vectors; this holds what citations need to be shown in context, and the lexical
index (index/lexical/: sqlite.py in SQLite, postgres.py in PostgreSQL), written in the
same transactions as the chunks. Its `state` table holds the store's generation, bumped by every
change, so that readers in other processes notice writes. The SQL is the same for both databases
(index/db/ says what differs).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.lexical import base as lexical
from index.articles import Article
from index.db import Database
from index.db.sqlite import SQLiteDatabase
from index import search_text
from index.sentences import Span

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    meta TEXT NOT NULL,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT {now}
);
CREATE TABLE IF NOT EXISTS chunks (
    node_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES articles(doc_id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Copy groups (index/copies.py): each article's MinHash signature and the group of its copies.
_COPY_SCHEMA = """
CREATE TABLE IF NOT EXISTS copy_groups (
    doc_id TEXT PRIMARY KEY REFERENCES articles(doc_id) ON DELETE CASCADE,
    group_id TEXT NOT NULL,
    signature {blob} NOT NULL,
    method TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS copy_groups_group ON copy_groups(group_id);
"""
GENERATION = "generation"
# Set while a write may have left Chroma and this docstore apart: the next ingest repairs the store.
UNFINISHED = "unfinished_write"


@dataclass
class StoredChunk:
    node_id: str
    doc_id: str
    ord: int
    first_sentence: int
    last_sentence: int
    text: str


@dataclass
class StoredArticle:
    article: Article
    sentences: list[Span]
    chunks: int = 0

    def sentence_text(self, index: int) -> str:
        span = self.sentences[index]
        return self.article.text[span.start : span.end]

    def span_text(self, first: int, last: int) -> str | None:
        """The text of sentences first..last-1, as a chunk holds it; None if this version has no such sentences."""
        if not 0 <= first < last <= len(self.sentences):
            return None
        return self.article.text[self.sentences[first].start : self.sentences[last - 1].end]


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


class DocStore:
    def __init__(self, database: "Database | Path"):
        """On `database` (index/db's `open_database`), or a path: an SQLite file there."""
        self.database = database if isinstance(database, Database) else SQLiteDatabase(Path(database))
        self.database.script(self.database.schema(_SCHEMA + _COPY_SCHEMA + search_text.schema(self.database.dialect)))
        self.lexical = self.database.lexical_index()
        self.database.script(self.lexical.schema)
        # How often this connection bumped the generation: a generation that moved by more means another process wrote.
        self.bumped_here = 0

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.database.rows(sql, params)

    def _write(self, sql: str, params: tuple = ()) -> int:
        return self.database.write(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write: all of it or nothing, and the generation bumped with it."""
        with self.database.transaction():
            yield
            self.bump()
        self.lexical.written()

    def _state(self, key: str) -> int:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else 0

    def _set_state(self, key: str, value: int) -> None:
        self._write("INSERT INTO state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def generation(self) -> int:
        """A number that every change to the store's articles (here or in Chroma) increases."""
        return self._state(GENERATION)

    def bump(self) -> None:
        self.bumped_here += 1
        self._write("INSERT INTO state VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = state.value + 1", (GENERATION,))

    def manifest(self, wanted: dict) -> dict:
        """The settings the store is built with: `wanted`, if this is the first time it is asked."""
        self._write("INSERT INTO manifest VALUES (?, ?) ON CONFLICT (key) DO NOTHING", ("store", json.dumps(wanted)))
        return json.loads(self._rows("SELECT value FROM manifest WHERE key = ?", ("store",))[0][0])

    def unfinished(self) -> bool:
        return bool(self._state(UNFINISHED))

    def set_unfinished(self, value: bool) -> None:
        self._set_state(UNFINISHED, int(value))

    def hashes(self) -> dict[str, str]:
        return dict(self._rows("SELECT doc_id, hash FROM articles"))

    def hashes_of(self, doc_ids: list[str]) -> dict[str, str]:
        """The content hash of each of these articles that is stored."""
        if not doc_ids:
            return {}
        return dict(self._rows(f"SELECT doc_id, hash FROM articles WHERE doc_id IN ({_marks(doc_ids)})", tuple(doc_ids)))

    def chunks(self) -> list[StoredChunk]:
        return [StoredChunk(*row) for row in self._rows("SELECT * FROM chunks ORDER BY doc_id, ord")]

    def chunks_where(self, column: str, values: list[str]) -> list[StoredChunk]:
        """The chunks whose `column` (node_id or doc_id) is one of `values`."""
        if column not in ("node_id", "doc_id"):
            raise ValueError(f"chunks are selected by node_id or doc_id, not {column}")
        if not values:
            return []
        return [StoredChunk(*row) for row in self._rows(f"SELECT * FROM chunks WHERE {column} IN ({_marks(values)})", tuple(values))]

    def chunk_ids(self, size: int = 5000) -> Iterator[list[tuple[str, str]]]:
        """(node_id, doc_id) of every chunk, `size` at a time, in node_id order (a page per query)."""
        after = ""
        while batch := self._rows("SELECT node_id, doc_id FROM chunks WHERE node_id > ? ORDER BY node_id LIMIT ?", (after, size)):
            yield batch
            after = batch[-1][0]

    def put(self, article: Article, sentences: list[Span], chunks: list[StoredChunk], terms: list[str] | None = None) -> None:
        """Replace an article and its chunks (each chunk's lexical terms, if worked out already); call inside `transaction()`."""
        self._write("DELETE FROM articles WHERE doc_id = ?", (article.doc_id,))
        self._write(
            "INSERT INTO articles (doc_id, hash, meta, text, sentences) VALUES (?, ?, ?, ?, ?)",
            (
                article.doc_id,
                article.content_hash(),
                json.dumps(article.describe()),
                article.text,
                json.dumps([list(s) for s in sentences]),
            ),
        )
        self._write(search_text.INSERT, search_text.row(article))
        self.database.write_many(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            [(c.node_id, c.doc_id, c.ord, c.first_sentence, c.last_sentence, c.text) for c in chunks],
        )
        terms = terms or [None] * len(chunks)
        self.database.write_many(lexical.INSERT, [lexical.row(article, c.node_id, c.text, t) for c, t in zip(chunks, terms)])

    def lexical_search(
        self, terms: list[str], limit: int, where: list[tuple[str, str, object]] = (), any_of: bool = False
    ) -> list[tuple[StoredChunk, Article, float]]:
        """The chunks of `LexicalIndex.search`, each with its article (text left empty) and score."""
        ranked = self.lexical.search(terms, limit, where, any_of)
        if not ranked:
            return []
        rows = self._rows(
            "SELECT t.id, c.node_id, c.doc_id, c.ord, c.first_sentence, c.last_sentence, c.text, a.meta FROM chunk_terms t"
            " JOIN chunks c ON c.node_id = t.node_id JOIN articles a ON a.doc_id = c.doc_id"
            f" WHERE t.id IN ({_marks(ranked)})",
            tuple(rowid for rowid, _ in ranked),
        )
        found = {row[0]: (StoredChunk(*row[1:7]), Article(text="", **json.loads(row[7]))) for row in rows}
        return [(*found[rowid], score) for rowid, score in ranked if rowid in found]

    def delete(self, doc_id: str) -> bool:
        return self.delete_many([doc_id]) > 0

    def delete_many(self, doc_ids: list[str]) -> int:
        """Delete these articles in one transaction; how many of them were stored."""
        with self.transaction():
            parts = [doc_ids[start : start + 500] for start in range(0, len(doc_ids), 500)]
            return sum(self._write(f"DELETE FROM articles WHERE doc_id IN ({','.join('?' * len(part))})", tuple(part)) for part in parts)

    def chunk_rows(self, node_ids: list[str]) -> dict[str, tuple[int, int, str]]:
        """(first_sentence, last_sentence, text) of each of these chunks that is stored, by node_id."""
        if not node_ids:
            return {}
        rows = self._rows(
            f"SELECT node_id, first_sentence, last_sentence, text FROM chunks WHERE node_id IN ({_marks(node_ids)})",
            tuple(node_ids),
        )
        return {node_id: (first, last, text) for node_id, first, last, text in rows}

    def get(self, doc_id: str) -> StoredArticle | None:
        rows = self._rows(
            "SELECT a.meta, a.text, a.sentences, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = a.doc_id) FROM articles a WHERE a.doc_id = ?",
            (doc_id,),
        )
        if not rows:
            return None
        meta, text, sentences, chunks = rows[0]
        article = Article(text=text, **json.loads(meta))
        return StoredArticle(article, [Span(*s) for s in json.loads(sentences)], chunks)

    def sources(self) -> list[str]:
        """The distinct non-empty article sources, in code point order."""
        source = self.database.json_text("meta", "source")
        return sorted(found for (found,) in self._rows(f"SELECT DISTINCT {source} FROM articles WHERE {source} <> ''"))

    def list(self, offset: int = 0, limit: int = 50) -> list[StoredArticle]:
        """Articles without their text, newest ingest first."""
        rows = self._rows(
            "SELECT a.meta, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = a.doc_id) FROM articles a ORDER BY a.ingested_at DESC, a.doc_id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [StoredArticle(Article(text="", **json.loads(meta)), [], chunks) for meta, chunks in rows]

    def metadata(self, doc_ids: "list[str] | None" = None) -> dict[str, Article]:
        """Every article's metadata (text left empty), or these articles', by doc_id."""
        if doc_ids is None:
            rows = self._rows("SELECT meta FROM articles")
        else:
            rows = self._rows(f"SELECT meta FROM articles WHERE doc_id IN ({_marks(doc_ids)})", tuple(doc_ids)) if doc_ids else []
        return {a.doc_id: a for a in (Article(text="", **json.loads(meta)) for (meta,) in rows)}

    def count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM articles")[0][0]

    def chunk_count(self) -> int:
        return self._rows("SELECT COUNT(*) FROM chunks")[0][0]

    # --- copy groups: copies of one story (index/copies.py) ------------------------
    def placements(self, method: str) -> "list[tuple[str, str, bytes]]":
        """(doc_id, group_id, signature) of every article placed by `method`."""
        return self._rows("SELECT doc_id, group_id, signature FROM copy_groups WHERE method = ?", (method,))

    def unplaced(self, method: str, among: "list[str] | None" = None) -> "list[str]":
        """Articles not yet placed by `method` (stored before it, or placed another way), oldest first; with
        `among`, only those of these articles."""
        if among is not None and not among:
            return []
        within = f" AND a.doc_id IN ({_marks(among)})" if among is not None else ""
        rows = self._rows(
            "SELECT a.doc_id FROM articles a LEFT JOIN copy_groups s ON s.doc_id = a.doc_id AND s.method = ?"
            f" WHERE s.doc_id IS NULL{within} ORDER BY a.ingested_at, a.doc_id",
            (method, *(among or [])),
        )
        return [doc_id for (doc_id,) in rows]

    def text(self, doc_id: str) -> str | None:
        rows = self._rows("SELECT text FROM articles WHERE doc_id = ?", (doc_id,))
        return rows[0][0] if rows else None

    def place(self, doc_id: str, group_id: str, signature: bytes, method: str) -> None:
        """Record a stored article's copy group; call inside `transaction()`."""
        self._write(
            "INSERT INTO copy_groups VALUES (?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET"
            " group_id = excluded.group_id, signature = excluded.signature, method = excluded.method",
            (doc_id, group_id, signature, method),
        )

    def copy_groups(self, doc_ids: "list[str]") -> dict[str, str]:
        """The copy group of each of these articles that has copies."""
        if not doc_ids:
            return {}
        rows = self._rows(
            f"SELECT s.doc_id, s.group_id FROM copy_groups s WHERE s.doc_id IN ({_marks(doc_ids)})"
            " AND EXISTS (SELECT 1 FROM copy_groups o WHERE o.group_id = s.group_id AND o.doc_id <> s.doc_id)",
            tuple(doc_ids),
        )
        return dict(rows)

    def copies(self, doc_ids: "list[str]") -> "dict[str, list[Article]]":
        """The other articles of each one's copy group (metadata only, text left empty), by doc_id."""
        if not doc_ids:
            return {}
        rows = self._rows(
            "SELECT s.doc_id, a.meta FROM copy_groups s JOIN copy_groups o ON o.group_id = s.group_id"
            f" AND o.doc_id <> s.doc_id JOIN articles a ON a.doc_id = o.doc_id WHERE s.doc_id IN ({_marks(doc_ids)})"
            " ORDER BY s.doc_id, a.doc_id",
            tuple(doc_ids),
        )
        found: "dict[str, list[Article]]" = {}
        for doc_id, meta in rows:
            found.setdefault(doc_id, []).append(Article(text="", **json.loads(meta)))
        return found

    def close(self) -> None:
        self.database.close()
