"""Settings for answering, read from `BYLINE_*` environment variables."""

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from index.settings import IndexSettings
from index.feeds import USER_AGENT


class Settings(IndexSettings):
    llm: str = Field(
        "extractive",
        description="The answerer: `extractive` (quotes sentences, no model), `llamacpp` (a GGUF file in-process),"
        " `ollama` (Ollama's own API) or `openai` (any OpenAI-compatible server); packages can add more through"
        " the `byline.answerers` entry-point group. See [LLM backends](#llm-backends).",
    )
    llm_base_url: str = Field(
        "",
        description="The LLM server; empty: the backend's usual local address (`openai`: `http://127.0.0.1:8080/v1`, `ollama`: `http://127.0.0.1:11434`).",
    )
    llm_model: str = Field("llama3.2", description="The model the `openai` or `ollama` server is asked for.")
    llm_api_key: str = Field("not-needed", repr=False, description="The key sent to an OpenAI-compatible server.")
    llm_model_path: Path | None = Field(None, description="The GGUF file the `llamacpp` backend loads at start-up (a wrong path or file fails there).")
    llm_timeout: float = Field(
        180.0,
        description="Seconds for a whole LLM answer (a CPU model is slow); past it the answer is cut there, or is the extractive one.",
    )
    llm_max_tokens: int = Field(256, description="Tokens the model may write per answer.")
    llm_context_window: int = Field(
        4096,
        description="Tokens of prompt and answer the model is given: `llamacpp`'s `n_ctx`, Ollama's `num_ctx`; an OpenAI-compatible server sets its own.",
    )
    drop_unsupported: bool = Field(
        False,
        description="Remove the claims of an LLM answer that no cited sentence supports (they are always listed in `warnings`).",
    )

    retrieval: Literal["hybrid", "dense", "bm25"] = Field("hybrid", description="`hybrid` (dense and BM25, fused), `dense` or `bm25`.")
    dense_weight: float = Field(0.6, description="The dense retriever's share in hybrid fusion; BM25 gets the rest.")
    fusion: Literal["relative_score", "reciprocal_rerank", "dist_based_score"] = Field(
        "relative_score", description="How hybrid retrieval fuses the two rankings (a LlamaIndex fusion mode)."
    )
    recency_share: float = Field(0.3, description="With an as-of date (`--as-of`): the share of a hit's score that recency controls.")
    recency_days: float = Field(
        14.0,
        description="With an as-of date: the age in days at which recency's weight falls to 1/e (37%); articles dated after the as-of date get none.",
    )
    answer_chunks: int = Field(6, description="Chunks retrieved per question for answering.")
    max_citations: int = Field(3, description="Most citations in one answer.")
    abstain_threshold: float = Field(
        0.5,
        description="Evidence score under which the extractive answerer abstains (calibration in [docs/benchmarks.md](docs/benchmarks.md)).",
    )

    # The server (`byline serve`); access rules in ui/access.py.
    cors_origins: str = Field(
        "",
        description="Comma-separated origins (`https://news.example`) whose pages may call the API and frame the"
        " widget page; reader keys' origins are added. With none named, only the server's own origin may call"
        " the API, and any site may frame the widget.",
    )
    allowed_hosts: str = Field(
        "",
        description="Comma-separated host names (`news.example`; `*`: any) this server answers to besides loopback"
        " names, the address it is bound to and the one a request came in on; a request for another `Host` gets 400,"
        " so a page cannot reach the server through a name of its own (DNS rebinding). Behind a proxy passing `Host`"
        " on, name the public host.",
    )
    api_keys: str = Field(
        "",
        repr=False,
        description="Comma-separated admin keys: everything (ask, search, list, read, upload, delete, the Articles"
        " tab; see [Access](#access)). With neither admin nor reader keys, everything is open (a local server).",
    )
    reader_keys: str = Field(
        "",
        repr=False,
        description="Comma-separated reader keys: ask, search and send feedback only (what a widget carries, visible to anyone);"
        " each may be followed by the origins whose pages may use it: `key1 https://news.example, key2`.",
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        description="Hours a sign-in at `/signin` lasts; its cookie holds a signed token naming the key, never the key.",
    )
    rate_limit: int = Field(60, description="Questions, searches and feedback a minute per reader key (429 past it); 0: no limit.")
    rate_limit_per_address: int = Field(
        30,
        description="Questions, searches and feedback a minute per client address using reader keys, and as many wrong keys or"
        " failed sign-ins a minute per address (then every key from it waits); 0: no limit.",
    )
    max_upload_mb: int = Field(20, description="Largest upload in MB (API and Articles tab); the API answers a bigger one with 413.")
    max_upload_files: int = Field(
        200,
        description="Most files in one upload (API and Articles tab); more are refused (413) before any is read.",
    )
    max_request_mb: float = Field(
        2.0,
        gt=0,
        description="Largest request body in MB, uploads apart (`BYLINE_MAX_UPLOAD_MB`): a question with its"
        " conversation, a Gradio event; a bigger one is refused with 413 before it is read.",
    )
    chat_concurrency: int = Field(
        8,
        ge=1,
        description="Questions the Gradio chat answers at once (each browser tab asks one at a time); more wait their turn.",
    )
    max_history_turns: int = Field(
        20,
        ge=0,
        description="Most turns of conversation a question may bring (API: 422 past it; the chat sends its newest turns within these limits).",
    )
    max_turn_chars: int = Field(4000, ge=0, description="Most characters in one turn of that conversation (API: 422 past it).")
    max_history_chars: int = Field(20000, ge=0, description="Most characters in all of that conversation (API: 422 past it).")
    log_questions: bool = Field(
        False,
        description="Log the questions readers ask for the editors' desk (`byline report`, the Editors tab,"
        " `GET /api/report`): the question, when, answered or refused, unsupported claims, feedback, and the key's"
        " name, never the reader's address or key. Off: nothing is logged but the feedback readers choose to send."
        " See [Editors' desk](#editors-desk).",
    )
    log_retention_days: int = Field(90, ge=0, description="Days the question log and readers' feedback are kept; older entries are deleted. 0: kept.")

    fetch_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds one web request (a page, feed, sitemap or robots.txt) may take, from connecting to its"
        " last byte; a slower one is an error on that URL. See [News from the web](#news-from-the-web).",
    )
    fetch_max_mb: float = Field(
        10.0, gt=0, description="Largest page, feed or sitemap read from the web (also once unpacked); a bigger one is an error on that URL."
    )
    fetch_delay: float = Field(
        1.0,
        ge=0,
        description="Seconds between two requests to one site; longer when its robots.txt asks for it (`Crawl-delay`, up to 30).",
    )
    fetch_max_redirects: int = Field(5, ge=0, description="Redirects followed from one URL; more are an error on that URL.")
    fetch_user_agent: str = Field(
        USER_AGENT,
        description="The User-Agent of every web request (add a contact address); robots.txt rules for `Byline` apply whatever it says.",
    )
    fetch_allow_private: str = Field(
        "",
        description="Host names and networks (comma-separated, e.g. `news.intranet, 10.0.0.0/8, 127.0.0.1`; `*`: all)"
        " that web requests may reach though their addresses are private, loopback, link-local or reserved; by default"
        " only public addresses are fetched, on every redirect too.",
    )
    sources_max_articles: int = Field(200, ge=1, description="Most articles read from one feed or sitemap per sync, the newest first.")
    stale_after_hours: float = Field(
        24.0,
        ge=0,
        description="Hours after which a feed or sitemap whose listing has not been read (its last successful sync)"
        " is stale: flagged in `byline sources`, the Articles tab and `/healthz`'s `stale` list, for monitoring."
        " 0: never stale.",
    )

    @field_validator("fetch_allow_private")
    @classmethod
    def _networks_are_networks(cls, value: str) -> str:
        for entry in _split_list(value):
            if "/" in entry:
                ipaddress.ip_network(entry, strict=False)  # its ValueError names the entry
        return value

    def fetch_allow_private_list(self) -> tuple[str, ...]:
        return tuple(_split_list(self.fetch_allow_private))

    def cors_origin_list(self) -> list[str]:
        return [origin.rstrip("/") for origin in _split_list(self.cors_origins)]

    def allowed_host_list(self) -> list[str]:
        return [host.lower().rstrip(".") for host in _split_list(self.allowed_hosts)]

    def api_key_list(self) -> list[str]:
        return _split_list(self.api_keys)

    def keys_configured(self) -> bool:
        return bool(self.api_key_list() or self.reader_key_list())

    def reader_key_list(self) -> list[tuple[str, list[str]]]:
        """Each reader key with the origins it is bound to (none: any page the CORS rules allow)."""
        return [(words[0], [o.rstrip("/") for o in words[1:]]) for words in (item.split() for item in _split_list(self.reader_keys))]


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
