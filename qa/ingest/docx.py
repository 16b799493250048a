"""Word documents, through markitdown's DOCX converter (mammoth, then markdownify)."""

from __future__ import annotations

import io

from qa.corpus import Content
from qa.ingest.html import MARKDOWNIFY, pipe_safe_converter


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
        from markitdown import StreamInfo  # on first use: see qa.ingest.html
        from markitdown.converters import DocxConverter

        converter = DocxConverter()
        # markitdown hands mammoth's HTML to this attribute; ours escapes `|` in cells
        # (tests/test_ingest.py checks that it still does).
        converter._html_converter = pipe_safe_converter()
        result = converter.convert(io.BytesIO(data), StreamInfo(extension=".docx"),
                                         **MARKDOWNIFY)
        return Content(result.markdown, self.format)
