"""The on-disk index: damaged files refused at load with a clear message, no pickle, and
builds killed with SIGKILL at each step of writing a version leave a loadable index that
the next build cleans up."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from qa import index as store
from qa.build import build
from qa.config import DEFAULT_MODEL, get_settings
from qa.embed import Embedder
from qa.errors import IndexCorrupt, IndexMissing
from qa.retrieve import Retriever

DOCS = {
    "alpha.md": "# Alpha\n\nThe alpha reactor produces 40 megawatts. It opened in 1998.\n",
    "beta.md": "# Beta\n\nBeta is a river port whose harbour freezes in winter.\n",
    "delta.md": "# Delta\n\nThe delta wetlands shelter two hundred species of birds.\n",
    "gamma.md": "# Gamma\n\n| District | Budget |\n|---|---|\n| North | 12 |\n| South | 9 |\n",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A corpus and an index with two versions: v000001 of all DOCS, v000002 without
    delta.md."""
    base = tmp_path_factory.mktemp("index")
    for rel, text in DOCS.items():
        (base / "corpus").mkdir(exist_ok=True)
        (base / "corpus" / rel).write_text(text)
    settings = get_settings(corpus=base / "corpus", index=base / "index")
    assert build(settings, lambda: embedder).version == "v000001"
    (base / "corpus" / "delta.md").unlink()
    assert build(settings, lambda: embedder).version == "v000002"
    return base


