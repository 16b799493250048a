"""Where `POST /retrieve`'s and `POST /ask`'s time goes beyond the query encoding, stage by stage.

In this process, over one built index (no sockets), each stage timed on the same questions:

  encode            the index's encoder on this thread (`encode_one`): the raw cost
  encode (thread)   the same through the service's encoder thread, as a request's is
  search            `Retriever.search` with the vector already encoded
  retrieve_async    the service's `retrieve_async` on an event loop (thread hand-over + search)
  app /retrieve     the whole ASGI app called directly (middleware, routing, validation, JSON)
  app (no limits)   the same app without its `RequestLimits` layer: what that layer costs
  app (no lane)     the same app without its `Lane`: the request through FastAPI
  app /health       `GET /health` through the app
  ask               the service's `ask` called on the loop's thread (encoding on the
                    encoder thread): the answer's own cost
  ask (offload)     the same handed to an answer thread, as `POST /ask` does it
  app /ask          `POST /ask` through the whole app
  app (no lane) /ask  the same through FastAPI

Then over loopback, one `qa serve`-like server process per HTTP protocol (uvicorn's h11 and
httptools, and `qa.api.server`'s limited ones), each with the whole app, sent the same
requests on one keep-alive connection (`http.client`), interleaved in rounds with the raw
encoding of the same questions (as latency.py times it) so that a change in the machine's
load touches them alike. For each: p50 wall time and the server's CPU per request (from
/proc, so less sensitive to other work than wall time).

With --stages, the steps of a /retrieve in this process, each timed on its own on the
same questions (`--set`, scoped by their `doc`): the request parsed, the spelling
corrected, the query encoded in place and through the encoder thread (the difference is
the hand-over), the search, the body written (and, for comparison, dumped whole as it
was before each chunk's JSON was kept).

With --phases, one server (with the protocol `qa serve` uses) marks the time of each
request's steps, and the client its own; both read the same monotonic clock, so each
request's wall time splits into: client and kernel until the server reads the request,
the protocol until the app runs, the app until the encoding starts (on the encoder thread,
or in place), the encoding, the wake-up (if handed over), search and JSON until the
response is written, and the kernel and client until the client has read it. Then the same requests with `http.client` and with httpx
(which latency.py used to time with): the client's own CPU is part of every wall figure.

With --choice, the fit of `qa.encoder.SPARE_CORES`: one server whose lone queries are
encoded in place or handed to the encoder thread at random, each request's choice and the
kernel's runnable count at that moment kept (its `QueryThread.choose` replaced); the same
requests are sent beside 0, 1, 2 and 3 CPU hogs (`--hogs`, processes of this script
spinning) and their wall times printed by the idle cores the server saw (the cores less
the runnable tasks besides its reading thread) and path: in place is worth choosing at
an idle-core count where its p50 is below the hand-over's. With --clients N, what a lone
request's own time cannot show: N concurrent clients (pausing --think s on average, a
quarter of their requests POST /ask) for --seconds against one server that, in alternate
--period s, encodes lone queries as `qa.encoder.in_place` chooses (or, with --always,
whenever the encoder thread is idle and no other request waits) and in the others always
hands them over; the p50/p95/p99 of the requests sent in each kind of period.

Wall figures need a quiet machine (the load average is printed before and after); CPU
figures are steadier.

    .venv/bin/python scripts/http_overhead.py --index index --corpus corpus
    .venv/bin/python scripts/http_overhead.py --phases --index index --corpus corpus
    .venv/bin/python scripts/http_overhead.py --stages --index I --corpus C --set SET.jsonl
    .venv/bin/python scripts/http_overhead.py --choice --index I --corpus C --set SET.jsonl
    .venv/bin/python scripts/http_overhead.py --choice --clients 16 --always --index I ...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import TATQA, Client, free_port
from latency import RawEncoder, percentile, read_set, spread

from qa.config import get_settings

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ("h11", "httptools", "limited-h11", "limited-httptools")


def protocol_class(name: str, settings) -> type | None:
    """uvicorn's protocol class of that name, or qa's limited one; None if not installed."""
    from qa.api import server

    if name == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol
        return H11Protocol
    if name == "httptools":
        try:
            from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
        except ImportError:
            return None
        return HttpToolsProtocol
    base = getattr(server, {"limited-h11": "LimitedH11Protocol",
                            "limited-httptools": "LimitedHttpToolsProtocol"}[name], None)
    if base is None:
        return None
    return type("Measured", (base,), {"header_timeout": settings.header_timeout,
                                      "max_connections": settings.max_connections})


def serve(name: str, port: int, phases: bool = False, choice: bool = False,
          block: int = 1, period: float = 0, always: bool = False) -> None:
    """Run the app with protocol `name` on 127.0.0.1:`port` (the child process); with
    `phases`, mark each request's steps and answer them at GET /__phases; with `choice`,
    choose where each lone query is encoded (at random, or by turns of `block` requests)
    and answer the choices at GET /__choices."""
    import uvicorn

    from qa.api.app import create_app

    settings = get_settings()
    app = create_app(settings)
    service = app.state.service
    protocol = protocol_class(name, settings)
    if phases:
        app, protocol = traced(app, protocol)
    if choice:
        app = chosen(app, block, period, always)
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", http=protocol, ws="none",
        timeout_keep_alive=settings.keepalive_timeout))
    # As qa.api.server.serve: the encoder learns the open connections (`alone`).
    service.queries.connections = lambda: len(server.server_state.connections)
    server.run()


def traced(app, protocol: type) -> tuple[object, type]:
    """The app and protocol with the time of each step of a request marked (read), the
    app's start and end, the encoding's start and end (on whichever thread runs it)."""
    marks: dict[str, list[float]] = {"read": [], "app": [], "encode": [], "encoded": [],
                                     "written": []}
    svc = app.state.service
    clock = time.perf_counter

    class Marked(protocol):  # type: ignore[misc, valid-type]
        reading = False  # a request's first bytes are in, its response not yet written

        def data_received(self, data: bytes) -> None:
            if not self.reading:
                self.reading = True
                marks["read"].append(clock())
            super().data_received(data)

        def on_response_complete(self) -> None:
            self.reading = False
            super().on_response_complete()

    def marked(encoder, method: str):  # the encoder's method, its start and end marked
        def run(*args):
            marks["encode"].append(clock())
            try:
                return getattr(type(encoder), method)(encoder, *args)
            finally:
                marks["encoded"].append(clock())
        return run

    async def outer(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/__phases":
            body = json.dumps(marks).encode()
            for v in marks.values():
                v.clear()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http":
            marks["app"].append(clock())
            if svc.retriever is not None and "encode" not in vars(svc.retriever.encoder):
                enc = svc.retriever.encoder
                # a batch on the encoder thread, or a lone query where it arrived
                enc.encode, enc.encode_one = marked(enc, "encode"), marked(enc, "encode_one")

            async def marked_send(message) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    marks["written"].append(clock())

            await app(scope, receive, marked_send)
            return
        await app(scope, receive, send)

    return outer, Marked


def chosen(app, block: int = 1, period: float = 0, always: bool = False):
    """The app with its encoder's choice of place made at random (or in place and handed
    over by turns of `block` requests; or, with a `period`, as `qa.encoder.in_place`
    chooses, or in place whenever it may with `always`, in every other period of that many
    seconds of the monotonic clock and never in the others), each choice and the runnable
    count it was made at kept and answered (then cleared) at GET /__choices."""
    from qa.encoder import in_place

    queries = app.state.service.queries
    picks: list[tuple[int | None, bool]] = []
    coin = random.Random(0)

    def choose(runnable: int | None, cores: int, threads: int) -> bool:
        if period:
            here = int(time.monotonic() / period) % 2 == 0 and (
                always or in_place(runnable, cores, threads))
        else:
            here = coin.random() < 0.5 if block <= 1 else len(picks) // block % 2 == 0
        picks.append((runnable, here))
        return here

    queries.choose = choose

    async def outer(scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/__choices":
            body = json.dumps({"cores": queries.cores, "picks": picks}).encode()
            picks.clear()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return outer


def hog() -> subprocess.Popen:
    """A process spinning on one core until stopped (a CPU hog)."""
    return subprocess.Popen([sys.executable, "-c", "while 1: pass"], start_new_session=True,
                            stdin=subprocess.DEVNULL)


def choice(items: list[dict], env: dict, hogs: list[int], threads: int,
           out: Path | None = None, block: int = 1) -> None:
    """Send the same requests beside each number of CPU hogs to a server choosing where to
    encode at random; print p50/p95 by the idle cores it saw and by path (and write the
    requests' rows, hogs, idle cores, in place and ms, to `out`)."""
    from qa.api.server import LimitedH11Protocol, protocol_for
    from qa.encoder import idle_cores

    name = ("limited-h11" if issubclass(protocol_for(get_settings()), LimitedH11Protocol)
            else "limited-httptools")
    proc, url = start(name, env, "--choice", "--block", str(block))
    client = Client(url)
    bodies = [{"query": q["question"], "k": 5, **({"doc": q["doc"]} if q.get("doc") else {})}
              for q in items]
    rows: list[tuple[int, int, bool, float]] = []  # hogs, idle cores, in place, ms
    cores = 1
    try:
        for n in hogs:
            spinning = [hog() for _ in range(n)]
            try:
                time.sleep(1)  # the hogs up to speed
                for body in bodies[:10]:  # warm up
                    client.request("POST", "/retrieve", body)
                client.request("GET", "/__choices")  # (clears the picks)
                walls = []
                for body in bodies:
                    t0 = time.perf_counter()
                    status, _ = client.request("POST", "/retrieve", body)
                    walls.append((time.perf_counter() - t0) * 1000)
                    if status != 200:
                        raise SystemExit(f"POST /retrieve {body} -> {status}")
                load = os.getloadavg()[0]
            finally:
                for p in spinning:
                    p.kill()
                    p.wait()
            got = json.loads(client.request("GET", "/__choices")[1])
            cores, picks = got["cores"], got["picks"]
            if len(picks) != len(walls):
                raise SystemExit(f"{len(picks)} choices for {len(walls)} requests")
            for (runnable, here), ms in zip(picks, walls):
                idle = idle_cores(runnable, cores) if runnable is not None else -99
                rows.append((n, idle, here, ms))
            mine = [r for r in rows if r[0] == n]
            print(f"  {n} hog(s), load {load:.2f}: p50 in place "
                  f"{percentile([r[3] for r in mine if r[2]], 50):6.2f} ms, handed over "
                  f"{percentile([r[3] for r in mine if not r[2]], 50):6.2f} ms "
                  f"(n={len(mine)})", flush=True)
    finally:
        stop(proc)
    if out:
        out.write_text(json.dumps(rows) + "\n")
    print(f"  by idle cores the server saw ({cores} cores, the encoder on {threads} "
          "thread(s)): p50 / p95 ms")
    for idle in sorted({r[1] for r in rows}, reverse=True):
        here = [r[3] for r in rows if r[1] == idle and r[2]]
        over = [r[3] for r in rows if r[1] == idle and not r[2]]
        if not here or not over:
            print(f"    idle {idle:3d}: in place n={len(here)}, handed over n={len(over)}")
            continue
        gain = percentile(here, 50) - percentile(over, 50)
        print(f"    idle {idle:3d}: in place {percentile(here, 50):6.2f} / "
              f"{percentile(here, 95):6.2f} (n={len(here)})   handed over "
              f"{percentile(over, 50):6.2f} / {percentile(over, 95):6.2f} (n={len(over)})   "
              f"in place - handed over p50 {gain:+.2f} ms", flush=True)


def crowd(items: list[dict], env: dict, clients: int, think: float, seconds: float,
          period: float, always: bool = False) -> None:
    """`clients` threads, each on its own connection, send POST /retrieve (and a quarter
    POST /ask) with a pause of mean `think` s, for `seconds`, to a server that may encode
    lone queries in place in every other `period` (as `in_place` chooses, or whenever the
    encoder thread is idle with `always`) and never in the others; print the
    percentiles of the requests sent in each kind of period (one that ran into the next
    is left out). In place costs the other requests what a lone request's own time cannot
    show: the event loop is held while it encodes."""
    from qa.api.server import LimitedH11Protocol, protocol_for
    from qa.encoder import idle_cores

    name = ("limited-h11" if issubclass(protocol_for(get_settings()), LimitedH11Protocol)
            else "limited-httptools")
    proc, url = start(name, env, "--choice", "--period", str(period),
                      *(("--always",) if always else ()))
    bodies = [("/retrieve", {"query": q["question"], "k": 5,
                             **({"doc": q["doc"]} if q.get("doc") else {})}) for q in items]
    bodies += [("/ask", {"question": q["question"], "history": [],
                         **({"doc": q["doc"]} if q.get("doc") else {})})
               for q in items[: len(items) // 3]]
    rows: list[tuple[float, str, float]] = []  # sent (monotonic s), path, ms
    until = time.monotonic() + seconds

    def run(seed: int) -> None:
        rng, client = random.Random(seed), Client(url)
        while time.monotonic() < until:
            path, body = rng.choice(bodies)
            t0 = time.monotonic()
            status, _ = client.request("POST", path, body)
            rows.append((t0, path, (time.monotonic() - t0) * 1000))
            if status != 200:
                raise SystemExit(f"POST {path} {body} -> {status}")
            if think:
                time.sleep(rng.expovariate(1 / think))

    try:
        for body in bodies[:10]:  # warm up
            Client(url).request("POST", *body)
        Client(url).request("GET", "/__choices")  # (clears the picks)
        c0 = cpu_seconds(proc.pid)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cpu = cpu_seconds(proc.pid) - c0
        got = json.loads(Client(url).request("GET", "/__choices")[1])
    finally:
        stop(proc)
    print(f"  {clients} clients, think {think} s, {seconds:.0f} s, periods of {period} s; "
          f"{len(rows)} requests, the server {cpu * 1000 / max(1, len(rows)):.2f} CPU-ms "
          f"a request; load {os.getloadavg()[0]:.2f}")
    allowed_label = "in place when lone" if always else "in place as chosen"
    for label, allowed in ((allowed_label, True), ("always handed over", False)):
        mine = [r for r in rows if (int(r[0] / period) % 2 == 0) == allowed
                and int(r[0] / period) == int((r[0] + r[2] / 1000) / period)]
        for path in ("/retrieve", "/ask"):
            ms = [r[2] for r in mine if r[1] == path]
            if ms:
                print(f"    {label:<20} {path:<9} n={len(ms):<5} p50 {percentile(ms, 50):6.2f}"
                      f"   p95 {percentile(ms, 95):6.2f}   p99 {percentile(ms, 99):6.2f} ms")
    here = [p for p in got["picks"] if p[1]]
    idle = [idle_cores(p[0], got["cores"]) for p in here if p[0] is not None]
    print(f"    lone queries encoded in place: {len(here)} (idle cores seen: "
          f"{', '.join(f'{i}: {idle.count(i)}' for i in sorted(set(idle), reverse=True))})")


def start(name: str, env: dict, *flags: str) -> tuple[subprocess.Popen, str]:
    """A server with protocol `name` (this script as a child process) and its URL, once it
    answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", name, "--port", str(port),
                             *flags], env=env, start_new_session=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"server {name} exited with {proc.returncode}")
        try:
            Client(f"http://127.0.0.1:{port}").request("GET", "/health")
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"server {name} did not start") from None
            time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def show(label: str, wall_ms: list[float], cpu_ms: float | None) -> None:
    cpu = f"   CPU {cpu_ms:6.2f} ms a call" if cpu_ms is not None else ""
    print(f"  {label:<34} p50 {percentile(wall_ms, 50):6.2f} ms   "
          f"p95 {percentile(wall_ms, 95):6.2f} ms{cpu}", flush=True)


def in_process(questions: list[str], rounds: int) -> None:
    """Time each in-process stage, interleaved in rounds; print p50 wall and mean CPU."""
    from qa.api.app import create_app
    from qa.api.lane import Lane
    from qa.api.limits import RequestLimits

    settings = get_settings()
    app = create_app(settings)
    bare = create_app(settings, service=app.state.service)
    bare.user_middleware = [m for m in bare.user_middleware if m.cls is not RequestLimits]
    laneless = create_app(settings, service=app.state.service)  # every /retrieve via FastAPI
    laneless.user_middleware = [m for m in laneless.user_middleware if m.cls is not Lane]
    svc = app.state.service

    def scope(method: str, path: str, body: bytes) -> dict:
        headers = [(b"host", b"127.0.0.1"), (b"user-agent", b"measure")]
        if body:
            headers += [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())]
        return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                "http_version": "1.1", "method": method, "scheme": "http", "path": path,
                "raw_path": path.encode(), "query_string": b"", "root_path": "",
                "headers": headers, "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 8000), "state": {}}

    async def call(asgi, method: str, path: str, body: bytes = b"") -> None:
        sent = False
        status = []

        async def receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await asgi(scope(method, path, body), receive, send)
        if status != [200]:
            raise SystemExit(f"{method} {path} -> {status}")

    async def run() -> None:
        async with app.router.lifespan_context(app):
            r = svc.retriever
            vectors = {q: r.encoder.encode_one(q) for q in questions}
            bodies = {q: json.dumps({"query": q, "k": 5}).encode() for q in questions}
            asks = {q: json.dumps({"question": q, "history": []}).encode() for q in questions}

            def sync(fn: Callable[[str], object]) -> Callable[[str], Awaitable[None]]:
                async def timed(q: str) -> None:
                    fn(q)
                return timed

            async def retrieve(q: str) -> None:
                await svc.retrieve_async(q, 5)

            stages: dict[str, Callable[[str], Awaitable[None]]] = {
                "encode": sync(r.encoder.encode_one),
                "encode (thread)": sync(lambda q: svc.queries.encode(r.encoder, q)),
                "search": sync(lambda q: r.search(q, vectors[q], 5)),
                "retrieve_async": retrieve,
                "app /retrieve": lambda q: call(app, "POST", "/retrieve", bodies[q]),
                "app (no limits) /retrieve": lambda q: call(bare, "POST", "/retrieve", bodies[q]),
                "app (no lane) /retrieve": lambda q: call(laneless, "POST", "/retrieve",
                                                          bodies[q]),
                "app /health": lambda q: call(app, "GET", "/health"),
                "ask": sync(lambda q: svc.ask(q, [], None)),
                "ask (offload)": lambda q: svc.offload(svc.ask, q, [], None),
                "app /ask": lambda q: call(app, "POST", "/ask", asks[q]),
                "app (no lane) /ask": lambda q: call(laneless, "POST", "/ask", asks[q]),
            }
            for fn in stages.values():  # warm up (and build the middleware stacks)
                for q in questions[:5]:
                    await fn(q)
            wall: dict[str, list[float]] = {name: [] for name in stages}
            cpu: dict[str, float] = dict.fromkeys(stages, 0.0)
            for i in range(rounds):
                chunk = questions[i * len(questions) // rounds:(i + 1) * len(questions) // rounds]
                for name, fn in stages.items():
                    for q in chunk:
                        c0, t0 = time.process_time(), time.perf_counter()
                        await fn(q)
                        wall[name].append((time.perf_counter() - t0) * 1000)
                        cpu[name] += time.process_time() - c0
            for name in stages:
                show(name, wall[name], cpu[name] * 1000 / len(wall[name]))

    try:
        import uvloop
        factory = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run())
    svc.stop()


def over_http(names: list[str], questions: list[str], rounds: int, env: dict,
              index: Path) -> None:
    """Start one server per protocol, time GET /health and POST /retrieve on each, and the
    raw encoding of the same questions in the same rounds (latency.py's `RawEncoder`)."""
    raw = RawEncoder(index)
    procs: dict[str, subprocess.Popen] = {}
    try:
        urls = {}
        for name in names:
            procs[name], urls[name] = start(name, env)
        # Connected once all are up: a connection idle while the others start would be
        # closed by its server (QA_KEEPALIVE_TIMEOUT).
        clients = {name: Client(url) for name, url in urls.items()}
        bodies = [{"query": q, "k": 5} for q in questions]

        def request(name: str, method: str, path: str, body: dict | None) -> float:
            t0 = time.perf_counter()
            status, _ = clients[name].request(method, path, body)
            ms = (time.perf_counter() - t0) * 1000
            if status != 200:
                raise SystemExit(f"{name}: {method} {path} -> {status}")
            return ms

        for name in procs:  # warm up
            for body in bodies[:10]:
                request(name, "POST", "/retrieve", body)
                request(name, "GET", "/health", None)
        kinds = ("GET /health", "POST /retrieve")
        wall = {(n, k): [] for n in procs for k in kinds}
        cpu = dict.fromkeys(wall, 0.0)
        encode: list[float] = []
        for i in range(rounds):
            chunk = bodies[i * len(bodies) // rounds:(i + 1) * len(bodies) // rounds]
            for body in chunk:
                t0 = time.perf_counter()
                raw.encode(body["query"])
                encode.append((time.perf_counter() - t0) * 1000)
            for name, proc in procs.items():
                for kind in kinds:
                    c0 = cpu_seconds(proc.pid)
                    for body in chunk:
                        if kind == "GET /health":
                            wall[name, kind].append(request(name, "GET", "/health", None))
                        else:
                            wall[name, kind].append(request(name, "POST", "/retrieve", body))
                    cpu[name, kind] += cpu_seconds(proc.pid) - c0
        show("raw encoding (this process)", encode, None)
        for name in procs:
            print(f"  server with {name}:")
            for kind in kinds:
                show("  " + kind, wall[name, kind], cpu[name, kind] * 1000 / len(wall[name, kind]))
            over = percentile(wall[name, "POST /retrieve"], 50) - percentile(encode, 50)
            print(f"    POST /retrieve p50 - raw encoding p50: {over:+.2f} ms")
    finally:
        for proc in procs.values():
            stop(proc)


def stages(items: list[dict]) -> None:
    """Time each step of a /retrieve in this process, question by question (scoped by the
    item's `doc` when it has one), as the lane runs them; print p50 and mean CPU."""
    from qa.api.models import RetrieveRequest, hit_json, retrieval_body
    from qa.service import QAService, Retrieval

    svc = QAService(get_settings())
    svc.start()
    r = svc.retriever
    steps: dict[str, list[float]] = {}
    cpu: dict[str, float] = {}

    def timed(label: str, fn: Callable[..., Any], *args: Any) -> Any:
        c0, t0 = time.thread_time(), time.perf_counter()
        out = fn(*args)
        steps.setdefault(label, []).append((time.perf_counter() - t0) * 1000)
        cpu[label] = cpu.get(label, 0.0) + time.thread_time() - c0
        return out

    def whole(res: Retrieval) -> bytes:  # the body dumped at once (before Chunk.public_json)
        return json.dumps({"version": res.version, "results": [hit_json(h) for h in res.hits]},
                          ensure_ascii=False).encode()

    def parse(body: str) -> RetrieveRequest:
        return RetrieveRequest.model_validate(json.loads(body))

    try:
        for _ in range(2):  # the first pass warms up (and keeps the chunks' JSON)
            steps.clear()
            cpu.clear()
            for item in items:
                body = json.dumps({"query": item["question"], "k": 5,
                                   **({"doc": item["doc"]} if item.get("doc") else {})})
                req = timed("request parsed (JSON, model)", parse, body)
                query = timed("spelling corrected", r.speller.correct, req.query)
                qvec = timed("encoded in place", r.encoder.encode_one, query)
                timed("encoded on the encoder thread", svc.queries.encode, r.encoder, query)
                hits = timed("searched (FAISS, BM25, fusion)", r.search, query, qvec, req.k,
                             req.doc, req.kind)
                res = Retrieval(r.version, hits)
                timed("body written", retrieval_body, res)
                timed("(body dumped whole)", whole, res)
        print(f"  /retrieve in process, step by step (n={len(items)}; CPU of the calling "
              "thread):")
        for label, ms in steps.items():
            print(f"    {label:<34} p50 {percentile(ms, 50):6.3f} ms   "
                  f"CPU {cpu[label] * 1000 / len(ms):6.3f} ms", flush=True)
    finally:
        svc.stop()


def phases(questions: list[str], env: dict) -> None:
    """Split each request's wall time into steps, from marks on both sides; print p50s."""
    from qa.api.server import LimitedH11Protocol, protocol_for

    name = ("limited-h11" if issubclass(protocol_for(get_settings()), LimitedH11Protocol)
            else "limited-httptools")
    proc, url = start(name, env, "--phases")
    client = Client(url)
    try:
        for kind in ("GET /health", "POST /retrieve"):
            method, path = kind.split()
            bodies = [{"query": q, "k": 5} if method == "POST" else None for q in questions]
            for body in bodies[:10]:  # warm up
                client.request(method, path, body)
            client.request("GET", "/__phases")  # (clears the marks)
            sent, done = [], []
            for body in bodies:
                sent.append(time.perf_counter())
                client.request(method, path, body)
                done.append(time.perf_counter())
            m = json.loads(client.request("GET", "/__phases")[1])
            n = len(sent)
            steps = {"client, kernel -> server reads": [m["read"][i] - sent[i] for i in range(n)],
                     "protocol -> app starts": [m["app"][i] - m["read"][i] for i in range(n)]}
            if m["encode"]:
                steps.update({
                    "app -> encoding starts": [m["encode"][i] - m["app"][i]
                                                     for i in range(n)],
                    "encoding": [m["encoded"][i] - m["encode"][i] for i in range(n)],
                    "(wake-up), search, JSON, written": [m["written"][i] - m["encoded"][i]
                                                       for i in range(n)]})
            else:
                steps["app until written"] = [m["written"][i] - m["app"][i] for i in range(n)]
            steps["kernel, client reads it"] = [done[i] - m["written"][i] for i in range(n)]
            steps["total"] = [done[i] - sent[i] for i in range(n)]
            print(f"  {kind} on {name} (n={n}):")
            for label, secs in steps.items():
                ms = [x * 1000 for x in secs]
                print(f"    {label:<34} p50 {percentile(ms, 50):6.2f} ms   "
                      f"mean {sum(ms) / n:6.2f} ms", flush=True)
        print(f"  the client's own CPU, same server (n={len(questions)} each):")
        hx = httpx.Client(base_url=client.url, timeout=60)
        lean = {"http.client": client.request,
                "httpx": lambda m, p, b: (hx.request(m, p, json=b).status_code, b"")}
        for kind in ("GET /health", "POST /retrieve"):
            method, path = kind.split()
            wall: dict[str, list[float]] = {name: [] for name in lean}
            cpu = dict.fromkeys(lean, 0.0)
            for i, q in enumerate(questions * 2):  # alternately, so that load touches both
                name = list(lean)[i % 2]
                body = {"query": q, "k": 5} if method == "POST" else None
                c0, t0 = time.thread_time(), time.perf_counter()
                lean[name](method, path, body)
                wall[name].append((time.perf_counter() - t0) * 1000)
                cpu[name] += time.thread_time() - c0
            for name in lean:
                show(f"  {kind} with {name}", wall[name], cpu[name] * 1000 / len(wall[name]))
    finally:
        stop(proc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, help="a built index (default: QA_INDEX)")
    ap.add_argument("--corpus", type=Path, help="its corpus (default: QA_CORPUS)")
    ap.add_argument("--eval", type=Path, default=TATQA.parent, help="folder with seed_dev.jsonl")
    ap.add_argument("--requests", type=int, default=300, help="calls per stage (default 300)")
    ap.add_argument("--rounds", type=int, default=30, help="interleaving rounds (default 30)")
    ap.add_argument("--protocols", default=",".join(PROTOCOLS),
                    help=f"servers to compare over loopback (default {','.join(PROTOCOLS)}); "
                    "'' for none")
    ap.add_argument("--no-in-process", action="store_true", help="skip the in-process stages")
    ap.add_argument("--phases", action="store_true",
                    help="only split each request's time into steps (see above)")
    ap.add_argument("--stages", action="store_true",
                    help="only time each step of a /retrieve in process (see above)")
    ap.add_argument("--choice", action="store_true",
                    help="only fit where a lone query is encoded (see above)")
    ap.add_argument("--hogs", default="0,1,2,3",
                    help="with --choice: the numbers of CPU hogs beside it (default 0,1,2,3)")
    ap.add_argument("--json", type=Path, help="with --choice: write each request's row here")
    ap.add_argument("--clients", type=int, default=0,
                    help="with --choice: instead, this many concurrent clients (see crowd)")
    ap.add_argument("--think", type=float, default=0.5,
                    help="with --clients: mean pause between a client's requests (s)")
    ap.add_argument("--seconds", type=float, default=60, help="with --clients: duration")
    ap.add_argument("--period", type=float, default=0,
                    help="with --clients: seconds of each period in place allowed or not "
                    "(default 2)")
    ap.add_argument("--always", action="store_true",
                    help="with --clients: in place whenever the encoder thread is idle and "
                    "no other request waits, whatever the runnable count")
    ap.add_argument("--block", type=int, default=1,
                    help="with --choice: in place and handed over by turns of this many "
                    "requests instead of at random (1, the default): a thread that encodes "
                    "many queries in a row may be scheduled differently")
    ap.add_argument("--set", type=Path, help="the questions of --stages (JSONL, scoped by "
                    "their doc when they have one; default seed_dev.jsonl of --eval)")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.index:
        os.environ["QA_INDEX"] = str(args.index.resolve())
    if args.corpus:
        os.environ["QA_CORPUS"] = str(args.corpus.resolve())
    if args.serve:
        serve(args.serve, args.port, args.phases, args.choice, args.block, args.period,
              args.always)
        return 0
    questions = spread([q["question"] for q in read_set(args.eval / "seed_dev.jsonl")],
                       args.requests)
    settings = get_settings()
    live = settings.index / (settings.index / "CURRENT").read_text().strip()
    precision = json.loads((live / "manifest.json").read_text())["encoder"]["precision"]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} cores; index {settings.index} (encoder {precision})", flush=True)
    if args.phases:
        phases(questions, dict(os.environ))
        return 0
    if args.stages:
        stages(spread(read_set(args.set or args.eval / "seed_dev.jsonl"), args.requests))
        return 0
    if args.choice and args.clients:
        crowd(spread(read_set(args.set or args.eval / "seed_dev.jsonl"), args.requests),
              dict(os.environ), args.clients, args.think, args.seconds, args.period or 2,
              args.always)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    if args.choice:
        choice(spread(read_set(args.set or args.eval / "seed_dev.jsonl"), args.requests),
               dict(os.environ), [int(n) for n in args.hogs.split(",")],
               settings.query_threads, args.json, args.block)
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 0
    if not args.no_in_process:
        print("in process:")
        in_process(questions, args.rounds)
    names = [n for n in args.protocols.split(",") if n]
    available = [n for n in names if protocol_class(n, settings) is not None]
    for n in sorted(set(names) - set(available)):
        print(f"  (no {n} protocol here: skipped)")
    if available:
        print("over loopback (http.client, one keep-alive connection per server):")
        over_http(available, questions, args.rounds, dict(os.environ), settings.index)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
