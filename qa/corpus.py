"""Walk the corpus folder and read its documents; a file that cannot be used is skipped
with a reason and never stops the walk."""

from __future__ import annotations

import codecs
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class Source:
    """A readable document: its corpus-relative path (with `/`), text and content hash."""

    path: str
    text: str
    sha256: str


@dataclass(frozen=True)
class Skipped:
    """A corpus file left out of the index, and why."""

    path: str
    reason: str


def scan(root: Path, max_file_bytes: int, max_line_chars: int) -> tuple[list[Source], list[Skipped]]:
    """Every usable document under `root`, recursively, in path order, and the skipped ones.

    Symbolic links that lead outside the corpus are not followed. Files with the same
    content are indexed once (the first path in order).
    """
    root = Path(root)
    if not root.is_dir():
        return [], []
    real_root = root.resolve()
    sources: list[Source] = []
    skipped: list[Skipped] = []
    first_with: dict[str, str] = {}
    for path in _walk(root):
        rel = path.relative_to(root).as_posix()
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            skipped.append(Skipped(rel, "broken symbolic link"))
            continue
        if not target.is_relative_to(real_root):
            skipped.append(Skipped(rel, "symbolic link to a file outside the corpus (not followed)"))
            continue
        if not target.is_file():
            continue
        try:
            size = target.stat().st_size
            if size > max_file_bytes:
                skipped.append(Skipped(rel, f"{size} bytes, over the limit of {max_file_bytes} "
                                            "(QA_MAX_FILE_BYTES)"))
                continue
            data = target.read_bytes()
        except OSError as e:
            skipped.append(Skipped(rel, f"unreadable: {e.strerror or e}"))
            continue
        text, problem = decode(data)
        if problem:
            skipped.append(Skipped(rel, problem))
            continue
        if not text.strip():
            skipped.append(Skipped(rel, "empty or whitespace only"))
            continue
        longest = max(map(len, text.splitlines()), default=0)
        if longest > max_line_chars:
            skipped.append(Skipped(rel, f"a line of {longest} characters, over the limit of "
                                        f"{max_line_chars} (QA_MAX_LINE_CHARS)"))
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in first_with:
            skipped.append(Skipped(rel, f"same content as {first_with[digest]} (indexed once)"))
            continue
        first_with[digest] = rel
        sources.append(Source(rel, text, digest))
    return sources, skipped


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.lower().endswith(EXTENSIONS) and not name.startswith("."):
                found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file's bytes and "" , or "" and the reason it is not text.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; other bytes that
    are not UTF-8 are read as Windows-1252, which covers Latin-1 text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            return "", "invalid UTF-16 text"
    if b"\x00" in data[:8192]:
        return "", "binary content (NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        return "", "binary content (control bytes), not text"
    return text, ""
