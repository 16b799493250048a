#!/usr/bin/env python3
"""Whether the thread that calls the query encoder matters: one index's ONNX session
(`OnnxEncoder`, as a server loads it) encodes each question of a set twice, once from
the same thread and once from one of three others in turn (which first alternates); p50
of each. A server encodes every query on its one encoder thread; an answer thread encoding
its own question in place (README "Figures", the /ask lane) made encodings slower, and
this separates the caller from the rest of the server.

    .venv/bin/python scripts/encoder_callers.py --index index
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TATQA
from latency import read_set

from qa.encoder import COMPUTE_THREADS, OnnxEncoder


class Caller:
    """A thread that runs what it is given and says how many milliseconds it took."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            fn, out = self.jobs.get()
            t0 = time.perf_counter()
            fn()
            out.put((time.perf_counter() - t0) * 1000)

    def time(self, fn: Callable[[], object]) -> float:
        out: queue.SimpleQueue = queue.SimpleQueue()
        self.jobs.put((fn, out))
        return out.get()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True, help="a built index")
    ap.add_argument("--set", type=Path, default=TATQA.parent / "seed_dev.jsonl")
    ap.add_argument("--repeat", type=int, default=20, help="times through the set a round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    live = args.index / (args.index / "CURRENT").read_text().strip()
    max_tokens = json.loads((live / "manifest.json").read_text())["encoder"]["max_tokens"]
    encoder = OnnxEncoder(live / "encoder.onnx", live / "tokenizer.json", max_tokens,
                          COMPUTE_THREADS)
    questions = [q["question"] for q in read_set(args.set)] * args.repeat
    one, others = Caller(), [Caller() for _ in range(3)]
    for q in questions[:20]:  # warm up
        encoder.encode_one(q)
    print(f"load average {os.getloadavg()[0]:.2f}")
    for _ in range(args.rounds):
        same: list[float] = []
        turns: list[float] = []
        for i, q in enumerate(questions):  # each question from both, in turn first
            calls = [(same, one), (turns, others[i % 3])]
            for times, caller in calls if i % 2 else calls[::-1]:
                times.append(caller.time(lambda q=q: encoder.encode_one(q)))
        print(f"one thread p50 {statistics.median(same):.2f} ms   three threads in turn p50 "
              f"{statistics.median(turns):.2f} ms   (n={len(same)} each)")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
