"""The store: the vectors (index/vector_store/, Chroma) and the sidecar docstore (texts and the lexical index), kept in sync.

Embedded (the default), both live in the store folder: Chroma's PersistentClient and SQLite. Shared,
the vectors are in a Chroma server (BYLINE_CHROMA_URL) and the docstore in PostgreSQL
(BYLINE_DATABASE_URL), for any number of processes on any machines.

Writers (ingest, upload, delete), in this process or another, take the store's write lock one at a
time (a lock file, or PostgreSQL's advisory lock). Readers take no lock: an embedded Chroma is
reopened when the docstore's generation says another process wrote (a Chroma server sees every
write); the lexical index changes in the transactions that change the texts.
"""

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from index.corrections import Corrections, Withdrawn, checked_reason, utc_now
from index.db import open_database
from index.docstore import DocStore
from index.embedding import load_embedding, model_name, resolve_device
from index.migrations import KEY as FORMAT_VERSION
from index.migrations import VERSION, upgrade
from index.sentence_vectors import FILE as SENTENCE_VECTORS, SentenceVectors
from index.settings import IndexSettings
from index.vector_store import VectorStore, open_vector_store

if TYPE_CHECKING:
    from index.ingest import KeptGrouper

MANIFEST = "byline.json"

log = logging.getLogger(__name__)


class OpenedVectors(NamedTuple):
    vectors: VectorStore
    generation: int  # the docstore's generation when they were opened: a later one means another process wrote


class StoreMismatch(RuntimeError):
    """The store was built with other settings than the ones in force."""


class StoreBusy(RuntimeError):
    """Another process kept writing to the store for longer than this one would wait."""


