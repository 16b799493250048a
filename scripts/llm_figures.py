#!/usr/bin/env python3
"""Figures of the LLM answerer and the OpenAI-compatible endpoint, measured from outside
against real servers on 127.0.0.1 (issue 11):

  1. With SmolLM2-135M-Instruct behind `qa` (llama.cpp's server, one thread), every
     question of the sets is asked over `POST /ask` (with its history) and every reply is
     checked claim by claim, independently of the server: each sentence of an LLM-written
     answer must carry markers within 1..N only, be supported by a chunk it cites (the
     service's support check, recomputed here) and hold no number its cited chunks lack.
     Printed: answers with an unsupported sentence, with a number no source holds, with a
     bad marker (all must be 0), failed requests (0), and the share of replies whose LLM
     text survived verification (of all, and of the grounded ones).
  2. The first streamed byte with the LLM on (`POST /ask` and `/v1/chat/completions` with
     streaming): must be under 100 ms.
  3. With no LLM, `POST /v1/chat/completions` p50 against `POST /ask` p50 on the same
     questions, interleaved: within 5 ms.

    .venv/bin/python scripts/llm_figures.py                         # seed + tests/probes/*
    .venv/bin/python scripts/llm_figures.py --set tests/probes/x.jsonl=tests/reports

Sets are FILE or FILE=CORPUS (default corpus: corpus/, the analysis). The load average is
printed: the machine is shared, and timings taken under load vary. Exit 1 when a check
misses.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import llama_server, load_average, qa_env, report, run_build, server

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
FIRST_BYTE_MS = 100.0
REASONS = ("cites no source", "which no source has", "does not support", "stands in no source",
           "rests on", "holds no words")
MARGIN_MS = 5.0


def read_set(path: Path) -> list[dict]:
    """The questions of a JSONL set."""
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def history_of(item: dict) -> list[dict]:
    """The set's earlier user questions as /ask history."""
    return [{"role": "user", "content": q} for q in item.get("history", [])]


