"""LLM backends: each builds a llama-index LLM from `Settings` and hands it to `rag.answerers.llm.LLMAnswerer`.

A new backend is one module here with a `make_answerer(settings, embed)` function, plus one line in
rag/answerers/__init__.py's `ANSWERERS` (or an entry point in the `byline.answerers` group)."""

from rag.settings import Settings


def explain_common(settings: Settings, error: Exception) -> str | None:
    """Advice for the failures every backend shares: too slow, or a prompt too long for the context."""
    message, kind = str(error).lower(), type(error).__name__.lower()
    if "timeout" in kind or "timed out" in message:
        return f"it gave no reply within BYLINE_LLM_TIMEOUT ({settings.llm_timeout:g} s)"
    if "context window" in message or "context length" in message:
        return f"the prompt does not fit the model's context window ({error}): raise BYLINE_LLM_CONTEXT_WINDOW (now {settings.llm_context_window})"
    return None


def unreachable(error: Exception) -> bool:
    """Whether the server could not be connected to at all."""
    return "connect" in str(error).lower() or "connect" in type(error).__name__.lower()
