#!/usr/bin/env python3
"""The answer engine's share of `/ask`, measured in-process on a fixed sample of each set:
per question, the time of `service.ask` minus that of `service.retrieve` (what the
issue's "/ask p50 within 5 ms of /retrieve p50" compares, without HTTP), with p50 and p95
per set, in wall time and in CPU time of the asking thread (less sensitive to other work
on the machine: the query encoding runs on the service's encoder thread either way).
Optionally writes every answer (text, grounded, citations) to a file, or
compares them with such a file, so that a change meant to be only faster is shown to
alter no answer; and profiles the asks with cProfile.

    scripts/engine_cost.py                         # all three sets, default sample
    scripts/engine_cost.py seed_dev --dump /tmp/before.jsonl
    scripts/engine_cost.py --compare /tmp/before.jsonl   # exit 1 when an answer differs
    scripts/engine_cost.py squad_train --profile 30      # top 30 functions by own time
    scripts/engine_cost.py squad_train --sampled         # pyinstrument's call tree (if installed)

The samples: seed_dev and the probe sets over the analysis (`tests/probes/engine_analysis`
and `support`) whole; tatqa_dev and squad_train `--per-set` questions (default 300) taken
evenly across the set. Each question is asked as the scorer asks it (its history first,
untimed). The sets' indexes are built once into --cache/<set> (as `answer_eval.py` does)
and reused. Every question is timed at its first asking, after --warmup other questions of
its set (default 300, taken evenly from outside the sample; seed_dev has none: its first
few): a server the scorer runs through a whole set has read most chunks before most
questions, so what answering keeps per chunk is warm and what it works out per question is
not, as here. --warmup 0 times cold chunks too; --warm asks the sample itself first (a
lower bound: every cache holds the sample's texts).
Timings vary with the machine's load: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answer_eval import CORPORA, service
from evalsets import SETS, load
from latency import percentile, spread

ROOT = Path(__file__).resolve().parent.parent
PROBES = ("engine_analysis", "support")  # the probe sets written over the analysis
FIRST = 5  # seed_dev's own questions asked before timing (its 25 chunks are read by then)


def sample(name: str, per_set: int, warmup: int) -> tuple[list[dict], list[dict]]:
    """(the fixed sample of a set, other questions of the set to warm up with)."""
    items = load(SETS[name])
    if name == "seed_dev":
        items = items + [it for p in PROBES for it in load(ROOT / "tests" / "probes" / f"{p}.jsonl")]
        return items, items[:min(FIRST, warmup)]
    picked = spread(items, per_set)
    ids = {it["id"] for it in picked}
    others = [it for it in items if it["id"] not in ids]
    return picked, spread(others, min(warmup, len(others))) if warmup else []


def ask(svc, item: dict):
    """The item's answer as the scorer asks it: its earlier questions first (untimed), and
    the milliseconds of the last ask."""
    history: list[tuple[str, str]] = []
    doc = item.get("doc")
    for earlier in item.get("history", []):
        prev = svc.ask(earlier, history, doc)
        history += [("user", earlier), ("assistant", prev.answer)]
    t0, c0 = time.perf_counter(), time.thread_time()
    out = svc.ask(item["question"], history, doc)
    return out, ((time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000)


def retrieve_ms(svc, item: dict, k: int) -> tuple[float, float]:
    """Milliseconds of the scorer's /retrieve call for the item, in-process: wall time, and
    CPU time of this thread (the query is encoded on the service's encoder thread)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    svc.retrieve(item["question"], k, item.get("doc"))
    return (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000


def shown(answer) -> dict:
    """Everything /ask returns of an answer (text, grounded, citations with their scores,
    derivation, notes) but the index version."""
    d = answer.to_dict()
    d.pop("version", None)
    return d


def run_set(name: str, args, profiler) -> tuple[dict, dict]:
    """Time the set's sample; (its figures, its answers by id)."""
    items, warm = sample(name, args.per_set, args.warmup)
    cache = args.cache / name
    svc = service(CORPORA[name], cache)
    for item in warm + (items if args.warm else []):
        svc.retrieve(item["question"], args.k, item.get("doc"))
        ask(svc, item)
    rets, asks, gaps, cpu_gaps, answers = [], [], [], [], {}
    for item in items:
        r, r_cpu = retrieve_ms(svc, item, args.k)
        if profiler:
            profiler.start() if args.sampled else profiler.enable()
        out, (a, a_cpu) = ask(svc, item)
        if profiler:
            profiler.stop() if args.sampled else profiler.disable()
        answers[item["id"]] = json.loads(json.dumps(shown(out), default=str))
        asks.append(a)
        rets.append(r)
        gaps.append(a - r)
        cpu_gaps.append(a_cpu - r_cpu)
    svc.stop()

    def fig(ms: list[float]) -> dict:
        return {"p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2),
                "mean": round(sum(ms) / len(ms), 2)}

    return {"n": len(items), "retrieve": fig(rets), "ask": fig(asks), "ask-retrieve": fig(gaps),
            "cpu": fig(cpu_gaps),
            "p50 gap": round(percentile(asks, 50) - percentile(rets, 50), 2)}, answers


def compare(before: Path, answers: dict[str, dict]) -> int:
    """Print the answers that differ from those in `before`; the number that differ."""
    old = {}
    with open(before, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            old[(row["set"], row["id"])] = row["shown"]
    differ = 0
    for key, now in answers.items():
        if key in old and old[key] != now:
            differ += 1
            print(f"  differs {key}:\n    was {json.dumps(old[key], ensure_ascii=False)[:400]}"
                  f"\n    now {json.dumps(now, ensure_ascii=False)[:400]}")
    missing = len([k for k in answers if k not in old])
    print(f"answers compared: {len(answers) - missing}, differ: {differ}"
          + (f", not in {before}: {missing}" if missing else ""))
    return differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="*", default=list(CORPORA), help="seed_dev tatqa_dev squad_train")
    ap.add_argument("--per-set", type=int, default=300,
                    help="questions taken evenly from tatqa_dev and squad_train (default 300)")
    ap.add_argument("--k", type=int, default=5, help="hits asked of /retrieve (default 5)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/qa-engine-cost"),
                    help="index folders, one per set (default /tmp/qa-engine-cost/<set>)")
    ap.add_argument("--warmup", type=int, default=300,
                    help="other questions of the set asked first, untimed (default 300)")
    ap.add_argument("--warm", action="store_true",
                    help="ask the whole sample once untimed first (caches hold its texts)")
    ap.add_argument("--dump", type=Path, help="write every answer here (JSONL)")
    ap.add_argument("--compare", type=Path, help="compare every answer with such a dump")
    ap.add_argument("--profile", type=int, metavar="N",
                    help="profile the timed asks and print the N costliest functions")
    ap.add_argument("--sampled", action="store_true",
                    help="profile the timed asks with pyinstrument (a sampling profiler, "
                    "which distorts less than cProfile; `pip install pyinstrument`) and print "
                    "its call tree")
    args = ap.parse_args()

    profiler = cProfile.Profile() if args.profile else None
    if args.sampled:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    answers: dict[tuple[str, str], dict] = {}
    for name in args.sets:
        figures, got = run_set(name, args, profiler)
        answers.update({(name, i): a for i, a in got.items()})
        print(f"{name}: n={figures['n']}  ask-retrieve p50 {figures['ask-retrieve']['p50']:.2f} "
              f"p95 {figures['ask-retrieve']['p95']:.2f} ms  (retrieve p50 "
              f"{figures['retrieve']['p50']:.2f}, ask p50 {figures['ask']['p50']:.2f}, "
              f"difference of p50s {figures['p50 gap']:.2f}; CPU ms of ask-retrieve p50 "
              f"{figures['cpu']['p50']:.2f} p95 {figures['cpu']['p95']:.2f} mean "
              f"{figures['cpu']['mean']:.2f})  "
              f"load {os.getloadavg()[0]:.2f}",
              flush=True)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for (name, i), a in answers.items():
                f.write(json.dumps({"set": name, "id": i, "shown": a}, ensure_ascii=False) + "\n")
    if args.sampled:
        print(profiler.output_text(show_all=False, color=False))
    elif profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    if args.compare:
        return 1 if compare(args.compare, answers) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
