"""Incremental builds with the real model and real FAISS over small tmp corpora: what is
embedded and reused, removed files, full rebuilds and their reasons, stable ids, bad
files, and corpora that must never replace a live index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa import index as store
from qa.build import build
from qa.config import DEFAULT_MODEL, Settings, get_settings
from qa.embed import Embedder, resolve_model
from qa.encoder import OnnxEncoder
from qa.errors import IndexUnwritable

DOCS = {
    "alpha.md": (
        "# Alpha reactor\n\nThe alpha reactor produces 40 megawatts of power. It was commissioned "
        "in 1998 after a long delay.\n\nOutput by year:\n\n| Year | Output (MW) |\n|---|---|\n"
        "| 2019 | 38 |\n| 2020 | 41 |\n"),
    "beta.md": (
        "# Beta port\n\nBeta is a river port on the northern coast. Its harbour freezes in "
        "winter, so ships wait in the southern bay.\n\n## Trade\n\nGrain and timber leave "
        "Beta every autumn.\n"),
    "notes/gamma.txt": (
        "Gamma committee\n\nThe gamma committee meets every Tuesday to review the budgets of "
        "the three districts.\n"),
}


def write_corpus(folder: Path, docs: dict[str, str] = DOCS) -> Path:
    """Write `docs` (corpus path -> text) under `folder`; returns it."""
    for rel, text in docs.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def settings_for(tmp_path: Path, **extra: object) -> Settings:
    """Settings over tmp_path/corpus (written from DOCS unless present) and tmp_path/index."""
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        write_corpus(corpus)
    return get_settings(corpus=corpus, index=tmp_path / "index", **extra)


class Spy:
    """Records every text the real ONNX encoder is asked to encode."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder  # the sentence-transformers model, should a build export it
        self.texts: list[str] = []


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch, embedder: Embedder, exported: Path) -> Spy:
    """The real encoder, with every text it encodes recorded."""
    recorder = Spy(embedder)
    real = OnnxEncoder.encode

    def encode(self, texts, *args, **kwargs):
        recorder.texts.extend(texts)
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(OnnxEncoder, "encode", encode)
    return recorder


def no_model():
    raise AssertionError("the model was loaded with torch although its export is cached")


@pytest.fixture
def built(tmp_path: Path, spy: Spy) -> tuple[Settings, Spy]:
    """A first full build over DOCS; the spy has been reset."""
    settings = settings_for(tmp_path)
    report = build(settings, lambda: spy.embedder)
    assert report.live and report.full and report.full_reason == "no index yet"
    spy.texts.clear()
    return settings, spy


def test_first_build_embeds_every_chunk(tmp_path: Path, spy: Spy) -> None:
    report = build(settings_for(tmp_path), lambda: spy.embedder)
    stored = store.load(tmp_path / "index", DEFAULT_MODEL)
    assert report.version == stored.version == "v000001"
    assert report.embedded == len(stored.chunks) > 5 and report.reused == 0
    assert report.added == tuple(sorted(DOCS)) and report.documents == 3
    # every unit, then every content word of the chunks alone (query expansion), then, if
    # the export's cache lacked it, the model's word table (once per export)
    own = [u for c in stored.chunks for u in c.units()] + list(stored.words.words)
    assert spy.texts in (own, own + list(stored.model_words.words))
    assert {"reactor", "megawatts", "harbor"} <= set(stored.words.words)  # spellings folded
    assert report.summary().startswith("full build (no index yet): index v000001 is live")


def test_edit_embeds_only_the_changed_chunks_and_reuses_the_rest(
        built: tuple[Settings, Spy]) -> None:
    settings, spy = built
    before = store.load(settings.index, settings.model)
    old_vectors = before.vectors_by_chunk()
    beta = Path(settings.corpus) / "beta.md"
    beta.write_text(beta.read_text().replace("freezes in winter", "stays open all year"))

    report = build(settings, lambda: spy.embedder)

    after = store.load(settings.index, settings.model)
    new = [c for c in after.chunks if c.id not in old_vectors]
    assert report.live and not report.full and after.version == "v000002"
    assert report.changed == ("beta.md",) and report.unchanged == 2
    assert report.added == report.removed == ()
    assert [c.doc for c in new] == ["beta.md"] and "open all year" in new[0].text
    assert report.embedded == len(new) == 1
    assert report.reused == len(after.chunks) - 1
    new_words = [w for w in after.words.words if w not in before.words.rows]
    assert new_words == ["all", "open", "stays"]  # the edit's words ("year" was written)
    assert spy.texts == new[0].units() + new_words  # nothing else went through the model
    for w in before.words.words:
        if w in after.words.rows:  # a word's vector is reused, not encoded again
            assert np.array_equal(after.words.vector(w), before.words.vector(w))
    vectors = after.vectors_by_chunk()
    for c in after.chunks:
        if c.id in old_vectors:
            assert np.array_equal(vectors[c.id], old_vectors[c.id])  # reused, not re-embedded
    fresh = after.encoder.encode(new[0].units())
    assert np.allclose(vectors[new[0].id], fresh, atol=1e-5)
    assert "incremental build: index v000002 is live" in report.summary()
    assert "(1 added" not in report.summary() and "changed: beta.md" in report.summary()
    assert "(1 embedded, " in report.summary()


