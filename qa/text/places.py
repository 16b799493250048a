"""Places by the adjectives that name them: a text that writes "a Swedish-born engineer" or
"the Dutch firm" names Sweden or the Netherlands as surely as one that writes the country.

The demonyms are countryinfo's (one per country and territory, from its packaged data:
"Dutch" -> Netherlands, "Austrian" -> Austria, "Scottish" -> Scotland), read once; only
one-word demonyms are kept (the tokenizer reads a text word by word). Nothing here is
written for a particular text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from qa.text.tokens import tokenize


@lru_cache(maxsize=1)
def demonyms() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each one-word demonym's stem -> the stemmed words of the places it names ("dutch"
    -> (("netherland",),); "american" -> the United States and the Northern Mariana
    Islands)."""
    from countryinfo import CountryInfo

    out: dict[str, list[tuple[str, ...]]] = {}
    for info in CountryInfo.all().values():
        adjective, name = info.get("demonym") or "", info.get("name") or ""
        key, place = tokenize(adjective), tuple(tokenize(name))
        if len(key) == 1 and place and key[0] not in place:
            out.setdefault(key[0], []).append(place)
    return {k: tuple(v) for k, v in out.items()}


def places_named(tokens: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """The places (each its stemmed words) that the demonyms among a text's stemmed words
    name, in the order they are written."""
    table = demonyms()
    out: list[tuple[str, ...]] = []
    for t in tokens:
        for place in table.get(t, ()):
            if place not in out:
                out.append(place)
    return tuple(out)
