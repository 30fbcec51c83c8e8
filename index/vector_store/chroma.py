"""Chroma behind the vector store's interface: embedded (PersistentClient, a folder in the store) or
a Chroma server (HttpClient, BYLINE_CHROMA_URL). Every use of chromadb's and llama-index's private
API in the vector path is in this module, each checked by tests/test_private_api.py, so that a new
version of either that changes them fails there, not in production.

Chroma keeps each chunk's vector and metadata, never its text: llama-index's ChromaVectorStore is
subclassed to store only those and to read the texts back from the docstore when it queries.
"""

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import VectorStoreQueryResult
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from index.nodes import node_of
from index.vector_store.base import Neighbour, Records, VectorStore
from index.vectors import DOCUMENT_ID, matches, vector_metadata

COLLECTION = "byline"
ADD_AT_MOST = 5000  # Chroma refuses more than about 5,400 records in one add
DELETE_AT_MOST = 1000  # articles per delete

StoredTexts = Callable[[list[str]], dict[str, str]]


class ChromaVectors(VectorStore):
    def __init__(self, collection: Any, close: Callable[[], None], stored_texts: StoredTexts):
        self.chroma_collection = collection  # Chroma's own collection, for tests that damage a store on purpose
        self._close = close
        self._retrieval = ChunkVectorStore(self, stored_texts)

    def add(self, ids: list[str], embeddings: list[list[float]], metadatas: list[dict]) -> None:
        for start in range(0, len(ids), ADD_AT_MOST):
            end = start + ADD_AT_MOST
            self.chroma_collection.add(ids=ids[start:end], embeddings=embeddings[start:end], metadatas=metadatas[start:end])

    def delete_articles(self, doc_ids: list[str]) -> None:
        for start in range(0, len(doc_ids), DELETE_AT_MOST):
            self.chroma_collection.delete(where={DOCUMENT_ID: {"$in": list(doc_ids[start : start + DELETE_AT_MOST])}})

    def delete(self, ids: list[str]) -> None:
        if ids:
            self.chroma_collection.delete(ids=list(ids))

    def ids(self, doc_ids: list[str] | None = None) -> list[str]:
        if doc_ids is None:
            return self.chroma_collection.get(include=[])["ids"]
        return self.chroma_collection.get(where={DOCUMENT_ID: {"$in": list(doc_ids)}}, include=[])["ids"] if doc_ids else []

    def get(self, ids: list[str] | None = None, embeddings: bool = False) -> Records:
        found = self.chroma_collection.get(ids=ids, include=["metadatas", "embeddings"] if embeddings else ["metadatas"])
        return Records(
            ids=found["ids"],
            metadatas=[m or {} for m in found["metadatas"]],
            embeddings=[[float(x) for x in vector] for vector in found["embeddings"]] if embeddings else None,
        )

    def count(self) -> int:
        return self.chroma_collection.count()

    def query(self, embedding: list[float], n: int, where: dict | None = None, **kwargs: Any) -> list[Neighbour]:
        found = self.chroma_collection.query(
            query_embeddings=[embedding],
            n_results=n,
            include=["metadatas", "distances"],
            **({"where": where} if where else {}),
            **kwargs,
        )
        ids, metadatas, distances = (found[key][0] for key in ("ids", "metadatas", "distances"))
        return [Neighbour(i, m or {}, d) for i, m, d in zip(ids, metadatas, distances)]

    @property
    def retrieval(self) -> "ChunkVectorStore":
        return self._retrieval

    def close(self) -> None:
        self._close()


class ChunkVectorStore(ChromaVectorStore):
    """llama-index's Chroma vector store, adding through `ChromaVectors` and with the chunks' texts
    read from the docstore. Private API: `_query` (what `query` calls with Chroma's filter) is overridden."""

    _vectors: ChromaVectors = PrivateAttr()
    _stored_texts: StoredTexts = PrivateAttr()

    def __init__(self, vectors: ChromaVectors, stored_texts: StoredTexts):
        super().__init__(chroma_collection=vectors.chroma_collection)
        self._vectors = vectors
        self._stored_texts = stored_texts

    def add(self, nodes: list[BaseNode], **add_kwargs: Any) -> list[str]:
        ids = [node.node_id for node in nodes]
        self._vectors.add(ids, [node.get_embedding() for node in nodes], [vector_metadata(node) for node in nodes])
        return ids

    def _query(self, query_embeddings: list[float], n_results: int, where: dict, **kwargs) -> VectorStoreQueryResult:
        found = self._vectors.query(query_embeddings, n_results, where, **kwargs)
        texts = self._stored_texts([hit.id for hit in found])
        result = VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        for hit in found:
            text = texts.get(hit.id)
            if text is None or not matches(text, hit.metadata):
                continue
            result.nodes.append(node_of(hit.id, text, hit.metadata))
            result.similarities.append(math.exp(-hit.distance))
            result.ids.append(hit.id)
        return result


def _collection(client: Any) -> Any:
    # embedding_function=None: Chroma must never fall back to its downloading default.
    return client.get_or_create_collection(COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"})


def open_embedded(folder: Path, stored_texts: StoredTexts) -> ChromaVectors:
    """A PersistentClient on `folder`/chroma that reads the folder afresh (another process's writes)."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    path = str(Path(folder) / "chroma")
    # A client's vector index never sees another process's writes, and Chroma shares one client per
    # folder in a process: forget ours so that a new one reads the folder afresh. Requests still
    # running on the old one finish on it. Private API: SharedSystemClient._identifier_to_system.
    SharedSystemClient._identifier_to_system.pop(path, None)
    client = chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))
    # Its own System (see above), which Chroma's refcount no longer tracks. Private API: client._system.
    return ChromaVectors(_collection(client), partial(_stop_system, path, client._system), stored_texts)


def _stop_system(path: str, system: Any) -> None:
    """Stop a PersistentClient's System; Chroma forgets it if it still shares it for `path`."""
    from chromadb.api.shared_system_client import SharedSystemClient

    if SharedSystemClient._identifier_to_system.get(path) is system:
        del SharedSystemClient._identifier_to_system[path]
    system.stop()


def open_server(url: str, stored_texts: StoredTexts) -> ChromaVectors:
    """The vectors in the Chroma server at `url` (http://host:port)."""
    client = chroma_server(url)
    return ChromaVectors(_collection(client), client.close, stored_texts)


def chroma_server(url: str) -> Any:
    """A client of the Chroma server at `url` (http://host:port)."""
    from urllib.parse import urlsplit

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"BYLINE_CHROMA_URL must be http://host:port or https://host:port, not {url!r}")
    return chromadb.HttpClient(
        host=parts.hostname,
        port=parts.port or (443 if parts.scheme == "https" else 80),
        ssl=parts.scheme == "https",
        settings=ChromaSettings(anonymized_telemetry=False),
    )
