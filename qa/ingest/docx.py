"""Word documents, through markitdown's DOCX converter (mammoth, then markdownify)."""

from __future__ import annotations

import io

from markitdown import StreamInfo
from markitdown.converters import DocxConverter

from qa.corpus import Content
from qa.ingest.html import MARKDOWNIFY, PipeSafeHtmlConverter


class Docx:
    """`.docx` files: headings from Word's heading styles, lists, tables (their first row
    the header: mammoth writes no <th>, and markdownify would put an empty header row
    above the table)."""

    format = "docx"
    extensions = (".docx",)
    version = "1"
    cached = True

    def convert(self, data: bytes) -> Content:
        """The document as Markdown."""
        converter = DocxConverter()
        # markitdown hands mammoth's HTML to this attribute; ours escapes `|` in cells
        # (tests/test_ingest.py checks that it still does).
        converter._html_converter = PipeSafeHtmlConverter()
        result = converter.convert(io.BytesIO(data), StreamInfo(extension=".docx"),
                                         **MARKDOWNIFY)
        return Content(result.markdown, self.format)
