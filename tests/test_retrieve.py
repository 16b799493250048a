"""Retrieval over the analysis with the real model and FAISS, and the pure fusion and
tokenisation functions on their own."""

from __future__ import annotations

import pytest

from qa.errors import BadRequest, UnknownDocument
from qa.retrieve import best_cover, dense_share, relative_fusion, rrf
from qa.service import QAService
from qa.text.tokens import stem, tokenize, words

DOC = "north-korea-russia-alliance.md"


# --- meaning -----------------------------------------------------------------------------


def test_stakeholders_question_finds_the_passage_naming_them(service: QAService) -> None:
    hits = service.retrieve("which stakeholders must balance deterrence with dialogue").hits
    top = hits[0].chunk
    assert top.kind == "passage"
    for name in ("South Korea", "Japan", "China", "the US"):
        assert name in top.text
    assert len(top.text) <= 500


def test_military_row_first_for_its_regional_impact(service: QAService) -> None:
    top = service.retrieve("regional impact of the military aspect").hits[0].chunk
    assert top.kind == "table_row"
    assert top.cells[0] == "Military"
    assert "Regional Impact: Escalates arms build-up, increases tensions" in top.text


@pytest.mark.parametrize("query, label", [
    ("Russia's role in the economic aspect", "Economic"),
    ("What does Russia do in the economic aspect?", "Economic"),
    ("expected outcome of cybersecurity measures", "Cybersecurity"),
    ("long-term outlook for security alliances", "Security Alliances"),
])
def test_table_rows_found_by_meaning(service: QAService, query: str, label: str) -> None:
    top = service.retrieve(query).hits[0].chunk
    assert top.kind == "table_row" and top.cells[0] == label


def test_scores_descend_and_k_is_honoured(service: QAService) -> None:
    hits = service.retrieve("sanctions evasion", k=7).hits
    assert len(hits) == 7
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


# --- filters -----------------------------------------------------------------------------


def test_kind_filter(service: QAService) -> None:
    rows = service.retrieve("military", k=10, kind="table_row").hits
    assert rows and all(h.chunk.kind == "table_row" for h in rows)
    assert len(rows) == 10  # all ten rows of the three tables
    passages = service.retrieve("regional impact of the military aspect", kind="passage").hits
    assert passages and all(h.chunk.kind == "passage" for h in passages)


def test_doc_filter(service: QAService) -> None:
    hits = service.retrieve("military", doc=DOC).hits
    assert hits and all(h.chunk.doc == DOC for h in hits)


def test_unknown_doc_gives_no_results(service: QAService) -> None:
    # The retriever filters to nothing; the service refuses the name (UnknownDocument, 404).
    r = service.retriever
    qvec = service.queries.encode(r.encoder, "military")
    assert r.search("military", qvec, 5, "no-such-file.md") == []
    assert r.search("military", qvec, 5, "no-such-file.md", "table_row") == []
    with pytest.raises(UnknownDocument, match="north-korea-russia-alliance.md"):
        service.retrieve("military", doc="no-such-file.md")


def test_no_duplicate_texts(service: QAService) -> None:
    for query in ("economic sanctions", "diplomatic engagement", "Korea"):
        hits = service.retrieve(query, k=50).hits
        texts = [" ".join(h.chunk.text.lower().split()) for h in hits]
        assert len(texts) == len(set(texts))
        assert len({h.chunk.id for h in hits}) == len(hits)


def test_a_chunk_scores_by_its_best_sentence_not_by_a_clause(service: QAService) -> None:
    # Clauses of long sentences are embedded to choose what an answer quotes; retrieval
    # scores a chunk by its whole text, sentences, list items and cells only.
    query = "reigniting divisions that defined the security landscape"
    qvec = service.retriever.encoder.encode_one(query)
    hits = service.retrieve(query, k=5).hits
    clause_beats_sentences = 0
    for h in hits:
        scores = service.retriever.unit_scores(qvec, h.chunk)
        n = h.chunk.searched_units()
        assert h.dense == pytest.approx(float(max(scores[:n])), abs=1e-5)
        clause_beats_sentences += n < len(scores) and max(scores[n:]) > max(scores[:n])
    assert clause_beats_sentences  # the rule was exercised


def test_a_paraphrase_is_covered_less_by_the_best_lexical_matches(service: QAService) -> None:
    r = service.retriever

    def cover(query: str) -> float:
        lexical = r.scores(query, r.encoder.encode([query]))[1]
        return r.lexical_cover(query, lexical)

    # the analysis writes "sanctions evasion"; a reader writes "getting around the embargo"
    assert cover("sanctions evasion through coordinated trade") == 1.0
    assert cover("How are the two countries getting around the embargo?") < 0.5


def test_fusion_without_gain_is_the_search_and_a_gain_ranks_more_by_meaning(
        service: QAService) -> None:
    r = service.retriever
    query = "How are the two countries getting around the embargo?"
    qvec = r.encoder.encode([query])
    dense, lexical = r.scores(query, qvec)
    searched = [h.chunk.id for h in r.search(query, qvec, 8)]
    assert [h.chunk.id for h in r.fuse(query, dense, lexical, 8, gain=0.0)] == searched
    # with dense alone (a gain that reaches it) the order is the dense order
    by_meaning = [h.chunk.id for h in r.fuse(query, dense, lexical, 3, gain=100.0)]
    best_dense = [h.chunk.id for h in r.fuse(query, dense, {}, 3)]
    assert by_meaning == best_dense != searched[:3]


