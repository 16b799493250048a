"""HTTP API through the real app and its lifespan: index facts, result shape, validation
errors in the one error shape, OpenAPI, and the /ask contract."""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.api.models import retrieval_body
from qa.chunk import chunk_document
from qa.config import Settings
from qa.encoder import in_place
from qa.parse import parse_document
from qa.service import MAX_QUERY_CHARS, QAService

DOC = "north-korea-russia-alliance.md"


@pytest.fixture(scope="module")
def client(analysis_settings: Settings, service: QAService) -> Iterator[TestClient]:
    with TestClient(create_app(analysis_settings, service=service, ui=False)) as c:
        yield c


def assert_error(resp, status: int, *words: str) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert isinstance(err["type"], str) and err["type"]
    assert isinstance(err["message"], str) and err["message"]
    for w in words:
        assert w in err["message"], err["message"]
    return err["message"]


# --- /health -----------------------------------------------------------------------------


def test_health_reports_the_index(client: TestClient, analysis_settings: Settings) -> None:
    resp = client.get("/health")
    assert resp.status_code == 200
    h = resp.json()
    assert h["status"] == "ok"
    text = (analysis_settings.corpus / DOC).read_text(encoding="utf-8")
    passages = sum(c.kind == "passage" for c in chunk_document(parse_document(DOC, text)))
    assert h["documents"] == 1
    assert h["table_rows"] == 10  # 3 + 3 + 4 rows in the analysis's three tables
    assert h["passages"] == passages and h["chunks"] == passages + 10
    assert "MiniLM" in h["model"]
    assert h["built_at"][:2] == "20" and "T" in h["built_at"]
    assert h["version"]


# --- /retrieve ---------------------------------------------------------------------------


def test_retrieve_table_row_shape(client: TestClient) -> None:
    resp = client.post("/retrieve", json={"query": "regional impact of the military aspect"})
    assert resp.status_code == 200
    body = resp.json()
    results = body["results"]
    assert len(results) == 5
    top = results[0]
    assert top["kind"] == "table_row"
    assert top["doc"] == DOC
    assert top["section"].startswith("North Korea Russia Alliance")
    assert top["header"] == ["Aspect", "North Korea", "Russia", "Regional Impact"]
    assert top["cells"][0] == "Military"
    assert top["cells"][3] == "Escalates arms build-up, increases tensions"
    assert top["table"] == 1 and top["row"] == 1
    assert top["line_start"] == top["line_end"] == 12
    assert isinstance(top["id"], str) and len(top["id"]) >= 8
    assert isinstance(top["score"], float)
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_retrieve_passage_shape(client: TestClient) -> None:
    body = client.post("/retrieve", json={
        "query": "which stakeholders must balance deterrence with dialogue", "k": 3,
        "kind": "passage", "doc": DOC}).json()
    assert len(body["results"]) == 3
    top = body["results"][0]
    assert top["kind"] == "passage" and "South Korea, Japan, China, and the US" in top["text"]
    assert top["section"] == "Strategic Implications for Regional Security and Diplomatic " \
                             "Engagement"
    assert "header" not in top and "cells" not in top
    assert {"id", "text", "score", "kind", "doc", "section", "line_start", "char_start"} <= set(top)


def test_retrieve_answers_what_the_service_retrieves(client: TestClient,
                                                    service: QAService) -> None:
    for body in ({"query": "military aspect", "k": 3},
                 {"query": "sanctions", "k": 50, "kind": "table_row"},
                 {"query": "missiles", "doc": DOC}):
        resp = client.post("/retrieve", json=body)
        expected = service.retrieve(body["query"], body.get("k", 5), body.get("doc"),
                                    body.get("kind"))
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/json"
        assert resp.content == retrieval_body(expected)


def test_retrieve_k_and_kind(client: TestClient) -> None:
    body = client.post("/retrieve", json={"query": "sanctions", "k": 50,
                                          "kind": "table_row"}).json()
    assert len(body["results"]) == 10
    assert all(r["kind"] == "table_row" for r in body["results"])


