"""The ranker's training data (scripts/fit_ranker.py): a multi-part question becomes one
training question per part, split by the engine's own analysis."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from fit_ranker import part_items

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
