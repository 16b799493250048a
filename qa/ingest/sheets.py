"""Spreadsheets: Excel workbooks (openpyxl) and CSV files, one pipe table per block of rows.

Workbooks are read with openpyxl rather than through markitdown, whose pandas route
writes `NaN` in empty cells, `Unnamed: 1` over unnamed columns and `1200.0` for whole
numbers in a column with gaps.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time
from typing import Any

from qa.corpus import Content, Unreadable, decode
from qa.ingest.base import grid_markdown

_DECIMALS = re.compile(r"\.(0+)")


class Xlsx:
    """`.xlsx` workbooks: each sheet under a heading with its name, its values as shown."""

    format = "xlsx"
    extensions = (".xlsx",)
    version = "1"
    cached = True

    def convert(self, data: bytes) -> Content:
        """Every sheet as a heading and its tables."""
        import openpyxl  # on first use: serving an index converts nothing

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            parts = []
            for sheet in book.worksheets:
                rows = [[shown(c.value, getattr(c, "number_format", "General")) for c in row]
                        for row in sheet.iter_rows()]
                body = grid_markdown(rows)
                if body:
                    parts.append(f"# {sheet.title}\n\n{body}")
        finally:
            book.close()
        return Content("\n\n".join(parts), self.format)


class Csv:
    """`.csv` files: the delimiter (comma, semicolon, tab or pipe) found from the text."""

    format = "csv"
    extensions = (".csv",)
    version = "1"
    cached = False

    def convert(self, data: bytes) -> Content:
        """The rows as a pipe table."""
        text, problem, how = decode(data)
        if problem:
            raise Unreadable(problem)
        try:
            dialect: Any = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
        except csv.Error:  # one column, or too irregular to tell: commas
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
        return Content(grid_markdown(rows), self.format, decoded=how)


def shown(value: Any, number_format: str = "General") -> str:
    """A cell's value as a spreadsheet shows it: whole numbers without `.0`, the decimals,
    thousands separators and percent sign its number format asks for, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        fmt = number_format or "General"
        percent = "%" in fmt
        number = value * 100 if percent else value
        m = _DECIMALS.search(fmt)
        if fmt != "General" and (m or "0" in fmt):
            decimals = len(m.group(1)) if m else 0
            text = f"{number:,.{decimals}f}" if "," in fmt else f"{number:.{decimals}f}"
        elif float(number).is_integer():
            text = str(int(number))
        else:
            text = f"{number:.15g}"
        return text + ("%" if percent else "")
    return str(value).strip()
