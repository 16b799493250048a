"""The service follows the index: builds swap a new version in between requests, a damaged
version is never swapped in, citations resolve in their own version, and POST
/index/rebuild through the real app (401/403/404/200, the token never logged)."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from qa import index as store
from qa.api import create_app
from qa.build import build
from qa.config import Settings, get_settings
from qa.embed import Embedder
from qa.errors import NotFound
from qa.service import QAService
from qa.text.spelling import english

DOCS = {
    "alpha.md": "# Alpha\n\nThe alpha reactor produces 40 megawatts. It opened in 1998.\n",
    "beta.md": "# Beta\n\nBeta is a river port whose harbour freezes in winter.\n",
    "gamma.md": "# Gamma\n\n| District | Budget |\n|---|---|\n| North | 12 |\n| South | 9 |\n",
}
TOKEN = "s3cret-admin-token-do-not-log"


def make_settings(tmp_path: Path, **extra: object) -> Settings:
    """Settings over a fresh corpus of DOCS in tmp_path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for rel, text in DOCS.items():
        (corpus / rel).write_text(text)
    return get_settings(corpus=corpus, index=tmp_path / "index", **extra)


def started(settings: Settings) -> QAService:
    """A service over `settings`, built and started."""
    svc = QAService(settings)
    svc.start(build_if_needed=True)
    return svc


def edit(settings: Settings, rel: str, old: str, new: str) -> None:
    path = Path(settings.corpus) / rel
    path.write_text(path.read_text().replace(old, new))


def test_build_swaps_the_new_version_in(tmp_path: Path, exported: Path) -> None:
    svc = started(make_settings(tmp_path))
    assert svc.version == "v000001"
    edit(svc.settings, "beta.md", "freezes in winter", "stays open all year")
    report = svc.build()
    assert report.live and svc.version == "v000002" == svc.health()["version"]
    res = svc.retrieve("harbour open all year")
    assert res.version == "v000002" and "open all year" in res.hits[0].chunk.text


def test_start_loads_the_spelling_dictionary_before_the_first_question(
        tmp_path: Path, exported: Path) -> None:
    english.cache_clear()
    svc = started(make_settings(tmp_path))
    deadline = time.monotonic() + 30
    while english.cache_info().currsize == 0 and time.monotonic() < deadline:
        time.sleep(0.05)  # it loads beside the first requests, on a thread of its own
    assert english.cache_info().currsize == 1
    svc.stop()


def test_a_damaged_new_version_is_not_swapped_in(tmp_path: Path, embedder: Embedder,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    svc = started(make_settings(tmp_path))
    edit(svc.settings, "beta.md", "freezes in winter", "stays open all year")
    assert build(svc.settings, lambda: embedder).version == "v000002"  # "another process"
    chunks = Path(svc.settings.index) / "v000002" / store.CHUNKS
    chunks.write_bytes(chunks.read_bytes()[:-40])

    with caplog.at_level(logging.ERROR, logger="qa.service"):
        assert svc.reload() == "v000001"
    assert "index v000002 not loaded, still serving v000001" in caplog.text
    assert "chunks.jsonl is truncated" in caplog.text
    res = svc.retrieve("harbour freezes")
    assert res.version == "v000001" and "freezes in winter" in res.hits[0].chunk.text

    # The next build starts from the newest complete version, v000001, not from scratch.
    report = svc.build()
    assert not report.full and report.changed == ("beta.md",) and report.embedded == 1
    assert svc.version == "v000003"


def test_never_swaps_back_to_an_older_version(tmp_path: Path, exported: Path) -> None:
    svc = started(make_settings(tmp_path))
    edit(svc.settings, "beta.md", "winter", "spring")
    svc.build()
    (Path(svc.settings.index) / "CURRENT").write_text("v000001\n")
    assert svc.reload() == "v000002"


def test_citations_resolve_in_their_own_version(tmp_path: Path, exported: Path) -> None:
    svc = started(make_settings(tmp_path))
    old = svc.retrieve("harbour freezes").hits[0].chunk
    edit(svc.settings, "beta.md", "freezes in winter", "stays open all year")
    svc.build()
    with pytest.raises(NotFound, match="no chunk .* in index v000002"):
        svc.context(old.id)  # gone from the live version
    chunk, section = svc.context(old.id, "v000001")
    assert chunk == old and section == [old]
    with pytest.raises(NotFound, match="not kept by this server"):
        svc.context(old.id, "v000000")


def test_requests_during_builds_never_fail_nor_mix_versions(
        tmp_path: Path, exported: Path) -> None:
    svc = started(make_settings(tmp_path))
    ids = {svc.version: {c.id for c in svc.retriever.chunks}}
    seen: list[list[tuple[str, set[str]]]] = [[] for _ in range(3)]
    errors: list[BaseException] = []
    done = threading.Event()

    def client(log: list[tuple[str, set[str]]]) -> None:
        while not done.is_set():
            try:
                res = svc.retrieve("reactor port budget", k=10)
                log.append((res.version, {h.chunk.id for h in res.hits}))
            except BaseException as e:  # noqa: BLE001 - any failure fails the test
                errors.append(e)

    threads = [threading.Thread(target=client, args=(log,)) for log in seen]
    for t in threads:
        t.start()
    try:
        for n in range(3):
            edit(svc.settings, "alpha.md", f"{40 + n} megawatts", f"{41 + n} megawatts")
            assert svc.build().live
            ids[svc.version] = {c.id for c in svc.retriever.chunks}
        deadline = time.monotonic() + 30  # until every client has seen the last version
        while time.monotonic() < deadline and not all(
                log and log[-1][0] == "v000004" for log in seen):
            time.sleep(0.05)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors
    assert list(ids) == ["v000001", "v000002", "v000003", "v000004"]
    for log in seen:
        versions = [v for v, _ in log]
        assert versions == sorted(versions)  # never backwards
        assert all(hit_ids <= ids[v] for v, hit_ids in log)  # every hit from its version
    assert all(log[-1][0] == "v000004" for log in seen)
    assert len({v for log in seen for v, _ in log}) >= 2  # the clients did run across swaps


# --- POST /index/rebuild through the real app ----------------------------------------------


@pytest.fixture
def client(tmp_path: Path, exported: Path):
    """The real app (no chat page) with an admin token, through its lifespan."""
    settings = make_settings(tmp_path, admin_token=SecretStr(TOKEN))
    svc = QAService(settings)
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        yield c


def test_rebuild_is_disabled_without_a_token(tmp_path: Path, exported: Path) -> None:
    settings = make_settings(tmp_path)
    svc = QAService(settings)
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        res = c.post("/index/rebuild", headers={"Authorization": f"Bearer {TOKEN}"})
    assert res.status_code == 404
    assert res.json()["error"]["type"] == "Disabled"
    assert "set QA_ADMIN_TOKEN" in res.json()["error"]["message"]


@pytest.mark.parametrize("headers, status, kind", [
    ({}, 401, "Unauthorized"),
    ({"Authorization": f"Basic {TOKEN}"}, 401, "Unauthorized"),
    ({"Authorization": "Bearer "}, 401, "Unauthorized"),
    ({"Authorization": "Bearer wrong-token"}, 403, "Forbidden"),
    ({"Authorization": f"Bearer {TOKEN}x"}, 403, "Forbidden"),
    ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 403, "Forbidden"),
])
def test_rebuild_refuses_a_missing_or_wrong_token(client: TestClient, headers: dict[str, str],
                                                  status: int, kind: str) -> None:
    res = client.post("/index/rebuild", headers=headers)
    assert res.status_code == status
    assert res.json()["error"]["type"] == kind
    assert TOKEN not in res.text
    assert client.get("/health").json()["version"] == "v000001"  # nothing was built


