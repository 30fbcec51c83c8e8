"""Test-double models on 127.0.0.1 speaking the real OpenAI (/v1/chat/completions, streamed or
not) and Ollama (/api/chat, NDJSON) wire protocols. A script decides what the model writes
from the prompt's numbered sentences (`[n] (title) sentence`), so tests can make it obedient,
wrong, planted-instruction-following, garbage or slow.
"""

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Script = Callable[[str, dict[int, str]], str]
INVENTED_CLAIM = "The army also captured Aleppo airport in 2019."


def numbered_sentences(prompt: str) -> dict[int, str]:
    return {int(n): s for n, s in re.findall(r"^\[(\d+)\] \(.*?\) (.*)$", prompt, re.M)}


def number_of(numbered: dict[int, str], fragment: str) -> int:
    return next(n for n, s in numbered.items() if fragment in s)


def supported_and_invented(prompt: str, numbered: dict[int, str]) -> str:
    """Answers the Syrian army question with the Yarmouk sentence, cited, then a claim no article makes."""
    yarmouk = next((n for n, s in numbered.items() if "Yarmouk camp" in s), None)
    if yarmouk is None:
        return "NOT FOUND"
    return f"The army captured the former IS strongholds in the Yarmouk camp and Hajar al-Aswad [{yarmouk}]. {INVENTED_CLAIM} [{yarmouk}]"


class ScriptedModel(BaseHTTPRequestHandler):
    script: Script = staticmethod(lambda prompt, numbered: "NOT FOUND")
    delay = 0.0
    requests: list[dict] = []
    known_models = {"test-model", "fake-model"}

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body.get("model") not in self.known_models:
            return self._send(404, {"error": f"model '{body.get('model')}' not found, try pulling it first"})
        if self.path == "/api/show":  # Ollama's question whether a model is pulled
            return self._send(200, {"modelfile": "", "details": {"format": "gguf"}, "model_info": {}})
        prompt = body["messages"][-1]["content"]
        reply = self.script(prompt, numbered_sentences(prompt))
        time.sleep(self.delay)
        if self.path == "/api/chat":
            self._ollama(body, reply)
        elif body.get("stream"):
            self._openai_stream(body, reply)
        else:
            message = {"role": "assistant", "content": reply}
            self._send(
                200,
                {
                    "id": "c1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                },
            )

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _openai_stream(self, body: dict, reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in re.findall(r"\S+\s*", reply):
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def _ollama(self, body: dict, reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        stamp = {"model": body["model"], "created_at": "2026-01-01T00:00:00Z"}
        for piece in re.findall(r"\S+\s*", reply) if body.get("stream") else [reply]:
            self.wfile.write((json.dumps({**stamp, "message": {"role": "assistant", "content": piece}, "done": False}) + "\n").encode())
        done = {**stamp, "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop", "prompt_eval_count": 1, "eval_count": 1}
        self.wfile.write((json.dumps(done) + "\n").encode())


def scripted_model(script: Script | None = None) -> type[ScriptedModel]:
    """A model class of its own (script, delay, request log), so servers do not share them."""
    attributes = {"requests": []}
    if script is not None:
        attributes["script"] = staticmethod(script)
    return type("Model", (ScriptedModel,), attributes)


def serve_model(model: type[ScriptedModel]) -> Iterator[str]:
    """Serve `model` until the generator is closed; yields the server's root URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), model)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: a model server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fake_llm(script: Script = supported_and_invented) -> Iterator[str]:
    """An OpenAI-compatible server writing one supported and one invented claim; yields its …/v1 URL."""
    for url in serve_model(scripted_model(script)):
        yield f"{url}/v1"
