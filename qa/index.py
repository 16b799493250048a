"""The index on disk: immutable, self-describing versions and an atomic pointer to the live one.

    index/
      CURRENT                 name of the live version, replaced atomically
      v000007/manifest.json   model, encoder, dimension, chunker version, file hashes, counts,
                              checksums (of the files and of itself)
      v000007/vectors.faiss   the search backend's files (FAISS: an inner-product index over
                              normalised vectors, one per unit: a chunk and its sentences,
                              list items or text cells)
      v000007/owners.npy      for each vector, the position of its chunk in chunks.jsonl
      v000007/searched.npy    for each vector, whether it scores its chunk in retrieval
      v000007/chunks.jsonl    one chunk per line
      v000007/encoder.onnx    the embedding model as ONNX, and its tokenizer.json: queries
                              are encoded with the very file the vectors were made with
      v000007/bm25/, lexicon.json, near.npy   BM25 and word statistics (`qa.lexicon`),
                              worked out at build time so that loading computes nothing
      v000007/words.json, word_vectors.npy   the corpus's content words and their vectors
                              by the same encoder (`qa.wordvectors`: query expansion)
      v000007/model_words.json, model_word_vectors.npy   the model tokenizer's whole words
                              and their vectors (copied from the export's cache, like the
                              encoder): the vectors of query words the corpus does not write

A version is written under a temporary name (`.tmp-...`), fsynced, renamed, verified, and
only then named in CURRENT (itself replaced through a temporary file); old versions are
renamed to a temporary name before they are deleted. So a build killed at any moment, even
with SIGKILL, leaves CURRENT naming a complete version, and what it left behind is either
a `.tmp-*` name or a version newer than CURRENT: `clean_leftovers` (run by the next build)
removes both. Loading checks every file against the size and SHA-256 the manifest records
before parsing it, so a damaged file is refused with a clear error rather than read; when
the live version (or CURRENT itself) is damaged, the newest complete older version is
served instead, with a warning, until `qa build` writes a new one.
Nothing loaded is pickled (JSON, FAISS's own format, `.npy` without pickle, ONNX).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa import lexicon, search, wordvectors
from qa.chunk import CHUNKER_VERSION, Chunk
from qa.encoder import COMPUTE_THREADS, ENCODER, TOKENIZER, OnnxEncoder, load_encoder
from qa.errors import IndexCorrupt, IndexMismatch, IndexMissing, QAError
from qa.lexicon import Lexicon
from qa.search import VectorStore
from qa.wordvectors import WordVectors

# 3: the encoder, the search backend's files and the lexicon are in the version;
# 4: the manifest carries its own checksum; 5: the corpus's words and their vectors;
# 6: the model's word table.
FORMAT = 6
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
CHUNKS = "chunks.jsonl"
OWNERS = "owners.npy"
SEARCHED = "searched.npy"
BACKEND = "faiss"
FILES = (OWNERS, SEARCHED, CHUNKS, ENCODER, TOKENIZER, *lexicon.FILES, *wordvectors.FILES,
         *wordvectors.MODEL_FILES)
COUNTS = ("documents", "passages", "table_rows", "chunks", "vectors")
_VERSION = re.compile(r"^v(\d{6,})$")
KEEP_VERSIONS = 2
SELF_CHECKSUM = "manifest_sha256"
MAX_MANIFEST_BYTES = 64 << 20  # a manifest lists a hash per corpus file: far below this

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredIndex:
    """A loaded, verified index version."""

    version: str
    manifest: dict[str, Any]
    chunks: tuple[Chunk, ...]
    vectors: VectorStore
    owners: np.ndarray
    searched: np.ndarray
    lexicon: Lexicon
    encoder: OnnxEncoder
    folder: Path
    words: WordVectors
    model_words: WordVectors  # the model tokenizer's whole words (float16, looked up only)

    def vectors_by_chunk(self) -> dict[str, np.ndarray]:
        """Each chunk's unit vectors, by chunk id (for reuse in an incremental build)."""
        matrix = self.vectors.reconstruct(0, self.vectors.size)
        bounds = np.searchsorted(self.owners, np.arange(len(self.chunks) + 1))
        return {c.id: matrix[bounds[i]:bounds[i + 1]] for i, c in enumerate(self.chunks)}


