"""Verification of LLM text (`qa.answer.verify`, `qa.answer.llm.verified_stream`), pure:
recorded LLM outputs, written into these tests, against the real sources of the analysis.

The outputs marked "recorded" are what SmolLM2-135M-Instruct wrote (served by llama.cpp,
temperature 0) for the question beside them, or what models are known to write (markers
after the full stop, markers beyond the sources, a year no source has). Where a test needs
an exact support verdict it uses a scripted check (`scripted`), said at the test; the
provisional check itself is tested with the real model at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pytest

from qa.answer import Answer, Claim, Delta, Derivation, Final, Operand
from qa.answer.llm import LLMUnavailable, messages, sources, verified_stream
from qa.answer.sentence_check import Support, sentence_check, word_support
from qa.answer.verify import (
    Source,
    check_sentence,
    number_problems,
    read_markers,
    segments,
    settled,
    verify,
)
from qa.embed import Embedder
from qa.service import QAService

MILITARY = "What is the regional impact of the military aspect?"
# recorded: SmolLM2 for MILITARY, sources as `sources()` numbers them (the Military row is [1])
RECORDED_MILITARY = ("The regional impact of the military aspect is that it escalates the "
                     "arms build-up and increases tensions. [1] The alliance was formed in "
                     "1850 [1]. Russia supplies critical fuel to North Korea [7].")


def scripted(*supported: str):
    """A scripted support check (a stand-in, for exact verdicts): the sentences whose
    text starts with one of `supported` are supported by any chunk they cite."""

    def check(claim: Claim) -> Support:
        ok = any(claim.text.startswith(s) for s in supported)
        return Support(ok, 1.0 if ok else 0.0, () if ok else ("scripted: unsupported",))

    return check


def pieces(text: str, size: int = 3) -> list[str]:
    """Text cut into small deltas, as a model streams it."""
    return [text[i:i + size] for i in range(0, len(text), size)]


@pytest.fixture(scope="module")
def military(service: QAService) -> tuple[Answer, list[Source]]:
    """The extractive answer to MILITARY and the sources an LLM is shown for it."""
    found = service.gather(MILITARY, [], None)
    extractive = service.ask(MILITARY)
    return extractive, sources(extractive, found.evidence, 6)


# --- reading the text --------------------------------------------------------------------


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    assert segments(RECORDED_MILITARY) == [
        ("The regional impact of the military aspect is that it escalates the arms build-up "
        "and increases tensions. [1]"),
        "The alliance was formed in 1850 [1].",
        "Russia supplies critical fuel to North Korea [7]."]
    assert segments("- Energy cooperation [2]\n- Military coordination [2]\n[3]") == [
        "Energy cooperation [2]", "Military coordination [2] [3]"]


def test_a_settled_sentence_never_changes_as_text_arrives() -> None:
    text = RECORDED_MILITARY + "\n- A list item [2]\n[3] More"
    final = segments(text)
    for i in range(len(text) + 1):
        n = settled(text[:i])
        assert segments(text[:i])[:n] == final[:n], text[:i]
    assert settled(text) == len(final) - 1  # the last one may still grow


def test_markers_outside_the_sources_are_removed() -> None:
    s = read_markers("Russia supplies fuel [2][9] and arms [Source 3, 4].", 5)
    assert s.cites == (2, 3, 4) and s.removed == (9,)
    assert s.text == "Russia supplies fuel and arms."
    assert read_markers("Three of them [1-3].", 5).cites == (1, 2, 3)


# --- one sentence ------------------------------------------------------------------------


def test_a_sentence_citing_no_source_is_dropped(military) -> None:
    _, numbered = military
    v = check_sentence("Tensions rise in the region.", numbered, scripted("Tensions"))
    assert not v.ok and v.reasons == ("it cites no source",)
    v = check_sentence("Tensions rise in the region [9].", numbered, scripted("Tensions"))
    assert not v.ok and "[9]" in v.reasons[0] and f"there are {len(numbered)}" in v.reasons[0]


def test_a_number_no_cited_source_holds_is_dropped(military) -> None:
    _, numbered = military
    v = check_sentence("The alliance was formed in 1850 [1].", numbered, scripted("The alliance"))
    assert not v.ok
    assert v.reasons == ("the number 1850 stands in no source it cites",)


def test_numbers_are_compared_by_value_and_scale(military) -> None:
    _, numbered = military
    row = numbered[0].chunk
    s = read_markers("Revenue was $3.4 million and 1,200 units, up 12% [1].", 1)
    problems = number_problems(s, [row])
    assert len(problems) == 3  # the Military row writes no number
    table = row.__class__(**{**row.to_dict(), "header": ("Item", "2019"),
                             "cells": ("Revenue", "3.4"), "text": "Revenue 2019 3.4 1200 12"})
    assert number_problems(s, [table]) == []  # "3.4 million" as the table writes it


def test_a_computed_value_may_be_stated_rounded(military) -> None:
    _, numbered = military
    row = numbered[0].chunk
    d = Derivation("change_ratio", (Operand(row, 1, "8", Decimal(8)),), "(9 - 8) / 8",
                   Decimal("12.3456"), "%")
    s = read_markers("It grew by 12.35% [1].", 1)
    assert number_problems(s, [row], (d.value,)) == []
    assert number_problems(read_markers("It grew by 12.3% [1].", 1), [row], (d.value,)) == []
    assert number_problems(read_markers("It grew by 13% [1].", 1), [row], (d.value,)) != []


def test_a_sentence_no_cited_source_supports_is_dropped_with_the_reason(military) -> None:
    _, numbered = military
    v = check_sentence("Russia supplies critical fuel to North Korea [1].", numbered,
                       scripted("The regional"))
    assert not v.ok and v.reasons[0].startswith("[1] does not support it")


# --- the stream ----------------------------------------------------------------------------


def test_verified_sentences_stream_and_the_rest_is_dropped_with_reasons(military) -> None:
    extractive, numbered = military
    events = list(verified_stream(pieces(RECORDED_MILITARY), numbered,
                                  scripted("The regional", "The alliance"), extractive))
    deltas = [e.text for e in events if isinstance(e, Delta)]
    final = events[-1]
    assert isinstance(final, Final) and not final.replaced
    a = final.answer
    assert a.composed_by == "llm" and a.grounded
    assert "".join(deltas) == a.answer  # what was shown is the answer, nothing taken back
    assert a.answer == ("The regional impact of the military aspect is that it escalates the "
                        "arms build-up and increases tensions. [1]")
    assert [c.chunk.id for c in a.citations] == [extractive.citations[0].chunk.id]
    reasons = {d.text: d.reasons for d in a.dropped}
    assert reasons["The alliance was formed in 1850 [1]."] == (
        "the number 1850 stands in no source it cites",)
    assert "[7]" in reasons["Russia supplies critical fuel to North Korea [7]."][0]
    assert "2 sentences" in a.notes[0]


def test_a_stopped_stream_leaves_out_the_sentence_it_was_writing(military) -> None:
    extractive, numbered = military
    stop = threading.Event()
    text = ("The regional impact of the military aspect is that it escalates the arms build-up "
            "[1]. The alliance was")

    def stopped() -> Iterator[str]:
        yield text
        stop.set()  # the reader pressed Stop while the model wrote its second sentence

    events = list(verified_stream(stopped(), numbered, scripted("The regional"), extractive,
                                  stop))
    final = events[-1]
    assert isinstance(final, Final)
    assert final.answer.dropped == ()  # the unfinished sentence is not a failed one
    assert final.answer.answer.startswith("The regional impact")
    # not stopped, the same unfinished tail is verified and dropped
    events = list(verified_stream(iter([text]), numbered, scripted("The regional"), extractive))
    assert [d.text for d in events[-1].answer.dropped] == ["The alliance was"]


def test_citations_are_numbered_by_first_use(military) -> None:
    extractive, numbered = military
    text = "The military aspect escalates tensions [1]. Russia pushes anti-Western policies [3]."
    a = list(verified_stream([text], numbered, scripted("The military", "Russia"),
                             extractive))[-1].answer
    assert a.answer == ("The military aspect escalates tensions. [1] Russia pushes "
                        "anti-Western policies. [2]")
    assert [c.n for c in a.citations] == [1, 2]
    assert a.citations[1].chunk.id == numbered[2].chunk.id


def test_when_nothing_stands_the_extractive_answer_is_the_reply(military) -> None:
    extractive, numbered = military
    events = list(verified_stream(pieces(RECORDED_MILITARY), numbered, scripted(), extractive))
    assert len(events) == 1  # nothing was shown
    a = events[0].answer
    assert a.composed_by == "extractive" and a.answer == extractive.answer
    assert a.citations == extractive.citations and len(a.dropped) == 3
    assert "extractive answer is shown" in a.notes[-1]


def test_text_that_never_cites_the_answering_source_is_held_back(military) -> None:
    extractive, numbered = military
    text = "Russia pushes anti-Western policies [3]. It complicates negotiations [3]."
    events = list(verified_stream([text], numbered, scripted("Russia", "It"), extractive))
    assert len(events) == 1 and events[0].answer.answer == extractive.answer
    assert all("rests on" in d.reasons[0] for d in events[0].answer.dropped)
    # once a sentence cites it, the held ones are shown with it, in order
    text += " The military aspect escalates tensions [1]."
    a = list(verified_stream([text], numbered, scripted("Russia", "It", "The military"),
                             extractive))[-1].answer
    assert a.composed_by == "llm" and a.answer.startswith("Russia pushes")


def test_a_failing_llm_leaves_the_verified_sentences_or_the_extractive_answer(military) -> None:
    extractive, numbered = military

    def dies(after: list[str]):
        yield from after
        raise LLMUnavailable("the LLM server did not answer within 30 s")

    a = list(verified_stream(dies([]), numbered, scripted(), extractive))[-1].answer
    assert a.answer == extractive.answer and "did not answer" in a.notes[-1]
    text = "The military aspect escalates tensions [1]. Russia modern"
    a = list(verified_stream(dies(pieces(text)), numbered, scripted("The military", "Russia"),
                             extractive))[-1].answer
    assert a.composed_by == "llm" and a.answer == "The military aspect escalates tensions. [1]"
    assert "stopped early" in a.notes[-1]


def test_whole_text_verification_matches_the_stream(military) -> None:
    _extractive, numbered = military
    check = scripted("The regional")
    verdicts = verify(RECORDED_MILITARY, numbered, check)
    assert [v.ok for v in verdicts] == [True, False, False]


# --- the prompt ----------------------------------------------------------------------------


def test_the_prompt_numbers_the_sources_answering_ones_first(military) -> None:
    extractive, numbered = military
    assert numbered[0].chunk.id == extractive.citations[0].chunk.id
    assert [s.n for s in numbered] == list(range(1, len(numbered) + 1))
    chat = messages(MILITARY, [("user", "What does Russia push?"),
                               ("assistant", "Pushes anti-Western policies [1]\n\nSources:\n- x")],
                    numbered)
    assert chat[0]["role"] == "system" and "[1]" in chat[0]["content"]
    assert [m["role"] for m in chat[1:3]] == ["user", "assistant"]  # the worked example
    assert chat[3] == {"role": "user", "content": "What does Russia push?"}
    assert chat[4] == {"role": "assistant", "content": "Pushes anti-Western policies"}
    body = chat[-1]["content"]
    assert body.startswith("Sources:\n[1] Table row") and body.endswith(f"Question: {MILITARY}")
    assert "Regional Impact: Escalates arms build-up, increases tensions" in body


# --- the provisional support check, with the real model --------------------------------------


def test_the_provisional_check_with_real_embeddings(military, embedder: Embedder) -> None:
    _, numbered = military

    def similarity(text: str, chunk) -> float:
        return float(np.max(embedder.encode(chunk.units()) @ embedder.encode([text])[0]))

    check = sentence_check(similarity)
    row = numbered[0].chunk
    said = Claim(row.units()[-1], row, 1.0)  # "Aspect: Military | Regional Impact: ..."
    assert "Escalates arms build-up" in said.text and check(said).ok
    made_up = Claim("The military aspect brings nuclear submarines to Vladivostok.", row, 1.0)
    v = check(made_up)
    assert not v.ok and "submarin" in " ".join(v.reasons)
    share, missing = word_support(made_up.text, row)
    assert share < 0.6 and "vladivostok" in missing
