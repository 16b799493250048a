"""The outside test of issue 8, against a real `qa serve` on 127.0.0.1, and its figures.

Over a private copy of the TAT-QA corpus (built once), with an admin token (random, never
printed) and a canary file whose random content must never come back:

  files       Gradio file references (`{"path": ..., "meta": {"_type": "gradio.FileData"}}`,
              bare, nested, as `url`) sent as every input of every event of the chat page,
              naming /etc/passwd, /proc/self/environ, devices, a FIFO, symbolic links, the
              canary, the index and URLs; `file=` with those paths (with Range and Cookie),
              uploads, Gradio's REST and proxy routes. Counted: files read, freezes (the
              server not answering /health within 5 s after a request), server errors.
  malformed   unreadable, oversized, deep and wrong-method requests: the expected status
              in the one error shape.
  slow        2,000 idle connections, slowloris heads and half-sent bodies: how many are
              still open once the header and body timeouts have passed.
  logs        /gradio_api/queue/data for unknown sessions: log lines written per request.
  schema      schemathesis (the `attack` extra) with not_a_server_error,
              status_code_conformance, response_schema_conformance and
              content_type_conformance, --max-examples per operation.
  load        64 clients (scripts/rebuild_under_load.py's) for 60 s, a document edited
              and `POST /index/rebuild` every 5 s: errors, latency p50/p99.
  corruption  100 damaged copies of a small two-version index, each loaded (as
              `qa retrieve` and `qa serve` do) and repaired with a build, in-process with
              a time limit: clean errors, fall-backs, tracebacks, hangs, repairs; a few
              also through `qa retrieve` as a subprocess.
  corpus      hostile corpus files: each skipped or decoded with a reason in the build
              report, or indexed as the text it is.

Prints the counts and checks; exit 1 unless all pass. Timing figures are printed with
the load average (the machine may be shared).

    .venv/bin/python scripts/attack.py
    .venv/bin/python scripts/attack.py --only files,malformed --examples 50
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    ROOT,
    TATQA,
    copy_corpus,
    edit_document,
    load_average,
    qa_env,
    questions,
    report,
    run_build,
    server,
    workdir,
)
from rebuild_under_load import Client, percentile

from qa import index as store
from qa.build import build
from qa.config import DEFAULT_MODEL, get_settings
from qa.embed import Embedder
from qa.errors import QAError
from qa.retrieve import Retriever

SECTIONS = ("files", "malformed", "slow", "logs", "schema", "load", "corruption", "corpus")
FREEZE_SECONDS = 5.0


class Target:
    """The server under attack and what must never come out of it."""

    def __init__(self, url: str, log: Path, token: str, canary: Path, secret: str,
                 index: Path) -> None:
        self.url, self.log, self.token, self.index = url, log, token, index
        self.canary, self.secret = canary, secret
        self.port = int(url.rsplit(":", 1)[1])

    def leaked(self, text: str) -> bool:
        """Whether a response holds a secret or a file's content."""
        return (self.secret in text or self.token in text or "root:x:0:0" in text
                or "QA_ADMIN_TOKEN" in text)

    def alive(self) -> bool:
        """The server answers /health within FREEZE_SECONDS."""
        try:
            return httpx.get(self.url + "/health", timeout=FREEZE_SECONDS).status_code == 200
        except httpx.HTTPError:
            return False


# --- files --------------------------------------------------------------------------------


def file_refs(path: str) -> list[Any]:
    """The ways a Gradio file reference can be wrapped in an input."""
    meta = {"_type": "gradio.FileData"}
    return [{"path": path, "meta": meta}, {"path": path}, [{"path": path, "meta": meta}],
            {"value": {"path": path, "meta": meta}}, {"url": path, "meta": meta},
            {"path": path, "url": f"/gradio_api/file={path}", "meta": meta, "is_stream": False}]