def test_deleted_file_loses_its_chunks_without_loading_the_model(
        built: tuple[Settings, Spy]) -> None:
    settings, spy = built
    before = store.load(settings.index, settings.model)
    (Path(settings.corpus) / "notes" / "gamma.txt").unlink()

    report = build(settings, no_model)

    after = store.load(settings.index, settings.model)
    assert report.live and report.removed == ("notes/gamma.txt",)
    assert report.embedded == 0 and report.reused == len(after.chunks)
    assert any(c.doc == "notes/gamma.txt" for c in before.chunks)
    assert not any(c.doc == "notes/gamma.txt" for c in after.chunks)
    assert after.vectors.size == sum(len(c.units()) for c in after.chunks)
    assert after.manifest["files"].keys() == {"alpha.md", "beta.md"}
    assert spy.texts == []  # nothing went through the encoder


def test_nothing_changed_writes_nothing_and_loads_no_model(built: tuple[Settings, Spy]) -> None:
    settings, spy = built
    report = build(settings, no_model)
    assert spy.texts == []
    assert not report.live and not report.error and report.version == "v000001"
    assert report.unchanged == 3 and report.reused > 0 and report.embedded == 0
    assert sorted(p.name for p in Path(settings.index).iterdir()) == [
        ".lock", "CURRENT", "v000001"]
    assert "up to date: nothing to do" in report.summary()


def test_model_change_forces_a_full_rebuild(built: tuple[Settings, Spy]) -> None:
    settings, spy = built
    other = settings.model_copy(update={"model": resolve_model(DEFAULT_MODEL)})  # by its path
    report = build(other, lambda: spy.embedder)
    stored = store.load(other.index, other.model)
    assert report.live and report.full and report.reused == 0
    assert report.embedded == len(stored.chunks)
    assert report.unchanged == 3 and report.added == ()  # the documents did not change
    assert report.full_reason.startswith("model changed from 'sentence-transformers/all-MiniLM")
    assert report.summary().startswith("full rebuild (model changed from ")


