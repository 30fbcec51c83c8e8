"""Ollama's own API through llama-index's Ollama class.

Ollama gives a model a 2,048-token context unless told otherwise and silently drops the
start of a longer prompt, numbered sentences included: the context window is always set.
"""

from rag.backends import explain_common, unreachable
from rag.claims import Embed
from rag.answerers.llm import LLMAnswerer
from rag.settings import Settings

DEFAULT_BASE_URL = "http://127.0.0.1:11434"
CHECK_TIMEOUT = 5.0


def base_url(settings: Settings) -> str:
    url = (settings.llm_base_url or DEFAULT_BASE_URL).rstrip("/")
    return url.removesuffix("/v1")  # the OpenAI-compatible path of the same server


def make_llm(settings: Settings):
    from llama_index.llms.ollama import Ollama

    return Ollama(
        model=settings.llm_model,
        base_url=base_url(settings),
        request_timeout=settings.llm_timeout,
        context_window=settings.llm_context_window,  # sent as options.num_ctx with every request
        temperature=0.0,
        additional_kwargs={"num_predict": settings.llm_max_tokens},
    )


def explain(settings: Settings, error: Exception) -> str | None:
    message = str(error).lower()
    if getattr(error, "status_code", None) == 404 or ("not found" in message and "model" in message):
        return f"Ollama has no model '{settings.llm_model}': run `ollama pull {settings.llm_model}` or set BYLINE_LLM_MODEL"
    common = explain_common(settings, error)
    if common is None and unreachable(error):
        return f"Ollama could not be reached at {base_url(settings)}: start it with `ollama serve` or set BYLINE_LLM_BASE_URL"
    return common


def problem(settings: Settings) -> str | None:
    """What every answer would warn about, asked of Ollama directly: down, or the model not pulled; None when ready."""
    from ollama import Client

    try:
        Client(host=base_url(settings), timeout=CHECK_TIMEOUT).show(settings.llm_model)
    except Exception as error:
        return f"BYLINE_LLM=ollama: {explain(settings, error) or error}"
    return None


def make_answerer(settings: Settings, embed: Embed) -> LLMAnswerer:
    describe = f"Ollama ({settings.llm_model})"
    return LLMAnswerer(make_llm(settings), settings, embed, describe, lambda error: explain(settings, error), lambda: problem(settings))
