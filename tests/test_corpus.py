"""Corpus walking: which files are read, in what order, and every bad file skipped (or
decoded) with the reason, while the good file beside it is still read."""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import random
import struct
import threading
import zlib
from pathlib import Path

import pytest

from qa.corpus import Skipped, Source, decode, scan

GOOD = "# Good\n\nA good note stays in the index.\n"
LIMITS = {"max_file_bytes": 100_000, "max_line_chars": 1_000}


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder holding one good note, `good.md`."""
    root = tmp_path / "corpus"
    write(root, "good.md", GOOD)
    return root


def run(root: Path, **limits: int) -> tuple[dict[str, str], dict[str, str]]:
    """Text by path of the documents read, and reason by path of those skipped; asserts the
    good note is among the documents."""
    sources, skipped = scan(root, **{**LIMITS, **limits})
    texts = {s.path: s.text for s in sources}
    assert texts.get("good.md") == GOOD, "the good note beside the bad file was not read"
    return texts, {s.path: s.reason for s in skipped}


def deny(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `path` unreadable. Root reads a mode-000 file anyway, so for root the call that
    opens it (a folder's listing, a file's open) fails as the kernel fails it for others."""
    os.chmod(path, 0)
    if os.geteuid() != 0:
        return
    refused = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    if path.is_dir():
        scandir = os.scandir

        def listing(p: str | Path | int = ".") -> object:
            # shutil.rmtree lists folders by descriptor (pytest's clean-up of tmp_path)
            if not isinstance(p, int) and Path(p) == path:
                raise refused
            return scandir(p)

        monkeypatch.setattr(os, "scandir", listing)
    else:
        open_ = Path.open

        def opening(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise refused
            return open_(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", opening)


def png() -> bytes:
    """A real 64x64 greyscale PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes((x * y) % 256 for x in range(64)) for y in range(64))
    header = struct.pack(">IIBBBBB", 64, 64, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --- what is walked ----------------------------------------------------------------------


def test_walks_text_files_recursively_in_path_order(corpus: Path) -> None:
    for rel in ["z.md", "b/d/e.TXT", "b/c.markdown", "a.txt", "notes.md/inner.md"]:
        write(corpus, rel, f"Note at {rel}\n")
    for rel in ["notes.rst", "image.png", "README", ".hidden.md", ".git/HEAD.md", "b/.drafts/x.md"]:
        write(corpus, rel, f"Not a document: {rel}\n")

    sources, skipped = scan(corpus, **LIMITS)

    assert [s.path for s in sources] == [
        "a.txt",
        "b/c.markdown",
        "b/d/e.TXT",
        "good.md",
        "notes.md/inner.md",
        "z.md",
    ]
    assert skipped == []  # other extensions and hidden files are not documents, not skips
    assert sources[0] == Source(
        "a.txt", "Note at a.txt\n", hashlib.sha256(b"Note at a.txt\n").hexdigest(), "text"
    )
    assert scan(corpus, **LIMITS) == (sources, skipped)


def test_missing_corpus_folder_gives_nothing(tmp_path: Path) -> None:
    assert scan(tmp_path / "absent", **LIMITS) == ([], [])


# --- bad files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"   \n\t\n\r\n", b"\xef\xbb\xbf \n", "\n \n".encode("utf-16")]
)
def test_empty_or_whitespace_file_is_skipped(corpus: Path, content: bytes) -> None:
    write(corpus, "blank.md", content)
    texts, reasons = run(corpus)
    assert "blank.md" not in texts
    assert reasons == {"blank.md": "empty or whitespace only"}


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(png(), id="png"),
        pytest.param(gzip.compress(GOOD.encode() * 400, mtime=0), id="gzip"),
        pytest.param(random.Random(7).randbytes(3000), id="random"),
        # Mostly text, but its NUL bytes give it away (a compiled module of docstrings).
        pytest.param(b"\xa7\r\r\n" + bytes(12) + b"A docstring in bytecode.\n" * 80, id="pyc"),
    ],
)
def test_binary_file_with_text_extension_is_skipped(corpus: Path, content: bytes) -> None:
    write(corpus, "figure.md", content)
    texts, reasons = run(corpus)
    assert "figure.md" not in texts
    assert reasons["figure.md"].startswith("binary content (")


def test_text_with_a_few_control_characters_is_kept(corpus: Path) -> None:
    text = (
        "# Log\n\n\x1b[31mERROR\x1b[0m disk full\fPage two\vindented\n"
        "a stray NUL\0 and a backspace\b here\n" * 3 + "\x1a"
    )
    write(corpus, "log.txt", text)
    texts, reasons = run(corpus)
    assert texts["log.txt"] == text
    assert reasons == {}


@pytest.mark.parametrize(
    "encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-16", "utf-16-be", "utf-16-le", "utf-32"]
)
def test_non_utf8_text_is_decoded(corpus: Path, encoding: str) -> None:
    text = "# Café\n\nThe naïve façade of Zürich, 12 °C.\n"
    if encoding != "latin-1":
        text += "“Smart quotes” – and an ellipsis… cost 5 €.\n"
    write(corpus, "note.md", text.encode(encoding))
    texts, reasons = run(corpus)
    assert texts["note.md"] == text
    assert reasons == {}


def test_cp1252_smart_quotes_survive_an_unassigned_byte(corpus: Path) -> None:
    # 0x81 means nothing in Windows-1252; it must not make the whole file Latin-1.
    write(corpus, "memo.txt", "It’s “quoted”.\n".encode("cp1252") + b"\x81\n")
    texts, _ = run(corpus)
    assert texts["memo.txt"] == "It’s “quoted”.\n\x81\n"


def test_broken_utf16_with_bom_is_skipped(corpus: Path) -> None:
    write(corpus, "odd.md", "Half a character".encode("utf-16") + b"\x41")
    _, reasons = run(corpus)
    assert reasons == {"odd.md": "invalid utf-16 text"}


def test_file_over_the_size_limit_is_skipped_unread(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(corpus, "huge.md", "x\n" * 1001)
    write(corpus, "fits.md", "y\n" * 1000)
    opened: list[str] = []
    open_ = Path.open

    def recording(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self.name)
        return open_(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording)
    texts, reasons = run(corpus, max_file_bytes=2000)
    assert "fits.md" in texts and "fits.md" in opened
    assert "huge.md" not in opened  # the size is checked before anything is read
    assert reasons == {"huge.md": "2002 bytes, over the limit of 2000 (QA_MAX_FILE_BYTES)"}


def test_file_with_an_enormous_line_is_skipped(corpus: Path) -> None:
    write(corpus, "minified.md", "# Title\n" + "w" * 101 + "\nend\n")
    write(corpus, "wide.md", "# Title\n" + "w" * 100 + "\nend\n")
    texts, reasons = run(corpus, max_line_chars=100)
    assert "wide.md" in texts
    assert reasons == {
        "minified.md": "a line of 101 characters, over the limit of 100 (QA_MAX_LINE_CHARS)"
    }


def test_duplicate_files_are_indexed_once(corpus: Path) -> None:
    write(corpus, "a/copy.md", GOOD)
    write(corpus, "z/copy-utf16.md", GOOD.encode("utf-16"))  # same text, other bytes
    write(corpus, "z/edited.md", GOOD + "One more line.\n")
    sources, skipped = scan(corpus, **LIMITS)
    assert [s.path for s in sources] == ["a/copy.md", "z/edited.md"]
    assert skipped == [
        Skipped("good.md", "same content as a/copy.md (indexed once)"),
        Skipped("z/copy-utf16.md", "same content as a/copy.md (indexed once)"),
    ]


# --- links, special files, permissions ---------------------------------------------------


def test_symlink_to_a_file_outside_the_corpus_is_not_followed(corpus: Path) -> None:
    secret = write(corpus.parent, "outside/secret.md", "Private notes.\n")
    (corpus / "secret.md").symlink_to(secret)
    texts, reasons = run(corpus)
    assert "Private notes.\n" not in texts.values()
    assert reasons == {"secret.md": "symbolic link to a file outside the corpus (not followed)"}


def test_symlink_to_a_folder_outside_the_corpus_is_not_followed(corpus: Path) -> None:
    write(corpus.parent, "outside/secret.md", "Private notes.\n")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "elsewhere").symlink_to(corpus.parent / "outside")
    texts, reasons = run(corpus)
    assert list(texts) == ["good.md"]
    assert reasons == {
        "sub/elsewhere": "symbolic link to a folder outside the corpus (not followed)"
    }


def test_symlink_to_a_corpus_file_is_read_once_under_the_file_own_path(corpus: Path) -> None:
    (corpus / "a-link.md").symlink_to("good.md")  # sorts before its target
    write(corpus, ".drafts/plan.md", "The plan.\n")
    (corpus / "plan.md").symlink_to(".drafts/plan.md")  # its target is hidden: read here
    texts, reasons = run(corpus)
    assert texts == {"good.md": GOOD, "plan.md": "The plan.\n"}
    assert reasons == {"a-link.md": "symbolic link to good.md, which is read under its own path"}


def test_broken_and_looping_symlinks_are_skipped(corpus: Path) -> None:
    (corpus / "gone.md").symlink_to("nowhere.md")
    (corpus / "loop.md").symlink_to("loop.md")
    _, reasons = run(corpus)
    assert reasons == {
        "gone.md": "broken symbolic link (missing target or a loop)",
        "loop.md": "broken symbolic link (missing target or a loop)",
    }


def test_fifo_is_skipped_without_blocking(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.md")
    result: list[tuple[list[Source], list[Skipped]]] = []
    walk = threading.Thread(target=lambda: result.append(scan(corpus, **LIMITS)), daemon=True)
    walk.start()
    walk.join(timeout=10)
    assert result, "scan blocked opening a FIFO"
    sources, skipped = result[0]
    assert [s.path for s in sources] == ["good.md"]
    assert skipped == [Skipped("pipe.md", "not a regular file (a FIFO, socket or device)")]


def test_unreadable_file_is_skipped(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deny(write(corpus, "private.md", "Locked away.\n"), monkeypatch)
    texts, reasons = run(corpus)
    assert "private.md" not in texts
    assert reasons == {"private.md": "unreadable: Permission denied"}


def test_unreadable_folder_is_skipped(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(corpus, "locked/inside.md", "Locked away.\n")
    deny(corpus / "locked", monkeypatch)
    try:
        texts, reasons = run(corpus)
    finally:
        os.chmod(corpus / "locked", 0o755)
    assert list(texts) == ["good.md"]
    assert reasons == {"locked": "unreadable folder: Permission denied"}


def test_file_name_that_is_not_utf8_is_skipped(corpus: Path) -> None:
    with open(os.fsencode(corpus) + b"/caf\xe9.md", "wb") as f:
        f.write(b"Latin-1 name.\n")
    _, reasons = run(corpus)
    assert reasons == {"caf\\xe9.md": "file name is not valid UTF-8"}


# --- the decoder alone -------------------------------------------------------------------


def test_decode_says_why_bytes_are_not_text() -> None:
    assert decode(b"plain") == ("plain", "", "")
    text, why, _ = decode(bytes(range(256)) * 4)
    assert text == ""
    assert why == "binary content (132 control characters, 4 of them NUL, in 1024), not text"


def test_a_mostly_utf8_file_is_read_as_utf8_and_its_bad_bytes_reported() -> None:
    data = "Le café du coin, naïve idée. ".encode() * 4 + b"\xff\xfe stray bytes.\n"
    text, problem, how = decode(data)
    assert not problem and "café" in text and "Ã" not in text
    assert text.count("\ufffd") == 2
    assert how == f"UTF-8 with 2 invalid bytes replaced by U+FFFD (the first at byte {len(data) - 16})"


@pytest.mark.parametrize("data, how", [
    ("Le café du coin ouvre à huit heures.".encode("latin-1"), "Windows-1252 (not valid UTF-8)"),
    ("It’s “quoted”.".encode("cp1252"), "Windows-1252 (not valid UTF-8)"),
    ("Plain text, stated.".encode("utf-16"), "utf-16 (by its byte-order mark)"),
    ("Plain text, stated.".encode("utf-16-le"), "utf-16-le (by its NULs)"),
    ("Café.".encode("utf-8-sig"), ""),
])
def test_decode_says_how_text_that_is_not_plain_utf8_was_read(data: bytes, how: str) -> None:
    text, problem, got = decode(data)
    assert not problem and got == how and text.strip()


def test_scan_reports_how_each_document_was_decoded(corpus: Path) -> None:
    write(corpus, "mostly.md", "Un café crème. ".encode() * 3 + b"\x92 end.\n")
    write(corpus, "plain.md", b"Plain.\n")
    sources, _ = scan(corpus, **LIMITS)
    how = {s.path: s.decoded for s in sources}
    assert how["plain.md"] == "" and how["mostly.md"].startswith("UTF-8 with 1 invalid byte")