def rebuild_command(index_dir: Path) -> str:
    """The command that (re)builds the index in `index_dir`, for error messages."""
    return "qa build" if Path(index_dir) == Path("index") else f"qa build --index {index_dir}"


def current_version(root: Path) -> str | None:
    """Name of the version CURRENT names, or None when it is missing or damaged (see
    `current_problem`). Never blocks: a CURRENT that is a FIFO or a device is not read."""
    name = _read_current(Path(root))
    return name if isinstance(name, str) and _VERSION.match(name) else None


def current_problem(root: Path) -> str:
    """What is wrong with CURRENT (or "" when it names an existing version), for messages."""
    path = Path(root) / CURRENT
    name = _read_current(Path(root))
    if isinstance(name, OSError):
        if isinstance(name, FileNotFoundError):
            return f"{path} is missing"
        return f"{path} cannot be read ({name.strerror or name})"
    if name is None:
        return f"{path} is not a regular file (a folder, FIFO or device)"
    if not _VERSION.match(name):
        return f"{path} does not name a version (it holds {name[:40]!r})"
    if not (Path(root) / name).is_dir():
        return f"{path} names {name}, which does not exist"
    return ""


def _read_current(root: Path) -> str | None | OSError:
    """CURRENT's text (stripped; bytes that are not ASCII replaced), None when it is not a
    regular file, or the OSError that opening it gave."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(root / CURRENT, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        return e
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, 256)
    except OSError as e:
        return e
    finally:
        os.close(fd)
    return data.decode("ascii", "replace").strip()


def read_manifest(root: Path, version: str | None = None) -> dict[str, Any] | None:
    """The manifest of a version (the live one by default), or None when it is missing,
    unreadable or not a JSON object."""
    version = version or current_version(root)
    if not version:
        return None
    path = Path(root) / version / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return manifest if isinstance(manifest, dict) else None


def check_compatible(manifest: dict[str, Any], model: str, index_dir: Path) -> None:
    """Refuse an index built with another model, chunker or format than the settings say."""
    cmd = rebuild_command(index_dir)
    if manifest.get("format") != FORMAT:
        raise IndexMismatch(f"index format {manifest.get('format')} is not {FORMAT}: run `{cmd}`")
    if manifest.get("model") != model:
        raise IndexMismatch(
            f"index built with model {manifest.get('model')!r}, settings say {model!r}: "
            f"run `{cmd}` to rebuild it for this model"
        )
    if manifest.get("chunker_version") != CHUNKER_VERSION:
        raise IndexMismatch(
            f"index built with chunker version {manifest.get('chunker_version')}, this qa uses "
            f"{CHUNKER_VERSION}: run `{cmd}`"
        )


def version_files(manifest: dict[str, Any]) -> tuple[str, ...]:
    """Every file of a version but its manifest: the search backend's and the others."""
    return (*search.files(manifest.get("search_backend", BACKEND)), *FILES)


def load(root: Path, model: str, version: str | None = None,
         encoder_threads: int = COMPUTE_THREADS) -> StoredIndex:
    """Load and verify a version built with `model`: the given one, or by default the live
    one, or, when that is damaged (or CURRENT is), the newest complete version, with a
    warning naming the damage and the repair (`qa build`).

    Raises IndexMissing when there is none, IndexMismatch when it was built with other
    settings, IndexCorrupt when a file is missing, truncated or altered (and no complete
    version is left to fall back on).
    """
    root = Path(root)
    if version:
        return _load(root, model, version, encoder_threads)
    live = current_version(root)
    try:
        if live is None or not (root / live).is_dir():
            if live is None and not versions(root):
                raise IndexMissing(f"no index in {root}/: run `{rebuild_command(root)}` first")
            raise IndexCorrupt(f"{current_problem(root)}: run `{rebuild_command(root)}` to "
                               "repair the index")
        return _load(root, model, live, encoder_threads)
    except IndexCorrupt as damage:
        for other in fallbacks(root, live):
            try:
                stored = _load(root, model, other, encoder_threads)
            except IndexCorrupt:
                continue
            log.warning("%s; serving %s, the newest complete version", damage.message, other)
            return stored
        raise


