"""The packaged embedding model: offline, normalised vectors of the right dimension, and a
clear error for a model that is not there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.embed import Embedder, resolve_model
from qa.errors import ModelUnavailable


def test_packaged_model_resolves_to_a_local_folder() -> None:
    where = Path(resolve_model("sentence-transformers/all-MiniLM-L6-v2"))
    assert where.is_dir()
    assert (where / "config.json").is_file() or (where / "modules.json").is_file()
    assert resolve_model("all-MiniLM-L6-v2") == str(where)


def test_vectors_are_normalised_with_the_right_dimension(embedder: Embedder) -> None:
    assert embedder.dimension == 384
    vecs = embedder.encode(["Russia supplies fuel to North Korea.", "A cat sat on the mat."])
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    q = embedder.encode_query("energy exports to Pyongyang")
    assert q.shape == (1, 384)
    assert np.isclose(np.linalg.norm(q), 1.0, atol=1e-4)
    assert embedder.encode([]).shape == (0, 384)


def test_similar_texts_are_closer(embedder: Embedder) -> None:
    q = embedder.encode_query("energy exports to North Korea")[0]
    near, far = embedder.encode(["Russia supplies fuel and energy to North Korea.",
                                 "The recipe needs two cups of flour."])
    assert q @ near > q @ far + 0.2


def test_token_limit_and_counts(embedder: Embedder) -> None:
    assert embedder.max_tokens == 256
    short, long = embedder.count_tokens(["two words", "word " * 400])
    assert short < 10 and long > 256


def test_loads_offline_without_any_hub_cache(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "SENTENCE_TRANSFORMERS_HOME": str(tmp_path / "st")}
    code = ("from qa.embed import Embedder; import numpy as np; "
            "v = Embedder().encode(['offline']); print(v.shape, round(float(np.linalg.norm(v)), 3))")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=False, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["(1,", "384)", "1.0"]


@pytest.mark.parametrize("name", ["no-such-org/no-such-model", "/nonexistent/model/folder"])
def test_unknown_model_is_model_unavailable(name: str) -> None:
    e = Embedder(name)  # constructing is cheap and does not load
    with pytest.raises(ModelUnavailable) as info:
        e.encode(["x"])
    assert name in info.value.message
    assert "QA_MODEL" in info.value.message
    assert info.value.status == 503


def test_work_submitted_to_the_query_thread_encodes_there_without_waiting_on_itself(
        embedder: Embedder) -> None:
    import threading

    def on_thread() -> tuple[str, np.ndarray]:
        # encode_query from the query thread itself must encode in place: handing over
        # to its own single-thread pool would wait forever.
        return threading.current_thread().name, embedder.encode_query("sanctions evasion")

    name, vec = embedder.submit(on_thread).result(timeout=60)
    assert name.startswith("qa-encode") and name != threading.current_thread().name
    assert np.allclose(vec, embedder.encode_query("sanctions evasion"), atol=1e-5)
