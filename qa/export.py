"""The embedding model exported to ONNX once, at build time, for `qa.encoder`.

`qa build` needs the model as an ONNX file (queries and documents are encoded with it, by
onnxruntime, without torch). Exporting takes torch and a few seconds, so it is done once
per model and kept in a cache keyed by the model's fingerprint (a hash of its files) and
the export settings; each index version then holds a hard link to (or a copy of) the
cached files. Before an export is cached it is checked against sentence-transformers on
texts of several lengths, batched with padding: it must give the same vectors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from qa.apart import run_apart
from qa.embed import Embedder, model_folder
from qa.encoder import ENCODER, TOKENIZER, OnnxEncoder
from qa.errors import ModelUnavailable
from qa.index import file_sha256

log = logging.getLogger(__name__)

# Bump when the export changes what it writes, so that caches and indexes are redone.
EXPORT_VERSION = 1
OPSET = 17
# fp32: the model's own weights. int8: dynamic quantisation (weights and activations in
# int8, per channel). int8w: int8 weights only (blocks of WEIGHT_BLOCK inputs, one scale
# each; onnxruntime's MatMulNBits), activations quantised per block as each product runs.
PRECISIONS = ("fp32", "int8", "int8w")
INFO = "export.json"
# The export is refused unless it reproduces sentence-transformers' vectors this closely
# (cosine; the issue asks 0.9999 for fp32). A quantised model is an approximation by design:
# its check is looser, and its cost in retrieval quality is measured by scripts/encoders.py
# (on the dev questions, min cosine to fp32: int8 0.989, int8w 0.9986; on the probe "ok",
# two words' worth of tokens, int8w gives 0.9946).
MIN_COSINE = {"fp32": 0.9999, "int8": 0.95, "int8w": 0.99}
# int8w: weights sharing one scale. Smaller blocks follow the weights more closely and cost
# more CPU per query (scripts/encoders.py, dev questions, load 7.8: block 64 min cosine
# 0.99904 at 4.1 CPU-ms a query, 128 0.99861 at 3.8, 256 0.99760 at 4.1; fp32 6.0).
WEIGHT_BLOCK = 128
# MatMulNBits' accuracy_level 4: the activations are quantised to int8 per block and the
# products run in int8 (VNNI/AMX); level 0 dequantises the weights on every call, 5-7x slower.
WEIGHT_ACCURACY_LEVEL = 4
PROBES = ("Who supplies artillery shells?",
          "What was the change in revenue between 2018 and 2019?",
          "Russia and North Korea signed a comprehensive strategic partnership treaty in June "
          "2024, pledging mutual military assistance if either is attacked. " * 12,
          "ok")


def fingerprint(model_dir: Path) -> str:
    """SHA-256 over the names and contents of a model folder's files."""
    h = hashlib.sha256()
    root = Path(model_dir)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda f=f: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def cache_key(model_dir: Path, precision: str) -> str:
    """The cache folder name of a model's export: its fingerprint and the export settings."""
    if precision == "int8w":  # its quantisation settings make another file
        precision = f"int8w:{WEIGHT_BLOCK}:{WEIGHT_ACCURACY_LEVEL}"
    settings = f"{fingerprint(model_dir)}:{precision}:{OPSET}:{EXPORT_VERSION}"
    return hashlib.sha256(settings.encode()).hexdigest()[:32]


