"""What an index tells people about itself, as pure functions: the document list (also for
an index whose manifest predates it), the unknown-document message, and the page's default
title, introduction and example questions made from headings and table rows."""

from __future__ import annotations

from qa.catalog import (
    DocumentInfo,
    catalog,
    default_intro,
    default_title,
    example_candidates,
    unknown_document_message,
)
from qa.chunk import chunk_document
from qa.parse import parse_document

REPORT = ("# Harbour Report\n\nShips pay by length.\n\n| Vessel | Fee per day |\n|---|---|\n"
          "| Tanker | 900 euros |\n| Ferry | 300 euros |\n\n## Winter Rules\n\nThe harbour "
          "closes when ice forms.\n")
SALES = ("Sales\n\n|  | 2019 | 2018 |\n|---|---|---|\n| Total sales | $1,496.5 | $1,202.9 |\n")


def doc(name: str, title: str, fmt: str = "markdown") -> DocumentInfo:
    return DocumentInfo(name, title, fmt, None, 3)


def test_catalog_from_the_manifest_or_from_the_chunks() -> None:
    chunks = tuple(chunk_document(parse_document("h.md", REPORT)))
    listed = {"documents": [{"name": "h.md", "title": "Harbour Report", "format": "markdown",
                             "pages": None, "chunks": len(chunks)}],
              "skipped": [{"path": "x.pdf", "reason": "no text"}]}
    c = catalog("v000002", listed, chunks)
    assert c.names() == ["h.md"] and c.documents[0].title == "Harbour Report"
    assert c.skipped == (("x.pdf", "no text"),)
    old = catalog("v000001", {}, chunks)  # a manifest from before documents were recorded
    assert old.documents == (DocumentInfo("h.md", "h.md", "markdown", None, len(chunks)),)


def test_unknown_document_message_names_the_near_miss_and_the_documents() -> None:
    names = ["annual-report.pdf", "minutes.docx"]
    message = unknown_document_message("annual-report.md", names)
    assert "'annual-report.md'" in message and "Did you mean 'annual-report.pdf'?" in message
    assert "minutes.docx" in message
    assert "Did you mean" not in unknown_document_message("zzz", names)
    many = [f"d{i:03d}.md" for i in range(30)]
    assert "and 10 more" in unknown_document_message("x", many)


def test_default_title_and_intro_come_from_the_documents() -> None:
    assert default_title((doc("a.md", "Harbour Report"),)) == "Harbour Report"
    assert default_title((doc("a.md", "A"), doc("b.md", "B"))) == "A and B"
    assert default_title(tuple(doc(f"{i}.md", f"T{i}") for i in range(5))) == (
        "T0 and 4 more documents")
    intro = default_intro((doc("a.pdf", "A", "pdf"), doc("b.md", "B")))
    assert "2 documents (PDF and text)" in intro
    assert "the document does not say" in default_intro((doc("a.md", "A"),))


def test_examples_alternate_table_rows_and_headings_across_documents() -> None:
    chunks = tuple(chunk_document(parse_document("h.md", REPORT))
                   + chunk_document(parse_document("s.md", SALES)))
    questions = example_candidates(chunks)
    assert questions[:2] == ["What is the fee per day for the Tanker vessel?",
                             "What does it say about Harbour Report?"]
    assert "What was Total sales in 2019?" in questions  # a year column reads as a year
    assert "What does it say about Winter Rules?" in questions
    assert len(questions) == len(set(questions))


def test_a_name_is_found_in_its_composed_form_when_that_is_unambiguous() -> None:
    from qa.catalog import Catalog

    composed, decomposed = "café.md", "cafe\u0301.md"
    c = Catalog("v1", (doc(composed, "Café"), doc("x.md", "X")), ())
    assert c.named(composed) == composed and c.named(decomposed) == composed
    assert c.named("cafe.md") is None and c.named("nope.md") is None
    both = Catalog("v1", (doc(composed, "A"), doc(decomposed, "B")), ())
    assert both.named(decomposed) == decomposed  # an exact name wins
    assert Catalog("v1", (doc(decomposed, "B"),), ()).named(composed) == decomposed
