"""Word tokens for lexical matching: lower-cased, spelling-folded, stemmed, no stopwords."""

from __future__ import annotations

import re
from functools import lru_cache

import lemminflect
import Stemmer

from qa.text.numbers import quarters_spelled

_STEMMER = Stemmer.Stemmer("english")
# Texts whose words are kept once read: an answer reads the same question, claims and chunk
# texts many times over (each candidate, each feature, the support check), and requests
# about one corpus meet the same chunks again. Entries are short tuples of words.
CACHED_TEXTS = 4096  # at most some 20 MB of words for texts of a few hundred words
_WORD = re.compile(r"\w+")
STOPWORDS = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having", "how", "i", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our", "over", "so", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you", "your", "about", "among", "any", "also"]
)

# British spellings folded into American ones (on both sides, so a reader's "neighbouring"
# meets the document's "neighboring"); the stemmer alone keeps them apart. Each pattern goes
# with the letters any match of it holds: a text without them is not scanned (most texts
# hold none of them, and the scans were a tenth of an answer's time).
_BRITISH = [
    (("our",),
     re.compile(r"(?<=\w\w\w)our(?=(?:s|ed|ing|ite|ites|able|ably|er|ers|y|ful|less|hood|hoods)?\b)"),
     "or"),  # neighbour, colour, behaviour, labour, favourite (not your, four, sources)
    (("isation",), re.compile(r"isation(?=s?\b)"), "ization"),
    (("ence",), re.compile(r"\b(def|off|lic|pret)ence(?=s?\b)"), r"\1ense"),
    (("tre", "bre"), re.compile(r"(?<=\w\w)([tb])re(?=s?\b)"), r"\1er"),  # centre, metre, fibre
    (("ogue",), re.compile(r"(?<=\w\w\w)ogue(?=s?\b)"), "og"),  # dialogue, catalogue
    (("programme",), re.compile(r"\bprogramme(?=s?\b)"), "program"),
]


def words(text: str) -> list[str]:
    """Lower-cased words of the text with British spellings folded and abbreviated
    quarters written out ("Q2" is "second quarter"), before stemming and without stopwords
    removed."""
    return list(_words(text))


@lru_cache(maxsize=CACHED_TEXTS)
def _words(text: str) -> tuple[str, ...]:
    text = text.lower()
    for letters, pattern, american in _BRITISH:
        if any(part in text for part in letters):
            text = pattern.sub(american, text)
    return tuple(_WORD.findall(quarters_spelled(text)))


# The parts of speech whose irregular forms are read as their lemma: verbs ("began" is
# "begin", "built" is "build") and nouns ("children", "women"), which the stemmer leaves
# apart. Adjectives are left: "largest" does not mean "large".
LEMMA_POS = ("VERB", "NOUN")
CACHED_WORDS = 65536  # distinct words seen; a few MB


@lru_cache(maxsize=CACHED_WORDS)
def stem(word: str) -> str:
    """The stem of one lower-cased word; an irregular form stems as its lemma."""
    return _STEMMER.stemWord(irregular_lemma(word) or word)


@lru_cache(maxsize=CACHED_WORDS)
def irregular_lemma(word: str) -> str | None:
    """The lemma of a verb's or noun's irregular form ("began" -> "begin", "children" ->
    "child"), or None. Taken from lemminflect's English dictionary, only when the word has
    one lemma in every part of speech it can be (so "found", which may be "find" or "found",
    and "left", also an adjective, stay as written) and that lemma does not stem as the word
    does already (a regular form needs no lemma)."""
    forms = lemminflect.getAllLemmas(word)
    if not forms or not set(forms) <= set(LEMMA_POS):
        return None
    lemmas = {lemma for found in forms.values() for lemma in found}
    if len(lemmas) != 1:
        return None
    (lemma,) = lemmas
    lemma = _words(lemma)[0] if _words(lemma) else lemma  # British spellings folded too
    return lemma if _STEMMER.stemWord(lemma) != _STEMMER.stemWord(word) else None


def inflected_verb(word: str) -> bool:
    """Whether lemminflect's English dictionary knows the word as an inflected form of a
    verb ("formed", "built", "kept"; not "roads", nor the bare "open")."""
    verbs = lemminflect.getAllLemmas(word.lower()).get("VERB", ())
    return bool(verbs) and word.lower() not in verbs


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stopwords, for BM25 and word matching."""
    return list(_tokens(text))


@lru_cache(maxsize=CACHED_TEXTS)
def _tokens(text: str) -> tuple[str, ...]:
    # Single letters are the "s" of possessives and the pieces of "U.S.": they match noise.
    kept = [w for w in _words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return tuple(stem(w) for w in kept)
