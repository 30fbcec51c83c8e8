"""An OpenAI-compatible chat server on 127.0.0.1 that writes one supported and one invented claim.

It reads the numbered sentences of Byline's prompt (`[n] (title) sentence`) and answers the Syrian
army question with the Yarmouk sentence, cited, then a claim that no article makes: the answer
the claim checker must mark unsupported.
"""

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVENTED_CLAIM = "The army also captured Aleppo airport in 2019."


def reply_to(prompt: str) -> str:
    numbered = dict((s, int(n)) for n, s in re.findall(r"^\[(\d+)\] \(.*?\) (.*)$", prompt, re.M))
    yarmouk = next((n for s, n in numbered.items() if "Yarmouk camp" in s), None)
    if yarmouk is None:
        return "NOT FOUND"
    return f"The army captured the former IS strongholds in the Yarmouk camp and Hajar al-Aswad [{yarmouk}]. {INVENTED_CLAIM} [{yarmouk}]"


class FakeChat(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = reply_to(body["messages"][-1]["content"])
        if body.get("stream"):
            self._stream(body["model"], text)
        else:
            message = {"role": "assistant", "content": text}
            self._json({"id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]})

    def _json(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model: str, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for piece in re.findall(r"\S+\s*", text):
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model, "choices": [delta]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def fake_llm() -> Iterator[str]:
    """Serve until the generator is closed; yields the base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
