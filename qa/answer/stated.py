"""The numbers an answer states, checked against what it cites: every number must stand
in a cited chunk (a cell, a column name, the caption, the prose), in the question, or be
one the executor computed from the derivation's operands. Any other number is made up.
"""

from __future__ import annotations

import re
from decimal import Decimal

from qa.answer.operators import COUNT, count_result, execute
from qa.answer.types import Answer
from qa.text.numbers import WORD_SCALES, numbers_in, read_number, round_half_up


def _decimals(written: str) -> int:
    digits = re.sub(r"[^\d.]", "", written)
    return len(digits.split(".", 1)[1]) if "." in digits else 0


def computed(answer: Answer) -> list[Decimal]:
    """The numbers the executor gives when it runs the answer's derivation again from its
    operands (the result and the steps on the way); none for an answer without one."""
    d = answer.derivation
    if d is None:
        return []
    if d.op == COUNT:
        return list(count_result(len(d.operands)).computed)
    result = execute(d.op, [o.value for o in d.operands], d.unit == "%")
    return list(result.computed) if result else []


def held(answer: Answer) -> set[Decimal]:
    """Every number the cited chunks and the question write (cells read whole)."""
    out: set[Decimal] = set()
    texts = [answer.question]
    for c in answer.citations:
        texts += [c.chunk.text, c.chunk.caption, c.chunk.group, *c.chunk.header]
        out |= {n.value for cell in c.chunk.cells if (n := read_number(cell)) is not None}
    for t in texts:
        for f in numbers_in(t):  # "$4.9 million" holds 4.9 as written and 4,900,000
            out |= {f.number.value, f.number.value / WORD_SCALES.get(f.number.scale_word, 1)}
        out |= {Decimal(y) for y in re.findall(r"\d+", t)}  # digits inside names ("F19", "Q4")
    return out


def unsupported_numbers(answer: Answer) -> list[str]:
    """The numbers an answer states (its `[n]` markers aside) that neither a cited chunk
    nor the question holds and that its derivation does not compute."""
    text = re.sub(r"\[\d+\]", " ", answer.answer)
    have = held(answer)
    made = computed(answer)
    out = []
    for f in numbers_in(text):
        v = f.number.value
        if v in have or -v in have:
            # "(2019)" in prose is a year in parentheses as often as a negative, and a
            # working writes a cell's "(365,223)" as the magnitude it adds
            continue
        places = _decimals(f.text)
        if any(round_half_up(m, places) == v for m in made):
            continue
        out.append(f.text)
    return out
