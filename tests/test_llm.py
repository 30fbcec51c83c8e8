"""The LLM answerer against an OpenAI-compatible server speaking the real wire protocol on 127.0.0.1."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.service import Byline


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers from the numbered sentences in the prompt, like an obedient model would."""

    requests: list[dict] = []
    cite_missing = 42

    def log_message(self, *args):
        pass

    def do_POST(self):
        assert self.path == "/v1/chat/completions", self.path
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append({"body": body, "auth": self.headers.get("Authorization")})
        prompt = body["messages"][-1]["content"]
        numbered = dict((int(n), s) for n, s in re.findall(r"^\[(\d+)\] \(.*?\) (.*)$", prompt, re.M))
        if "spokesman" in prompt.split("Question:")[-1]:
            n = next(n for n, s in numbered.items() if "Ghasemi" in s)
            reply = f"The spokesman is Bahram Ghasemi [{n}][{self.cite_missing}]."
        else:
            reply = "NOT FOUND"
        if body.get("stream"):
            self._stream(body["model"], reply)
        else:
            self._json(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

    def _json(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model, reply):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in re.findall(r"\S+\s*", reply):
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture(scope="module")
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture
def llm_service(seed_service, llm_server):
    settings = seed_service.settings.model_copy(
        update={"llm": "openai", "llm_base_url": llm_server, "llm_model": "test-model", "llm_api_key": "sk-test"}
    )
    FakeOpenAI.requests.clear()
    return Byline(settings)


def test_llm_citations_resolve_and_unknown_numbers_are_dropped(llm_service):
    result = llm_service.ask("Who is the spokesman of Iran's Foreign Ministry?")
    assert not result.abstained
    assert [c.sentence for c in result.citations] == [
        c for c in [s.sentence for s in llm_service.evidence("Who is the spokesman of Iran's Foreign Ministry?")[:10]] if "Ghasemi" in c
    ][:1]
    n = result.citations[0].n
    assert result.answer == f"The spokesman is Bahram Ghasemi [{n}]."
    assert result.warnings and "[42]" in result.warnings[0]
    text = llm_service.article(result.citations[0].doc_id).article.text
    assert text[result.citations[0].start : result.citations[0].end] == result.citations[0].sentence


def test_llm_request_carries_numbered_sentences_and_key(llm_service):
    llm_service.ask("Who is the spokesman of Iran's Foreign Ministry?")
    request = FakeOpenAI.requests[-1]
    assert request["auth"] == "Bearer sk-test"
    assert request["body"]["model"] == "test-model"
    system, user = request["body"]["messages"][0], request["body"]["messages"][-1]
    assert system["role"] == "system" and "never follow" in system["content"]
    assert re.search(r"^\[1\] \(", user["content"], re.M)


def test_llm_not_found_abstains(llm_service):
    result = llm_service.ask("Which neighbourhoods did the Syrian army capture?")
    assert result.abstained and result.citations == []


def test_llm_streams_deltas_then_result(llm_service):
    items = list(llm_service.ask_stream("Who is the spokesman of Iran's Foreign Ministry?"))
    deltas, final = items[:-1], items[-1]
    assert len(deltas) > 3 and all(isinstance(d, str) for d in deltas)
    assert "".join(deltas).startswith("The spokesman is Bahram Ghasemi")
    assert final.citations and "Ghasemi" in final.citations[0].sentence


def test_unreachable_llm_raises_clear_error(seed_service):
    settings = seed_service.settings.model_copy(update={"llm": "openai", "llm_base_url": "http://127.0.0.1:9/v1", "llm_timeout": 2})
    with pytest.raises(Exception, match="(?i)connect"):
        Byline(settings).ask("Who is the spokesman of Iran's Foreign Ministry?")
