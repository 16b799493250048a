"""`qa serve`'s uvicorn server (qa.api.server): the service's encoder learns how many
connections are open, on which it decides where a lone query is encoded, and every
response still has its access-log line, written after the response."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
from fastapi import FastAPI

from qa.api.server import server_for
from qa.config import Settings
from qa.encoder import QueryThread
from qa.service import QAService
from tests.conftest import free_port, serving


def test_the_encoder_learns_how_many_connections_the_server_has_open(
        analysis_settings: Settings) -> None:
    # A stand-in service with a real encoder thread, so that the app needs no index.
    queries = QueryThread()
    app = FastAPI()
    app.state.service = SimpleNamespace(queries=queries)

    @app.get("/open")
    async def open_connections() -> dict[str, int | None]:
        return {"open": queries.connections(), "alone": queries.alone()}

    port = free_port()
    server = server_for(app, analysis_settings.model_copy(update={"host": "127.0.0.1",
                                                                  "port": port}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        asker = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        def seen() -> dict:
            asker.request("GET", "/open")
            return json.loads(asker.getresponse().read())

        def until(expected: dict) -> None:
            deadline = time.monotonic() + 10
            while (got := seen()) != expected:  # the server accepts and drops in its turn
                assert time.monotonic() < deadline, got
                time.sleep(0.02)

        assert seen() == {"open": 1, "alone": True}
        other = socket.create_connection(("127.0.0.1", port), timeout=10)
        until({"open": 2, "alone": False})
        other.close()
        until({"open": 1, "alone": True})
        asker.close()
    finally:
        server.should_exit = True
        thread.join(15)
    assert not thread.is_alive()


def test_each_response_has_its_access_log_line_once_it_is_sent(
        analysis_settings: Settings, service: QAService, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with serving(analysis_settings.corpus, analysis_settings.index, log) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/retrieve", json={"query": "artillery shells"}).status_code == 200
        assert client.post("/retrieve", json={"query": ""}).status_code == 422
        assert client.get("/nowhere").status_code == 404
        with client.stream("POST", "/ask", json={"question": "Who supplies artillery?",
                                                 "stream": True}) as events:
            assert events.status_code == 200 and events.read()
    lines = [line for line in log.read_text().splitlines() if " HTTP/1.1" in line]
    requests = [re.search(r'"(\w+ \S+) HTTP/1\.1" (\d+)', line).groups() for line in lines]
    assert requests[-4:] == [("POST /retrieve", "200"), ("POST /retrieve", "422"),
                             ("GET /nowhere", "404"), ("POST /ask", "200")]
