"""Sentence vectors kept in the store folder (sentence_vectors.sqlite3), by a hash of the sentence's text.

An ingest embeds every sentence of the articles it stores (BYLINE_SENTENCE_VECTORS), so that an answer
embeds only its question: the evidence ranker (rag/evidence.py) reads the vectors of the sentences it
weighs here and embeds, then keeps, those it does not find (a store built before, or by another machine
of a shared deployment: the file is each machine's own). A vector is the model's, stored as float32: it
reads back as the model gave it. Keyed by text, a sentence repeated in copies of a story is kept once; the
vectors of deleted articles stay (delete the file to reclaim the space: it is filled again as needed).
The key is 64 bits of the text's hash, the table's rowid: a row is its vector and a few bytes (a 16-byte
key in a WITHOUT ROWID table took 4.5 KB a sentence, each vector on an overflow page); two sentences of
a 100-million-sentence archive share a key with a chance of about 3 in 10,000.
"""

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

FILE = "sentence_vectors.sqlite3"
# The articles read per batch when filling the vectors of a whole store.
FILL_BATCH = 64
# Ten 1.5 KB vectors a page: on SQLite's default 4 KB pages two fit, 2.2 KB a sentence.
PAGE_SIZE = 16384
LOOKUP_KEYS = 900  # keys per query, well under SQLite's limit of bound values

Embed = Callable[[list[str]], list]  # texts -> their vectors


def sentence_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


class SentenceVectors:
    """The vectors of sentences by text; thread-safe, and shared by processes through SQLite's locks."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:  # opened at first use: a store that never asks or ingests has no file
            connection = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
            connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file's only
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key INTEGER PRIMARY KEY, vector BLOB NOT NULL)")
            self._connection = connection
        return self._connection

    def found(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those of `texts` that have one, by text."""
        keys = {sentence_key(text): text for text in texts}
        wanted, rows = list(keys), []
        with self._lock:
            for start in range(0, len(wanted), LOOKUP_KEYS):
                part = wanted[start : start + LOOKUP_KEYS]
                rows += self._db().execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part).fetchall()
        return {keys[key]: np.frombuffer(vector, dtype=np.float32) for key, vector in rows}

    def add(self, texts: list[str], vectors) -> None:
        self._insert([(sentence_key(text), np.asarray(vector, dtype=np.float32).tobytes()) for text, vector in zip(texts, vectors, strict=True)])

    def _insert(self, rows: list[tuple[int, bytes]]) -> None:
        if not rows:
            return
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def vectors(self, texts: list[str], embed: Embed) -> list[np.ndarray]:
        """The vector of each text: stored, or embedded by `embed` and stored."""
        found = self.found(texts)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            made = [np.asarray(vector, dtype=np.float32) for vector in embed(missing)]
            self.add(missing, made)
            found.update(zip(missing, made))
        return [found[text] for text in texts]

    def embed_missing(self, texts: list[str], embed: Embed) -> int:
        """Embed and keep those of `texts` not stored yet; how many that was."""
        found = self.found(texts)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            self.add(missing, embed(missing))
        return len(missing)

    def copy_to(self, target: "SentenceVectors", rows: int = 1000) -> int:
        """Every vector kept here into `target` (a store's copy: nothing is embedded again); how many."""
        if self._connection is None and not self.path.exists():
            return 0
        done = 0
        with self._lock:
            cursor = self._db().execute("SELECT key, vector FROM vectors")
            while batch := cursor.fetchmany(rows):
                target._insert(batch)
                done += len(batch)
        return done

    def count(self) -> int:
        with self._lock:
            return self._db().execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def sentence_texts(text: str, spans) -> list[str]:
    """The text of each sentence of an article, as the evidence ranker reads it."""
    return [text[span.start : span.end] for span in spans]


def fill(store, embed: Embed, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed the sentences of every stored article that has none stored (a store ingested before they were
    kept, or copied); how many sentences were embedded. `progress` is told (articles done, sentences embedded)."""
    done = embedded = 0
    for doc_ids in _id_batches(store):
        texts = []
        for doc_id in doc_ids:
            stored = store.docs.get(doc_id)
            if stored is not None:
                texts.extend(sentence_texts(stored.article.text, stored.sentences))
        embedded += store.sentence_vectors.embed_missing(texts, embed)
        done += len(doc_ids)
        if progress:
            progress(done, embedded)
    return embedded


def _id_batches(store) -> Iterator[list[str]]:
    doc_ids = sorted(store.docs.metadata())
    for start in range(0, len(doc_ids), FILL_BATCH):
        yield doc_ids[start : start + FILL_BATCH]