@pytest.fixture
def base(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template."""
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    return tmp_path


def answers(index: Path, embedder: Embedder) -> str:
    """Load the live version, check it answers a query about its content; its name."""
    stored = store.load(index, DEFAULT_MODEL)
    hits = Retriever(stored).search("reactor megawatts",
                                    stored.encoder.encode_one("reactor megawatts"))
    assert hits and hits[0].chunk.doc == "alpha.md"
    return stored.version


# --- damaged files -------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", [store.VECTORS, store.CHUNKS, store.OWNERS, store.SEARCHED,
                                  "encoder.onnx", "tokenizer.json", "bm25/vocab.index.json",
                                  "lexicon.json", "near.npy", "words.json",
                                  "word_vectors.npy"])
@pytest.mark.parametrize("damage, says", [(_truncate, "is truncated"), (_flip, "is damaged"),
                                          (Path.unlink, "is missing")])
def test_damaged_file_is_refused_at_load(base: Path, name: str, damage, says: str) -> None:
    damage(base / "index" / "v000002" / name)
    with pytest.raises(IndexCorrupt) as e:
        store.load(base / "index", DEFAULT_MODEL, "v000002")
    assert f"index file {base / 'index' / 'v000002' / name} {says}" in e.value.message
    assert "run `qa build --index " in e.value.message


def _edit(path: Path, sign: bool = True, **fields) -> None:
    """Change fields of a manifest; `sign` records its new checksum, as a build would."""
    manifest = {**json.loads(path.read_text()), **fields}
    if sign:
        manifest[store.SELF_CHECKSUM] = store.manifest_digest(manifest)
    path.write_text(json.dumps(manifest))


def _counts(path: Path, **counts) -> dict:
    return {**json.loads(path.read_text())["counts"], **counts}


@pytest.mark.parametrize("damage, says", [
    (_truncate, "manifest.json is not a JSON object"),
    (Path.unlink, "manifest.json is missing"),
    (_flip, "manifest.json is"),  # not JSON, or damaged: either way named
    (lambda p: _edit(p, sign=False, built_at="2026-01-01T00:00:00+00:00"),
     "manifest.json is damaged (its SHA-256 differs from the one it records)"),
    (lambda p: _edit(p, sign=False, model="another/model"),
     "manifest.json is damaged (its SHA-256 differs from the one it records)"),
    (lambda p: _edit(p, checksums={}),
     ("is incomplete (no checksum for each of vectors.faiss, owners.npy, searched.npy, "
      "chunks.jsonl, encoder.onnx")),
    (lambda p: _edit(p, counts=_counts(p, chunks=99)), "that do not agree with its manifest"),
])
def test_damaged_manifest_is_refused_at_load(base: Path, damage, says: str) -> None:
    damage(base / "index" / "v000002" / store.MANIFEST)
    with pytest.raises(IndexCorrupt, match="v000002") as e:
        store.load(base / "index", DEFAULT_MODEL, "v000002")
    assert says in e.value.message


def test_a_pickle_is_never_loaded(base: Path) -> None:
    """An owners file replaced by a pickled object array, checksum updated to match, is
    refused without being unpickled."""
    marker = base / "unpickled"
    folder = base / "index" / "v000002"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    np.save(folder / store.OWNERS, np.array([Payload()], dtype=object), allow_pickle=True)
    manifest = json.loads((folder / store.MANIFEST).read_text())
    manifest["checksums"][store.OWNERS] = hashlib.sha256(
        (folder / store.OWNERS).read_bytes()).hexdigest()
    manifest["sizes"][store.OWNERS] = (folder / store.OWNERS).stat().st_size
    (folder / store.MANIFEST).write_text(json.dumps(manifest))
    _edit(folder / store.MANIFEST)
    with pytest.raises(IndexCorrupt, match="cannot be read"):
        store.load(base / "index", DEFAULT_MODEL, "v000002")
    assert not marker.exists()


def test_no_index_is_index_missing(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="run `qa build --index"):
        store.load(tmp_path / "nothing", DEFAULT_MODEL)


# --- leftovers -----------------------------------------------------------------------------


def test_clean_leftovers_removes_what_killed_builds_leave_and_nothing_else(base: Path) -> None:
    index = base / "index"
    shutil.copytree(index / "v000002", index / "v000003")  # renamed, never made live
    (index / ".tmp-v000004-77").mkdir()  # being written
    (index / ".tmp-old-v000001-77").mkdir()  # being pruned
    (index / ".CURRENT.77.tmp").write_text("v000003\n")  # CURRENT being replaced
    assert store.clean_leftovers(index) == [
        ".CURRENT.77.tmp", ".tmp-old-v000001-77", ".tmp-v000004-77", "v000003"]
    assert sorted(p.name for p in index.iterdir()) == [".lock", "CURRENT", "v000001", "v000002"]


def test_versions_are_kept_when_current_is_unreadable_or_missing(base: Path) -> None:
    (base / "index" / "CURRENT").write_text("garbage")
    assert store.clean_leftovers(base / "index") == []
    (base / "index" / "CURRENT").unlink()  # missing: any version may be the last good one
    assert store.clean_leftovers(base / "index") == []
    assert store.versions(base / "index") == ["v000002", "v000001"]


# --- damage: a clean error naming the file and the fix, or the newest complete version ----


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink()
    (path / "v000002").mkdir(parents=True)


def _loop(path: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


CURRENT_DAMAGE = {
    "missing": Path.unlink,
    "not UTF-8": lambda p: p.write_bytes(b"v\xff\xfe\x00002\n"),
    "a folder": _folder,
    "a FIFO": _fifo,
    "a symbolic link loop": _loop,
    "garbage": lambda p: p.write_text("../../etc/passwd"),
    "a missing version": lambda p: p.write_text("v000009\n"),
    "empty": lambda p: p.write_bytes(b""),
}


def in_time(fn, seconds: float = 30):
    """fn() run in a thread; fails the test if it has not returned in time (a hang)."""
    out: list = []
    t = threading.Thread(target=lambda: out.append(_outcome(fn)), daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"{fn} did not return within {seconds} s"
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def _outcome(fn):
    try:
        return fn()
    except BaseException as e:  # noqa: BLE001 - handed to the test's thread
        return e


@pytest.mark.parametrize("damage", list(CURRENT_DAMAGE))
def test_a_damaged_current_falls_back_to_the_newest_complete_version(
        base: Path, embedder: Embedder, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    index = base / "index"
    CURRENT_DAMAGE[damage](index / "CURRENT")
    caplog.set_level(logging.WARNING, logger="qa.index")
    assert in_time(lambda: answers(index, embedder)) == "v000002"
    assert f"{index / 'CURRENT'}" in caplog.text and "serving v000002" in caplog.text
    assert "run `qa build --index" in caplog.text


@pytest.mark.parametrize("damage", list(CURRENT_DAMAGE))
def test_qa_build_repairs_a_damaged_current(base: Path, embedder: Embedder,
                                            damage: str) -> None:
    index = base / "index"
    CURRENT_DAMAGE[damage](index / "CURRENT")
    report = in_time(lambda: build(get_settings(corpus=base / "corpus", index=index),
                                   lambda: embedder))
    assert not report.error and report.live and report.version == "v000003"
    assert not report.full, "the vectors of the complete version were not reused"
    assert (index / "CURRENT").read_text() == "v000003\n"
    assert answers(index, embedder) == "v000003"


def test_a_damaged_live_version_falls_back_to_the_one_before(
        base: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture) -> None:
    index = base / "index"
    _flip(index / "v000002" / store.VECTORS)
    caplog.set_level(logging.WARNING, logger="qa.index")
    assert answers(index, embedder) == "v000001"
    assert f"index file {index / 'v000002' / store.VECTORS} is damaged" in caplog.text
    report = build(get_settings(corpus=base / "corpus", index=index), lambda: embedder)
    assert report.live and not report.full and report.version == "v000003"
    assert answers(index, embedder) == "v000003"


def test_damage_with_nothing_to_fall_back_on_is_a_clean_error(base: Path) -> None:
    index = base / "index"
    shutil.rmtree(index / "v000001")
    (index / "v000002" / store.MANIFEST).write_text("[1, 2, 3]")  # JSON, but an array
    with pytest.raises(IndexCorrupt) as e:
        store.load(index, DEFAULT_MODEL)
    assert f"{index / 'v000002' / store.MANIFEST} is not a JSON object" in e.value.message
    assert "run `qa build --index" in e.value.message
    (index / "CURRENT").unlink()
    with pytest.raises(IndexCorrupt, match="CURRENT is missing: run `qa build --index"):
        store.load(index, DEFAULT_MODEL)


@pytest.mark.parametrize("field, value", [
    ("counts", {"chunks": "7"}), ("counts", []), ("files", ["alpha.md"]), ("dimension", "384"),
    ("built_at", None), ("checksums", "x"),
])
def test_a_manifest_of_the_wrong_types_is_refused(base: Path, field: str, value) -> None:
    path = base / "index" / "v000002" / store.MANIFEST
    _edit(path, **{field: value})
    with pytest.raises(IndexCorrupt, match="is incomplete"):
        store.load(base / "index", DEFAULT_MODEL, "v000002")


def test_only_the_newest_two_versions_are_kept(base: Path) -> None:
    settings = get_settings(corpus=base / "corpus", index=base / "index")
    (base / "corpus" / "beta.md").unlink()
    assert build(settings, lambda: None).version == "v000003"  # nothing to embed
    assert sorted(p.name for p in (base / "index").iterdir()) == [
        ".lock", "CURRENT", "v000002", "v000003"]


# --- builds killed with SIGKILL ------------------------------------------------------------

# Each patch kills the build process at one step of writing version v000003 (whose build
# prunes v000001). `die()` is SIGKILL: no cleanup, no finally, no atexit.
KILL_AT = {
    "while writing the vectors": """
        real = faiss.write_index
        def write_index(index, path):
            real(index, path)
            with open(path, "r+b") as f:
                f.truncate(100)
            die()
        faiss.write_index = write_index
    """,
    "before the rename": """
        real = os.rename
        def rename(src, dst):
            if Path(src).name.startswith(".tmp-v"):
                die()
            real(src, dst)
        os.rename = rename
    """,
    "after the rename, before CURRENT": """
        real = qa.index._write_durably
        def write_durably(path, text):
            if path.name == "CURRENT":
                die()
            real(path, text)
        qa.index._write_durably = write_durably
    """,
    "with CURRENT's replacement written": """
        real = os.replace
        def replace(src, dst):
            if Path(dst).name == "CURRENT":
                die()
            real(src, dst)
        os.replace = replace
    """,
    "while pruning": """
        real = shutil.rmtree
        def rmtree(path, *args, **kwargs):
            if Path(path).name.startswith(".tmp-old-"):
                (Path(path) / "vectors.faiss").unlink()
                die()
            real(path, *args, **kwargs)
        shutil.rmtree = rmtree
    """,
}


@pytest.mark.parametrize("moment", list(KILL_AT))
def test_build_killed_at_any_step_leaves_a_loadable_index(
        base: Path, embedder: Embedder, moment: str) -> None:
    index, corpus = base / "index", base / "corpus"
    (corpus / "beta.md").unlink()  # v000003 needs no model: the build dies fast where asked
    script = "import os, shutil, signal, sys\nfrom pathlib import Path\nimport faiss\n" \
        "import qa.index\nfrom qa.cli import main\n" \
        "def die():\n    os.kill(os.getpid(), signal.SIGKILL)\n" \
        + textwrap.dedent(KILL_AT[moment]) \
        + f"main(['build', '--corpus', {str(corpus)!r}, '--index', {str(index)!r}])\n" \
        + "print('not killed')\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert res.returncode == -signal.SIGKILL, res.stdout + res.stderr
    assert os.listdir(index) != [".lock", "CURRENT", "v000002"]  # it did leave something

    went_live = moment == "while pruning"
    live = answers(index, embedder)  # loads and answers right after the kill
    assert live == ("v000003" if went_live else "v000002")

    report = build(get_settings(corpus=corpus, index=index), lambda: embedder)
    assert report.cleaned, "the next build found nothing to clean"
    assert not report.error
    assert report.version == "v000003"
    names = sorted(os.listdir(index))
    assert names == [".lock", "CURRENT", "v000002", "v000003"], names
    assert answers(index, embedder) == "v000003"
