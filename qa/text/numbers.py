"""Numbers as documents write them, read into `Decimal`: the one number parser.

Tables and prose write "1,234.5", "(1,234)" for a negative, "−298" with a minus sign,
"$ 12.3 million", "(8)%", and "—" or "n/a" for no value. `parse_number` reads one such
text whole; `is_number` tells whether a table cell is a value rather than a label;
`numbers_in` finds the numbers a sentence writes. A table states its scale once, in its
caption, header or notes ("in millions", "(in thousands)", "%"): `scale_of` reads it.
`years_in` reads the years a header, label or question names ("2019", "FY19", "fiscal
2018"); `quarters_spelled` writes "Q2" and "1Q08" out as "second quarter" and "first
quarter 2008". `format_number` writes a result as readers expect: thousands separators, two
decimals, the sign kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "\u2012": "-"})
# "no value" cells: dashes alone, n/a, nil, none.
_EMPTY = re.compile(r"^\s*(?:[-–—−]+|n/?a|nil|none|nm)\s*$", re.IGNORECASE)
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_SCALE_WORDS = r"thousand|million|billion|trillion|bn|mn|m|k"
_NUMBER = re.compile(
    rf"""^\s*
    (?P<open>\()?\s*
    (?P<sign>[-+])?\s*
    (?P<cur>[$€£¥])?\s*
    (?P<sign2>[-+])?\s*
    (?P<digits>{_DIGITS})
    \s*(?P<word>{_SCALE_WORDS})?\b\.?
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
    return _read_number(str(text))


# Texts whose reading is kept (a Number is immutable): answering reads the same table cells
# for every line and reading of a question, and again for the next question on the table.
CACHED_TEXTS = 1 << 14


@lru_cache(maxsize=CACHED_TEXTS)
def _read_number(text: str) -> Number | None:
    t = text.translate(_DASHES).strip()
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


def no_value(text: str) -> bool:
    """Whether a cell says there is no value ("—", "n/a", "nil", "nm")."""
    return bool(_EMPTY.match(str(text).translate(_DASHES)))


def is_number(text: str) -> bool:
    """Whether a table cell is a value (a number, amount or percentage, or a dash for none)
    rather than a label."""
    t = str(text).strip()
    return bool(t) and (read_number(t) is not None or bool(re.fullmatch(r"[-–—−]", t)))


# --- numbers inside prose ----------------------------------------------------------------

# One number as prose writes it: an optional sign (glued to it: "5 - 3" subtracts) or
# parenthesis, currency, digits, then a scale word or a percent sign. Digits glued to
# letters ("Q4", "F19", the "(1)" note mark of "Other(1)") are not amounts.
_IN_TEXT = re.compile(
    rf"""(?<![\w.,])(?<!\w\()
    (?:\((?=[$€£¥]?\s?[\d.][\d,.]*\s?%?\)))?
    (?:[-−–](?=[$€£¥]?\d))?[$€£¥]?\s?(?:[-−–](?=\d))?
    (?:{_DIGITS})
    (?:\s?%|\s(?:thousand|million|billion|trillion)\b|(?:bn|mn|m|k)\b)?
    (?:\)\s?%?)?
    (?:st|nd|rd|th)?  # an ordinal: "21st" is 21
    (?![\w]|[.,]\d)""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """A number found in a text: where it stands, as written, and what it is."""

    start: int
    end: int
    text: str
    number: Number


def numbers_in(text: str) -> list[Found]:
    """Every number a text writes ("revenue rose 12.3% to $1,234.5 million in 2019"), in
    order; a parenthesis counts as a negative only when it encloses the number alone;
    ordinals and years count ("21st" is 21)."""
    out: list[Found] = []
    for m in _IN_TEXT.finditer(text):
        written = m.group(0).strip()
        if written.endswith(")") and not written.startswith("("):
            written = written[:-1]
        written = re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", written)
        n = read_number(written)
        if n is not None:
            start = m.start() + m.group(0).find(written[:1])
            out.append(Found(start, start + len(written), written, n))
    return out


# A month's name as dates write it, in full or cut ("December", "Dec.", "Sept").
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"

# English cardinal number words (a closed class of the language, like its negators): a
# figure prose writes in words ("more than twelve years old", "detours on three routes").
# "one" is left out: as a pronoun ("one of the ...") it far outnumbers the figure.
_SPELLED = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozen)s?\b", re.IGNORECASE)


def spelled_numbers(text: str) -> list[str]:
    """The number words a text writes, lowercased ("three", "twelve", "thousands")."""
    return [m.group(0).lower() for m in _SPELLED.finditer(text)]


# --- a table's scale ---------------------------------------------------------------------

_SCALE_NAMES = {"thousand": "thousand", "thousands": "thousand", "000": "thousand",
                "000s": "thousand", "k": "thousand", "million": "million",
                "millions": "million", "mn": "million", "m": "million",
                "billion": "billion", "billions": "billion", "bn": "billion"}
# "in millions", "(in thousands)", "$ in millions", "(S$ million)", "($000)", "£'000", "$m",
# "RMB'Million".
_SCALE = re.compile(
    r"""\bin\s+(?:[$€£¥]\s*)?(?P<w1>thousands?|millions?|billions?)\b
    |\(\s*[^()\d]{0,8}?\s*(?P<w2>thousands?|millions?|billions?|000s?|['’]000|m|mn|bn)\s*\)
    |(?:[$€£¥]|\b(?:us|s|a|c|hk)\$|\b(?:rmb|usd|eur|gbp))\s*['’]?\s*
     (?P<w3>000s?|m|mn|bn|thousands?|millions?|billions?)\b
    |['’](?P<w4>000)\b""",
    re.VERBOSE | re.IGNORECASE,
)
_PERCENT_SCALE = re.compile(r"\(\s*(?:in\s+)?%\s*\)|\bin\s+(?:per\s?cent|percent|%)|^\s*%\s*$",
                            re.IGNORECASE)


@dataclass(frozen=True)
class Scale:
    """The unit a table states its figures in: a scale word ("million") and whether the
    figures are percentages."""

    word: str = ""
    percent: bool = False

    @property
    def factor(self) -> Decimal:
        """What one unit of the table is worth (10**6 for millions)."""
        return WORD_SCALES.get(self.word, Decimal(1))

    def describe(self) -> str:
        """How a reader is told the unit: "in millions", "%", or ""."""
        if self.percent:
            return "%"
        return f"in {self.word}s" if self.word else ""


def scale_of(*texts: str) -> Scale:
    """The scale a table's caption, header or notes state ("(in thousands)", "$ in
    millions", "(%)"), the first one found; no scale when none is stated."""
    for text in texts:
        m = _SCALE.search(text or "")
        if m:
            word = next(g for g in m.groups() if g)
            return Scale(_SCALE_NAMES[word.lower().lstrip("'’")])
    for text in texts:
        if _PERCENT_SCALE.search(text or ""):
            return Scale(percent=True)
    return Scale()


# --- years ------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d.,$])(?:(?:fy|f|cy)\s?'?(?P<short>\d{2})|(?P<long>(?:19|20)\d{2}))"
                   r"(?![\d.,]\d|%)", re.IGNORECASE)


def years_in(text: str) -> list[int]:
    """The years a text names, in order ("2019", "fiscal 2018", "FY19", "F19"); figures
    such as "2,019" or "2019.5" are not years."""
    out = []
    for m in _YEAR.finditer(text or ""):
        out.append(int(m.group("long")) if m.group("long") else 2000 + int(m.group("short")))
    return out


# --- quarters ---------------------------------------------------------------------------

ORDINALS = ("first", "second", "third", "fourth")
# A quarter as reports abbreviate it: "Q2", "Q2 2007", "2Q07", "quarter 4" (lower-cased text).
_QUARTER = re.compile(r"\bq([1-4])\b|\b([1-4])q(\d{2}|\d{4})\b|\bquarter ([1-4])\b")


def quarters_spelled(text: str) -> str:
    """The lower-cased text with each abbreviated quarter written out as prose writes it:
    "q2" -> "second quarter", "1q08" -> "first quarter 2008" (a two-digit year is of the
    2000s, as `years_in` reads "FY19"), "quarter 4" -> "fourth quarter"."""
    if "q" not in text:
        return text

    def spelled(m: re.Match[str]) -> str:
        number = m.group(1) or m.group(2) or m.group(4)
        out = f"{ORDINALS[int(number) - 1]} quarter"
        year = m.group(3)
        return f"{out} {2000 + int(year) if len(year) == 2 else year}" if year else out

    return _QUARTER.sub(spelled, text)


# --- writing results --------------------------------------------------------------------

CENT = Decimal("0.01")


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (as readers round)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int = 2) -> str:
    """A result as readers expect it: thousands separators, `places` decimals (none when
    it is whole), the sign kept ("-1,234.57", "2.73", "-35")."""
    rounded = round_half_up(value, places)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    text = f"{abs(rounded):,}"
    return f"-{text}" if rounded < 0 else text
