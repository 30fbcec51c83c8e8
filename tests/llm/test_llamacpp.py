"""BYLINE_LLM=llamacpp: SmolLM2 in-process, over the seed article."""

import sys

import pytest
from llama_index.core.llms import ChatMessage, MessageRole

from rag.answerers import NOT_FOUND
from rag.backends.llamacpp import ModelUnavailable, default_threads, make_llm
from tests.llm.conftest import backend, timed_ask
from tests.llm.contract import assert_contract, fell_back, rendered

QUESTIONS = [
    "Which neighbourhoods did the Syrian army capture?",
    "How many people left the area, and where did they go?",
    "Who is the spokesman of Iran's Foreign Ministry?",
    "Which countries have provided military support to Assad's forces?",
]


@pytest.fixture(scope="module")
def answers(llamacpp):
    return {question: timed_ask(llamacpp, question, "SmolLM2 via llamacpp") for question in QUESTIONS}


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_keeps_the_contract(llamacpp, extractive, answers, question):
    assert_contract(llamacpp, answers[question], extractive.ask(question))


def test_the_claim_check_accepts_some_of_smollm2s_answers(answers):
    """Else every answer above could be the fallback, and the checked-text path would go untested."""
    assert any(not fell_back(result) and not result.abstained for result in answers.values()), answers


def test_stream_yields_only_the_final_answers_supported_claims(llamacpp):
    *deltas, final = llamacpp.ask_stream(QUESTIONS[0])
    assert all(isinstance(delta, str) for delta in deltas)
    if final.abstained:
        assert deltas == []
    elif fell_back(final):  # the extractive answer streams in its place, one cited sentence at a time
        assert "".join(deltas) == final.answer
    else:
        assert [delta.strip() for delta in deltas] == rendered(final)
        assert "".join(deltas) in final.answer or len(rendered(final)) < len(final.claims)


def test_off_topic_question_is_refused(llamacpp):
    result = llamacpp.ask("Who won the 2014 World Cup?")
    assert result.abstained and result.answer == NOT_FOUND and result.citations == []


def test_slow_model_past_its_timeout_gives_the_extractive_answer(seed_service, gguf, extractive):
    result = backend(seed_service, llm="llamacpp", llm_model_path=gguf, llm_timeout=0.001).ask(QUESTIONS[1])
    assert result.answer == extractive.ask(QUESTIONS[1]).answer
    assert "took longer than BYLINE_LLM_TIMEOUT (0.001 s)" in result.warnings[0] and fell_back(result)


def test_prompt_past_the_context_window_gives_the_extractive_answer_and_advice(seed_service, gguf, extractive):
    result = backend(seed_service, llm="llamacpp", llm_model_path=gguf, llm_context_window=256).ask(QUESTIONS[1])
    assert result.answer == extractive.ask(QUESTIONS[1]).answer and fell_back(result)
    assert "exceed context window of 256" in result.warnings[0] and "raise BYLINE_LLM_CONTEXT_WINDOW (now 256)" in result.warnings[0]


def test_max_tokens_context_window_and_threads_are_honoured(seed_settings, gguf):
    settings = seed_settings.model_copy(update={"llm": "llamacpp", "llm_model_path": gguf, "llm_max_tokens": 5, "llm_context_window": 1024})
    llm = make_llm(settings)
    assert llm.model().n_ctx() == 1024
    assert llm.model().n_threads == default_threads()
    reply = llm.chat([ChatMessage(role=MessageRole.USER, content="Count from one to one hundred in words.")])
    assert reply.raw["usage"]["completion_tokens"] == 5 and reply.raw["choices"][0]["finish_reason"] == "length"


def test_wrong_model_path_is_a_clear_error(seed_service, tmp_path):
    missing = tmp_path / "missing.gguf"
    with pytest.raises(ModelUnavailable, match=f"BYLINE_LLM_MODEL_PATH={missing}: no such file"):
        backend(seed_service, llm="llamacpp", llm_model_path=missing).ask(QUESTIONS[0])
    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("not a model")
    with pytest.raises(ModelUnavailable, match="llama.cpp cannot load it as a GGUF model"):
        backend(seed_service, llm="llamacpp", llm_model_path=not_a_model).ask(QUESTIONS[0])
    with pytest.raises(ModelUnavailable, match="needs BYLINE_LLM_MODEL_PATH"):
        backend(seed_service, llm="llamacpp", llm_model_path=None).ask(QUESTIONS[0])


def test_missing_extra_is_a_clear_error(seed_service, gguf, monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were not installed
    with pytest.raises(ModelUnavailable, match=r"needs llama-cpp-python: pip install -e '\.\[llamacpp\]'"):
        backend(seed_service, llm="llamacpp", llm_model_path=gguf).ask(QUESTIONS[0])
