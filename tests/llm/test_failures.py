"""An LLM that is down, or slower than BYLINE_LLM_TIMEOUT, costs the reader nothing but a warning:
the extractive answer comes instead, in the API (no 500) and in batch mode (one JSON line each)."""

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures_server import serve_in_thread
from tests.llm.conftest import backend
from tests.llm.contract import fell_back

QUESTION = "Who is the spokesman of Iran's Foreign Ministry?"


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that takes connections and never answers: a server stuck on a long prompt."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.mark.parametrize(
    ("llm", "url", "advice"),
    [
        ("openai", "http://127.0.0.1:{port}/v1", "the server could not be reached at http://127.0.0.1:{port}/v1"),
        ("ollama", "http://127.0.0.1:{port}", "Ollama could not be reached at http://127.0.0.1:{port}: start it with `ollama serve`"),
    ],
)
def test_unreachable_llm_gives_the_extractive_answer_with_a_warning(seed_service, extractive, closed_port, llm, url, advice):
    result = backend(seed_service, llm=llm, llm_base_url=url.format(port=closed_port)).ask(QUESTION)
    assert result.answer == extractive.ask(QUESTION).answer and fell_back(result)
    assert advice.format(port=closed_port) in result.warnings[0]


@pytest.mark.parametrize(("llm", "url"), [("openai", "http://127.0.0.1:{port}/v1"), ("ollama", "http://127.0.0.1:{port}")])
def test_llm_slower_than_its_timeout_gives_the_extractive_answer(seed_service, extractive, silent_port, llm, url):
    result = backend(seed_service, llm=llm, llm_base_url=url.format(port=silent_port), llm_timeout=1).ask(QUESTION)
    assert result.answer == extractive.ask(QUESTION).answer and fell_back(result)
    assert "no reply within BYLINE_LLM_TIMEOUT (1 s)" in result.warnings[0]


def test_api_answers_200_when_the_llm_is_down(seed_service, closed_port):
    from ui.server import create_app

    service = backend(seed_service, llm="openai", llm_base_url=f"http://127.0.0.1:{closed_port}/v1")
    server = serve_in_thread(create_app(service))
    try:
        response = httpx.post(f"{next(server)}/api/ask", json={"question": QUESTION}, timeout=120)
    finally:
        server.close()
    assert response.status_code == 200
    result = response.json()
    assert result["citations"] and "could not be reached" in result["warnings"][0] and "extractive answer instead" in result["warnings"][0]


def test_batch_mode_writes_a_json_result_per_line_when_the_llm_is_down(seed_service, closed_port, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(json.dumps({"id": i, "question": q}) for i, q in enumerate([QUESTION, "Who won the 2014 World Cup?", "How many people left the area?"]))
    )
    env = {**os.environ, "BYLINE_LLM": "openai", "BYLINE_LLM_BASE_URL": f"http://127.0.0.1:{closed_port}/v1", "BYLINE_STORE": str(seed_service.settings.store)}
    run = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--queries", str(queries)], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in results] == [0, 1, 2]
    assert [r["abstained"] for r in results] == [False, True, False]
    assert all(r["citations"] and "could not be reached" in r["warnings"][0] for r in (results[0], results[2]))
