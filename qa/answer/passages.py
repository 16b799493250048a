"""The pieces of prose an answer may quote: sentences and list items of a passage with the
question's similarity to each, over-long sentences condensed to their best clauses, lists
condensed to one line, and sentences freed of a leading connective ("Moreover, ...")."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qa.answer.match import set_of, tokens_of
from qa.answer.types import Evidence
from qa.chunk import Chunk
from qa.text.sentences import sentences

# Conjunctive adverbs and phrases that tie a sentence to the one before it; an answer that
# starts with one dangles ("Moreover, ..."). A closed class of English, not question words.
CONNECTIVES = ("moreover", "however", "furthermore", "additionally", "also", "therefore",
               "thus", "hence", "consequently", "nevertheless", "nonetheless", "meanwhile",
               "besides", "instead", "indeed", "likewise", "similarly", "accordingly",
               "still", "otherwise", "then", "yet", "in addition", "as a result",
               "by contrast", "in contrast", "on the other hand", "in turn", "as such",
               "at the same time", "for example", "for instance", "in particular",
               "as well", "above all", "after all", "even so", "in fact")
_CONNECTIVE = re.compile(r"^(?:and |but |so )?(?:" + "|".join(CONNECTIVES) + r")\s*,\s*",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """A sentence or list item of a retrieved passage: the text an answer quotes, the
    question's best similarity to it (the sentence or one of its clauses), and where it
    stands (evidence rank, unit)."""

    evidence: Evidence
    rank: int
    unit: int
    text: str
    dense: float

    @property
    def chunk(self) -> Chunk:
        """The passage."""
        return self.evidence.hit.chunk


def pieces(evidence: list[Evidence] | tuple[Evidence, ...]) -> Iterator[Piece]:
    """Every quotable sentence and list item of the retrieved passages, once each, with its
    best similarity (a clause's similarity counts for its sentence)."""
    for rank, ev in enumerate(evidence):
        c = ev.hit.chunk
        if c.kind != "passage":
            continue
        quotes = c.quotes()
        best: dict[str, tuple[float, int]] = {}
        for u, (quote, score) in enumerate(zip(quotes, ev.unit_scores)):
            if u == 0 and len(quotes) > 1 and not c.is_list:
                continue  # the whole passage: answered by its sentences
            if c.is_list:
                quote = item_text(c, u)  # the whole list (or its intro): the list condensed
            if quote and (quote not in best or score > best[quote][0]):
                best[quote] = (float(score), u)
        for quote, (score, u) in best.items():
            yield Piece(ev, rank, u, quote, score)


def item_text(c: Chunk, u: int) -> str:
    """The text a unit of a list stands for: an item, or for the whole and the intro the
    list condensed to one line. An item of a list written as one sentence reads alone as a
    sentence: the ";", "," or "; and" that ties it to the next replaced by a full stop, a
    lower-case first word capitalised ("a transit circle by ...;" -> "A transit circle
    by ....")."""
    intro, items = c.list_parts()
    if u == 0 or (intro and u == 1):
        return condensed_list(intro, items)
    item = items[u - (2 if intro else 1)]
    bare = item_bare(item)
    # its own end kept when it is a full stop or nothing
    text = item if bare == item.rstrip().rstrip(".") else f"{bare}."
    return f"{text[:1].upper()}{text[1:]}" if _LOWER_WORD.match(text) else text


# What closes a list item in the source's own punctuation: a list written as one sentence
# ends its items with ";" or "," and its last but one with "; and" / ", or".
_ITEM_END = re.compile(r"(?:[;,]\s*(?:and|or))?[\s.;,]*$")
_LOWER_WORD = re.compile(r"[a-z]+\b")


def item_bare(item: str) -> str:
    """A list item without the punctuation that tied it to the next one."""
    return _ITEM_END.sub("", item)


def condensed_list(intro: str, items: list[str]) -> str:
    """A list in one line, its items joined by "; " (their own closing ";", "," or "; and"
    dropped); items named "Label: description" are cut to their label."""
    if all(":" in it[:60] for it in items):
        items = [it.split(":", 1)[0] for it in items]
    body = "; ".join(item_bare(it) for it in items)
    return f"{intro} {body}." if intro else f"{body}."


def next_sentence(c: Chunk, sentence: str) -> str:
    """The sentence of the passage after `sentence` ("" when it is the last)."""
    texts = sentences(c.text)
    i = texts.index(sentence) if sentence in texts else len(texts)
    return texts[i + 1] if i + 1 < len(texts) else ""


# What a run of clauses that holds a value of the kind the question asks for (a date for
# "when", a number for "how many", a name for "who") counts for when an over-long sentence
# is condensed, in question words: "When was Chopin born?" keeps "(22 February or 1 March
# 1810 – ...)" rather than "born Fryderyk Franciszek Chopin". Chosen by
# `scripts/answer_eval.py squad_train --constant qa.answer.passages.WINDOW_ASKED=...`.
WINDOW_ASKED = 1.0


def window(sentence: str, q: frozenset[str] | set[str], limit: int,
           gives: Callable[[str], bool] | None = None) -> str:
    """An over-long sentence condensed to the run of clauses that holds the most question
    words, and a value of the asked kind when `gives` tells one (WINDOW_ASKED; the shorter
    run on a tie; never one that ends on a clause introducing what follows, "Key actions
    should include:"); cuts are marked with "…"."""
    if len(sentence) <= limit:
        return sentence
    clauses = re.split(r"(?<=[,;:])\s+", sentence)
    # a run's words are its clauses' words (no word spans the ", " between two clauses):
    # each clause is read once, not each run anew
    each = [set_of(tokens_of(c)) for c in clauses]
    best, best_score = sentence[:limit], -1.0
    for a in range(len(clauses)):
        text = ""
        words: set[str] = set()
        for b in range(a, len(clauses)):
            nxt = f"{text} {clauses[b]}".strip()
            if len(nxt) > limit - 2:
                break
            text = nxt
            words |= each[b]
            if text.endswith(":"):
                continue  # a run that ends on what introduces the rest says nothing
            score = len(q & words) - 0.001 * len(text)
            # whether the run gives the asked kind is read only when it could decide
            if gives is not None and score + WINDOW_ASKED > best_score and gives(text):
                score += WINDOW_ASKED
            if score > best_score:
                best, best_score = text, score
    prefix = "" if sentence.startswith(best) else "… "
    if sentence.endswith(best):
        return f"{prefix}{best}"
    return f"{prefix}{best.rstrip(',;:')} …"


def without_connective(text: str) -> str:
    """The sentence without a leading connective that ties it to a sentence the answer
    does not give ("Moreover, tailored strategies ..." -> "Tailored strategies ..."), its
    first letter capitalised unless the word is written with a capital inside ("However,
    iPods can ..." -> "iPods can ...", not "IPods")."""
    m = _CONNECTIVE.match(text)
    if not m or m.end() >= len(text):
        return text
    rest = text[m.end():]
    first = rest.split(maxsplit=1)[0]
    if any(ch.isupper() for ch in first[1:]):
        return rest
    return rest[0].upper() + rest[1:]
