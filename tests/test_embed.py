"""The packaged sentence-transformers model (what builds export to ONNX): found and loaded
offline, and a clear error for a model that is not there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.embed import Embedder, resolve_model
from qa.errors import ModelUnavailable


def test_packaged_model_resolves_to_a_local_folder() -> None:
    where = Path(resolve_model("sentence-transformers/all-MiniLM-L6-v2"))
    assert where.is_dir()
    assert (where / "config.json").is_file() or (where / "modules.json").is_file()
    assert resolve_model("all-MiniLM-L6-v2") == str(where)


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
