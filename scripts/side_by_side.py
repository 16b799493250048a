#!/usr/bin/env python3
"""`POST /retrieve` and `POST /ask` of several checkouts' servers side by side: the same
index, the same questions, every round's calls in a shuffled order, so that a change in
the machine's load touches every server alike.

For each checkout a `qa serve` is started with its own code (its `.venv/bin/python -m
qa.cli` run in its folder: a detached worktree of main with a link to this checkout's
.venv will do) on the one index. Each round sends one question of the set to every
server, both as /retrieve and as /ask (questions with a history are left out), on one
keep-alive connection per server (`http.client`), or with `--new-connections` one
connection per request as `score.py` sends them. Printed per server: the p50 of each, the
gap between the p50s (what issue 9 bounds: /ask within 5 ms of /retrieve), and the
median of the per-question gap; then each server against the last one, question by
question.

Servers on the same code differ by up to about 1 ms in p50 on a busy machine (each
process's own luck with the cores), so a difference in one server's p50s is worth more
than a difference between two servers', and one run says little: repeat it.

    .venv/bin/python scripts/side_by_side.py . /work/wt/main-base --index /tmp/idx \\
        --corpus corpus --rounds 400
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TATQA, Client, qa_env, server
from latency import read_set

PATHS = ("/retrieve", "/ask")


def body(path: str, item: dict) -> dict:
    """The request the scorer sends for an item to /retrieve or /ask."""
    out = ({"query": item["question"], "k": 5} if path == "/retrieve"
           else {"question": item["question"], "history": []})
    if item.get("doc"):
        out["doc"] = item["doc"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkouts", nargs="+", type=Path,
                    help="folders with qa/ and .venv/ (the last is the one compared with)")
    ap.add_argument("--index", type=Path, required=True, help="a built index of --corpus")
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--set", type=Path, default=TATQA.parent / "seed_dev.jsonl",
                    help="questions (JSONL; default seed_dev)")
    ap.add_argument("--rounds", type=int, default=400, help="questions sent (cycling the set)")
    ap.add_argument("--paths", default=",".join(PATHS),
                    help="the requests sent for each question (default /retrieve,/ask; "
                    "/retrieve alone times retrieval without /ask's load in between)")
    ap.add_argument("--new-connections", action="store_true",
                    help="one connection per request, as score.py (urllib) sends them")
    args = ap.parse_args()
    items = [it for it in read_set(args.set) if not it.get("history")]
    paths = tuple(p for p in args.paths.split(",") if p in PATHS)
    env = qa_env()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with ExitStack() as stack:
        urls = {str(c): stack.enter_context(server(
            args.corpus, args.index, Path(f"/tmp/side-by-side-{i}.log"), env=env,
            start_timeout=600, python=str(c.absolute() / ".venv" / "bin" / "python")))
            for i, c in enumerate(args.checkouts)}
        clients = {name: Client(url) for name, url in urls.items()}

        def call(name: str, path: str, item: dict) -> float:
            t0 = time.perf_counter()
            if args.new_connections:
                req = urllib.request.Request(urls[name] + path,
                                             data=json.dumps(body(path, item)).encode(),
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=60) as resp:
                    status = resp.status
                    resp.read()
            else:
                status, _ = clients[name].request("POST", path, body(path, item))
            if status != 200:
                raise SystemExit(f"{name} {path} -> {status}")
            return (time.perf_counter() - t0) * 1000

        for item in items[:10]:  # warm up
            for name in urls:
                for path in paths:
                    call(name, path, item)
        ms: dict[tuple[str, str], list[float]] = {(n, p): [] for n in urls for p in paths}
        order = list(ms)
        shuffle = random.Random(1).shuffle
        for i in range(args.rounds):
            shuffle(order)
            for name, path in order:
                ms[name, path].append(call(name, path, items[i % len(items)]))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    median = statistics.median
    for name in urls:
        if paths != PATHS:
            print(f"{name}: " + ", ".join(f"{p} p50 {median(ms[name, p]):6.2f} ms" for p in paths))
            continue
        r, a = ms[name, "/retrieve"], ms[name, "/ask"]
        print(f"{name}: /retrieve p50 {median(r):6.2f} ms, /ask p50 {median(a):6.2f} ms, "
              f"gap {median(a) - median(r):+5.2f} ms (median gap per question "
              f"{median([x - y for x, y in zip(a, r)]):+5.2f})")
    last = str(args.checkouts[-1])
    for name in list(urls)[:-1]:
        for path in paths:
            d = [x - y for x, y in zip(ms[name, path], ms[last, path])]
            print(f"{name} minus {last}, {path}: median per question {median(d):+.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