def attack_files(t: Target, tmp: Path) -> dict[str, int]:
    traps = tmp / "traps"
    traps.mkdir()
    (traps / "canary-link").symlink_to(t.canary)
    (traps / "environ-link").symlink_to("/proc/self/environ")
    (traps / "zero-link").symlink_to("/dev/zero")
    (traps / "loop").symlink_to("loop")
    os.mkfifo(traps / "fifo")
    paths = ["/etc/passwd", "/etc/shadow", "/proc/self/environ", "/proc/self/cmdline",
             "/proc/self/maps", "/dev/zero", "/dev/urandom", str(t.canary),
             *(str(p) for p in sorted(traps.iterdir())), str(t.index / "CURRENT"),
             str(ROOT / "qa" / "config.py"), "../../../../etc/passwd", "~/.bashrc",
             "file:///etc/passwd", f"http://127.0.0.1:{t.port}/health",
             "http://169.254.169.254/latest/meta-data/", f"/tmp/gradio/{'0' * 64}/passwd"]
    config = httpx.get(t.url + "/config", timeout=30).json()
    counts: Counter[str] = Counter()

    def check(resp: httpx.Response | None, what: str) -> None:
        counts["requests"] += 1
        if resp is None:
            counts["transport errors"] += 1
        else:
            counts[f"status {resp.status_code}"] += 1
            if resp.status_code >= 500:
                counts["server errors"] += 1
                print(f"  server error: {what}: {resp.text[:200]}")
            if t.leaked(resp.text) or t.leaked(str(resp.headers)):
                counts["files read"] += 1
                print(f"  FILE READ: {what}")
            if "cookie" in {k.lower() for k in resp.headers}:
                counts["request headers echoed"] += 1
        if not t.alive():
            counts["freezes"] += 1
            print(f"  FREEZE after {what}")

    def send(method: str, path: str, **kw: Any) -> httpx.Response | None:
        try:
            return httpx.request(method, t.url + path, timeout=30, **kw)
        except httpx.HTTPError:
            return None

    for n, path in enumerate(paths):
        session = f"atk{n}{secrets.token_hex(3)}"
        for dep in config["dependencies"]:
            width = max(len(dep["inputs"]), 1)
            for ref in file_refs(path):
                for at in range(width):
                    data: list[Any] = ["What is the revenue?"] * width
                    data[at] = ref
                    resp = send("POST", "/gradio_api/queue/join", json={
                        "data": data, "fn_index": dep["id"], "session_hash": session,
                        "event_data": None, "trigger_id": dep["targets"][0][0]})
                    check(resp, f"queue/join fn {dep['id']} input {at}: {path}")
                    if resp is not None and resp.status_code == 200:
                        counts["events accepted"] += 1
        stream = ""
        try:
            with httpx.stream("GET", t.url + "/gradio_api/queue/data", timeout=3,
                              params={"session_hash": session}) as r:
                for line in r.iter_lines():
                    stream += line + "\n"
        except httpx.HTTPError:
            pass
        for found in re.findall(r"/gradio_api/file=[^\"'&\s]+", stream):
            check(send("GET", found), f"returned path {found}")
        if t.leaked(stream):
            counts["files read"] += 1
        for route in (f"/gradio_api/file={path}", f"/gradio_api/file/{path.lstrip('/')}",
                      f"/gradio_api/file={path.replace('/', '%2F')}",
                      f"/gradio_api/proxy={path}", f"/file={path}"):
            check(send("GET", route, headers={"Range": "bytes=0-100",
                                              "Cookie": "session=attack-cookie"}), route)
    for route in ("/gradio_api/run/ask", "/gradio_api/api/ask", "/gradio_api/call/ask",
                  "/gradio_api/call/v2/ask", "/gradio_api/run/predict"):
        check(send("POST", route, json={"data": [file_refs(str(t.canary))[0], None]}), route)
    for route in ("/gradio_api/upload", "/gradio_api/upload?upload_id=x",
                  "/gradio_api/process_recording"):
        check(send("POST", route, files={"files": ("a.txt", b"x" * (50 << 20))}),
              f"upload of 50 MB to {route}")
        check(send("POST", route, files={"files": ("a.txt", b"small upload")}), route)
    return dict(counts)


# --- malformed ----------------------------------------------------------------------------


