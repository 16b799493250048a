"""Documents in other formats than Markdown: one converter per format, one registry.

Each converter (see `base.Converter`) turns a file's bytes into Markdown with pipe tables;
`Reader` picks the converter by the file's extension, so no caller branches on the
format, and keeps conversions in a cache keyed by the file's content hash, so a build
converts only the files that changed. A file that fails to convert is skipped with the
reason (`qa.corpus.Unreadable`), never stopping the build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from qa.corpus import Content, Unreadable
from qa.ingest.base import Converter
from qa.ingest.docx import Docx
from qa.ingest.html import Html
from qa.ingest.pdf import Pdf
from qa.ingest.sheets import Csv, Xlsx
from qa.ingest.text import PlainText

log = logging.getLogger(__name__)

CONVERTERS: tuple[Converter, ...] = (
    PlainText("markdown", (".md", ".markdown")), PlainText("text", (".txt",)),
    Html(), Docx(), Xlsx(), Csv(), Pdf(),
)
EXTENSIONS = tuple(ext for c in CONVERTERS for ext in c.extensions)
FORMATS = tuple(c.format for c in CONVERTERS)
CACHE = "conversions"  # folder of cached conversions inside the index folder


def converter_for(name: str) -> Converter:
    """The converter for a file name (by its extension); Unreadable when none reads it."""
    lower = name.lower()
    for c in CONVERTERS:
        if lower.endswith(c.extensions):
            return c
    raise Unreadable(f"no converter for this file type (readable: {', '.join(EXTENSIONS)})")


class Reader:
    """Reads corpus files as documents (`qa.corpus.Reader`): converts them, keeping each
    conversion (or the reason it failed) in `cache_dir` under the hash of the file's bytes
    and the converter's version. `prune()` then drops what this reader did not use."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.used: set[str] = set()
        self.converted = 0  # conversions run (not found in the cache)

    def __call__(self, path: str, data: bytes) -> Content:
        """The content of the corpus file at `path` whose bytes are `data`."""
        conv = converter_for(path)
        if not conv.cached or self.cache_dir is None:
            return _convert(conv, data)
        key = f"{hashlib.sha256(data).hexdigest()}-{conv.format}-{conv.version}.json"
        self.used.add(key)
        entry = _load(self.cache_dir / key)
        if entry is None:
            try:
                content = _convert(conv, data)
                entry = {"text": content.text, "format": content.format,
                         "pages": list(content.pages), "decoded": content.decoded}
            except Unreadable as e:
                entry = {"error": str(e)}
            self.converted += 1
            _store(self.cache_dir / key, entry)
        if "error" in entry:
            raise Unreadable(entry["error"])
        return Content(entry["text"], entry["format"], tuple(entry["pages"]),
                       entry.get("decoded", ""))

    def prune(self) -> None:
        """Delete cached conversions of files this reader was not asked for (gone or changed)."""
        if self.cache_dir is None or not self.cache_dir.is_dir():
            return
        for p in self.cache_dir.iterdir():
            if p.name not in self.used:
                p.unlink(missing_ok=True)


def _convert(conv: Converter, data: bytes) -> Content:
    try:
        return conv.convert(data)
    except Unreadable:
        raise
    except Exception as e:  # converter libraries raise anything on a damaged file
        log.debug("converting with %s failed", type(conv).__name__, exc_info=True)
        detail = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise Unreadable(f"not a readable {conv.format.upper()} file ({detail})") from e


def _load(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(entry, dict) and (isinstance(entry.get("error"), str) or (
        isinstance(entry.get("text"), str) and isinstance(entry.get("pages"), list)))
    return entry if ok else None


def _store(path: Path, entry: dict) -> None:
    """Write a cache entry whole or not at all (a reader never sees half of one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:  # a cache that cannot be written only costs time
        log.warning("conversion cache %s not written: %s", path.parent, e)


__all__ = ["CONVERTERS", "EXTENSIONS", "FORMATS", "Converter", "Reader", "converter_for"]
