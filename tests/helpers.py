"""Helpers shared by the tests (fixtures live in conftest.py): hand-built chunks and
evidence, a corpus view over a list of chunks, the checks of an answer against its
citations, and a scripted OpenAI-compatible server for tests that need an exact LLM output."""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from qa.answer import Answer, Citation, Evidence
from qa.chunk import Chunk, row_text
from qa.config import Settings
from qa.retrieve import Hit
from qa.service import QAService
from qa.text.tokens import tokenize

ASPECT = ("Aspect", "North Korea", "Russia", "Regional Impact")
IMPACT = ("Impact Area", "Short-Term Effect", "Long-Term Outlook")
FOCUS = ("Focus Area", "Recommended Measure", "Expected Outcome")


def row(table: int, header: tuple[str, ...], cells: tuple[str, ...], r: int,
        doc: str = "a.md", caption: str = "", group: str = "") -> Chunk:
    """A table-row chunk as the chunker makes it (text = the row with its column names)."""
    return Chunk(id=f"{doc}t{table}r{r}", kind="table_row", doc=doc, section="Tables",
                 text=row_text(header, cells, caption, group), line_start=r, line_end=r,
                 char_start=0, char_end=1, caption=caption, group=group, header=header,
                 cells=cells, table=table, row=r)


def passage(pid: str, text: str, section: str = "Body") -> Chunk:
    """A passage chunk."""
    return Chunk(id=pid, kind="passage", doc="a.md", section=section, text=text, line_start=1,
                 line_end=1, char_start=0, char_end=len(text))


def ev(chunk: Chunk, score: float, unit: float = 0.7) -> Evidence:
    """Evidence with the same similarity for every unit of the chunk."""
    return Evidence(Hit(chunk, score, score, score), tuple(unit for _ in chunk.units()))