def attack_malformed(t: Target) -> dict[str, int]:
    json_type = {"content-type": "application/json"}
    cases: list[tuple[str, str, Any, dict[str, str], int]] = [
        ("POST", "/retrieve", b'{"query": "\xff\xfe"}', json_type, 400),
        ("POST", "/ask", b"[" * 10_000 + b"]" * 10_000, json_type, 400),
        ("POST", "/retrieve", b'{"query": "x", "k": ' + b"9" * 5000 + b"}", json_type, 400),
        ("POST", "/retrieve", b'{"query": "x",', json_type, 422),
        ("POST", "/retrieve", b"", json_type, 422),
        ("POST", "/retrieve", json.dumps({"query": "\u0000\u0001"}).encode(), json_type, 422),
        ("POST", "/retrieve", json.dumps({"query": "x" * 2001}).encode(), json_type, 422),
        ("POST", "/retrieve", b'{"query": "x", "k": 1e309}', json_type, 422),
        ("POST", "/ask", json.dumps({"question": "And?", "history": [
            {"role": "user", "content": "why " * 3000}]}).encode(), json_type, 422),
        ("POST", "/ask", b" " * (2 << 20), json_type, 413),
        ("GET", "/chunks/" + "x" * 5000, None, {}, 404),
        ("POST", "/index/rebuild", None, {"Authorization": "Bearer wrong"}, 403),
        ("POST", "/index/rebuild", None, {}, 401),
    ]
    for path, allowed in (("/retrieve", "POST"), ("/ask", "POST"), ("/health", "GET"),
                          ("/index/rebuild", "POST"), ("/chunks/abc", "GET")):
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            if method != allowed:
                cases.append((method, path, None, {}, 405))
    for path in ("/nope", "/admin", "/.env", "/gradio_api/nope", "/static-offline-docs/x",
                 "/" + "a" * 3000, "/%00", "/..%2f..%2fetc%2fpasswd"):
        cases.append(("GET", path, None, {}, 404))
    counts: Counter[str] = Counter()
    for method, path, body, headers, expected in cases:
        try:
            r = httpx.request(method, t.url + path, content=body, headers=headers, timeout=60)
        except httpx.HTTPError as e:
            counts["transport errors"] += 1
            print(f"  {method} {path[:40]}: {e}")
            continue
        counts["requests"] += 1
        shaped = False
        try:
            shaped = set(r.json()) == {"error"} and isinstance(r.json()["error"]["message"], str)
        except ValueError:
            pass
        if r.status_code != expected or not shaped:
            counts["mismatches"] += 1
            print(f"  {method} {path[:40]}: {r.status_code} (expected {expected}) {r.text[:120]}")
        if r.status_code >= 500:
            counts["server errors"] += 1
    return dict(counts)


# --- slow clients -------------------------------------------------------------------------


def attack_slow(t: Target, idle: int, header_timeout: float, body_timeout: float
                ) -> dict[str, int | float]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, idle + 1000)), hard))
    socks: list[socket.socket] = []
    for _ in range(idle):
        try:
            socks.append(socket.create_connection(("127.0.0.1", t.port), timeout=10))
        except OSError:
            break
    slowloris = [socket.create_connection(("127.0.0.1", t.port), timeout=10) for _ in range(50)]
    for s in slowloris:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\n")
    half = [socket.create_connection(("127.0.0.1", t.port), timeout=10) for _ in range(50)]
    for s in half:
        s.sendall(b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"question\"")
    t0 = time.monotonic()
    health_ms = []
    deadline = t0 + max(header_timeout, body_timeout) + 5
    while time.monotonic() < deadline:
        for s in slowloris:
            try:
                s.sendall(b"X")
            except OSError:
                pass
        a = time.monotonic()
        ok = t.alive()
        health_ms.append((time.monotonic() - a) * 1000 if ok else float("inf"))
        time.sleep(0.5)
    still_open = 0
    statuses: Counter[str] = Counter()
    for s in socks + slowloris + half:
        s.settimeout(0.5)
        try:
            data = s.recv(4096)
            if data:
                statuses[data.split(b" ", 2)[1].decode(errors="replace")] += 1
                data = s.recv(4096)
            if data:
                still_open += 1
        except TimeoutError:
            still_open += 1  # nothing sent and not closed
        except OSError:
            pass
        s.close()
    return {"idle connections opened": len(socks), "still open after the timeouts": still_open,
            **{f"answered {k}": v for k, v in sorted(statuses.items())},
            "health p50 ms meanwhile": round(percentile(health_ms, 50), 1),
            "health answered meanwhile": sum(h != float("inf") for h in health_ms),
            "health checks": len(health_ms)}


# --- logs ---------------------------------------------------------------------------------


def attack_logs(t: Target, n: int = 200) -> dict[str, int]:
    before = t.log.read_text(errors="replace").splitlines()
    names = [f"unknown{secrets.token_hex(5)}" for _ in range(n)]
    for name in names:
        try:
            with httpx.stream("GET", t.url + "/gradio_api/queue/data", timeout=15,
                              params={"session_hash": name}) as r:
                for _ in r.iter_lines():
                    pass
        except httpx.HTTPError:
            pass
    time.sleep(1)
    lines = t.log.read_text(errors="replace").splitlines()[len(before):]
    per = [sum(name in line for line in lines) for name in names]
    return {"requests": n, "log lines": len(lines), "most lines for one request": max(per),
            "tracebacks": sum("Traceback" in line for line in lines)}


