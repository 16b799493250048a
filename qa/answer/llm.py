"""The optional LLM answerer: the user's own model (any OpenAI-compatible server) writes a
fluent answer from the retrieved evidence, and only what passes verification is shown.

- `sources` and `messages` build what the model is shown: the question, the conversation
  and the evidence numbered [n] (passages, single table rows, and computed values with
  their working), asking for short answers with [n] after each claim.
- `LLMClient.complete` streams the model's text through the official `openai` client, and
  turns every failure (unreachable, slow, an error status) into `LLMUnavailable`.
- `verified_stream` (pure, given the model's text as an iterable) verifies the text
  sentence by sentence as it arrives (`qa.answer.verify`) and yields each sentence that
  stands, then the final answer: the LLM's verified sentences, or the extractive answer
  when none stands or the model failed before any did.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from qa.answer.types import Answer, Delta, Derivation, Dropped, Evidence, Final
from qa.answer.verify import (
    MARKER,
    Numbering,
    Source,
    SupportCheck,
    Verdict,
    check_sentence,
    computed_values,
    segments,
    settled,
)
from qa.chunk import Chunk
from qa.config import Settings

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "You answer questions using only the numbered sources the user gives you. Answer in one "
    "to three short sentences. End every sentence with the number of the source it comes "
    "from in square brackets, like [1]. Use only facts and numbers that the sources state. "
    "If the sources do not answer the question, say that they do not.")
# One worked exchange shown before the conversation: small models follow a format they
# see far more reliably than one they are told (SmolLM2-135M wrote no marker at all
# without it). Its facts are in no source: a sentence that copies them is dropped.
EXAMPLE = (
    {"role": "user", "content": "Sources:\n[1] The bridge was opened in 1932 and carries six "
     "lanes.\n[2] Tolls are charged southbound only.\n\nQuestion: When was the bridge opened?"},
    {"role": "assistant", "content": "The bridge was opened in 1932 [1]."},
)
HISTORY_MESSAGES = 4  # earlier messages the model sees (more: longer prompts to read)
HISTORY_CHARS = 600  # of each
SOURCES_HEADING = "\n\nSources:"  # where a reply's source list starts (see qa.api.openai)


class LLMUnavailable(Exception):
    """The LLM did not answer (in time); the message is safe to show and to log."""


# --- what the model is shown ------------------------------------------------------------


def source_text(chunk: Chunk) -> str:
    """A chunk as one numbered source: a passage's text; a table row as its cells, each
    named by its column, after its table's caption or section."""
    if chunk.kind != "table_row":
        return " ".join(chunk.text.split())
    cells = "; ".join(f"{h}: {v}" if h and h != v else v
                      for h, v in zip(chunk.header, chunk.cells) if v)
    group = f"{chunk.group.rstrip(':')}: " if chunk.group else ""
    where = chunk.caption or chunk.section
    return f"Table row{f' ({where})' if where else ''}: {group}{cells}"


def sources(extractive: Answer, evidence: Sequence[Evidence], limit: int) -> list[Source]:
    """The chunks the model sees, numbered from 1: those the extractive answer cites first
    (with its highlighted cells), then the other evidence by rank, `limit` in all."""
    cited = {c.chunk.id: c for c in extractive.citations}
    score = {ev.hit.chunk.id: ev.hit.score for ev in evidence}
    chunks = [c.chunk for c in extractive.citations]
    chunks += [ev.hit.chunk for ev in evidence if ev.hit.chunk.id not in cited]
    return [Source(i, c, score.get(c.id, cited[c.id].score if c.id in cited else 0.0),
                   cited[c.id].highlight if c.id in cited else ())
            for i, c in enumerate(chunks[:limit], 1)]


def computed_text(derivation: Derivation, numbered: Sequence[Source]) -> str:
    """A computed value with its working and the sources of its operands."""
    at = {s.chunk.id: s.n for s in numbered}
    refs = sorted({at[o.chunk.id] for o in derivation.operands if o.chunk.id in at})
    origin = f" from {', '.join(f'[{n}]' for n in refs)}" if refs else ""
    unit = derivation.unit if derivation.unit in ("%", "") else f" {derivation.unit}"
    return f"Computed{origin}: {derivation.expression} = {derivation.value}{unit}"


