"""Where the chunks' vectors live, behind one interface (base.VectorStore): the extension point for
another vector database is one module here plus one line in `open_vector_store`."""

from collections.abc import Callable
from pathlib import Path

from index.vector_store.base import Neighbour, Records, VectorStore

__all__ = ["Neighbour", "Records", "VectorStore", "open_vector_store"]


def open_vector_store(folder: Path, server_url: str, stored_texts: Callable[[list[str]], dict[str, str]]) -> VectorStore:
    """The store's vectors: a Chroma server's at `server_url` (BYLINE_CHROMA_URL), else an embedded
    Chroma's in `folder`. `stored_texts` gives the docstore's text of each chunk id for retrieval."""
    from index.vector_store import chroma

    if server_url:
        return chroma.open_server(server_url, stored_texts)
    return chroma.open_embedded(folder, stored_texts)
