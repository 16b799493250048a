"""The operations a question about figures asks for, the words that ask for them, and
their execution on `Decimal` operands with the working written out.

The lexicon is the vocabulary of arithmetic itself (change, percentage, average, ratio,
proportion, total, how many, ...), not the wording of particular questions: a word joins
it only if it names an operation in any report. `operation` reads the operation from a
question's words; `execute` computes it from unrounded operands and writes the working
("(5,123 - 4,987) / 4,987 = 2.73%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from qa.text.numbers import format_number
from qa.text.tokens import words

DIFFERENCE = "difference"
CHANGE_RATIO = "change_ratio"
AVERAGE = "average"
RATIO = "ratio"
SHARE = "share"  # a part's share of its whole: magnitudes, the whole the denominator
SUM = "sum"
COUNT = "count"
OPERATIONS = (DIFFERENCE, CHANGE_RATIO, AVERAGE, RATIO, SHARE, SUM, COUNT)


def _vocab(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The lexicon (lower-cased words as `words` gives them). A change between two figures:
_CHANGE = _vocab("change changed changes increase increased increases decrease decreased "
                 "decreases growth grow grew grown declined decline declines rise rose risen "
                 "fall fell fallen drop dropped variance variation movement")
# How far apart two figures are (without a change word: the larger minus the smaller).
_DISTANCE = _vocab("difference differences differ differs")
# ... stated relative to the earlier figure (with a change word: a change ratio):
PERCENT_WORDS = _vocab("percentage percent percentages %")
# One figure divided by another (with a percent word: as a percentage):
_DIVISION = _vocab("ratio ratios proportion proportions fraction portion constitute "
                   "constitutes constituted constitution")
# ... of a part in its whole (the denominator is the whole), as opposed to "A to B":
_SHARE = _DIVISION - {"ratio", "ratios"}
_AVERAGE = _vocab("average mean")
_SUM = _vocab("total sum combined altogether aggregate together")
# "how much more/higher ... than": a difference.
_COMPARATIVE = _vocab("more less higher lower greater smaller larger bigger")
# Questions that ask for something other than a computed figure, whatever arithmetic words
# they use: a cause ("What caused the increase in X?"), a choice among figures ("Which year
# had the higher X?"), or several figures as they stand ("X and Y, respectively").
_CAUSE = _vocab("why reason reasons cause caused causes led lead leads driven drove drivers "
                "because explain explains")  # not "due", "attributable": "amounts due to X"
_CHOICE = _vocab("which when who whom where")
_LISTED = _vocab("respectively respective")
# Words that only frame the operation ("rate of growth", "in percentage terms").
LEXICON = (_CHANGE | _DISTANCE | PERCENT_WORDS | _DIVISION | _AVERAGE | _SUM
           | {"rate", "many", "much"})


@dataclass(frozen=True)
class Asked:
    """What a question asks to compute: the operation, whether the result is a percentage,
    the positions (word indexes) of the words that asked for it; for a division whether
    it is a part's share of its whole (rather than a ratio of A to B), for a difference
    whether it asks how far apart the figures are (rather than how one changed)."""

    op: str
    percent: bool
    cues: tuple[int, ...]
    share: bool = False
    distance: bool = False


def question_words(text: str) -> list[str]:
    """The question's words as the lexicon sees them ("%" read as "percent"; "non-vested"
    one word, as "nonvested": the negating prefix makes another word, not "vested")."""
    return words(_NON.sub("non", text.replace("%", " percent ")))


_NON = re.compile(r"\bnon-(?=\w)", re.IGNORECASE)


def operation(text: str, ignore: frozenset[int] = frozenset()) -> Asked | None:
    """The operation a question asks for, from the arithmetic words it uses outside the
    word positions `ignore` (those that name a row or column, as "Total" in "Total
    revenue" or "change" in "Change in fair value"); None when it asks for none, or for
    a cause, a choice or figures as they stand (see _CAUSE, _CHOICE, _LISTED).

    A percentage of a change ("percentage change", "% increase", "by what percent did X
    fall", "the change ... as a percentage of") is a change ratio; otherwise the first operation word governs and
    the later ones describe what it applies to ("the change in the average life
    expectancy" is a change; "the average percentage of revenue" an average)."""
    ws = question_words(text)
    clauses = [c.split() for c in re.split(r"[,;:]", text.lower())]  # "Between X and Y, which"
    starts = {w for c in clauses for w in c[:4]}
    if (_CAUSE & set(ws) or _LISTED & set(ws) or _CHOICE & starts
            or ws[-2:] in (["due", "to"], ["attributable", "to"])):  # "X is due to?"
        return None
    at = {i: w for i, w in enumerate(ws) if i not in ignore
          and not (w in _AVERAGE and i > 0 and ws[i - 1] == "weighted")}  # a kind of figure

    def cues(vocab: frozenset[str]) -> tuple[int, ...]:
        return tuple(i for i, w in at.items() if w in vocab)

    change, percent, division = cues(_CHANGE), cues(PERCENT_WORDS), cues(_DIVISION)
    distance = cues(_DISTANCE)
    average, total = cues(_AVERAGE), cues(_SUM)
    how_many = tuple(i for i in range(len(ws) - 1) if ws[i] == "how" and ws[i + 1] == "many"
                     and i not in ignore)
    if how_many:
        return Asked(COUNT, False, how_many)
    # "as a percentage of", "percentage of", "% of", "out of": a share of a whole
    share = tuple(i for i in percent if i + 1 < len(ws) and ws[i + 1] in ("of", "out"))
    moved = change + distance
    of_change = [i for i in percent if i not in share and any(j > i for j in moved)] + \
        [i for i in share if ws[i - 2:i - 1] == ["as"] and any(j < i for j in moved)]
    if of_change:
        return Asked(CHANGE_RATIO, True, tuple(sorted({*moved, *of_change})))
    comparative = tuple(i for i, w in at.items() if w in _COMPARATIVE
                        and "than" in ws[i + 1:] and "much" in ws[:i])
    found = [(c[0], name) for name, c in (
        ("change", moved), ("comparative", comparative), ("average", average),
        ("division", tuple(sorted(division + share))), ("total", total),
        ("percent", percent)) if c]
    if not found:
        return None
    kind = min(found)[1]
    if kind == "change":
        return Asked(DIFFERENCE, False, moved, distance=not change)
    if kind == "comparative":
        return Asked(DIFFERENCE, False, comparative)
    if kind == "average":
        return Asked(AVERAGE, False, average)
    if kind == "total":
        return Asked(SUM, False, total)
    part = bool(share) or any(at[i] in _SHARE for i in division) or not division
    cues_at = tuple(sorted(set(division + share + percent)))
    return Asked(SHARE if part else RATIO, bool(percent), cues_at, part)


# --- execution ----------------------------------------------------------------------------

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Result:
    """A computed value (unrounded), the working shown to the reader, and every number the
    computation produced on the way (the result included), for checking stated numbers."""

    value: Decimal
    expression: str
    computed: tuple[Decimal, ...]


def shown(value: Decimal) -> str:
    """An operand as the working writes it: separators kept, a negative in parentheses
    with its sign ("(-618)") so the operator before it stays readable."""
    text = format_number(value, places=max(0, -value.as_tuple().exponent)
                         if isinstance(value.as_tuple().exponent, int) else 2)
    return f"({text})" if value < 0 else text


def execute(op: str, values: Sequence[Decimal], percent: bool = False) -> Result | None:
    """Compute `op` over the operands in order (difference and change ratio: the later
    figure first, then the earlier one; ratio: numerator, then denominator; share: the
    parts, then the whole). None when it cannot be computed (a division by zero, too few
    operands)."""
    v = list(values)
    try:
        if op == DIFFERENCE and len(v) == 2:
            r = v[0] - v[1]
            return Result(r, f"{shown(v[0])} - {shown(v[1])} = {format_number(r)}", (r,))
        if op == CHANGE_RATIO and len(v) == 2:
            diff = v[0] - v[1]
            r = diff / v[1] * HUNDRED
            return Result(r, f"({shown(v[0])} - {shown(v[1])}) / {shown(v[1])} = "
                             f"{format_number(r)}%", (r, diff))
        if op == RATIO and len(v) == 2:
            r = v[0] / v[1] * (HUNDRED if percent else 1)
            tail = "%" if percent else ""
            return Result(r, f"{shown(v[0])} / {shown(v[1])} = {format_number(r)}{tail}", (r,))
        if op == SHARE and len(v) >= 2:  # the parts (summed), then the whole
            v = [abs(x) for x in v]  # a deduction shown negative is still a part of its whole
            part = sum(v[:-1], Decimal(0))
            r = part / v[-1] * (HUNDRED if percent else 1)
            tail = "%" if percent else ""
            parts = " + ".join(shown(x) for x in v[:-1])
            top = f"({parts})" if len(v) > 2 else parts
            return Result(r, f"{top} / {shown(v[-1])} = {format_number(r)}{tail}", (r, part))
        if op == AVERAGE and len(v) >= 2:
            total = sum(v, Decimal(0))
            r = total / len(v)
            body = " + ".join(shown(x) for x in v)
            return Result(r, f"({body}) / {len(v)} = {format_number(r)}",
                          (r, total, Decimal(len(v))))
        if op == SUM and len(v) >= 2:
            r = sum(v, Decimal(0))
            return Result(r, f"{' + '.join(shown(x) for x in v)} = {format_number(r)}", (r,))
    except (DivisionByZero, InvalidOperation):
        return None
    return None


def count_result(kept: int) -> Result:
    """The working of a count: how many of the figures looked at qualify."""
    r = Decimal(kept)
    return Result(r, f"{kept}", (r,))


_COMPARE = re.compile(r"\b(?P<more>exceed(?:ed|s)?|above|over|more than|greater than|higher than"
                      r"|larger than|at least)\b|\b(?P<less>below|under|less than|lower than"
                      r"|smaller than|fewer than|at most)\b", re.IGNORECASE)


def comparison(text: str) -> tuple[str, int] | None:
    """How a counting question compares figures to a threshold: (">" or "<", where the
    comparison word ends); None when it sets no threshold (a comparison word not followed
    by a figure, as "under" in "the items under X", sets none)."""
    for m in _COMPARE.finditer(text):
        if re.match(r"\W*(?:\w+\W+){0,2}?[$€£¥]?\s?\d", text[m.end():]):
            return (">" if m.group("more") else "<"), m.end()
    return None
