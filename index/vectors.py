"""What the vector store keeps beside each chunk's vector: each chunk's text is kept once, in the docstore.

The vector store (index/vector_store/) keeps the vector, the metadata that filters and deletes read,
and a hash of the text it was embedded from; a query reads the texts back from the docstore and
leaves out any chunk whose stored text is no longer the one its vector was made from (deleted or
changed since).
"""

import hashlib

from llama_index.core.schema import BaseNode

TEXT_HASH = "text_hash"
DOCUMENT_ID = "document_id"  # the article's id, as llama-index names it: deletes select on it


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def vector_metadata(node: BaseNode) -> dict:
    """What the vector store keeps beside a chunk's vector."""
    return {**node.metadata, DOCUMENT_ID: node.ref_doc_id or node.node_id, TEXT_HASH: text_hash(node.get_content())}


def matches(text: str, metadata: dict) -> bool:
    """Whether `text` is what this vector was embedded from."""
    return metadata.get(TEXT_HASH) == text_hash(text)