@pytest.mark.parametrize("path, body", [
    ("/retrieve", {"query": "military", "doc": "nope.md"}),
    ("/ask", {"question": "What is the military impact?", "doc": "north-korea.md"}),
])
def test_unknown_doc_is_a_404_with_the_names(client: TestClient, path: str, body: dict) -> None:
    resp = client.post(path, json=body)
    message = assert_error(resp, 404, repr(body["doc"]), DOC)
    assert resp.json()["error"]["type"] == "UnknownDocument"
    assert resp.json()["error"]["documents"] == [DOC]
    if body["doc"] == "north-korea.md":  # a near miss is named
        assert f"Did you mean {DOC!r}" in message


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize("body, words", [
    ({"query": ""}, ["query"]),
    ({"query": "   \t "}, ["query", "empty"]),
    ({"query": "x" * (MAX_QUERY_CHARS + 1)}, ["query", str(MAX_QUERY_CHARS)]),
    ({"query": "ok", "k": 0}, ["k"]),
    ({"query": "ok", "k": 51}, ["k", "50"]),
    ({"query": "ok", "k": "many"}, ["k"]),
    ({"query": "ok", "k": True}, ["k", "integer"]),  # was read as k=1
    ({"query": "ok", "k": "3"}, ["k", "integer"]),
    ({"query": "ok", "k": 3.0}, ["k", "integer"]),
    ({"query": "ok", "kind": "figure"}, ["kind", "passage", "table_row"]),
    ({"query": "ok", "top_k": 3}, ["top_k", "unknown field"]),
    ({}, ["query"]),
])
def test_retrieve_validation(client: TestClient, body: dict, words: list[str]) -> None:
    assert_error(client.post("/retrieve", json=body), 422, *words)


def test_malformed_json(client: TestClient) -> None:
    resp = client.post("/retrieve", content=b'{"query": "ok",',
                       headers={"content-type": "application/json"})
    assert_error(resp, 422, "JSON")


def test_malformed_json_message_names_no_position(client: TestClient) -> None:
    resp = client.post("/retrieve", content=b'{"query": "ok",',
                       headers={"content-type": "application/json"})
    message = assert_error(resp, 422, "JSON")
    assert not message[0].isdigit(), message


@pytest.mark.parametrize("headers", [
    {"content-type": "text/plain"},
    {"content-type": "application/x-www-form-urlencoded"},  # what `curl -d` sends
    {},
], ids=["text", "form", "none"])
@pytest.mark.parametrize("path", ["/retrieve", "/ask", "/v1/chat/completions"])
def test_a_json_body_without_a_json_content_type_says_so(client: TestClient, path: str,
                                                         headers: dict[str, str]) -> None:
    body = b'{"query": "military", "question": "military", "messages": []}'
    message = assert_error(client.post(path, content=body, headers=headers), 422,
                           "Content-Type: application/json")
    assert client.post(path, content=body, headers=headers).json()["error"]["details"] == [
        {"field": "body", "message": message[len("body: "):]}]


def test_chat_completions_stream_must_be_a_boolean(client: TestClient) -> None:
    resp = client.post("/v1/chat/completions", json={
        "model": "qa", "stream": "false", "messages": [{"role": "user", "content": "military"}]})
    assert_error(resp, 422, "stream", "boolean")


@pytest.mark.parametrize("content", [{"text": "hi"}, [{"text": "hi"}], ["hi"], 5,
                                     [{"type": "text", "text": 5}]])
def test_chat_content_of_neither_shape_is_one_error_on_the_field(client: TestClient,
                                                                 content: object) -> None:
    """The union's members (`content.str`, `content.list[Part]`) were named as fields."""
    resp = client.post("/v1/chat/completions", json={
        "model": "qa", "messages": [{"role": "user", "content": content}]})
    assert_error(resp, 422, "messages.0.content: content must be a string or a list of parts")
    assert [d["field"] for d in resp.json()["error"]["details"]] == ["messages.0.content"]