class Chunks:
    """A corpus view over a list of chunks (what the Retriever provides, worked out the
    same way: sorted stemmed vocabulary, idf, words near each other, a row's table)."""

    def __init__(self, chunks: Sequence[Chunk], version: str = "v1") -> None:
        self.version = version
        self.chunks = list(chunks)
        words = [tokenize(c.embed_text()) for c in self.chunks]
        self.vocabulary = tuple(sorted({w for ws in words for w in ws}))
        df: dict[str, int] = {}
        for ws in words:
            for w in set(ws):
                df[w] = df.get(w, 0) + 1
        n = len(words)
        self.idf = {w: math.log((n + 1) / (k + 0.5)) for w, k in df.items()}
        self._pairs = {(a, b) for ws in words for i, a in enumerate(ws) for b in ws[i + 1:i + 4]}

    def near(self, a: str, b: str) -> bool:
        """Whether a chunk writes the two words within three words of each other."""
        return (a, b) in self._pairs or (b, a) in self._pairs

    def neighbours(self, question: str) -> dict[str, tuple[tuple[str, float], ...]]:
        """No word's neighbours (this view has no word vectors)."""
        return {}

    def stem_vectors(self, stems: tuple[str, ...]) -> list[None]:
        """No word's vector (this view has no word vectors)."""
        return [None] * len(stems)

    def table_of(self, chunk: Chunk) -> list[Chunk]:
        """The rows of a row's table, in order."""
        if chunk.kind != "table_row":
            return []
        return [c for c in self.chunks if c.kind == "table_row"
                and (c.doc, c.table) == (chunk.doc, chunk.table)]

    def document_of(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the chunk's document, in order."""
        return sorted((c for c in self.chunks if c.doc == chunk.doc), key=lambda c: c.char_start)

    def section_of(self, chunk: Chunk) -> list[Chunk]:
        """The chunks under the chunk's heading, in order."""
        return sorted((c for c in self.chunks if (c.doc, c.section) == (chunk.doc, chunk.section)),
                      key=lambda c: c.char_start)


# --- checking an answer against its citations -------------------------------------------


def _flat(text: str) -> str:
    """A chunk's text as an answer may quote it: list markers dropped, spaces collapsed."""
    return " ".join(text.replace("\n- ", " ").removeprefix("- ").split())


VERDICT = re.compile(r"^(Yes|No)\.\s+")
NOT_COVERED_PART = re.compile(r"On “[^”]*”: [^\[]*?\.(?=\s|$)\s*")


def claims_of(a: Answer) -> list[tuple[str, Citation]]:
    """Each claim of an answer with the citation its `[n]` points to; fails on a claim
    without a marker or a marker that points nowhere. A leading "Yes."/"No." verdict and
    a note that the documents do not cover one part of a question are no claims."""
    out = []
    text = NOT_COVERED_PART.sub("", a.answer)
    parts = re.split(r"\s*\[(\d+)\]", text)
    assert parts[-1].strip() == "", f"text after the last citation: {parts[-1]!r}"
    for text, n in zip(parts[0::2], parts[1::2]):
        assert 1 <= int(n) <= len(a.citations), f"[{n}] points past the citations"
        claim = VERDICT.sub("", text.strip().removeprefix(";").strip())
        assert claim, f"[{n}] cites nothing"
        out.append((claim, a.citations[int(n) - 1]))
    return out


def assert_row_claim_supported(claim: str, chunk: Chunk) -> None:
    """A table-row claim: the framing names the row, every other piece is a column name,
    a cell of the cited row or the table's caption, and the cells are quoted verbatim."""
    if claim.startswith("The table shows: "):
        assert claim.removeprefix("The table shows: ").rstrip(" .…") in chunk.caption
        return
    periods = re.match(r"The table gives figures for (.+)$", claim)
    if periods:
        for name in periods.group(1).split(", "):
            assert name in chunk.header, f"{name!r} is not a column of the table"
        return
    framing = re.match(r"For (?:the )?([^,]+), ", claim)
    body = claim
    if framing:
        subject = set(tokenize(framing.group(1)))
        names = set(tokenize(" ".join([*chunk.cells[:1], chunk.header[0], chunk.group])))
        assert subject <= names, f"framing {framing.group(0)!r} names another row"
        body = claim[framing.end():]
    header = {h.lower() for h in chunk.header}
    cells = {c for c in chunk.cells if c}
    for piece in re.split(r"\s*\(|\)\s*|;\s+|:\s+", body):
        piece = piece.strip().rstrip(".").strip(",").strip()  # "), North Korea: ..."
        if not piece:
            continue
        name = re.sub(r"^the |\s+(is|are)$", "", piece.lower())
        # a figure of a row or column that states percentages is written with its sign
        assert piece in cells or piece.removesuffix("%") in cells or name in header, \
            f"{piece!r} is neither a cell nor a column"
    assert any(c in claim for c in cells), f"no cell of the row quoted in {claim!r}"


def assert_passage_claim_supported(claim: str, chunk: Chunk) -> None:
    """A passage claim: each run between cut marks ("…") and list joins ("; ") appears
    verbatim in the cited passage (a first letter made upper-case after a dropped
    connective aside)."""
    source = _flat(chunk.text)
    for piece in re.split(r"…|;\s+", claim):
        piece = " ".join(piece.split()).rstrip(".").strip()
        if piece:
            assert piece in source or (piece[0].lower() + piece[1:]) in source, \
                f"{piece!r} is not in the cited passage {chunk.id}"


def assert_well_cited(a: Answer) -> None:
    """Every grounded answer: markers point into the citations, citations are numbered
    1..N in order of first appearance and all used, the answer is short, and every claim
    is supported by the chunk it cites."""
    assert a.grounded and a.citations
    assert len(a.answer) <= 400, f"{len(a.answer)} characters"
    assert [c.n for c in a.citations] == list(range(1, len(a.citations) + 1))
    used = [int(n) for n in re.findall(r"\[(\d+)\]", a.answer)]
    first_use = list(dict.fromkeys(used))
    assert first_use == list(range(1, len(a.citations) + 1)), f"order of first use: {used}"
    assert len({c.chunk.id for c in a.citations}) == len(a.citations)
    for claim, citation in claims_of(a):
        if citation.chunk.kind == "table_row":
            assert_row_claim_supported(claim, citation.chunk)
        else:
            assert_passage_claim_supported(claim, citation.chunk)


def assert_abstains(a: Answer) -> None:
    """No claim, no citation, and a plain statement that the documents do not cover it."""
    assert not a.grounded and a.citations == ()
    assert "[" not in a.answer
    assert re.search(r"(documents?|analysis) (do|does) not (cover|contain|say|answer)", a.answer,
                     re.IGNORECASE), a.answer


def started(settings: Settings) -> QAService:
    """A started service over an index already built with these settings."""
    svc = QAService(settings)
    svc.start()
    return svc


# --- a scripted LLM server ----------------------------------------------------------------


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
