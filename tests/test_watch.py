"""`qa serve --watch`: the service rebuilds when the corpus changes (debounced), loads a
version another process made live, and ignores changes that cannot matter. Without
--watch, a version built beside the server is served within a second or two."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import watchfiles

from qa import index as store
from qa.build import build
from qa.config import Settings, get_settings
from qa.embed import Embedder
from qa.service import QAService
from qa.watch import Watcher

DOCS = {
    "alpha.md": "# Alpha\n\nThe alpha reactor produces 40 megawatts. It opened in 1998.\n",
    "beta.md": "# Beta\n\nBeta is a river port whose harbour freezes in winter.\n",
}


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def make_settings(tmp_path: Path, debounce_ms: int) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for rel, text in DOCS.items():
        (corpus / rel).write_text(text)
    return get_settings(corpus=corpus, index=tmp_path / "index", watch=True,
                        watch_debounce_ms=debounce_ms)


@pytest.fixture
def watched(tmp_path: Path, exported: Path) -> Iterator[QAService]:
    """A started service watching its corpus and index (debounce 400 ms)."""
    svc = QAService(make_settings(tmp_path, 400))
    svc.start(build_if_needed=True)
    assert svc._watcher.ready.wait(30), "the watcher did not start"
    yield svc
    svc.stop()


def test_a_new_document_is_indexed_and_served(watched: QAService) -> None:
    assert watched.version == "v000001"
    (Path(watched.settings.corpus) / "gamma.md").write_text(
        "# Gamma\n\nThe gamma committee meets every Tuesday to review district budgets.\n")
    assert wait_for(lambda: watched.version == "v000002"), "the change was not picked up"
    hit = watched.retrieve("when does the committee meet").hits[0]
    assert hit.chunk.doc == "gamma.md"


def test_a_burst_of_changes_gives_one_build(watched: QAService) -> None:
    watcher = watched._watcher
    builds = watcher.builds
    corpus = Path(watched.settings.corpus)
    for n in range(4):  # 150 ms apart: each within the 400 ms debounce of the one before
        (corpus / f"note{n}.md").write_text(f"# Note {n}\n\nNote number {n} is about rivers.\n")
        time.sleep(0.15)
    assert wait_for(lambda: watched.version == "v000002")
    time.sleep(1.5)  # room for a second build, were the burst split
    assert watcher.builds == builds + 1
    assert watched.version == "v000002"
    assert len(watched.retriever.documents) == 6


def test_a_version_made_live_by_another_process_is_loaded(watched: QAService) -> None:
    """Another `qa build` writes a version (here: the live one again, as v000002); the
    service loads it without building anything itself."""
    builds = watched._watcher.builds
    index = Path(watched.settings.index)
    live = store.load(index, watched.settings.model)
    manifest = {k: live.manifest[k] for k in ("model", "encoder", "passage_chars", "files",
                                              "counts", "built_at")}
    vectors = live.vectors.reconstruct(0, live.vectors.size)
    store.write_version(index, list(live.chunks), vectors, live.owners, manifest, live.folder,
                        live.words)
    assert wait_for(lambda: watched.version == "v000002"), "the new version was not loaded"
    assert watched._watcher.builds == builds


def test_stop_ends_the_watch(tmp_path: Path, exported: Path) -> None:
    svc = QAService(make_settings(tmp_path, 100))
    svc.start(build_if_needed=True)
    watcher = svc._watcher
    assert watcher.ready.wait(30)
    svc.stop()
    assert not watcher._thread.is_alive()
    (Path(svc.settings.corpus) / "late.md").write_text("# Late\n\nWritten after the stop.\n")
    time.sleep(0.5)
    assert svc.version == "v000001"


def test_only_changes_that_can_matter_count(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "corpus" / "index"  # index inside corpus
    fake = SimpleNamespace(settings=SimpleNamespace(corpus=corpus, index=index,
                                                    watch_debounce_ms=100))
    w = Watcher(fake)
    changed = watchfiles.Change.modified
    assert w.relevant(changed, str(corpus / "a.md"))
    assert w.relevant(changed, str(corpus / "sub" / "b.txt"))
    assert w.relevant(watchfiles.Change.deleted, str(corpus / "sub"))  # a folder moved away
    assert w.relevant(changed, str(index / "CURRENT"))
    assert not w.relevant(changed, str(corpus / ".a.md.swp"))
    assert not w.relevant(changed, str(corpus / ".git" / "HEAD"))
    assert not w.relevant(changed, str(index / "v000002" / "chunks.jsonl"))
    assert not w.relevant(changed, str(index / ".tmp-v000003-12"))
    assert not w.relevant(changed, str(tmp_path / "elsewhere.md"))


# --- without --watch: the server still follows the live version ---------------------------


def test_a_version_built_beside_a_server_without_watch_is_served(
        tmp_path: Path, embedder: Embedder) -> None:
    settings = get_settings(**{**make_settings(tmp_path, 400).model_dump(), "watch": False})
    svc = QAService(settings)
    svc.start(build_if_needed=True)
    failures: list[BaseException] = []
    stop = threading.Event()

    def ask_all_along() -> None:  # requests meanwhile: none may fail
        while not stop.is_set():
            try:
                svc.retrieve("harbour", 2)
            except BaseException as e:  # noqa: BLE001 - any failure is the finding
                failures.append(e)

    asker = threading.Thread(target=ask_all_along)
    asker.start()
    try:
        before = svc.version
        (Path(settings.corpus) / "gamma.md").write_text("# Gamma\n\nGamma mines copper.\n")
        report = build(settings, lambda: embedder)  # as `qa build` in another process
        built_at = time.monotonic()
        assert report.live and report.version != before
        assert wait_for(lambda: svc.version == report.version, 5)
        assert time.monotonic() - built_at < 2.5  # within a second or two
        assert svc.retrieve("copper mine", 1).hits[0].chunk.doc == "gamma.md"
    finally:
        stop.set()
        asker.join()
        svc.stop()
    assert not failures
