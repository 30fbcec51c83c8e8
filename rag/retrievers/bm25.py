"""BM25 retrieval: BM25 over the docstore's FTS5 index of chunk terms, as a llama-index retriever."""

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle
from llama_index.core.vector_stores import FilterCondition, FilterOperator, MetadataFilters

from index.docstore import DocStore
from index.nodes import chunk_node
from index.lexical.terms import lexical_terms

_OPERATORS = {
    FilterOperator.EQ: "=",
    FilterOperator.NE: "!=",
    FilterOperator.GT: ">",
    FilterOperator.GTE: ">=",
    FilterOperator.LT: "<",
    FilterOperator.LTE: "<=",
    FilterOperator.IN: "IN",
    FilterOperator.NIN: "NOT IN",
}


class BM25Retriever(BaseRetriever):
    """The `top_k` chunks sharing the most (and rarest) terms with the query, scored by FTS5's
    bm25() made positive (higher is better); only chunks that hold a query term come back."""

    def __init__(self, docs: DocStore, top_k: int, filters: MetadataFilters | None = None):
        super().__init__()
        self.docs, self.top_k = docs, top_k
        self.where, self.any_of = sql_tests(filters)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        found = self.docs.lexical_search(lexical_terms(query_bundle.query_str), self.top_k, self.where, self.any_of)
        return [NodeWithScore(node=chunk_node(article, chunk), score=score) for chunk, article, score in found]


def sql_tests(filters: MetadataFilters | None) -> tuple[list[tuple[str, str, object]], bool]:
    """(column, operator, value) tests for the docstore's lexical search, and whether any one suffices."""
    if filters is None or not filters.filters:
        return [], False
    if filters.condition not in (FilterCondition.AND, FilterCondition.OR, None):
        raise ValueError(f"lexical search cannot combine filters with {filters.condition}")
    tests = []
    for part in filters.filters:
        if isinstance(part, MetadataFilters) or part.operator not in _OPERATORS:
            raise ValueError(f"lexical search cannot filter with {part!r}")
        tests.append((part.key, _OPERATORS[part.operator], part.value))
    return tests, filters.condition == FilterCondition.OR
