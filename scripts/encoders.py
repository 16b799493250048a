#!/usr/bin/env python3
"""The ONNX encoders measured: agreement with sentence-transformers, build throughput, and
what int8 costs in retrieval quality. Prints numbers; run with `nice` on a quiet machine.

  1. agreement: cosine between sentence-transformers' vectors and the fp32 / int8 ONNX
     export's, on the questions of the development sets (the fp32 export must reach 0.9999);
  2. throughput on the same texts (units of the TAT-QA chunks): the raw encoder (tokenize,
     onnxruntime on length-sorted batches, mean pooling, nothing else), the build's
     `OnnxEncoder.encode`, and sentence-transformers' `encode`, in texts per second; the
     target is the build's at least 0.9x the raw encoder's;
  3. retrieval quality per precision: each set's corpus built with that precision, then
     hit@1 and pinpoint@1 of /retrieve (k=5, scoped by `doc`) computed with the shared
     scorer's own matching, on the calibration and held-out parts (`scripts/evalsets.py`).

    .venv/bin/python scripts/encoders.py                      # everything
    .venv/bin/python scripts/encoders.py --skip quality       # agreement and throughput only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answer_eval import CORPORA, scorer
from evalsets import SETS as SET_FILES
from evalsets import load, split

from qa.build import build
from qa.config import get_settings
from qa.embed import Embedder
from qa.encoder import BUILD_THREADS, ENCODER, TOKENIZER, OnnxEncoder
from qa.export import PRECISIONS, cached_export
from qa.service import QAService

SETS = ("seed_dev", "tatqa_dev")


def load_avg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def items(name: str) -> list[dict]:
    return load(SET_FILES[name])


def questions(name: str) -> list[str]:
    return [q["question"] for q in items(name)]


def agreement(embedder: Embedder, encoders: dict[str, OnnxEncoder]) -> dict:
    """Cosine of each export's vectors to sentence-transformers', alone and batched."""
    texts = [q for name in SETS for q in questions(name)]
    reference = embedder.encode(texts)
    out = {"questions": len(texts)}
    for precision, enc in encoders.items():
        batched = enc.encode(texts, 32)
        alone = np.concatenate([enc.encode_one(t) for t in texts[:300]])
        cos_b = (reference * batched).sum(1)
        cos_a = (reference[:300] * alone).sum(1)
        out[precision] = {"min": round(float(min(cos_b.min(), cos_a.min())), 6),
                          "mean": round(float(cos_b.mean()), 6)}
        print(f"agreement {precision}: cosine to sentence-transformers min "
              f"{out[precision]['min']:.6f} mean {out[precision]['mean']:.6f} "
              f"({len(texts)} questions batched, 300 alone)", flush=True)
    return out


def raw_encode(folder: Path, max_tokens: int, texts: list[str], batch: int) -> np.ndarray:
    """The raw encoder: the tokenizer and an onnxruntime session, nothing else."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / TOKENIZER))
    tok.enable_truncation(max_length=max_tokens)
    tok.enable_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = BUILD_THREADS
    session = ort.InferenceSession(str(folder / ENCODER), options,
                                   providers=["CPUExecutionProvider"])
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), 384), dtype=np.float32)
    for lo in range(0, len(order), batch):
        idx = order[lo:lo + batch]
        encs = tok.encode_batch([texts[i] for i in idx])
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                    "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[:, :, None].astype(np.float32)
        v = (hidden * m).sum(1) / m.sum(1)
        out[idx] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def throughput(embedder: Embedder, folder: Path, max_tokens: int, texts: list[str],
               batch: int) -> dict:
    """Texts per second of the raw encoder, the build's encoder and sentence-transformers,
    each on the same texts (interleaved twice, the better run of each kept)."""
    build_enc = OnnxEncoder(folder / ENCODER, folder / TOKENIZER, max_tokens, BUILD_THREADS)
    st = embedder.reference_model()
    runs = {"raw onnxruntime": lambda: raw_encode(folder, max_tokens, texts, batch),
            "qa build (OnnxEncoder.encode)": lambda: build_enc.encode(texts, batch),
            "sentence-transformers": lambda: st.encode(texts, batch_size=batch,
                                                       normalize_embeddings=True)}
    best: dict[str, float] = {}
    vectors = {}
    for _ in range(2):
        for name, run in runs.items():
            t0 = time.perf_counter()
            vectors[name] = run()
            best[name] = min(best.get(name, 1e9), time.perf_counter() - t0)
    out = {name: round(len(texts) / s, 1) for name, s in best.items()}
    for name, rate in out.items():
        print(f"throughput {name:<32} {rate:8.1f} texts/s ({len(texts)} texts, "
              f"{best[name]:.1f} s)", flush=True)
    ratio = out["qa build (OnnxEncoder.encode)"] / out["raw onnxruntime"]
    same = float((vectors["raw onnxruntime"] * vectors["qa build (OnnxEncoder.encode)"]).sum(1).min())
    st_cos = float((vectors["sentence-transformers"]
                    * vectors["qa build (OnnxEncoder.encode)"]).sum(1).min())
    print(f"build / raw = {ratio:.2f} (target >= 0.9: {'yes' if ratio >= 0.9 else 'NO'}); "
          f"min cosine build vs raw {same:.6f}, vs sentence-transformers {st_cos:.6f}")
    out.update(build_over_raw=round(ratio, 3), min_cosine_st=round(st_cos, 6))
    return out


