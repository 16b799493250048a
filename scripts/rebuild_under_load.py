"""Rebuilds through `POST /index/rebuild` while clients query `qa serve` continuously.

Over a private copy of the TAT-QA corpus: a full build, then `qa serve` with an admin
token (a random one, passed in QA_ADMIN_TOKEN, never printed) and --clients threads,
each on its own connection, sending in turn doc-scoped `POST /retrieve`, `POST /ask` and
`GET /health` for the whole run. Meanwhile --rebuilds times: edit one document, then
`POST /index/rebuild` with the token; each must answer 200 with the next version.

After each rebuild, a citation taken from an answer given before it is resolved through
`GET /chunks/{id}?version=` in the version that answer named.

Printed: every rebuild (seconds, chunks embedded, version), requests sent and failed
(any status but 200 or a transport error), latency during and between rebuilds, and,
per client, whether the index version it saw ever went backwards. Everything runs on
127.0.0.1; the run ends by itself. Exit 1 unless all checks pass.

    .venv/bin/python scripts/rebuild_under_load.py
    .venv/bin/python scripts/rebuild_under_load.py --rebuilds 3 --clients 4
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    TATQA,
    copy_corpus,
    edit_document,
    load_average,
    qa_env,
    questions,
    run_build,
    server,
    workdir,
)


class Client(threading.Thread):
    """Queries the server in a loop until stopped; records each answer's version and time."""

    def __init__(self, url: str, qs: list[dict], offset: int, deadline: float) -> None:
        super().__init__(daemon=True)
        self.url, self.qs, self.offset, self.deadline = url, qs, offset, deadline
        self.stop = threading.Event()
        self.failed: list[str] = []
        self.seen: list[tuple[float, float, str]] = []  # (start, seconds, version)
        self.cited: list[tuple[str, str]] = []  # (version, chunk id) from /ask

    def run(self) -> None:
        n = self.offset
        with httpx.Client(base_url=self.url, timeout=300) as http:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                q = self.qs[n % len(self.qs)]
                kind = n % 3
                n += 1
                t0 = time.monotonic()
                try:
                    if kind == 0:
                        r = http.post("/retrieve", json={"query": q["question"], "k": 3,
                                                         "doc": q["doc"]})
                    elif kind == 1:
                        r = http.post("/ask", json={"question": q["question"], "doc": q["doc"]})
                    else:
                        r = http.get("/health")
                except httpx.HTTPError as e:
                    self.failed.append(f"{type(e).__name__}: {e}")
                    continue
                if r.status_code != 200:
                    self.failed.append(f"{r.request.url.path} {r.status_code}: {r.text[:200]}")
                    continue
                body = r.json()
                self.seen.append((t0, time.monotonic() - t0, body["version"]))
                if kind == 1 and body.get("citations"):
                    self.cited.append((body["version"], body["citations"][0]["id"]))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=TATQA / "corpus")
    ap.add_argument("--rebuilds", type=int, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    with workdir(args.keep) as tmp:
        corpus = copy_corpus(args.corpus, tmp / "corpus")
        index = tmp / "index"
        docs = sorted(corpus.rglob("*.md"))
        print(f"corpus: {len(docs)} documents; load average {load_average()}")
        full = run_build(corpus, index)
        assert full.code == 0, full.out
        print(f"full build: {full.seconds:.1f} s")
        names = {p.relative_to(corpus).as_posix() for p in docs}
        qs = [q for q in questions(2000) if q["doc"] in names][:300]
        token = secrets.token_urlsafe(24)
        auth = {"Authorization": f"Bearer {token}"}
        with server(corpus, index, tmp / "serve.log", env=qa_env(admin_token=token)) as url:
            clients = [Client(url, qs, i * 37, time.monotonic() + 3 * 3600)
                       for i in range(args.clients)]
            for c in clients:
                c.start()
            time.sleep(5)  # the clients at full speed before the first rebuild
            rebuilds: list[tuple[float, float]] = []
            problems: list[str] = []
            unresolved: list[str] = []
            version = httpx.get(url + "/health", timeout=60).json()["version"]
            with httpx.Client(base_url=url, timeout=1800) as admin:
                for n in range(args.rebuilds):
                    doc = docs[(n * 7919) % len(docs)]
                    edit_document(doc, n)
                    before = [c for cl in clients for c in cl.cited[-3:]]
                    t0 = time.monotonic()
                    r = admin.post("/index/rebuild", headers=auth)
                    t1 = time.monotonic()
                    rebuilds.append((t0, t1))
                    if r.status_code != 200:
                        problems.append(f"rebuild {n + 1}: {r.status_code} {r.text[:300]}")
                        continue
                    body = r.json()
                    report = body["report"]
                    expected = f"v{int(version[1:]) + 1:06d}"
                    if body["version"] != expected or not report["live"]:
                        problems.append(f"rebuild {n + 1}: serves {body['version']}, "
                                        f"expected {expected}: {report}")
                    version = body["version"]
                    print(f"rebuild {n + 1:2d}: {t1 - t0:5.1f} s, {report['embedded']} chunks "
                          f"embedded, {report['reused']} reused, changed "
                          f"{report['changed']} -> serving {version}", flush=True)
                    for v, cid in before:
                        res = admin.get(f"/chunks/{cid}", params={"version": v})
                        if res.status_code != 200:
                            unresolved.append(f"{cid} in {v}: {res.status_code} {res.text[:200]}")
            time.sleep(5)  # and some after the last
            for c in clients:
                c.stop.set()
            for c in clients:
                c.join(600)

        def during(t: float) -> bool:
            return any(a <= t <= b for a, b in rebuilds)

        seen = [s for c in clients for s in c.seen]
        failed = [f for c in clients for f in c.failed]
        backwards = [sum(int(b[2][1:]) < int(a[2][1:]) for a, b in zip(c.seen, c.seen[1:]))
                     for c in clients]
        busy = [s * 1000 for t, s, _ in seen if during(t)]
        idle = [s * 1000 for t, s, _ in seen if not during(t)]
        finals = {c.seen[-1][2] for c in clients if c.seen}
        print(f"\nload average after: {load_average()}")
        print(f"rebuilds: {len(rebuilds)}, median {statistics.median(b - a for a, b in rebuilds):.1f} s")
        print(f"requests: {len(seen) + len(failed)} sent by {len(clients)} clients, "
              f"{len(failed)} failed")
        for f in failed[:10]:
            print(f"  failed: {f}")
        for p in problems + unresolved[:10]:
            print(f"  {p}")
        if busy and idle:
            print(f"latency during rebuilds: p50 {percentile(busy, 50):.0f} ms, p95 "
                  f"{percentile(busy, 95):.0f} ms ({len(busy)} requests); between: p50 "
                  f"{percentile(idle, 50):.0f} ms, p95 {percentile(idle, 95):.0f} ms "
                  f"({len(idle)} requests)")
        print("versions seen per client: " + ", ".join(
            f"{c.seen[0][2]}..{c.seen[-1][2]}" if c.seen else "none" for c in clients))
        checks = [
            (f"{len(rebuilds)} rebuilds answered 200 with the next version",
             len(rebuilds) == args.rebuilds and not problems),
            (f"{len(failed)} failed requests (target 0)", not failed and len(seen) > 0),
            (f"the version never went backwards for any client ({sum(backwards)} steps back)",
             sum(backwards) == 0),
            (f"every client ended on the last version ({', '.join(sorted(finals))})",
             finals == {version}),
            ((f"citations given before a rebuild resolved in their version "
             f"({len(unresolved)} did not)"), not unresolved),
        ]
        return report(checks)


if __name__ == "__main__":
    sys.exit(main())
