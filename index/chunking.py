"""Group consecutive sentences into chunks of about `max_words` words."""

from typing import NamedTuple

from index.sentences import Span


class ChunkSpan(NamedTuple):
    first: int  # index of the first sentence
    last: int  # index one past the last sentence


def chunk_sentences(text: str, sentences: list[Span], max_words: int, overlap: int) -> list[ChunkSpan]:
    counts = [len(text[s.start : s.end].split()) for s in sentences]
    chunks: list[ChunkSpan] = []
    first = 0
    while first < len(sentences):
        last, words = first, 0
        while last < len(sentences) and (last == first or words + counts[last] <= max_words):
            words += counts[last]
            last += 1
        chunks.append(ChunkSpan(first, last))
        if last >= len(sentences):
            break
        first = max(first + 1, last - overlap)
    return chunks


def span_text(text: str, sentences: list[Span], chunk: ChunkSpan) -> str:
    """A chunk's text: from its first sentence's start to its last one's end."""
    return text[sentences[chunk.first].start : sentences[chunk.last - 1].end]