def versions(root: Path) -> list[str]:
    """The version folders in `root`, newest first."""
    try:
        names = [p.name for p in Path(root).iterdir() if _VERSION.match(p.name) and p.is_dir()]
    except OSError:
        return []
    return sorted(names, key=version_number, reverse=True)


def fallbacks(root: Path, live: str | None) -> list[str]:
    """The versions to try when the live one (`live`, or None when CURRENT is damaged) is
    not usable, newest first: those older than it (a newer one never went live: a build
    was killed before naming it)."""
    older = [v for v in versions(root) if v != live]
    if live is not None:
        older = [v for v in older if version_number(v) < version_number(live)]
    return older


def _load(root: Path, model: str, version: str, encoder_threads: int) -> StoredIndex:
    """Load and verify exactly `version`."""
    folder = root / version
    fix = f"run `{rebuild_command(root)}` to write a fresh version"
    manifest = read_manifest(root, version)
    if manifest is None:
        what = ("is missing" if not (folder / MANIFEST).exists()
                else "is not a JSON object (damaged)")
        raise IndexCorrupt(f"index version {version}: {folder / MANIFEST} {what}: {fix}")
    if manifest.get("format") == FORMAT and \
            manifest.get(SELF_CHECKSUM) != manifest_digest(manifest):
        raise IndexCorrupt(f"index file {folder / MANIFEST} is damaged (its SHA-256 differs "
                           f"from the one it records): {fix}")
    check_compatible(manifest, model, root)
    _check_manifest(manifest, folder, fix)
    # The encoder (the largest file, and a model to load) is checked and loaded in a thread
    # of its own while the rest is checked and read: hashing and onnxruntime release the GIL.
    with ThreadPoolExecutor(1, thread_name_prefix="qa-load") as pool:
        loading = pool.submit(_load_encoder, folder, manifest, fix, encoder_threads)
        for name in version_files(manifest):
            if name not in (ENCODER, TOKENIZER):
                _check_file(folder, name, manifest, fix)
        try:
            vectors = search.load(manifest["search_backend"], folder)
            owners = np.load(folder / OWNERS, allow_pickle=False)
            searched = np.load(folder / SEARCHED, allow_pickle=False)
            with open(folder / CHUNKS, encoding="utf-8") as f:
                chunks = tuple(Chunk.from_dict(json.loads(line)) for line in f if line.strip())
            lexical = Lexicon.load(folder)
            word_vectors = WordVectors.load(folder)
            listed = WordVectors.load(folder, wordvectors.MODEL_FILES, widen=False)
        # The files match their checksums, so this is a manifest written to match damage.
        except (RuntimeError, OSError, ValueError, TypeError, KeyError, AttributeError,
                IndexError, RecursionError) as e:
            raise IndexCorrupt(f"index version {version} cannot be read ({e}): {fix}") from e
        onnx = loading.result()
    counts = manifest["counts"]
    if owners.ndim != 1 or owners.dtype.kind not in "iu":
        raise IndexCorrupt(f"index file {folder / OWNERS} does not hold chunk positions: {fix}")
    if (len(chunks) != counts["chunks"] or len(owners) != vectors.size
            or vectors.size != counts["vectors"] or len(searched) != vectors.size
            or len(lexical.label_words) != len(chunks)
            or (len(owners) and (owners[0] != 0 or owners[-1] != len(chunks) - 1
                                 or np.any(np.diff(owners) < 0) or np.any(np.diff(owners) > 1)))):
        raise IndexCorrupt(f"index version {version} has {vectors.size} vectors and "
                           f"{len(chunks)} chunks that do not agree with its manifest: {fix}")
    if (vectors.dimension != manifest["dimension"] or onnx.dimension != manifest["dimension"]
            or word_vectors.matrix.shape[1] != manifest["dimension"]
            or listed.matrix.shape[1] != manifest["dimension"]):
        raise IndexCorrupt(f"index version {version} has vectors of dimension "
                           f"{vectors.dimension} and an encoder of {onnx.dimension}, manifest "
                           f"says {manifest['dimension']}: {fix}")
    return StoredIndex(version=version, manifest=manifest, chunks=chunks, vectors=vectors,
                       owners=owners, searched=searched.astype(bool), lexicon=lexical,
                       encoder=onnx, folder=folder, words=word_vectors, model_words=listed)


