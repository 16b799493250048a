"""The index describes its documents (GET /documents), a page over any corpus gets its
title and answerable examples from the index, and editors add documents (POST
/documents) through the real app: 201 with the token, 401/403/404 without, 413, 415,
422 and 409 for files the corpus scan would not index."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from qa.api import create_app
from qa.config import Settings, get_settings
from qa.embed import Embedder
from qa.service import QAService

TOKEN = "upload-token-never-logged"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HARBOURS = ("# Harbour Fees\n\nThe port of Brightwater charges ships by length.\n\n"
            "| Vessel | Fee per day |\n|---|---|\n| Tanker | 900 euros |\n"
            "| Ferry | 300 euros |\n\n## Winter Rules\n\nThe harbour closes when ice is thicker "
            "than ten centimetres.\n")


def docx_bytes(title: str, sentence: str) -> bytes:
    d = docx.Document()
    d.add_heading(title, 1)
    d.add_paragraph(sentence)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("documents")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "harbours.md").write_text(HARBOURS)
    (corpus / "orchard.docx").write_bytes(docx_bytes(
        "Orchard Survey", "The orchard grows 340 apple trees and 25 pear trees."))
    (corpus / "scan.pdf").write_bytes(b"%PDF-1.4 not really a PDF")
    return get_settings(corpus=corpus, index=base / "index", admin_token=SecretStr(TOKEN),
                        max_file_bytes=200_000)


@pytest.fixture(scope="module")
def client(settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    svc = QAService(settings)
    svc.embedder = embedder
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        yield c


def upload(client: TestClient, name: str, data: bytes, headers: dict | None = None):
    return client.post("/documents", files={"file": (name, data)}, headers=headers or {})


# --- the documents of the index --------------------------------------------------------


def test_documents_lists_each_document_and_the_skipped_file(client: TestClient) -> None:
    body = client.get("/documents").json()
    docs = {d["name"]: d for d in body["documents"]}
    assert docs["harbours.md"] == {"name": "harbours.md", "title": "Harbour Fees",
                                   "format": "markdown", "pages": None,
                                   "chunks": docs["harbours.md"]["chunks"]}
    assert docs["harbours.md"]["chunks"] == 4  # two passages and two table rows
    assert (docs["orchard.docx"]["title"], docs["orchard.docx"]["format"]) == (
        "Orchard Survey", "docx")
    (skipped,) = body["skipped"]
    assert skipped["path"] == "scan.pdf" and "PDF" in skipped["reason"]
    assert body["version"] == client.get("/health").json()["version"]


def test_a_question_scoped_to_a_converted_document(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "How many pear trees does the orchard grow?",
                                     "doc": "orchard.docx"}).json()
    assert body["grounded"] and "25 pear trees" in body["answer"]
    assert {c["doc"] for c in body["citations"]} == {"orchard.docx"}


def test_page_info_is_made_from_this_corpus(client: TestClient) -> None:
    svc: QAService = client.app.state.service
    page = svc.page_info()
    assert page.title == "Harbour Fees and Orchard Survey"
    assert "2 documents" in page.intro and "DOCX" in page.intro
    assert [d.name for d in page.documents] == ["harbours.md", "orchard.docx"]
    assert page.examples and all("analysis" not in q.lower() for q in page.examples)
    for question in page.examples:  # every example is one the service answers
        assert svc.ask(question).grounded, question
    assert any("Tanker" in q or "Ferry" in q for q in page.examples)  # from a table row
    assert page.not_covered == "The documents do not cover this."


def test_page_settings_override_the_defaults(settings: Settings, embedder: Embedder) -> None:
    custom = get_settings(**{**settings.model_dump(), "page_title": "Port handbook",
                             "page_examples": ["What does a ferry pay?"]})
    svc = QAService(custom)
    svc.embedder = embedder
    svc.start()
    try:
        page = svc.page_info()
    finally:
        svc.stop()
    assert page.title == "Port handbook" and page.examples == ("What does a ferry pay?",)
    assert page.intro  # unset: still derived


# --- uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize("headers, status, kind", [
    ({}, 401, "Unauthorized"),
    ({"Authorization": "Bearer wrong"}, 403, "Forbidden"),
])
def test_upload_without_the_token_is_refused(client: TestClient, settings: Settings,
                                             headers: dict, status: int, kind: str) -> None:
    version = client.get("/health").json()["version"]
    res = upload(client, "extra.md", b"# Extra\n\nText.\n", headers)
    assert res.status_code == status and res.json()["error"]["type"] == kind
    assert TOKEN not in res.text
    assert not (Path(settings.corpus) / "extra.md").exists()
    assert client.get("/health").json()["version"] == version


def test_upload_is_off_without_an_admin_token(tmp_path: Path, embedder: Embedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(HARBOURS)
    settings = get_settings(corpus=corpus, index=tmp_path / "index")
    svc = QAService(settings)
    svc.embedder = embedder
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        res = upload(c, "b.md", b"# B\n\nText.\n", AUTH)
    assert res.status_code == 404 and res.json()["error"]["type"] == "Disabled"
    assert not (corpus / "b.md").exists()


@pytest.mark.parametrize("name, data, status, kind", [
    ("slides.pptx", b"PK\x03\x04 whatever", 415, "UnsupportedFormat"),
    ("big.md", b"# Big\n\n" + b"word " * 50_000, 413, "TooLarge"),
    ("broken.docx", b"not a zip archive at all", 422, "BadRequest"),
    ("blank.md", b"   \n\n", 422, "BadRequest"),
    ("copy.md", HARBOURS.encode(), 409, "Conflict"),
    (".hidden.md", b"# Hidden\n\nText.\n", 422, "BadRequest"),
])
def test_upload_checks_as_the_corpus_scan_does(client: TestClient, settings: Settings,
                                               name: str, data: bytes, status: int,
                                               kind: str) -> None:
    res = upload(client, name, data, AUTH)
    assert res.status_code == status, res.text
    assert res.json()["error"]["type"] == kind
    assert not (Path(settings.corpus) / name).exists()


def test_upload_with_the_token_adds_a_document_that_answers(client: TestClient,
                                                            settings: Settings) -> None:
    before = client.get("/health").json()["version"]
    data = docx_bytes("Lighthouse Log", "The lighthouse lamp was replaced in March 2021.")
    res = upload(client, "logs/lighthouse.docx", data, AUTH)  # a path: its file name is kept
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["document"] == {"name": "lighthouse.docx", "title": "Lighthouse Log",
                                "format": "docx", "pages": None, "chunks": 1}
    assert body["replaced"] is False and body["report"]["added"] == ["lighthouse.docx"]
    assert body["version"] != before
    assert (Path(settings.corpus) / "lighthouse.docx").read_bytes() == data
    answer = client.post("/ask", json={"question": "When was the lighthouse lamp replaced?"})
    assert "March 2021" in answer.json()["answer"]
    assert answer.json()["citations"][0]["doc"] == "lighthouse.docx"
    names = [d["name"] for d in client.get("/documents").json()["documents"]]
    assert "lighthouse.docx" in names


def test_a_decomposed_document_name_names_the_composed_one(tmp_path: Path,
                                                           embedder: Embedder) -> None:
    """"café" typed or pasted on macOS arrives decomposed (NFD): it was a 404 asking "Did
    you mean 'café notes.md'?", a name that looks the same."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "café notes.md").write_text("# Café\n\nThe café serves twelve kinds of tea.\n")
    (corpus / "harbours.md").write_text(HARBOURS)
    settings = get_settings(corpus=corpus, index=tmp_path / "index")
    svc = QAService(settings)
    svc.embedder = embedder
    decomposed = unicodedata.normalize("NFD", "café notes.md")
    with TestClient(create_app(settings, service=svc, ui=False)) as c:
        resp = c.post("/retrieve", json={"query": "tea", "doc": decomposed})
        assert resp.status_code == 200, resp.text[:300]
        assert {h["doc"] for h in resp.json()["results"]} == {"café notes.md"}
        resp = c.post("/ask", json={"question": "How many kinds of tea does the café serve?",
                                    "doc": decomposed})
        assert resp.status_code == 200, resp.text[:300]
        assert c.post("/retrieve", json={"query": "tea", "doc": "cafe notes.md"}).status_code \
            == 404  # an accent left out is another name
