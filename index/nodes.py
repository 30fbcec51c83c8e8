"""llama-index nodes for chunks: what gets embedded and what Chroma stores beside it."""

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from index.articles import Article, date_ordinal
from index.docstore import StoredChunk

EMBEDDED_METADATA = ("title", "dateline")
# In this order: a node's hash (which llama-index's fusion joins the dense and lexical hits of one chunk by)
# depends on its metadata's order.
METADATA_KEYS = ("doc_id", "title", "dateline", "source", "url", "date", "date_ord", "ord", "first_sentence", "last_sentence")


def chunk_node(article: Article, chunk: StoredChunk) -> TextNode:
    metadata = {
        "doc_id": article.doc_id,
        "title": article.title,
        "dateline": article.dateline,
        "source": article.source,
        "url": article.url,
        "date": article.date,
        "date_ord": date_ordinal(article.date),
        "ord": chunk.ord,
        "first_sentence": chunk.first_sentence,
        "last_sentence": chunk.last_sentence,
    }
    return node_of(chunk.node_id, chunk.text, metadata)


def node_of(node_id: str, text: str, metadata: dict) -> TextNode:
    """A chunk's node from its text and metadata (METADATA_KEYS; others are left out)."""
    metadata = {key: metadata[key] for key in METADATA_KEYS if metadata.get(key) not in (None, "")}
    node = TextNode(
        id_=node_id,
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBEDDED_METADATA],
        excluded_llm_metadata_keys=[k for k in metadata if k not in EMBEDDED_METADATA],
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=metadata["doc_id"])
    return node
