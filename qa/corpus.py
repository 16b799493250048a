"""Walk the corpus folder and read its documents; a file that cannot be used is skipped
with a reason and never stops the walk."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = (".md", ".markdown", ".txt")

_BOMS = (  # UTF-32-LE's mark begins with UTF-16-LE's, so it is tried first.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)


_MARKS = tuple(bom for bom, _ in _BOMS)
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlongs, no surrogates).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves unassigned
        return chr(byte)


# Windows-1252 with its unassigned bytes read as Latin-1 (C1 controls): one decoding that
# never fails, so a single odd byte cannot turn a file's smart quotes into controls.
_CP1252 = "".join(_cp1252_char(b) for b in range(256))

# Controls that do not belong in text: C0 but tab, newlines, vertical tab and form feed;
# DEL; C1. Escape is allowed where it starts an ANSI colour code, as in captured logs. A
# text may hold a few (a stray NUL, a DOS end-of-file mark); binary formats hold many.
_FEW = 8
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]|\x1b(?!\[)")


@dataclass(frozen=True)
class Content:
    """A file read as a document: its text (Markdown, or plain text), the format it was
    read from, and where each page starts in the text (paged formats such as PDF only)."""

    text: str
    format: str = "markdown"
    pages: tuple[int, ...] = ()
    decoded: str = ""  # how the bytes were decoded, when not plain UTF-8


class Unreadable(Exception):
    """A file that cannot be read as a document; the message says why."""


# How a file's bytes become a document, given its corpus-relative path (`qa.ingest`
# converts other formats); raises Unreadable.
Reader = Callable[[str, bytes], Content]


def read_text(path: str, data: bytes) -> Content:
    """A Markdown or plain-text file's content (see `decode`)."""
    text, problem, how = decode(data)
    if problem:
        raise Unreadable(problem)
    return Content(text, "text" if path.lower().endswith(".txt") else "markdown", decoded=how)


@dataclass(frozen=True)
class Source:
    """A readable document: its corpus-relative path (with `/`), text, content hash (of
    the text), the format it was read from, where its pages start (if it has pages), and
    how it was decoded when that was not plain UTF-8 (for the build report)."""

    path: str
    text: str
    sha256: str
    format: str = "markdown"
    pages: tuple[int, ...] = ()
    decoded: str = ""


@dataclass(frozen=True)
class Skipped:
    """A corpus file left out of the index, and why."""

    path: str
    reason: str


def scan(
    root: Path, max_file_bytes: int, max_line_chars: int, read: Reader = read_text,
    extensions: tuple[str, ...] = EXTENSIONS,
) -> tuple[list[Source], list[Skipped]]:
    """Every usable document under `root`, recursively, in path order, and the skipped ones.

    Only visible files with one of `extensions` are read (by default `.md`, `.markdown`
    and `.txt`), each by `read` (`qa.ingest` passes its converters). Symbolic links are not
    followed out of the corpus, nor into folders; a link to a corpus file that is read
    under its own path is skipped. Files with the same text are indexed once (the first
    path in order).
    """
    root = Path(root)
    if not root.is_dir():
        return [], []
    real_root = root.resolve()
    skipped: list[Skipped] = []
    files = _walk(root, real_root, skipped, extensions)
    plain = {rel for rel, path in files if not path.is_symlink()}
    sources: list[Source] = []
    first_with: dict[str, str] = {}
    for rel, path in files:
        content, problem = _load(path, real_root, plain, max_file_bytes, max_line_chars,
                                 lambda data, rel=rel: read(rel, data))
        digest = hashlib.sha256(content.text.encode()).hexdigest()
        if not problem and digest in first_with:
            problem = f"same content as {first_with[digest]} (indexed once)"
        if problem:
            skipped.append(Skipped(rel, problem))
            continue
        first_with[digest] = rel
        sources.append(Source(rel, content.text, digest, content.format, content.pages,
                              content.decoded))
    return sources, sorted(skipped, key=lambda s: s.path)