# --- schemathesis -------------------------------------------------------------------------


def attack_schema(t: Target, examples: int, tmp: Path) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("schemathesis")
    if not exe.exists():
        return {"skipped": "schemathesis is not installed: pip install -e '.[attack]'"}
    out_json = tmp / "schemathesis.json"
    cmd = [str(exe), "run", f"{t.url}/openapi.json", "--checks",
           ("not_a_server_error,status_code_conformance,response_schema_conformance,"
           "content_type_conformance"), "--max-examples", str(examples), "--no-color",
           "--workers", "2", "--seed", "8", "--request-timeout", "120",
           "--suppress-health-check", "all", "--generation-database", "none",
           "--report", "json", "--report-json-path", str(out_json)]
    t0 = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3 * 3600,
                         stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    text = res.stdout + res.stderr
    (tmp / "schemathesis.log").write_text(text)
    cases = re.search(r"(\d+) generated, (\d+) passed", text)
    tail = [line.rstrip() for line in text.splitlines() if line.strip()][-14:]
    return {"exit code": res.returncode, "seconds": round(time.monotonic() - t0),
            "test cases generated": int(cases.group(1)) if cases else -1,
            "passed": int(cases.group(2)) if cases else -1,
            "report (last lines)": "\n    " + "\n    ".join(tail)}


# --- load ---------------------------------------------------------------------------------


def attack_load(t: Target, corpus: Path, clients: int, seconds: float,
                every: float) -> dict[str, Any]:
    docs = sorted(corpus.rglob("*.md"))
    names = {p.relative_to(corpus).as_posix() for p in docs}
    qs = [q for q in questions(2000) if q["doc"] in names][:300]
    workers = [Client(t.url, qs, i * 37, time.monotonic() + seconds + 600)
               for i in range(clients)]
    load_before = load_average()
    start = time.monotonic()
    for w in workers:
        w.start()
    rebuilds, problems = 0, []
    with httpx.Client(base_url=t.url, timeout=600) as admin:
        n = 0
        while time.monotonic() - start < seconds:
            t0 = time.monotonic()
            edit_document(docs[(n * 7919) % len(docs)], 1000 + n)
            r = admin.post("/index/rebuild", headers={"Authorization": f"Bearer {t.token}"})
            rebuilds += 1
            if r.status_code != 200 or not r.json()["report"]["live"]:
                problems.append(f"rebuild {n}: {r.status_code} {r.text[:200]}")
            n += 1
            time.sleep(max(0.0, every - (time.monotonic() - t0)))
    load_during = load_average()
    for w in workers:
        w.stop.set()
    for w in workers:
        w.join(600)
    ms = [s * 1000 for w in workers for _, s, _ in w.seen]
    failed = [f for w in workers for f in w.failed]
    for f in failed[:5]:
        print(f"  failed: {f}")
    for p in problems[:5]:
        print(f"  {p}")
    return {"clients": clients, "seconds": round(time.monotonic() - start),
            "requests": len(ms) + len(failed), "errors": len(failed),
            "rebuilds": rebuilds, "rebuild problems": len(problems),
            "p50 ms": round(percentile(ms, 50)) if ms else -1,
            "p99 ms": round(percentile(ms, 99)) if ms else -1,
            "load average before / at the end": f"{load_before} / {load_during}"}


# --- index corruption ---------------------------------------------------------------------


def _flip(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def _truncate(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(max(1, len(data)))])


def _manifest(change: Callable[[dict], Any]) -> Callable[[Path, random.Random], None]:
    def damage(path: Path, rng: random.Random) -> None:
        m = json.loads(path.read_text())
        result = change(m)
        path.write_text(json.dumps(m if result is None else result))
    return damage


def _replace_dir(path: Path, rng: random.Random) -> None:
    path.unlink()
    (path / "v000002").mkdir(parents=True)


def _fifo(path: Path, rng: random.Random) -> None:
    path.unlink()
    os.mkfifo(path)


def _symlink(to: str) -> Callable[[Path, random.Random], None]:
    def damage(path: Path, rng: random.Random) -> None:
        path.unlink() if path.is_file() or path.is_symlink() else shutil.rmtree(path)
        path.symlink_to(to)
    return damage


def _remove(path: Path, rng: random.Random) -> None:
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _garbage(path: Path, rng: random.Random) -> None:
    path.write_bytes(rng.randbytes(rng.randrange(1, 4096)))


