"""llama-index nodes for chunks: what gets embedded and what Chroma stores beside it."""

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from index.articles import Article, date_ordinal
from index.docstore import StoredChunk

EMBEDDED_METADATA = ("title", "dateline")


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
    metadata = {key: value for key, value in metadata.items() if value not in (None, "")}
    node = TextNode(
        id_=chunk.node_id,
        text=chunk.text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in EMBEDDED_METADATA],
        excluded_llm_metadata_keys=[k for k in metadata if k not in EMBEDDED_METADATA],
    )
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=article.doc_id)
    return node

