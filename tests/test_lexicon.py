"""The lexical side of an index version: what is stored at build time reads back as it was
computed, BM25 ranks the chunk holding the query's rare words first, and nearness of words
is known only within NEAR_WORDS words."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.chunk import chunk_document
from qa.lexicon import NEAR_WORDS, Lexicon
from qa.parse import parse_document
from qa.text.tokens import tokenize

DOC = ("# Ports\n\nThe northern harbour freezes every winter, so ships wait in the southern "
       "bay.\n\nGrain and timber leave the river port each autumn.\n\n| City | Export |\n"
       "|---|---|\n| Riga | timber |\n| Gdansk | grain |\n")


def chunks():
    return chunk_document(parse_document("ports.md", DOC), 120)


def test_saved_lexicon_reads_back_as_computed(tmp_path: Path) -> None:
    built = Lexicon.build(chunks())
    built.save(tmp_path)
    loaded = Lexicon.load(tmp_path)
    assert loaded.vocabulary == built.vocabulary and loaded.idf == built.idf
    assert loaded.label_words == built.label_words
    assert np.array_equal(loaded.near_keys, built.near_keys)
    tokens = tokenize("timber exports of Riga")
    assert np.allclose(loaded.scores(tokens), built.scores(tokens))


def test_bm25_idf_labels_and_nearness() -> None:
    cs = chunks()
    lex = Lexicon.build(cs)
    scores = lex.scores(tokenize("harbour freezes in winter"))
    assert "freezes" in cs[int(np.argmax(scores))].text
    assert set(lex.vocabulary) >= set(tokenize("harbour timber Gdansk"))
    assert lex.idf[tokenize("Gdansk")[0]] > lex.idf[tokenize("timber")[0]]  # rarer weighs more
    rows = [i for i, c in enumerate(cs) if c.kind == "table_row"]
    assert [sorted(lex.label_words[i]) for i in rows] == [tokenize("Riga"), tokenize("Gdansk")]
    harbour, freezes, bay = (tokenize(w)[0] for w in ("harbour", "freezes", "bay"))
    assert lex.near(harbour, freezes) and lex.near(freezes, harbour)
    assert not lex.near(harbour, bay)  # same sentence, more than NEAR_WORDS words apart
    assert NEAR_WORDS == 3 and not lex.near(harbour, "no-such-word")
