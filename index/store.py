"""The store folder: Chroma vectors, the sidecar docstore and the BM25 index, kept in sync."""

import json
import shutil
from functools import cached_property
from pathlib import Path

from index.docstore import DocStore
from index.embedding import load_embedding, model_name
from index.nodes import chunk_node
from index.settings import IndexSettings

COLLECTION = "byline"
MANIFEST = "byline.json"
BM25_CHUNKS = "chunks.count"


class StoreMismatch(RuntimeError):
    """The store was built with other settings than the ones in force."""


class Store:
    def __init__(self, settings: IndexSettings):
        self.settings = settings
        self.path = Path(settings.store)
        self.path.mkdir(parents=True, exist_ok=True)
        self._check_manifest()
        self.docs = DocStore(self.path / "articles.sqlite3")

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

    @cached_property
    def embed_model(self):
        return load_embedding(self.settings)

    @cached_property
    def collection(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(self.path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
        )
        # embedding_function=None: Chroma must never fall back to its downloading default.
        return client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    @cached_property
    def vector_store(self):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)

    @property
    def bm25_path(self) -> Path:
        return self.path / "bm25"

    def rebuild_bm25(self) -> None:
        """Rebuild the BM25 index from the docstore's chunks (fast: no embedding).

        Built beside the old one and swapped in, so a running server never reads half an index.
        """
        from llama_index.retrievers.bm25 import BM25Retriever

        articles = self.docs.metadata()
        nodes = [chunk_node(articles[chunk.doc_id], chunk) for chunk in self.docs.chunks()]
        fresh = self.path / "bm25.new"
        shutil.rmtree(fresh, ignore_errors=True)
        if nodes:
            BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(10, len(nodes))).persist(str(fresh), show_progress=False)
            (fresh / BM25_CHUNKS).write_text(str(len(nodes)))
        shutil.rmtree(self.bm25_path, ignore_errors=True)
        if nodes:
            fresh.rename(self.bm25_path)

    def bm25_is_current(self) -> bool:
        """False after an interrupted ingest left chunks that the BM25 index lacks."""
        count = self.bm25_path / BM25_CHUNKS
        expected = self.docs.chunk_count()
        return (int(count.read_text()) if count.exists() else 0) == expected

    def delete(self, doc_id: str) -> bool:
        """Remove an article from every part of the store."""
        self.vector_store.delete(ref_doc_id=doc_id)
        removed = self.docs.delete(doc_id)
        if removed:
            self.rebuild_bm25()
        return removed