def test_chunker_change_forces_a_full_rebuild(built: tuple[Settings, Spy],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    settings, spy = built
    monkeypatch.setattr("qa.build.CHUNKER_VERSION", "test-next")
    monkeypatch.setattr("qa.index.CHUNKER_VERSION", "test-next")
    report = build(settings, lambda: spy.embedder)
    assert report.full and report.reused == 0 and report.embedded > 0
    assert "chunker version changed" in report.full_reason and "test-next" in report.full_reason
    assert store.load(settings.index, settings.model).manifest["chunker_version"] == "test-next"


def test_passage_size_change_forces_a_full_rebuild(built: tuple[Settings, Spy]) -> None:
    settings, spy = built
    report = build(settings.model_copy(update={"passage_chars": 120}), lambda: spy.embedder)
    assert report.full and report.full_reason == "passage size changed from 500 to 120 characters"
    assert report.reused == 0


def test_precision_change_rebuilds_an_unchanged_corpus(tmp_path: Path, spy: Spy,
                                                       fp32_exported: Path) -> None:
    # An index built before the default became int8w: the next build (as `qa serve` makes
    # on start) re-embeds it with the default's encoder although no document changed.
    old = settings_for(tmp_path, precision="fp32")
    build(old, lambda: spy.embedder)
    report = build(old.model_copy(update={"precision": "int8w"}), lambda: spy.embedder)
    assert report.live and report.full and report.reused == 0 and report.unchanged == 3
    assert report.full_reason == "encoder precision changed from fp32 to int8w"
    assert store.load(old.index, old.model).manifest["encoder"]["precision"] == "int8w"


def test_same_corpus_gives_the_same_chunk_ids(tmp_path: Path, embedder: Embedder) -> None:
    one, two = tmp_path / "one", tmp_path / "elsewhere" / "two"
    for base in (one, two):
        base.mkdir(parents=True)
        build(settings_for(base), lambda: embedder)
    a = store.load(one / "index", DEFAULT_MODEL)
    b = store.load(two / "index", DEFAULT_MODEL)
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert len({c.id for c in a.chunks}) == len(a.chunks)  # and they are unique
    shutil.rmtree(one / "index")
    build(settings_for(one), lambda: embedder)  # rebuilt from nothing
    assert [c.id for c in store.load(one / "index", DEFAULT_MODEL).chunks] == [
        c.id for c in a.chunks]


@pytest.mark.parametrize("empty_it", ["no files", "only bad files", "only headings"])
def test_corpus_without_text_never_replaces_the_live_index(
        built: tuple[Settings, Spy], empty_it: str) -> None:
    settings, _ = built
    corpus = Path(settings.corpus)
    before = store.load(settings.index, settings.model)
    shutil.rmtree(corpus)
    corpus.mkdir()
    if empty_it == "only bad files":
        (corpus / "blank.md").write_text("  \n\n\t\n")
        (corpus / "image.md").write_bytes(bytes(range(256)) * 8)
    elif empty_it == "only headings":
        (corpus / "title.md").write_text("# Title\n\n## Subtitle\n")

    report = build(settings, no_model)

    assert report.error and not report.live and report.version == "v000001"
    assert report.error.endswith("the live index is kept")
    assert store.current_version(settings.index) == "v000001"
    assert sorted(p.name for p in Path(settings.index).iterdir()) == [
        ".lock", "CURRENT", "v000001"]
    after = store.load(settings.index, settings.model)
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]
    assert report.summary().startswith("build failed: ")
    if empty_it == "only bad files":
        assert "every file was skipped" in report.error
        assert [s.path for s in report.skipped] == ["blank.md", "image.md"]
        assert all(s.reason for s in report.skipped)


