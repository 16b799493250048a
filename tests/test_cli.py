"""The `qa` command as a real subprocess: build summary, retrieve output, clean errors,
--help of each command, and --corpus/--index flags and QA_CORPUS/QA_INDEX."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import serving

ROOT = Path(__file__).resolve().parent.parent


def qa(*args: str, cwd: Path, env: dict[str, str] | None = None,
       timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m qa.cli ARGS` with no QA_* settings but those given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=cwd,
                          env={**clean, **(env or {})}, capture_output=True, text=True, check=False,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A fresh `qa build` of the analysis with --corpus/--index; (corpus, index, stdout)."""
    base = tmp_path_factory.mktemp("cli")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    res = qa("build", "--corpus", str(base / "corpus"), "--index", str(base / "index"),
             cwd=base)
    assert res.returncode == 0, res.stderr
    return base / "corpus", base / "index", res.stdout


def test_build_prints_summary(built: tuple[Path, Path, str]) -> None:
    _, index, out = built
    assert "documents: 1 " in out
    assert re.search(r"chunks: \d+ passages, 10 table rows", out), out
    assert "seconds: " in out
    assert "index v" in out and "live" in out
    assert (index / "CURRENT").is_file()


def test_build_again_is_a_no_op(built: tuple[Path, Path, str], tmp_path: Path) -> None:
    corpus, index, _ = built
    res = qa("build", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "up to date" in res.stdout and "documents: 1 " in res.stdout


def test_build_of_empty_corpus_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = qa("build", "--corpus", str(tmp_path / "empty"), "--index", str(tmp_path / "ix"),
             cwd=tmp_path)
    assert res.returncode == 1
    assert "no usable documents" in res.stdout + res.stderr
    assert "Traceback" not in res.stderr


def test_retrieve_json_with_env_vars(built: tuple[Path, Path, str], tmp_path: Path) -> None:
    corpus, index, _ = built
    # tmp_path has no corpus/ or index/: only QA_CORPUS and QA_INDEX can point the way.
    res = qa("retrieve", "regional impact of the military aspect", "--json", "-k", "3",
             cwd=tmp_path, env={"QA_CORPUS": str(corpus), "QA_INDEX": str(index)})
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)["results"]
    assert len(results) == 3
    top = results[0]
    assert top["kind"] == "table_row" and top["cells"][0] == "Military"
    assert top["header"] == ["Aspect", "North Korea", "Russia", "Regional Impact"]


def test_retrieve_empty_query_is_a_clean_error(built: tuple[Path, Path, str]) -> None:
    corpus, index, _ = built
    res = qa("retrieve", "", "--corpus", str(corpus), "--index", str(index), cwd=ROOT)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert res.stderr.strip().splitlines()[-1] == \
        "error: query is empty: send a question or keywords"


@pytest.mark.parametrize("command", ["retrieve", "ask"])
def test_empty_query_is_refused_before_the_index_is_read(command: str, tmp_path: Path) -> None:
    # No index at all: the empty query is the error reported, so nothing was loaded first.
    res = qa(command, "  ", "--corpus", str(tmp_path), "--index", str(tmp_path / "none"),
             cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "is empty" in res.stderr and "qa build" not in res.stderr


def test_retrieve_into_a_closed_pipe_has_no_traceback(built: tuple[Path, Path, str]) -> None:
    corpus, index, _ = built
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    # `true` exits at once, long before the model is loaded: every write hits a closed pipe.
    cmd = (f"{sys.executable} -m qa.cli retrieve military -k 5 --corpus {corpus} "
           f"--index {index} | true")
    res = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=clean, capture_output=True,
                         text=True, timeout=300, check=False)
    assert "Traceback" not in res.stderr and "BrokenPipeError" not in res.stderr, res.stderr


def test_missing_index_names_the_command_to_run(built: tuple[Path, Path, str],
                                                tmp_path: Path) -> None:
    corpus, index, _ = built
    # The flag overrides the environment: QA_INDEX points at a real index, --index does not.
    res = qa("retrieve", "military", "--index", str(tmp_path / "none"), cwd=tmp_path,
             env={"QA_CORPUS": str(corpus), "QA_INDEX": str(index)})
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert f"qa build --index {tmp_path / 'none'}" in res.stderr


def test_bad_env_setting_is_a_clean_error(tmp_path: Path) -> None:
    res = qa("retrieve", "military", cwd=tmp_path, env={"QA_PORT": "http"})
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and "QA_PORT" in res.stderr


def test_bad_kind_is_a_usage_error(tmp_path: Path) -> None:
    res = qa("retrieve", "x", "--kind", "figure", cwd=tmp_path)
    assert res.returncode == 2
    assert "invalid choice: 'figure'" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("command, options", [
    ("build", ["--corpus", "--index", "--model"]),
    ("retrieve", ["--corpus", "--index", "-k", "--doc", "--kind", "--json", "query"]),
    ("ask", ["--corpus", "--index", "--doc", "--json", "question"]),
    ("serve", ["--corpus", "--index", "--host", "--port", "127.0.0.1", "8000"]),
])
def test_help_lists_options(command: str, options: list[str], tmp_path: Path) -> None:
    res = qa(command, "--help", cwd=tmp_path)
    assert res.returncode == 0
    assert res.stdout.startswith(f"usage: qa {command}")
    for opt in options:
        assert opt in res.stdout, opt
    assert "QA_CORPUS" in res.stdout and "QA_INDEX" in res.stdout


def test_top_level_help_lists_commands(tmp_path: Path) -> None:
    res = qa("--help", cwd=tmp_path)
    assert res.returncode == 0
    for command in ("build", "retrieve", "ask", "serve"):
        assert command in res.stdout


