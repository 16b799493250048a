"""`qa` as a model for OpenAI clients: the real `openai` package against `qa serve` on
loopback (extractive answers: no LLM behind it), streamed and not, multi-turn, errors and
the bearer key; and `POST /ask` with `"stream": true` read as server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.config import Settings
from qa.service import QAService
from tests.conftest import serving

MILITARY = "What is the regional impact of the military aspect?"
KEY = "test-key-0d3a"


@pytest.fixture(scope="module")
def keyed_server(analysis_settings: Settings, service: QAService) -> Iterator[str]:
    """`qa serve` over the analysis with QA_API_KEY set."""
    with serving(analysis_settings.corpus, analysis_settings.index, api_key=KEY) as url:
        yield url


@pytest.fixture(scope="module")
def client(keyed_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=keyed_server + "/v1", api_key=KEY, max_retries=0, timeout=60)


def test_models_lists_qa(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list().data] == ["qa"]


def test_a_completion_cites_in_its_content_and_in_the_qa_field(client: openai.OpenAI) -> None:
    # What clients always send (temperature, top_p, user, max_tokens, ...) is accepted.
    done = client.chat.completions.create(
        model="qa", temperature=0.7, top_p=0.9, user="someone", max_tokens=20, n=1,
        presence_penalty=0.1, seed=3,
        messages=[{"role": "system", "content": "You are a helpful assistant."},
                  {"role": "user", "content": MILITARY}])
    assert done.object == "chat.completion"
    choice = done.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    text = choice.message.content
    answer, sources = text.split("\n\nSources:\n")
    assert "Escalates arms build-up" in answer and answer.endswith("[1]")
    assert sources.startswith("- [1] north-korea-russia-alliance.md")
    assert "line 12: Aspect: Military; North Korea: Enhances missile and defense tech" in sources
    qa = done.model_extra["qa"]
    assert qa["answer"] == answer and "composed_by" not in qa  # extractive
    assert qa["citations"][0]["cells"][0] == "Military"


def test_the_stream_reads_as_the_completion(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(
        model="qa", messages=[{"role": "user", "content": MILITARY}]).choices[0].message.content
    parts = list(client.chat.completions.create(
        model="qa", messages=[{"role": "user", "content": MILITARY}], stream=True,
        stream_options={"include_usage": True}))
    assert all(p.object == "chat.completion.chunk" for p in parts)
    assert parts[0].choices[0].delta.role == "assistant"
    assert "".join(p.choices[0].delta.content or "" for p in parts if p.choices) == whole
    last = parts[-2]  # the last with a choice: the usage follows (include_usage)
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["qa"]["citations"][0]["cells"][0] == "Military"


def tokens(service: QAService, *texts: str) -> int:
    """Tokens of the texts as usage counts them: the embedding model's tokenizer, without
    its special tokens."""
    return sum(service.retriever.encoder.count_tokens(list(texts), special=False))


def test_a_completion_reports_its_usage(client: openai.OpenAI, service: QAService) -> None:
    """OpenAI clients read `usage`: prompt tokens of what was read (the question and the
    earlier messages), completion tokens of the reply's content."""
    done = client.chat.completions.create(
        model="qa", messages=[{"role": "user", "content": MILITARY}])
    text = done.choices[0].message.content
    assert done.usage.prompt_tokens == tokens(service, MILITARY) > 5
    assert done.usage.completion_tokens == tokens(service, text) > 20
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens
    # The system message is not read; the earlier turns are.
    follow = client.chat.completions.create(model="qa", messages=[
        {"role": "system", "content": "You are a helpful assistant who answers briefly."},
        {"role": "user", "content": MILITARY}, {"role": "assistant", "content": text},
        {"role": "user", "content": "And for the economic aspect?"}])
    assert follow.usage.prompt_tokens == tokens(service, "And for the economic aspect?",
                                                MILITARY, text)


