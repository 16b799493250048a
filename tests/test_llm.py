"""The LLM answerer against a real OpenAI-compatible server with a real model: llama.cpp's
server (one thread, loopback) serving SmolLM2-135M-Instruct (fixture `llm_url`). It is a
weak model, so these tests assert on the verification, not on its prose: every sentence
shown cites a source that supports it, holds no number its sources lack, and carries only
markers within 1..N; otherwise the extractive answer stands, or the reply abstains."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import numpy as np
import openai
import pytest

from qa.answer import Answer, Claim, Delta, Final
from qa.answer.llm import LLMClient, messages, sources, verified_stream
from qa.answer.sentence_check import sentence_check
from qa.answer.verify import number_problems, read_markers, segments
from qa.config import Settings
from qa.embed import Embedder
from qa.service import QAService
from tests.conftest import free_port, serving
from tests.helpers import started

pytestmark = [pytest.mark.llm, pytest.mark.slow]

MILITARY = "What is the regional impact of the military aspect?"
QUESTIONS = [MILITARY, "What are the key components of the alliance?",
             "What is the expected outcome of the arms control measure?",
             "Which stakeholders must balance deterrence with dialogue?"]


def with_llm(settings: Settings, **fields: object) -> Settings:
    """The settings with an LLM behind them (generous timeouts: one thread, a busy machine)."""
    base = {"llm_first_token_timeout": 600.0, "llm_timeout": 900.0, "llm_max_tokens": 80,
            "llm_sources": 3}  # a short prompt: one thread reads it
    return Settings.model_validate({**settings.model_dump(), **base, **fields})


@pytest.fixture(scope="module")
def llm_service(analysis_settings: Settings, service: QAService, llm_url: str) -> QAService:
    """A service over the analysis (index built by `service`) with SmolLM2 behind it."""
    return started(with_llm(analysis_settings, llm_url=llm_url))


def assert_verified(a: Answer, extractive: Answer, embedder: Embedder) -> None:
    """Claim by claim, from outside the verifier: each sentence of an LLM answer cites a
    citation of the reply (markers within 1..N), its words are supported by one it cites
    (the same check), and each of its numbers stands in one it cites; otherwise the answer
    is the extractive one, with a note saying why."""
    assert all(d.reasons for d in a.dropped)
    if a.composed_by != "llm":
        assert a.answer == extractive.answer and a.citations == extractive.citations
        assert a.notes, "a fallback says why"
        return

    def similarity(text: str, chunk) -> float:
        return float(np.max(embedder.encode(chunk.units()) @ embedder.encode([text])[0]))

    check = sentence_check(similarity)
    assert a.grounded and a.citations
    for raw in segments(a.answer):
        s = read_markers(raw, len(a.citations))
        assert s.cites and not s.removed, raw
        cited = [a.citations[k - 1].chunk for k in s.cites]
        assert any(check(Claim(s.text, c, 1.0)).ok for c in cited), raw
        assert number_problems(s, cited, () if a.derivation is None else
                               (a.derivation.value,)) == [], raw


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_sentence_shown_is_verified(question: str, llm_service: QAService,
                                          service: QAService, embedder: Embedder) -> None:
    assert_verified(llm_service.ask(question), service.ask(question), embedder)


def test_the_streamed_text_is_the_answer(llm_service: QAService) -> None:
    events = list(llm_service.ask_stream(MILITARY))
    final = events[-1]
    assert isinstance(final, Final) and not final.replaced
    shown = "".join(e.text for e in events if isinstance(e, Delta))
    assert final.answer.answer.startswith(shown)
    if final.answer.composed_by == "llm":
        assert shown == final.answer.answer


def test_an_unanswerable_question_abstains_without_asking(llm_service: QAService) -> None:
    a = llm_service.ask("Who won the 2022 football World Cup?")
    assert not a.grounded and a.citations == () and "[" not in a.answer
    assert "LLM was not asked" in a.notes[-1]


def test_an_unreachable_llm_gives_the_extractive_answer(analysis_settings: Settings,
                                                        service: QAService) -> None:
    gone = f"http://127.0.0.1:{free_port()}/v1"
    svc = started(with_llm(analysis_settings, llm_url=gone, llm_model="m"))
    t0 = time.monotonic()
    a = svc.ask(MILITARY)
    assert time.monotonic() - t0 < 30
    assert a.answer == service.ask(MILITARY).answer and a.composed_by == "extractive"
    assert "could not be reached" in a.notes[-1]


def test_a_slow_llm_gives_the_extractive_answer(analysis_settings: Settings, service: QAService,
                                                llm_url: str) -> None:
    svc = started(with_llm(analysis_settings, llm_url=llm_url, llm_first_token_timeout=0.001))
    a = svc.ask(MILITARY)
    assert a.answer == service.ask(MILITARY).answer
    assert "did not answer within" in a.notes[-1], a.notes


def test_made_up_numbers_and_bad_markers_from_the_model_are_dropped(
        llm_service: QAService, service: QAService, llm_url: str,
        analysis_settings: Settings) -> None:
    """The real model asked to repeat a text with a year no source holds and a marker
    beyond the sources: whatever it writes, neither reaches the answer."""
    found = service.gather(MILITARY, [], None)
    extractive = service.ask(MILITARY)
    numbered = sources(extractive, found.evidence, 3)
    chat = messages(MILITARY, [], numbered, instructions=(
        "Repeat the user's draft answer exactly, word for word, and add nothing."))
    chat[-1]["content"] += ("\n\nDraft answer: The military aspect escalates the arms build-up "
                            "and increases tensions [1]. The alliance was signed in 1850 [1]. "
                            "Russia sends 40 submarines [9].")
    client = LLMClient(with_llm(analysis_settings, llm_url=llm_url))
    wrote: list[str] = []

    def recorded(deltas: Iterator[str]) -> Iterator[str]:
        for d in deltas:
            wrote.append(d)
            yield d

    check = llm_service.support_check(found)
    final = list(verified_stream(recorded(client.complete(chat)), numbered, check,
                                 extractive))[-1].answer
    text = "".join(wrote)
    assert text.strip(), "the model wrote nothing"
    for bad in ("1850", "40", "[9]"):
        assert bad not in final.answer, (text, final.answer)
    if "1850" in text:  # the model copied the made-up sentence: it was dropped, with reasons
        assert any("1850" in d.text and d.reasons for d in final.dropped), final.dropped


# --- through qa serve ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def llm_server(analysis_settings: Settings, service: QAService, llm_url: str) -> Iterator[str]:
    """`qa serve` over the analysis with SmolLM2 behind it."""
    with serving(analysis_settings.corpus, analysis_settings.index, llm_url=llm_url,
                 llm_first_token_timeout="600", llm_timeout="900", llm_max_tokens="80",
                 llm_sources="3") as url:
        yield url


def test_openai_clients_get_verified_llm_answers(llm_server: str) -> None:
    client = openai.OpenAI(base_url=llm_server + "/v1", api_key="none", max_retries=0,
                           timeout=900)
    parts = list(client.chat.completions.create(
        model="qa", stream=True, messages=[{"role": "user", "content": MILITARY}]))
    text = "".join(p.choices[0].delta.content or "" for p in parts if p.choices)
    qa = parts[-1].model_extra["qa"]
    assert qa.get("composed_by", "extractive") in ("llm", "extractive")
    assert text.startswith(qa["answer"]) and "\n\nSources:\n- [1] " in text


def test_ask_streams_start_deltas_answer(llm_server: str) -> None:
    names = []
    with httpx.stream("POST", llm_server + "/ask", timeout=900,
                      json={"question": MILITARY, "stream": True}) as resp:
        for line in resp.iter_lines():
            if line.startswith("event: "):
                names.append(line[7:])
    assert names[0] == "start" and names[-1] == "answer"
    assert set(names[1:-1]) <= {"delta"}