def test_bad_files_are_skipped_with_reasons_and_the_build_goes_on(
        tmp_path: Path, embedder: Embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "blank.md").write_text("   \n")
    (corpus / "image.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "latin1.md").write_bytes("Le café du coin ouvre à huit heures.\n".encode("latin-1"))
    (corpus / "huge.md").write_text("Big. " * 2000)
    (corpus / "copy.md").write_text(DOCS["beta.md"])
    outside = tmp_path / "secret.md"
    outside.write_text("Outside the corpus: never indexed.\n")
    (corpus / "link.md").symlink_to(outside)
    settings = get_settings(corpus=corpus, index=tmp_path / "index", max_file_bytes=5000)

    report = build(settings, lambda: embedder)

    stored = store.load(settings.index, settings.model)
    assert report.live and not report.error
    skipped = {s.path: s.reason for s in report.skipped}
    assert skipped.keys() == {"blank.md", "image.txt", "huge.md", "copy.md", "link.md"}
    assert {c.doc for c in stored.chunks} == {*DOCS, "latin1.md"}
    assert any("café" in c.text for c in stored.chunks)
    assert not any("Outside the corpus" in c.text for c in stored.chunks)
    summary = report.summary()
    for path, reason in skipped.items():
        assert f"skipped {path}: {reason}" in summary
    assert stored.manifest["skipped"] == [{"path": p, "reason": r} for p, r in skipped.items()]


def test_qa_build_with_nothing_to_embed_does_not_import_torch(
        built: tuple[Settings, Spy], tmp_path: Path) -> None:
    """Start-up counts in `qa build`: without chunks to embed, no torch and no model."""
    settings, _ = built
    (Path(settings.corpus) / "beta.md").unlink()  # a real build, but nothing new to embed
    probe = ("import sys\nfrom qa.cli import main\n"
             f"code = main(['build', '--corpus', {str(settings.corpus)!r}, '--index', "
             f"{str(settings.index)!r}])\n"
             "print('torch loaded:', 'torch' in sys.modules, 'code:', code)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120, check=False)
    assert "torch loaded: False code: 0" in res.stdout, res.stdout + res.stderr
    assert "incremental build: index v000002 is live" in res.stdout
    assert "(0 embedded, " in res.stdout and "removed: beta.md" in res.stdout


def test_converted_documents_are_described_cached_and_pruned(
        tmp_path: Path, embedder: Embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus", {"beta.md": DOCS["beta.md"]})
    (corpus / "delta.html").write_text(
        "<html><body><h1>Delta dam</h1><p>The delta dam holds 9 million cubic metres of "
        "water.</p></body></html>")
    (corpus / "broken.docx").write_bytes(b"not a Word file")
    settings = get_settings(corpus=corpus, index=tmp_path / "index")

    report = build(settings, lambda: embedder)

    assert report.live and [s.path for s in report.skipped] == ["broken.docx"]
    assert "DOCX" in report.skipped[0].reason
    documents = store.load(settings.index, settings.model).manifest["documents"]
    assert [(d["name"], d["title"], d["format"]) for d in documents] == [
        ("beta.md", "Beta port", "markdown"), ("delta.html", "Delta dam", "html")]
    assert all(d["chunks"] > 0 and d["pages"] is None for d in documents)
    cache = Path(settings.index) / "conversions"
    entries = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(entries) == 2  # the page and the failure; Markdown is not cached

    again = build(settings, no_model)  # unchanged: read from the cache, nothing converted
    assert not again.live and {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == entries

    (corpus / "delta.html").unlink()
    (corpus / "broken.docx").unlink()
    build(settings, no_model)
    assert list(cache.iterdir()) == []


# --- a build must never lose the good versions ----------------------------------------------


@pytest.mark.parametrize("corpus_state", ["empty", "missing", "mistyped"])
def test_a_bad_corpus_with_current_missing_deletes_no_version(
        built: tuple[Settings, Spy], corpus_state: str) -> None:
    """Issue 8: with CURRENT gone and the corpus empty or mistyped, `qa build` deleted
    every version as a leftover, then refused to build."""
    settings, spy = built
    index, corpus = Path(settings.index), Path(settings.corpus)
    (corpus / "beta.md").unlink()
    assert build(settings, lambda: spy).version == "v000002"
    (index / "CURRENT").unlink()
    if corpus_state == "empty":
        shutil.rmtree(corpus)
        corpus.mkdir()
    elif corpus_state == "missing":
        shutil.rmtree(corpus)
    else:
        settings = get_settings(corpus=corpus.with_name("corpsu"), index=index)
    before = sorted(p.name for p in index.iterdir())

    report = build(settings, no_model)

    assert report.error and not report.live
    if corpus_state == "empty":
        assert "no usable documents" in report.error
    else:
        assert "does not exist" in report.error and "--corpus or QA_CORPUS" in report.error
    assert sorted(p.name for p in index.iterdir()) == before  # nothing touched
    assert store.versions(index) == ["v000002", "v000001"]
    assert store.load(index, settings.model).version == "v000002"  # the newest complete


def test_a_missing_corpus_does_not_create_an_index_folder(tmp_path: Path) -> None:
    settings = get_settings(corpus=tmp_path / "nowhere", index=tmp_path / "index")
    assert "does not exist" in build(settings, no_model).error
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize("where", ["a file", "under a file", "read-only /proc"])
def test_an_index_that_cannot_be_written_is_a_clean_error(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    index = {"a file": blocker, "under a file": blocker / "index",
             "read-only /proc": Path("/proc/self/qa-index")}[where]
    settings = get_settings(corpus=write_corpus(tmp_path / "corpus"), index=index)
    with pytest.raises(IndexUnwritable) as e:
        build(settings, no_model)
    assert f"cannot write the index in {index}/" in e.value.message
    assert "--index or QA_INDEX" in e.value.message


def test_decodings_are_in_the_build_report(tmp_path: Path, embedder: Embedder) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "mostly.md").write_bytes("Un café crème coûte deux euros. ".encode() * 3
                                       + b"\xff\n")
    settings = get_settings(corpus=corpus, index=tmp_path / "index")
    report = build(settings, lambda: embedder)
    assert [(d.path, d.reason[:22]) for d in report.decoded] == [
        ("mostly.md", "UTF-8 with 1 invalid b")]
    assert "decoded mostly.md as UTF-8 with 1 invalid byte" in report.summary()
    assert report.to_dict()["decoded"][0]["path"] == "mostly.md"
    stored = store.load(settings.index, settings.model)
    assert any("café crème" in c.text for c in stored.chunks)