def test_a_stream_sends_its_usage_last_only_when_asked(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": MILITARY}]
    whole = client.chat.completions.create(model="qa", messages=messages)
    parts = list(client.chat.completions.create(
        model="qa", messages=messages, stream=True, stream_options={"include_usage": True}))
    *rest, last = parts
    assert last.choices == [] and last.usage == whole.usage  # OpenAI's last chunk
    assert all(p.choices and p.usage is None for p in rest)
    plain = list(client.chat.completions.create(model="qa", messages=messages, stream=True))
    assert plain[-1].choices[0].finish_reason == "stop"
    assert all(p.usage is None and "usage" not in p.model_fields_set for p in plain)


@pytest.mark.parametrize("stream", [False, True])
def test_a_model_not_served_is_not_found(client: openai.OpenAI, keyed_server: str,
                                         stream: bool) -> None:
    """Any name was answered by qa; a client that picked a model it thought was another
    could not tell. The error is OpenAI's model_not_found, in the one shape."""
    assert [m.id for m in client.models.list().data] == ["qa"]
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", stream=stream,
                                       messages=[{"role": "user", "content": MILITARY}])
    assert e.value.code == "model_not_found" and e.value.param == "model"
    assert "gpt-4o" in e.value.message and "GET /v1/models" in e.value.message
    resp = httpx.post(keyed_server + "/v1/chat/completions", timeout=60,
                      headers={"Authorization": f"Bearer {KEY}"},
                      json={"model": "QA", "messages": [{"role": "user", "content": MILITARY}]})
    assert resp.status_code == 404 and resp.json() == {"error": {
        "type": "UnknownModel", "param": "model", "code": "model_not_found",
        "message": "the model 'QA' does not exist: qa serves qa (GET /v1/models)"}}


def test_multi_turn_messages_are_read_as_a_follow_up(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model="qa", messages=[{"role": "user", "content": MILITARY}]).choices[0].message.content
    done = client.chat.completions.create(model="qa", messages=[
        {"role": "user", "content": MILITARY},
        {"role": "assistant", "content": first},
        {"role": "user", "content": [{"type": "text", "text": "And for the economic aspect?"}]}])
    text = done.choices[0].message.content
    assert "Disrupts supply chains" in text and "Escalates" not in text


def test_errors_are_in_the_one_shape(client: openai.OpenAI, keyed_server: str) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as e:
        client.chat.completions.create(model="qa", messages=[
            {"role": "user", "content": MILITARY}, {"role": "assistant", "content": "Hi"}])
    assert "last message must be the user's question" in e.value.message
    assert set(e.value.body) >= {"type", "message"}  # the client reads body["error"]
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="qa", messages=[])
    with pytest.raises(openai.UnprocessableEntityError) as e:  # too long for a question
        client.chat.completions.create(model="qa", messages=[{"role": "user", "content": "x" * 5000}])
    assert "limit" in e.value.message
    with pytest.raises(openai.UnprocessableEntityError):  # also before a stream starts
        client.chat.completions.create(model="qa", stream=True,
                                       messages=[{"role": "user", "content": "   "}])


def test_the_bearer_key(keyed_server: str) -> None:
    def ask(key: str) -> None:
        openai.OpenAI(base_url=keyed_server + "/v1", api_key=key, max_retries=0).models.list()

    with pytest.raises(openai.PermissionDeniedError):
        ask("wrong")
    resp = httpx.get(keyed_server + "/v1/models")
    assert resp.status_code == 401 and resp.json()["error"]["type"] == "Unauthorized"
    assert KEY not in resp.text
    # the key guards the OpenAI endpoints only
    assert httpx.post(keyed_server + "/ask", json={"question": MILITARY}).status_code == 200


def test_a_model_is_retrieved_by_its_id(client: openai.OpenAI) -> None:
    assert client.models.retrieve("qa").id == "qa"
    with pytest.raises(openai.NotFoundError) as e:
        client.models.retrieve("gpt-4o")
    assert e.value.code == "model_not_found"


TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


