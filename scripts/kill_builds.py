"""`qa build` killed with SIGKILL at random moments while a client queries the server.

Over a private copy of the TAT-QA corpus: a full build, then `qa serve --watch` over the
same corpus and index, and a client thread sending doc-scoped `POST /retrieve` queries in
a loop for the whole run. Then, until --kills builds were really killed:

  1. change the corpus as an editor would, in turn: edit a document (its new chunks must
     be embedded: the build loads the model), delete one (nothing to embed: the build is
     mostly writing), put it back;
  2. start `qa build` and send it SIGKILL after a random delay, uniform between 0 and the
     time an unkilled build of that kind took (measured first); a build that ended before
     its kill counts as completed, not killed;
  3. right after the kill, load the live index from disk in this process (checksums and
     all) and check it answers a query;
  4. wait until things settle: the server's own watch build (debounced by
     QA_WATCH_DEBOUNCE_MS, 3 s here, so that the killed build takes the lock first)
     has cleaned what the kill left and brought the index up to date with the corpus, and
     the server serves that version.

Printed: kills, what they left behind, failed queries (any status but 200, an error, or
no results), whether the index loaded and answered after every kill, whether every
leftover was cleaned, and whether the version the client saw ever went backwards.
Everything runs on 127.0.0.1; the run ends by itself (bounded attempts and timeouts).
Exit 1 unless all checks pass.

    .venv/bin/python scripts/kill_builds.py
    .venv/bin/python scripts/kill_builds.py --kills 5 --seed 7
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TATQA,
    build_command,
    build_running,
    copy_corpus,
    edit_document,
    leftovers,
    live_version,
    load_average,
    qa_env,
    questions,
    report,
    run_build,
    server,
    workdir,
)

from qa import index as store
from qa.config import DEFAULT_MODEL, get_settings
from qa.corpus import scan
from qa.retrieve import Retriever

SETTLE_SECONDS = 300


class Client(threading.Thread):
    """Sends doc-scoped queries to the server in a loop until stopped; counts failures and
    records the index version of each answer."""

    def __init__(self, url: str, qs: list[dict], deadline: float) -> None:
        super().__init__(daemon=True)
        self.url, self.qs, self.deadline = url, qs, deadline
        self.stop = threading.Event()
        self.ok = 0
        self.failed: list[str] = []
        self.versions: list[str] = []

    def run(self) -> None:
        n = 0
        with httpx.Client(timeout=120) as http:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                q = self.qs[n % len(self.qs)]
                n += 1
                try:
                    r = http.post(self.url + "/retrieve",
                                  json={"query": q["question"], "k": 3, "doc": q["doc"]})
                    if r.status_code != 200:
                        self.failed.append(f"{r.status_code}: {r.text[:200]}")
                    elif not r.json()["results"]:
                        self.failed.append(f"no results for {q['question']!r} in {q['doc']}")
                    else:
                        self.ok += 1
                        self.versions.append(r.json()["version"])
                except httpx.HTTPError as e:
                    self.failed.append(f"{type(e).__name__}: {e}")


def describe(left: list[str]) -> str:
    """What a killed build left in the index folder, by kind."""
    kinds = {".tmp-old-": "an old version being deleted", ".tmp-bad-": "a bad version being "
             "deleted", ".tmp-v": "a version being written", ".CURRENT": "CURRENT being replaced"}
    found = {next((k for p, k in kinds.items() if name.startswith(p)), "a version never made live")
             for name in left}
    return " + ".join(sorted(found)) or "nothing"


def loads_and_answers(index: Path, q: dict) -> str:
    """'' if the live index loads and answers `q` in its document, else what went wrong."""
    try:
        stored = store.load(index, DEFAULT_MODEL)
        hits = Retriever(stored).search(q["question"], stored.encoder.encode_one(q["question"]),
                                        3, q["doc"])
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        return f"{type(e).__name__}: {e}"
    return "" if hits else "no results"


def settle(index: Path, url: str, corpus_files: dict[str, str], not_before: float) -> str:
    """Wait until no build runs, the live version matches the corpus with nothing left
    over, and the server serves it; '' or what did not happen in time."""
    deadline = time.monotonic() + SETTLE_SECONDS
    state = ""
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if time.monotonic() < not_before or build_running(index):
            continue
        live = live_version(index)
        manifest = store.read_manifest(index, live) or {}
        try:
            served = httpx.get(url + "/health", timeout=30).json()["version"]
        except httpx.HTTPError as e:
            served = f"({e})"
        left = leftovers(index)
        state = f"live {live}, served {served}, leftovers {left}, " \
                f"corpus matched: {manifest.get('files') == corpus_files}"
        if served == live and not left and manifest.get("files") == corpus_files:
            return ""
    return f"not settled after {SETTLE_SECONDS} s: {state}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=TATQA / "corpus")
    ap.add_argument("--kills", type=int, default=20, help="builds to kill (default: 20)")
    ap.add_argument("--max-attempts", type=int, default=60)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--debounce-ms", type=int, default=3000, help="the server's watch debounce")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    with workdir(args.keep) as tmp:
        corpus = copy_corpus(args.corpus, tmp / "corpus")
        index = tmp / "index"
        settings = get_settings(corpus=corpus, index=index)
        docs = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md"))
        spare = docs[::3]  # deleted in turn; no query is about them, so each has an answer
        qs = [q for q in questions(2000) if q["doc"] in set(docs) - set(spare)][:300]
        print(f"corpus: {len(docs)} documents; load average {load_average()}")
        full = run_build(corpus, index)
        assert full.code == 0, full.out
        print(f"full build: {full.seconds:.1f} s")

        def corpus_files() -> dict[str, str]:
            sources, _ = scan(corpus, settings.max_file_bytes, settings.max_line_chars)
            return {s.path: s.sha256 for s in sources}

        removed: dict[str, str] = {}
        edits = 0

        def change(mode: str) -> str:
            nonlocal edits
            if mode == "edit":
                rel = rng.choice(docs)
                edit_document(corpus / rel, edits)
                edits += 1
            elif mode == "delete":
                rel = rng.choice([d for d in spare if d not in removed])
                removed[rel] = (corpus / rel).read_text(encoding="utf-8")
                (corpus / rel).unlink()
            else:
                rel = next(iter(removed))
                (corpus / rel).write_text(removed.pop(rel), encoding="utf-8")
            return rel

        env = qa_env(watch_debounce_ms=str(args.debounce_ms))
        with server(corpus, index, tmp / "serve.log", "--watch", env=env) as url:
            client = Client(url, qs, deadline=time.monotonic() + 4 * 3600)
            client.start()
            window: dict[str, float] = {}
            for mode in ("edit", "delete", "restore"):  # unkilled builds, to time each kind
                change(mode)
                b = run_build(corpus, index)
                assert b.code == 0, b.out
                window[mode] = b.seconds
                problem = settle(index, url, corpus_files(), time.monotonic())
                assert not problem, problem
            print("unkilled build times: " + ", ".join(f"{m} {s:.1f} s" for m, s in
                                                        window.items()))

            kills, completed = 0, 0
            left_behind: Counter[str] = Counter()
            load_failures: list[str] = []
            settle_failures: list[str] = []
            modes = ["edit", "delete", "restore"]
            attempt = 0
            while kills < args.kills and attempt < args.max_attempts:
                mode = modes[attempt % 3]
                attempt += 1
                rel = change(mode)
                changed_at = time.monotonic()
                proc = subprocess.Popen(build_command(corpus, index), env=qa_env(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
                delay = rng.uniform(0, window[mode])
                time.sleep(delay)
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    left = leftovers(index)
                    left_behind[describe(left)] += 1
                    outcome = f"killed after {delay:.2f} s, left {left or 'nothing'}"
                else:
                    completed += 1
                    outcome = f"completed before its kill at {delay:.2f} s"
                loaded = loads_and_answers(index, rng.choice(qs))
                if loaded:
                    load_failures.append(f"attempt {attempt}: {loaded}")
                settled = settle(index, url, corpus_files(),
                                 changed_at + args.debounce_ms / 1000 + 0.5)
                if settled:
                    settle_failures.append(f"attempt {attempt}: {settled}")
                print(f"{attempt:2d}. {mode:7s} {rel[:13]}: build {outcome}; the index "
                      f"{'FAILED: ' + loaded if loaded else 'loads and answers'}; "
                      f"{'NOT SETTLED' if settled else 'settled on ' + live_version(index)}",
                      flush=True)
            time.sleep(1)
            client.stop.set()
            client.join(180)

        backwards = sum(b < a for a, b in zip(client.versions, client.versions[1:]))
        print(f"\nload average after: {load_average()}")
        print(f"builds killed: {kills} (plus {completed} that completed before their kill)")
        print("what the kills left behind: " + "; ".join(f"{k}: {n}" for k, n in
                                                         left_behind.most_common()))
        print(f"queries: {client.ok + len(client.failed)} sent, {len(client.failed)} failed; "
              f"versions seen {client.versions[0]}..{client.versions[-1]}, "
              f"{backwards} steps backwards")
        for f in client.failed[:10]:
            print(f"  failed query: {f}")
        for f in load_failures + settle_failures:
            print(f"  {f}")
        checks = [
            (f"{kills} builds killed (target {args.kills})", kills >= args.kills),
            (f"{len(client.failed)} failed queries (target 0)", not client.failed),
            (f"the index loaded and answered after every kill ({len(load_failures)} failures)",
             not load_failures),
            (("the next build cleaned every leftover and the server followed "
             f"({len(settle_failures)} failures)"), not settle_failures),
            ("the version the client saw never went backwards", backwards == 0),
        ]
        return report(checks)


if __name__ == "__main__":
    sys.exit(main())
