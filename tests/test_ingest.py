"""Converters: each format written by its real library (python-docx, openpyxl, fpdf2, plain
HTML and CSV) and read back as Markdown that parses into the headings, passages and
table rows it holds; the registry, the conversion cache and failures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import openpyxl
import pytest
from fpdf import FPDF

from qa.chunk import Chunk, chunk_document
from qa.corpus import Content, Unreadable
from qa.ingest import EXTENSIONS, Reader, converter_for
from qa.parse import parse_document

SALES = [["Region", "2019", "2018"], ["Europe", "1,200", "1,100"], ["Asia | Pacific", "800", "700"]]


def chunks(name: str, content: Content) -> list[Chunk]:
    return chunk_document(parse_document(name, content.text, content.pages))


def rows(cs: list[Chunk]) -> list[Chunk]:
    return [c for c in cs if c.kind == "table_row"]


def assert_sales_table(cs: list[Chunk]) -> None:
    """The SALES table came through: header from its first row, a pipe kept in its cell."""
    table = rows(cs)
    assert [c.cells for c in table] == [tuple(r) for r in SALES[1:]]
    assert table[0].header == tuple(SALES[0])
    assert "2019: 1,200" in table[0].text


def docx_bytes() -> bytes:
    d = docx.Document()
    d.add_heading("Annual Report", 1)
    d.add_paragraph("Revenue grew in every region. Sales by region (in millions):")
    t = d.add_table(rows=len(SALES), cols=3)
    for r, values in enumerate(SALES):
        for c, v in enumerate(values):
            t.cell(r, c).text = v
    d.add_heading("Outlook", 2)
    d.add_paragraph("Costs should fall.", style="List Bullet")
    d.add_paragraph("Margins should rise.", style="List Bullet")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "Annual Report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Revenue grew in every region, and it grew fastest in Europe, "
                         "where new customers signed up for the service in large numbers. " * 2)
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Sales by region (in millions):")
    pdf.ln(2)
    with pdf.table() as table:
        for values in SALES:
            row = table.row()
            for v in values:
                row.cell(v)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Outlook", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Costs are expected to fall next year.")
    return bytes(pdf.output())


# --- each format -----------------------------------------------------------------------


def test_docx_headings_list_and_table_with_its_first_row_as_header() -> None:
    content = converter_for("r.docx").convert(docx_bytes())
    assert content.format == "docx" and not content.pages
    cs = chunks("r.docx", content)
    assert_sales_table(cs)  # no empty header row above the table (markitdown's default)
    assert rows(cs)[0].section == "Annual Report"
    (items,) = [c for c in cs if c.is_list]
    assert items.section == "Annual Report > Outlook"
    assert items.list_parts()[1] == ["Costs should fall.", "Margins should rise."]


def test_xlsx_sheets_title_table_and_note() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    sheet.append(["Sales by region"])
    sheet.append([])
    sheet.append(["Region", 2019, 2018])
    sheet.append(["Europe", 1200, 1100.5])
    sheet.append([])  # a blank row inside the table does not end it
    sheet.append(["Total", 2000, None])
    sheet.append(["Source: company accounts"])
    sheet["B6"].number_format = "#,##0"
    out = io.BytesIO()
    book.save(out)
    content = converter_for("s.xlsx").convert(out.getvalue())
    cs = chunks("s.xlsx", content)
    table = rows(cs)
    assert [c.cells for c in table] == [("Europe", "1200", "1100.5"), ("Total", "2,000", "")]
    assert table[0].header == ("Region", "2019", "2018")
    assert table[0].section == "Sales > Sales by region"  # sheet name, then the title line
    assert any("Source: company accounts" in c.text for c in cs if c.kind == "passage")
    assert "NaN" not in content.text and "Unnamed" not in content.text


def test_csv_with_semicolons() -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(SALES)
    content = converter_for("s.CSV").convert(out.getvalue().encode("utf-8"))
    assert content.format == "csv"
    assert_sales_table(chunks("s.csv", content))


def test_html_body_without_scripts_and_a_table_without_th() -> None:
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in SALES)
    page = (f"<html><head><title>T</title><script>var x = 1;</script></head><body>"
            f"<h1>Annual Report</h1><p>Sales by region (in <b>millions</b>):</p>"
            f"<table>{cells}</table><p>snake_case *stays*</p></body></html>")
    content = converter_for("p.html").convert(page.encode("utf-8"))
    cs = chunks("p.html", content)
    assert_sales_table(cs)
    assert "var x" not in content.text
    assert "snake_case" in content.text and "\\_" not in content.text


def test_pdf_headings_paragraphs_ruled_table_and_pages() -> None:
    content = converter_for("r.pdf").convert(pdf_bytes())
    assert content.format == "pdf" and len(content.pages) == 2
    cs = chunks("r.pdf", content)
    assert_sales_table(cs)
    (revenue,) = [c for c in cs if c.text.startswith("Revenue grew")]
    assert revenue.text.count("Revenue grew") == 2  # wrapped lines make one paragraph
    assert revenue.section == "Annual Report" and revenue.page == 1
    assert {c.page for c in rows(cs)} == {1}
    (outlook,) = [c for c in cs if "Costs are expected" in c.text]
    assert (outlook.section, outlook.page) == ("Annual Report > Outlook", 2)
    assert outlook.location() == "r.pdf, page 2"
    assert outlook.public_dict()["page"] == 2


# --- registry, cache and failures ------------------------------------------------------


def test_registry_covers_every_extension_and_refuses_others() -> None:
    assert {".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".xlsx", ".csv",
            ".pdf"} == set(EXTENSIONS)
    assert converter_for("A/B/Report.PDF").format == "pdf"
    with pytest.raises(Unreadable, match="no converter"):
        converter_for("slides.pptx")


@pytest.mark.parametrize("name", ["broken.pdf", "broken.docx", "broken.xlsx"])
def test_a_damaged_file_is_unreadable_with_a_reason(name: str, tmp_path: Path) -> None:
    reader = Reader(tmp_path / "cache")
    with pytest.raises(Unreadable, match="not a readable"):
        reader(name, b"this is not what the extension says " * 20)
    # The failure is cached too: the next build does not try again.
    with pytest.raises(Unreadable, match="not a readable"):
        reader(name, b"this is not what the extension says " * 20)
    assert reader.converted == 1


def test_conversions_are_cached_by_content_and_pruned(tmp_path: Path) -> None:
    data = docx_bytes()
    first = Reader(tmp_path)
    converted = first("a.docx", data)
    assert first.converted == 1 and len(list(tmp_path.iterdir())) == 1
    again = Reader(tmp_path)
    assert again("renamed.docx", data) == converted  # same bytes: read from the cache
    assert again.converted == 0
    again.prune()
    assert len(list(tmp_path.iterdir())) == 1
    Reader(tmp_path).prune()  # a reader that read nothing keeps nothing
    assert list(tmp_path.iterdir()) == []


def test_markdown_is_not_cached(tmp_path: Path) -> None:
    reader = Reader(tmp_path)
    assert reader("n.md", b"# Notes\n\nText.\n") == Content("# Notes\n\nText.\n", "markdown")
    assert reader("n.txt", b"Text.\n").format == "text"
    assert not list(tmp_path.iterdir())
