"""The ranker's fit (scripts/fit_ranker.py): its training data (a multi-part question
becomes one training question per part, split by the engine's own analysis; questions
grouped as the held-out split groups them), the conditional logit, the count of questions
a feature is fitted on, and HEDGE's rule."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import numpy as np
from fit_ranker import (
    HEDGE_MEDIAN_CHARS,
    choose_hedge,
    conditional_logit,
    informative,
    part_items,
    question_groups,
)

from qa.answer.engine import standalone_parts
from qa.answer.question import analyze

ITEM = {"id": "m6", "kind": "multi-part", "history": [], "answerable": True,
        "question": "Which historical divisions does the alliance revive, and which "
                    "institutions should be strengthened?",
        "answer": [["cold war"], ["united nations", "asean"]]}


def parts_of(item: dict) -> list[dict]:
    return part_items(item, standalone_parts(analyze(item["question"])))


def test_each_part_is_a_question_with_the_answer_group_of_its_place() -> None:
    got = parts_of(ITEM)
    assert [p["id"] for p in got] == ["m6/1", "m6/2"]
    assert "divisions" in got[0]["question"] and "institutions" not in got[0]["question"]
    assert "institutions" in got[1]["question"] and "divisions" not in got[1]["question"]
    assert [p["answer"] for p in got] == [[["cold war"]], [["united nations", "asean"]]]
    assert all(p["kind"] == "multi-part" for p in got)


def test_a_part_leaning_on_the_one_before_is_asked_standalone() -> None:
    item = {**ITEM, "question": "What is the regional impact of the military aspect? "
                                "And of the economic aspect?",
            "answer": [["arms build-up"], ["supply chains"]]}
    seen = []

    def resolve(part: str, earlier: str) -> str:
        seen.append((part, earlier))
        return f"{part} ({earlier})"

    got = part_items(item, standalone_parts(analyze(item["question"]), resolve))
    assert len(got) == 2 and len(seen) == 1
    assert seen[0][1] == got[0]["question"]  # the second part read beside the first
    assert got[1]["question"].endswith(f"({got[0]['question']})")


def test_no_pairing_when_parts_and_answer_groups_differ_in_number() -> None:
    assert parts_of({**ITEM, "answer": [["cold war"]]}) == []
    assert parts_of({**ITEM, "answer": [["a"], ["b"], ["c"]]}) == []


def test_only_multi_part_questions_are_split() -> None:
    assert parts_of({**ITEM, "kind": "list"}) == []
    assert part_items(ITEM, [ITEM["question"]]) == []  # the analysis did not split it


def test_the_logit_learns_the_feature_that_marks_the_right_candidate() -> None:
    # three questions, three candidates each: "mark" is 1 on the right one, "noise" is not
    # tied to it; the fit must weigh "mark" up and "noise" barely
    groups = [(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.array([1.0, 0.0, 0.0])),
              (np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]), np.array([0.0, 1.0, 0.0])),
              (np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([0.0, 0.0, 1.0]))]
    got = conditional_logit(groups, [1.0, 1.0, 1.0], ["mark", "noise"], l2=0.001)
    assert got["mark"] > 1.0 > abs(got["noise"])
    # a stronger penalty keeps the weight smaller
    assert conditional_logit(groups, [1.0] * 3, ["mark", "noise"], l2=0.1)["mark"] < got["mark"]


def test_a_feature_counts_only_where_it_tells_candidates_apart() -> None:
    groups = [(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([1.0, 0.0])),
              (np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), np.array([0.0, 1.0]))]
    # "a" differs within the first question only; "same" is constant within each (a
    # softmax over candidates cannot use it); "never" never fires
    assert informative(groups, ["a", "same", "never"]) == {"a": 1, "same": 0, "never": 0}


def test_hedge_is_the_largest_threshold_keeping_squads_median_answer_short() -> None:
    curve = {0.5: {("squad_train", False): (0.79, 200)},
             0.8: {("squad_train", False): (0.80, HEDGE_MEDIAN_CHARS)},
             0.9: {("squad_train", False): (0.81, HEDGE_MEDIAN_CHARS + 1)}}
    assert choose_hedge(curve) == 0.8
    assert choose_hedge({0.5: {("tatqa_dev", False): (0.9, 80)}}) is None


def test_tatqa_questions_are_grouped_by_their_document() -> None:
    items = [{"id": "q1", "doc": "d1"}, {"id": "q2", "doc": "d1"}, {"id": "q3", "doc": "d2"}]
    assert question_groups("tatqa_dev", items) == ["d1", "d1", "d2"]
    assert question_groups("engine_analysis", items) == ["q1", "q2", "q3"]


def test_the_hedge_triple_costs_no_set_a_calibration_answer(monkeypatch) -> None:
    import fit_hedge

    now = (0.96, 1.01, 400)
    monkeypatch.setattr(fit_hedge, "current", lambda: now)
    monkeypatch.setattr(fit_hedge, "HEDGE_GRID", (0.9, 0.96))
    monkeypatch.setattr(fit_hedge, "SUPPORT_GRID", (1.01, 0.2))
    monkeypatch.setattr(fit_hedge, "ROOM_GRID", (400,))

    def part(right: int, chars: int) -> list[tuple[bool, bool, int]]:
        return [(False, i < right, chars) for i in range(10)]

    short, long = HEDGE_MEDIAN_CHARS, HEDGE_MEDIAN_CHARS + 1
    squad = {now: part(5, short), (0.9, 1.01, 400): part(4, short),
             (0.96, 0.2, 400): part(9, long), (0.9, 0.2, 400): part(8, short)}
    tatqa = {now: part(5, 90), (0.9, 1.01, 400): part(5, 90),
             (0.96, 0.2, 400): part(5, 90), (0.9, 0.2, 400): part(5, 90)}
    # the weak bound wins SQuAD answers; at 0.96 its answers run over the median bound
    chosen, allowed = fit_hedge.choose({"squad_train": squad, "tatqa_dev": tatqa})
    assert allowed == {(1.01, 400): 0.96, (0.2, 400): 0.9}
    assert chosen == (0.9, 0.2, 400)
    # the same, but costing TAT-QA one calibration answer: not chosen
    tatqa[(0.9, 0.2, 400)] = part(4, 90)
    assert fit_hedge.choose({"squad_train": squad, "tatqa_dev": tatqa})[0] == now
