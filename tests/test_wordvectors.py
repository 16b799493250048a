"""Query expansion by the corpus's words in the model's space: the pure expansion over a
stand-in vocabulary (hand-made vectors, so that similarities are exact), the stored table's
round trip, and the real model reaching a chunk through a synonym the corpus lacks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa import index as store
from qa import retrieve
from qa.build import build
from qa.config import DEFAULT_MODEL, get_settings
from qa.embed import Embedder
from qa.errors import IndexCorrupt
from qa.retrieve import Retriever
from qa.text.tokens import stem
from qa.wordvectors import WordVectors, content_words, corpus_words, expansion


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


# A stand-in vocabulary of four words in three dimensions: "dominance" and "dominant" share
# a stem and stand near (0.8) a query vector along the first axis; "strength" stands at 0.6.
TABLE = WordVectors(("dominance", "dominant", "strength", "harbour"), np.stack([
    unit(0.8, 0.6, 0.0), unit(0.8, 0.0, 0.6), unit(0.6, 0.8, 0.0), unit(0.0, 0.0, 1.0)]))
QUERY_WORD = unit(1.0, 0.0, 0.0)


def test_content_words_and_corpus_words() -> None:
    assert content_words("The 3 armies of 1998 reinforced a Harbour, x-ray") == [
        "armies", "reinforced", "harbor", "ray"]  # no stopwords, digits or single letters
    assert corpus_words(["harbour walls", "the walls of Troy"]) == ["troy", "walls", "harbor"]


def test_expansion_adds_the_nearest_stems_above_the_floor_weighted_by_similarity() -> None:
    added = expansion([("supremacy", 1.0)], QUERY_WORD[None, :], TABLE, floor=0.5, gain=0.5,
                      limit=3, present=set())
    # one entry for the stem of dominance/dominant, at its best similarity; harbour (0.0)
    # is below the floor
    assert added == pytest.approx({stem("dominance"): 0.5 * 0.8, stem("strength"): 0.5 * 0.6})


def test_expansion_floor_limit_rarity_and_present_words() -> None:
    def added(floor=0.5, limit=3, rarity=1.0, gain=1.0, present=frozenset()):
        return expansion([("w", rarity)], QUERY_WORD[None, :], TABLE, floor, gain, limit,
                         set(present))

    assert set(added(floor=0.7)) == {stem("dominance")}
    assert set(added(limit=1)) == {stem("dominance")}
    assert added(rarity=0.25)[stem("dominance")] == pytest.approx(0.25 * 0.8)
    # a stem the query already holds is not added again, and the next one takes its place
    assert set(added(limit=1, present={stem("dominance")})) == {stem("strength")}
    assert added(gain=0.0) == {}
    assert expansion([], np.zeros((0, 3)), TABLE, 0.5, 1.0, 3, set()) == {}


def test_a_stem_reached_from_two_words_keeps_its_largest_weight() -> None:
    near_strength = unit(0.6, 0.8, 0.0)  # 1.0 to strength, 0.96 to dominance
    added = expansion([("a", 1.0), ("b", 0.5)], np.stack([QUERY_WORD, near_strength]), TABLE,
                      0.5, 1.0, 3, set())
    assert added[stem("strength")] == pytest.approx(0.6)  # a's 0.6 beats b's 0.5 x 1.0
    assert added[stem("dominance")] == pytest.approx(0.8)


def test_the_table_round_trips_as_float16(tmp_path: Path) -> None:
    TABLE.save(tmp_path)
    loaded = WordVectors.load(tmp_path)
    assert loaded.words == TABLE.words and loaded.matrix.dtype == np.float32
    assert np.allclose(loaded.matrix, TABLE.matrix, atol=1e-3)
    assert loaded.vector_of_stem(stem("dominant")) is not None
    assert loaded.vector("troy") is None
    for damaged in ('{"words": ["one"], "stems": ["one"]}', '["one"]'):
        (tmp_path / "words.json").write_text(damaged)
        with pytest.raises(ValueError, match="do not agree"):
            WordVectors.load(tmp_path)


# --- with the real model -------------------------------------------------------------------

DOCS = {
    "power.md": ("# Power\n\nThe alliance contests the traditional dominance of the United "
                 "States in the region.\n"),
    "trade.md": "# Trade\n\nThe port ships grain and timber to the region every autumn.\n",
    "rivers.md": "# Rivers\n\nThe river floods the region in spring; farmers move uphill.\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    base = tmp_path_factory.mktemp("synonyms")
    for name, text in DOCS.items():
        (base / "corpus").mkdir(exist_ok=True)
        (base / "corpus" / name).write_text(text)
    settings = get_settings(corpus=base / "corpus", index=base / "index")
    assert build(settings, lambda: embedder).live
    return base / "index"


def test_the_version_stores_its_words_and_refuses_them_damaged(built: Path) -> None:
    stored = store.load(built, DEFAULT_MODEL)
    assert {"dominance", "timber", "floods"} <= set(stored.words.words)
    assert stored.manifest["counts"]["words"] == len(stored.words.words)
    # each stored vector is the word encoded alone by the version's encoder
    assert np.allclose(stored.words.vector("timber"), stored.encoder.encode(["timber"])[0],
                       atol=1e-3)
    path = built / stored.version / "word_vectors.npy"
    data = path.read_bytes()
    path.write_bytes(data[:-8])
    try:
        with pytest.raises(IndexCorrupt, match="word_vectors.npy is truncated"):
            store.load(built, DEFAULT_MODEL, stored.version)
    finally:
        path.write_bytes(data)


def test_a_synonym_the_corpus_lacks_reaches_its_chunk(built: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """"supremacy" is not in the corpus; the model puts "dominance" near it. Its vector comes
    from the model's word table: nothing is encoded beside the query. (The issue's
    "embargo" cannot be the example: all-MiniLM-L6-v2's tokenizer cuts it into em + ##bar +
    ##go, and alone it stands nearer "entrenched" (0.34) than "sanctions" (0.22).)"""
    monkeypatch.setattr(retrieve, "SYNONYM_GAIN", 1.0)
    monkeypatch.setattr(retrieve, "SYNONYM_FLOOR", 0.5)
    r = Retriever(store.load(built, DEFAULT_MODEL))
    query = "whose supremacy in the region"
    assert r.unknown(query) == []  # the table holds "supremacy": nothing to encode
    added = r.expansion(query)
    assert stem("dominance") in added
    assert stem("region") not in added  # the query holds it already
    assert dict(r.neighbours(query))[stem("supremacy")][0][0] == stem("dominance")
    lexical = r.lexical(query, added=added)
    assert r.chunks[max(lexical, key=lexical.get)].doc == "power.md"
    plain = r.lexical(query)  # without the expansion only "region" matches: a three-way tie
    assert len(set(plain.values())) == 1
    hits = r.search(query, r.encoder.encode([query]), 1)
    assert hits[0].chunk.doc == "power.md"


def test_the_model_word_table_holds_the_tokenizers_whole_words(built: Path) -> None:
    stored = store.load(built, DEFAULT_MODEL)
    table = stored.model_words
    listed = set(table.words)
    assert {"supremacy", "dominance", "reinforced"} <= listed
    assert not {"the", "##ing", "[CLS]", "embargo"} & listed  # stopword, piece, mark, cut
    # each vector is the word encoded alone by the version's encoder (kept as float16)
    assert np.allclose(table.vector("supremacy").astype(np.float32),
                       stored.encoder.encode(["supremacy"])[0], atol=2e-3)
    # a word outside the table is encoded at query time only when asked to
    r = Retriever(stored)
    assert r.unknown("the embargo", gain=1.0, unlisted=True) == ["embargo"]
    assert r.unknown("the embargo", gain=1.0, unlisted=False) == []
    assert r.unknown("the supremacy", gain=1.0, unlisted=True) == []


def test_expansion_is_off_at_gain_zero(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieve, "SYNONYM_GAIN", 0.0)
    r = Retriever(store.load(built, DEFAULT_MODEL))
    assert r.unknown("whose supremacy") == []  # nothing more to encode
    assert r.expansion("whose supremacy") == {}
