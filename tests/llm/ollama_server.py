"""Ollama's wire protocol on 127.0.0.1, answered by a real model through llama-cpp-python.

There is no Ollama on this machine, so this speaks what Byline's ollama backend sends and
reads: POST /api/chat (an NDJSON stream, or one JSON object with "stream": false), POST
/api/show, and 404 {"error": "model 'x' not found"} for a model that was never pulled.
Like Ollama, it loads a model with the `num_ctx` a request asks for (2,048 unless told).
Every request is kept for the tests to inspect.
"""

import atexit
import json
import os
import threading
import time
from datetime import datetime, timezone
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

OLLAMA_DEFAULT_NUM_CTX = 2048


class OllamaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, models: dict[str, Path]):
        super().__init__(("127.0.0.1", 0), OllamaHandler)
        self.models = models
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "OllamaServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def model(self, name: str, num_ctx: int):
        return _load(str(self.models[name]), num_ctx)


@cache
def _load(path: str, num_ctx: int):
    from llama_cpp import Llama

    threads = max(1, os.cpu_count() // 2)  # Ollama's choice: the physical cores
    return Llama(model_path=path, n_ctx=num_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)


atexit.register(_load.cache_clear)  # as rag.backends.llamacpp does


class OllamaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # Ollama streams with chunked transfer encoding
    server: OllamaServer

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append((self.path, body))
        name = body.get("model") or body.get("name")
        if self.path not in ("/api/chat", "/api/show"):
            return self._send_json(404, {"error": "404 page not found"})
        if name not in self.server.models:
            return self._send_json(404, {"error": f"model '{name}' not found"})
        if self.path == "/api/show":
            return self._send_json(200, self._show(name))
        self._chat(name, body)

    def _show(self, name: str) -> dict:
        metadata = self.server.model(name, OLLAMA_DEFAULT_NUM_CTX).metadata
        info = {k: int(v) if v.isdigit() else v for k, v in metadata.items() if not k.startswith("tokenizer.")}
        family = metadata.get("general.architecture", "")
        return {
            "modelfile": f"FROM {self.server.models[name]}",
            "parameters": "",
            "template": metadata.get("tokenizer.chat_template", ""),
            "details": {"format": "gguf", "family": family, "families": [family]},
            "model_info": info,
            "capabilities": ["completion"],
            "modified_at": _now(),
        }

    def _chat(self, name: str, body: dict):
        options = body.get("options") or {}
        parts = self._generate(name, body["messages"], options)
        if body.get("stream", True):
            self._stream(parts)
        else:
            *pieces, last = parts
            last["message"]["content"] = "".join(p["message"]["content"] for p in pieces)
            self._send_json(200, last)

    def _generate(self, name: str, messages: list[dict], options: dict):
        """Ollama's chat parts: one per token, then the `done` part with its counts."""
        started = time.perf_counter_ns()
        with self.server.lock:
            model = self.server.model(name, options.get("num_ctx", OLLAMA_DEFAULT_NUM_CTX))
            chunks = model.create_chat_completion(
                messages=messages, max_tokens=options.get("num_predict", -1), temperature=options.get("temperature", 0.8), stream=True
            )
            count, reason = 0, "stop"
            for chunk in chunks:
                choice = chunk["choices"][0]
                reason = choice.get("finish_reason") or reason
                if choice["delta"].get("content"):
                    count += 1
                    yield {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": choice["delta"]["content"]}, "done": False}
        total = time.perf_counter_ns() - started
        yield {
            "model": name,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": reason,
            "total_duration": total,
            "eval_count": count,
            "eval_duration": total,
        }

    def _stream(self, parts):
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in parts:
            line = json.dumps(part).encode() + b"\n"
            self.wfile.write(b"%X\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _send_json(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
