"""BYLINE_LLM=ollama against Ollama's wire protocol, served on 127.0.0.1 by the real SmolLM2."""

import pytest

from rag.backends.ollama import make_answerer
from tests.llm.conftest import backend, timed_ask
from tests.llm.contract import assert_contract, fell_back
from tests.llm.ollama_server import OllamaServer

QUESTION = "How many people left the area, and where did they go?"


@pytest.fixture(scope="module")
def ollama(gguf):
    server = OllamaServer({"smollm2": gguf}).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def answered(seed_service, ollama):
    """The service, its answer to QUESTION and the requests Ollama received for it."""
    service = backend(seed_service, llm="ollama", llm_base_url=ollama.url, llm_model="smollm2")
    ollama.requests.clear()
    result = timed_ask(service, QUESTION, "SmolLM2 via ollama (test server)")
    return service, result, list(ollama.requests)


def test_answer_keeps_the_contract(answered, extractive):
    service, result, _ = answered
    assert_contract(service, result, extractive.ask(QUESTION))


def test_every_chat_request_sets_the_context_window_and_answer_length(answered):
    service, _, requests = answered
    chats = [body for path, body in requests if path == "/api/chat"]
    assert chats
    for body in chats:
        assert body["model"] == "smollm2" and body["stream"] is True
        assert body["options"]["num_ctx"] == service.settings.llm_context_window
        assert body["options"]["num_predict"] == service.settings.llm_max_tokens


def test_a_model_not_pulled_is_named_at_start_up_and_in_each_answer(seed_service, ollama, extractive):
    advice = "Ollama has no model 'llama3.2': run `ollama pull llama3.2`"
    service = backend(seed_service, llm="ollama", llm_base_url=ollama.url, llm_model="llama3.2")
    assert advice in service.answerer_problem()  # what `byline serve` warns and /healthz reports at start-up
    result = service.ask(QUESTION)
    assert result.answer == extractive.ask(QUESTION).answer and fell_back(result)
    assert advice in result.warnings[0]


def test_a_pulled_model_passes_the_start_up_check_quietly(seed_service, ollama):
    service = backend(seed_service, llm="ollama", llm_base_url=ollama.url, llm_model="smollm2")
    ollama.requests.clear()
    assert service.answerer_problem() is None and ollama.requests == [("/api/show", {"model": "smollm2"})]
    assert make_answerer(service.settings, lambda texts: None).problem() is None
