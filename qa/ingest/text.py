"""Markdown and plain text: decoded as they are (`qa.corpus.decode`), no conversion."""

from __future__ import annotations

from qa.corpus import Content, Unreadable, decode


class PlainText:
    """Files read as they are, Markdown (plain text is Markdown too, to the parser)."""

    version = "1"
    cached = False  # decoding is cheaper than reading a cached copy

    def __init__(self, format: str, extensions: tuple[str, ...]) -> None:
        self.format = format
        self.extensions = extensions

    def convert(self, data: bytes) -> Content:
        """The decoded text."""
        text, problem, how = decode(data)
        if problem:
            raise Unreadable(problem)
        return Content(text, self.format, decoded=how)