def _walk(root: Path, real_root: Path, skipped: list[Skipped],
          extensions: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Corpus-relative path and path of every visible document file, in path order. Folders that
    cannot be listed, links to folders (never followed) and files whose name is not UTF-8
    are added to `skipped`."""

    def rel(path: str | Path) -> str:
        return Path(path).relative_to(root).as_posix()

    def unlistable(e: OSError) -> None:
        skipped.append(Skipped(_printable(rel(e.filename)), f"unreadable folder: {e.strerror}"))

    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for link in (here / d for d in dirnames if (here / d).is_symlink()):
            where = "in" if link.resolve().is_relative_to(real_root) else "outside"
            reason = f"symbolic link to a folder {where} the corpus (not followed)"
            skipped.append(Skipped(_printable(rel(link)), reason))
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(extensions):
                continue
            path = here / name
            shown = _printable(rel(path))
            if shown != rel(path):  # such a path could not go into the manifest or JSON
                skipped.append(Skipped(shown, "file name is not valid UTF-8"))
            else:
                found.append((shown, path))
    return sorted(found)


_NOTHING = Content("")


def _load(
    path: Path, real_root: Path, plain: set[str], max_file_bytes: int, max_line_chars: int,
    read: Callable[[bytes], Content],
) -> tuple[Content, str]:
    """The content of the corpus file at `path` and "", or nothing and why it is skipped.
    `plain` holds the corpus-relative paths of the files that are not links."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _NOTHING, "broken symbolic link (missing target or a loop)"
        if not target.is_relative_to(real_root):
            return _NOTHING, "symbolic link to a file outside the corpus (not followed)"
        inside = target.relative_to(real_root).as_posix()
        if inside in plain:
            return _NOTHING, f"symbolic link to {inside}, which is read under its own path"
        path = target
    data, problem = _read_bytes(path, max_file_bytes)
    if problem:
        return _NOTHING, problem
    try:
        content = read(data)
    except Unreadable as e:
        return _NOTHING, str(e)
    problem = check_text(content.text, max_line_chars)
    return (_NOTHING, problem) if problem else (content, "")


def check_text(text: str, max_line_chars: int) -> str:
    """Why a document's text cannot be indexed ("" when it can): empty, or a line too long."""
    if not text.strip():
        return "empty or whitespace only"
    longest = max(map(len, text.splitlines()))
    if longest > max_line_chars:
        return (f"a line of {longest} characters, over the limit of {max_line_chars} "
                "(QA_MAX_LINE_CHARS)")
    return ""


def _read_bytes(path: Path, limit: int) -> tuple[bytes, str]:
    """The bytes of the regular file at `path` and "", or b"" and why they cannot be had.

    The size is checked before reading and the read stops past `limit`, so a huge file (or
    one that grows meanwhile) is never loaded whole.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # opening a FIFO would block the walk
            return b"", "not a regular file (a FIFO, socket or device)"
        if info.st_size > limit:
            return b"", f"{info.st_size} bytes, over the limit of {limit} (QA_MAX_FILE_BYTES)"
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        return b"", f"unreadable: {e.strerror or e}"
    if len(data) > limit:
        return b"", f"grew past the limit of {limit} bytes while being read (QA_MAX_FILE_BYTES)"
    return data, ""


def decode(data: bytes) -> tuple[str, str, str]:
    """The text of a file's bytes, "" and how it was decoded when that was not plain UTF-8
    (or ""); or "", the reason it is not text, and "".

    A byte-order mark (UTF-8, UTF-16, UTF-32) decides the encoding; without one, UTF-16 is
    recognised by its NUL bytes falling on one side of each pair, then UTF-8 is tried. Bytes
    that are not UTF-8 are read as UTF-8 with each bad byte replaced (and counted) when the
    file also holds valid UTF-8 sequences of non-ASCII letters at least as often: a few
    stray bytes in a UTF-8 file must not turn its every `é` into `Ã©`. Otherwise they are
    Windows-1252 (which covers Latin-1), whose letters hardly ever form UTF-8 sequences.
    Text with more than a few NULs, or more controls than a few and one character in
    twenty, is binary.
    """
    how = ""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    encoding = encoding or _utf16_without_bom(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return "", f"invalid {encoding} text", ""
        if encoding != "utf-8-sig":
            how = f"{encoding} (by its {'byte-order mark' if data.startswith(_MARKS) else 'NULs'})"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            sequences = _UTF8_SEQUENCE.findall(data)
            valid = len(sequences)
            bad = sum(b >= 0x80 for b in data) - sum(map(len, sequences))
            if valid >= bad:
                text = data.decode("utf-8", "replace")
                how = (f"UTF-8 with {bad} invalid byte{'s' if bad != 1 else ''} replaced by "
                       f"U+FFFD (the first at byte {e.start})")
            else:
                text = codecs.charmap_decode(data, "strict", _CP1252)[0]
                how = "Windows-1252 (not valid UTF-8)"
    controls, nuls = len(_CONTROL.findall(text)), text.count("\0")
    if nuls > _FEW or controls > max(_FEW, len(text) // 20):
        return "", (
            f"binary content ({controls} control characters, {nuls} of them NUL, "
            f"in {len(text)}), not text"
        ), ""
    return text, "", how


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 byte order ("utf-16-le" or "utf-16-be") if NUL bytes fill one side of the
    byte pairs, as in UTF-16 text of mostly Latin script, and hardly occur on the other."""
    sample = data[:8192]
    pairs = len(sample) // 2
    if len(data) % 2 or not pairs:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= pairs / 4 and even <= pairs / 50:
        return "utf-16-le"
    if even >= pairs / 4 and odd <= pairs / 50:
        return "utf-16-be"
    return None


def _printable(rel: str) -> str:
    """`rel` with any bytes that are not UTF-8 shown as escapes, safe for logs and JSON."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")
