"""The one service object behind the API, the chat page and the CLI.

It owns the query-encoding thread and the live `Retriever` (one immutable index version,
with the ONNX encoder its vectors were made with: queries are encoded by it, without
torch). A request
takes the retriever once and uses only it, so swapping in a new version between
requests never mixes versions within one. Builds (on request, or by the watcher when the
corpus changes) run in the caller's thread while requests go on being served from the
live version; the swap is one assignment, and it only ever moves to a newer version.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import threading
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from qa import index as store
from qa.answer import Answer, Claim, Delta, Evidence, Final, answer
from qa.answer.reader import learned
from qa.answer.verify import SupportCheck
from qa.build import BuildReport, build
from qa.catalog import (
    EXAMPLES,
    Catalog,
    DocumentInfo,
    PageInfo,
    catalog,
    default_intro,
    default_not_covered,
    default_title,
    example_candidates,
    unknown_document_message,
)
from qa.chunk import Chunk
from qa.config import Settings
from qa.conversation import TableRow, resolve, standalone, table_rows
from qa.corpus import Unreadable, check_text
from qa.encoder import QueryThread
from qa.errors import (
    BadRequest,
    Conflict,
    Disabled,
    Forbidden,
    IndexMissing,
    NotFound,
    QAError,
    TooLarge,
    Unauthorized,
    UnknownDocument,
    UnsupportedFormat,
)
from qa.ingest import CACHE, EXTENSIONS, Reader, converter_for
from qa.retrieve import KINDS, Hit, Retriever
from qa.text.contrary import antonyms, exceptions
from qa.text.places import demonyms, place_words
from qa.text.spelling import english
from qa.text.wordnet import proper_nouns

T = TypeVar("T")

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
MAX_NAME_BYTES = 255  # a file name's limit on common file systems
CITABLE_VERSIONS = 4  # the live version and the ones before it whose chunks stay resolvable
ANSWER_CANDIDATES = 8
# Threads that compose answers (and later wait on an LLM): enough that a slow answer never
# holds up the others, few enough that composition (pure Python, one GIL) does not crowd
# out the request loop and the query encoder on a small machine.
ANSWER_THREADS = 4


@dataclass(frozen=True)
class Retrieval:
    """Hits for a query and the index version they came from."""

    version: str
    hits: list[Hit]


@dataclass(frozen=True)
class Added:
    """An uploaded document: the version now served, the document as indexed (None if the
    build left it out: `report.skipped` says why), whether it replaced a file of that name,
    and the build report."""

    version: str
    document: DocumentInfo | None
    replaced: bool
    report: BuildReport


@dataclass(frozen=True)
class Gathered:
    """What an answer is made from: the question made standalone, the retriever (one
    index version) and the evidence it found, whether it was scoped to a document, and
    whether the conversation changed the (spelling-corrected) question."""

    question: str
    retriever: Retriever
    evidence: list[Evidence]
    scoped: bool
    follow_up: bool = False



def _warm_tables() -> None:
    """Read the word tables a first request would otherwise wait for."""
    english()
    demonyms()
    place_words()
    antonyms()  # WordNet's, for yes/no verdicts (some 0.6 s)
    exceptions()
    proper_nouns()  # WordNet's places, for who (some 0.7 s)


class QAService:
    """Loads the index once, answers retrieval (and later ask) requests, rebuilds on demand."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queries = QueryThread()
        self._waiting = 0  # requests on the event loop deciding where to encode their query
        self._retriever: Retriever | None = None
        self._build_lock = threading.Lock()  # one build or reload at a time
        self._recent: dict[str, tuple[Chunk, ...]] = {}  # chunks of recently served versions
        self._watcher: Any = None
        self._rows_by_version: dict[str, list[TableRow]] = {}
        self._catalogs: dict[str, Catalog] = {}
        self._pages: dict[str, PageInfo] = {}
        self._answer_pool = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="qa-answer")
        self._preloading: Future[BuildReport | None] | None = None
        self.llm = None  # the optional LLM answerer (settings.llm_url); built cheaply here
        if settings.llm_url:
            from qa.answer.llm import LLMClient

            self.llm = LLMClient(settings)

    # --- lifecycle -------------------------------------------------------------------

    def preload(self, build_if_needed: bool = False) -> None:
        """Begin `start` on another thread, so that the caller can meanwhile import what it
        needs to serve (much of loading is hashing and onnxruntime, which free the GIL);
        the next `start` waits for this one instead of starting again."""
        self._preloading = self._answer_pool.submit(self._start, build_if_needed)

    def start(self, build_if_needed: bool = False) -> BuildReport | None:
        """Load the live index (building or updating it first if asked) and warm the model.
        With `settings.watch`, then follow the corpus and the index (see `qa.watch`)."""
        preloading, self._preloading = self._preloading, None
        if preloading is not None:
            return preloading.result()
        return self._start(build_if_needed)

    def _start(self, build_if_needed: bool) -> BuildReport | None:
        report = None
        if build_if_needed:
            report = self.build()
        if self._retriever is None:
            self._swap(store.load(self.settings.index, self.settings.model,
                                  encoder_threads=self.settings.query_threads))
        self.queries.encode(self.retriever.encoder, "warm up")
        # The speller's English word frequencies (some 100 ms to read) and the demonyms
        # (some 160 ms) load beside the first requests instead of inside the first question
        # with a word the corpus lacks or a name to look for.
        threading.Thread(target=_warm_tables, name="qa-warm-tables", daemon=True).start()
        if self._watcher is None:
            from qa.watch import Follower, Watcher

            # With --watch the watcher follows the corpus and the index; without, a light
            # poll of the index's CURRENT still serves what another `qa build` makes live.
            self._watcher = Watcher(self) if self.settings.watch else Follower(self)
            self._watcher.start()
        return report

    def build(self, progress: bool = False) -> BuildReport:
        """Bring the index up to date with the corpus and serve the result.

        The caller's thread waits while a child process exports and embeds (`qa.apart`);
        meanwhile requests are served from the live version.
        A build that cannot go live (no usable document) leaves the served version as it is.
        """
        with self._build_lock:
            # Apart: the export (torch) and the embedding run in a child process, so a
            # server keeps only what it serves (see qa.apart).
            report = build(self.settings, progress=progress, apart=True)
            if report.version:
                self._follow(report.version, report.stored)
            return report

    def rebuild(self, token: str | None) -> tuple[BuildReport, str]:
        """`POST /index/rebuild`: check the admin token, build, and return the report and the
        version now served."""
        self.authorize_admin(token)
        report = self.build()
        return report, self.retriever.version

    def authorize_api(self, token: str | None) -> None:
        """For the OpenAI-compatible endpoints: nothing to check when no QA_API_KEY is set;
        else Unauthorized without a key, Forbidden with a wrong one (constant time)."""
        expected = self.settings.api_key
        if expected is None or not expected.get_secret_value():
            return
        if not token:
            raise Unauthorized("this endpoint needs the API key: send the header "
                               "`Authorization: Bearer <QA_API_KEY>`")
        if not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
            raise Forbidden("the API key is wrong")

    def authorize_admin(self, token: str | None) -> None:
        """Raise Disabled when no admin token is configured, Unauthorized when none is given,
        Forbidden when it is wrong (compared in constant time). Tokens are never logged."""
        expected = self.settings.admin_token
        if expected is None or not expected.get_secret_value():
            raise Disabled("changing the index over HTTP (rebuilds, uploads) is disabled: set "
                           "QA_ADMIN_TOKEN in the server's environment to enable it")
        if not token:
            raise Unauthorized("this endpoint needs the admin token: send the header "
                               "`Authorization: Bearer <token>`")
        if not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
            raise Forbidden("the admin token is wrong")

    def reload(self) -> str | None:
        """Serve the version the index folder names live, if it is newer than the served one
        (another process built it). A version that does not load (damaged, other settings)
        is logged and the served one kept. Returns the served version."""
        with self._build_lock:
            version = store.current_version(self.settings.index)
            if version:
                self._follow(version)
        return self.version

    @property
    def version(self) -> str | None:
        """The served index version, or None before one is loaded."""
        r = self._retriever
        return r.version if r else None

    def _follow(self, version: str, loaded: store.StoredIndex | None = None) -> None:
        """Swap in `version` if it is newer than the served one (`loaded`, if given, is that
        version as the build loaded it). When one is served, a load failure is logged and
        the served version kept; else it is raised."""
        current = self._retriever
        if current is not None:
            new, old = store.version_number(version), store.version_number(current.version)
            if new < old:
                log.warning("the index folder names %s, older than the served %s: not swapped "
                            "(restart the server if the index was rebuilt from scratch)",
                            version, current.version)
            if new <= old:
                return
        try:
            stored = loaded if loaded is not None and loaded.version == version else store.load(
                self.settings.index, self.settings.model, version, self.settings.query_threads)
        except QAError as e:
            if current is None:
                raise
            log.error("index %s not loaded, still serving %s: %s", version, current.version,
                      e.message)
            return
        self._swap(stored)

    def _swap(self, stored: store.StoredIndex) -> None:
        s = self.settings
        retriever = Retriever(stored, s.candidates, s.rrf_k, s.fusion, s.dense_weight, s.label_boost)
        recent = {**self._recent, stored.version: stored.chunks}
        self._recent = dict(list(recent.items())[-CITABLE_VERSIONS:])
        self._retriever = retriever  # the swap: one assignment, between requests
        log.info("serving index %s (%d chunks)", stored.version, len(stored.chunks))

    @property
    def retriever(self) -> Retriever:
        """The live retriever; raises when no index is loaded."""
        r = self._retriever
        if r is None:
            raise IndexMissing("the index is not loaded yet")
        return r

    # --- documents -------------------------------------------------------------------

    def documents(self) -> Catalog:
        """The documents of the served index version and the corpus files it skipped."""
        return self._catalog(self.retriever)

    def _catalog(self, r: Retriever) -> Catalog:
        found = self._catalogs.get(r.version)
        if found is None:
            found = catalog(r.version, r.stored.manifest, r.chunks)
            self._catalogs = {r.version: found}
        return found

    def _check_doc(self, r: Retriever, doc: str | None) -> str | None:
        """The indexed name `doc` names in version r (`Catalog.named`); UnknownDocument
        (404, with the list of names) for one it does not hold."""
        if doc is None:
            return None
        found = self._catalog(r)
        name = found.named(doc)
        if name is None:
            names = found.names()
            raise UnknownDocument(unknown_document_message(doc, names), documents=names)
        return name

    def page_info(self) -> PageInfo:
        """What a page over the served index shows: the settings' title, introduction,
        examples and not-covered wording, each derived from the index when unset (the
        examples are questions made from its headings and table rows that it answers).
        Call it from any thread but the encoder's, as `ask`."""
        r = self.retriever
        found = self._pages.get(r.version)
        if found is None:
            s = self.settings
            docs = self._catalog(r).documents
            examples = s.page_examples
            if examples is None:
                examples = self._answerable_examples(r)
            found = PageInfo(title=s.page_title or default_title(docs),
                             intro=s.page_intro or default_intro(docs),
                             examples=tuple(examples),
                             not_covered=s.not_covered or default_not_covered(docs),
                             documents=docs)
            self._pages = {r.version: found}
        return found

    def _answerable_examples(self, r: Retriever) -> list[str]:
        """Example questions made from version r's chunks that the service answers (by
        the extractive answer: an LLM only rewrites a grounded one, and asking it here
        held the chat page's first load for an LLM answer per candidate)."""
        kept: list[str] = []
        for question in example_candidates(r.chunks):
            if self._extractive(question, [], None, self.gather(question, [], None)).grounded:
                kept.append(question)
            if len(kept) == EXAMPLES:
                break
        return kept

    def add_document(self, filename: str, data: bytes, token: str | None,
                     progress: bool = False) -> Added:
        """Add (or replace) a document in the corpus folder and make a version with it live.

        Needs the admin token (as `rebuild`). The file must pass the corpus scan's checks:
        a plain file name with a readable extension, at most `max_file_bytes`, content that
        converts to text without an overlong line, and not the same text as another
        document. Raises TooLarge, UnsupportedFormat, BadRequest or Conflict otherwise.
        """
        self.authorize_admin(token)
        s = self.settings
        name = upload_name(filename)
        try:
            converter_for(name)
        except Unreadable as e:
            raise UnsupportedFormat(f"{name}: {e}") from None
        if len(data) > s.max_file_bytes:
            raise TooLarge(f"{name} has {len(data)} bytes, over the limit of "
                           f"{s.max_file_bytes} (QA_MAX_FILE_BYTES)")
        try:
            content = Reader(Path(s.index) / CACHE)(name, data)
        except Unreadable as e:
            raise BadRequest(f"{name} cannot be read: {e}") from None
        problem = check_text(content.text, s.max_line_chars)
        if problem:
            raise BadRequest(f"{name} cannot be indexed: {problem}")
        digest = hashlib.sha256(content.text.encode()).hexdigest()
        files = (self.retriever.stored.manifest.get("files") or {})
        same = next((p for p, h in files.items() if h == digest and p != name), None)
        if same:
            raise Conflict(f"{name} has the same content as {same}, which is indexed already")
        corpus = Path(s.corpus)
        corpus.mkdir(parents=True, exist_ok=True)
        target = corpus / name
        replaced = target.exists()
        tmp = corpus / f".{name}.upload-{os.getpid()}-{threading.get_ident()}"
        tmp.write_bytes(data)
        os.replace(tmp, target)  # whole or not at all: a watcher never reads half a file
        log.info("document %s %s (%d bytes)", name, "replaced" if replaced else "added",
                 len(data))
        report = self.build(progress=progress)
        docs = {d.name: d for d in self.documents().documents}
        return Added(self.retriever.version, docs.get(name), replaced, report)

    # --- requests --------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Facts about the live index."""
        r = self.retriever
        m = r.stored.manifest
        return {"status": "ok", "version": r.version, "documents": m["counts"]["documents"],
                "chunks": m["counts"]["chunks"], "passages": m["counts"]["passages"],
                "table_rows": m["counts"]["table_rows"], "model": m["model"],
                "built_at": m["built_at"]}

    def count_tokens(self, texts: list[str]) -> int:
        """Tokens of the texts by the served index's tokenizer (the embedding model's
        WordPiece, special tokens not counted), all together: the size `/v1` reports as
        usage. A few microseconds per hundred characters (the tokenizer is Rust's)."""
        return sum(self.retriever.encoder.count_tokens(texts, special=False)) if texts else 0

    def run(self, fn: Callable[..., T], *args: Any) -> Awaitable[T]:
        """`fn(*args)` run on the thread that encodes queries, in turn with the encodings,
        awaitable from an event loop. Only work that is mostly encoding belongs there: the
        HTTP edge uses `retrieve_async` and `offload`."""
        return asyncio.wrap_future(self.queries.submit(fn, *args))

    def offload(self, fn: Callable[..., T], *args: Any) -> Awaitable[T]:
        """`fn(*args)` run on one of the service's answer threads, awaitable from an event
        loop: how the HTTP edge calls `ask`. Composition runs there, so a slow answer never
        delays another request's query encoding on the encoder thread."""
        return asyncio.wrap_future(self._answer_pool.submit(fn, *args))

    def evidence(self, text: str, doc: str | None = None, k: int = ANSWER_CANDIDATES,
                 retriever: Retriever | None = None) -> tuple[Retriever, list[Evidence]]:
        """The `k` best chunks for `text` (scoped to `doc`), each with the text's similarity
        to its units, and the retriever (index version) they came from.

        The text is encoded on the encoder thread (the only step that needs it); the search
        runs in the caller's thread. An answer that retrieves more than once (one part of
        a question at a time) passes the retriever it got first, so that every part is
        read from the same index version.
        """
        r = retriever or self.retriever
        # A word the corpus does not write takes its vector from the model's word table;
        # only one the table lacks would go in the query's batch (ENCODE_UNLISTED).
        vectors = self.queries.encode(r.encoder, text, *r.unknown(text))
        qvec = vectors[:1]
        hits = r.search(text, qvec, k, doc, words=vectors[1:])
        out = []
        for h in hits:
            units = r.unit_vectors(h.chunk)
            out.append(Evidence(h, tuple(float(x) for x in units @ qvec[0]),
                                learned(qvec, units)))
        return r, out

    def gather(self, question: str, history: list[tuple[str, str]], doc: str | None
               ) -> Gathered:
        """The evidence for a question read in the light of the conversation (see
        `evidence`: only the encoding runs on the encoder thread)."""
        r = self.retriever
        # A chain of follow-ups grows the question it stands for: that is held to the
        # question's own limit, keeping its beginning (the newest question comes first).
        # A misspelled word is corrected against the words of this index version first.
        spelled = r.speller.correct(question)
        resolved = clip(standalone(spelled, history, self._table_rows(r),
                                   lambda earlier: self._reply(earlier, doc)), MAX_QUERY_CHARS)
        r, evidence = self.evidence(resolved, doc, ANSWER_CANDIDATES, r)
        return Gathered(resolved, r, evidence, doc is not None, resolved != spelled)

    def _reply(self, earlier: str, doc: str | None) -> str:
        """The extractive answer to an earlier, already standalone, question whose reply the
        conversation does not give (a follow-up may need the row it names)."""
        return self._extractive(earlier, [], doc, self.gather(earlier, [], doc)).answer

    def ask(self, question: str, history: list[tuple[str, str]] | None = None,
            doc: str | None = None) -> Answer:
        """A short cited answer to the question, read in the light of the conversation.
        Blocking (an LLM answer takes seconds): call it from any thread but the encoder's
        (the HTTP edge uses `offload`)."""
        answer = None
        for event in self.ask_stream(question, history, doc):
            if isinstance(event, Final):
                answer = event.answer
        assert answer is not None  # the stream always ends with its Final
        return answer

    def ask_stream(self, question: str, history: list[tuple[str, str]] | None = None,
                   doc: str | None = None, stop: threading.Event | None = None
                   ) -> Iterator[Delta | Final]:
        """The answer as events: verified sentences of an LLM answer as they are written
        (`Delta`), then the answer (`Final`); without an LLM, the `Final` alone. A bad
        question or a missing index raise here, before the first event. Setting `stop`
        (the reader left) stops the LLM at its next words."""
        question = validate_query(question, "question")
        doc = self._check_doc(self.retriever, doc)  # raises now (no index, unknown doc)
        # The latest messages within the history limits (`check_history` refuses a longer
        # history at the HTTP edge; the chat page keeps the whole conversation).
        return self._events(question, self.fit_history(history or []), doc, stop)

    def _events(self, question: str, history: list[tuple[str, str]], doc: str | None,
                stop: threading.Event | None) -> Iterator[Delta | Final]:
        found = self.gather(question, history, doc)
        extractive = self._extractive(question, history, doc, found)
        if self.llm is None:
            yield Final(extractive)
            return
        if not extractive.grounded:  # the evidence does not answer: nothing to rewrite
            note = "The sources do not cover the question, so the LLM was not asked."
            yield Final(replace(extractive, notes=(*extractive.notes, note)))
            return
        from qa.answer.llm import messages, sources, verified_stream

        numbered = sources(extractive, found.evidence, self.settings.llm_sources)
        chat = messages(found.question, history, numbered, extractive.derivation)
        deltas = self.llm.complete(chat, stop)
        try:
            yield from verified_stream(deltas, numbered, self.support_check(found), extractive,
                                       stop)
        finally:
            deltas.close()  # a reader who left stops the model too

    def _extractive(self, question: str, history: list[tuple[str, str]], doc: str | None,
                    found: Gathered) -> Answer:
        """The answer engine's answer: the gathered evidence for the question, and one more
        retrieval (from the same index version) for each further part of a question that
        asks several things."""
        r = found.retriever
        rows = self._table_rows(r)

        def search(text: str) -> list[Evidence]:
            if text == found.question:
                return found.evidence
            return self.evidence(text, doc, ANSWER_CANDIDATES, r)[1]

        return answer(found.question, search, r, scoped=found.scoped,
                      not_covered=(self.settings.not_covered
                                   or default_not_covered(self._catalog(r).documents)),
                      alone=not any(role == "user" for role, _ in history),
                      split=not found.follow_up,
                      resolve=lambda part, earlier: resolve(part, earlier, rows))

    def support_check(self, found: Gathered) -> SupportCheck:
        """The check an LLM's sentence must pass on the chunk it cites, for this question
        and evidence: the chunk says it (`sentence_check`: its words and its similarity to
        the chunk's closest unit, the sentence encoded once on the encoding thread) and the
        chunk answers the question (the engine's `support.check`, as for its own claims)."""
        from qa.answer import support
        from qa.answer.sentence_check import Support, sentence_check

        r = found.retriever
        vectors: dict[str, Any] = {}

        def similarity(text: str, chunk: Chunk) -> float:
            if text not in vectors:
                vectors[text] = self.queries.encode(r.encoder, text)
            return float(max(r.unit_scores(vectors[text], chunk)))

        said = sentence_check(similarity)

        def check(claim: Claim) -> Support:
            faithful = said(claim)
            if not faithful.ok:
                return faithful
            answers = support.check(found.question, claim, found.evidence, r, found.scoped)
            if answers.ok:
                return faithful
            return Support(False, answers.score, answers.reasons
                           or ("the cited source does not answer the question",))

        return check

    def check_history(self, history: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The history, or BadRequest when it has more messages or characters than the
        settings allow (`history_turns`, `history_chars`)."""
        turns, chars = self.settings.history_turns, self.settings.history_chars
        if len(history) > turns:
            raise BadRequest(f"history has {len(history)} messages; the limit is {turns} "
                             "(QA_HISTORY_TURNS): send the latest ones")
        size = sum(len(content) for _, content in history)
        if size > chars:
            raise BadRequest(f"history has {size} characters; the limit is {chars} "
                             "(QA_HISTORY_CHARS): send the latest messages")
        return history

    def fit_history(self, history: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The latest messages of a conversation that fit the history limits: what `ask`
        reads of a longer one (the chat page keeps the whole conversation)."""
        kept: list[tuple[str, str]] = []
        size = 0
        for role, content in reversed(history[-self.settings.history_turns:]
                                      if self.settings.history_turns else []):
            size += len(content)
            if size > self.settings.history_chars:
                break
            kept.append((role, content))
        return kept[::-1]

    def _table_rows(self, r: Retriever) -> list[TableRow]:
        """Row labels and columns of the tables in a version, for follow-up questions."""
        rows = self._rows_by_version.get(r.version)
        if rows is None:
            rows = table_rows(r.chunks)
            self._rows_by_version = {r.version: rows}
        return rows

    def context(self, chunk_id: str, version: str | None = None) -> tuple[Chunk, list[Chunk]]:
        """A chunk and every chunk of its section in reading order (itself included), so a
        page can show a citation in its context. `version` (default: the live one) is the
        index version the citation came from; the last CITABLE_VERSIONS versions this
        process served are kept. Raises NotFound for an unknown id or a version not kept."""
        r = self.retriever
        if version is None or version == r.version:
            version, chunks, chunk = r.version, r.chunks, r.chunk_by_id(chunk_id)
        else:
            chunks = self._recent.get(version)
            if chunks is None:
                raise NotFound(f"index version {version} is not kept by this server (it keeps "
                               f"the last {CITABLE_VERSIONS} it served; the live one is "
                               f"{r.version}): ask again")
            chunk = next((c for c in chunks if c.id == chunk_id), None)
        if chunk is None:
            raise NotFound(f"no chunk {chunk_id!r} in index {version}")
        return chunk, [c for c in chunks if c.doc == chunk.doc and c.section == chunk.section]

    def stop(self) -> None:
        """Release background work (watchers); the service can be dropped afterwards."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()

    def retrieve(self, query: str, k: int = 5, doc: str | None = None,
                 kind: str | None = None) -> Retrieval:
        """The `k` most relevant chunks for the query."""
        query = _checked(query, k, kind)
        r = self.retriever
        doc = self._check_doc(r, doc)
        query = r.speller.correct(query)
        vectors = self.queries.encode(r.encoder, query, *r.unknown(query))
        return Retrieval(r.version, r.search(query, vectors[:1], k, doc, kind,
                                             words=vectors[1:]))

    async def retrieve_async(self, query: str, k: int = 5, doc: str | None = None,
                             kind: str | None = None) -> Retrieval:
        """`retrieve` for an event loop: the query is encoded on the encoder thread (with
        any others waiting, in one batch) while the loop finds its lexical candidates and
        serves other requests; the rest of the search (well under a millisecond) runs on
        the loop once the vector is in. A lone query while the encoder thread is idle and
        the machine has a core to spare is encoded on the loop instead (`encode_here`)."""
        query = _checked(query, k, kind)
        r = self.retriever
        doc = self._check_doc(r, doc)
        query = r.speller.correct(query)
        unknown = r.unknown(query)
        if not unknown and self.queries.wants_here(r.encoder):
            # A lone query on a machine with cores to spare is encoded right here (no
            # hand-over, two wake-ups fewer). With other clients connected, two turns of the
            # loop first, so that requests of a burst that arrived with it are seen waiting
            # and batched on the encoder thread instead; only then, as they cost CPU
            # (0.5-0.8 ms a request in process when every query went through them, TAT-QA,
            # load 4-5). The only client's request can have no such company.
            self._waiting += 1
            try:
                if not self.queries.alone():
                    await asyncio.sleep(0)
                    await asyncio.sleep(0)
                here = (self.queries.encode_here(r.encoder, query) if self._waiting == 1
                        else None)
            finally:
                self._waiting -= 1
            if here is not None:
                return Retrieval(r.version, r.search(query, here, k, doc, kind))
        vector = self.queries.future(r.encoder, query, *unknown)
        # Meanwhile, and before the encoding has flushed the caches: after it, the same
        # search costs the CPU twice its time on warm caches. A query with words to encode
        # for its expansion (`unknown`: none unless ENCODE_UNLISTED) needs them first.
        lexical = r.lexical(query, doc, kind, r.expansion(query)) if not unknown else None
        vectors = await asyncio.wrap_future(vector)
        return Retrieval(r.version, r.search(query, vectors[:1], k, doc, kind, lexical,
                                             vectors[1:]))


def _checked(query: str, k: int, kind: str | None) -> str:
    """The query stripped, or BadRequest for it, `k` or `kind`."""
    query = validate_query(query)
    if not 1 <= k <= 50:
        raise BadRequest(f"k must be between 1 and 50, got {k}")
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return query


def upload_name(filename: str) -> str:
    """The corpus file name for an uploaded file: its last path part (a browser may send a
    path), refused when empty, hidden or too long (BadRequest) or of a type no converter
    reads (UnsupportedFormat)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    if not name or name.startswith(".") or "\0" in name:
        raise BadRequest(f"file name {filename!r} is empty or hidden: give the file a name")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise BadRequest(f"file name has {len(name.encode())} bytes; the limit is "
                         f"{MAX_NAME_BYTES}")
    if not name.lower().endswith(EXTENSIONS):
        raise UnsupportedFormat(f"{name}: not a document type qa reads "
                                f"({', '.join(EXTENSIONS)})")
    return name


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a space when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut.rsplit(" ", 1)[0] if " " in cut else cut


def validate_query(text: str, what: str = "query") -> str:
    """The query stripped, or BadRequest when it is empty (nothing but spaces, control or
    format characters such as NUL or a zero-width space) or too long."""
    text = (text or "").strip()
    if not any(unicodedata.category(c)[0] not in "CZ" for c in text):
        raise BadRequest(f"{what} is empty: send a question or keywords")
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"{what} has {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
    return text
