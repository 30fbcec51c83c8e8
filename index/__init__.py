"""From files to Chroma: loading, sentence segmentation, chunking, embedding, storage."""

from index import offline as _offline  # noqa: F401  (must run before heavy imports)
