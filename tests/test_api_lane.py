"""The lane (`qa.api.lane.Lane`): it answers a well-formed POST /retrieve with exactly what
the service retrieves and a well-formed non-streaming POST /ask with exactly what the
service answers, and hands every other request, and every one it cannot answer, to the
application with its body intact.

The application behind the lane is a scripted stand-in that records what reaches it (the
test needs to see which requests pass through); the service is the real one."""

from __future__ import annotations

import asyncio
import json

import pytest

from qa.api.lane import Lane
from qa.api.models import answer_body, retrieval_body
from qa.service import QAService

DOC = "north-korea-russia-alliance.md"


class Behind:
    """An ASGI app that records the requests (path and body) that reach it and answers 299."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    async def __call__(self, scope, receive, send) -> None:
        message = await receive()
        self.seen.append((scope["path"], message.get("body", b"")))
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call(service: QAService, path: str, body: bytes, method: str = "POST",
         content_type: bytes = b"application/json") -> tuple[Behind, list[dict]]:
    """Send one request through a lane in front of a `Behind`; what reached it and the
    messages sent back."""
    behind = Behind()
    lane = Lane(behind, service)
    scope = {"type": "http", "method": method, "path": path,
             "headers": [(b"content-type", content_type),
                         (b"content-length", str(len(body)).encode())]}
    given = False

    async def receive() -> dict:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(lane(scope, receive, send))
    return behind, sent


@pytest.mark.parametrize("request_body", [
    {"query": "regional impact of the military aspect"},
    {"query": "sanctions", "k": 50, "kind": "table_row"},
    {"query": "artillery shells", "k": 2, "doc": DOC, "kind": "passage"},
])
def test_a_well_formed_retrieve_is_answered_with_what_the_service_retrieves(
        service: QAService, request_body: dict) -> None:
    behind, sent = call(service, "/retrieve", json.dumps(request_body).encode())
    assert behind.seen == []
    expected = retrieval_body(service.retrieve(
        request_body["query"], request_body.get("k", 5), request_body.get("doc"),
        request_body.get("kind")))
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"]) == {b"content-type": b"application/json",
                                        b"content-length": str(len(expected)).encode()}
    assert sent[1]["body"] == expected
    assert json.loads(expected)["results"]


@pytest.mark.parametrize("body", [
    b'{"query": "ok",',  # not JSON
    b'{"query": "ok", "top_k": 3}',  # not the request's fields
    b'{"query": "ok", "k": 0}',  # out of range
    b'{"query": "   "}',  # refused by the service
    b'{"query": "military", "doc": "nope.md"}',  # an unknown document
    b"[1, 2]",
    b'{"query": "\xff\xfe"}',  # not UTF-8
])
def test_a_retrieve_it_cannot_answer_reaches_the_app_with_its_body(
        service: QAService, body: bytes) -> None:
    behind, sent = call(service, "/retrieve", body)
    assert behind.seen == [("/retrieve", body)]
    assert sent[0]["status"] == 299


@pytest.mark.parametrize("request_body", [
    {"question": "What is the regional impact of the military aspect?"},
    {"question": "And for Russia?", "doc": DOC, "stream": False,
     "history": [{"role": "user", "content": "Who supplies artillery shells?"},
                 {"role": "assistant", "content": "North Korea."}]},
])
def test_a_well_formed_ask_is_answered_with_what_the_service_answers(
        service: QAService, request_body: dict) -> None:
    behind, sent = call(service, "/ask", json.dumps(request_body).encode())
    assert behind.seen == []
    history = [(m["role"], m["content"]) for m in request_body.get("history", [])]
    answer = service.ask(request_body["question"], history, request_body.get("doc"))
    expected = answer_body(answer)
    assert sent[0]["status"] == 200
    assert dict(sent[0]["headers"]) == {b"content-type": b"application/json",
                                        b"content-length": str(len(expected)).encode()}
    assert sent[1]["body"] == expected
    assert json.loads(expected)["answer"] == answer.answer


@pytest.mark.parametrize("body", [
    b'{"question": "Who supplies artillery?", "stream": true}',  # an event stream
    b'{"question": "Who supplies artillery?", "history": "none"}',  # not the request's shape
    b'{"question": "   "}',  # refused by the service
    b'{"question": "artillery", "doc": "nope.md"}',  # an unknown document
    b'{"question": "artillery", "history": [' + b",".join(
        [b'{"role": "user", "content": "And?"}'] * 21) + b"]}",  # over QA_HISTORY_TURNS
])
def test_an_ask_it_does_not_answer_reaches_the_app_with_its_body(
        service: QAService, body: bytes) -> None:
    behind, sent = call(service, "/ask", body)
    assert behind.seen == [("/ask", body)]
    assert sent[0]["status"] == 299


@pytest.mark.parametrize("path, method, content_type", [
    ("/ask", "POST", b"text/plain"),
    ("/ask", "GET", b"application/json"),
    ("/retrieve", "GET", b"application/json"),
    ("/retrieve", "POST", b"text/plain"),
])
def test_other_requests_pass_through(service: QAService, path: str, method: str,
                                     content_type: bytes) -> None:
    body = b'{"query": "military"}'
    behind, _ = call(service, path, body, method, content_type)
    assert behind.seen == [(path, body)]
