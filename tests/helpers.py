"""Test helpers shared by several test files (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Reply:
    """What the scripted LLM server did for one request: the words it sent, and whether
    the client closed the connection before the script's end."""

    words: int = 0
    cut: bool = False


@dataclass
class ScriptedLLM:
    """A stand-in OpenAI-compatible server on loopback that streams a fixed text word by
    word: for tests that need an exact LLM output and timing (what passes verification,
    what is dropped, a stop mid-answer). The real model (SmolLM2 on llama.cpp) is tested in
    tests/test_llm.py; the official `openai` client reads this server as it reads that one.

    Set `script`, `delay` (seconds between words) and `silence` (before the first word)
    between uses; `replies` records each request."""

    script: str = ""
    delay: float = 0.0
    silence: float = 0.0
    replies: list[Reply] = field(default_factory=list)
    url: str = ""

    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    data: dict[str, Any] = {
        "id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0,
        "model": "scripted", "choices": [{"index": 0, "finish_reason": finish,
                                          "delta": {"content": content} if content else {}}]}
    return f"data: {json.dumps(data)}\n\n".encode()


def _handler(llm: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            body = json.dumps({"object": "list", "data": [
                {"id": "scripted", "object": "model", "created": 0, "owned_by": "tests"}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            reply = Reply()
            llm.replies.append(reply)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            time.sleep(llm.silence)
            try:
                for word in llm.script.split(" "):
                    self.wfile.write(_chunk(word + " "))
                    self.wfile.flush()
                    reply.words += 1
                    time.sleep(llm.delay)
                self.wfile.write(_chunk(None, "stop") + b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                reply.cut = True

    return Handler
