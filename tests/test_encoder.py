"""The ONNX encoder (no torch): it gives sentence-transformers' vectors on real questions
and long texts, alone or batched, cuts texts where the model does, encodes queries on its
one thread (or a lone query in place when a core is free), and serving a query never
imports torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from qa.embed import Embedder
from qa.encoder import (
    ENCODER,
    SPARE_CORES,
    TOKENIZER,
    OnnxEncoder,
    QueryThread,
    RunnableTasks,
    idle_cores,
    in_place,
)
from qa.service import QAService

ROOT = Path(__file__).resolve().parent.parent

EVAL = Path(os.environ.get("QA_EVAL_DIR")
            or Path(__file__).resolve().parent.parent.parent / "shared" / "eval")


@pytest.fixture(scope="module")
def encoder(fp32_exported: Path) -> OnnxEncoder:
    """The fp32 export: the model's own vectors (the int8w default is checked against it)."""
    info = json.loads((fp32_exported / "export.json").read_text())
    return OnnxEncoder(fp32_exported / ENCODER, fp32_exported / TOKENIZER, info["max_tokens"])


def real_questions() -> list[str]:
    """Questions of the development sets (the analysis's and some of TAT-QA's)."""
    out = []
    for path, limit in ((EVAL / "seed_dev.jsonl", 100), (EVAL / "tatqa_dev" / "set.jsonl", 60)):
        if path.exists():
            with open(path, encoding="utf-8") as f:
                out += [json.loads(line)["question"] for line in f if line.strip()][:limit]
    return out or ["Who supplies artillery shells to Russia?", "What was the revenue in 2019?"]


def test_vectors_match_sentence_transformers(encoder: OnnxEncoder, embedder: Embedder,
                                             service: QAService) -> None:
    long = " ".join(c.text for c in service.retriever.chunks)[:6000]  # beyond 256 tokens
    texts = [*real_questions(), long, "ok"]
    reference = embedder.encode(texts)
    batched = encoder.encode(texts, batch_size=16)
    alone = np.concatenate([encoder.encode_one(t) for t in texts])
    assert batched.shape == reference.shape == (len(texts), 384)
    assert float((reference * batched).sum(1).min()) >= 0.9999
    assert float((reference * alone).sum(1).min()) >= 0.9999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_token_limit_and_counts(encoder: OnnxEncoder) -> None:
    assert encoder.max_tokens == 256 and encoder.dimension == 384
    short, long = encoder.count_tokens(["two words", "word " * 400])
    assert short < 10 and long > 256
    # without [CLS] and [SEP]: the text's own tokens (what /v1 reports as usage)
    assert encoder.count_tokens(["two words", "word " * 400], special=False) == [2, 400]
    assert encoder.count_tokens(["two words"])[0] == 4
    # a text is read up to the limit: what follows it changes nothing
    cut = encoder.encode_one("word " * 300)[0]
    assert float(cut @ encoder.encode_one("word " * 300 + "entirely different ending")[0]) > 0.99999
    assert encoder.encode([]).shape == (0, 384)


def test_similar_texts_are_closer(encoder: OnnxEncoder) -> None:
    q = encoder.encode_one("energy exports to North Korea")[0]
    near, far = encoder.encode(["Russia supplies fuel and energy to North Korea.",
                                "The recipe needs two cups of flour."])
    assert q @ near > q @ far + 0.2


def test_work_on_the_query_thread_encodes_there_without_waiting_on_itself(
        encoder: OnnxEncoder) -> None:
    queries = QueryThread()

    def on_thread() -> tuple[str, np.ndarray]:
        # encoding from the query thread itself must run in place: handing over to its own
        # single-thread pool would wait forever.
        return threading.current_thread().name, queries.encode(encoder, "sanctions evasion")

    name, vec = queries.submit(on_thread).result(timeout=60)
    assert name.startswith("qa-encode") and name != threading.current_thread().name
    assert np.allclose(vec, queries.encode(encoder, "sanctions evasion"), atol=1e-6)


