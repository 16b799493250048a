"""The index on disk: immutable, self-describing versions and an atomic pointer to the live one.

    index/
      CURRENT                 name of the live version, replaced atomically
      v000007/manifest.json   model, encoder, dimension, chunker version, file hashes, counts,
                              checksums
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

A version is written under a temporary name (`.tmp-...`), fsynced, renamed, verified, and
only then named in CURRENT (itself replaced through a temporary file); old versions are
renamed to a temporary name before they are deleted. So a build killed at any moment, even
with SIGKILL, leaves CURRENT naming a complete version, and what it left behind is either
a `.tmp-*` name or a version newer than CURRENT: `clean_leftovers` (run by the next build)
removes both. Loading checks every file against the size and SHA-256 the manifest records
before parsing it, so a damaged file is refused with a clear error rather than read.
Nothing loaded is pickled (JSON, FAISS's own format, `.npy` without pickle, ONNX).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa import lexicon, search
from qa.chunk import CHUNKER_VERSION, Chunk
from qa.encoder import COMPUTE_THREADS, ENCODER, TOKENIZER, OnnxEncoder, load_encoder
from qa.errors import IndexCorrupt, IndexMismatch, IndexMissing, QAError
from qa.lexicon import Lexicon
from qa.search import VectorStore

FORMAT = 3  # 3: the encoder, the search backend's files and the lexicon are in the version
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
CHUNKS = "chunks.jsonl"
OWNERS = "owners.npy"
SEARCHED = "searched.npy"
BACKEND = "faiss"
FILES = (OWNERS, SEARCHED, CHUNKS, ENCODER, TOKENIZER, *lexicon.FILES)
_VERSION = re.compile(r"^v(\d{6,})$")
KEEP_VERSIONS = 2


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

    def vectors_by_chunk(self) -> dict[str, np.ndarray]:
        """Each chunk's unit vectors, by chunk id (for reuse in an incremental build)."""
        matrix = self.vectors.reconstruct(0, self.vectors.size)
        bounds = np.searchsorted(self.owners, np.arange(len(self.chunks) + 1))
        return {c.id: matrix[bounds[i]:bounds[i + 1]] for i, c in enumerate(self.chunks)}


def rebuild_command(index_dir: Path) -> str:
    """The command that (re)builds the index in `index_dir`, for error messages."""
    return "qa build" if Path(index_dir) == Path("index") else f"qa build --index {index_dir}"


def current_version(root: Path) -> str | None:
    """Name of the live version, or None when there is none."""
    try:
        name = (Path(root) / CURRENT).read_text().strip()
    except OSError:
        return None
    return name if _VERSION.match(name) else None


def read_manifest(root: Path, version: str | None = None) -> dict[str, Any] | None:
    """The manifest of a version (the live one by default), or None when unreadable."""
    version = version or current_version(root)
    if not version:
        return None
    try:
        return json.loads((Path(root) / version / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


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
    """Load and verify a version (the live one by default) built with `model`.

    Raises IndexMissing when there is none, IndexMismatch when it was built with other
    settings, IndexCorrupt when a file is missing, truncated or altered.
    """
    root = Path(root)
    version = version or current_version(root)
    if not version:
        raise IndexMissing(f"no index in {root}/: run `{rebuild_command(root)}` first")
    folder = root / version
    fix = f"run `{rebuild_command(root)}` to write a fresh version"
    manifest = read_manifest(root, version)
    if manifest is None:
        what = "is missing" if not (folder / MANIFEST).exists() else "is not valid JSON"
        raise IndexCorrupt(f"index version {version}: {folder / MANIFEST} {what}: {fix}")
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
        except (RuntimeError, OSError, ValueError, TypeError, KeyError) as e:
            raise IndexCorrupt(f"index version {version} cannot be read ({e}): {fix}") from e
        onnx = loading.result()
    counts = manifest["counts"]
    if (len(chunks) != counts["chunks"] or len(owners) != vectors.size
            or vectors.size != counts["vectors"] or len(searched) != vectors.size
            or len(lexical.label_words) != len(chunks)
            or (len(owners) and (owners[0] != 0 or owners[-1] != len(chunks) - 1
                                 or np.any(np.diff(owners) < 0) or np.any(np.diff(owners) > 1)))):
        raise IndexCorrupt(f"index version {version} has {vectors.size} vectors and "
                           f"{len(chunks)} chunks that do not agree with its manifest: {fix}")
    if vectors.dimension != manifest["dimension"] or onnx.dimension != manifest["dimension"]:
        raise IndexCorrupt(f"index version {version} has vectors of dimension "
                           f"{vectors.dimension} and an encoder of {onnx.dimension}, manifest "
                           f"says {manifest['dimension']}: {fix}")
    return StoredIndex(version=version, manifest=manifest, chunks=chunks, vectors=vectors,
                       owners=owners, searched=searched.astype(bool), lexicon=lexical,
                       encoder=onnx, folder=folder)


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
    elif not isinstance(counts, dict) or any(
            not isinstance(counts.get(k), int) for k in ("chunks", "vectors")):
        problem = "no chunk and vector counts"
    elif not isinstance(manifest.get("dimension"), int):
        problem = "no vector dimension"
    elif not isinstance(encoder, dict) or not isinstance(encoder.get("max_tokens"), int):
        problem = "no encoder"
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
    if _sha256(path) != manifest["checksums"][name]:
        raise IndexCorrupt(f"index file {path} is damaged (its SHA-256 differs from the "
                           f"manifest's): {fix}")


def write_version(root: Path, chunks: list[Chunk], vectors: np.ndarray, owners: np.ndarray,
                  manifest: dict[str, Any], encoder: Path, backend: str = BACKEND,
                  encoder_threads: int = COMPUTE_THREADS) -> StoredIndex:
    """Write a new version, verify it, and make it the live one in one atomic step.

    `vectors[i]` belongs to `chunks[owners[i]]`; owners ascend. `encoder` is the folder
    holding the ONNX encoder and tokenizer the vectors were made with (`manifest["encoder"]`
    says what it is); they are copied into the version, so that it is whole by itself."""
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
    for name in (ENCODER, TOKENIZER):
        # A copy, not a hard link: a version damaged in place must not damage the cache.
        shutil.copyfile(Path(encoder) / name, tmp / name)
    full = {**manifest, "format": FORMAT, "version": version, "dimension": int(vectors.shape[1]),
            "normalized": True, "search_backend": backend,
            "index_type": getattr(search.backends()[backend], "index_type", backend),
            "chunker_version": CHUNKER_VERSION}
    names = version_files(full)
    full["checksums"] = {name: _sha256(tmp / name) for name in names}
    full["sizes"] = {name: (tmp / name).stat().st_size for name in names}
    full["counts"] = {**full.get("counts", {}), "chunks": len(chunks), "vectors": len(vectors)}
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
    replaced) and every version newer than the live one, or any version when none is live
    (renamed into place, but the build died before naming it in CURRENT). Call only while
    holding the build lock.
    """
    removed: list[str] = []
    root = Path(root)
    if not root.is_dir():
        return removed
    live = current_version(root)
    # A CURRENT that exists but cannot be read names nothing, yet is no licence to delete.
    nothing_live = live is None and not (root / CURRENT).exists()
    for p in sorted(root.iterdir()):
        stray_version = _VERSION.match(p.name) and (
            nothing_live or (live is not None and version_number(p.name) > version_number(live)))
        if p.name.startswith((".tmp-", ".CURRENT")) or stray_version:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            removed.append(p.name)
    return removed


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


def _sha256(path: Path) -> str:
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
