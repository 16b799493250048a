"""The period of each row of a roll-forward table: a report's table of balances and the
movements between them, its labels repeated under each period ("Balances at December 31,
2017 | ...", "Goodwill acquired | ...", "Balances at December 31, 2018 | ...", "Goodwill
acquired | ..." again). A repeated row ("Goodwill acquired") is read with the period it
belongs to, named by the balance rows opening and closing its block of movements (the
movements between "at December 31, 2017" and "at December 31, 2018" are those from
December 31, 2017 to December 31, 2018).

Only a table with two balance rows or more (one label, save the date or year, written
with different periods: "Nonvested at December 31, 2017", "Nonvested at December 31,
2018") and a label repeated among its other rows is a roll-forward table; in any other
table no row takes a period."""

from __future__ import annotations

import re
from collections import Counter

from qa.text.numbers import MONTH
from qa.text.sentences import squash

# A date written in words ("December 31, 2018", "June 30 2019", "31 March 2019") or a
# fiscal year ("fiscal 2018", "FY2018"), else a bare year: the period a balance row names.
_PERIOD = re.compile(
    rf"\b{MONTH}\s+\d{{1,2}},?\s+(?:19|20)\d\d\b"
    rf"|\b\d{{1,2}}\s+{MONTH}\s+(?:19|20)\d\d\b"
    r"|\b(?:fiscal\s+(?:year\s+)?|fy\s*)?(?:19|20)\d\d\b",
    re.IGNORECASE)
# How a repeated row's group names its period: from the balance row opening its block to
# the one closing it ("From December 31, 2017 to December 31, 2018"); before the first
# balance row only its end, after the last only its start.
PERIOD_BETWEEN = "From {} to {}"
PERIOD_TO = "To {}"
PERIOD_FROM = "From {}"


def _period(label: str) -> tuple[str, str] | None:
    """(the period a row label names, the label without it), or None for a label naming
    no period or more than one."""
    found = _PERIOD.findall(label)
    if len(found) != 1:
        return None
    stem = squash(_PERIOD.sub(" ", label)).strip(" ,:;-–").lower()
    return found[0], stem


def row_periods(labels: list[str]) -> list[str]:
    """For each row label of a table, the group naming the period its row belongs to
    (`PERIOD_BETWEEN`, `PERIOD_TO`, `PERIOD_FROM`), or "" for a balance row, a row naming a period of its own, and every
    row of a table that is not a roll-forward table."""
    periods = [_period(label) for label in labels]
    stems = Counter(p[1] for p in periods if p)
    balances = [i for i, p in enumerate(periods)
                if p and stems[p[1]] >= 2 and p[1]]
    if len({periods[i][0] for i in balances}) < 2:
        return [""] * len(labels)
    rest = Counter(squash(label).lower() for label, p in zip(labels, periods)
                   if label and p is None)
    if not any(n >= 2 for n in rest.values()):
        return [""] * len(labels)
    out = []
    for i, (label, p) in enumerate(zip(labels, periods)):
        if not label or p is not None:
            out.append("")
            continue
        after = [b for b in balances if b > i]
        before = [b for b in balances if b < i]
        if after and before:
            out.append(PERIOD_BETWEEN.format(periods[before[-1]][0], periods[after[0]][0]))
        elif after:
            out.append(PERIOD_TO.format(periods[after[0]][0]))
        else:
            out.append(PERIOD_FROM.format(periods[before[-1]][0]))
    return out
