"""Putting Chroma right after an interrupted write, a page at a time: memory holds every chunk's id, not
its text, metadata or vector.

A write changes Chroma first and the docstore second; cut between the two, Chroma may hold chunks
the docstore lacks, or vectors of an article's other version. The docstore is the truth: Chroma is
made to hold exactly its chunks again.
"""

from itertools import islice

from index.embedding import embed_nodes
from index.nodes import chunk_node
from index.store import Store
from index.vectors import matches

PAGE = 5000  # chunks compared at a time
EMBED_ARTICLES = 64  # articles embedded again at a time


def repair(store: Store) -> int:
    """Make Chroma hold exactly the docstore's chunks again; returns the articles put right.

    Chunks of articles the docstore lacks are removed; an article whose chunks in Chroma differ
    from its stored ones (text, sentences or metadata), or are missing, is embedded again from the
    docstore. Call while writing."""
    in_chroma = store.vectors.ids()
    damaged: set[str] = set()
    unknown: list[str] = []  # in Chroma, not in the docstore
    for start in range(0, len(in_chroma), PAGE):
        damaged |= _damaged_in(store, in_chroma[start : start + PAGE], unknown)
    held = set(in_chroma)
    del in_chroma
    for page in store.docs.chunk_ids(PAGE):
        damaged |= {doc_id for node_id, doc_id in page if node_id not in held}
    del held
    for start in range(0, len(unknown), PAGE):
        store.vectors.delete(unknown[start : start + PAGE])
    _embed_again(store, sorted(damaged))
    if damaged or unknown:
        store.docs.bump()  # readers in other processes reopen Chroma
    store.docs.set_unfinished(False)
    return len(damaged)


def _damaged_in(store: Store, node_ids: list[str], unknown: list[str]) -> set[str]:
    """The articles whose chunks among `node_ids` Chroma holds otherwise than the docstore; the ids
    the docstore lacks go to `unknown`."""
    found = store.vectors.get(node_ids)
    chunks = {c.node_id: c for c in store.docs.chunks_where("node_id", node_ids)}
    articles = store.docs.metadata(sorted({c.doc_id for c in chunks.values()}))
    damaged = set()
    for node_id, metadata in zip(found.ids, found.metadatas):
        chunk = chunks.get(node_id)
        if chunk is None:
            unknown.append(node_id)
            if doc_id := metadata.get("doc_id"):
                damaged.add(doc_id)  # stored again (if the docstore has it) with its right chunks
            continue
        node = chunk_node(articles[chunk.doc_id], chunk)
        if not matches(chunk.text, metadata) or any(metadata.get(k) != v for k, v in node.metadata.items()):
            damaged.add(chunk.doc_id)
    return damaged


def _embed_again(store: Store, doc_ids: list[str]) -> None:
    """Replace these articles' vectors by their stored chunks' (articles the docstore lacks: removed)."""
    iterator = iter(doc_ids)
    while batch := list(islice(iterator, EMBED_ARTICLES)):
        store.delete_vectors(batch)
        articles = store.docs.metadata(batch)
        nodes = [chunk_node(articles[c.doc_id], c) for c in store.docs.chunks_where("doc_id", batch)]
        if nodes:
            embed_nodes(store.embed_model, nodes)
            store.vector_store.add(nodes)
