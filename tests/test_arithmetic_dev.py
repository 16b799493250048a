"""Every question of the TAT-QA development set (../shared/eval/tatqa_dev) asked of a real
service over its corpus: every computed answer cites every operand it read (the share is
printed and must be 1.0), and no answer states a number it neither cites nor computes
(checked on every answer by `tests/conftest.py`). Skipped when the set is absent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa.config import get_settings
from qa.service import QAService

EVAL = next((p / "shared" / "eval" for p in Path(__file__).resolve().parents
             if (p / "shared" / "eval" / "tatqa_dev").is_dir()), None)


@pytest.mark.slow
@pytest.mark.skipif(EVAL is None, reason="../shared/eval/tatqa_dev (the development sets) "
                                         "is not beside this checkout")
def test_every_computed_answer_cites_its_operands(tmp_path: Path, exported: Path) -> None:
    assert EVAL is not None
    tatqa = EVAL / "tatqa_dev"
    shutil.copytree(tatqa / "corpus", tmp_path / "corpus")
    svc = QAService(get_settings(corpus=tmp_path / "corpus", index=tmp_path / "index"))
    svc.start(build_if_needed=True)
    lines = (tatqa / "set.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    computed = cited = 0
    for it in items:
        answer = svc.ask(it["question"], [], it["doc"])  # checked for made-up numbers too
        if answer.derivation is None:
            continue
        computed += 1
        highlighted = {(c.chunk.id, j) for c in answer.citations for j in c.highlight}
        cited += all((o.chunk.id, o.cell) in highlighted for o in answer.derivation.operands)
    share = cited / computed if computed else 0.0
    print(f"\n{computed} computed answers of {len(items)} questions; operands all cited in "
          f"{cited}: share {share:.3f}")
    assert computed > 0.3 * len(items)  # the arithmetic questions are answered by computing
    assert share == 1.0
