#!/usr/bin/env python3
"""The query encoder's options side by side: precision (the export's weights) and threads.

Each variant is the packaged model's ONNX export (`qa.export`, cached) in a
`qa.encoder.OnnxEncoder` with a number of threads (and, over one thread, spinning or not:
onnxruntime's `session.intra_op.allow_spinning`), encoding single questions of the analysis
(seed_dev) and of TAT-QA dev one at a time, as a server does. The variants are interleaved
question by question, so that a change in the machine's load touches them alike. Printed
for each: p50 and p95 wall time, the process's CPU per query (all threads: what the other
requests lose), and the cosine of its vectors to fp32's (min and mean over the questions).

    .venv/bin/python scripts/encoder_options.py                 # fp32, int8w, int8; 1-2 threads
    .venv/bin/python scripts/encoder_options.py --rounds 300
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from latency import EVAL, percentile, read_set, spread

from qa import encoder as encoder_module
from qa.config import get_settings
from qa.encoder import ENCODER, TOKENIZER, OnnxEncoder
from qa.export import cached_export

# (label, precision, threads, spinning): what is compared.
VARIANTS = (("fp32 1 thread", "fp32", 1, "0"),
            ("fp32 2 threads, no spinning", "fp32", 2, "0"),
            ("fp32 2 threads, spinning", "fp32", 2, "1"),
            ("int8w 1 thread", "int8w", 1, "0"),
            ("int8w 2 threads, no spinning", "int8w", 2, "0"),
            ("int8 1 thread", "int8", 1, "0"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=200,
                    help="questions per set, each encoded once by every variant (default 200)")
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    settings = get_settings()
    questions = {
        "analysis": spread([q["question"] for q in read_set(args.eval / "seed_dev.jsonl")],
                           args.rounds),
        "tatqa": spread([q["question"] for q in read_set(args.eval / "tatqa_dev" / "set.jsonl")],
                        args.rounds)}
    folders = {}
    for _, precision, _, _ in VARIANTS:
        if precision not in folders:
            folders[precision] = cached_export(settings.model, precision,
                                               settings.encoder_cache)
    encoders = {}
    for label, precision, threads, spinning in VARIANTS:
        folder, info = folders[precision]
        encoder_module.SPINNING = spinning  # read when the session is made
        encoders[label] = OnnxEncoder(folder / ENCODER, folder / TOKENIZER, info["max_tokens"],
                                      threads)
    figures: dict = {"load_before": load(), "cores": os.cpu_count()}
    print(f"load average {figures['load_before']} on {os.cpu_count()} cores", flush=True)
    wall = {(v, s): [] for v in encoders for s in questions}
    cpu = {(v, s): 0.0 for v in encoders for s in questions}
    vectors = {(v, s): [] for v in encoders for s in questions}
    for label, enc in encoders.items():  # warm-up, uncounted
        for s in questions:
            enc.encode_one(questions[s][0])
    for i in range(args.rounds):
        for s, texts in questions.items():
            for label, enc in encoders.items():
                c0, t0 = time.process_time(), time.perf_counter()
                v = enc.encode_one(texts[i])
                wall[(label, s)].append((time.perf_counter() - t0) * 1000)
                cpu[(label, s)] += (time.process_time() - c0) * 1000
                vectors[(label, s)].append(v)
    figures["load_after"] = load()
    for (label, s), ms in wall.items():
        ref = np.concatenate(vectors[(VARIANTS[0][0], s)])
        cos = (ref * np.concatenate(vectors[(label, s)])).sum(1)
        row = {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2),
               "cpu_ms": round(cpu[(label, s)] / len(ms), 2),
               "cosine_min": round(float(cos.min()), 5), "cosine_mean": round(float(cos.mean()), 6)}
        figures[f"{label} / {s}"] = row
        print(f"{label:<30} {s:<9} p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms  "
              f"CPU {row['cpu_ms']:5.2f} ms a query  cosine to fp32 min {row['cosine_min']:.5f} "
              f"mean {row['cosine_mean']:.6f}")
    print(f"load average {figures['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
