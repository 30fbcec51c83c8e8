"""A local GGUF model in-process through llama-cpp-python (`pip install -e '.[llamacpp]'`).

No server to run. The chat template is the one stored in the GGUF file, which
llama-cpp-python applies in `create_chat_completion`.
"""

import atexit
import os
import threading
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from rag.backends import explain_common
from rag.claims import Embed
from rag.answerers.llm import LLMAnswerer
from rag.settings import Settings

MISSING_EXTRA = "BYLINE_LLM=llamacpp needs llama-cpp-python: pip install -e '.[llamacpp]' (it builds from source, ~10-20 min)"
# One llama.cpp context serves one request at a time; loading is serialised with it.
_LOCK = threading.RLock()


class ModelUnavailable(RuntimeError):
    """The GGUF file or llama-cpp-python is missing, or the file is no model llama.cpp can load."""


def default_threads() -> int:
    """Half the cores this process may use, for generation and prompt reading alike.

    llama.cpp's threads wait for each other at every step: on 2 busy cores, 1 thread answered
    in 9-13 s where 2 took 26-36 s, and reading the prompt on 2 threads cost more than it saved.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // 2)


@cache
def load_model(path: str, context_window: int, threads: int):
    try:
        from llama_cpp import Llama
    except ImportError as error:
        raise ModelUnavailable(MISSING_EXTRA) from error
    try:
        return Llama(model_path=path, n_ctx=context_window, n_threads=threads, n_threads_batch=threads, verbose=False)
    except ValueError as error:
        raise ModelUnavailable(f"BYLINE_LLM_MODEL_PATH={path}: llama.cpp cannot load it as a GGUF model ({error})") from error


# Models freed before the interpreter tears down the modules llama-cpp-python frees them with.
atexit.register(load_model.cache_clear)


class LlamaCppChat(CustomLLM):
    """A llama-index LLM over `llama_cpp.Llama`, chatting through the GGUF's own template."""

    model_path: str
    context_window: int = 4096
    max_tokens: int = 256
    threads: int = 1

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(context_window=self.context_window, num_output=self.max_tokens, is_chat_model=True, model_name=Path(self.model_path).name)

    def model(self):
        with _LOCK:
            return load_model(self.model_path, self.context_window, self.threads)

    def _request(self, messages: list[ChatMessage], stream: bool):
        return self.model().create_chat_completion(
            messages=[{"role": m.role.value, "content": m.content or ""} for m in messages],
            max_tokens=self.max_tokens,
            temperature=0.0,
            stream=stream,
        )

    @llm_chat_callback()
    def chat(self, messages: list[ChatMessage], **kwargs: Any) -> ChatResponse:
        with _LOCK:
            reply = self._request(messages, stream=False)
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=reply["choices"][0]["message"]["content"]), raw=reply)

    @llm_chat_callback()
    def stream_chat(self, messages: list[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        self.model()  # a model that cannot load fails here, not at the first chunk

        def generate() -> ChatResponseGen:
            text = ""
            with _LOCK:
                for chunk in self._request(messages, stream=True):
                    delta = chunk["choices"][0]["delta"].get("content") or ""
                    text += delta
                    yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta, raw=chunk)

        return generate()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)])
        return CompletionResponse(text=reply.message.content or "")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        for chunk in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)]):
            yield CompletionResponse(text=chunk.message.content or "", delta=chunk.delta)


def make_llm(settings: Settings) -> LlamaCppChat:
    """The LLM with its model loaded, so that a wrong path or file fails at start-up."""
    if find_spec("llama_cpp") is None:
        raise ModelUnavailable(MISSING_EXTRA)
    path = settings.llm_model_path
    if path is None:
        raise ModelUnavailable("BYLINE_LLM=llamacpp needs BYLINE_LLM_MODEL_PATH: the path of a .gguf model file")
    if not Path(path).is_file():
        raise ModelUnavailable(f"BYLINE_LLM_MODEL_PATH={path}: no such file")
    llm = LlamaCppChat(
        model_path=str(Path(path).resolve()),
        context_window=settings.llm_context_window,
        max_tokens=settings.llm_max_tokens,
        threads=default_threads(),
    )
    llm.model()
    return llm


def make_answerer(settings: Settings, embed: Embed) -> LLMAnswerer:
    llm = make_llm(settings)
    describe = f"The local model ({Path(llm.model_path).name})"
    return LLMAnswerer(llm, settings, embed, describe, lambda error: explain_common(settings, error))
