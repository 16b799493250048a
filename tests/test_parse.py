"""Parsing: every structure the analysis uses, Markdown headings, awkward pipe tables
(ragged rows, escaped pipes, no separator row, header lines among the data rows) and
sentence splitting around abbreviations."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.parse import (
    Block,
    Document,
    parse_document,
    split_cells,
)
from qa.text.sentences import split_clauses, split_sentences

ANALYSIS = Path(__file__).resolve().parent.parent / "corpus" / "north-korea-russia-alliance.md"


@pytest.fixture(scope="module")
def analysis() -> Document:
    return parse_document(ANALYSIS.name, ANALYSIS.read_text(encoding="utf-8"))


def of_kind(doc: Document, kind: str) -> list[Block]:
    return [b for b in doc.blocks if b.kind == kind]


def source(doc: Document, block: Block) -> str:
    return doc.text[block.start : block.end]


# --- the analysis ------------------------------------------------------------------------


def test_plain_line_headings_of_the_analysis(analysis: Document) -> None:
    headings = [b.text for b in of_kind(analysis, "heading")]
    assert headings == [
        "North Korea Russia Alliance Reshaping Geopolitical Landscape in Northeast Asia",
        "Strategic Implications for Regional Security and Diplomatic Engagement",
        "Policy Recommendations for Strengthening Multilateral Cooperation and Conflict Prevention",
        "To Conclude",
    ]


def test_intro_paragraph_is_prose_not_a_heading(analysis: Document) -> None:
    first = analysis.blocks[0]
    assert first.kind == "paragraph"
    assert first.text.startswith("The burgeoning partnership between North Korea and Russia")
    assert first.text.endswith("the future of East Asian security.")
    assert first.start == 0


def test_every_paragraph_ends_a_sentence_and_none_is_a_heading(analysis: Document) -> None:
    for b in of_kind(analysis, "paragraph"):
        assert b.text.rstrip().endswith("."), b.text
        assert b.text == source(analysis, b)
    # A heading is a single short line without closing punctuation.
    for b in of_kind(analysis, "heading"):
        assert "\n" not in b.text and not b.text.endswith((".", ":"))


def test_bullet_list_travels_with_its_introducing_sentence(analysis: Document) -> None:
    lists = of_kind(analysis, "list")
    assert len(lists) == 3
    components = lists[0]
    assert components.intro == "Key components of this alliance include:"
    assert [i.split(":")[0] for i in components.items] == [
        "Energy cooperation", "Military coordination", "Diplomatic outreach"]
    # The block starts at the introducing sentence and ends with the last item.
    assert source(analysis, components).startswith("Key components of this alliance include:")
    assert source(analysis, components).endswith("particularly in UN discussions.")
    # The intro sentence is detached from the paragraph before, which keeps the rest.
    actions = lists[2]
    assert actions.intro == "Key actions should include:"
    before = analysis.blocks[analysis.blocks.index(actions) - 1]
    assert before.kind == "paragraph" and before.text.endswith("early identification of conflict "
                                                                "triggers.")
    assert "Key actions" not in before.text
    # A list with no introducing sentence has none.
    assert lists[1].intro == ""
    assert lists[1].items[0].startswith("Heightened Military Coordination")


def test_three_pipe_tables_with_their_headers(analysis: Document) -> None:
    tables = of_kind(analysis, "table")
    assert [t.header for t in tables] == [
        ("Aspect", "North Korea", "Russia", "Regional Impact"),
        ("Impact Area", "Short-Term Effect", "Long-Term Outlook"),
        ("Focus Area", "Recommended Measure", "Expected Outcome"),
    ]
    assert [[r[0] for r in t.rows] for t in tables] == [
        ["Economic", "Military", "Diplomatic"],
        ["Security Alliances", "Diplomatic Engagement", "Economic Sanctions"],
        ["Arms Control", "Economic Sanctions", "Cybersecurity", "Humanitarian Aid"],
    ]
    military = tables[0].rows[1]
    assert military == ("Military", "Enhances missile and defense tech",
                        "Modernizes forces, shares intelligence",
                        "Escalates arms build-up, increases tensions")
    assert tables[0].intro == "The evolving dynamics are visually summarized below:"
    assert tables[2].intro.startswith("The following table succinctly outlines critical areas")
    # Each row's source range is exactly that row's line.
    for t in tables:
        for cells, (a, b) in zip(t.rows, t.row_chars):
            line = analysis.text[a:b]
            assert line.startswith("|") and line.endswith("|") and "\n" not in line
            assert cells[0] in line


def test_blocks_are_in_reading_order_and_do_not_overlap(analysis: Document) -> None:
    ends = 0
    for b in analysis.blocks:
        assert b.start >= ends, b
        assert b.end > b.start
        ends = b.end


def test_line_at_maps_offsets_to_lines(analysis: Document) -> None:
    assert analysis.line_at(0) == 1
    heading = next(b for b in analysis.blocks if b.text == "To Conclude")
    assert analysis.line_at(heading.start) == 37


# --- Markdown and other tables -----------------------------------------------------------


def test_markdown_headings_with_levels() -> None:
    doc = parse_document("m.md", "# Title\n\nSome text here.\n\n## Part two ##\n\nMore text.\n")
    heads = [(b.text, b.level) for b in of_kind(doc, "heading")]
    assert heads == [("Title", 1), ("Part two", 2)]
    assert [b.text for b in of_kind(doc, "paragraph")] == ["Some text here.", "More text."]


def test_wrapped_paragraph_is_one_block_not_a_heading() -> None:
    doc = parse_document("w.txt", "A paragraph that wraps\nonto a second line and ends here.\n")
    assert [b.kind for b in doc.blocks] == ["paragraph"]


def test_ragged_rows_are_padded_to_the_widest_row() -> None:
    doc = parse_document("r.md", "| A | B | C |\n|---|---|---|\n| 1 | 2 |\n| 4 | 5 | 6 | 7 |\n")
    (table,) = of_kind(doc, "table")
    assert table.header[:3] == ("A", "B", "C")
    assert table.rows[0][:3] == ("1", "2", "")
    assert table.rows[1] == ("4", "5", "6", "7")
    assert {len(r) for r in table.rows} == {len(table.header)}


def test_escaped_pipe_stays_inside_its_cell() -> None:
    assert split_cells(r"| a \| b | c |") == ["a | b", "c"]
    doc = parse_document("e.md", "| Op | Meaning |\n|---|---|\n| `x \\| y` | either x or y |\n")
    (table,) = of_kind(doc, "table")
    assert table.rows == (("`x | y`", "either x or y"),)


def test_a_cell_padded_to_align_its_column_reads_with_single_spaces() -> None:
    # TAT-QA's reports pad "$" apart from its figure; an answer quoting the cell showed it
    doc = parse_document("p.md", "| Item | 2019 |\n|---|---|\n"
                                 "| Goodwill | $                          725 |\n")
    (table,) = of_kind(doc, "table")
    assert table.rows == (("Goodwill", "$ 725"),)


def test_table_without_separator_row() -> None:
    doc = parse_document("n.md", "Prices:\n\n| Item | Price |\n| Tea | 3 |\n| Milk | 2 |\n")
    (table,) = of_kind(doc, "table")
    assert table.header == ("Item", "Price")
    assert table.rows == (("Tea", "3"), ("Milk", "2"))


def test_tatqa_year_row_is_a_header_line_and_spanning_label_kept() -> None:
    text = (
        "The table below presents total net sales by contract type (in millions):\n\n"
        "|  |  | Years Ended September 30, |  |\n"
        "| --- | --- | --- | --- |\n"
        "|  | 2019 | 2018 | 2017 |\n"
        "| Fixed Price | $  1,452.4 | $  1,146.2 | $  1,036.9 |\n"
        "| Other | 44.1 | 56.7 | 70.8 |\n"
    )
    (table,) = of_kind(parse_document("t.md", text), "table")
    assert table.header[1:] == ("2019", "2018", "2017")
    assert "Years Ended September 30" in table.notes
    assert table.rows[0] == ("Fixed Price", "$ 1,452.4", "$ 1,146.2", "$ 1,036.9")
    assert len(table.rows) == 2  # the year line is not a data row
    assert table.intro.startswith("The table below presents")


def test_tatqa_units_line_below_years_is_header_not_data() -> None:
    text = ("|  |  | 2019 | 2018 |\n| --- | --- | --- | --- |\n|  | Note | £m | £m |\n"
            "| UK |  | 24.5 | 24.9 |\n| Total |  | 24.9 | 25.4 |\n")
    (table,) = of_kind(parse_document("u.md", text), "table")
    assert [r[0] for r in table.rows] == ["UK", "Total"]
    assert "2019" in table.header[2] and "2018" in table.header[3]


def test_a_second_period_set_under_the_first_is_a_table_of_its_own() -> None:
    text = ("|  | Spring | Autumn |\n| --- | --- | --- |\n|  | Season 2021 |  |\n"
            "| Visitors | 1,200 | 1,450 |\n| Tickets sold | 900 | 1,010 |\n"
            "|  |  | Season 2020 |\n|  | Early | Late |\n|  | spring | autumn |\n"
            "| Visitors | 1,050 | 1,390 |\n| Tickets sold | 800 | 950 |\n")
    first, second = of_kind(parse_document("v.md", text), "table")
    assert first.rows == (("Visitors", "1,200", "1,450"), ("Tickets sold", "900", "1,010"))
    assert "Season 2021" in first.notes
    assert second.header[1:] == ("Early spring", "Late autumn")
    assert second.notes == "Season 2020"
    assert [r[0] for r in second.rows] == ["Visitors", "Tickets sold"]


def test_the_header_line_written_again_with_other_periods_starts_a_table_of_its_own() -> None:
    text = ("| (In Millions) | Dec 29, 2018 | Acquisitions | Dec 28, 2019 |\n"
            "| --- | --- | --- | --- |\n| Mobileye | 10,290 | — | 10,290 |\n"
            "| Total | $24,513 | $1,825 | $26,276 |\n"
            "| (In Millions) | Dec 30, 2017 | Acquisitions | Dec 29, 2018 |\n"
            "| Mobileye | 10,278 | 7 | 10,290 |\n| Total | $24,389 | $162 | $24,513 |\n")
    first, second = of_kind(parse_document("w.md", text), "table")
    assert first.header[1:] == ("Dec 29, 2018", "Acquisitions", "Dec 28, 2019")
    assert [r[0] for r in first.rows] == ["Mobileye", "Total"]
    assert second.header[1:] == ("Dec 30, 2017", "Acquisitions", "Dec 29, 2018")
    assert second.rows[1] == ("Total", "$24,389", "$162", "$24,513")
    # a row of words that is no header line again stays data
    text = ("|  | 2019 | 2018 |\n| --- | --- | --- |\n| Sales | 10 | 9 |\n"
            "| Status | Acquisitions | Open |\n")
    (table,) = of_kind(parse_document("x.md", text), "table")
    assert [r[0] for r in table.rows] == ["Sales", "Status"]


def test_a_label_written_in_another_column_heads_a_row_group() -> None:
    text = ("|  | 2019 | 2018 |\n| --- | --- | --- |\n| Rent | 40 | 38 |\n"
            "|  | Staff costs: |  |\n| Wages | 310 | 295 |\n")
    (table,) = of_kind(parse_document("g.md", text), "table")
    assert table.rows == (("Rent", "40", "38"), ("Staff costs:", "", ""),
                          ("Wages", "310", "295"))


def test_rows_of_text_and_dates_in_figures_are_data() -> None:
    text = ("|  | 2019 | 2018 |\n| --- | --- | --- |\n| Notional amount | 500 | 450 |\n"
            "| Maturity date | 30/6/2024 | 31/5/2023 |\n| Hedge ratio | 1:1 | 1:1 |\n")
    (table,) = of_kind(parse_document("d.md", text), "table")
    assert [r[0] for r in table.rows] == ["Notional amount", "Maturity date", "Hedge ratio"]


def test_a_letter_spaced_year_in_the_header_is_closed_up() -> None:
    # text taken from a PDF with spaced lettering: "2 0 1 8" is the year 2018
    text = ("|  | December 31 |  |\n| --- | --- | --- |\n|  | 2019 | 2 0 1 8 |\n"
            "| Loss carryforward | 73,260 | 57,768 |\n| Level 1 2 3 | 1 | 2 |\n")
    (table,) = of_kind(parse_document("s.md", text), "table")
    assert table.header[1:] == ("2019", "2018")
    assert table.rows[1][0] == "Level 1 2 3"  # only a header's four spaced digits


def test_first_data_row_with_values_stays_data() -> None:
    text = "| Year | Sales |\n|---|---|\n| 2019 | 1,200 |\n| 2018 | 1,100 |\n"
    (table,) = of_kind(parse_document("d.md", text), "table")
    assert table.header == ("Year", "Sales")
    assert table.rows == (("2019", "1,200"), ("2018", "1,100"))


# --- sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("The U.S. and Japan met. They agreed.", ["The U.S. and Japan met.", "They agreed."]),
    ("Talks with the U.S. President went well. Next came China.",
     ["Talks with the U.S. President went well.", "Next came China."]),
    ("Some powers, e.g. China, abstained. Others did not.",
     ["Some powers, e.g. China, abstained.", "Others did not."]),
    ("Growth was 3.5 percent in 2019. It slowed!", ["Growth was 3.5 percent in 2019.",
                                                     "It slowed!"]),
    ("Is it over? No.", ["Is it over?", "No."]),
    # A mark inside a parenthesis that closes later does not end the sentence; a sentence
    # that ends with its parenthesis does, and a parenthesis never closed holds nothing.
    ("He reigned (r. 1735–1796) long. Tibet followed.",
     ["He reigned (r. 1735–1796) long.", "Tibet followed."]),
    ("He taught thirds (Op. 10, No. 7). Some pieces have titles.",
     ["He taught thirds (Op. 10, No. 7).", "Some pieces have titles."]),
    ("It rose (see below.) Then it fell.", ["It rose (see below.)", "Then it fell."]),
    ("A stray ( mark. Another one. And (a closed one).",
     ["A stray ( mark.", "Another one.", "And (a closed one)."]),
])
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected


@pytest.mark.parametrize("sentence, expected", [
    ("Short enough, with commas, to stay whole.", []),
    (("The burgeoning partnership between North Korea and Russia is reshaping geopolitical "
      "dynamics in Northeast Asia, reigniting Cold War-era divisions that have long defined "
      "the region's security landscape."),
     [("The burgeoning partnership between North Korea and Russia is reshaping geopolitical "
       "dynamics in Northeast Asia,"),
      ("reigniting Cold War-era divisions that have long defined the region's security "
       "landscape.")]),
    # Commas inside numbers do not cut; a short clause joins the next one.
    (("Revenue grew by $1,250,000 in fiscal 2019, mostly from cloud services in Europe and "
      "Asia, yes, partly offset by lower licence sales in North America."),
     ["Revenue grew by $1,250,000 in fiscal 2019,",
      "mostly from cloud services in Europe and Asia,",
      "yes, partly offset by lower licence sales in North America."]),
    # A short tail joins the clause before it; a dash cuts like a comma.
    (("Diplomatic engagement must evolve with strategic clarity to mitigate fragmentation "
      "- otherwise the region risks a costly and destabilizing arms race, surely."),
     ["Diplomatic engagement must evolve with strategic clarity to mitigate fragmentation",
      "- otherwise the region risks a costly and destabilizing arms race, surely."]),
])
def test_clause_splitting(sentence: str, expected: list[str]) -> None:
    assert [sentence[a:b] for a, b in split_clauses(sentence)] == expected


# --- CommonMark through markdown-it ------------------------------------------------------


def test_comment_in_a_fenced_code_block_is_code_not_a_heading() -> None:
    doc = parse_document("f.md", "# Setup\n\n```sh\n# build the index\nqa build\n```\n\nDone.\n")
    assert [b.text for b in of_kind(doc, "heading")] == ["Setup"]
    code = of_kind(doc, "paragraph")[0]
    assert code.text == "# build the index\nqa build"  # the fence lines are not text
    assert source(doc, code) == code.text


def test_setext_heading_underline_is_not_a_passage() -> None:
    doc = parse_document("s.md", "Annual Report\n=============\n\nSales rose.\n\nOutlook\n-------\n"
                                 "Costs fell.\n")
    assert [(b.text, b.level) for b in of_kind(doc, "heading")] == [("Annual Report", 1),
                                                                   ("Outlook", 2)]
    assert [b.text for b in of_kind(doc, "paragraph")] == ["Sales rose.", "Costs fell."]
    assert not any("===" in b.text or "---" in b.text for b in doc.blocks)


def test_nested_list_items_belong_to_their_parent_item() -> None:
    text = "Steps to take:\n\n- Prepare\n  - gather data\n  - clean it\n- Publish the report\n"
    (lst,) = of_kind(parse_document("n.md", text), "list")
    assert lst.intro == "Steps to take:"
    assert lst.items == ("Prepare gather data clean it", "Publish the report")


def test_loose_list_is_one_list_with_its_intro() -> None:
    # Items separated by blank lines (TAT-QA writes lists so) form one list, not one each.
    text = "Income rose, primarily as a result of:\n\n• higher rates;\n\n• new vessels;\n\n" \
           "• lower fees.\n"
    (lst,) = of_kind(parse_document("l.md", text), "list")
    assert lst.intro == "Income rose, primarily as a result of:"
    assert lst.items == ("higher rates;", "new vessels;", "lower fees.")


def test_html_block_text_without_tags_and_comments() -> None:
    text = "<!-- draft: remove -->\n\n<div class=\"note\">\n<p>Keep <b>backups</b> daily.</p>\n" \
           "</div>\n\nAfter.\n"
    doc = parse_document("h.md", text)
    texts = [" ".join(b.text.split()) for b in of_kind(doc, "paragraph")]
    assert texts == ["Keep backups daily.", "After."]
    assert not any("draft" in b.text or "<" in b.text for b in doc.blocks)


def test_block_quote_marks_are_not_text_and_offsets_stay() -> None:
    doc = parse_document("q.md", "> Quoted words that go\n> on here.\n")
    (quote,) = of_kind(doc, "paragraph")
    assert " ".join(quote.text.split()) == "Quoted words that go on here."
    assert len(quote.text) == quote.end - quote.start


def test_pages_of_a_converted_document() -> None:
    text = "First page text.\n\nSecond page text.\n"
    doc = parse_document("p.pdf", text, pages=(0, text.index("Second")))
    first, second = of_kind(doc, "paragraph")
    assert (doc.page_at(first.start), doc.page_at(second.start)) == (1, 2)
    assert parse_document("p.md", text).page_at(0) is None
