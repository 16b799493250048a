"""How many units (embedded texts) the chunks of the development corpora have, uncapped:
the figures behind `qa.chunk.MAX_UNITS`, the cap that keeps one hostile chunk (a pipe-table
row of 3,000 cells) from costing thousands of embeddings.

Prints, per corpus, the number of chunks and the 50th, 99th and 100th percentiles of
units per chunk, and how many chunks the cap would cut. Nothing is embedded.

    .venv/bin/python scripts/units_per_chunk.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import qa.chunk
from qa.chunk import MAX_UNITS, chunk_document
from qa.config import get_settings
from qa.corpus import scan
from qa.parse import parse_document

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, SHARED

CORPORA = {
    "analysis": ROOT / "corpus",
    "tatqa_dev": SHARED / "eval" / "tatqa_dev" / "corpus",
    "squad_train": SHARED / "eval" / "squad_train" / "corpus",
}


def main() -> int:
    settings = get_settings()
    print(f"MAX_UNITS = {MAX_UNITS}")
    qa.chunk.MAX_UNITS = sys.maxsize  # measure the chunks uncapped
    for name, folder in CORPORA.items():
        if not folder.is_dir():
            print(f"{name}: {folder} not found")
            continue
        sources, _ = scan(folder, settings.max_file_bytes, settings.max_line_chars)
        counts = np.array([len(c.units()) for s in sources
                           for c in chunk_document(parse_document(s.path, s.text),
                                                   settings.passage_chars)])
        p50, p99, top = np.percentile(counts, [50, 99, 100])
        print(f"{name}: {len(counts)} chunks; units per chunk p50 {p50:.0f}, p99 {p99:.0f}, "
              f"max {top:.0f}; over the cap: {(counts > MAX_UNITS).sum()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
