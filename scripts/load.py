#!/usr/bin/env python3
"""Concurrent clients against a real `qa serve` on loopback: errors, latency percentiles
and throughput of POST /retrieve and POST /ask under load.

Each client is a thread with its own keep-alive connection that sends requests one after
another for --seconds: a share --ask-share of them POST /ask, the rest POST /retrieve, on
questions of the chosen set (TAT-QA's scoped by their `doc`). With --think T a client
waits a random time (exponential, mean T seconds) between its requests, as a person
would; with 0 (the default) it sends the next request as soon as the last is answered,
which measures the server at saturation. The load average is printed beside the
figures: on a shared machine they depend on it.

Target (issue 12): 16 clients for 60 s, 0 errors, /retrieve p99 <= 50 ms.

    .venv/bin/python scripts/load.py                             # the analysis, 16 clients
    .venv/bin/python scripts/load.py --set tatqa --think 0.5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TATQA, load_average, qa_env, report, run_build, server
from latency import percentile, read_set

from qa.encoder import COMPUTE_THREADS

ROOT = Path(__file__).resolve().parent.parent
EVAL = TATQA.parent


def server_cpu_s(port: int) -> float:
    """CPU seconds used so far by the process listening on `port` (found with `ss`)."""
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True,
                         check=False).stdout
    m = re.search(r"pid=(\d+)", out)
    if not m:
        return float("nan")
    fields = Path(f"/proc/{m[1]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client(port: int, bodies: list[tuple[str, dict]], until: float, think: float,
           seed: int, out: list) -> None:
    """Send requests until `until`; append (path, ms, ok) to `out`."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"content-type": "application/json"}
    while time.monotonic() < until:
        path, body = rng.choice(bodies)
        t0 = time.perf_counter()
        try:
            conn.request("POST", path, json.dumps(body), headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((path, (time.perf_counter() - t0) * 1000, ok))
        if think:
            time.sleep(rng.expovariate(1 / think))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=["analysis", "tatqa"], default="analysis")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--ask-share", type=float, default=0.25,
                    help="share of requests that are POST /ask (default 0.25)")
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean seconds a client waits between requests (default 0)")
    ap.add_argument("--index", type=Path, help="a built index of the set's corpus (default: "
                    "built fresh into a temporary folder)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--query-threads", type=int, default=COMPUTE_THREADS,
                    help=f"the server's QA_QUERY_THREADS (default {COMPUTE_THREADS}, as qa "
                    "serve's)")
    args = ap.parse_args()

    if args.set == "analysis":
        corpus = ROOT / "corpus"
        items = [{"question": q["question"]} for q in read_set(EVAL / "seed_dev.jsonl")]
    else:
        corpus = TATQA / "corpus"
        items = [q for q in read_set(TATQA / "set.jsonl") if q.get("doc")]
    retrieve = [("/retrieve", {"query": q["question"], "k": 5,
                               **({"doc": q["doc"]} if q.get("doc") else {})}) for q in items]
    ask = [("/ask", {"question": q["question"], **({"doc": q["doc"]} if q.get("doc") else {})})
           for q in items]
    n_ask = round(len(retrieve) * args.ask_share / max(1e-9, 1 - args.ask_share))
    bodies = retrieve + (ask * (1 + n_ask // max(1, len(ask))))[:n_ask]

    with tempfile.TemporaryDirectory(prefix="qa-load-") as tmp:
        index = args.index or Path(tmp) / "index"
        built = run_build(corpus, index)
        if built.code != 0:
            sys.exit(f"qa build failed:\n{built.out[-2000:]}")
        with server(corpus, index, Path(tmp) / "serve.log",
                    env=qa_env(query_threads=str(args.query_threads))) as url:
            port = int(url.rsplit(":", 1)[1])
            warm: list = []
            client(port, bodies, time.monotonic() + 3, 0, -1, warm)  # uncounted
            load_before = load_average()
            cpu_before = server_cpu_s(port)
            until = time.monotonic() + args.seconds
            results: list[list] = [[] for _ in range(args.clients)]
            threads = [threading.Thread(target=client, args=(port, bodies, until, args.think,
                                                             i, results[i]))
                       for i in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - t0
            load_after = load_average()
            server_cpu = server_cpu_s(port) - cpu_before

    rows = [r for rs in results for r in rs]
    figures: dict = {"clients": args.clients, "seconds": round(elapsed, 1), "set": args.set,
                     "think_s": args.think, "ask_share": args.ask_share,
                     "load_before": load_before, "load_after": load_after,
                     "errors": sum(not ok for _, _, ok in rows),
                     "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, len(rows)), 2)}
    print(f"{args.clients} clients, {elapsed:.0f} s, {args.set}, think {args.think} s; "
          f"load average {load_before} -> {load_after} on {os.cpu_count()} cores")
    for path in ("/retrieve", "/ask"):
        ms = [m for p, m, ok in rows if p == path and ok]
        if not ms:
            continue
        f = {"n": len(ms), "per_s": round(len(ms) / elapsed, 1),
             **{f"p{p}_ms": round(percentile(ms, p), 1) for p in (50, 95, 99)}}
        figures[path] = f
        print(f"POST {path:<9} n={f['n']:<6} {f['per_s']:6.1f}/s   p50 {f['p50_ms']:7.1f} ms   "
              f"p95 {f['p95_ms']:7.1f} ms   p99 {f['p99_ms']:7.1f} ms")
    print(f"errors: {figures['errors']}; the server used {server_cpu:.1f} CPU-s, "
          f"{figures['server_cpu_ms_per_request']:.1f} CPU-ms a request (both kinds)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    p99 = figures.get("/retrieve", {}).get("p99_ms", float("inf"))
    return report([(f"errors: {figures['errors']} == 0", figures["errors"] == 0),
                   (f"/retrieve p99 {p99:.1f} ms <= 50 ms", p99 <= 50)])


if __name__ == "__main__":
    sys.exit(main())