def _load_encoder(folder: Path, manifest: dict[str, Any], fix: str,
                  threads: int) -> OnnxEncoder:
    """The version's encoder (running on `threads` threads), once its files are checked."""
    for name in (ENCODER, TOKENIZER):
        _check_file(folder, name, manifest, fix)
    try:
        return load_encoder(folder, manifest["checksums"][ENCODER],
                            manifest["encoder"]["max_tokens"], threads)
    except Exception as e:  # onnxruntime and tokenizers raise their own types for bad files
        raise IndexCorrupt(f"the encoder of index version {manifest.get('version')} cannot be "
                           f"loaded ({e}): {fix}") from e


def _check_manifest(manifest: dict[str, Any], folder: Path, fix: str) -> None:
    """Refuse a manifest that lacks what loading relies on (a checksum for every file)."""
    sums = manifest.get("checksums")
    counts = manifest.get("counts")
    encoder = manifest.get("encoder")
    try:
        names, problem = version_files(manifest), ""
    except ValueError as e:  # a search backend this qa does not know
        names, problem = (), str(e)
    if problem:
        pass
    elif not isinstance(sums, dict) or any(not isinstance(sums.get(n), str) for n in names):
        problem = f"no checksum for each of {', '.join(names)}"
    elif not isinstance(counts, dict) or any(not isinstance(counts.get(k), int) for k in COUNTS):
        problem = f"no counts of {', '.join(COUNTS)}"
    elif not isinstance(manifest.get("dimension"), int):
        problem = "no vector dimension"
    elif not isinstance(encoder, dict) or not isinstance(encoder.get("max_tokens"), int):
        problem = "no encoder"
    elif not isinstance(manifest.get("files"), dict) or not isinstance(
            manifest.get("built_at"), str):
        problem = "no file hashes or build time"
    if problem:
        raise IndexCorrupt(f"index manifest {folder / MANIFEST} is incomplete ({problem}): {fix}")


def _check_file(folder: Path, name: str, manifest: dict[str, Any], fix: str) -> None:
    """Refuse a file that is missing, or whose size or SHA-256 differs from the manifest."""
    path = folder / name
    try:
        size = path.stat().st_size
    except OSError:
        raise IndexCorrupt(f"index file {path} is missing: {fix}") from None
    expected = manifest.get("sizes", {}).get(name)
    if isinstance(expected, int) and size != expected:
        how = "truncated" if size < expected else "longer than written"
        raise IndexCorrupt(f"index file {path} is {how} ({size} bytes, the manifest says "
                           f"{expected}): {fix}")
    if file_sha256(path) != manifest["checksums"][name]:
        raise IndexCorrupt(f"index file {path} is damaged (its SHA-256 differs from the "
                           f"manifest's): {fix}")


