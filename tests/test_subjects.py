"""Document titles and the documents a question names (qa/subjects.py): pure, no model."""

from __future__ import annotations

from dataclasses import replace

from helpers import passage, row

from qa.subjects import lead, named, names, title

TITLES = {"mockingbird.md": "To Kill a Mockingbird",
          "spectre.md": "Spectre (2015 film)",
          "chopin.md": "Frédéric Chopin",
          "zelda.md": "The Legend of Zelda: Twilight Princess",
          "ming.md": "Sino-Tibetan relations during the Ming dynasty",
          "calder.md": "Calder Fell Observatory",
          "tindfjell.md": "Tindfjell Observatory"}


def test_a_question_names_a_document_by_its_title_or_a_shortened_one():
    assert named("Who wrote To Kill a Mockingbird?", TITLES) == ["mockingbird.md"]
    assert named("When did Chopin die?", TITLES) == ["chopin.md"]  # a surname
    assert named("Who developed Twilight Princess?", TITLES) == ["zelda.md"]
    # the bracketed aside tells films apart; the question names the film without it
    assert named("Who directed Spectre?", TITLES) == ["spectre.md"]


def test_a_word_of_a_long_title_or_one_every_title_shares_names_nothing():
    # the Ming dynasty is in that document's title, but the document is not about it
    assert named("When did the Ming dynasty rule China?", TITLES) == []
    # "observatory" is in two titles: which one is not said
    assert named("When was the observatory founded?", TITLES) == []
    assert named("Where is the Calder Fell Observatory?", TITLES) == ["calder.md"]
    assert named("Who founded the society?", TITLES) == []


def test_names_needs_half_of_the_title_words():
    assert names("Who directed the 2015 film?", "Spectre (2015 film)") is False
    assert names("Where was the earthquake?", "2008 Sichuan earthquake") is False
    assert names("How strong was the Sichuan earthquake?", "2008 Sichuan earthquake") is True
    assert names("What is it?", "") is False


def test_the_title_is_the_first_heading_else_the_file_name():
    first = passage("p1", "The Brenmoor Bridge is a suspension bridge.", section="Brenmoor Bridge")
    later = passage("p2", "Work began in 1883.", section="Brenmoor Bridge > History")
    assert title([first, later]) == "Brenmoor Bridge"
    bare = replace(first, section="", doc="notes/brenmoor-suspension_bridge.md")
    assert title([bare]) == "brenmoor suspension bridge"


def test_the_lead_is_the_document_s_opening_prose_passage():
    first = passage("p1", "The Brenmoor Bridge is a suspension bridge.")
    listing = passage("p0", "- a first item\n- a second item")
    table = row(1, ("Year", "Tolls"), ("1890", "£12"), 1)
    assert lead([first, listing]) == first
    assert lead([listing, first]) is None  # a list opens it: no sentence defines the subject
    assert lead([table, first]) is None
    assert lead([]) is None
