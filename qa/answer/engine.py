"""The answer engine: question analysis -> candidates from every strategy -> ranked by the
fitted ranker -> the first candidate the support check accepts -> cited.

A question that asks several things is split into its parts; each part is retrieved for,
answered and cited on its own, and the replies are joined in one answer, a part the
documents do not cover said so rather than dropped. The engine abstains only when no
candidate of any part is supported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from qa.answer import rank, support
from qa.answer.cite import cite
from qa.answer.features import generic
from qa.answer.question import Question, analyze, ground
from qa.answer.strategies import STRATEGIES
from qa.answer.types import Answer, Candidate, CorpusView, Evidence, Strategy

NOT_COVERED = "The documents do not cover this."

Search = Callable[[str], Sequence[Evidence]]
"""Evidence for a text: the retrieved chunks, best first, with unit similarities."""


def candidates(question: Question, evidence: Sequence[Evidence], corpus: CorpusView,
               strategies: Sequence[Strategy] = STRATEGIES) -> list[Candidate]:
    """Every strategy's candidates for a (grounded) question, scored by the ranker, best
    first; the same answer text proposed twice is kept once (its best score)."""
    out: list[Candidate] = []
    for s in strategies:
        for c in s.propose(question, evidence, corpus):
            if not c.claims:
                continue
            features = generic(question, c, evidence, corpus)
            out.append(replace(c, features=features, score=rank.score(features)))
    out.sort(key=lambda c: -c.score)
    seen: set[tuple[str, ...]] = set()
    unique = []
    for c in out:
        key = (c.preface, *(cl.text for cl in c.claims))
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def supported(question: Question, ranked: Sequence[Candidate], evidence: Sequence[Evidence],
              corpus: CorpusView, scoped: bool) -> tuple[Candidate | None, list[str]]:
    """The best candidate whose claims the support check accepts (a claim after the first
    that fails is dropped, with a note), or None."""
    for cand in ranked:
        verdicts = [support.check(question.text, cl, evidence, corpus, scoped)
                    for cl in cand.claims]
        if not verdicts[0].ok:
            continue
        kept = tuple(cl for cl, v in zip(cand.claims, verdicts) if v.ok)
        notes = [f"left out {cl.text!r}: {'; '.join(v.reasons) or 'not supported'}"
                 for cl, v in zip(cand.claims, verdicts) if not v.ok]
        return replace(cand, claims=kept), notes
    return None, []


def answer_part(question: Question, search: Search, corpus: CorpusView,
                scoped: bool) -> tuple[Candidate | None, list[str]]:
    """The chosen candidate for one (single) question, from its own retrieval."""
    evidence = list(search(question.text))
    if not evidence:
        return None, []
    grounded = ground(question, evidence)
    return supported(grounded, candidates(grounded, evidence, corpus), evidence, corpus, scoped)


def answer(text: str, search: Search, corpus: CorpusView, *, scoped: bool = False,
           not_covered: str = NOT_COVERED, alone: bool = True,
           resolve: Callable[[str, str], str] | None = None) -> Answer:
    """The cited answer to `text`, or an abstention (`not_covered`).

    `search` retrieves evidence for a text; `scoped` says the question is about one
    document; `alone` that no earlier turn precedes it (a bare follow-up then asks what it
    refers to); `resolve(part, earlier_part)` makes a part that leans on the one before
    it standalone ("What is X? And of Y?").
    """
    question = analyze(text)
    if alone and question.elliptical:
        return Answer(ask_what_it_refers_to(text), False, (), corpus.version, text)
    if question.ask != "multi":
        chosen, notes = answer_part(question, search, corpus, scoped)
        if chosen is None:
            return Answer(not_covered, False, (), corpus.version, text)
        return cite([chosen], corpus.version, text, notes)
    replies: list[Candidate | str] = []
    notes: list[str] = []
    earlier = ""
    for part in question.parts:
        standalone = resolve(part, earlier) if resolve and earlier else part
        earlier = standalone
        chosen, part_notes = answer_part(analyze(standalone), search, corpus, scoped)
        notes += part_notes
        if chosen is None:
            replies.append(f"On “{part}”: {not_covered}")
        else:
            replies.append(chosen)
    if not any(isinstance(r, Candidate) for r in replies):
        return Answer(not_covered, False, (), corpus.version, text)
    return cite(replies, corpus.version, text, notes)


def ask_what_it_refers_to(text: str) -> str:
    """The reply to a follow-up that no earlier question precedes ("And for Russia?")."""
    return (f"“{text.strip()}” seems to follow an earlier question, but there is none: "
            "please ask the whole question.")
