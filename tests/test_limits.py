"""Bounded requests through the real app: a body over BYLINE_MAX_REQUEST_MB gets 413 before it is read
(declared or streamed), a conversation over BYLINE_MAX_HISTORY_TURNS, BYLINE_MAX_TURN_CHARS or
BYLINE_MAX_HISTORY_CHARS gets 422 before anything is searched; what a follow-up's rewrite takes from
the conversation is bounded; the chat, which keeps its own conversation, sends on its recent turns."""

import json
import time

import pytest
from fastapi.testclient import TestClient

from tests.fixtures_server import API_KEY, QUESTION

MB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def api(served_service) -> TestClient:
    from ui.server import create_app

    return TestClient(create_app(served_service), headers={"Authorization": f"Bearer {API_KEY}"})


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def chat(*pairs: str) -> list[dict]:
    return [{"role": role, "content": text} for pair in pairs for role, text in zip(("user", "assistant"), (pair, "Yarmouk camp."))]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_a_huge_body_is_refused_with_413_before_it_is_read(api, path):
    for size in (10 * MB, 100 * MB):
        body = json.dumps({"question": QUESTION, "history": [{"role": "user", "content": "x" * size}]})
        refused, seconds = timed(lambda: api.post(path, content=body, headers=JSON))
        assert refused.status_code == 413 and "BYLINE_MAX_REQUEST_MB" in refused.json()["detail"], refused.text
        assert seconds < 1, seconds

    def streamed():  # no Content-Length: counted as it arrives
        yield b'{"question": "Who helped them?", "history": [{"role": "user", "content": "'
        yield from (b"x" * MB for _ in range(10))
        yield b'"}]}'

    refused, seconds = timed(lambda: api.post(path, content=streamed(), headers=JSON))
    assert refused.status_code == 413 and "BYLINE_MAX_REQUEST_MB" in refused.json()["detail"]
    assert seconds < 1, seconds


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_a_conversation_over_its_limits_is_refused_with_422(api, path, served_service, monkeypatch):
    searched = []
    search = served_service.retriever.chunks
    monkeypatch.setattr(served_service.retriever, "chunks", lambda *args, **kwargs: searched.append(args) or search(*args, **kwargs))
    too_long = [
        (chat(*["Which neighbourhoods did the Syrian army capture?"] * 11), "BYLINE_MAX_HISTORY_TURNS"),  # 22 turns
        ([{"role": "user", "content": "word " * 801}], "BYLINE_MAX_TURN_CHARS"),
        (chat(*["word " * 790] * 6), "BYLINE_MAX_HISTORY_CHARS"),  # 6 turns of 3950 characters
    ]
    for history, setting in too_long:
        refused = api.post(path, json={"question": "Who helped them?", "history": history})
        assert refused.status_code == 422 and setting in str(refused.json()["detail"]), (setting, refused.text)
    # refused before any work: nothing was searched (a wall-clock bound here failed on a loaded machine)
    assert searched == []
    assert api.post(path, json={"question": "Who helped them?", "history": chat("Which neighbourhoods did the Syrian army capture?")}).status_code == 200
    assert searched, "the spy sees the searches of a conversation within the limits"


def test_a_follow_up_within_the_limits_is_answered(api):
    history = chat(*["Which neighbourhoods did the Syrian army capture?"] * 10)  # 20 turns
    answered = api.post("/api/ask", json={"question": "Who helped them?", "history": history})
    assert answered.status_code == 200, answered.text
    assert answered.json()["standalone_question"] == "Who helped the Syrian army?"


def test_history_text_does_not_flow_into_the_search(served_service):
    from rag.schema import Turn

    subject = "the " + "Syrian " * 500 + "army"  # a 3,500-character subject
    history = [Turn(role="user", content=f"Which neighbourhoods did {subject} capture?")]
    result = served_service.ask("Who helped them?", history)
    assert len(result.standalone_question) <= len("Who helped them?") + 200, len(result.standalone_question)


def test_the_chat_sends_on_its_recent_turns_and_refuses_a_huge_question(served_service):
    from ui.gradio_app import chat_turn

    turns = chat(*["Which neighbourhoods did the Syrian army capture?"] * 30)  # the chat's own 60 turns
    *_, (messages, answered) = chat_turn(served_service, "Who helped them?", [], turns, None)
    assert answered is not None and "Searched for: “Who helped the Syrian army?”" in messages[-1]["content"]
    *_, (messages, answered) = chat_turn(served_service, "Who " + "helped " * 2000 + "them?", [], [], None)
    assert answered is None and messages[-1]["content"].startswith("Sorry, that failed: the question has")
