"""Chunking: one chunk per table row with its column names, passages of whole sentences
within the size limit, heading paths, stable ids and source ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.chunk import MAX_UNITS, Chunk, chunk_document, pack_sentences, row_text
from qa.parse import parse_document
from qa.text.sentences import split_sentences

ANALYSIS = Path(__file__).resolve().parent.parent / "corpus" / "north-korea-russia-alliance.md"
TEXT = ANALYSIS.read_text(encoding="utf-8")
DOC = ANALYSIS.name

ASPECT = "North Korea Russia Alliance Reshaping Geopolitical Landscape in Northeast Asia"
STRATEGIC = "Strategic Implications for Regional Security and Diplomatic Engagement"
POLICY = "Policy Recommendations for Strengthening Multilateral Cooperation and Conflict Prevention"


def chunks_of(text: str, path: str = DOC, limit: int = 500) -> list[Chunk]:
    return chunk_document(parse_document(path, text), limit)


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    return chunks_of(TEXT)


def rows(chunks: list[Chunk]) -> list[Chunk]:
    return [c for c in chunks if c.kind == "table_row"]


def passages(chunks: list[Chunk]) -> list[Chunk]:
    return [c for c in chunks if c.kind == "passage"]


# --- table rows --------------------------------------------------------------------------


def test_each_table_row_is_one_chunk(chunks: list[Chunk]) -> None:
    labels = [(c.table, c.row, c.cells[0]) for c in rows(chunks)]
    assert labels == [
        (1, 0, "Economic"), (1, 1, "Military"), (1, 2, "Diplomatic"),
        (2, 0, "Security Alliances"), (2, 1, "Diplomatic Engagement"),
        (2, 2, "Economic Sanctions"),
        (3, 0, "Arms Control"), (3, 1, "Economic Sanctions"), (3, 2, "Cybersecurity"),
        (3, 3, "Humanitarian Aid"),
    ]
    # No passage repeats a table row's cells (the table is not also chunked as prose).
    for p in passages(chunks):
        assert "|" not in p.text


def test_military_row_pairs_column_names_with_values(chunks: list[Chunk]) -> None:
    military = next(c for c in rows(chunks) if c.cells[0] == "Military")
    assert military.header == ("Aspect", "North Korea", "Russia", "Regional Impact")
    assert military.cells == ("Military", "Enhances missile and defense tech",
                              "Modernizes forces, shares intelligence",
                              "Escalates arms build-up, increases tensions")
    assert "Regional Impact: Escalates arms build-up, increases tensions" in military.text
    assert "North Korea: Enhances missile and defense tech" in military.text
    assert "Russia: Modernizes forces, shares intelligence" in military.text
    assert "Aspect: Military" in military.text
    # The introducing sentence travels with the row, and so does the heading path.
    assert military.caption == "The evolving dynamics are visually summarized below:"
    assert military.text.startswith(military.caption)
    assert military.section == ASPECT


def test_row_source_range_is_its_line(chunks: list[Chunk]) -> None:
    lines = TEXT.split("\n")
    for c in rows(chunks):
        assert c.line_start == c.line_end
        line = lines[c.line_start - 1]
        assert TEXT[c.char_start : c.char_end] == line
        assert line.startswith(f"| {c.cells[0]} |")


def test_row_text_pure() -> None:
    assert row_text(("Item", "Price"), ("Tea", "3")) == "Item: Tea | Price: 3"
    assert row_text(("Item", "Price", "Note"), ("Tea", "3", ""), "Prices:") == (
        "Prices:\nItem: Tea | Price: 3")
    assert row_text(("", "2019"), ("Total", "5"), group="Assets:") == "Assets: Total | 2019: 5"


def test_tatqa_row_carries_years_and_spanning_label() -> None:
    text = ("Net sales by contract type (in millions):\n\n"
            "|  |  | Years Ended September 30, |  |\n| --- | --- | --- | --- |\n"
            "|  | 2019 | 2018 | 2017 |\n| Other | 44.1 | 56.7 | 70.8 |\n")
    (row,) = rows(chunks_of(text, "t.md"))
    assert "2019: 44.1" in row.text and "2017: 70.8" in row.text
    assert "Years Ended September 30" in row.text
    assert row.header == ("", "2019", "2018", "2017")
    assert row.cells == ("Other", "44.1", "56.7", "70.8")


# --- passages ----------------------------------------------------------------------------


def test_passages_are_whole_sentences_within_limit(chunks: list[Chunk]) -> None:
    for p in passages(chunks):
        if "\n- " in p.text or p.text.startswith("- "):
            assert len(p.text) <= 500 or p.text.count("\n- ") <= 1, p.text
            continue  # whole items, each ending its sentence

        assert p.text[-1] in ".!?", p.text
        assert p.text[0].isupper(), p.text
        if len(p.text) > 500:
            assert len(split_sentences(p.text)) == 1, p.text


def test_stakeholder_sentence_is_in_a_short_passage(chunks: list[Chunk]) -> None:
    (p,) = [c for c in chunks if "South Korea, Japan, China, and the US" in c.text]
    assert p.kind == "passage" and len(p.text) <= 500
    assert p.section == STRATEGIC
    assert "balancing deterrence with dialogue" in p.text


def test_list_passage_keeps_its_intro(chunks: list[Chunk]) -> None:
    (p,) = [c for c in chunks if c.text.startswith("Key components of this alliance include:")]
    assert p.text.count("\n- ") == 3
    assert "Energy cooperation" in p.text and "Diplomatic outreach" in p.text
    assert p.line_start == 4 and p.line_end == 7


def test_long_paragraph_split_at_sentence_boundaries() -> None:
    sentence = "This sentence has exactly some words in it to fill the space. "
    text = "Heading\n" + sentence * 20 + "\n"
    ps = passages(chunks_of(text, "long.md", limit=200))
    assert len(ps) > 1
    for p in ps:
        assert len(p.text) <= 200
        assert p.text.endswith("the space.")
    assert " ".join(p.text for p in ps) == (sentence * 20).strip()


def test_single_long_sentence_stands_alone() -> None:
    long = "This one sentence goes on " + "and on " * 120 + "until it stops."
    text = f"Short one first. {long} Short one last.\n"
    ps = passages(chunks_of(text, "s.md", limit=200))
    assert [p.text for p in ps] == ["Short one first.", long, "Short one last."]


def test_passage_units_are_whole_sentences_then_clauses(chunks: list[Chunk]) -> None:
    (intro,) = [c for c in chunks if c.text.startswith("The burgeoning partnership")]
    sentences = [intro.text[a:b] for a, b in split_sentences(intro.text)]
    units, quotes = intro.units(), intro.quotes()
    assert len(units) == len(quotes)
    # The whole in its context, then each sentence: these score the chunk in retrieval.
    n = intro.searched_units()
    assert units[:n] == [intro.embed_text(), *sentences]
    assert quotes[:n] == [intro.text, *sentences]
    # Then the clauses of the long sentences: each quotes the sentence it belongs to.
    clauses = list(zip(units[n:], quotes[n:]))
    reigniting = ("reigniting Cold War-era divisions that have long defined the region’s "
                  "security landscape.")
    assert (reigniting, sentences[0]) in clauses
    assert all(clause in sentence and clause != sentence for clause, sentence in clauses)
    assert {sentence for _, sentence in clauses} == {s for s in sentences if len(s) > 120}


def test_units_and_quotes_are_read_once_and_handed_out_as_new_lists(chunks: list[Chunk]
                                                                     ) -> None:
    c = chunks[0]
    units, quotes = c.units(), c.quotes()
    units.append("changed by a caller")
    quotes.clear()
    assert c.units() == units[:-1] and c.quotes() and len(c.quotes()) == len(c.units())


def test_rows_and_lists_have_no_clause_units(chunks: list[Chunk]) -> None:
    for c in chunks:
        if c.kind == "table_row" or "\n- " in c.text:
            assert c.searched_units() == len(c.units())
            assert c.quotes()[1:] == c.units()[1:]


def test_pack_sentences_pure() -> None:
    spans = [(0, 100), (101, 200), (201, 300), (301, 400)]
    assert pack_sentences(spans, 250) == [(0, 200), (201, 400)]
    assert pack_sentences([(0, 900)], 500) == [(0, 900)]
    assert pack_sentences([], 500) == []


# --- heading path ------------------------------------------------------------------------


def test_sections(chunks: list[Chunk]) -> None:
    def section(start: str) -> str:
        (c,) = [c for c in chunks if c.text.startswith(start)]
        return c.section

    assert section("The burgeoning partnership") == ""
    assert section("The renewed partnership") == ASPECT
    assert section("Impact Area: Security Alliances") == STRATEGIC
    assert section("Diplomatic engagement must evolve") == STRATEGIC
    assert section("Key actions should include:") == POLICY
    assert next(c for c in chunks if c.cells[:1] == ("Cybersecurity",)).section == POLICY
    assert chunks[-1].section == "To Conclude"


def test_markdown_heading_path_nests() -> None:
    text = "# Report\n\n## Costs\n\nCosts rose.\n\n### Energy\n\nFuel was dear.\n\n## Sales\n\nUp.\n"
    got = {c.text: c.section for c in chunks_of(text, "r.md")}
    assert got == {"Costs rose.": "Report > Costs", "Fuel was dear.": "Report > Costs > Energy",
                   "Up.": "Report > Sales"}


# --- ids and provenance ------------------------------------------------------------------


def test_ids_are_stable_and_unique(chunks: list[Chunk]) -> None:
    again = chunks_of(TEXT)
    assert [c.id for c in again] == [c.id for c in chunks]
    assert len({c.id for c in chunks}) == len(chunks)


def test_editing_one_paragraph_changes_only_its_chunks(chunks: list[Chunk]) -> None:
    old = "Analysts and policymakers will be closely watching"
    edited = chunks_of(TEXT.replace(old, "Analysts and diplomats will be closely watching"))
    before = {c.id for c in chunks}
    after = {c.id for c in edited}
    changed_old = before - after
    changed_new = after - before
    assert len(changed_old) == 1 and len(changed_new) == 1
    (gone,) = [c for c in chunks if c.id in changed_old]
    assert old in gone.text


def test_same_text_in_another_document_gets_another_id() -> None:
    a = chunks_of("Same words here.\n", "a.md")
    b = chunks_of("Same words here.\n", "b.md")
    assert a[0].id != b[0].id and a[0].doc == "a.md"


def test_ranges_point_at_source(chunks: list[Chunk]) -> None:
    for c in chunks:
        assert c.doc == DOC
        span = TEXT[c.char_start : c.char_end]
        assert c.line_start == TEXT.count("\n", 0, c.char_start) + 1
        assert c.line_end == TEXT.count("\n", 0, c.char_end - 1) + 1
        if c.kind == "table_row":
            assert all(cell in span for cell in c.cells)
        elif "\n- " in c.text:
            for item in c.text.split("\n- ")[1:]:
                assert item in span
        else:
            assert " ".join(span.split()) == c.text


def test_to_dict_round_trip(chunks: list[Chunk]) -> None:
    for c in chunks:
        assert Chunk.from_dict(c.to_dict()) == c


def test_long_list_splits_between_items_and_repeats_its_intro() -> None:
    items = [f"- Item {i} says something long enough " + "to fill the line " * 5 + "in the end."
             for i in range(8)]
    text = "Heading\nThe measures include:\n" + "\n".join(items) + "\n"
    ps = passages(chunks_of(text, "list.md"))
    assert len(ps) > 1
    seen = []
    for p in ps:
        assert p.text.startswith("The measures include:\n- Item ")
        assert len(p.text) <= 500
        seen += [line for line in p.text.split("\n") if line.startswith("- ")]
    assert seen == items


def test_units_per_chunk_are_capped() -> None:
    """A pipe-table row of 3,000 text cells made 3,000 embedded units."""
    cells = [f"word{i}" for i in range(3000)]
    text = ("# Wide\n\n| " + " | ".join(f"h{i}" for i in range(3000)) + " |\n|"
            + "---|" * 3000 + "\n| " + " | ".join(cells) + " |\n")
    [row] = [c for c in chunk_document(parse_document("wide.md", text)) if c.kind == "table_row"]
    units = row.units()
    assert len(units) == MAX_UNITS and len(row.quotes()) == MAX_UNITS
    assert units[0] == row.embed_text()  # the whole row first, then its first cells
    assert units[1].endswith("h1: word1") and row.searched_units() == MAX_UNITS
    # Ordinary chunks keep every unit.
    long = " ".join(f"Sentence {i} says that the harbour freezes in winter." for i in range(8))
    [passage] = chunk_document(parse_document("p.md", long), passage_chars=4000)
    assert len(passage.units()) == 9


def test_unit_columns_name_the_cell_each_unit_embeds() -> None:
    c = Chunk(id="r", kind="table_row", doc="a.md", section="T", text="x", line_start=1,
              line_end=1, char_start=0, char_end=1, header=("Route", "2021", "Operator", "Note"),
              cells=("Harbor Line", "4,210", "City Transit", "new"), table=1, row=1)
    assert len(c.unit_columns) == len(c.units()) == 3
    assert c.unit_columns == (None, 2, 3)  # the whole, then the text cells (not the number)
    assert c.units()[1] == "Route: Harbor Line | Operator: City Transit"
    p = Chunk(id="p", kind="passage", doc="a.md", section="T", text="One. Two.", line_start=1,
              line_end=1, char_start=0, char_end=9)
    assert set(p.unit_columns) == {None} and len(p.unit_columns) == len(p.units())


def test_rollforward_repeated_rows_carry_their_period() -> None:
    text = ("| | Shares | Price |\n| --- | --- | --- |\n"
            "| Nonvested at December 31, 2017 | 100 | 5.00 |\n| Granted | 40 | 6.00 |\n"
            "| Vested | (30) | 5.50 |\n| Nonvested at December 31, 2018 | 110 | 5.40 |\n"
            "| Granted | 25 | 7.00 |\n| Vested | (20) | 6.10 |\n"
            "| Nonvested at December 31, 2019 | 115 | 6.00 |\n")
    granted = [r for r in rows(chunks_of(text, "t.md")) if r.cells[0] == "Granted"]
    assert [r.group for r in granted] == ["From December 31, 2017 to December 31, 2018",
                                          "From December 31, 2018 to December 31, 2019"]
    assert granted[1].text == ("From December 31, 2018 to December 31, 2019: Granted"
                               " | Shares: 25 | Price: 7.00")
    balance = next(r for r in rows(chunks_of(text, "t.md")) if r.cells[0].startswith("Nonvested"))
    assert balance.group == ""