def write_version(root: Path, chunks: list[Chunk], vectors: np.ndarray, owners: np.ndarray,
                  manifest: dict[str, Any], encoder: Path, words: WordVectors,
                  backend: str = BACKEND, encoder_threads: int = COMPUTE_THREADS
                  ) -> StoredIndex:
    """Write a new version, verify it, and make it the live one in one atomic step.

    `vectors[i]` belongs to `chunks[owners[i]]`; owners ascend. `encoder` is the folder
    holding the ONNX encoder and tokenizer the vectors were made with (`manifest["encoder"]`
    says what it is), with the model's word table (`wordvectors.MODEL_FILES`); they are
    copied into the version, so that it is whole by itself. `words`: the chunks' content
    words and their vectors by that encoder."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    version = _next_version(root)
    tmp = root / f".tmp-{version}-{os.getpid()}"
    tmp.mkdir()
    search.create(backend, vectors).save(tmp)
    owners = np.asarray(owners, dtype=np.int32)
    np.save(tmp / OWNERS, owners, allow_pickle=False)
    searched = np.zeros(len(owners), dtype=bool)
    bounds = np.searchsorted(owners, np.arange(len(chunks) + 1))
    for i, c in enumerate(chunks):  # which vectors score their chunk (clauses do not)
        searched[bounds[i]:bounds[i] + c.searched_units()] = True
    np.save(tmp / SEARCHED, searched, allow_pickle=False)
    with open(tmp / CHUNKS, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in chunks)
    Lexicon.build(chunks).save(tmp)
    words.save(tmp)
    for name in (ENCODER, TOKENIZER, *wordvectors.MODEL_FILES):
        # A copy, not a hard link: a version damaged in place must not damage the cache.
        shutil.copyfile(Path(encoder) / name, tmp / name)
    full = {**manifest, "format": FORMAT, "version": version, "dimension": int(vectors.shape[1]),
            "normalized": True, "search_backend": backend,
            "index_type": getattr(search.backends()[backend], "index_type", backend),
            "chunker_version": CHUNKER_VERSION}
    names = version_files(full)
    full["checksums"] = {name: file_sha256(tmp / name) for name in names}
    full["sizes"] = {name: (tmp / name).stat().st_size for name in names}
    full["counts"] = {**full.get("counts", {}), "chunks": len(chunks), "vectors": len(vectors),
                      "words": len(words.words)}
    full[SELF_CHECKSUM] = manifest_digest(full)
    _write_durably(tmp / MANIFEST, json.dumps(full, indent=1, ensure_ascii=False))
    for name in names:
        _fsync(tmp / name)
    _fsync(tmp / lexicon.BM25)
    _fsync(tmp)
    os.rename(tmp, root / version)
    _fsync(root)
    try:
        stored = load(root, full["model"], version, encoder_threads)  # verify before it goes live
    except QAError:
        doomed = root / f".tmp-bad-{version}-{os.getpid()}"
        os.rename(root / version, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        raise
    _write_durably(root / CURRENT, version + "\n")
    _prune(root, keep=version)
    return stored


def clean_leftovers(root: Path) -> list[str]:
    """Remove what a killed build left behind; returns the names removed.

    That is every temporary name (a version being written or deleted, CURRENT being
    replaced) and every version newer than the live one (renamed into place, but the build
    died before naming it in CURRENT). A CURRENT that is missing or cannot be read makes
    no version a leftover; one that is not a regular file (a folder, a FIFO) is removed so
    that the build can write a new one. Call only while holding the build lock.
    """
    removed: list[str] = []
    root = Path(root)
    if not root.is_dir():
        return removed
    live = current_version(root)
    for p in sorted(root.iterdir()):
        # Without a readable CURRENT no version is a leftover: any may be the last good one.
        stray_version = (_VERSION.match(p.name) and live is not None
                         and version_number(p.name) > version_number(live))
        if p.name.startswith((".tmp-", ".CURRENT")) or stray_version:
            _remove(p)
            removed.append(p.name)
    current = root / CURRENT
    if (current.exists() or current.is_symlink()) and _read_current(root) is None:
        # A folder, FIFO or device named CURRENT (damage) would block its replacement.
        doomed = root / f".tmp-bad-CURRENT-{os.getpid()}"
        os.rename(current, doomed)
        _remove(doomed)
        removed.append(CURRENT)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def version_number(name: str) -> int:
    """The number of a version name (`v000007` -> 7); versions are ordered by it."""
    m = _VERSION.match(name)
    if not m:
        raise ValueError(f"not an index version name: {name!r}")
    return int(m.group(1))


def _next_version(root: Path) -> str:
    numbers = [int(m.group(1)) for p in root.iterdir() if (m := _VERSION.match(p.name))]
    return f"v{max(numbers, default=0) + 1:06d}"


def _prune(root: Path, keep: str) -> None:
    """Delete all but the newest KEEP_VERSIONS versions. Each is first renamed to a temporary
    name, so a kill mid-delete leaves a `.tmp-*` folder, never a half-deleted version."""
    versions = sorted((p.name for p in root.iterdir() if _VERSION.match(p.name) and p.is_dir()),
                      key=version_number)
    for name in versions[:-KEEP_VERSIONS]:
        if name != keep:
            doomed = root / f".tmp-old-{name}-{os.getpid()}"
            os.rename(root / name, doomed)
            shutil.rmtree(doomed, ignore_errors=True)


def manifest_digest(manifest: dict[str, Any]) -> str:
    """SHA-256 of a manifest's content but its own checksum (keys sorted), so that damage
    to any field (a model name, a count, a file hash) is found, not read as a setting."""
    rest = {k: v for k, v in manifest.items() if k != SELF_CHECKSUM}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    """The file's SHA-256 in hex, read in 1 MiB blocks; "" when it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def _write_durably(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
