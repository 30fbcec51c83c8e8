"""`byline` with an instant embedding model, to time everything an ingest does outside the model:
`python -m bench.instant_embedding ingest SAMPLE.jsonl --store NEW` (any `byline` command).

Each text's vector is made from a hash of it (about 10 µs), 384 numbers like MiniLM's, unit length:
the same text always gets the same vector, so stores built this way can be compared.
"""

import hashlib
import time

# Only the standard library at the top: the ingest's worker processes import this main module again.
DIMENSIONS = 384


def instant_vector(text: str) -> list[float]:
    import numpy as np

    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS, dtype=np.float32)
    return (vector / np.linalg.norm(vector)).tolist()


def instant_embedding():
    """A llama-index embedding model whose vectors are `instant_vector`s."""
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class InstantEmbedding(BaseEmbedding):
        model_name: str = "instant"

        def _get_query_embedding(self, query: str) -> list[float]:
            return instant_vector(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return instant_vector(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [instant_vector(text) for text in texts]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return instant_vector(query)

    return InstantEmbedding()


def use_instant_embedding() -> None:
    """Every store of this process embeds with `instant_embedding` (the store's manifest still names the real model)."""
    from index import embedding

    model = instant_embedding()
    embedding._load = lambda *args: model


def main() -> None:
    use_instant_embedding()
    from ui.cli import app

    try:
        app(prog_name="byline")
    finally:
        _stop_fork_server()


def _stop_fork_server() -> None:
    """Wait for multiprocessing's fork server (the ingest's workers' parent) to end, so that the CPU
    time of the workers counts among this process's children's (bench/ingest_speed.py reads it)."""
    from multiprocessing import forkserver

    time.sleep(0.2)  # the fork server collects its workers' exits
    forkserver._forkserver._stop()


if __name__ == "__main__":
    main()
