"""The store folder: Chroma vectors, the sidecar docstore and the BM25 index, kept in sync.

Writers (ingest, upload, delete), in this process or another, take the store's write lock one at a
time. Readers take no lock: they reopen Chroma when the docstore's generation says another process
wrote, and load the BM25 index that `bm25.json` names (each rebuild is a new folder, swapped in by
replacing that file, so nobody reads half an index).
"""

import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from index.docstore import DocStore
from index.embedding import load_embedding, model_name
from index.faults import pause_point
from index.nodes import chunk_node
from index.settings import IndexSettings

COLLECTION = "byline"
MANIFEST = "byline.json"
BM25_POINTER = "bm25.json"
BM25_PREFIX = "bm25-"
LEGACY_BM25 = "bm25"  # the single folder of stores built before bm25.json
WRITE_LOCK = "write.lock"

log = logging.getLogger(__name__)


class StoreMismatch(RuntimeError):
    """The store was built with other settings than the ones in force."""


class StoreBusy(RuntimeError):
    """Another process kept writing to the store for longer than this one would wait."""


class Store:
    def __init__(self, settings: IndexSettings):
        self.settings = settings
        self.path = Path(settings.store)
        self.path.mkdir(parents=True, exist_ok=True)
        self._check_manifest()
        self.docs = DocStore(self.path / "articles.sqlite3")
        self._file_lock = FileLock(self.path / WRITE_LOCK, preserve_lock_file=True)
        self._write_lock = threading.Lock()  # one writing thread; the file lock keeps other processes out
        self._open_lock = threading.Lock()
        self._chroma = None  # (collection, vector store, generation it was opened at)
        self._writing_here = False

    @staticmethod
    def manifest_for(settings: IndexSettings) -> dict:
        """The settings a store is built with; a store opens only with the same ones."""
        return {
            "embed_model": Path(model_name(settings)).name,
            "chunk_words": settings.chunk_words,
            "chunk_overlap_sentences": settings.chunk_overlap_sentences,
        }

    def _check_manifest(self) -> None:
        file = self.path / MANIFEST
        wanted = self.manifest_for(self.settings)
        if file.exists():
            found = json.loads(file.read_text())
            if found != wanted:
                raise StoreMismatch(
                    f"The store at {self.path} was built with {found}, not {wanted}. "
                    "Use another --store, or delete this one and ingest again."
                )
        else:
            file.write_text(json.dumps(wanted, indent=2))

    @property
    def embed_model(self):
        return load_embedding(self.settings)

    # --- Chroma ------------------------------------------------------------------------
    @property
    def collection(self):
        return self._opened()[0]

    @property
    def vector_store(self):
        return self._opened()[1]

    def _opened(self) -> tuple:
        if self._chroma is None:
            with self._open_lock:
                if self._chroma is None:
                    self._chroma = self._open_chroma()
        return self._chroma

    def _open_chroma(self) -> tuple:
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import Settings as ChromaSettings
        from llama_index.vector_stores.chroma import ChromaVectorStore

        generation = self.docs.generation()  # read first: a write after it makes the next refresh reopen
        folder = str(self.path / "chroma")
        # A client's vector index never sees another process's writes, and Chroma shares one client
        # per folder in a process: forget ours so that a new one reads the folder afresh. Requests
        # still running on the old one finish on it.
        SharedSystemClient._identifier_to_system.pop(folder, None)
        client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
        # embedding_function=None: Chroma must never fall back to its downloading default.
        collection = client.get_or_create_collection(COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"})
        return collection, ChromaVectorStore(chroma_collection=collection), generation

    def refresh(self) -> None:
        """Reopen Chroma if another process changed the store since it was opened (cheap otherwise)."""
        if self._chroma is None or self._writing_here or self.docs.generation() == self._chroma[2]:
            return
        with self._open_lock:
            if not self._writing_here and self.docs.generation() != self._chroma[2]:
                self._chroma = self._open_chroma()

    # --- writing -----------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock: wait for another writer (BYLINE_WRITE_WAIT seconds at most)."""
        with self._write_lock:
            self._lock_file()
            try:
                with self._open_lock:
                    if self._chroma is not None and self.docs.generation() != self._chroma[2]:
                        self._chroma = self._open_chroma()
                    self._writing_here = True
                try:
                    yield
                finally:
                    with self._open_lock:
                        if self._chroma is not None:  # this client made every change since it was opened
                            self._chroma = (*self._chroma[:2], self.docs.generation())
                        self._writing_here = False
            finally:
                self._file_lock.release()

    def _lock_file(self) -> None:
        try:
            self._file_lock.acquire(blocking=False)
            return
        except Timeout:
            pass
        wait = self.settings.write_wait
        log.warning("%s: another process is writing to this store; waiting up to %g s for it to finish…", self.path, wait)
        try:
            self._file_lock.acquire(timeout=wait)
        except Timeout:
            raise StoreBusy(
                f"{self.path}: another process (an ingest, upload or delete) is still writing to this store "
                f"after {wait:g} s; run this again when it has finished, or wait longer with BYLINE_WRITE_WAIT"
            ) from None

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
        with self.writing():
            with self.changing():
                self.vector_store.delete(ref_doc_id=doc_id)
                removed = self.docs.delete(doc_id)
            if removed:
                self.rebuild_bm25()
            return removed

    # --- BM25 --------------------------------------------------------------------------
    def bm25_folder(self) -> Path | None:
        """The folder of the current BM25 index; None when the store has no chunks."""
        pointer = self._bm25_pointer()
        if pointer is None:
            legacy = self.path / LEGACY_BM25
            return legacy if legacy.is_dir() else None
        return self.path / pointer["folder"] if pointer["folder"] else None

    @property
    def bm25_path(self) -> Path:
        return self.bm25_folder() or self.path / LEGACY_BM25

    def _bm25_pointer(self) -> dict | None:
        try:
            return json.loads((self.path / BM25_POINTER).read_text())
        except FileNotFoundError:
            return None

    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 index from the docstore's chunks (fast: no embedding); call while writing.

        Built in a new folder and swapped in by replacing bm25.json, so a reader loads either the old
        index or the new one. The one before stays for readers that are still loading it.
        """
        from llama_index.retrievers.bm25 import BM25Retriever

        generation = self.docs.generation()
        articles = self.docs.metadata()
        nodes = [chunk_node(articles[chunk.doc_id], chunk) for chunk in self.docs.chunks()]
        folder = f"{BM25_PREFIX}{generation}-{uuid.uuid4().hex[:8]}" if nodes else None
        if folder:
            retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(10, len(nodes)))
            retriever.persist(str(self.path / folder), show_progress=False)
        pause_point("bm25")
        previous = self.bm25_folder()
        self._write_json(BM25_POINTER, {"folder": folder, "generation": generation, "chunks": len(nodes)})
        keep = {folder, previous and previous.name}
        for old in [*self.path.glob(f"{BM25_PREFIX}*"), self.path / LEGACY_BM25, self.path / "bm25.new"]:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def _write_json(self, name: str, value: dict) -> None:
        """Replace a small file at once: a reader sees the old content or the new, never half."""
        temporary = self.path / f"{name}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(value))
        os.replace(temporary, self.path / name)

    def bm25_is_current(self) -> bool:
        """False after an interrupted write left the BM25 index behind the docstore."""
        pointer = self._bm25_pointer()
        if pointer is None or pointer["generation"] != self.docs.generation():
            return False
        return pointer["folder"] is None or (self.path / pointer["folder"]).is_dir()
