"""Build the index from the corpus: scan, parse, chunk, embed what changed, write a version.

Incremental: vectors of chunks whose id (content and place) is already in the live
version are reused; only new chunks are embedded, and the chunks of deleted files go. A
different model (or model file), encoder precision, chunker version or passage size forces
a full rebuild. With nothing changed no version is written. A corpus that yields no chunk
at all (empty, or every file skipped) never replaces the live index.

Texts are embedded with the model's ONNX export (`qa.export`, made once per model with
torch and cached), the same file the version keeps for its queries: torch is loaded only
when that export is not cached yet.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from qa import index as store
from qa.apart import run_apart
from qa.chunk import CHUNKER_VERSION, Chunk, chunk_document
from qa.config import Settings
from qa.corpus import Skipped, Source, scan
from qa.encoder import BUILD_THREADS, ENCODER, TOKENIZER, load_encoder
from qa.errors import IndexUnwritable, QAError
from qa.export import cached_export
from qa.ingest import CACHE, EXTENSIONS, Reader
from qa.parse import Document, parse_document
from qa.wordvectors import MODEL_FILES, WordVectors, corpus_words, model_words, tokenizer_words

log = logging.getLogger(__name__)

NO_INDEX = "no index yet"
NAMES_SHOWN = 10


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    version: str | None
    live: bool  # a new version went live
    documents: int = 0
    passages: int = 0
    table_rows: int = 0
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    embedded: int = 0
    reused: int = 0
    truncated: int = 0
    full: bool = False
    full_reason: str = ""
    skipped: tuple[Skipped, ...] = ()
    decoded: tuple[Skipped, ...] = ()  # documents read other than as plain UTF-8, and how
    cleaned: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str = ""
    # The version the build left live, as it loaded and verified it: a server takes it
    # instead of loading (and hashing) the same files again. Not part of the report.
    stored: store.StoredIndex | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """Human-readable account of the build, for the CLI and logs."""
        lines = []
        if self.error:
            lines.append(f"build failed: {self.error}")
        elif not self.live:
            lines.append(f"index {self.version} is up to date: nothing to do")
        elif self.full:
            kind = "full build" if self.full_reason == NO_INDEX else "full rebuild"
            lines.append(f"{kind} ({self.full_reason}): index {self.version} is live")
        else:
            lines.append(f"incremental build: index {self.version} is live")
        lines.append(f"documents: {self.documents} ({len(self.added)} added, {len(self.changed)} "
                     f"changed, {len(self.removed)} removed, {self.unchanged} unchanged)")
        if self.full_reason != NO_INDEX:
            for what, paths in (("added", self.added), ("changed", self.changed),
                                ("removed", self.removed)):
                if paths:
                    more = f" and {len(paths) - NAMES_SHOWN} more" if len(paths) > NAMES_SHOWN else ""
                    lines.append(f"  {what}: {', '.join(paths[:NAMES_SHOWN])}{more}")
        if not self.error:
            lines.append(f"chunks: {self.passages} passages, {self.table_rows} table rows "
                         f"({self.embedded} embedded, {self.reused} reused)")
        if self.truncated:
            lines.append(f"note: {self.truncated} chunks exceed the model's token limit and are "
                         "embedded from their beginning")
        for s in self.skipped:
            lines.append(f"skipped {s.path}: {s.reason}")
        for s in self.decoded:
            lines.append(f"decoded {s.path} as {s.reason}")
        if self.cleaned:
            lines.append(f"cleaned up after an interrupted build: {', '.join(self.cleaned)}")
        lines.append(f"seconds: {self.seconds:.1f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "stored"}
        d["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        d["decoded"] = [{"path": s.path, "as": s.reason} for s in self.decoded]
        for key in ("added", "changed", "removed", "cleaned"):
            d[key] = list(d[key])
        d["seconds"] = round(self.seconds, 3)
        return d


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per index folder (across processes)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def build(settings: Settings, embedder_factory: Callable[[], Any] | None = None,
          progress: bool = False, apart: bool = False) -> BuildReport:
    """Bring the index in `settings.index` up to date with `settings.corpus`.

    `embedder_factory` gives the `qa.embed.Embedder` (sentence-transformers) to export
    the model from; it is called only when the model's ONNX export is not cached yet.
    With `apart` (a server's builds), the export and the embedding run in a child process
    (`qa.apart`), so this process never loads torch nor keeps the build's encoder.
    Never raises for the corpus's content: a build that cannot go live says why in
    `error` and leaves the live index as it was.
    """
    t0 = time.perf_counter()
    root = Path(settings.index)
    corpus = Path(settings.corpus)
    # The corpus is read first: a missing or empty one is refused before the index is touched.
    if not corpus.is_dir():
        return _refused(f"the corpus folder {corpus}/ does not exist (or is not a folder): "
                        "check --corpus or QA_CORPUS", store.current_version(root), t0)
    # Conversions of other formats are cached by content in the index folder (the reader
    # writes only what it converts); what no file uses any more is pruned under the lock.
    reader = Reader(root / CACHE)
    sources, skipped = scan(corpus, settings.max_file_bytes, settings.max_line_chars,
                            reader, EXTENSIONS)
    if not sources:
        return _refused(f"no usable documents in {corpus}/"
                        + (" (every file was skipped)" if skipped else ""),
                        store.current_version(root), t0, skipped)
    try:
        with build_lock(root):
            cleaned = tuple(store.clean_leftovers(root))
            reader.prune()
            return _build(settings, sources, skipped, cleaned, embedder_factory, progress,
                          apart, t0)
    except OSError as e:
        where = f"{e.strerror or e}: {e.filename}" if e.filename else str(e)
        raise IndexUnwritable(f"cannot write the index in {root}/ ({where}): make it a "
                              "writable folder, or choose another with --index or QA_INDEX"
                              ) from e


def _refused(why: str, live_version: str | None, t0: float, skipped: Sequence[Skipped] = (),
             cleaned: tuple[str, ...] = (), **counts: Any) -> BuildReport:
    """The report of a build that cannot go live: the live index is left as it is."""
    why += "; the live index is kept" if live_version else ""
    return BuildReport(version=live_version, live=False, skipped=tuple(skipped),
                       cleaned=cleaned, error=why, seconds=time.perf_counter() - t0, **counts)


def _build(settings: Settings, sources: list[Source], skipped: list[Skipped],
           cleaned: tuple[str, ...], embedder_factory: Callable[[], Any] | None, progress: bool,
           apart: bool, t0: float) -> BuildReport:
    """The build proper, holding the lock: diff, chunk, embed what is new, write."""
    root = Path(settings.index)
    decoded = tuple(Skipped(s.path, s.decoded) for s in sources if s.decoded)
    prev, full_reason = _previous(root, settings)
    # The version the build starts from: the live one, or the newest complete one when the
    # live one (or CURRENT) is damaged; then even an unchanged corpus gets a new version.
    live = prev.manifest if prev is not None else store.read_manifest(root)
    live_version = prev.version if prev is not None else store.current_version(root)
    files = (live or {}).get("files")
    old_files: dict[str, str] = files if isinstance(files, dict) else {}
    new_files = {s.path: s.sha256 for s in sources}
    added = tuple(p for p in new_files if p not in old_files)
    removed = tuple(p for p in old_files if p not in new_files)
    changed = tuple(p for p in new_files if p in old_files and old_files[p] != new_files[p])
    unchanged = len(new_files) - len(added) - len(changed)
    diff = {"documents": len(sources), "added": added, "changed": changed,
            "removed": removed, "unchanged": unchanged}

    if prev is not None and not (added or removed or changed) and \
            prev.version == store.current_version(root):
        c = prev.manifest["counts"]
        return BuildReport(version=prev.version, live=False, passages=c["passages"],
                           table_rows=c["table_rows"], reused=c["chunks"],
                           skipped=tuple(skipped), decoded=decoded, cleaned=cleaned,
                           seconds=time.perf_counter() - t0, stored=prev, **diff)

    chunks: list[Chunk] = []
    documents = []
    for src in sources:
        doc = parse_document(src.path, src.text, src.pages)
        doc_chunks = chunk_document(doc, settings.passage_chars)
        chunks.extend(doc_chunks)
        documents.append(describe(src, doc, len(doc_chunks)))
    if not chunks:
        return _refused(f"the {len(sources)} usable documents in {settings.corpus}/ hold "
                        "no text to index", live_version, t0, skipped, cleaned, **diff)

    source, encoder_info = cached_export(settings.model, settings.precision,
                                         settings.encoder_cache, embedder_factory, apart)
    if prev is not None and prev.manifest["encoder"].get("key") != encoder_info["key"]:
        prev, full_reason = None, "model file or encoder precision changed"
    known = prev.vectors_by_chunk() if prev is not None else {}
    todo = [c for c in chunks if c.id not in known]
    # The chunks' content words, each encoded alone (query expansion, `qa.wordvectors`):
    # those the previous version holds keep their vectors.
    vocabulary = corpus_words(c.embed_text() for c in chunks)
    known_words = prev.words.reused(vocabulary) if prev is not None else {}
    new_words = [w for w in vocabulary if w not in known_words]
    # The model's own word table (query words the corpus does not write take their vectors
    # from it): encoded once per export, kept in the export's cache folder.
    listed = tokenizer_words(source / TOKENIZER) if model_words(source) is None else []
    truncated = 0
    dim = prev.vectors.dimension if prev is not None else 0
    if todo or new_words or listed:
        texts = [c.units() for c in todo]
        job = (source, encoder_info["sha256"][ENCODER], encoder_info["max_tokens"],
               [ts[0] for ts in texts], [t for ts in texts for t in ts], new_words,
               settings.batch_size, progress, listed)
        truncated, fresh, fresh_words, fresh_listed = (run_apart(embed, *job) if apart
                                                       else embed(*job))
        dim = fresh_words.shape[1]
        if listed:
            WordVectors(tuple(listed), fresh_listed).save(source, MODEL_FILES)
        known_words.update(zip(new_words, fresh_words))
        bounds = np.cumsum([0] + [len(ts) for ts in texts])
        known.update({c.id: fresh[bounds[i]:bounds[i + 1]] for i, c in enumerate(todo)})
    parts = [known[c.id] for c in chunks]
    vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
    owners = np.repeat(np.arange(len(chunks)), [len(p) for p in parts])
    words = WordVectors(tuple(vocabulary), np.array(
        [known_words[w] for w in vocabulary], dtype=np.float32).reshape(len(vocabulary), dim))

    passages = sum(c.kind == "passage" for c in chunks)
    manifest = {
        "model": settings.model,
        "encoder": {k: v for k, v in encoder_info.items() if k != "sha256"},
        "passage_chars": settings.passage_chars,
        "files": new_files,
        "counts": {"documents": len(sources), "passages": passages,
                   "table_rows": len(chunks) - passages},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": documents,
        "skipped": [{"path": s.path, "reason": s.reason} for s in skipped],
        "decoded": [{"path": s.path, "as": s.reason} for s in decoded],
    }
    stored = store.write_version(root, chunks, vectors, owners, manifest, source, words,
                                 encoder_threads=settings.query_threads)
    return BuildReport(
        version=stored.version, live=True, passages=passages,
        table_rows=len(chunks) - passages, embedded=len(todo),
        reused=len(chunks) - len(todo), truncated=truncated, full=prev is None,
        full_reason=full_reason, skipped=tuple(skipped), decoded=decoded, cleaned=cleaned,
        seconds=time.perf_counter() - t0, stored=stored, **diff,
    )


def describe(src: Source, doc: Document, chunks: int) -> dict[str, Any]:
    """What the index records of a document: its name (corpus path), title (its first
    heading, else its file name), format, number of pages (paged formats) and chunks."""
    title = next((b.text for b in doc.blocks if b.kind == "heading"), "")
    return {"name": src.path, "title": " ".join(title.split()) or Path(src.path).name,
            "format": src.format, "pages": len(src.pages) or None, "chunks": chunks}


# The model's word table is encoded in batches this large: its words are one to four tokens
# long, so a batch is little padding, and fewer runs cost a quarter less CPU than batches of
# 64 (2,165 of its words at load 6.7: 2.4 against 3.2 CPU-s).
LISTED_BATCH = 1024


def embed(source: Path, checksum: str, max_tokens: int, firsts: list[str], texts: list[str],
          words: list[str], batch_size: int, progress: bool, listed: Sequence[str] = ()
          ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """How many chunks the model cuts (their first units, `firsts`, exceed its token limit),
    the vectors of `texts`, those of `words` and those of `listed` (the model's word table),
    by the export in `source`, with a progress bar on the terminal if asked. Each list is
    encoded apart: a text's vector must not depend on which words were new (the int8
    encoders' results move with a batch's padding). A module-level function: `run_apart`
    runs it in a child process."""
    encoder = load_encoder(source, checksum, max_tokens, BUILD_THREADS)
    truncated = sum(n > encoder.max_tokens for n in encoder.count_tokens(firsts))
    lists = ((texts, batch_size), (words, batch_size),
             (list(listed), max(batch_size, LISTED_BATCH)))
    if not progress:
        return truncated, *(encoder.encode(x, n) for x, n in lists)
    from tqdm import tqdm

    with tqdm(total=sum(len(x) for x, _ in lists), unit="text", desc="embedding") as bar:
        return truncated, *(encoder.encode(x, n, progress=bar.update) for x, n in lists)


def _previous(root: Path, settings: Settings) -> tuple[store.StoredIndex | None, str]:
    """The live version (or, when it is damaged, the newest complete one) if its vectors
    can be reused, else None and why not."""
    manifest = store.read_manifest(root)
    if manifest is None:
        try:  # CURRENT or the live manifest is damaged: an older version may serve
            return store.load(root, settings.model, encoder_threads=settings.query_threads), ""
        except QAError as e:
            if not store.versions(root):
                return None, NO_INDEX
            log.warning("no usable index version, rebuilding in full: %s", e.message)
            return None, "live index unreadable"
    if manifest.get("format") != store.FORMAT:
        return None, f"index format changed from {manifest.get('format')} to {store.FORMAT}"
    if manifest.get("model") != settings.model:
        return None, f"model changed from {manifest.get('model')!r} to {settings.model!r}"
    if manifest.get("chunker_version") != CHUNKER_VERSION:
        return None, (f"chunker version changed from {manifest.get('chunker_version')} "
                      f"to {CHUNKER_VERSION}")
    if manifest.get("passage_chars") != settings.passage_chars:
        return None, (f"passage size changed from {manifest.get('passage_chars')} "
                      f"to {settings.passage_chars} characters")
    # Checked here, not only by the export's key below, so that an unchanged corpus is
    # rebuilt too when the precision changes (the default's did, from fp32 to int8w).
    built_with = (manifest.get("encoder") or {}).get("precision")
    if built_with != settings.precision:
        return None, f"encoder precision changed from {built_with} to {settings.precision}"
    try:
        return store.load(root, settings.model, encoder_threads=settings.query_threads), ""
    except QAError as e:
        log.warning("live index unusable, rebuilding in full: %s", e.message)
        return None, "live index damaged"