def _plain(text: str) -> str:
    """An earlier reply without its markers (they counted other sources) or source list."""
    text = text.split(SOURCES_HEADING, 1)[0]
    return " ".join(MARKER.sub("", text).split())[:HISTORY_CHARS]


def messages(question: str, history: Sequence[tuple[str, str]], numbered: Sequence[Source],
             derivation: Derivation | None = None,
             instructions: str = INSTRUCTIONS) -> list[dict[str, str]]:
    """The chat messages: instructions, a worked example, the last turns of the
    conversation, then the numbered sources and the question."""
    out = [{"role": "system", "content": instructions}, *(dict(m) for m in EXAMPLE)]
    turns = [(r, c) for r, c in history if r in ("user", "assistant") and c.strip()]
    for role, content in turns[-HISTORY_MESSAGES:]:
        out.append({"role": role, "content": _plain(content)})
    lines = [f"[{s.n}] {source_text(s.chunk)}" for s in numbered]
    if derivation is not None:
        lines.append(computed_text(derivation, numbered))
    body = "Sources:\n" + "\n".join(lines) + f"\n\nQuestion: {question}"
    out.append({"role": "user", "content": body})
    return out


# --- the model --------------------------------------------------------------------------


class LLMClient:
    """Streams a chat completion from the configured OpenAI-compatible server. Cheap to
    construct; the connection is made on first use. The key is never logged."""

    def __init__(self, settings: Settings) -> None:
        import openai

        self.settings = settings
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
        self._client = openai.OpenAI(
            base_url=settings.llm_url, api_key=key, max_retries=0,
            timeout=openai.Timeout(settings.llm_first_token_timeout,
                                   connect=settings.llm_connect_timeout))
        self._model = settings.llm_model

    def model(self) -> str:
        """The model name to ask for: the configured one, or the first the server lists."""
        if not self._model:
            import openai

            try:
                listed = self._client.models.list().data
            except openai.OpenAIError as e:
                raise LLMUnavailable(describe(e, self.settings)) from None
            if not listed:
                raise LLMUnavailable("the LLM server lists no model: set QA_LLM_MODEL")
            self._model = listed[0].id
        return self._model

    def complete(self, chat: list[dict[str, str]],
                 stop: threading.Event | None = None) -> Iterator[str]:
        """The model's answer as text deltas. Raises LLMUnavailable when the server cannot
        be reached, answers with an error, is silent for llm_first_token_timeout, or runs
        past llm_timeout in all. Ends early once `stop` is set (the reader left); ending or
        closing the iterator closes the connection, and the server stops generating."""
        import openai

        s = self.settings
        deadline = time.monotonic() + s.llm_timeout
        try:
            stream: Any = self._client.chat.completions.create(
                model=self.model(), messages=chat, stream=True, temperature=0,
                max_tokens=s.llm_max_tokens)
        except openai.OpenAIError as e:
            raise LLMUnavailable(describe(e, s)) from None
        try:
            for chunk in stream:
                if stop is not None and stop.is_set():
                    return
                if time.monotonic() > deadline:
                    raise LLMUnavailable(f"the LLM took longer than {s.llm_timeout:g} s "
                                         "(QA_LLM_TIMEOUT) and was stopped")
                text = chunk.choices[0].delta.content if chunk.choices else None
                if text:
                    yield text
        except openai.OpenAIError as e:
            raise LLMUnavailable(describe(e, s)) from None
        finally:
            stream.close()


