"""The one service object behind the API, the chat page and the CLI.

It owns the embedder and the live `Retriever` (one immutable index version). A request
takes the retriever once and uses only it, so swapping in a new version between
requests never mixes versions within one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from qa import index as store
from qa.answer import Answer, Evidence, compose
from qa.conversation import TableRow, standalone, table_rows
from qa.build import BuildReport, build
from qa.config import Settings
from qa.embed import Embedder
from qa.chunk import Chunk
from qa.errors import BadRequest, IndexMissing, NotFound
from qa.retrieve import KINDS, Hit, Retriever

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
ANSWER_CANDIDATES = 5


@dataclass(frozen=True)
class Retrieval:
    """Hits for a query and the index version they came from."""

    version: str
    hits: list[Hit]


class QAService:
    """Loads the index once, answers retrieval (and later ask) requests, rebuilds on demand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = Embedder(settings.model, settings.batch_size)
        self._retriever: Retriever | None = None
        self._build_lock = threading.Lock()
        self._rows_by_version: dict[str, list[TableRow]] = {}

    # --- lifecycle -------------------------------------------------------------------

    def start(self, build_if_needed: bool = False) -> BuildReport | None:
        """Load the live index (building or updating it first if asked) and warm the model."""
        report = None
        if build_if_needed:
            report = self.build()
        if self._retriever is None:
            self._swap(store.load(self.settings.index, self.settings.model))
        self.embedder.encode_query("warm up")
        return report

    def build(self, progress: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus and serve the result."""
        with self._build_lock:
            report = build(self.settings, lambda: self.embedder, progress=progress)
            current = self._retriever.version if self._retriever else None
            if report.version and report.version != current:
                self._swap(store.load(self.settings.index, self.settings.model, report.version))
            return report

    def _swap(self, stored: store.StoredIndex) -> None:
        s = self.settings
        self._retriever = Retriever(stored, s.candidates, s.rrf_k, s.fusion, s.dense_weight)
        log.info("serving index %s (%d chunks)", stored.version, len(stored.chunks))

    @property
    def retriever(self) -> Retriever:
        """The live retriever; raises when no index is loaded."""
        r = self._retriever
        if r is None:
            raise IndexMissing("the index is not loaded yet")
        return r

    # --- requests --------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Facts about the live index."""
        r = self.retriever
        m = r.stored.manifest
        return {"status": "ok", "version": r.version, "documents": m["counts"]["documents"],
                "chunks": m["counts"]["chunks"], "passages": m["counts"]["passages"],
                "table_rows": m["counts"]["table_rows"], "model": m["model"],
                "built_at": m["built_at"]}

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            doc: str | None = None) -> Answer:
        """A short cited answer to the question, read in the light of the conversation."""
        question = validate_query(question, "question")
        r = self.retriever
        resolved = standalone(question, history or [], self._table_rows(r))
        qvec = self.embedder.encode_query(resolved)
        hits = r.search(resolved, qvec, ANSWER_CANDIDATES, doc)
        evidence = [Evidence(h, tuple(float(x) for x in r.unit_scores(qvec, h.chunk)))
                    for h in hits]
        return compose(resolved, evidence, r.version)

    def _table_rows(self, r: Retriever) -> list[TableRow]:
        """Row labels and columns of the tables in a version, for follow-up questions."""
        rows = self._rows_by_version.get(r.version)
        if rows is None:
            rows = table_rows(r.chunks)
            self._rows_by_version = {r.version: rows}
        return rows

    def context(self, chunk_id: str) -> tuple[Chunk, list[Chunk]]:
        """A chunk and every chunk of its section in reading order (itself included), so a
        page can show a citation in its context. Raises NotFound for an unknown id."""
        r = self.retriever
        chunk = r.chunk_by_id(chunk_id)
        if chunk is None:
            raise NotFound(f"no chunk {chunk_id!r} in index {r.version}")
        return chunk, [c for c in r.chunks if c.doc == chunk.doc and c.section == chunk.section]

    def stop(self) -> None:
        """Release background work (watchers); the service can be dropped afterwards."""

    def retrieve(self, query: str, k: int = 5, doc: str | None = None,
                 kind: str | None = None) -> Retrieval:
        """The `k` most relevant chunks for the query."""
        query = validate_query(query)
        if not 1 <= k <= 50:
            raise BadRequest(f"k must be between 1 and 50, got {k}")
        if kind is not None and kind not in KINDS:
            raise BadRequest(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        r = self.retriever
        hits = r.search(query, self.embedder.encode_query(query), k, doc, kind)
        return Retrieval(r.version, hits)


def validate_query(text: str, what: str = "query") -> str:
    """The query stripped, or BadRequest when it is empty or too long."""
    text = (text or "").strip()
    if not text:
        raise BadRequest(f"{what} is empty: send a question or keywords")
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"{what} has {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
    return text
