"""BYLINE_LLM=openai against llama-cpp-python's own OpenAI-compatible server running SmolLM2."""

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag.backends.llamacpp import default_threads
from tests.fixtures_server import free_socket
from tests.llm.conftest import backend, timed_ask
from tests.llm.contract import assert_contract

QUESTION = "Who is the spokesman of Iran's Foreign Ministry?"


def llama_cpp_server(gguf, port: int) -> list[str]:
    """The README's command, on a free port, reading prompts on as many threads as it generates with."""
    threads = str(default_threads())
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(gguf),
        "--model_alias",
        "smollm2",
        "--n_ctx",
        "4096",
        "--n_threads",
        threads,
        "--n_threads_batch",
        threads,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("llama_cpp.server did not start")


@pytest.fixture(scope="module")
def server_url(gguf, tmp_path_factory) -> Iterator[str]:
    with free_socket() as sock:
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("llama-cpp-server") / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(llama_cpp_server(gguf, port), stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def test_answer_keeps_the_contract(seed_service, extractive, server_url):
    service = backend(seed_service, llm="openai", llm_base_url=server_url, llm_model="smollm2")
    result = timed_ask(service, QUESTION, "SmolLM2 via openai (llama_cpp.server)")
    assert_contract(service, result, extractive.ask(QUESTION))


def test_max_tokens_reaches_the_server(seed_service, server_url):
    llm = backend(seed_service, llm="openai", llm_base_url=server_url, llm_model="smollm2", llm_max_tokens=4).answerer.llm
    reply = llm.complete("Count from one to one hundred in words.")
    assert reply.raw.usage.completion_tokens == 4 and reply.raw.choices[0].finish_reason == "length"
