#!/usr/bin/env python3
"""Start-up and memory of the real commands on a built index, as a user meets them.

  1. cold start: `qa serve` launched on an up-to-date index until `GET /health` first
     answers 200 (polled every 10 ms), several times;
  2. `qa ask "..."` and `qa retrieve "..."` from the shell, wall time of the whole process;
  3. the resident memory (RSS) of `qa serve` on the analysis after it has answered
     /retrieve and /ask, and again once the chat page has been asked for (Gradio loaded);
     and of a `qa serve` that built the index when it started (as on a fresh machine).

Targets (issue 12): cold start <= 2 s, `qa ask` <= 2.5 s, RSS <= 400 MB. Each figure is the
median of --runs runs; the load average is printed beside them: on a busy machine they are
not comparable.

    .venv/bin/python scripts/startup.py
    .venv/bin/python scripts/startup.py --index /tmp/qa-tatqa-index --corpus ../shared/eval/tatqa_dev/corpus
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import free_port, load_average, qa_env, report, run_build

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What is the regional impact of the military aspect?"


def qa(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa.cli", *args]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far: unlike wall time, hardly
    touched by other work on the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cold_start(corpus: Path, index: Path) -> tuple[float, float, subprocess.Popen, str]:
    """Launch `qa serve`; seconds until /health first answers 200, the CPU seconds it
    used by then, the process, its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(qa("serve", "--corpus", str(corpus), "--index", str(index),
                               "--port", str(port)), env=qa_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    with httpx.Client(timeout=1) as client:
        while True:
            if proc.poll() is not None:
                sys.exit(f"qa serve exited with {proc.returncode}")
            try:
                if client.get(url + "/health").status_code == 200:
                    return time.perf_counter() - t0, cpu_s(proc.pid), proc, url
            except httpx.HTTPError:
                pass
            if time.perf_counter() - t0 > 300:
                stop(proc)
                sys.exit("qa serve not healthy after 300 s")
            time.sleep(0.01)


def served_rss(corpus: Path, index: Path, page: bool) -> tuple[float, float]:
    """Start `qa serve`, send 20 /retrieve and /ask: its RSS then, and (with `page`) once the
    chat page has been asked for (Gradio loaded), in MB."""
    _, _, proc, url = cold_start(corpus, index)
    rss_page = float("nan")
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            for _ in range(20):
                client.post("/retrieve", json={"query": QUESTION, "k": 5})
                client.post("/ask", json={"question": QUESTION})
            rss_api = rss_mb(proc.pid)
            if page and client.get("/").status_code == 200:
                rss_page = rss_mb(proc.pid)
    finally:
        stop(proc)
    return rss_api, rss_page


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wall(*args: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one `qa` command run to its end (exit 0 required)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(qa(*args), env=qa_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"qa {' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--index", type=Path, help="a built index (default: built fresh from "
                    "--corpus into a temporary folder first)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    print(f"load average {load_average()} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="qa-startup-") as tmp:
        index = args.index or Path(tmp) / "index"
        built = run_build(args.corpus, index)  # brings it up to date (nothing to do if it is)
        if built.code != 0:
            sys.exit(f"qa build failed:\n{built.out[-2000:]}")
        figures: dict = {"load_before": load_average()}
        starts, asks, retrieves = [], [], []
        for _ in range(args.runs):
            seconds, cpu, proc, _ = cold_start(args.corpus, index)
            stop(proc)
            starts.append((seconds, cpu))
            asks.append(wall("ask", "--corpus", str(args.corpus), "--index", str(index),
                             QUESTION))
            retrieves.append(wall("retrieve", "--corpus", str(args.corpus), "--index",
                                  str(index), QUESTION))
        rss_api, rss_page = served_rss(args.corpus, index, page=True)
        # As on a fresh machine: the server builds the index when it starts (in a child
        # process, qa.apart), then serves; what stays resident is what it serves with.
        rss_built, _ = served_rss(args.corpus, Path(tmp) / "fresh", page=False)

    def stats(runs: list[tuple[float, float]]) -> dict:
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        return {"median": round(statistics.median(walls), 3), "min": round(min(walls), 3),
                "cpu_median": round(statistics.median(cpus), 3)}

    figures.update({
        "cold_start_s": stats(starts), "qa_ask_s": stats(asks),
        "qa_retrieve_s": stats(retrieves),
        "rss_mb": {"api": round(rss_api, 1), "with_chat_page": round(rss_page, 1),
                   "api_after_building_on_start": round(rss_built, 1)},
        "load_after": load_average()})
    for name in ("cold_start_s", "qa_ask_s", "qa_retrieve_s"):
        f = figures[name]
        print(f"{name:<14} wall median {f['median']:.2f} s   min {f['min']:.2f} s   "
              f"CPU median {f['cpu_median']:.2f} s   ({args.runs} runs)")
    print(f"rss of qa serve: {rss_api:.0f} MB after /retrieve and /ask, {rss_page:.0f} MB with "
          f"the chat page loaded, {rss_built:.0f} MB after /retrieve and /ask when it built the "
          "index on start")
    print(f"load average {figures['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    start = figures["cold_start_s"]["median"]
    return report([
        (f"cold start to the first /health 200: median {start:.2f} s <= 2 s", start <= 2.0),
        (f"qa ask from the shell: median {figures['qa_ask_s']['median']:.2f} s <= 2.5 s",
         figures["qa_ask_s"]["median"] <= 2.5),
        (f"RSS of qa serve (API): {rss_api:.0f} MB <= 400 MB", rss_api <= 400),
        (f"RSS of qa serve that built its index on start: {rss_built:.0f} MB <= 400 MB",
         rss_built <= 400)])


if __name__ == "__main__":
    sys.exit(main())
