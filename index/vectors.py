"""Chroma holding vectors only: each chunk's text is kept once, in the docstore.

llama-index's ChromaVectorStore also stores every chunk's text in Chroma, with a full-text index of it
and the node's JSON in its metadata: about three quarters of a store's disk, and most of Chroma's
time to add. Here Chroma keeps the vector, the metadata that filters and deletes read, and a hash of
the text it was embedded from; a query reads the texts back from the docstore and leaves out any
chunk whose stored text is no longer the one its vector was made from (deleted or changed since).
"""

import hashlib
import math
from collections.abc import Callable
from typing import Any

from llama_index.core.schema import BaseNode
from llama_index.core.vector_stores.types import VectorStoreQueryResult
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from index.nodes import node_of

TEXT_HASH = "text_hash"
DOCUMENT_ID = "document_id"  # the article's id, as llama-index names it: deletes select on it
ADD_AT_MOST = 5000  # Chroma refuses more than about 5,400 records in one add

StoredTexts = Callable[[list[str]], dict[str, str]]


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def vector_metadata(node: BaseNode) -> dict:
    """What Chroma keeps beside a chunk's vector."""
    return {**node.metadata, DOCUMENT_ID: node.ref_doc_id or node.node_id, TEXT_HASH: text_hash(node.get_content())}


def matches(text: str, metadata: dict) -> bool:
    """Whether `text` is what this vector was embedded from."""
    return metadata.get(TEXT_HASH) == text_hash(text)


class ChunkVectorStore(ChromaVectorStore):
    """llama-index's Chroma vector store, with the chunks' texts read from the docstore."""

    _stored_texts: StoredTexts = PrivateAttr()

    def __init__(self, collection: Any, stored_texts: StoredTexts):
        super().__init__(chroma_collection=collection)
        self._stored_texts = stored_texts

    def add(self, nodes: list[BaseNode], **add_kwargs: Any) -> list[str]:
        for start in range(0, len(nodes), ADD_AT_MOST):
            batch = nodes[start : start + ADD_AT_MOST]
            self._collection.add(
                ids=[node.node_id for node in batch],
                embeddings=[node.get_embedding() for node in batch],
                metadatas=[vector_metadata(node) for node in batch],
            )
        return [node.node_id for node in nodes]

    def _query(self, query_embeddings: list[float], n_results: int, where: dict, **kwargs) -> VectorStoreQueryResult:
        found = self._collection.query(
            query_embeddings=query_embeddings, n_results=n_results, include=["metadatas", "distances"],
            **({"where": where} if where else {}), **kwargs,
        )
        ids, metadatas, distances = (found[key][0] for key in ("ids", "metadatas", "distances"))
        texts = self._stored_texts(ids)
        result = VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        for node_id, metadata, distance in zip(ids, metadatas, distances):
            text = texts.get(node_id)
            if text is None or not matches(text, metadata or {}):
                continue
            result.nodes.append(node_of(node_id, text, metadata))
            result.similarities.append(math.exp(-distance))
            result.ids.append(node_id)
        return result