class ClaimChecker:
    """Checks a reply claim by claim with the service's own pieces, in this process."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))
        import numpy as np

        from qa.answer.sentence_check import sentence_check
        from qa.embed import Embedder

        self.np = np
        self.embedder = Embedder()
        self.check = sentence_check(self.similarity)

    def similarity(self, text: str, chunk) -> float:
        units = self.embedder.encode(chunk.units())
        return float(self.np.max(units @ self.embedder.encode([text])[0]))

    def problems(self, reply: dict) -> dict[str, list[str]]:
        """What is wrong with an LLM-written reply: unsupported sentences, numbers no cited
        source holds, markers outside 1..N (empty lists: nothing)."""
        from decimal import Decimal

        from qa.answer import Claim
        from qa.answer.verify import number_problems, read_markers, segments
        from qa.chunk import Chunk

        fields = set(Chunk.__dataclass_fields__)
        cited = [Chunk.from_dict({k: v for k, v in c.items() if k in fields})
                 for c in reply["citations"]]
        computed = [Decimal(reply["derivation"]["value"])] if reply.get("derivation") else []
        out: dict[str, list[str]] = {"unsupported": [], "numbers": [], "markers": []}
        for raw in segments(reply["answer"]):
            s = read_markers(raw, len(cited))
            if s.removed or not s.cites:
                out["markers"].append(raw)
                continue
            chunks = [cited[k - 1] for k in s.cites]
            if not any(self.check(Claim(s.text, c, 1.0)).ok for c in chunks):
                out["unsupported"].append(raw)
            if number_problems(s, chunks, computed):
                out["numbers"].append(raw)
        return out


def ask_all(url: str, items: list[dict], checker: ClaimChecker, timeout: float) -> dict:
    """Every question asked once; the replies checked."""
    counts = {"asked": 0, "failed": 0, "grounded": 0, "llm": 0, "unsupported": 0,
              "numbers": 0, "markers": 0, "dropped_sentences": 0}
    examples: list[str] = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for it in items:
            counts["asked"] += 1
            body = {"question": it["question"], "history": history_of(it)}
            if it.get("doc"):
                body["doc"] = it["doc"]
            try:
                resp = client.post("/ask", json=body)
                reply = resp.json()
            except (httpx.HTTPError, ValueError) as e:
                counts["failed"] += 1
                examples.append(f"{it['id']}: request failed: {e}")
                continue
            if resp.status_code != 200:
                counts["failed"] += 1
                examples.append(f"{it['id']}: HTTP {resp.status_code}: {resp.text[:200]}")
                continue
            counts["grounded"] += bool(reply["grounded"])
            counts["dropped_sentences"] += len(reply.get("dropped", []))
            for d in reply.get("dropped", []):  # why, by the first reason's kind
                kind = next((k for k in REASONS if k in d["reasons"][0]), "other")
                counts[f"dropped: {kind}"] = counts.get(f"dropped: {kind}", 0) + 1
            if reply.get("composed_by") != "llm":
                continue
            counts["llm"] += 1
            for kind, bad in checker.problems(reply).items():
                if bad:
                    counts[kind] += 1
                    examples.append(f"{it['id']} {kind}: {bad[0][:160]}")
    return {**counts, "examples": examples}


def first_bytes(url: str, questions: list[str], timeout: float) -> dict[str, list[float]]:
    """Milliseconds to the first byte of streamed answers, for /ask and
    /v1/chat/completions. Each stream is closed after its first byte (the server then
    stops the model): the first byte never waits for the model, so the time does not
    depend on how long the answer takes."""
    out: dict[str, list[float]] = {"ask": [], "chat": []}
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for q in questions:
            for name, path, body in (
                    ("ask", "/ask", {"question": q, "stream": True}),
                    ("chat", "/v1/chat/completions",
                     {"model": "qa", "stream": True, "messages": [{"role": "user", "content": q}]})):
                t0 = time.perf_counter()
                with client.stream("POST", path, json=body) as resp:
                    first = float("inf")
                    for _ in resp.iter_raw():
                        first = (time.perf_counter() - t0) * 1000
                        break
                out[name].append(first)
    return out


def p50(values: list[float]) -> float:
    return statistics.median(values)


def latencies(url: str, questions: list[str], rounds: int, warmup: int) -> dict[str, list[float]]:
    """/ask and /v1/chat/completions (no LLM) on the same questions, interleaved, ms."""
    out: dict[str, list[float]] = {"ask": [], "chat": []}
    with httpx.Client(base_url=url, timeout=60) as client:
        def ask(q: str) -> None:
            client.post("/ask", json={"question": q}).raise_for_status()

        def chat(q: str) -> None:
            client.post("/v1/chat/completions", json={
                "model": "qa", "messages": [{"role": "user", "content": q}]}).raise_for_status()

        for q in questions[:warmup]:
            ask(q)
            chat(q)
        for i in range(rounds):
            q = questions[i % len(questions)]
            for name, call in (("ask", ask), ("chat", chat)) if i % 2 else (("chat", chat), ("ask", ask)):
                t0 = time.perf_counter()
                call(q)
                out[name].append((time.perf_counter() - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", default=[], metavar="FILE[=CORPUS]",
                    help="a question set and its corpus (default: seed_dev and tests/probes/*)")
    ap.add_argument("--eval", type=Path, default=EVAL, help="folder with seed_dev.jsonl")
    ap.add_argument("--streams", type=int, default=10, help="streamed answers timed (default 10)")
    ap.add_argument("--rounds", type=int, default=100, help="requests per endpoint (default 100)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per LLM request")
    ap.add_argument("--limit", type=int, default=0, help="questions per set (0: all)")
    args = ap.parse_args(argv)

    specs = args.set or [str(args.eval / "seed_dev.jsonl"),
                         *map(str, sorted((ROOT / "tests" / "probes").glob("*.jsonl")))]
    sets: dict[Path, list[tuple[str, list[dict]]]] = {}
    for spec in specs:
        path, _, corpus = spec.partition("=")
        items = read_set(Path(path))[: args.limit or None]
        sets.setdefault(Path(corpus) if corpus else ROOT / "corpus", []).append((path, items))
    print(f"machine: load {load_average()}", flush=True)

    checker = ClaimChecker()
    checks: list[tuple[str, bool]] = []
    settings = {"llm_first_token_timeout": str(min(args.timeout, 600)),
                "llm_timeout": str(args.timeout)}
    with tempfile.TemporaryDirectory(prefix="qa-llm-figures-") as tmp:
        work = Path(tmp)
        with llama_server(work / "llama.log") as llm:
            print(f"llama.cpp server with SmolLM2-135M-Instruct at {llm}", flush=True)
            totals: dict[str, int] = {}
            for n, (corpus, groups) in enumerate(sets.items()):
                index = work / f"index{n}"
                if run_build(corpus, index).code != 0:
                    sys.exit(f"qa build of {corpus} failed")
                env = qa_env(llm_url=llm, **settings)
                with server(corpus, index, work / f"serve{n}.log", env=env) as url:
                    for path, items in groups:
                        t0 = time.perf_counter()
                        res = ask_all(url, items, checker, args.timeout)
                        print(f"\n{path} over {corpus.name}/: {res['asked']} questions in "
                              f"{time.perf_counter() - t0:.0f} s")
                        for k, v in res.items():
                            if k != "examples":
                                totals[k] = totals.get(k, 0) + v
                        print("  " + ", ".join(f"{k} {v}" for k, v in res.items()
                                               if k != "examples"))
                        for line in res["examples"][:10]:
                            print(f"    {line}")
                    if corpus == ROOT / "corpus" or n == 0:
                        qs = [it["question"] for _, items in groups for it in items
                              if not it.get("history")][: args.streams]
                        fb = first_bytes(url, qs, args.timeout)
            share = totals["llm"] / totals["asked"] if totals["asked"] else 0.0
            share_g = totals["llm"] / totals["grounded"] if totals["grounded"] else 0.0
            print(f"\nall sets: {totals['asked']} replies, {totals['failed']} failed requests, "
                  f"{totals['unsupported']} with an unsupported sentence, {totals['numbers']} "
                  f"with a number no source holds, {totals['markers']} with a bad marker")
            print(f"LLM text survived verification in {totals['llm']} replies: {share:.1%} of "
                  f"all, {share_g:.1%} of the {totals['grounded']} grounded; "
                  f"{totals['dropped_sentences']} sentences dropped in all")
            for name, ms in fb.items():
                print(f"first streamed byte, LLM on, {name:4s}: p50 {p50(ms):.1f} ms, "
                      f"max {max(ms):.1f} ms ({len(ms)} streams)")
            checks += [
                ("0 answers with an unsupported sentence", totals["unsupported"] == 0),
                ("0 answers with a number no source holds", totals["numbers"] == 0),
                ("0 answers with a marker outside 1..N", totals["markers"] == 0),
                ("0 failed requests", totals["failed"] == 0),
                (f"first streamed byte p50 < {FIRST_BYTE_MS:g} ms (LLM on)",
                 all(p50(ms) < FIRST_BYTE_MS for ms in fb.values())),
            ]
        # No LLM: the endpoint's overhead over /ask.
        analysis = work / "analysis-index"
        if run_build(ROOT / "corpus", analysis).code != 0:
            sys.exit("qa build of corpus/ failed")
        questions = [it["question"] for it in read_set(args.eval / "seed_dev.jsonl")]
        with server(ROOT / "corpus", analysis, work / "plain.log", env=qa_env()) as url:
            lat = latencies(url, questions, args.rounds, warmup=10)
        diff = p50(lat["chat"]) - p50(lat["ask"])
        print(f"no LLM: /ask p50 {p50(lat['ask']):.2f} ms, /v1/chat/completions p50 "
              f"{p50(lat['chat']):.2f} ms (difference {diff:+.2f} ms, {args.rounds} each)")
        checks.append((f"/v1/chat/completions p50 within {MARGIN_MS:g} ms of /ask",
                       abs(diff) <= MARGIN_MS))
    print(f"machine: load {load_average()}")
    return report(checks)


if __name__ == "__main__":
    sys.exit(main())
