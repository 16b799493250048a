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
    scripts/engine_cost.py squad_train --against /work/main --rounds 4   # before -> after

--against CHECKOUT times another checkout of the project (its `qa` package, through this
script) beside this one, in alternating rounds (one process per checkout and round, the
other checkout first in odd rounds, this one first in even ones), so that a change in the
machine's load touches both alike; it prints per set and checkout the CPU ms of
ask-retrieve p50 of each round, and the p50 over the sample of each question's least CPU
ms over the rounds (the figure least touched by other work), with the difference. Both
checkouts read the same --cache (their indexes must be of one format).

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
            "cpu": fig(cpu_gaps), "by id": {it["id"]: ms for it, ms in zip(items, cpu_gaps)},
            "p50 gap": round(percentile(asks, 50) - percentile(rets, 50), 2)}, answers


def least_p50(rounds: list[dict[str, float]]) -> float:
    """The p50 over the questions of each one's least milliseconds over the rounds (every
    round times the same questions, by id)."""
    ids = set.intersection(*(set(r) for r in rounds)) if rounds else set()
    return percentile([min(r[i] for r in rounds) for i in sorted(ids)], 50) if ids else 0.0


def against(args) -> int:
    """Time this checkout and `args.against` in alternating rounds (see the docstring);
    print the figures."""
    import subprocess
    import tempfile

    here = str(ROOT)
    there = str(args.against.resolve())
    times: dict[str, dict[str, list[dict[str, float]]]] = {here: {}, there: {}}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for checkout in ((there, here) if r % 2 == 0 else (here, there)):
                out = Path(tmp) / f"{r}-{len(times[checkout])}.json"
                cmd = [sys.executable, __file__, *args.sets, "--per-set", str(args.per_set),
                       "--k", str(args.k), "--cache", str(args.cache),
                       "--warmup", str(args.warmup), "--times", str(out)]
                env = {**os.environ, "PYTHONPATH": checkout}
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                got = json.loads(out.read_text())
                for name, per in got.items():
                    times[checkout].setdefault(name, []).append(per)
                print(f"round {r + 1} {checkout}: " + ", ".join(
                    f"{name} {percentile(list(per.values()), 50):.2f}"
                    for name, per in got.items()) + f" CPU ms p50  load "
                    f"{os.getloadavg()[0]:.2f}", flush=True)
    for name in args.sets:
        before, after = least_p50(times[there][name]), least_p50(times[here][name])
        print(f"{name}: CPU ms of ask-retrieve, p50 of each question's least over "
              f"{args.rounds} rounds: {there} {before:.2f} -> {here} {after:.2f} "
              f"({after - before:+.2f})")
    return 0


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
    ap.add_argument("--times", type=Path,
                    help="write each timed question's CPU ms of ask-retrieve here (JSON, by "
                    "set and id)")
    ap.add_argument("--against", type=Path, metavar="CHECKOUT",
                    help="time another checkout beside this one in alternating rounds")
    ap.add_argument("--rounds", type=int, default=4,
                    help="rounds of --against, each checkout once a round (default 4)")
    args = ap.parse_args()
    if args.against:
        return against(args)

    profiler = cProfile.Profile() if args.profile else None
    if args.sampled:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    answers: dict[tuple[str, str], dict] = {}
    cpu: dict[str, dict[str, float]] = {}
    for name in args.sets:
        figures, got = run_set(name, args, profiler)
        cpu[name] = figures.pop("by id")
        answers.update({(name, i): a for i, a in got.items()})
        print(f"{name}: n={figures['n']}  ask-retrieve p50 {figures['ask-retrieve']['p50']:.2f} "
              f"p95 {figures['ask-retrieve']['p95']:.2f} ms  (retrieve p50 "
              f"{figures['retrieve']['p50']:.2f}, ask p50 {figures['ask']['p50']:.2f}, "
              f"difference of p50s {figures['p50 gap']:.2f}; CPU ms of ask-retrieve p50 "
              f"{figures['cpu']['p50']:.2f} p95 {figures['cpu']['p95']:.2f} mean "
              f"{figures['cpu']['mean']:.2f})  "
              f"load {os.getloadavg()[0]:.2f}",
              flush=True)
    if args.times:
        args.times.write_text(json.dumps(cpu))
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