@pytest.mark.parametrize("content", [[{"type": "text"}], [{"type": "text", "text": "  "}], []])
def test_a_question_of_empty_text_parts_is_empty(client: TestClient, content: object) -> None:
    """It was "the question has no text: qa reads only text parts ..., and the last one
    has text"."""
    resp = client.post("/v1/chat/completions", json={
        "model": "qa", "messages": [{"role": "user", "content": content}]})
    assert_error(resp, 422, "question is empty")


def test_a_question_of_images_only_says_that_only_text_is_read(client: TestClient) -> None:
    resp = client.post("/v1/chat/completions", json={"model": "qa", "messages": [
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,x"}}]}]})
    assert_error(resp, 422, "only text parts", "image_url")


def test_a_long_chat_is_answered_from_its_latest_messages(client: TestClient,
                                                          analysis_settings: Settings) -> None:
    """A chat client sends the whole conversation: over 200 messages was a 422 it could not
    mend, so a long chat failed for good."""
    earlier = [{"role": "user" if i % 2 == 0 else "assistant", "content": "Hello."}
               for i in range(300)]
    messages = [*earlier, {"role": "user", "content": "What is the regional impact of the "
                           "military aspect?"}]
    resp = client.post("/v1/chat/completions", json={"model": "qa", "messages": messages})
    assert resp.status_code == 200, resp.text[:300]
    assert "Escalates arms build-up" in resp.json()["choices"][0]["message"]["content"]


def test_the_messages_read_cover_the_longest_history_allowed() -> None:
    from annotated_types import Le

    from qa.api.openai import MESSAGES_READ

    most = next(m.le for m in Settings.model_fields["history_turns"].metadata
                if isinstance(m, Le))
    assert MESSAGES_READ == most + 1


def test_a_json_content_type_with_parameters_is_json(client: TestClient) -> None:
    resp = client.post("/retrieve", content=b'{"query": "military", "k": 1}',
                       headers={"content-type": "application/json; charset=utf-8"})
    assert resp.status_code == 200 and len(resp.json()["results"]) == 1


@pytest.mark.parametrize("path", ["/health", "/documents", "/v1/models", "/docs", "/redoc"])
def test_head_is_answered_where_get_is(client: TestClient, path: str) -> None:
    """HEAD /health was a 405: uptime monitors and `curl -I` send HEAD."""
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def test_head_of_a_missing_chunk_is_a_404_and_post_routes_take_no_head(
        client: TestClient) -> None:
    assert client.head("/chunks/no-such-chunk").status_code == 404
    resp = client.head("/retrieve")
    assert resp.status_code == 405 and resp.headers["allow"] == "POST"
    assert all("head" not in ops for ops in client.get("/openapi.json").json()["paths"].values())


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/retrieve"), 405, "GET")
    assert client.get("/retrieve").headers["allow"] == "POST"
    assert_error(client.delete("/health"), 405, "DELETE")
    assert_error(client.get("/no-such-route"), 404, "/docs")
    assert_error(client.get("/static-offline-docs/no-such-file.js"), 404)


@pytest.mark.parametrize("body", [
    b'{"query": "\xff\xfe military"}',  # not UTF-8
    b"[" * 10_000 + b"]" * 10_000,  # nested too deep for the parser
    b'{"query": "military", "k": ' + b"9" * 5_000 + b"}",  # an integer of 5,000 digits
], ids=["invalid-utf8", "10000-deep", "5000-digit-integer"])
def test_unreadable_bodies_are_400_in_the_error_shape(client: TestClient, body: bytes) -> None:
    resp = client.post("/retrieve", content=body, headers={"content-type": "application/json"})
    assert_error(resp, 400, "UTF-8 JSON")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "GZIP", "identity, gzip",
                                      "x-unknown"])
@pytest.mark.parametrize("path", ["/retrieve", "/ask", "/v1/chat/completions"])
def test_a_compressed_body_is_refused_with_415(client: TestClient, path: str,
                                                encoding: str) -> None:
    """A compressed body was read as if it were plain (a gzip body: a 400 "could not be
    read"; plain JSON labelled gzip: answered). Refused before it is read."""
    plain = json.dumps({"query": "military", "question": "military", "model": "qa",
                        "messages": [{"role": "user", "content": "military"}]}).encode()
    body = gzip.compress(plain) if "gzip" in encoding.lower() else plain
    resp = client.post(path, content=body, headers={"content-type": "application/json",
                                                    "content-encoding": encoding})
    assert_error(resp, 415, "compressed", "send it uncompressed")
    assert resp.headers["accept-encoding"] == "identity"  # RFC 7694
    assert resp.json()["error"]["type"] == "UnsupportedMediaType"


def test_a_decompression_bomb_is_refused_unread(client: TestClient) -> None:
    bomb = gzip.compress(b"[" * (16 << 20))  # 16 MiB of JSON in some 16 KiB
    resp = client.post("/ask", content=bomb, headers={"content-type": "application/json",
                                                      "content-encoding": "gzip"})
    assert_error(resp, 415, "compressed")
    assert client.get("/health").status_code == 200


def test_an_identity_encoded_body_is_read(client: TestClient) -> None:
    resp = client.post("/retrieve", json={"query": "military", "k": 1},
                       headers={"content-encoding": "identity"})
    assert resp.status_code == 200 and len(resp.json()["results"]) == 1


# --- OpenAPI -----------------------------------------------------------------------------


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/health", "/retrieve", "/ask"} <= set(paths)
    assert "post" in paths["/retrieve"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_openapi_documents_the_error_shape_and_statuses_sent(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    expected = {"/index/rebuild": {"401", "403", "404"}, "/chunks/{chunk_id}": {"404"},
                "/v1/chat/completions": {"401", "403", "404"}}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            documented = set(op["responses"])
            assert {"400", "408", "413", "415", "422", "500", "503"} | expected.get(path, set()) \
                <= documented, (method, path, documented)
            for status in {s for s in documented if not s.startswith("2")}:
                schema = op["responses"][status]["content"]["application/json"]["schema"]
                assert schema == error, (method, path, status, schema)
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"type", "message"}


@pytest.mark.parametrize("page, asset", [("/docs", "swagger-ui-bundle.js"),
                                         ("/redoc", "redoc.standalone.js")])
def test_docs_pages_load_their_assets_from_this_server(client: TestClient, page: str,
                                                       asset: str) -> None:
    html = client.get(page).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from a CDN
    assert any(s.endswith(asset) for s in sources), sources
    for s in sources:
        resp = client.get(s)
        assert resp.status_code == 200 and len(resp.content) > 100, s


# --- /ask --------------------------------------------------------------------------------


def test_ask_contract_and_military_citation(client: TestClient) -> None:
    resp = client.post("/ask", json={"question": "What is the regional impact of the military "
                                                 "aspect?"})
    assert resp.status_code == 200
    body = resp.json()
    assert isinstance(body["answer"], str) and body["answer"]
    assert body["grounded"] is True
    assert body["citations"]
    for c in body["citations"]:
        assert {"id", "text", "kind", "doc"} <= set(c)
    assert any(c["kind"] == "table_row" and c["cells"][0] == "Military"
               for c in body["citations"])


def test_ask_with_history_and_doc(client: TestClient) -> None:
    resp = client.post("/ask", json={
        "question": "And in the economic aspect?", "doc": DOC,
        "history": [{"role": "user", "content": "What does Russia do militarily?"}]})
    assert resp.status_code == 200
    assert {"answer", "grounded", "citations"} <= set(resp.json())


def test_a_slow_answer_does_not_delay_retrieval(client: TestClient, service: QAService,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The answer is held inside its composition until a retrieval has completed: were
    # composition on the encoder thread, the retrieval would wait for it and time out.
    import qa.service

    composing, release = threading.Event(), threading.Event()
    threads: list[str] = []
    real = qa.service.answer

    def held(*args, **kwargs):
        threads.append(threading.current_thread().name)
        composing.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(qa.service, "answer", held)
    with ThreadPoolExecutor(2) as pool:
        try:
            asked = pool.submit(client.post, "/ask", json={"question": "Who supplies artillery?"})
            assert composing.wait(30)
            retrieved = pool.submit(client.post, "/retrieve",
                                    json={"query": "artillery", "k": 1}).result(20)
        finally:
            release.set()
        assert retrieved.status_code == 200 and retrieved.json()["results"]
        assert asked.result(60).status_code == 200
    assert threads and threads[0].startswith("qa-answer")


@pytest.mark.parametrize("body, words", [
    ({"question": ""}, ["question"]),
    ({"question": "  "}, ["question", "empty"]),
    ({"question": "ok", "history": [{"role": "robot", "content": "hi"}]}, ["role"]),
    ({"question": "ok", "extra": 1}, ["extra", "unknown field"]),
    ({"question": "ok", "stream": "no"}, ["stream", "boolean"]),  # was read as false
    ({"question": "ok", "stream": 1}, ["stream", "boolean"]),
    ({"question": "ok", "history": [{"role": "user", "content": None}]}, ["history.0.content"]),
])
def test_ask_validation(client: TestClient, body: dict, words: list[str]) -> None:
    assert_error(client.post("/ask", json=body), 422, *words)


def test_history_is_limited_in_messages_and_characters(client: TestClient,
                                                       analysis_settings: Settings) -> None:
    turns, chars = analysis_settings.history_turns, analysis_settings.history_chars
    many = [{"role": "user", "content": "And?"}] * (turns + 1)
    assert_error(client.post("/ask", json={"question": "And?", "history": many}), 422,
                 "QA_HISTORY_TURNS", str(turns))
    long = [{"role": "user", "content": "why " * (chars // 8 + 1)}] * 2
    assert_error(client.post("/ask", json={"question": "And?", "history": long}), 422,
                 "QA_HISTORY_CHARS", str(chars))


def test_a_follow_up_chain_never_makes_a_question_over_the_limit(client: TestClient) -> None:
    """A follow-up is searched with the earlier question; a chain of them made a 20,990-
    character question before, which held the query thread for seconds."""
    earlier = "What is the regional impact of the military aspect " + "and more " * 220
    history = [{"role": "user", "content": earlier[:MAX_QUERY_CHARS - 1]},
               {"role": "assistant", "content": "It escalates arms build-up [1]"},
               {"role": "user", "content": "And?"}, {"role": "assistant", "content": "-"}]
    resp = client.post("/ask", json={"question": "And then?", "history": history})
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["question"]) <= MAX_QUERY_CHARS
    assert resp.json()["question"].startswith("And then?")


@pytest.mark.parametrize("request_body", [
    {"query": "regional impact of the military aspect"},
    {"query": "artillery shells", "k": 3, "doc": "north-korea-russia-alliance.md",
     "kind": "passage"},
    {"query": "sanctions evasion", "k": 50},
])
def test_a_query_encoded_in_place_gets_the_body_of_one_handed_over(
        client: TestClient, service: QAService, request_body: dict) -> None:
    chosen: dict[str, list[bool]] = {}
    bodies: dict[str, bytes] = {}
    for place, verdict in (("here", True), ("handed over", False)):
        chosen[place] = []
        service.queries.choose = lambda *counts, v=verdict, c=chosen[place]: c.append(v) or v
        try:
            resp = client.post("/retrieve", json=request_body)
        finally:
            service.queries.choose = in_place
        assert resp.status_code == 200 and resp.json()["results"]
        bodies[place] = resp.content
    assert chosen == {"here": [True], "handed over": [False]}  # each path was taken
    assert bodies["here"] == bodies["handed over"]