def in_fresh_process(code: str, timeout: float) -> list[str]:
    """The lines `code` prints, run by a fresh Python with no QA_* settings (exit 0 asserted)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=False, timeout=timeout)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout.strip().splitlines()


def test_serving_a_query_does_not_import_torch(service: QAService) -> None:
    # A fresh process: import the serving path (the app, the service), load the index and
    # answer a retrieval and a question, then look at what was imported.
    s = service.settings
    code = (
        "import sys\n"
        "from qa.api import create_app\n"
        "from qa.config import get_settings\n"
        "from qa.service import QAService\n"
        f"svc = QAService(get_settings(corpus={str(s.corpus)!r}, index={str(s.index)!r}))\n"
        "create_app(svc.settings, service=svc, ui=False)\n"
        "svc.start()\n"
        "hits = svc.retrieve('regional impact of the military aspect', 1).hits\n"
        "answer = svc.ask('Who supplies artillery shells?')\n"
        "print(hits[0].chunk.cells[0], bool(answer.answer))\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))\n"
        # nor the converters' libraries: serving converts nothing (they cost 0.3-0.7 s)
        "print(sorted(m for m in ('markitdown', 'pandas', 'pdfplumber', 'openpyxl')"
        " if m in sys.modules))\n")
    first, loaded, converters = in_fresh_process(code, timeout=300)
    assert first == "Military True"
    assert loaded == "[]"
    assert converters == "[]"


@pytest.mark.slow
def test_a_server_that_builds_and_exports_never_imports_torch(tmp_path: Path) -> None:
    # A fresh process starts a service on an empty index with an empty export cache: the
    # build must export the model (torch) and embed the corpus. It does both in a child
    # process, so the serving process answers without having imported torch.
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    code = (
        "import sys\n"
        "from qa.config import get_settings\n"
        "from qa.service import QAService\n"
        f"svc = QAService(get_settings(corpus={str(tmp_path / 'corpus')!r}, "
        f"index={str(tmp_path / 'index')!r}, encoder_cache={str(tmp_path / 'cache')!r}))\n"
        "report = svc.start(build_if_needed=True)\n"
        "print(report.live, report.embedded > 0)\n"
        "print(svc.retrieve('regional impact of the military aspect', 1).hits[0].chunk.cells[0])\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))\n"
        "svc.stop()\n")
    assert in_fresh_process(code, timeout=600) == ["True True", "Military", "[]"]
    assert list((tmp_path / "cache").iterdir()), "the export was not cached"


def test_queries_that_queue_up_are_encoded_together_as_if_alone(encoder: OnnxEncoder) -> None:
    queries = QueryThread()
    texts = real_questions()[:40]
    held = threading.Event()
    queries.submit(held.wait, 30)  # the thread is busy: the queries below queue up
    futures = [queries.future(encoder, t) for t in texts]
    held.set()
    batched = np.concatenate([f.result(60) for f in futures])
    alone = np.concatenate([encoder.encode_one(t) for t in texts])
    assert float((batched * alone).sum(1).min()) >= 0.9999


def test_a_query_and_its_words_come_back_together_in_order(encoder: OnnxEncoder) -> None:
    """A query's words to expand travel in its batch, and each vector is the text's own."""
    queries = QueryThread()
    held = threading.Event()
    queries.submit(held.wait, 30)  # a second query queues up beside this one
    mine = queries.future(encoder, "whose supremacy is contested", "supremacy", "contested")
    other = queries.future(encoder, "sanctions evasion")
    held.set()
    vectors = mine.result(60)
    assert vectors.shape == (3, encoder.dimension) and other.result(60).shape[0] == 1
    alone = encoder.encode(["whose supremacy is contested", "supremacy", "contested"])
    assert float((vectors * alone).sum(1).min()) >= 0.9999
    assert np.allclose(queries.encode(encoder, "sanctions", "evasion"),
                       encoder.encode(["sanctions", "evasion"]), atol=1e-5)


def test_int8_weights_keep_the_vectors_and_shrink_the_products(
        encoder: OnnxEncoder, fp32_exported: Path, tmp_path: Path) -> None:
    import onnx

    from qa.export import int8_weights

    assert int8_weights(fp32_exported / ENCODER, tmp_path / ENCODER) == 36  # 6 layers x 6
    ops = [n.op_type for n in onnx.load(str(tmp_path / ENCODER)).graph.node]
    assert ops.count("MatMulNBits") == 36 and ops.count("MatMul") == 12  # attention's own
    quantised = OnnxEncoder(tmp_path / ENCODER, fp32_exported / TOKENIZER, encoder.max_tokens)
    texts = real_questions()
    cosine = (encoder.encode(texts) * quantised.encode(texts)).sum(1)
    assert cosine.min() >= 0.995 and cosine.mean() >= 0.999
    # it still orders texts as the model does
    q, near, far = quantised.encode(["Who supplies artillery shells to Russia?",
                                     "North Korea sends artillery ammunition to Russia.",
                                     "Revenue grew by 5% in 2019."])
    assert q @ near > q @ far + 0.2


def test_a_query_is_encoded_in_place_only_when_the_other_runnable_tasks_leave_it_cores() -> None:
    assert idle_cores(1, 2) == 2 and idle_cores(3, 2) == 0 and idle_cores(6, 2) == -3
    for cores, threads in ((2, 2), (2, 1), (8, 2), (64, 4)):
        need = threads + SPARE_CORES  # idle cores it takes
        counts = range(1, cores + 8)
        here = [in_place(n, cores, threads) for n in counts]
        assert here == sorted(here, reverse=True), "more runnable tasks, yet in place"
        assert here == [idle_cores(n, cores) >= need for n in counts]
        assert in_place(1, cores, threads) == (cores >= need)  # the reader alone runs
        assert not in_place(cores + 1, cores, threads)  # every core taken by others
        assert not in_place(None, cores, threads)  # no /proc: always handed over


def test_the_runnable_count_is_the_kernels_or_none(tmp_path: Path) -> None:
    assert RunnableTasks(str(tmp_path / "missing"))() is None
    if Path("/proc/loadavg").exists():
        counted = RunnableTasks()
        assert all(1 <= counted() <= int(Path("/proc/loadavg").read_text().split()[3].split("/")[1])
                   for _ in range(3))  # this thread runs as it reads
    (tmp_path / "loadavg").write_text("0.50 0.40 0.30 3/120 4567\n")
    assert RunnableTasks(str(tmp_path / "loadavg"))() == 3


def test_a_lone_query_is_encoded_here_only_when_the_thread_is_idle_and_a_core_free(
        encoder: OnnxEncoder) -> None:
    queries = QueryThread()
    seen: list[tuple] = []
    queries.choose = lambda *counts: seen.append(counts) or True
    text = "Who supplies artillery shells to Russia?"
    assert queries.wants_here(encoder)
    assert len(seen) == 1 and seen[0][1:] == (queries.cores, encoder.threads)
    assert seen[0][0] is None or seen[0][0] >= 1  # the kernel's count, this thread in it
    here = queries.encode_here(encoder, text)
    assert here is not None and np.allclose(here, encoder.encode_one(text), atol=1e-6)
    assert here.shape == (1, encoder.dimension)
    queries.choose = lambda *counts: False  # no core to spare
    assert not queries.wants_here(encoder)
    queries.choose = lambda *counts: True
    held, started = threading.Event(), threading.Event()
    busy = queries.submit(lambda: started.set() or held.wait(30))
    started.wait(30)
    waiting = queries.future(encoder, text)  # queued behind the busy thread
    assert not queries.wants_here(encoder)  # the encoder thread is busy
    assert queries.encode_here(encoder, text) is None
    held.set()
    busy.result(30)
    assert np.allclose(waiting.result(30), here, atol=1e-6)