def test_serve_on_a_port_in_use_fails_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        t0 = time.monotonic()
        res = qa("serve", "--port", str(port), "--corpus", str(tmp_path / "none"),
                 "--index", str(tmp_path / "index"), cwd=tmp_path, timeout=60)
        seconds = time.monotonic() - t0
    assert res.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in res.stderr
    assert "Traceback" not in res.stderr and "--port" in res.stderr
    assert not (tmp_path / "index").exists()  # nothing was built or loaded first
    assert seconds < 10, seconds


@pytest.mark.slow
def test_serve_without_watch_follows_a_build_beside_it(built: tuple[Path, Path, str],
                                                       tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built[0], corpus)
    shutil.copytree(built[1], index)
    with serving(corpus, index) as url:
        before = httpx.get(url + "/health").json()["version"]
        (corpus / "copper.md").write_text("# Copper\n\nThe Gamma mine produces copper ore.\n")
        res = qa("build", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        done = time.monotonic()
        seen, failed = before, 0
        while seen == before and time.monotonic() - done < 10:
            r = httpx.post(url + "/retrieve", json={"query": "copper ore", "k": 1}, timeout=10)
            failed += r.status_code != 200
            seen = r.json().get("version", seen)
        assert seen != before and time.monotonic() - done < 3
        assert failed == 0
        hit = httpx.post(url + "/retrieve", json={"query": "copper ore", "k": 1}).json()
        assert hit["results"][0]["doc"] == "copper.md"


# --- a damaged index: a clean error or the newest complete version, and `qa build` repairs --


def _copy(built: tuple[Path, Path, str], tmp_path: Path) -> tuple[Path, Path]:
    corpus, index, _ = built
    shutil.copytree(index, tmp_path / "index")
    return corpus, tmp_path / "index"


def _two_versions(corpus: Path, index: Path, tmp_path: Path) -> Path:
    """A second version over a copy of the corpus with one more document; its corpus."""
    mine = tmp_path / "corpus"
    shutil.copytree(corpus, mine)
    (mine / "extra.md").write_text("# Extra\n\nThe extra note mentions the harbour.\n")
    assert qa("build", "--corpus", str(mine), "--index", str(index), cwd=tmp_path,
              ).returncode == 0
    return mine


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("damage", [_fifo, _folder, lambda p: p.write_bytes(b"\xff\xfev1\n")],
                         ids=["a FIFO", "a folder", "not UTF-8"])
def test_a_damaged_current_neither_hangs_nor_crashes_and_qa_build_repairs_it(
        built: tuple[Path, Path, str], tmp_path: Path, damage) -> None:
    corpus, index = _copy(built, tmp_path)
    corpus = _two_versions(corpus, index, tmp_path)
    damage(index / "CURRENT")
    res = qa("retrieve", "military aspect", "-k", "1", "--index", str(index), cwd=tmp_path,
             timeout=120)  # a FIFO read made `qa retrieve` hang
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "serving v000002" in res.stderr and f"{index / 'CURRENT'}" in res.stderr
    assert "1. [" in res.stdout
    fixed = qa("build", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "index v000003 is live" in fixed.stdout
    again = qa("retrieve", "military aspect", "--index", str(index), cwd=tmp_path)
    assert again.returncode == 0 and "WARNING" not in again.stderr


def test_damage_without_a_version_to_fall_back_on_is_a_clean_error_and_build_repairs(
        built: tuple[Path, Path, str], tmp_path: Path) -> None:
    corpus, index = _copy(built, tmp_path)
    (index / "v000001" / "manifest.json").write_text("[]")  # JSON, but not an object
    res = qa("retrieve", "military", "--index", str(index), cwd=tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"error: index version v000001: {index}/v000001/manifest.json "
                                 "is not a JSON object"), res.stderr
    assert f"run `qa build --index {index}`" in res.stderr
    fixed = qa("build", "--corpus", str(corpus), "--index", str(index), cwd=tmp_path)
    assert fixed.returncode == 0 and "full rebuild (live index unreadable)" in fixed.stdout
    assert qa("retrieve", "military", "--index", str(index), cwd=tmp_path).returncode == 0


def test_build_into_an_index_that_cannot_be_written(built: tuple[Path, Path, str],
                                                    tmp_path: Path) -> None:
    corpus, _, _ = built
    (tmp_path / "file").write_text("not a folder")
    res = qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "file"), cwd=tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"error: cannot write the index in {tmp_path / 'file'}/")


def test_file_names_with_control_characters_are_escaped_in_the_output(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    name = "two\nlines\tand\rreturn\x1b[2J.md"
    (tmp_path / "c" / name).write_text("# Harbour\n\nThe harbour freezes every winter.\n")
    assert qa("build", "--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "i"),
              cwd=tmp_path).returncode == 0
    res = qa("retrieve", "harbour freezes", "--index", str(tmp_path / "i"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("1. [passage] two\\nlines\\tand\\rreturn\\x1b[2J.md:3")
    assert lines[1] == "   The harbour freezes every winter." and len(lines) == 2
    assert "\x1b" not in res.stdout and "\r" not in res.stdout


@pytest.mark.parametrize("query", ["\x01\x02\x03", "\x1b\x7f", "\u200b\u200e", "\x0b\x0c"])
def test_a_query_of_control_characters_only_is_empty(query: str, tmp_path: Path) -> None:
    res = qa("retrieve", query, "--index", str(tmp_path / "none"), cwd=tmp_path)
    assert res.returncode == 1 and "query is empty" in res.stderr
