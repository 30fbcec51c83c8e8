"""The vector store's interface: what the store, repair and copy-store ask of wherever the vectors live.

Each chunk is one record: its node id, its vector, and the metadata filters and deletes read (its
article's id under `DOCUMENT_ID`, and the hash of the text it was embedded from, index/vectors.py).
An implementation is one module in this package plus its line in `open_vector_store`
(index/vector_store/__init__.py); index/vector_store/chroma.py is Chroma's, embedded or a server.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass
class Records:
    """Stored records, in the same order in each list; `embeddings` only when asked for."""

    ids: list[str]
    metadatas: list[dict]
    embeddings: list[list[float]] | None = None


@dataclass
class Neighbour:
    """A record near a query vector, with its cosine distance."""

    id: str
    metadata: dict
    distance: float


class VectorStore(ABC):
    @abstractmethod
    def add(self, ids: list[str], embeddings: list[list[float]], metadatas: list[dict]) -> None:
        """Store these records (any number: the implementation cuts them into the batches it takes)."""

    @abstractmethod
    def delete_articles(self, doc_ids: list[str]) -> None:
        """Remove every record of these articles."""

    @abstractmethod
    def delete(self, ids: list[str]) -> None:
        """Remove these records."""

    @abstractmethod
    def ids(self, doc_ids: list[str] | None = None) -> list[str]:
        """Every record's id, or those of these articles' records."""

    @abstractmethod
    def get(self, ids: list[str] | None = None, embeddings: bool = False) -> Records:
        """These records (every one without `ids`); ids not stored are left out."""

    @abstractmethod
    def count(self) -> int:
        """How many records are stored."""

    @abstractmethod
    def query(self, embedding: list[float], n: int, where: dict | None = None) -> list[Neighbour]:
        """The `n` records nearest `embedding`, nearest first, among those whose metadata matches
        `where` (Chroma's filter syntax, as llama-index writes it from MetadataFilters)."""

    @property
    @abstractmethod
    def retrieval(self) -> Any:
        """These vectors as a llama-index vector store (BasePydanticVectorStore), for VectorStoreIndex
        and for adding embedded nodes."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection or files; the store is not used after."""