def describe(error: Exception, settings: Settings) -> str:
    """What went wrong with the LLM server, in words safe to show and log (no key, no
    server message that might echo one)."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return (f"the LLM server did not answer within {settings.llm_first_token_timeout:g} s "
                "(QA_LLM_FIRST_TOKEN_TIMEOUT)")
    if isinstance(error, openai.APIConnectionError):
        return "the LLM server could not be reached (QA_LLM_URL)"
    if isinstance(error, openai.APIStatusError):
        return f"the LLM server answered HTTP {error.status_code} ({type(error).__name__})"
    return f"the LLM server failed ({type(error).__name__})"


# --- verification as the text arrives ---------------------------------------------------


def verified_stream(deltas: Iterable[str], numbered: Sequence[Source], check: SupportCheck,
                    extractive: Answer, stop: threading.Event | None = None
                    ) -> Iterator[Delta | Final]:
    """Verify the model's text sentence by sentence as it arrives and yield each sentence
    that stands (`Delta`), then the answer (`Final`).

    A sentence is shown once it is complete (the next one has begun) and verified, so a
    shown sentence is never taken back. The LLM's text is held back until a standing
    sentence cites a source the extractive answer rests on (the evidence that answers the
    question); when none does, or nothing stands, the extractive answer is the reply. If
    the model fails midway, the sentences verified until then stand; when the reader
    stopped it (`stop` set), the unfinished sentence it was writing is left out, not
    reported as failing verification.
    """
    computed = computed_values(extractive.derivation)
    anchors = {c.chunk.id for c in extractive.citations}
    numbering = Numbering(numbered)
    kept: list[str] = []
    held: list[str] = []  # verified, waiting for a sentence that cites an anchor
    dropped: list[Dropped] = []
    removed: set[int] = set()
    streamed = ""
    failure = ""

    def take(raw: str) -> Iterator[Delta]:
        nonlocal streamed
        verdict: Verdict = check_sentence(raw, numbered, check, computed)
        if not verdict.ok:
            dropped.append(verdict.dropped())
            return
        removed.update(verdict.sentence.removed)
        held.append(numbering.render(verdict))
        if kept or any(numbered[k - 1].chunk.id in anchors for k in verdict.supported_by):
            text = " ".join(held)
            delta = f" {text}" if kept else text
            kept.extend(held)
            held.clear()
            streamed += delta
            yield Delta(delta)

    text, done = "", 0
    try:
        for piece in deltas:
            text += piece
            ready = settled(text)
            for raw in segments(text)[done:ready]:
                yield from take(raw)
            done = max(done, ready)
    except LLMUnavailable as e:
        failure = str(e)
        log.warning("LLM answer incomplete: %s", failure)
    if stop is None or not stop.is_set():
        for raw in segments(text)[done:]:
            yield from take(raw)

    dropped += [Dropped(t, ("it does not cite the source the answer rests on",)) for t in held]
    final = _final(extractive, numbering, kept, dropped, removed, failure, bool(text))
    yield Final(final, replaced=bool(streamed) and not final.answer.startswith(streamed))


def _final(extractive: Answer, numbering: Numbering, kept: list[str], dropped: list[Dropped],
           removed: set[int], failure: str, wrote: bool) -> Answer:
    """The answer after the stream: the verified LLM text, or the extractive answer."""
    notes: list[str] = []
    if dropped:
        n = len(dropped)
        notes.append(f"{n} sentence{'s' if n > 1 else ''} the LLM wrote did not pass "
                     "verification and {} left out (see `dropped`)."
                     .format("were" if n > 1 else "was"))
    if kept:
        if removed:
            notes.append(f"Citation markers {', '.join(f'[{k}]' for k in sorted(removed))} "
                         "named no source and were removed.")
        if failure:
            notes.append(f"The LLM stopped early ({failure}); the sentences verified until "
                         "then are shown.")
        return Answer(" ".join(kept), True, numbering.citations(), extractive.version,
                      extractive.question, extractive.value, extractive.derivation,
                      (*extractive.notes, *notes), tuple(dropped), "llm")
    if failure and not wrote:
        notes.append(f"The LLM did not answer ({failure}); the extractive answer is shown.")
    elif failure:
        notes.append(f"The LLM stopped early ({failure}) before a sentence passed "
                     "verification; the extractive answer is shown.")
    else:
        notes.append("No sentence the LLM wrote passed verification; the extractive answer "
                     "is shown.")
    return Answer(extractive.answer, extractive.grounded, extractive.citations,
                  extractive.version, extractive.question, extractive.value,
                  extractive.derivation, (*extractive.notes, *notes), tuple(dropped),
                  "extractive")
