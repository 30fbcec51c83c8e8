"""Hybrid retrieval through llama-index: dense (Chroma) + lexical (BM25 in SQLite), fused by relative score.

Articles may be added, changed or deleted while a question is answered (by this server or by
another process): only hits whose chunk the docstore holds as it was indexed are returned.
"""

from dataclasses import dataclass

from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever, QueryFusionRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

from index.articles import date_ordinal
from index.store import Store
from rag.retrievers.bm25 import BM25Retriever
from rag.schema import Filters
from rag.recency import as_of_day, with_recency
from rag.settings import Settings

CANDIDATES_PER_RESULT = 5
RECENCY_POOL = 3  # each retriever fetches 3 × top_k; fusion and recency rescoring cut back to top_k


@dataclass
class ChunkHit:
    node_id: str
    doc_id: str
    score: float
    text: str
    metadata: dict

    @classmethod
    def from_node(cls, item: NodeWithScore) -> "ChunkHit":
        node = item.node
        # No metadata: Chroma found the vector of a chunk deleted meanwhile (`_as_stored` drops it).
        return cls(node.node_id, node.metadata.get("doc_id", ""), float(item.score or 0.0), node.get_content(), node.metadata)


def to_metadata_filters(filters: Filters | None) -> MetadataFilters | None:
    if filters is None or filters.is_empty():
        return None
    parts = []
    if filters.source:
        parts.append(MetadataFilter(key="source", value=filters.source, operator=FilterOperator.EQ))
    if filters.date_from:
        parts.append(MetadataFilter(key="date_ord", value=_ordinal(filters.date_from), operator=FilterOperator.GTE))
    if filters.date_to:
        parts.append(MetadataFilter(key="date_ord", value=_ordinal(filters.date_to), operator=FilterOperator.LTE))
    if filters.doc_ids:
        parts.append(MetadataFilter(key="doc_id", value=list(filters.doc_ids), operator=FilterOperator.IN))
    return MetadataFilters(filters=parts)


def _ordinal(iso: str) -> int:
    ordinal = date_ordinal(iso)
    if ordinal is None:
        raise ValueError(f"filter date '{iso}' is not an ISO date (YYYY-MM-DD)")
    return ordinal


class RecencyRetriever(BaseRetriever):
    """Rescore another retriever's hits by their article's closeness to an as_of date."""

    def __init__(self, inner: BaseRetriever, as_of, top_k: int, settings: Settings):
        super().__init__()
        self.inner, self.as_of, self.top_k, self.settings = inner, as_of, top_k, settings

    def _retrieve(self, query_bundle):
        nodes = self.inner.retrieve(query_bundle)
        for node in nodes:
            node.score = with_recency(node.score or 0.0, node.node.metadata.get("date"), self.as_of, self.settings.recency_share, self.settings.recency_days)
        return sorted(nodes, key=lambda n: n.score, reverse=True)[: self.top_k]


class Retriever:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        self._index_state: tuple = (None, None)  # (vector store, index over it)

    def _vector_index(self) -> VectorStoreIndex:
        """The index over the store's current Chroma client (a new one after another process wrote)."""
        vector_store, index = self._index_state
        if vector_store is not self.store.vector_store:
            vector_store = self.store.vector_store
            index = VectorStoreIndex.from_vector_store(vector_store, embed_model=self.store.embed_model)
            self._index_state = (vector_store, index)
        return index

    def _dense(self, top_k: int, filters: MetadataFilters | None) -> BaseRetriever:
        return self._vector_index().as_retriever(similarity_top_k=top_k, filters=filters)

    def _lexical(self, top_k: int, filters: MetadataFilters | None) -> BaseRetriever:
        return BM25Retriever(self.store.docs, top_k, filters)

    def chunks(self, query: str, top_k: int, filters: Filters | None = None, mode: str | None = None, vector: list[float] | None = None) -> list[ChunkHit]:
        """The best `top_k` chunks for `query`, best first; `vector`: the query's embedding, when it has one already."""
        as_of = as_of_day(filters)
        if filters and filters.as_of and as_of is None:
            raise ValueError(f"as_of '{filters.as_of}' is not an ISO date (YYYY-MM-DD)")
        self.store.refresh()
        if self.store.docs.count() == 0:
            return []
        retrievers = self._retrievers(top_k, to_metadata_filters(filters), mode or self.settings.retrieval)
        if as_of:
            retrievers = [RecencyRetriever(r, as_of, top_k, self.settings) for r in retrievers]
        asked = QueryBundle(query, embedding=vector) if vector is not None else query
        if len(retrievers) == 1:
            nodes = retrievers[0].retrieve(asked)
        else:
            weight = self.settings.dense_weight
            nodes = QueryFusionRetriever(
                retrievers,
                llm=MockLLM(),
                mode=self.settings.fusion,
                num_queries=1,
                use_async=False,
                similarity_top_k=top_k,
                retriever_weights=[weight, 1 - weight],
            ).retrieve(asked)
        return self._as_stored([ChunkHit.from_node(node) for node in nodes])

    def _as_stored(self, hits: list[ChunkHit]) -> list[ChunkHit]:
        """The hits whose chunk the docstore holds as retrieved: an index a write has not reached yet
        may still return chunks of deleted articles, or of an article's previous version."""
        stored = self.store.docs.chunk_rows([hit.node_id for hit in hits])
        return [hit for hit in hits if stored.get(hit.node_id) == (hit.metadata.get("first_sentence"), hit.metadata.get("last_sentence"), hit.text)]

    def _retrievers(self, top_k: int, filters: MetadataFilters | None, mode: str) -> list[BaseRetriever]:
        """The dense and/or lexical retrievers that `mode` asks for."""
        lexical = self._lexical(top_k * RECENCY_POOL, filters) if mode != "dense" else None
        dense = self._dense(top_k * RECENCY_POOL, filters) if mode != "bm25" else None
        return [r for r in (dense, lexical) if r is not None]

    def documents(
        self, query: str, k: int, per_doc: int = 1, filters: Filters | None = None, mode: str | None = None, fold_copies: bool = True
    ) -> list[ChunkHit]:
        """The best chunks of the best `k` documents, at most `per_doc` chunks each.

        With `fold_copies`, the copies of one story (index/copies.py) count as one document,
        shown through whichever of them scores best: the others are left out."""
        hits = sorted(self.chunks(query, k * per_doc * CANDIDATES_PER_RESULT, filters, mode), key=lambda h: h.score, reverse=True)
        groups = self.store.docs.copy_groups(list({hit.doc_id for hit in hits})) if fold_copies and hits else {}
        shown: dict[tuple[str, str], str] = {}  # story -> the document that shows it
        taken: dict[str, int] = {}
        kept: list[ChunkHit] = []
        for hit in hits:
            story = ("group", groups[hit.doc_id]) if hit.doc_id in groups else ("doc", hit.doc_id)
            if story not in shown and len(shown) < k:
                shown[story] = hit.doc_id
            if shown.get(story) == hit.doc_id and taken.get(hit.doc_id, 0) < per_doc:
                taken[hit.doc_id] = taken.get(hit.doc_id, 0) + 1
                kept.append(hit)
        return kept
