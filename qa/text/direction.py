"""Which way a word says something changed: up ("rose", "strengthened"), down ("fell",
"cut") or not at all ("kept", "unchanged") in amount; better or worse in quality.

A closed class of English, as the negators are: the verbs, adjectives and comparatives of
change, with the irregular forms the stemmer cannot join to their verb ("rose", "fell",
"grew"). A yes/no question whose change word the text does not write is confirmed by a
text that says the same change in other words ("raise concerns" / "escalates concerns")
and contradicted by one that says the other ("Did the fare rise?" / "the fare was kept").
Amount and quality are two scales: improving a delay and reducing it are one change
written two ways, so a word of one scale neither confirms nor contradicts one of the
other. `opposed` also reads the negating prefixes ("destabilize" against "stabilize").
"""

from __future__ import annotations

from qa.text.tokens import stem

UP, DOWN, STEADY = 1, -1, 0
BETTER, WORSE = 2, -2  # the scale of quality: its own two ways

_UP = ("increase rise rose risen raise grow grew grown climb expand expansion "
       "strengthen enhance boost escalate intensify accelerate heighten surge soar jump "
       "swell augment deepen widen amplify higher more greater larger bigger growth upturn "
       "rebound")
_DOWN = ("decrease fall fell fallen decline drop reduce reduction cut lower shrink shrank "
         "shrunk weaken lessen diminish ease slow dip plunge slump "
         "erode curb less fewer smaller lesser downturn shed trim")
_STEADY = ("keep kept remain stay unchanged maintain steady flat stable")
_BETTER = "improve improvement better recover recovery"
_WORSE = "worsen worse deteriorate deterioration"
# Prefixes that make a word say the opposite ("destabilize", "unguaranteed", "disallow").
NEGATING_PREFIXES = ("de", "dis", "un", "non", "in", "im")


def _table() -> dict[str, int]:
    out: dict[str, int] = {}
    for words, way in ((_UP, UP), (_DOWN, DOWN), (_STEADY, STEADY), (_BETTER, BETTER),
                       (_WORSE, WORSE)):
        for w in words.split():
            out[w] = way
            out[stem(w)] = way
    return out


_WAY = _table()


def direction(word: str) -> int | None:
    """UP, DOWN or STEADY (amount), BETTER or WORSE (quality) for a word of change
    (lower-cased, as written or stemmed), None for any other."""
    way = _WAY.get(word)
    return way if way is not None else _WAY.get(stem(word))


def same_scale(a: int, b: int) -> bool:
    """Whether two ways of change are of one scale (amount, or quality)."""
    return (abs(a) == 2) == (abs(b) == 2)


# The shortest word a negating prefix is read off: "income" is no "in" + "come".
PREFIXED_LENGTH = 5


def opposed(a: str, b: str) -> bool:
    """Whether one stem is the other with a negating prefix ("destabil" / "stabil")."""
    short, long = sorted((a, b), key=len)
    return (len(short) >= PREFIXED_LENGTH and long.endswith(short)
            and long[:len(long) - len(short)] in NEGATING_PREFIXES)
