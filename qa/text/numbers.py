"""Numbers as documents write them, read into `Decimal`: the one number parser.

Tables and prose write "1,234.5", "(1,234)" for a negative, "−298" with a minus sign,
"$ 12.3 million", "(8)%", and "—" or "n/a" for no value. `parse_number` reads one such
text whole; `is_number` tells whether a table cell is a value rather than a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "\u2012": "-"})
# "no value" cells: dashes alone, n/a, nil, none.
_EMPTY = re.compile(r"^\s*(?:[-–—−]+|n/?a|nil|none|nm)\s*$", re.IGNORECASE)
_NUMBER = re.compile(
    r"""^\s*
    (?P<open>\()?\s*
    (?P<sign>[-+])?\s*
    (?P<cur>[$€£¥])?\s*
    (?P<sign2>[-+])?\s*
    (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    \s*(?P<word>thousand|million|billion|trillion|bn|mn|m|k)?\b\.?
    \s*(?P<pct>%)?
    \s*(?P<close>\))?
    \s*(?P<pct2>%)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_LEADING_CURRENCY = re.compile(r"^\s*[$€£¥]\s*(?=\()")  # "$(12)" is "($12)"
WORD_SCALES = {"thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3,
               "million": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "m": Decimal(10) ** 6,
               "billion": Decimal(10) ** 9, "bn": Decimal(10) ** 9,
               "trillion": Decimal(10) ** 12}


@dataclass(frozen=True)
class Number:
    """A number as written: its value (scale words applied), whether it was a percentage,
    and the scale word it carried ("million"), if any."""

    value: Decimal
    percent: bool = False
    scale_word: str = ""


def read_number(text: str) -> Number | None:
    """The number a text writes whole ("1,234.5", "(1,234)", "−2.7%", "$ 12.3 million"),
    or None when it is not one number ("n/a", "—", words, two numbers)."""
    t = str(text).translate(_DASHES).strip()
    if not t or _EMPTY.match(t):
        return None
    m = _NUMBER.match(_LEADING_CURRENCY.sub("", t))
    if not m or bool(m.group("open")) != bool(m.group("close")):
        return None
    try:
        value = Decimal(m.group("digits").replace(",", ""))
    except InvalidOperation:
        return None
    word = (m.group("word") or "").lower()
    if word:
        value *= WORD_SCALES[word]
    negative = bool(m.group("open")) or "-" in (m.group("sign") or "", m.group("sign2") or "")
    return Number(-value if negative else value, bool(m.group("pct") or m.group("pct2")), word)


def parse_number(text: str) -> Decimal | None:
    """The value of a number as written, or None (see `read_number`)."""
    n = read_number(text)
    return n.value if n else None


def is_number(text: str) -> bool:
    """Whether a table cell is a value (a number, amount or percentage, or a dash for none)
    rather than a label."""
    t = str(text).strip()
    return bool(t) and (read_number(t) is not None or bool(re.fullmatch(r"[-–—−]", t)))


# A number inside running text: an optional sign or opening parenthesis (not after a word
# character: the "-" of "2023-2024" is a dash), a currency sign, the digits, and a scale
# word or percent sign after it. Each match is then read by `read_number`.
_IN_TEXT = re.compile(
    r"(?<![\w.,])(?:[-−(]\s?)?[$€£¥]?\s?"
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?![\d])"
    r"(?:\s?(?:thousand|million|billion|trillion|bn|mn)\b)?(?:\s?%)?(?:\))?",
    re.IGNORECASE,
)


def numbers_in(text: str) -> list[tuple[str, Number]]:
    """Every number written in running text, as written and as read ("$3.4 million",
    "12%", "(8)", "2,045"), in order; ordinals and years count ("21st" is 21)."""
    out = []
    for m in _IN_TEXT.finditer(text.translate(_DASHES)):
        written = m.group().strip()
        if written.startswith("(") and not written.endswith(")"):
            written = written[1:].strip()  # "(see 4" is not a negative number
        elif written.endswith(")") and not written.startswith("("):
            written = written[:-1].strip()
        n = read_number(written)
        if n is not None:
            out.append((written, n))
    return out
