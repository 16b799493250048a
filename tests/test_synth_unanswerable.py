"""Synthetic unanswerable questions for the support check's fit
(scripts/synth_unanswerable.py): a name swapped for another of the same kind from the
article, a number the paragraph does not state, a negated auxiliary; made from the set's
own questions and paragraphs."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from synth_unanswerable import change_number, cloze, edits, flip_grade, negate, swap_name

PARAGRAPH = ("Beyoncé married Jay Z in 2008. Kelly Rowland and Michelle Williams joined "
             "Destiny's Child in 2000. The group toured Houston and Texas.")


def kin(name: str, others: list[str]) -> list[float]:
    """Names alike when both are people's (a stand-in for the model)."""
    people = {"Beyonce", "Beyoncé", "Jay Z", "Kelly Rowland", "Michelle Williams"}
    return [0.9 if {name, o} <= {"Beyonce", "Beyoncé"} else
            0.6 if name in people and o in people else 0.2 for o in others]


def test_a_name_is_swapped_for_another_of_its_kind_not_for_itself_written_otherwise() -> None:
    got = swap_name("Who did Beyonce marry?", PARAGRAPH, [], "Beyoncé married Jay Z in 2008.",
                    kin, 0)
    # Beyoncé is the same name (0.9), Jay Z is in the answer's sentence: another person
    assert got in ("Who did Kelly Rowland marry?", "Who did Michelle Williams marry?")


def test_a_name_is_replaced_as_a_whole_word_only() -> None:
    got = swap_name("Which R&B group did Beyonce lead?", PARAGRAPH, [], "", kin, 0)
    assert got is not None and got.startswith("Which R&B group did ")


def test_a_year_moves_to_one_the_paragraph_does_not_state() -> None:
    for seed in range(4):
        got = change_number("Who joined the group in 2000?", PARAGRAPH, seed)
        year = got.split()[-1].rstrip("?")
        assert year != "2000" and year not in PARAGRAPH and abs(int(year) - 2000) <= 4


def test_the_first_auxiliary_is_negated_once() -> None:
    assert negate("What did Apple develop?") == "What didn't Apple develop?"
    assert negate("Can users play it?") == "Can't users play it?"
    assert negate("Why was it not released?") is None
    assert negate("Name the album.") is None


def test_each_answerable_question_gives_at_most_one_unanswerable_edit(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\n" + PARAGRAPH + "\n", encoding="utf-8")
    items = [{"id": "q1", "question": "Who did Beyonce marry in 2008?", "answerable": True,
              "evidence": ["Jay Z"]},
             {"id": "q2", "question": "Who joined?", "answerable": False, "evidence": []},
             {"id": "q3", "question": "Who toured Texas?", "answerable": True,
              "evidence": ["nowhere in the text"]}]
    got = edits(items, ["a.md"] * 3, tmp_path, kin)
    assert [g["source"] for g in got] == ["q1"]
    assert got[0]["answerable"] is False and got[0]["kind"].startswith("synthetic-")
    assert got[0]["question"] != items[0]["question"]


def test_a_superlative_becomes_its_closest_of_the_other_direction() -> None:
    def alike(word: str, others: list[str]) -> list[float]:
        return [0.9 if o == "smallest" else 0.1 for o in others]

    assert flip_grade("Which is the largest city?", alike, 0) == "Which is the smallest city?"
    assert flip_grade("Which city is it?", alike, 0) is None


def test_the_answer_sentence_becomes_a_question_and_its_edit_comes_beside_it(
        tmp_path: Path) -> None:
    assert cloze("Beyoncé married Jay Z in 2008.", ["Jay Z"]) == "Beyoncé married what in 2008?"
    (tmp_path / "a.md").write_text("# A\n\n" + PARAGRAPH + "\n", encoding="utf-8")
    items = [{"id": "q1", "question": "Who did Beyonce marry?", "answerable": True,
              "evidence": ["Jay Z"], "answer": [["Jay Z"]]}]
    got = edits(items, ["a.md"], tmp_path, kin, close=True)
    assert got[0]["question"] == "Beyoncé married what in 2008?" and got[0]["answerable"]
    assert got[0]["answer"] == [["Jay Z"]]
    assert not got[1]["answerable"] and got[1]["question"] != got[0]["question"]