def test_rebuild_with_the_token_swaps_in_the_new_version(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    svc: QAService = client.app.state.service
    before = client.post("/retrieve", json={"query": "harbour freezes", "k": 1}).json()
    cited = before["results"][0]["id"]
    edit(svc.settings, "beta.md", "freezes in winter", "stays open all year")

    with caplog.at_level(logging.DEBUG):
        res = client.post("/index/rebuild", headers={"Authorization": f"Bearer {TOKEN}"})

    assert res.status_code == 200, res.text
    body = res.json()
    assert body["version"] == "v000002" and body["report"]["changed"] == ["beta.md"]
    assert body["report"]["embedded"] == 1 and body["report"]["live"] is True
    assert TOKEN not in caplog.text
    after = client.post("/retrieve", json={"query": "harbour open all year", "k": 1}).json()
    assert after["version"] == "v000002" and "open all year" in after["results"][0]["text"]
    assert client.get("/health").json()["version"] == "v000002"
    # The citation given before the rebuild resolves in its own version, not in the new one.
    old = client.get(f"/chunks/{cited}", params={"version": before["version"]})
    assert old.status_code == 200 and "freezes in winter" in old.json()["chunk"]["text"]
    assert client.get(f"/chunks/{cited}").status_code == 404


def test_rebuild_of_an_emptied_corpus_keeps_the_live_index(client: TestClient) -> None:
    svc: QAService = client.app.state.service
    shutil.rmtree(svc.settings.corpus)
    Path(svc.settings.corpus).mkdir()
    res = client.post("/index/rebuild", headers={"Authorization": f"Bearer {TOKEN}"})
    assert res.status_code == 200
    assert res.json()["version"] == "v000001" and res.json()["report"]["live"] is False
    assert "no usable documents" in res.json()["report"]["error"]
    hits = client.post("/retrieve", json={"query": "reactor megawatts"}).json()["results"]
    assert hits and hits[0]["doc"] == "alpha.md"


def test_rebuild_into_an_unwritable_index_is_a_503_in_the_error_shape(
        client: TestClient) -> None:
    """It was a text/plain 500 with a traceback in the log."""
    svc: QAService = client.app.state.service
    index = Path(svc.settings.index)
    index.rename(index.with_name("moved"))
    index.write_text("a file where the index folder was")
    res = client.post("/index/rebuild", headers={"Authorization": f"Bearer {TOKEN}"})
    assert res.status_code == 503 and res.headers["content-type"] == "application/json"
    assert res.json()["error"]["type"] == "IndexUnwritable"
    assert f"cannot write the index in {index}/" in res.json()["error"]["message"]
    assert client.get("/health").json()["version"] == "v000001"  # still serving


def test_fit_history_keeps_the_latest_messages_within_the_limits(service: QAService) -> None:
    turns = service.settings.history_turns
    history = [("user", f"q{i}") for i in range(turns + 5)]
    assert service.fit_history(history) == history[-turns:]
    big = "x" * (service.settings.history_chars - 10)
    assert service.fit_history([("user", big), ("assistant", "y" * 20), ("user", "z")]) == [
        ("assistant", "y" * 20), ("user", "z")]