# (what is damaged: CURRENT, "manifest" or a file of the live version, or the version)
CORRUPTIONS: list[tuple[str, str, Callable[[Path, random.Random], None]]] = [
    ("CURRENT missing", "CURRENT", _remove),
    ("CURRENT not UTF-8", "CURRENT", lambda p, r: p.write_bytes(b"v\xff\xfe000002\n")),
    ("CURRENT empty", "CURRENT", lambda p, r: p.write_bytes(b"")),
    ("CURRENT garbage", "CURRENT", _garbage),
    ("CURRENT a folder", "CURRENT", _replace_dir),
    ("CURRENT a FIFO", "CURRENT", _fifo),
    ("CURRENT a link to /dev/zero", "CURRENT", _symlink("/dev/zero")),
    ("CURRENT a link loop", "CURRENT", _symlink("CURRENT")),
    ("CURRENT names a missing version", "CURRENT", lambda p, r: p.write_text("v000777\n")),
    ("CURRENT names a path", "CURRENT", lambda p, r: p.write_text("../../etc\n")),
    ("manifest missing", "manifest.json", _remove),
    ("manifest a JSON array", "manifest.json", lambda p, r: p.write_text("[1, 2]")),
    ("manifest a JSON string", "manifest.json", lambda p, r: p.write_text('"v"')),
    ("manifest truncated", "manifest.json", _truncate),
    ("manifest bit flipped", "manifest.json", _flip),
    ("manifest garbage", "manifest.json", _garbage),
    ("manifest nested 100,000 deep", "manifest.json",
     lambda p, r: p.write_text("[" * 100_000 + "]" * 100_000)),
    ("manifest a folder", "manifest.json", _replace_dir),
    ("manifest a FIFO", "manifest.json", _fifo),
    ("manifest counts as strings", "manifest.json",
     _manifest(lambda m: m["counts"].update(chunks=str(m["counts"]["chunks"])))),
    ("manifest without checksums", "manifest.json", _manifest(lambda m: m.pop("checksums"))),
    ("manifest checksums a list", "manifest.json",
     _manifest(lambda m: m.update(checksums=list(m["checksums"])))),
    ("manifest with another model", "manifest.json", _manifest(lambda m: m.update(model="x"))),
    ("manifest with another format", "manifest.json", _manifest(lambda m: m.update(format=99))),
    ("manifest counts off by one", "manifest.json",
     _manifest(lambda m: m["counts"].update(chunks=m["counts"]["chunks"] + 1))),
    ("manifest dimension wrong", "manifest.json", _manifest(lambda m: m.update(dimension=7))),
    ("manifest files a list", "manifest.json", _manifest(lambda m: m.update(files=["a"]))),
    ("vectors truncated", "vectors.faiss", _truncate),
    ("vectors bit flipped", "vectors.faiss", _flip),
    ("vectors missing", "vectors.faiss", _remove),
    ("vectors a folder", "vectors.faiss", _replace_dir),
    ("vectors a FIFO", "vectors.faiss", _fifo),
    ("vectors a link to /dev/zero", "vectors.faiss", _symlink("/dev/zero")),
    ("chunks truncated", "chunks.jsonl", _truncate),
    ("chunks bit flipped", "chunks.jsonl", _flip),
    ("chunks garbage", "chunks.jsonl", _garbage),
    ("chunks a FIFO", "chunks.jsonl", _fifo),
    ("owners truncated", "owners.npy", _truncate),
    ("owners bit flipped", "owners.npy", _flip),
    ("owners missing", "owners.npy", _remove),
    ("version folder missing", "version", _remove),
    ("version folder a file", "version", lambda p, r: (_remove(p, r), p.write_text("x"))),
]


def in_time(fn: Callable[[], Any], seconds: float) -> tuple[str, Any]:
    """("ok", value), ("error", QAError), ("traceback", other exception) or ("hang", None)."""
    box: list[tuple[str, Any]] = []

    def run() -> None:
        try:
            box.append(("ok", fn()))
        except QAError as e:
            box.append(("error", e))
        except BaseException as e:  # noqa: BLE001 - any other exception is the finding
            box.append(("traceback", e))

    th = threading.Thread(target=run, daemon=True)
    th.start()
    th.join(seconds)
    return box[0] if box else ("hang", None)


