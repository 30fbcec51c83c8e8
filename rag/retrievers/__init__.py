"""Retrievers: from a question to the chunks it is answered from.

`hybrid` is what the service asks (dense + BM25 fused, recency, only chunks still stored as
indexed); `bm25` is its lexical half, a llama-index retriever over the store's lexical index.
"""