class Store:
    def __init__(self, settings: IndexSettings):
        self.settings = settings
        self.path = Path(settings.store)
        self.path.mkdir(parents=True, exist_ok=True)
        self.docs = DocStore(open_database(settings.database_url, self.path / "articles.sqlite3", settings.lexical_index))
        self.corrections = Corrections(self.docs.database)
        self._check_manifest()
        if settings.device == "cuda":
            resolve_device("cuda")  # no GPU: a clear error now, not at the first embedding
        self._shared_lock = self.docs.database.write_lock(self.path)
        self._write_lock = threading.Lock()  # one writing thread; the shared lock keeps other processes out
        self._chroma_server = settings.chroma_url
        self._open_lock = threading.Lock()
        self._vectors: OpenedVectors | None = None
        self._close_vectors = None  # closes the latest vectors opened (replaced ones are left to finish their requests)
        self._writing_here = False
        self.sentence_vectors = SentenceVectors(self.path / SENTENCE_VECTORS)
        # The copy grouper of the last ingest here (index/ingest.py); a write to the copy groups other than
        # `group_copies` sets it back to None.
        self.copy_grouper: "KeptGrouper | None" = None

    @staticmethod
    def manifest_for(settings: IndexSettings) -> dict:
        """The settings a store is built with (a store opens only with the same ones) and its format version."""
        return {
            "embed_model": Path(model_name(settings)).name,
            "chunk_words": settings.chunk_words,
            "chunk_overlap_sentences": settings.chunk_overlap_sentences,
            FORMAT_VERSION: VERSION,
        }

    def _check_manifest(self) -> None:
        """The store folder's manifest file; a shared database's own, which every process checks. An
        older format is upgraded (index/migrations.py)."""
        file = self.path / MANIFEST
        wanted = self.manifest_for(self.settings)
        if self.settings.database_url:
            found, where = self.docs.manifest(wanted), f"in {self.docs.database.where}"
            save = self._save_shared_manifest
        else:
            found, where = json.loads(file.read_text()) if file.exists() else wanted, f"at {self.path}"
            if not file.exists():
                file.write_text(json.dumps(wanted, indent=2))
            save = lambda manifest: file.write_text(json.dumps(manifest, indent=2))  # noqa: E731
        found = upgrade(self, found, where, save)
        if found != wanted:
            raise StoreMismatch(f"The store {where} was built with {found}, not {wanted}. Use another --store, or delete this one and ingest again.")

    def _save_shared_manifest(self, manifest: dict) -> None:
        self.docs.database.write("UPDATE manifest SET value = ? WHERE key = ?", (json.dumps(manifest), "store"))

    @property
    def embed_model(self):
        return load_embedding(self.settings)

    # --- the vectors -------------------------------------------------------------------
    @property
    def vectors(self) -> VectorStore:
        return self._opened().vectors

    @property
    def vector_store(self):
        """The vectors as a llama-index vector store (for VectorStoreIndex, and adding embedded nodes)."""
        return self.vectors.retrieval

    def _opened(self) -> OpenedVectors:
        if self._vectors is None:
            with self._open_lock:
                if self._vectors is None:
                    self._vectors = self._open_vectors()
        return self._vectors

    def _open_vectors(self) -> OpenedVectors:
        generation = self.docs.generation()  # read first: a write after it makes the next refresh reopen
        vectors = open_vector_store(self.path, self._chroma_server, self._stored_texts)
        self._close_vectors = vectors.close
        return OpenedVectors(vectors, generation)

    def _stored_texts(self, node_ids: list[str]) -> dict[str, str]:
        return {node_id: row[2] for node_id, row in self.docs.chunk_rows(node_ids).items()}

    def close(self) -> None:
        """Close Chroma's clients and the docstore's connection; the store is not used after."""
        with self._open_lock:
            self._vectors, close_vectors, self._close_vectors = None, self._close_vectors, None
        if close_vectors:
            close_vectors()
        self.sentence_vectors.close()
        self.docs.close()

    def refresh(self) -> None:
        """Reopen Chroma if another process changed the store since it was opened (cheap otherwise)."""
        if self._vectors is None or self._chroma_server or self._writing_here or self.docs.generation() == self._vectors.generation:
            return
        with self._open_lock:
            if not self._writing_here and self.docs.generation() != self._vectors.generation:
                self._vectors = self._open_vectors()

    # --- writing -----------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: wait for another writer (BYLINE_WRITE_WAIT seconds at most)."""
        with self._write_lock:
            self._take_write_lock()
            try:
                with self._open_lock:
                    if self._vectors is not None and not self._chroma_server and self.docs.generation() != self._vectors.generation:
                        self._vectors = self._open_vectors()
                    self._writing_here = True
                try:
                    yield
                finally:
                    with self._open_lock:
                        if self._vectors is not None:  # this client made every change since it was opened
                            self._vectors = self._vectors._replace(generation=self.docs.generation())
                        self._writing_here = False
            finally:
                self._shared_lock.release()

    def _take_write_lock(self) -> None:
        if self._shared_lock.acquire(0):
            return
        wait, where = self.settings.write_wait, self.docs.database.where if self.settings.database_url else self.path
        log.warning("%s: another process is writing to this store; waiting up to %g s for it to finish…", where, wait)
        if not self._shared_lock.acquire(wait):
            raise StoreBusy(
                f"{where}: another process (an ingest, upload or delete) is still writing to this store "
                f"after {wait:g} s; run this again when it has finished, or wait longer with BYLINE_WRITE_WAIT"
            )

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Mark the store unfinished while Chroma and the docstore may disagree; the next ingest repairs it."""
        already = self.docs.unfinished()
        self.docs.set_unfinished(True)
        yield
        if not already:
            self.docs.set_unfinished(False)

    def delete(self, doc_id: str) -> bool:
        """Remove an article from every part of the store."""
        return self.delete_many([doc_id]) > 0

    def delete_many(self, doc_ids: list[str]) -> int:
        """Remove many articles at once (one write lock, one Chroma delete per thousand, one docstore
        transaction); how many of them were stored."""
        if not doc_ids:
            return 0
        with self.writing():
            with self.changing():
                self.delete_vectors(doc_ids)
                return self.docs.delete_many(doc_ids)

    def withdraw(self, doc_id: str, reason: str, by: str = "") -> Withdrawn:
        """Remove an article from every part of the store, keeping why: no ingest, upload or feed sync
        stores it again (index/ingest.py). Withdrawing it again replaces the reason. LookupError when it
        is neither stored nor withdrawn."""
        reason = checked_reason(reason)
        with self.writing():
            stored = self.docs.metadata([doc_id]).get(doc_id)
            earlier = self.corrections.withdrawn_of([doc_id]).get(doc_id)
            if stored is None and earlier is None:
                raise LookupError(f"no article with doc_id '{doc_id}'")
            title, url = (stored.title, stored.url) if stored else (earlier.title, earlier.url)
            record = Withdrawn(doc_id, reason, title, url, utc_now(), by)
            with self.changing():
                self.delete_vectors([doc_id])
                with self.docs.transaction():
                    self.docs.database.write("DELETE FROM articles WHERE doc_id = ?", (doc_id,))
                    self.corrections.record_withdrawal(record)
        return record

    def delete_vectors(self, doc_ids: list[str]) -> None:
        """Remove these articles' chunks from the vectors; the caller holds the write lock."""
        self.vectors.delete_articles(doc_ids)
