"""Any OpenAI-compatible server (OpenAI, vLLM, LM Studio, llama.cpp's server) through llama-index's OpenAILike."""

from rag.backends import explain_common, unreachable
from rag.claims import Embed
from rag.answerers.llm import LLMAnswerer
from rag.settings import Settings

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"


def base_url(settings: Settings) -> str:
    return settings.llm_base_url or DEFAULT_BASE_URL


def make_llm(settings: Settings):
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=base_url(settings),
        api_key=settings.llm_api_key,
        is_chat_model=True,
        context_window=settings.llm_context_window,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0.0,
    )


def explain(settings: Settings, error: Exception) -> str | None:
    status = getattr(error, "status_code", None)
    if status == 401:
        return "the server refused the key: check BYLINE_LLM_API_KEY"
    if status == 404:
        return f"the server has no model '{settings.llm_model}' at {base_url(settings)}: check BYLINE_LLM_MODEL and BYLINE_LLM_BASE_URL"
    common = explain_common(settings, error)
    if common is None and unreachable(error):
        return f"the server could not be reached at {base_url(settings)}: start it or set BYLINE_LLM_BASE_URL"
    return common


def make_answerer(settings: Settings, embed: Embed) -> LLMAnswerer:
    describe = f"The LLM ({settings.llm_model} at {base_url(settings)})"
    return LLMAnswerer(make_llm(settings), settings, embed, describe, lambda error: explain(settings, error))
