"""The chat page's HTML, from turns and chunks, without a browser or a service."""

from __future__ import annotations

from dataclasses import replace

from qa.answer import Dropped
from qa.catalog import DocumentInfo, PageInfo
from qa.chunk import Chunk
from qa.ui.render import (
    bubble_html,
    context_html,
    document_choices,
    header_html,
    markdown,
    messages,
    panel_html,
    row_table,
    upload_form,
    where,
)
from qa.ui.turns import Source, Turn

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _row(label: str, cells: tuple[str, ...], cid: str = "r1") -> Chunk:
    return Chunk(id=cid, kind="table_row", doc="d.md", section="S", text=" | ".join(cells),
                 line_start=3, line_end=3, char_start=0, char_end=1,
                 header=("Aspect", "Regional Impact"), cells=(label, *cells), table=1, row=0)


def _passage(text: str, cid: str = "p", page: int | None = None, doc: str = "d.md") -> Chunk:
    return Chunk(id=cid, kind="passage", doc=doc, section="Findings", text=text,
                 line_start=7, line_end=8, char_start=0, char_end=len(text), page=page)


def test_row_table_escapes_and_marks_the_cited_cell() -> None:
    html = row_table(_row("<b>Military</b>", ("<script>x()</script>",)), highlight=(1,))
    assert "<script>" not in html and "<b>" not in html
    assert "<mark>&lt;script&gt;x()&lt;/script&gt;</mark>" in html
    assert "<th>Regional Impact</th>" in html


def test_context_groups_rows_and_marks_the_cited_one() -> None:
    rows = [_row("Economic", ("Disrupts",), "r0"), _row("Military", ("Escalates",), "r1")]
    html = context_html(rows[1], [_passage("Intro <i>"), *rows], highlight=(1,))
    assert html.count("<table>") == 1  # rows of one table stay one table
    assert 'class="qa-cited"><td>Military</td><td><mark>Escalates</mark>' in html
    assert "Intro &lt;i&gt;" in html


def test_markdown_keeps_markup_as_text_and_links_only_cited_markers() -> None:
    html = markdown(f"Tank **7** holds fuel [1] {HOSTILE} (see [4]).", frozenset({1}), turn=3)
    assert "<strong>7</strong>" in html
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;" in html
    assert html.count('class="qa-cite"') == 1 and 'href="#qa-source-3-1"' in html
    assert "[4]" in html  # not a source of this answer: plain text


def test_markdown_loads_and_runs_nothing_a_document_links() -> None:
    text = ("![pixel](http://tracker.example/p.png) [click](javascript:alert(1)) [2]\n\n"
            "[2]: http://evil.example/")
    html = markdown(text, frozenset({2}))
    assert "<img" not in html and 'href="javascript' not in html
    assert "evil.example" not in html.split("</p>")[0]  # the definition makes no link
    assert 'href="#qa-source-0-2"' in html


def test_where_names_the_page_of_a_pdf_and_else_the_line() -> None:
    assert where(_passage("x", page=4, doc="report.pdf")) == "§ Findings · report.pdf, page 4"
    assert where(_passage("x")) == "§ Findings · d.md, line 7"


def _answered(**kw: object) -> Turn:
    turn = Turn("What is in tank 7?", text="Rocket fuel [1].", state="done", grounded=True,
                sources=(Source(1, _passage("Tank 7 holds rocket fuel.", page=2,
                                            doc="log.pdf")),), version="v000003")
    return replace(turn, **kw)  # type: ignore[arg-type]


def test_bubble_links_markers_lists_sources_and_offers_copy() -> None:
    html = bubble_html(_answered(), 5, "The log does not cover this.")
    assert html.count('href="#qa-source-5-1"') == 2  # in the text and in the list
    assert "Findings, p. 2" in html and 'class="qa-copy"' in html
    assert 'href="#qa-sources-5"' in html


def test_bubble_says_the_pages_not_covered_wording_and_quiet_notes() -> None:
    abstained = _answered(text="The analysis does not cover this.", grounded=False, sources=())
    html = bubble_html(abstained, 0, "The harbour reports do not cover this.")
    assert "The harbour reports do not cover this." in html and "analysis" not in html
    assert "qa-cite" not in html
    noted = _answered(notes=("2 sentences the LLM wrote were dropped: no source holds them.",))
    assert '<div class="qa-note">2 sentences the LLM wrote were dropped' in bubble_html(
        noted, 0, "")


def test_bubble_folds_away_what_verification_dropped() -> None:
    dropped = (Dropped(f"Tank 7 was filled in 1850 {HOSTILE} [1].",
                       ("the number 1850 stands in no source it cites",)),)
    note = ("1 sentence the LLM wrote did not pass verification and was left out (see "
            "`dropped`).")
    html = bubble_html(_answered(dropped=dropped, notes=(note,)), 0, "")
    assert "did not pass verification and was left out.</div>" in html  # no API pointer
    assert '<details class="qa-dropped"><summary>Left out by verification: 1 sentence' in html
    assert "<s>Tank 7 was filled in 1850 &lt;img" in html and "<img" not in html
    assert "stands in no source it cites" in html
    answer = html.split('<div class="qa-answer">')[1].split("</div>")[0]
    assert "1850" not in answer  # shown apart from the answer, struck through
    assert "qa-dropped" not in bubble_html(_answered(), 0, "")


def test_bubble_while_writing_stopped_and_failed() -> None:
    writing = bubble_html(Turn("q", text="Rocket fuel [1]"), 0, "")
    assert "qa-writing" in writing and "Rocket fuel [1]" in writing and "qa-cite" not in writing
    stopped = bubble_html(Turn("q", text="Rocket", state="stopped"), 0, "")
    assert "Stopped before the answer was finished." in stopped
    failed = bubble_html(Turn("q", text=HOSTILE, state="failed"), 0, "")
    assert "qa-error" in failed and "<script" not in failed


def test_messages_escape_the_question() -> None:
    [user, bot] = messages([_answered(question=HOSTILE)], "")
    assert user["role"] == "user" and "<img" not in user["content"]
    assert bot["role"] == "assistant" and "qa-reply" in bot["content"]


def test_panel_shows_the_turns_sources_with_their_context_and_scope() -> None:
    turn = _answered(doc="log.pdf", question=HOSTILE)
    cited = turn.sources[0].chunk
    html = panel_html(turn, 2, {cited.id: [cited]}, "")
    assert 'data-turn="2"' in html and 'id="qa-source-2-1"' in html
    assert "in log.pdf" in html and "<img" not in html and "log.pdf, page 2" in html
    assert "Show in context" in html and "not available" not in html
    assert "not available" in panel_html(turn, 2, {cited.id: None}, "")
    assert "qa-source" not in panel_html(Turn("q"), 0, {}, "")  # still being written


def test_header_choices_and_upload_form_escape_what_documents_say() -> None:
    docs = (DocumentInfo("a.md", HOSTILE, "markdown", None, 3),
            DocumentInfo("b.pdf", "b.pdf", "pdf", 2, 4))
    info = PageInfo(title=HOSTILE, intro="Ask <b>me</b>", examples=(), not_covered="",
                    documents=docs)
    assert "<img" not in header_html(info) and "Ask &lt;b&gt;me&lt;/b&gt;" in header_html(info)
    assert document_choices(info) == [("All documents", ""), (f"{HOSTILE} (a.md)", "a.md"),
                                      ("b.pdf", "b.pdf")]
    form = upload_form(20_000_000, (".md", ".pdf"))
    assert 'data-max-bytes="20000000"' in form and "20 MB" in form
    assert 'accept=".md,.pdf"' in form and 'type="password"' in form