@pytest.mark.parametrize("asked, param", [
    ({"n": 2}, "n"),
    ({"tools": [TOOL], "tool_choice": "required"}, "tool_choice"),
    ({"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "lookup"}}},
     "tool_choice"),
    ({"response_format": {"type": "json_object"}}, "response_format"),
    ({"response_format": {"type": "json_schema", "json_schema": {
        "name": "answer", "schema": {"type": "object"}}}}, "response_format"),
    ({"logprobs": True, "top_logprobs": 2}, "logprobs"),
], ids=["n-2", "tool-required", "tool-named", "json-object", "json-schema", "logprobs"])
def test_what_qa_cannot_give_is_refused_not_ignored(client: openai.OpenAI, asked: dict,
                                                    param: str) -> None:
    """Each was answered with one text reply: a client read choices[1], a tool call, JSON
    or token probabilities that were not there."""
    for stream in (False, True):
        with pytest.raises(openai.UnprocessableEntityError) as e:
            client.chat.completions.create(
                model="qa", stream=stream, messages=[{"role": "user", "content": MILITARY}],
                **asked)
        assert e.value.param == param and "qa" in e.value.message


def test_what_asks_only_for_text_is_answered(client: openai.OpenAI) -> None:
    done = client.chat.completions.create(
        model="qa", n=1, logprobs=False, response_format={"type": "text"}, tools=[TOOL],
        tool_choice="auto", messages=[{"role": "user", "content": MILITARY}])
    assert len(done.choices) == 1 and not done.choices[0].message.tool_calls
    assert "Escalates arms build-up" in done.choices[0].message.content


# --- POST /ask streamed ----------------------------------------------------------------------


def read_events(resp: httpx.Response) -> list[tuple[str, dict]]:
    """(event name, data) of a server-sent event stream."""
    out, name = [], ""
    for line in resp.iter_lines():
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            out.append((name, json.loads(line[6:])))
    return out


def test_ask_streams_a_start_then_the_answer(keyed_server: str) -> None:
    with httpx.stream("POST", keyed_server + "/ask", timeout=60,
                      json={"question": MILITARY, "stream": True}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = read_events(resp)
    names = [n for n, _ in events]
    assert names == ["start", "answer"]  # no LLM: the answer at once, no deltas
    answer = events[-1][1]
    plain = httpx.post(keyed_server + "/ask", json={"question": MILITARY}, timeout=60).json()
    assert answer["answer"] == plain["answer"] and answer["replaced"] is False


def test_ask_stream_rejects_a_bad_question_before_streaming(keyed_server: str) -> None:
    resp = httpx.post(keyed_server + "/ask", json={"question": "  ", "stream": True})
    assert resp.status_code == 422 and resp.json()["error"]["type"] == "BadRequest"


def test_an_error_mid_stream_is_an_error_event(analysis_settings: Settings,
                                               service: QAService) -> None:
    """A failure after the stream began (here: the index goes away under a scripted
    stand-in of the service's events) ends the stream with an error in the one shape."""

    class Failing(QAService):
        def ask_stream(self, *args, **kwargs):
            from qa.errors import IndexMissing

            def events():
                raise IndexMissing("the index is not loaded yet")
                yield  # a generator

            return events()

    svc = Failing(analysis_settings)
    with TestClient(create_app(analysis_settings, service=svc, ui=False)) as c:
        with c.stream("POST", "/v1/chat/completions", json={
                "model": "qa", "stream": True,
                "messages": [{"role": "user", "content": MILITARY}]}) as resp:
            lines = [x for x in resp.iter_lines() if x.startswith("data: ")]
        assert json.loads(lines[-2][6:]) == {"error": {
            "type": "IndexMissing", "message": "the index is not loaded yet"}}
        assert lines[-1] == "data: [DONE]"
        with c.stream("POST", "/ask", json={"question": MILITARY, "stream": True}) as resp:
            events = read_events(resp)
        assert events[-1] == ("error", {"error": {"type": "IndexMissing",
                                                  "message": "the index is not loaded yet"}})
