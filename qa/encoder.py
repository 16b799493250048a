"""Sentence embeddings without torch: the index's ONNX export of the model, run by
onnxruntime, with the model's own tokenizer (`tokenizers`).

It computes what sentence-transformers computes for a BERT-style model with mean pooling:
token ids truncated to the model's `max_seq_length`, the transformer's last hidden state,
the mean over the real (unpadded) tokens, scaled to unit length. `qa build` writes the
ONNX file and the tokenizer into each index version (`qa.export`), so the queries a server
encodes and the documents the index holds go through the very same file.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

ENCODER = "encoder.onnx"
TOKENIZER = "tokenizer.json"
# Threads of one query's encoding (QA_QUERY_THREADS' default). Two, whose second sleeps
# between operators instead of spinning (SPINNING): a lone query's p50 is 20-29% lower at
# the same CPU a query (fp32, 150 dev questions of each set interleaved, two runs at load 7
# and 11: analysis 23.8 -> 17.1 ms, TAT-QA 30.3 -> 21.8 ms, CPU 12.6 -> 12.0 ms at load 11;
# scripts/encoder_options.py), and 16 clients without pause get 30-45% more /retrieve
# answered at 4-8% more CPU a request, p50 25-31% lower, p99 -8% to +6% (scripts/load.py
# --query-threads, 4 alternated 25 s runs, load 7-11). The cost is a second thread that
# competes with the other requests' for the cores when the machine is busy.
COMPUTE_THREADS = 2
BUILD_THREADS = 0  # onnxruntime's default: one per core
# Whether the extra threads of a query session (QA_QUERY_THREADS > 1) spin between the
# operators of a query ("1") or sleep ("0"). Spinning answers a little sooner on an idle
# machine and burns a core that the other requests (and other processes) then lack: at load
# 11, p50 16.5 vs 17.1 ms for 13.4 vs 12.0 CPU-ms a query (scripts/encoder_options.py).
SPINNING = "0"
# Most queries encoded in one batch when they queue up under load. A batch is padded to its
# longest query, so a larger one mostly adds waiting for the queries at its head.
MAX_BATCH = 16
# The kernel's instantaneous count of runnable tasks is the fourth field of this file
# ("running/total"); the thread that reads it is one of them.
RUNNABLE = "/proc/loadavg"
# Idle cores (the cores less the runnable tasks besides the reading thread) beyond the
# encoder's own threads that a lone query needs to be encoded in place, on the event loop's
# thread, instead of handed to the encoder thread. Fitted by `scripts/http_overhead.py
# --choice` (load 5-8 from other work, int8w, 2 cores). The lone request itself is mostly
# faster in place, busy machine or not: one server choosing either path at random beside
# 0-6 CPU hogs, p50 in place minus handed over, by the idle cores seen, analysis -0.03 to
# -0.46 ms at 0 to -4 in one run (1,200 requests) and -0.21 to -2.71 at 0 to -3 in another
# (+1.74 at -4), TAT-QA -0.13 to -4.1 at -1 to -6 over two (2,800; single bins +2.3 and
# +4.1 at -6 and -7). But the loop is held while it encodes, and the requests arriving
# meanwhile pay: 16 clients (0.5 s think) on one server allowed to encode every lone query
# in place in alternate 2 s periods (`--clients 16 --always`, 60 s) were answered /retrieve
# p50 +2.47, +2.39 and +1.21 ms slower in them on the analysis and +4.01, +4.33 on TAT-QA
# (load 4-7; with the choice as built, never in place there, the periods differed by
# -0.03 and -2.09), and 2,677 of its 2,786 in-place encodings had seen 0 or fewer idle
# cores. So 0: in place only when each of the encoder's threads finds an idle core (on 2
# cores: no other task runs), where a lone request keeps the hand-over's 0.5 ms (3.35 vs
# 2.81 ms in place, `--stages`, quiet). Nor is in place worth it on a busy machine for a
# server's only client (no other request then waits for the loop): a server encoding every
# lone query of its one connection in place (`QueryThread.alone`), against main's code and
# against the same code choosing by this rule, all served in `scripts/latency.py
# --baseline` runs (one keep-alive client, requests interleaved with the raw encoding and
# the other servers'), was slower p50 in 5 runs at load 3.7-7.9: analysis +3.2, +3.6 and
# +3.9 ms vs main, +1.0 and +1.5 vs this rule; TAT-QA +2.2, +2.5, +3.4 vs main, +1.6 and
# -0.7 vs this rule; and faster only at load 3.4 (-0.2, -0.5 vs main). One thread that
# parses, searches and encodes in one stretch waits for a core more often than two that
# split the work.
SPARE_CORES = 0


class OnnxEncoder:
    """Encodes texts into L2-normalised float32 vectors with an ONNX model and its tokenizer.

    `max_tokens` is where texts are cut, as sentence-transformers cuts them (its
    `max_seq_length`, not the tokenizer file's own truncation setting)."""

    def __init__(self, model: Path, tokenizer: Path, max_tokens: int,
                 threads: int = COMPUTE_THREADS) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_tokens = max_tokens
        self._counter = Tokenizer.from_file(str(tokenizer))  # whole texts, to count
        self._counter.no_padding()
        self._counter.no_truncation()
        self._tokenizer = Tokenizer.from_file(str(tokenizer))  # cut as the model reads them
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if threads != BUILD_THREADS:  # a query session: its pool waits without spinning
            options.add_session_config_entry("session.intra_op.allow_spinning", SPINNING)
        options.log_severity_level = 3  # warnings about unused initialisers are not ours
        self._session = ort.InferenceSession(str(model), options,
                                             providers=["CPUExecutionProvider"])
        self.threads = threads or os.cpu_count() or 1  # the cores one encoding can use
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def count_tokens(self, texts: list[str], special: bool = True) -> list[int]:
        """Token counts of the texts (before any cut), with the model's special tokens
        (`[CLS]`, `[SEP]`) unless `special` is false."""
        return [len(e.ids) for e in self._counter.encode_batch(texts, add_special_tokens=special)]

    def encode(self, texts: list[str], batch_size: int = 64,
               progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of the texts, shape (len(texts), dimension), in the texts' order.

        Texts are encoded in batches of similar length (sorted by token count), so that
        little of a batch is padding; `progress(n)` is told of each batch done."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for lo in range(0, len(order), batch_size):
            batch = order[lo:lo + batch_size]
            out[batch] = self._run([ids[i] for i in batch])
            if progress is not None:
                progress(len(batch))
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Vector of one text, shape (1, dimension)."""
        return self._run([self._tokenizer.encode(text).ids])

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(e) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for i, e in enumerate(batch):
            ids[i, :len(e)] = e
            mask[i, :len(e)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(pooled / norms, dtype=np.float32)


_loaded: dict[str, OnnxEncoder] = {}
_loaded_lock = threading.Lock()


def load_encoder(folder: Path, checksum: str, max_tokens: int,
                 threads: int = COMPUTE_THREADS) -> OnnxEncoder:
    """The encoder of an index version, loaded once per process for each model file (by
    its checksum): versions built with the same file share one session."""
    key = f"{checksum}:{max_tokens}:{threads}"
    with _loaded_lock:
        encoder = _loaded.get(key)
        if encoder is None:
            encoder = OnnxEncoder(Path(folder) / ENCODER, Path(folder) / TOKENIZER, max_tokens,
                                  threads)
            _loaded[key] = encoder
        return encoder


def in_place(runnable: int | None, cores: int, threads: int) -> bool:
    """Whether a lone query is encoded where it arrived rather than on the encoder thread,
    given the kernel's count of runnable tasks read by that thread (`runnable`, None where
    it cannot be read), the machine's cores and the encoder's threads: when the tasks
    besides the reader leave the encoding's threads, and SPARE_CORES more, an idle core."""
    return runnable is not None and idle_cores(runnable, cores) >= threads + SPARE_CORES


def idle_cores(runnable: int, cores: int) -> int:
    """The cores that the runnable tasks besides the one that counted them leave idle
    (negative when more tasks wait for a core than there are cores)."""
    return cores - max(runnable - 1, 0)


class RunnableTasks:
    """The kernel's instantaneous count of runnable tasks (RUNNABLE's fourth field), read
    through a descriptor kept open (about 1.3 µs a read), or None without /proc."""

    def __init__(self, path: str = RUNNABLE) -> None:
        try:
            self._fd: int | None = os.open(path, os.O_RDONLY)
        except OSError:
            self._fd = None

    def __call__(self) -> int | None:
        if self._fd is None:
            return None
        try:
            return int(os.pread(self._fd, 128, 0).split()[3].split(b"/")[0])
        except (OSError, ValueError, IndexError):
            return None


class QueryThread:
    """The one thread that encodes queries.

    Encodings run one batch at a time, so concurrent requests never compete for the cores
    inside the model. Queries that arrive while one is being encoded queue up and are
    encoded together, in one batch: under load a query then costs a fraction of its
    encoding alone, and the queue drains instead of growing. A lone query arriving while
    this thread is idle and the machine has cores to spare is encoded by its caller
    (`wants_here`, `encode_here`), which spares it the hand-over."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        # Held while a batch runs on this thread, or a lone query elsewhere (`encode_here`).
        self._busy = threading.Lock()
        self.runnable = RunnableTasks()
        self.cores = os.cpu_count() or 1
        # Where `wants_here` decides (`in_place` of the runnable count, the cores and the
        # encoder's threads); a measuring script may put its own here.
        self.choose: Callable[[int | None, int, int], bool] = in_place
        # The connections open to the server whose queries this thread encodes, or None
        # (not served over HTTP): `qa.api.server.server_for` sets it.
        self.connections: Callable[[], int | None] = lambda: None
        self._thread = threading.Thread(target=self._serve, name="qa-encode", daemon=True)
        self._thread.start()

    def future(self, encoder: OnnxEncoder, text: str, *more: str) -> Future[np.ndarray]:
        """The vectors of a query and of the `more` texts that go with it (its words to
        expand), shape (1 + len(more), dimension), to come: all in one batch."""
        done: Future[np.ndarray] = Future()
        self._jobs.put((encoder, (text, *more), done))
        return done

    def encode(self, encoder: OnnxEncoder, text: str, *more: str) -> np.ndarray:
        """Vectors of a query and the `more` texts, shape (1 + len(more), dimension),
        encoded on this thread (in place when called from it)."""
        if threading.current_thread() is self._thread:
            return encoder.encode([text, *more], MAX_BATCH) if more else encoder.encode_one(text)
        return self.future(encoder, text, *more).result()

    def wants_here(self, encoder: OnnxEncoder) -> bool:
        """Whether a lone query would be encoded by its caller now (`encode_here`): this
        thread idle with nothing queued, and the machine with cores to spare (`choose`)."""
        return (not self._busy.locked() and self._jobs.empty()
                and self.choose(self.runnable(), self.cores, encoder.threads))

    def alone(self) -> bool:
        """Whether the server has one connection open: the asker's, so that no other
        request can be waiting to be read (nor be held up by an encoding in place)."""
        return self.connections() == 1

    def encode_here(self, encoder: OnnxEncoder, text: str) -> np.ndarray | None:
        """Vector of one query, shape (1, dimension), encoded in the calling thread while
        this thread is idle with nothing queued, else None: hand it over with `future`."""
        if not self._busy.acquire(blocking=False):
            return None
        try:
            return encoder.encode_one(text) if self._jobs.empty() else None
        finally:
            self._busy.release()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn(*args)` on this thread, in turn with the encodings."""
        done: Future[T] = Future()
        self._jobs.put((fn, args, done))
        return done

    def _serve(self) -> None:
        while True:
            jobs = [self._jobs.get()]
            while len(jobs) < MAX_BATCH:
                try:
                    jobs.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            with self._busy:
                self._run(jobs)

    def _run(self, jobs: list[tuple]) -> None:
        encodings: dict[int, list[tuple[OnnxEncoder, tuple[str, ...], Future]]] = {}
        for job in jobs:
            if isinstance(job[0], OnnxEncoder):
                encodings.setdefault(id(job[0]), []).append(job)
            else:
                _settle(job[2], job[0], *job[1])
        for group in encodings.values():
            live = [job for job in group if job[2].set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                vectors = live[0][0].encode([t for _, texts, _ in live for t in texts],
                                            MAX_BATCH)
            except Exception as e:  # noqa: BLE001 - every waiting request learns of it
                for _, _, done in live:
                    done.set_exception(e)
                continue
            at = 0
            for _, texts, done in live:
                done.set_result(vectors[at:at + len(texts)])
                at += len(texts)

def _settle(done: Future, fn: Callable[..., Any], *args: Any) -> None:
    if not done.set_running_or_notify_cancel():
        return
    try:
        done.set_result(fn(*args))
    except Exception as e:  # noqa: BLE001 - the caller gets it from the future
        done.set_exception(e)
