"""Yes/no questions: "Yes." or "No." only when the cited sentence (or row) states what
the question asks, followed by it and its citation; the sentence alone otherwise (the
other strategies propose that)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from qa.answer.features import before, claim_dense
from qa.answer.match import place, shared, weighted_recall, weighted_share, words_of
from qa.answer.passages import next_sentence
from qa.answer.question import NEGATIONS, Question
from qa.answer.strategies.cells import ReverseLookup, TableCell
from qa.answer.strategies.sentences import BestSentence
from qa.answer.support import phrase_in
from qa.answer.types import Candidate, Claim, CorpusView, Evidence
from qa.chunk import Chunk
from qa.text.contrary import contrary_in
from qa.text.direction import direction, opposed, same_scale
from qa.text.numbers import numbers_in, years_in
from qa.text.places import places_named
from qa.text.sentences import sentences, split_clauses
from qa.text.tokens import stem, tokenize, words

# Share of the question's words (weighted by rarity) the cited sentence must hold for it
# to state what is asked: chosen by scripts/fit_verdicts.py on the yes/no questions'
# calibration parts (right verdicts minus false ones: 0.6 gave 43 right of 55, 8 false of
# 65; 0.7 43 and 4; 0.8 33 and 2): below it a verdict is given on a sentence that lacks the
# question's predicate ("approved", "published"), above it true verdicts are lost to a
# word the question frames with ("expected", "mentioned").
STATED = 0.7
# Share of the question's other words (weighted by rarity) a text that says the opposite
# of one of them must state for a "No" ("Did the fare for seniors rise?" / "the adult fare
# was kept": no verdict): chosen by scripts/fit_verdicts.py with STATED (calibration
# right verdicts 43 / 41 / 40 / 39 of 55 at 0.7 / 0.8 / 0.9 / 1.0, false 4 at each).
CONTRADICTED = 0.7
# Whether a word WordNet opposes to a word of the question says its opposite ("Is the
# museum open?" / "closed"), besides a negating prefix: chosen by scripts/fit_verdicts.py.
USE_ANTONYMS = True
# How many of the other strategies' candidates (the most similar to the question) are
# read for a verdict.
READ = 6
# A negation counts for the question's claim when one of the next few words is a word of
# the question ("is not guaranteed"); "not only X but Y" does not deny Y. Chosen with
# STATED by scripts/fit_verdicts.py (2 -> 6: one more right "No" and one false verdict
# less on calibration; 12 and more change nothing).
NEGATION_REACH = 6
# The most sentences read before a pronoun-led one for what its pronoun stands for: a
# pronoun may lean on a sentence that opens with one too ("Vos joined ... He put the
# plan to the senate ... It was turned down").
CHAIN = 2
# Two-word connectives that deny what follows them in favour of what precedes ("left in
# its dome rather than moved"): a closed class of English, read as a negation.
CONTRASTIVE = frozenset({("rather", "than"), ("instead", "of")})
# Pronouns that open a sentence whose subject the sentence before it names ("It was
# turned down because ..."; "She was the first woman ..."): a closed class of English.
PRONOUNS = frozenset(("it", "he", "she", "they", "its", "his", "her", "their", "this", "these",
                      "those"))


def denies(question_words: frozenset[str], text: str) -> bool:
    """Whether the text negates a word of the question (a negation, or a contrastive
    connective, within NEGATION_REACH words before it)."""
    tokens = words(text)
    for i, t in enumerate(tokens):
        if (t in NEGATIONS or (t == "t" and i and tokens[i - 1].endswith("n"))
                or tuple(tokens[i - 1:i + 1]) in CONTRASTIVE):
            after = words_of(" ".join(tokens[i + 1:i + 1 + NEGATION_REACH]))
            if shared(set(after), set(question_words)):
                return True
    return False


def verdict(question: Question, text: str, idf: Mapping[str, float],
            prior: str = "") -> tuple[str, float]:
    """("Yes" or "No" or "", how much of the question the text states). What is asked is
    the question's topic: the words that name the document or ask it to report ("Does
    the analysis say ...") are no part of the claim a verdict confirms. A change the
    question asks about ("Did costs rise?") is stated by the text's word for the same
    change ("rose", "increased"), and denied by one that says the other change of its scale
    ("fell", "was kept": `contradicted`) or writes it with a negating prefix
    ("destabilize" / "stabilize") or a word WordNet opposes to it (`antonymous`); a
    question that writes two opposed words itself asks which: no verdict (`asks_which`).
    Another number in place of the question's states no verdict either way, nor do two
    changes the text says as near the question's words.
    A place the question names is written by its demonym as well ("born in Sweden" /
    "Swedish-born"). `prior`: the sentence before a text that opens with a pronoun, which
    names what the pronoun stands for; it states the question's words with the text, but
    the text alone says what is said of them (its clauses are read for the change and the
    negation)."""
    topic = question.topic or question.words
    clauses = [text[a:b] for a, b in split_clauses(text)] or [text]
    clause = max(clauses, key=lambda c: weighted_recall(question.words, c, idf))
    whole = f"{prior} {text}" if prior else text
    said = changes(topic, clause)
    against = contradicted(topic, clause) | antonymous(topic, question.text, whole,
                                                        question.names)
    if (said is None and not against) or other_number(question, whole) or \
            asks_which(question.text):
        return "", weighted_recall(topic, whole, idf)
    places = frozenset(w for p in places_named(tokenize(whole)) for w in p)
    held = words_of(whole) | places
    stated = weighted_share(topic, held | (said or frozenset()) | against, idf)
    if stated < STATED or not about_the_same(question, whole):
        return "", stated
    if against and weighted_share(topic - against, held, idf) < CONTRADICTED:
        return "", stated
    denied = (denies(question.words, clause) != bool(against)) != question.negated
    return ("No" if denied else "Yes"), stated


def other_number(question: Question, text: str) -> bool:
    """Whether the text states another year in place of a year the question states, or
    another figure in place of a figure ("open in 2024" against "in 2025"); a year against
    a figure is no such pair ("in 2023" against "fell by 12 percent")."""
    return _in_place(set(years_in(question.text)), set(years_in(text))) or _in_place(
        _figures(question.text), _figures(text))


def _in_place(asked: set, there: set) -> bool:
    return bool(asked - there) and bool(there - asked)


def _figures(text: str) -> set[Decimal]:
    """The values of the numbers a text writes that are no years."""
    years = set(years_in(text))
    return {f.number.value for f in numbers_in(text) if f.number.value not in years}


def changes(topic: frozenset[str], clause: str) -> frozenset[str] | None:
    """The question's words of change (`qa.text.direction`) the clause does not write but
    says in other words of the same change, as the words to count present; None when,
    for one of them, the clause's word of change (of its scale) nearest the question's
    words it writes says another change (the same distance counts against), or when a
    word of the question is a word of the clause with a negating prefix or without it."""
    seq = tokenize(clause)
    held = shared(set(topic), set(seq))
    missing = topic - held
    if any(opposed(w, t) for w in missing for t in set(seq)):
        return None
    at = [i for i, t in enumerate(seq) if t in held]
    said = [(min((abs(i - j) for j in at), default=len(seq)), way)
            for i, t in enumerate(seq) if t not in held and (way := direction(t)) is not None]
    out = set()
    for w in missing:
        way = direction(w)
        scale = [(d, other) for d, other in said if way is not None and same_scale(way, other)]
        if not scale:
            continue  # the clause says no change of its scale: the word is missing
        near = min(d for d, _ in scale)
        if any(other != way for d, other in scale if d == near):
            return None
        out.add(w)
    return frozenset(out)


def contradicted(topic: frozenset[str], clause: str) -> frozenset[str]:
    """The question's words the clause says the opposite of: a word it writes with a
    negating prefix or without it, and a word of change ("rise") whose nearest words of
    change of its scale in the clause all say another change ("fell", "kept")."""
    seq = tokenize(clause)
    held = shared(set(topic), set(seq))
    missing = topic - held
    out = {w for w in missing if any(opposed(w, t) for t in set(seq))}
    at = [i for i, t in enumerate(seq) if t in held]
    said = [(min((abs(i - j) for j in at), default=len(seq)), way)
            for i, t in enumerate(seq) if t not in held and (way := direction(t)) is not None]
    for w in missing:
        way = direction(w)
        scale = [(d, other) for d, other in said if way is not None and same_scale(way, other)]
        if scale:
            near = min(d for d, _ in scale)
            if way not in {other for d, other in scale if d == near}:
                out.add(w)
    return frozenset(out)


def antonymous(topic: frozenset[str], asked: str, text: str,
               names: Sequence[str] = ()) -> frozenset[str]:
    """The question's words (stems) the text says the opposite of by a word WordNet opposes
    to the word as the question writes it ("Is the museum open?" / "closed"; "Were the
    walls thin?" / "thick": `qa.text.contrary`). The whole text is read, not the clause
    nearest the question's words: the clause that names the thing asked about is often not
    the one that says what it is like ("The main block was built of gneiss, with walls
    almost a metre thick"). A text that writes the word as well says the opposite only
    when its opposite stands nearer the question's other words (`nearer`: "Is the museum
    closed from June to September?" / "open from June to September and closed in
    winter"). Words of change are left to `changes` and `contradicted`, which read the one
    nearest the question's words ("Did costs rise?" / "costs rose, while income fell"), and
    the words of the names the question writes (`names`) to `about_the_same`: "South" in
    "South Korea" names a country, it says nothing against "North Korea"."""
    if not USE_ANTONYMS:
        return frozenset()
    named = {w for name in names for w in words(name)}
    said = words(text)
    stems = [stem(t) for t in said]
    out = set()
    for w in dict.fromkeys(words(asked)):
        s = stem(w)
        if (s not in topic or w in named or direction(w) is not None
                or not contrary_in(w, said)):
            continue
        if s not in stems:
            out.add(s)
            continue
        others = [[i for i, t in enumerate(stems) if t == o] for o in topic - {s}]
        own = [i for i, t in enumerate(stems) if t == s]
        against = [i for i, t in enumerate(said) if contrary_in(w, [t])]
        if against and nearer(against, own, [o for o in others if o]):
            out.add(s)
    return frozenset(out)


def asks_which(asked: str) -> bool:
    """Whether a question writes a word and one WordNet opposes to it ("Are the Ewells rich
    or poor?", "Was the house for male or female students?"): it asks which of the two
    holds, and neither "Yes" nor "No" answers it."""
    if not USE_ANTONYMS:
        return False
    said = [w for w in words(asked) if direction(w) is None]
    return any(contrary_in(w, said) for w in set(said))


def nearer(these: Sequence[int], those: Sequence[int], others: Sequence[Sequence[int]]) -> bool:
    """Whether words at positions `these` stand nearer the other words (each given by its
    positions) than words at `those`: the summed distance from each other word to the
    nearest of them is smaller (a tie is not nearer)."""
    def reach(at: Sequence[int]) -> int:
        return sum(min(abs(i - j) for i in at for j in other) for other in others)
    return bool(others) and reach(these) < reach(those)


def about_the_same(question: Question, text: str) -> bool:
    """Whether the text speaks of what the question names, in the roles it gives them: it
    writes every name the question states as written ("South Korea" is not "North Korea";
    a sentence about Russia confirms nothing about China), and two names the question
    links by a word ("Does A supply B?") do not stand the other way round around it ("B
    supplies A"), nor two things it compares ("Did A grow faster than B?" against "B grew
    faster than A"). Words shared with the question say nothing of whom they are about."""
    if compared_the_other_way(question.text, text):
        return False
    seq = tuple(tokenize(text))
    named = [(name, tuple(tokenize(name))) for name in question.names]
    named = [(name, n) for name, n in named if n]
    names = [n for _, n in named]
    places = places_named(seq)
    if not all(phrase_in(n, seq) or n in places or by_last_word(name, text)
               for name, n in named):
        return False
    if len(names) != 2:
        return True
    asked = tuple(tokenize(question.text))
    (first, at), (second, bt) = sorted(((n, place(n, asked)) for n in names),
                                       key=lambda x: -1 if x[1] is None else x[1])
    if at is None or bt is None:
        return True
    between = set(asked[at + len(first):bt])
    return not (_linked(second, first, between, seq) and not _linked(first, second, between, seq))


def by_last_word(name: str, text: str) -> bool:
    """Whether the text names a person (or thing) of several capitalised words by the last
    of them alone, as a text does after naming it in full: "Vos" for "Pieter Vos". The word
    must not follow another capitalised word: "North Korea" writes "Korea", not "South
    Korea"."""
    parts = name.split()
    if len(parts) < 2 or not all(p[:1].isupper() for p in parts):
        return False
    for m in re.finditer(rf"\b{re.escape(parts[-1])}\b", text):
        previous = text[:m.start()].split()[-1:]
        if not previous or not previous[0][:1].isupper():
            return True
    return False


def compared_the_other_way(question: str, text: str) -> bool:
    """Whether the text compares the question's two sides the other way round: a word the
    question writes before its "than" only (or after it only) stands after the text's
    "than" only (before it only), for a word of each side."""
    asked, said = _sides(question), _sides(text)
    if asked is None or said is None:
        return False
    (qa, qb), (ta, tb) = asked, said
    return bool((qa - qb) & (tb - ta)) and bool((qb - qa) & (ta - tb))


def _sides(text: str) -> tuple[set[str], set[str]] | None:
    """The content words (stems) before and after a text's first "than", or None."""
    seq = words(text)
    if "than" not in seq:
        return None
    at = seq.index("than")
    return set(tokenize(" ".join(seq[:at]))), set(tokenize(" ".join(seq[at + 1:])))


def _linked(a: tuple[str, ...], b: tuple[str, ...], words: set[str],
            seq: tuple[str, ...]) -> bool:
    """Whether `seq` writes `a`, then one of `words`, then `b`."""
    i = place(a, seq)
    if i is None or not words:
        return False
    rest = seq[i + len(a):]
    j = place(b, rest)
    return j is not None and bool(shared(words, set(rest[:j])))


class YesNo:
    """A verdict before the sentence or row that states what a yes/no question asks."""

    name = "yesno"
    base = (BestSentence(), TableCell(), ReverseLookup())

    def propose(self, question: Question, evidence: Sequence[Evidence],
                corpus: CorpusView) -> list[Candidate]:
        """The other strategies' candidates that state the question, with a verdict."""
        if question.ask != "yesno":
            return []
        found = [c for s in self.base for c in s.propose(question, evidence, corpus)]
        by_id = {ev.hit.chunk.id: ev for ev in evidence}
        found.sort(key=lambda c: -claim_dense(c.claims[0], by_id.get(c.claims[0].chunk.id)))
        out = []
        for c in found[:READ]:
            claim = c.claims[0]
            for prior, text in readings(claim):
                said, stated = verdict(question, text, corpus.idf, prior)
                if not said:
                    continue
                # the sentence it leans on is quoted beside it (not the whole chain)
                nearest = sentences(prior)[-1] if prior else ""
                shown = replace(claim, text=f"{nearest} {text}") if prior else claim
                out.append(Candidate(f"{self.name}:{c.strategy}", (shown, *c.claims[1:]),
                                     0.0, features={**c.features, "stated": stated,
                                                    "denied": float(said == "No")},
                                     preface=f"{said}."))
        return out


def readings(claim: Claim) -> list[tuple[str, str]]:
    """The texts a claim is read for a verdict, each with the sentence that names what its
    opening pronoun stands for ("" for none): a row's whole text; a sentence alone; a
    sentence that opens with a pronoun with the one before it; and the sentence after it,
    with it, when that one opens with a pronoun (the sentence that names a thing is
    retrieved for the question's words, the one after it says what the question asks:
    "The lens arrived two years late. It cracked during its first grinding")."""
    if claim.chunk.kind != "passage":
        return [("", claim.chunk.embed_text())]
    out = [("", claim.text)]
    if claim.chunk.is_list:
        return out
    if leads_with_pronoun(claim.text) and (prior := before(claim.chunk, claim.text)):
        out.append((antecedents(claim.chunk, prior), claim.text))
    after = next_sentence(claim.chunk, claim.text)
    if after and leads_with_pronoun(after):
        out.append((antecedents(claim.chunk, claim.text), after))
    return out


def antecedents(chunk: Chunk, sentence: str) -> str:
    """The sentence with those before it that its own opening pronoun leans on, up to
    CHAIN sentences in all ("Vos joined in 1896. He put the plan to the senate.")."""
    out = [sentence]
    while len(out) < CHAIN and leads_with_pronoun(out[0]):
        prior = before(chunk, out[0])
        if not prior:
            break
        out.insert(0, prior)
    return " ".join(out)


def leads_with_pronoun(text: str) -> bool:
    """Whether a sentence opens with a pronoun (`PRONOUNS`)."""
    first = words(text[:40])
    return bool(first) and first[0] in PRONOUNS
