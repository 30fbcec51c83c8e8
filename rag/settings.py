"""Settings for answering, read from `BYLINE_*` environment variables."""

from pathlib import Path
from typing import Literal

from index.settings import IndexSettings


class Settings(IndexSettings):
    # Answerer (see rag/answering.py): "extractive" (default, offline), "openai" (any
    # OpenAI-compatible server), "ollama" (Ollama's own API) or "llamacpp" (a GGUF file in-process).
    llm: str = "extractive"
    # Empty: each backend's usual local address (openai: http://127.0.0.1:8080/v1, ollama: http://127.0.0.1:11434).
    llm_base_url: str = ""
    llm_model: str = "llama3.2"
    llm_api_key: str = "not-needed"
    # The GGUF file the llamacpp backend loads.
    llm_model_path: Path | None = None
    # Seconds for a whole answer: a CPU model is slow.
    llm_timeout: float = 180.0
    # Tokens the model may write per answer, and the context window it is given (prompt + answer).
    llm_max_tokens: int = 256
    llm_context_window: int = 4096
    # Remove claims that no cited sentence supports from the answer (they are always listed in warnings).
    drop_unsupported: bool = False

    retrieval: Literal["hybrid", "dense", "bm25"] = "hybrid"
    dense_weight: float = 0.6
    fusion: Literal["relative_score", "reciprocal_rerank", "dist_based_score"] = "relative_score"
    # With an as_of date: the share of a hit's score that recency controls, and its decay (days).
    recency_share: float = 0.3
    recency_days: float = 14.0
    # Chunks retrieved per question for answering.
    answer_chunks: int = 6
    max_citations: int = 3
    # Evidence score below which the extractive answerer abstains (see docs/benchmarks.md).
    abstain_threshold: float = 0.5

    # The server (`byline serve`); access rules in ui/access.py. Comma-separated lists; empty
    # CORS origins allow only the server's own origin. With neither admin nor reader keys set,
    # everything is open (a local server).
    cors_origins: str = ""
    # Admin keys: everything (ask, search, list, read, upload, delete, the Articles tab).
    api_keys: str = ""
    # Reader keys: ask and search only (what a widget carries, visible to anyone). A key may be
    # followed by the origins whose pages may use it: "key1 https://news.example, key2".
    reader_keys: str = ""
    # Requests per minute a reader key may make, and a client address using reader keys (0: no limit).
    rate_limit: int = 60
    rate_limit_per_address: int = 30
    max_upload_mb: int = 20
    # Most files in one upload (API and Articles tab); more are refused before any is read.
    max_upload_files: int = 200

    def cors_origin_list(self) -> list[str]:
        return [origin.rstrip("/") for origin in _split_list(self.cors_origins)]

    def api_key_list(self) -> list[str]:
        return _split_list(self.api_keys)

    def keys_configured(self) -> bool:
        return bool(self.api_key_list() or self.reader_key_list())

    def reader_key_list(self) -> list[tuple[str, list[str]]]:
        """Each reader key with the origins it is bound to (none: any page the CORS rules allow)."""
        return [(words[0], [o.rstrip("/") for o in words[1:]]) for words in (item.split() for item in _split_list(self.reader_keys))]


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
