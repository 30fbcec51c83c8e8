"""What an ingest works out from each article on its own: its sentences, its chunks, their lexical terms
and its story signature.

A large ingest has worker processes do this, batch by batch, while the ingesting process writes the
batches before (Chroma's add holds the GIL, so threads would wait on it). The workers are forked
from multiprocessing's fork server, which imports the segmenter once: safe beside the ingesting
process's threads, and quick to start after the first time.
"""

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from index.articles import Article
from index.chunking import ChunkSpan, chunk_sentences, span_text
from index.copies import signature_of
from index.lexical.base import terms_of
from index.sentences import Span, load_segmenter, split_sentences

# A batch with less text than this (characters) is analysed in the ingesting process: sending it costs more than it saves.
POOL_FROM_CHARS = 100_000
# The ingesting process writes about as fast as one or two workers analyse: more only cost memory.
MAX_WORKERS = 4
_PRELOAD = ["nltk.tokenize.punkt", "datasketch", "index.analysis"]


@dataclass
class Analysis:
    sentences: list[Span]
    chunks: list[ChunkSpan]
    terms: list[str]  # each chunk's terms in the lexical index
    signature: bytes  # index/copies.py's signature_of the text


def analyse(article: Article, chunk_words: int, overlap: int) -> Analysis:
    sentences = split_sentences(article.text)
    chunks = chunk_sentences(article.text, sentences, chunk_words, overlap)
    terms = [terms_of(article, span_text(article.text, sentences, chunk)) for chunk in chunks]
    return Analysis(sentences, chunks, terms, signature_of(article.text))


def worker_count(setting: int) -> int:
    """BYLINE_INGEST_WORKERS's value, with -1 read as one per CPU core this process may use but one
    (at least one, at most MAX_WORKERS), or none where a worker could not import the main module."""
    if setting >= 0:
        return setting
    return min(MAX_WORKERS, max(1, len(os.sched_getaffinity(0)) - 1)) if _main_is_importable() else 0


def _main_is_importable() -> bool:
    """Whether a worker may import the main module, as multiprocessing's workers do: a script without an
    `if __name__ == "__main__":` guard would run again in each (and wait there for the store's write lock)."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is not None or not getattr(main, "__file__", None):
        return True
    try:
        return "__main__" in Path(main.__file__).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


class Analyser:
    """Analyses batches of articles, in worker processes when a batch is large (started at the first)."""

    def __init__(self, workers: int, chunk_words: int, overlap: int):
        self._workers = workers
        self._analyse = partial(analyse, chunk_words=chunk_words, overlap=overlap)
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, articles: list[Article]) -> Iterable[Analysis]:
        """The batch's analyses, in order: worked out now, or by the workers while the caller goes on
        (iterating waits for them)."""
        if not self._workers or sum(len(article.text) for article in articles) < POOL_FROM_CHARS:
            return [self._analyse(article) for article in articles]
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(_PRELOAD)
            self._pool = ProcessPoolExecutor(self._workers, mp_context=context, initializer=_start_worker)
        return self._pool.map(self._analyse, articles, chunksize=max(1, -(-len(articles) // self._workers)))

    def close(self) -> None:
        """Stop the workers: batches not started are dropped, the ones being analysed finished."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the ingest, which first stores what is in flight
    load_segmenter()
