"""Settings for answering, read from `BYLINE_*` environment variables."""

from typing import Literal

from index.settings import IndexSettings


class Settings(IndexSettings):
    # Answerer: "extractive" (default, offline) or "openai" (any OpenAI-compatible server,
    # Ollama's /v1 and llama.cpp's server included).
    llm: Literal["extractive", "openai"] = "extractive"
    llm_base_url: str = "http://127.0.0.1:11434/v1"
    llm_model: str = "llama3.2"
    llm_api_key: str = "not-needed"
    llm_timeout: float = 60.0

    retrieval: Literal["hybrid", "dense", "bm25"] = "hybrid"
    dense_weight: float = 0.5
    # Chunks retrieved per question for answering.
    answer_chunks: int = 6
    max_citations: int = 3
    # Evidence score below which the extractive answerer abstains (see docs/benchmarks.md).
    abstain_threshold: float = 0.45