def test_all_chunks_reachable_with_k_50(service: QAService) -> None:
    n = len(service.retriever.chunks)
    assert n < 50
    assert len(service.retrieve("North Korea Russia", k=50).hits) == n


def test_query_without_words_still_answers_densely(service: QAService) -> None:
    # Only stopwords: BM25 has nothing to go on, the dense side still ranks.
    assert len(service.retrieve("what is it", k=3).hits) == 3


@pytest.mark.parametrize("args", [{"query": ""}, {"query": "   \n"}, {"query": "x" * 2001},
                                  {"query": "ok", "k": 0}, {"query": "ok", "k": 51},
                                  {"query": "ok", "kind": "table"}])
def test_bad_requests(service: QAService, args: dict) -> None:
    with pytest.raises(BadRequest):
        service.retrieve(**args)


# --- pure functions ----------------------------------------------------------------------


def test_rrf() -> None:
    scores = rrf([[1, 2, 3], [3, 1]], k=60)
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert scores[2] == pytest.approx(1 / 62)
    assert sorted(scores, key=scores.get, reverse=True) == [1, 3, 2]
    assert rrf([]) == {}


def test_relative_fusion() -> None:
    dense = {1: 0.9, 2: 0.5, 3: 0.1}
    lexical = {2: 10.0, 4: 2.0}
    fused = relative_fusion(dense, lexical, dense_weight=0.5)
    assert fused[1] == pytest.approx(0.5)  # top dense, absent from BM25
    assert fused[2] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert fused[3] == pytest.approx(0.0)
    assert fused[4] == pytest.approx(0.0)
    assert max(fused, key=fused.get) == 2
    # Weight 1 is dense alone; a single candidate scales to 1.
    assert relative_fusion(dense, lexical, 1.0)[1] == pytest.approx(1.0)
    assert relative_fusion({7: 0.3}, {}) == {7: pytest.approx(0.5)}
    assert relative_fusion({}, {}) == {}


def test_best_cover_is_the_most_of_the_query_one_chunk_holds_by_rarity() -> None:
    idf = {"sanction": 2.0, "countri": 0.5, "trade": 1.0}
    chunks = [frozenset({"countri", "trade"}), frozenset({"sanction", "trade"})]
    # "embargo" is nowhere in the corpus: it weighs as the rarest word (2.0)
    assert best_cover(["countri", "embargo"], chunks, idf, 2.0) == pytest.approx(0.2)
    assert best_cover(["sanction", "countri"], chunks, idf, 2.0) == pytest.approx(0.8)
    assert best_cover(["sanction", "trade"], chunks, idf, 2.0) == 1.0
    assert best_cover(["embargo"], [], idf, 2.0) == 0.0  # no lexical match at all
    assert best_cover([], chunks, idf, 2.0) == 1.0  # no words: nothing is missing


def test_dense_share_grows_with_the_unmatched_share_up_to_dense_alone() -> None:
    assert dense_share(0.4, 0.0, 2.0) == pytest.approx(0.4)  # every word known: as set
    assert dense_share(0.4, 0.5, 1.0) == pytest.approx(0.7)
    assert dense_share(0.4, 1.0, 3.0) == 1.0  # never beyond dense alone
    assert dense_share(0.4, 1.0, 0.0) == pytest.approx(0.4)  # no gain: fusion as before


def test_tokenize() -> None:
    assert tokenize("What are the Sanctions of the Regional Forum?") == [
        "sanction", "region", "forum"]
    assert tokenize("running runs") == ["run", "run"]
    assert tokenize("the of and") == []


def test_tokenize_and_words_give_a_fresh_list_each_call() -> None:
    # both keep the words of texts they have read: a caller changing its list must not
    # change what the next caller gets
    first = tokenize("sanctions of the regional forum")
    first.append("changed")
    assert tokenize("sanctions of the regional forum") == ["sanction", "region", "forum"]
    listed = words("The Regional Forum")
    listed.clear()
    assert words("The Regional Forum") == ["the", "regional", "forum"]


def test_tokenize_drops_possessive() -> None:
    assert tokenize("Russia's role") == tokenize("Russia’s role") == ["russia", "role"]


def test_tokenize_drops_whose_like_the_other_question_words() -> None:
    assert tokenize("Whose legacy?") == tokenize("Which legacy?") == ["legaci"]


@pytest.mark.parametrize("british, american", [
    ("neighbouring states", "neighboring states"), ("behaviour", "behavior"),
    ("favourite colours", "favorite colors"), ("labour", "labor"),
    ("defence", "defense"), ("licences", "licenses"), ("city centre", "city center"),
    ("dialogue", "dialog"), ("catalogues", "catalogs"), ("programmes", "programs"),
    ("organisation", "organization"),
])
def test_tokenize_folds_british_spellings(british: str, american: str) -> None:
    assert tokenize(british) == tokenize(american)


@pytest.mark.parametrize("word", ["flour", "four", "hours", "sources", "resources", "journal",
                                  "fence", "acre", "genre", "vogue", "scouring"])
def test_tokenize_leaves_words_that_only_look_british(word: str) -> None:
    assert tokenize(word) == [stem(word)]


def test_near_knows_words_written_together(service: QAService) -> None:
    near = service.retriever.near
    assert near("korean", "peninsula") and near("peninsula", "korean")  # either order
    assert near("cold", "war")
    assert near("focus", "control")  # "Focus Area: Arms Control": within three words
    assert not near("korean", "war")  # both words are in the analysis, never together