def cached_export(model: str, precision: str, cache: Path,
                  embedder_factory: Callable[[], Embedder] | None = None, apart: bool = False,
                  ) -> tuple[Path, dict[str, Any]]:
    """The folder holding the model's ONNX export (encoder and tokenizer) and what it is
    (with its cache `key`), exporting it first when the cache lacks it, from the
    sentence-transformers model (torch) of `embedder_factory()` or loaded here; with
    `apart`, loaded and exported in a child process (`qa.apart`), so that this one never
    imports torch."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    key = cache_key(model_folder(model), precision)
    folder = Path(cache) / key
    info = _read_info(folder)
    if info is None:
        if folder.exists():  # damaged or altered since it was cached: export it anew
            log.warning("the cached ONNX export in %s is damaged: exporting again", folder)
            doomed = folder.with_name(f".tmp-bad-{key}-{os.getpid()}")
            os.rename(folder, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        if apart:
            info = run_apart(export_fresh, model, precision, folder)
        else:
            info = _export(model, precision, folder,
                           embedder_factory() if embedder_factory else Embedder(model))
    return folder, {**info, "key": key}


def export_fresh(model: str, precision: str, folder: Path) -> dict[str, Any]:
    """Load `model` with sentence-transformers and export it into `folder`; a
    module-level function, for `run_apart`."""
    return _export(model, precision, folder, Embedder(model))


def _read_info(folder: Path) -> dict[str, Any] | None:
    """What a cached export is, when its files are whole (their SHA-256 as recorded)."""
    try:
        info = json.loads((folder / INFO).read_text())
    except (OSError, ValueError):
        return None
    if any(file_sha256(folder / name) != info.get("sha256", {}).get(name)
           for name in (ENCODER, TOKENIZER)):
        return None
    return info


def _export(model: str, precision: str, folder: Path, embedder: Embedder) -> dict[str, Any]:
    """Export `model` into `folder` (written under a temporary name, then renamed)."""
    import torch

    st = embedder.reference_model()
    modules = [type(m).__name__ for m in st]
    pooling = getattr(st[1], "pooling_mode", None) if len(st) > 1 else None
    if modules[:2] != ["Transformer", "Pooling"] or pooling != "mean":
        raise ModelUnavailable(f"model {model!r} ({' -> '.join(modules)}, pooling {pooling}) is "
                               "not a transformer with mean pooling: qa cannot export it to ONNX")
    transformer = st[0].auto_model.eval()
    tokenizer = st.tokenizer
    max_tokens = int(st.max_seq_length)

    class Hidden(torch.nn.Module):
        """The transformer's last hidden state, the one output the encoder pools."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    tmp = folder.with_name(f".tmp-{folder.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        sample = tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
        if "token_type_ids" not in sample:
            sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter: it works offline on this model and traces the
            # dynamic sequence axis correctly (checked below on texts of other lengths).
            # Its tracer warns of Python values it treats as constants; the check below is
            # what decides, so the warnings would only alarm a user starting `qa serve`.
            warnings.simplefilter("ignore")
            torch.onnx.export(Hidden(transformer), tuple(sample[n] for n in names),
                              str(tmp / "fp32.onnx"), input_names=names,
                              output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=OPSET, dynamo=False)
        if precision == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(tmp / "fp32.onnx"), str(tmp / ENCODER),
                             weight_type=QuantType.QInt8, per_channel=True)
            (tmp / "fp32.onnx").unlink()
        elif precision == "int8w":
            int8_weights(tmp / "fp32.onnx", tmp / ENCODER)
            (tmp / "fp32.onnx").unlink()
        else:
            (tmp / "fp32.onnx").rename(tmp / ENCODER)
        tokenizer.backend_tokenizer.save(str(tmp / TOKENIZER))
        cosine = _check(st, OnnxEncoder(tmp / ENCODER, tmp / TOKENIZER, max_tokens))
        if cosine < MIN_COSINE[precision]:
            raise ModelUnavailable(f"the ONNX export of {model!r} does not reproduce its "
                                   f"vectors (cosine {cosine:.5f} < {MIN_COSINE[precision]})")
        info = {"precision": precision, "max_tokens": max_tokens, "pooling": "mean",
                "normalized": True, "opset": OPSET, "export_version": EXPORT_VERSION,
                "torch": str(torch.__version__), "check_cosine": round(cosine, 6),
                "sha256": {name: file_sha256(tmp / name) for name in (ENCODER, TOKENIZER)}}
        (tmp / INFO).write_text(json.dumps(info, indent=1))
        try:
            os.rename(tmp, folder)
        except OSError:  # another build cached the same export meanwhile: use that one
            shutil.rmtree(tmp, ignore_errors=True)
            return _read_info(folder) or info
        log.info("exported %s to ONNX (%s) in %s", model, precision, folder)
        return info
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def int8_weights(source: Path, target: Path, block: int = WEIGHT_BLOCK) -> int:
    """Write `source` to `target` with each MatMul by a constant weight matrix replaced by
    onnxruntime's MatMulNBits on int8 weights: symmetric, one fp32 scale per `block` inputs
    of each output column (stored offset by 128, the operator's default zero point).
    Returns the number of products replaced."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    weights = {i.name: i for i in graph.initializer}
    nodes, replaced = [], 0
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)  # [K, N]
        k, n = w.shape
        blocks = -(-k // block)
        padded = np.zeros((n, blocks * block), dtype=np.float32)
        padded[:, :k] = w.T
        padded = padded.reshape(n, blocks, block)
        scale = np.abs(padded).max(axis=-1) / 127
        scale[scale == 0] = 1.0
        q = np.clip(np.rint(padded / scale[..., None]), -127, 127).astype(np.int16) + 128
        name = node.input[1]
        graph.initializer.extend([numpy_helper.from_array(q.astype(np.uint8), f"{name}_int8"),
                                  numpy_helper.from_array(scale.reshape(-1), f"{name}_scale")])
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], f"{name}_int8", f"{name}_scale"], list(node.output),
            name=f"{node.name}_int8", domain="com.microsoft", K=k, N=n, bits=8,
            block_size=block, accuracy_level=WEIGHT_ACCURACY_LEVEL))
        replaced += 1
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in graph.node for name in node.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(target))
    return replaced


def _check(st: Any, encoder: OnnxEncoder) -> float:
    """The lowest cosine between sentence-transformers' vectors and the encoder's, over
    the probes encoded one at a time and together (padded)."""
    reference = st.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    together = encoder.encode(list(PROBES))
    alone = np.concatenate([encoder.encode_one(t) for t in PROBES])
    return float(min((reference * together).sum(1).min(), (reference * alone).sum(1).min()))