def retrieval(precision: str, name: str, work: Path, k: int) -> dict:
    """hit@1 and pinpoint@1 of /retrieve over the set, per part, as the scorer matches."""
    sc = scorer()
    settings = get_settings(corpus=CORPORA[name], index=work / f"{name}-{precision}",
                            precision=precision)
    report = build(settings)
    if report.error:
        sys.exit(f"build of {name} ({precision}) failed: {report.error}")
    svc = QAService(settings)
    svc.start()
    answerable = [q for q in items(name) if q.get("answerable") and not q.get("history")]
    out = {}
    for part, part_items in zip(("calib", "heldout"), split(name, answerable), strict=True):
        rows = []
        for q in part_items:
            hits = svc.retrieve(q["question"], k, q.get("doc")).hits
            texts = [h.chunk.text for h in hits]
            rank = next((i + 1 for i, t in enumerate(texts) if sc.contains_any(t, q["evidence"])),
                        None)
            pin = bool(rank) and len(texts[rank - 1]) <= sc.pinpoint_limit(q["evidence"])
            rows.append((rank == 1, rank == 1 and pin))
        out[part] = {"n": len(rows), "hit@1": round(sum(r[0] for r in rows) / len(rows), 4),
                     "pinpoint@1": round(sum(r[1] for r in rows) / len(rows), 4)}
        rows_all = out.setdefault("_rows", [])
        rows_all.extend(rows)
    rows_all = out.pop("_rows")
    out["all"] = {"n": len(rows_all),
                  "hit@1": round(sum(r[0] for r in rows_all) / len(rows_all), 4),
                  "pinpoint@1": round(sum(r[1] for r in rows_all) / len(rows_all), 4)}
    for part, f in out.items():
        print(f"quality {name:<10} {precision:<5} {part:<8} n={f['n']:<5} hit@1 {f['hit@1']:.3f} "
              f"pinpoint@1 {f['pinpoint@1']:.3f}", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/qa-encoders"),
                    help="where the indexes are built and kept (default /tmp/qa-encoders)")
    ap.add_argument("--texts", type=int, default=2000, help="texts for the throughput runs")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--skip", action="append", default=[],
                    choices=["agreement", "throughput", "quality"])
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--precision", action="append", choices=PRECISIONS,
                    help="the precisions measured (repeat; default all of them)")
    args = ap.parse_args()
    print(f"load average {load_avg()} on {os.cpu_count()} cores", flush=True)
    settings = get_settings()
    embedder = Embedder(settings.model)
    precisions = args.precision or list(PRECISIONS)
    exports = {p: cached_export(settings.model, p, settings.encoder_cache, lambda: embedder)
               for p in precisions}
    figures: dict = {"load_before": load_avg()}
    if "agreement" not in args.skip:
        encoders = {p: OnnxEncoder(f / ENCODER, f / TOKENIZER, info["max_tokens"])
                    for p, (f, info) in exports.items()}
        figures["agreement"] = agreement(embedder, encoders)
    if "throughput" not in args.skip:
        from qa.chunk import chunk_document
        from qa.corpus import scan
        from qa.parse import parse_document

        sources, _ = scan(CORPORA["tatqa_dev"], settings.max_file_bytes, settings.max_line_chars)
        units = [u for s in sources for c in chunk_document(parse_document(s.path, s.text),
                                                            settings.passage_chars)
                 for u in c.units()]
        texts = units[:: max(1, len(units) // args.texts)][: args.texts]
        folder, info = exports["fp32"]
        figures["throughput"] = throughput(embedder, folder, info["max_tokens"], texts,
                                           args.batch)
    if "quality" not in args.skip:
        figures["quality"] = {f"{name}/{p}": retrieval(p, name, args.work, 5)
                              for name in SETS for p in precisions}
    figures["load_after"] = load_avg()
    print(f"load average {figures['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
