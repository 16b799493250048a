"""The lexical measures answering shares: words read from cached parts must be the words of
the whole text, and stems sharing a long prefix match."""

from __future__ import annotations

import pytest

from qa.answer.match import (
    PREFIX_MATCH,
    joined_tokens,
    places_found,
    question_weights,
    shared,
    tokens_of,
    weighted_recall,
    weighted_share,
    word_places,
)
from qa.answer.support import phrase_in

# Texts whose words could change at a join if reading did not stop at whitespace: British
# endings ("centre", "colour") at either edge, a final sigma, stopwords, digits, a newline.
PARTS = [
    ("The harbour centre", "colours of the neighbouring town"),
    ("ΟΔΟΣ", "Σ is a letter"),
    ("Defence programme\nfor 2019", "and the catalogue"),
    ("", "It was finished in 1911."),
    ("organisation", ""),
    ("U.S. and the", "E.U. in the"),
]


@pytest.mark.parametrize("parts", PARTS)
def test_words_of_joined_texts_are_the_words_of_each_in_order(parts: tuple[str, str]) -> None:
    assert joined_tokens(*parts) == tokens_of(" ".join(parts))
    assert joined_tokens(*parts) == tokens_of("\n".join(parts))


def test_stems_sharing_a_long_prefix_match() -> None:
    assert shared({"histori", "war"}, frozenset({"histor", "wars"})) == {"histori"}
    assert shared({"korea"}, frozenset({"korean"})) == {"korea"}
    assert shared({"kor"}, frozenset({"korean"})) == set()  # too short to match by prefix


def _shared_plainly(a: set[str], b: set[str]) -> set[str]:
    """`shared` as its docstring says it, word against word."""
    return {w for w in a if any(w == v or (len(w) >= PREFIX_MATCH and len(v) >= PREFIX_MATCH
                                           and (w.startswith(v) or v.startswith(w)))
                                for v in b)}


@pytest.mark.parametrize("a", [{"histori", "war", "korea", "kor", "nation"},
                               {"internation", "internationalis", "nationa", "abc"}, set()])
@pytest.mark.parametrize("b", [{"histor", "wars", "korean", "nationalist", "national"},
                               {"internationa", "nation", "kore", "warfar"}, set(),
                               {"historiograph", "histori"}])
def test_shared_is_word_against_word(a: set[str], b: set[str]) -> None:
    assert shared(a, frozenset(b)) == _shared_plainly(a, b)
    assert shared(a, set(b)) == _shared_plainly(a, b)


def test_weighted_share_is_weighted_recall_of_the_text() -> None:
    idf = {"tower": 1.0, "harbour": 2.0}
    q = frozenset(tokens_of("Who built the harbour tower?"))
    text = "The harbour board built it."
    assert weighted_share(q, frozenset(tokens_of(text)), idf) == weighted_recall(q, text, idf)
    assert weighted_share(q, frozenset(tokens_of(text)), None) == weighted_recall(q, text, None)


def test_a_phrase_is_found_side_by_side_only() -> None:
    text = tuple(tokens_of("The Korean peninsula saw the war of the north"))
    assert phrase_in(tokens_of("Korea peninsula"), text)  # a long prefix matches
    assert not phrase_in(tokens_of("peninsula Korean"), text)
    assert not phrase_in(tokens_of("north war"), text)
    assert phrase_in((), text)
    assert not phrase_in(tokens_of("war of the north and south"), text[:2])


def test_word_places_give_the_question_words_shared_finds_in_any_run() -> None:
    """The question words standing in any run of a text (`word_places`) are those `shared`
    finds in the run's words: long stems by prefix either way, short ones as they are."""
    tokens = tokens_of("The historians wrote a history of the harbour towers in 1911, "
                       "their histor notes and the tower's builder Berg")
    q = frozenset(tokens_of("historical tower built by Berg in 1911")) | {"harb"}
    places = word_places(q, tokens)
    for start in range(len(tokens)):
        for end in range(start + 1, len(tokens) + 1):
            got = {w for i, w in places if start <= i < end}
            assert got == shared(q, frozenset(tokens[start:end])), (start, end)
    assert word_places(frozenset(), tokens) == () and word_places(q, ()) == ()


def test_question_weights_are_those_weighted_share_sums() -> None:
    q = frozenset({"harbour", "tower", "unknown"})
    idf = {"harbour": 2.0, "tower": 0.5, "other": 3.0}
    weight, total = question_weights(q, idf)
    assert weight == {"harbour": 2.0, "tower": 0.5, "unknown": 3.0} and total == 5.5
    assert weighted_share(q, frozenset({"harbour"}), idf) == 2.0 / 5.5
    assert question_weights(q, None) == ({"harbour": 1.0, "tower": 1.0, "unknown": 1.0}, 3.0)


def test_the_words_shared_finds_in_a_union_are_those_it_finds_in_each() -> None:
    """`shared(q, a | b) == shared(q, a) | shared(q, b)`: each question word is found by a
    word of the text alone (what `Measures.share_of` reads a sentence with the one before
    it by)."""
    q = frozenset(tokens_of("historical harbour towers built by Berg in 1911"))
    a = frozenset(tokens_of("The historians wrote of the harbours"))
    b = frozenset(tokens_of("its tower was built in 1911 by the builders' guild"))
    for x, y in ((a, b), (a, frozenset()), (frozenset(), b), (b, a)):
        assert shared(q, x | y) == shared(q, x) | shared(q, y)


def test_word_places_are_read_token_by_token_as_before() -> None:
    """`places_found` (from each found word's places) gives the places a reading of the
    text token by token gives: each token's own word, then the long words it matches by
    prefix, in the text's order."""
    tokens = tokens_of("The historians wrote a history of the harbour towers in 1911, "
                       "their histor notes and the tower's builder Berg, historian")
    q = frozenset(tokens_of("historical tower built by Berg in 1911")) | {"histori"}
    found = shared(q, frozenset(tokens))
    want = []
    for i, t in enumerate(tokens):
        if t in found:
            want.append((i, t))
        for w in sorted(found):
            if (len(t) >= PREFIX_MATCH and len(w) >= PREFIX_MATCH and w != t
                    and w[:PREFIX_MATCH] == t[:PREFIX_MATCH]
                    and (t.startswith(w) or w.startswith(t))):
                want.append((i, w))
    got = places_found(found, tokens)
    assert sorted(got) == sorted(want) and [i for i, _ in got] == sorted(i for i, _ in want)
    assert places_found(set(), tokens) == ()
