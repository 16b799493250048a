"""Spelling correction of questions against the words of the indexed documents.

"Wat is the regonal impakt of the militery aspect?" reads as "What is the regional
impact of the military aspect?" before lexical matching and retrieval. Candidates come
from the index's own vocabulary (surface words of its chunks, with their frequencies)
and the function words of English; SymSpell (symspellpy) finds those within a small edit
distance. Only words the documents do not use are touched, and a word that is real
English ("grade", "aide", "Iran") is kept unless a much commoner word is one typo away:
English word frequencies (the dictionary symspellpy ships) weigh the two readings. A
capitalised word inside a question is a name: it is corrected only into a name the
documents write, one edit away and with the same first letter ("Rusia" -> "Russia"), and
a word is never corrected into a name ("fiance" stays, though the documents say France).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

from qa.text.tokens import STOPWORDS

# How much likelier a reader's typo of a common word is than a rare word written on
# purpose, per edit: a word the English dictionary holds is corrected only when the
# candidate is commoner by 1 / EDIT_ODDS per edit. Lower keeps more rare real words
# ("won" is kept though "on" is 125x commoner), higher corrects more typos that happen to
# be rare words ("wat" becomes "what", 280x commoner). `scripts/spelling_check.py` prints
# what it changes on the development questions (real questions should barely change).
EDIT_ODDS = 0.005
MIN_LENGTH = 3  # shorter words are too ambiguous to correct ("ot": of, to, or, at ...)
LONG_WORD = 5  # words this long may be two edits away, shorter ones one
PREFIX = 5  # SymSpell indexes the first letters only: 5 halves its build time against 7

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")


@cache
def english() -> dict[str, int]:
    """English word frequencies (symspellpy's dictionary, 82,765 words)."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(" ")
        if count.strip().isdigit():
            out[word] = int(count)
    return out


class Speller:
    """Corrects the misspelled words of a question against one corpus's words."""

    def __init__(self, texts: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        for text in texts:
            for w in _TOKEN.findall(text):
                low = w.lower()
                counts[low] += 1
                if w[0].isupper():
                    capitalised[low] += 1
        self.words = counts
        # A name: written capitalised more often than not ("Russia", "ASEAN").
        self.names = frozenset(w for w, n in capitalised.items() if 2 * n > counts[w])
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=PREFIX)
        for w, n in counts.items():
            if len(w) >= MIN_LENGTH - 1:
                self._symspell.create_dictionary_entry(w, n)
        # Function words need not be in the corpus; they count as its commonest word does
        # (a typo near "what" and "war" is likelier "what").
        top = max(counts.values(), default=1)
        for w in STOPWORDS:
            self._symspell.create_dictionary_entry(w, top)

    def correct(self, text: str) -> str:
        """The text with each misspelled word replaced by its correction (casing kept)."""
        out, last = [], 0
        for m in _TOKEN.finditer(text):
            fixed = self.correct_word(m.group(), at_start=not text[:m.start()].strip()
                                      or text[:m.start()].rstrip()[-1] in ".?!:\"'(")
            out.append(text[last:m.start()] + fixed)
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def correct_word(self, word: str, at_start: bool = False) -> str:
        """One word corrected, or as it is when it is known, a name the corpus does not
        write, or nothing close enough is commoner."""
        low = word.lower().replace("’", "'")
        if len(low) < MIN_LENGTH or low in self.words or low in STOPWORDS or "'" in low:
            return word
        name = word[0].isupper() and not at_start
        freq = english()
        if name and low in freq:
            return word  # a real name ("Iran") is never corrected into another
        distance = 1 if (name or len(low) < LONG_WORD) else 2
        found = self._symspell.lookup(low, Verbosity.CLOSEST, max_edit_distance=distance)
        # A name becomes only a name the corpus writes, with the same first letter (typos
        # seldom hit it: "Rusia" is Russia, "Jong" is not Long); a real word never becomes
        # a name ("fiance" is not France).
        if name:
            found = [s for s in found if s.term in self.names and s.term[0] == low[0]]
        elif low in freq:
            found = [s for s in found if s.term not in self.names]
        if not found:
            return word
        best = max(found, key=lambda s: (-s.distance, s.count))
        if low in freq and freq.get(best.term, 0) * EDIT_ODDS ** best.distance <= freq[low]:
            return word  # a real English word, likelier meant than a typo of `best`
        return _cased(best.term, word)


def _cased(term: str, like: str) -> str:
    """`term` written in the casing of `like` (all capitals, capitalised, or lower)."""
    if like.isupper() and len(like) > 1:
        return term.upper()
    if like[0].isupper():
        return term[0].upper() + term[1:]
    return term