def attack_corruption(n: int, embedder: Embedder, tmp: Path, seed: int,
                      cli_samples: int) -> dict[str, Any]:
    """`n` damaged copies of a two-version index of the analysis plus a second document."""
    base = tmp / "corruption"
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    pristine = base / "pristine"
    settings = get_settings(corpus=corpus, index=pristine)
    build(settings, lambda: embedder)
    (corpus / "extra.md").write_text("# Extra\n\nThe harbour of the extra town freezes in "
                                     "winter, so ships wait in the southern bay.\n")
    assert build(settings, lambda: embedder).version == "v000002"
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    repaired = 0
    samples = []
    query = "regional impact of the military aspect"

    warned: list[str] = []
    catcher = logging.Handler(logging.WARNING)
    catcher.emit = lambda record: warned.append(record.getMessage())  # type: ignore[method-assign]
    index_log = logging.getLogger("qa.index")
    index_log.addHandler(catcher)
    index_log.propagate = False  # counted here, not printed

    def serve_one(index: Path) -> tuple[str, bool]:
        """Load as `qa retrieve` and `qa serve` do and search; the version and whether a
        fall-back was warned of."""
        warned.clear()
        stored = store.load(index, DEFAULT_MODEL)
        hits = Retriever(stored).search(query, stored.encoder.encode_one(query), 3)
        if not hits:
            raise RuntimeError("no results")
        return stored.version, bool(warned)

    for i in range(n):
        name, what, damage = CORRUPTIONS[i % len(CORRUPTIONS)]
        index = base / f"index-{i}"
        shutil.copytree(pristine, index, symlinks=True)
        live = index / "v000002"
        path = index / "CURRENT" if what == "CURRENT" else (
            live if what == "version" else live / what)
        damage(path, rng)
        kind, value = in_time(lambda index=index: serve_one(index), 60)
        label = {"ok": "fall-back" if kind == "ok" and value[1] else "unnoticed",
                 "error": "clean error", "traceback": "TRACEBACK", "hang": "HANG"}[kind]
        outcomes[label] += 1
        if label in ("TRACEBACK", "HANG", "unnoticed"):
            print(f"  {i:3d} {name}: {label} {value!r}"[:300])
        fix = in_time(lambda index=index: build(get_settings(corpus=corpus, index=index),
                                                lambda: embedder), 300)
        after = in_time(lambda index=index: serve_one(index), 60)
        if fix[0] == "ok" and not fix[1].error and after[0] == "ok" and not after[1][1] \
                and store.current_version(index) == after[1][0]:
            repaired += 1
        else:
            print(f"  {i:3d} {name}: NOT REPAIRED: build {fix[0]} {fix[1]!r:.200}, "
                  f"then {after[0]} {after[1]!r:.200}")
        if len(samples) < cli_samples and i % max(1, n // max(1, cli_samples)) == 0:
            shutil.copytree(pristine, base / f"cli-{i}", symlinks=True)
            samples.append((i, name, base / f"cli-{i}"))
            cli_index = base / f"cli-{i}"
            cli_path = cli_index / "CURRENT" if what == "CURRENT" else (
                cli_index / "v000002" if what == "version" else cli_index / "v000002" / what)
            damage(cli_path, random.Random(seed + i))
        shutil.rmtree(index, ignore_errors=True)
    cli: Counter[str] = Counter()
    for i, name, index in samples:
        try:
            res = subprocess.run([sys.executable, "-m", "qa.cli", "retrieve", query, "-k", "1",
                                  "--index", str(index)], capture_output=True, text=True,
                                 timeout=180, env=qa_env(), stdin=subprocess.DEVNULL, check=False)
            ok = "Traceback" not in res.stderr and (
                res.returncode == 0 or res.stderr.startswith("error: "))
            cli["clean" if ok else "TRACEBACK"] += 1
            if not ok:
                print(f"  cli {i} {name}: exit {res.returncode}: {res.stderr[-300:]}")
        except subprocess.TimeoutExpired:
            cli["HANG"] += 1
    return {"corruptions": n, **dict(outcomes), "repaired by a build": repaired,
            "through qa retrieve": dict(cli)}


# --- hostile corpus -----------------------------------------------------------------------


def hostile_corpus(folder: Path) -> dict[str, str]:
    """Write hostile files; returns each corpus path and the outcome it must have: 'skipped',
    'decoded' or 'indexed'."""
    folder.mkdir(parents=True)
    expect: dict[str, str] = {}

    def put(name: str, data: bytes, outcome: str) -> None:
        (folder / name).write_bytes(data)
        expect[name] = outcome

    put("binary.md", bytes(range(256)) * 64, "skipped")
    put("nuls.md", b"text\x00" * 50, "skipped")
    put("utf16-no-bom.md", "A plain note about the harbour.\n".encode("utf-16-le"), "decoded")
    put("utf16-broken.md", "Half".encode("utf-16") + b"\x41", "skipped")
    put("mostly-utf8.md", "Le café du port ferme à midi. ".encode() * 5 + b"\xff\xfe\n",
        "decoded")
    put("latin1.md", "Le café du coin ouvre à huit heures.\n".encode("latin-1"), "decoded")
    put("empty.md", b"", "skipped")
    put("blank.md", b" \n\t\n\r\n", "skipped")
    put("long-line.md", b"word " * 30_000, "skipped")
    put("huge.md", b"Big. " * 5_000_000, "skipped")
    put("ansi.md", b"# Title\x1b[2J\x1b[31m\n\nRed text \x1b[0m about the harbour.\n", "indexed")
    put("bidi\u202etxt.md".encode().decode(), b"An ordinary note.\n", "indexed")
    put("new\nline.md", b"A note whose name has a newline.\n", "indexed")
    put("tab\tname.md", b"A note whose name has a tab.\n", "indexed")
    put("wide-row.md", ("| " + " | ".join(f"h{i}" for i in range(3000)) + " |\n|"
                        + "---|" * 3000 + "\n| " + " | ".join(f"w{i}" for i in range(3000))
                        + " |\n").encode(), "indexed")
    put("nested.md", "".join("  " * i + "- item\n" for i in range(2000)).encode(), "indexed")
    put("zero-width.md", "Zero\u200bwidth\u200b spaces\ufeff inside.\n".encode(), "indexed")
    with open(os.fsencode(folder) + b"/caf\xe9.md", "wb") as f:
        f.write(b"A name that is not UTF-8.\n")
    expect["caf\\xe9.md"] = "skipped"
    os.mkfifo(folder / "fifo.md")
    expect["fifo.md"] = "skipped"
    for name, to in (("etc-passwd.md", "/etc/passwd"), ("zero.md", "/dev/zero"),
                     ("loop.md", "loop.md"), ("dangling.md", "/nonexistent/x")):
        (folder / name).symlink_to(to)
        expect[name] = "skipped"
    (folder / "folder.md").mkdir()
    (folder / "folder.md" / "inner.md").write_text("A note in a folder named like a file.\n")
    expect["folder.md/inner.md"] = "indexed"
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    expect["sub/up"] = "skipped"
    return expect


def attack_corpus(embedder: Embedder, tmp: Path) -> dict[str, Any]:
    corpus = tmp / "hostile"
    expect = hostile_corpus(corpus)
    settings = get_settings(corpus=corpus, index=tmp / "hostile-index")
    kind, rep = in_time(lambda: build(settings, lambda: embedder), 900)
    if kind != "ok":
        return {"build": f"{kind}: {rep!r}"}
    got = {s.path: "skipped" for s in rep.skipped}
    got.update({d.path: "decoded" for d in rep.decoded})
    stored = store.load(settings.index, settings.model)
    got.update({c.doc: got.get(c.doc, "indexed") for c in stored.chunks})
    wrong = {p: (want, got.get(p, "missing")) for p, want in expect.items()
             if got.get(p) != want}
    for p, (want, have) in wrong.items():
        print(f"  {p!r}: expected {want}, got {have}")
    reasons = {s.path: s.reason for s in (*rep.skipped, *rep.decoded)}
    return {"hostile files": len(expect), "as expected": len(expect) - len(wrong),
            "skipped or decoded without a reason": sum(not reasons.get(p, "x") for p in got),
            "build seconds": round(rep.seconds, 1), "vectors": stored.vectors.size,
            "load average": load_average()}


# --- main ---------------------------------------------------------------------------------


def show(name: str, figures: dict[str, Any]) -> None:
    print(f"\n== {name}")
    for k, v in figures.items():
        print(f"  {k}: {v}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    ap.add_argument("--corpus", type=Path, default=TATQA / "corpus")
    ap.add_argument("--docs", type=int, default=0, help="use only the first N documents")
    ap.add_argument("--examples", type=int, default=300, help="schemathesis, per operation")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rebuild-every", type=float, default=5)
    ap.add_argument("--corruptions", type=int, default=100)
    ap.add_argument("--idle", type=int, default=2000, help="idle connections to open")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    only = set(args.only.split(","))
    header_timeout, body_timeout = 5.0, 5.0
    checks: list[tuple[str, bool]] = []
    print(f"load average {load_average()}")

    with workdir(args.keep) as tmp:
        server_sections = only & {"files", "malformed", "slow", "logs", "schema", "load"}
        if server_sections:
            corpus = copy_corpus(args.corpus, tmp / "corpus")
            if args.docs:  # a subset, for a machine that cannot spare a full build
                for extra in sorted(corpus.rglob("*.md"))[args.docs:]:
                    extra.unlink()
            index = tmp / "index"
            full = run_build(corpus, index)
            assert full.code == 0, full.out
            print(f"built {corpus.name}: {full.seconds:.0f} s (load average {load_average()})")
            token = secrets.token_urlsafe(24)
            secret = secrets.token_hex(16)
            canary = tmp / "canary.txt"
            canary.write_text(f"canary {secret}\n")
            log = tmp / "serve.log"
            env = qa_env(admin_token=token, header_timeout=str(header_timeout),
                         body_timeout=str(body_timeout))
            with server(corpus, index, log, env=env) as url:
                t = Target(url, log, token, canary, secret, index)
                if "files" in only:
                    f = attack_files(t, tmp)
                    show("files", f)
                    checks += [(f"files read: {f.get('files read', 0)} (target 0)",
                                not f.get("files read")),
                               (f"freezes: {f.get('freezes', 0)} (target 0)", not f.get("freezes")),
                               (f"server errors in file attacks: {f.get('server errors', 0)}",
                                not f.get("server errors")),
                               ((f"events with file references accepted: "
                                f"{f.get('events accepted', 0)}"), not f.get("events accepted"))]
                if "malformed" in only:
                    m = attack_malformed(t)
                    show("malformed", m)
                    checks.append(((f"malformed requests answered as expected in the error "
                                   f"shape ({m.get('mismatches', 0)} mismatches)"),
                                   not m.get("mismatches") and not m.get("server errors")))
                if "slow" in only:
                    s = attack_slow(t, args.idle, header_timeout, body_timeout)
                    show("slow", s)
                    checks.append(((f"held connections still open after the timeouts: "
                                   f"{s['still open after the timeouts']} (target 0)"),
                                   s["still open after the timeouts"] == 0))
                if "logs" in only:
                    lg = attack_logs(t)
                    show("logs", lg)
                    checks.append(((f"log lines per unknown-session request at most 1 "
                                   f"({lg['most lines for one request']}), "
                                   f"{lg['tracebacks']} tracebacks"),
                                   lg["most lines for one request"] <= 1 and not lg["tracebacks"]))
                if "schema" in only:
                    sc = attack_schema(t, args.examples, tmp)
                    show("schemathesis", sc)
                    checks.append(((f"schemathesis with {args.examples} examples per operation "
                                   f"passed (exit {sc.get('exit code')})"),
                                   sc.get("exit code") == 0))
                if "load" in only:
                    ld = attack_load(t, corpus, args.clients, args.seconds, args.rebuild_every)
                    show("load", ld)
                    checks.append(((f"{ld['errors']} errors in {ld['requests']} requests of "
                                   f"{ld['clients']} clients with {ld['rebuilds']} rebuilds"),
                                   ld["errors"] == 0 and not ld["rebuild problems"]))
                checks.append(("the server answers at the end", t.alive()))
        if only & {"corruption", "corpus"}:
            embedder = Embedder()  # exports the model to ONNX once, if not cached yet
            if "corruption" in only:
                c = attack_corruption(args.corruptions, embedder, tmp, args.seed, 6)
                show("corruption", c)
                clean = c.get("clean error", 0) + c.get("fall-back", 0)
                checks.append(((f"{clean} of {c['corruptions']} corruptions gave a clean error "
                               f"or a fall-back; {c.get('TRACEBACK', 0)} tracebacks, "
                               f"{c.get('HANG', 0)} hangs"),
                               clean == c["corruptions"]))
                checks.append(((f"{c['repaired by a build']} of {c['corruptions']} repaired by "
                               "a build"), c["repaired by a build"] == c["corruptions"]))
                checks.append(("qa retrieve on damaged copies: no traceback, no hang",
                               set(c["through qa retrieve"]) <= {"clean"}))
            if "corpus" in only:
                h = attack_corpus(embedder, tmp)
                show("hostile corpus", h)
                checks.append(((f"hostile corpus files handled as expected: "
                               f"{h.get('as expected')} of {h.get('hostile files')}"),
                               h.get("as expected") == h.get("hostile files")
                               and not h.get("skipped or decoded without a reason")))
    print(f"\nload average at the end: {load_average()}")
    return report(checks)


if __name__ == "__main__":
    sys.exit(main())
