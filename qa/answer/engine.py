"""The answer engine: question analysis -> a computed answer when the question asks for one
(`arithmetic`), else candidates from every strategy -> ranked by the fitted ranker -> the
first candidate the support check accepts -> cited.

A question that asks several things is split into its parts; each part is retrieved for,
answered and cited on its own, and the replies are joined in one answer of one shared
length, a part the documents do not cover said so rather than dropped. A summary or list
question that names a section by its heading is answered by that section. The engine abstains only when no
candidate of any part is supported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from qa.answer import arithmetic, corroborate, rank, support
from qa.answer.cite import cite, claims_text
from qa.answer.features import Measures, before, generic, gives_asked, mark_tops
from qa.answer.passages import window
from qa.answer.question import Question, analyze, ground
from qa.answer.strategies import STRATEGIES
from qa.answer.strategies.cells import NamedRows, OrdinalRow, ReverseLookup, TableCell
from qa.answer.strategies.sections import section_answer
from qa.answer.strategies.sentences import gathered
from qa.answer.strategies.table import WholeTable
from qa.answer.strategies.yesno import antecedents, leads_with_pronoun
from qa.answer.tables import cell_claim, label_at, reverse_claim
from qa.answer.types import Answer, Candidate, Claim, CorpusView, Evidence, Strategy
from qa.answer.weights import HEDGE, HEDGE_ROOM, HEDGE_SUPPORT

NOT_COVERED = "The documents do not cover this."
# The strategies whose answer is the cells of rows a question names (`in_words` quotes the
# sentence that states one of their figures beside them).
CELL_STRATEGIES = tuple(s.name for s in (TableCell, NamedRows, ReverseLookup, OrdinalRow))
# The longest answer a candidate may give, citation marks included: what the project's
# scorer calls concise (a page that holds the answer is no answer).
MAX_ANSWER_CHARS = 400

Search = Callable[[str], Sequence[Evidence]]
"""Evidence for a text: the retrieved chunks, best first, with unit similarities."""


def candidates(question: Question, evidence: Sequence[Evidence], corpus: CorpusView,
               strategies: Sequence[Strategy] = STRATEGIES) -> list[Candidate]:
    """Every strategy's candidates for a (grounded) question, scored by the ranker, best
    first; the same answer text proposed twice is kept once (its best score)."""
    proposed: list[tuple[Candidate, dict[str, float]]] = []
    measures = Measures(question, evidence, corpus)
    for s in strategies:
        for c in s.propose(question, evidence, corpus):
            c = within_length(c)
            if c is None:
                continue
            proposed.append((c, generic(question, c, evidence, corpus, measures)))
    out = _scored(proposed)
    # the pieces the ranker put first one by one, gathered into a list (`gathered`), then
    # ranked with the others (the `top:`/`rank:` measures read anew with it among them)
    several = gathered(question, out, reading_order(evidence))
    several = within_length(several) if several is not None else None
    if several is not None:
        proposed.append((several, generic(question, several, evidence, corpus, measures)))
        out = _scored(proposed)
    seen: set[tuple[str, ...]] = set()
    unique = []
    for c in out:
        key = (c.preface, *(cl.text for cl in c.claims))
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique


def _scored(proposed: list[tuple[Candidate, dict[str, float]]]) -> list[Candidate]:
    """The candidates with their features (and the `top:`/`rank:` ones among them) and the
    ranker's score, best first."""
    features = [dict(f) for _, f in proposed]
    mark_tops(features)
    out = [replace(c, features=f, score=rank.score(f)) for (c, _), f in zip(proposed, features)]
    out.sort(key=lambda c: -c.score)
    return out


def reading_order(evidence: Sequence[Evidence]) -> Callable[[Claim], tuple[int, int]]:
    """A claim's place in reading the evidence: its chunk's retrieval rank, then where its
    text (without cut marks) stands in the chunk."""
    ranks = {ev.hit.chunk.id: i for i, ev in enumerate(evidence)}

    def place(cl: Claim) -> tuple[int, int]:
        head = cl.text.strip("… ").split(" … ")[0][:40]
        return ranks.get(cl.chunk.id, len(ranks)), max(0, cl.chunk.text.find(head))

    return place


def within_length(c: Candidate) -> Candidate | None:
    """The candidate with as many of its claims as fit in MAX_ANSWER_CHARS (citation marks
    included), or None when not even the first does."""
    claims = c.claims
    if longest_shown(c) <= MAX_ANSWER_CHARS:
        return c  # surely fits: its text is not written out to be measured
    while claims and len(_shown(c, claims)) > MAX_ANSWER_CHARS:
        claims = claims[:-1]
    if not claims:
        return None
    return c if claims == c.claims else replace(c, claims=claims)


def longest_shown(c: Candidate) -> int:
    """An upper bound of the length of the candidate's text as `cite` writes it
    (`claims_text`), worked out without writing it: `tidy` only takes characters out, and
    each claim gains at most a closing full stop, its marker " [n]" and a separator of two
    characters; the preface a space."""
    marker = len(f" [{len(c.claims)}]")
    return (len(c.preface) + 1 if c.preface else 0) + sum(
        len(cl.shown or cl.text) + marker + 3 for cl in c.claims)


def _shown(c: Candidate, claims: tuple, closed: bool = False) -> str:
    numbers: dict[str, int] = {}
    for cl in claims:
        numbers.setdefault(cl.chunk.id, len(numbers) + 1)
    return claims_text(claims, numbers, c.preface, closed)


def supported(question: Question, ranked: Sequence[Candidate], evidence: Sequence[Evidence],
              corpus: CorpusView, scoped: bool) -> Candidate | None:
    """The best candidate the support check accepts (`accepted`), or None."""
    return next((c for c in ranked if accepted(question, c, evidence, corpus, scoped)), None)


def accepted(question: Question, c: Candidate, evidence: Sequence[Evidence],
             corpus: CorpusView, scoped: bool) -> bool:
    """Whether the support check accepts one of the candidate's claims. Its claims are the
    items of one reading (the rows a question names, the items of a list), each answering
    a part of the question: the reading stands when its best-supported part does (the row
    the question names more closely may come second in table order). A yes/no verdict
    whose cited text writes every word of the question's topic, names in their roles and
    no other change or number (`yesno.verdict`), is stated there word for word: the check's
    similarity, low for a question as short as "Is China mentioned?", has nothing to add.
    Nor has it to the largest or smallest item of a column when the question names both
    the column and what the table lists ("Which route carried the fewest trips in 2021?":
    the `Extremes` reading), which the table states as a whole, not in one sentence."""
    if c.preface and c.features.get("stated", 0.0) >= 1.0:
        return True
    if c.features.get("table_reading"):
        return True  # the largest or smallest of a column and items the question names
    return any(support.check(question.text, cl, evidence, corpus, scoped).ok
               for cl in c.claims)


def hedge(question: Question, chosen: Candidate, ranked: Sequence[Candidate],
          evidence: Sequence[Evidence], corpus: CorpusView, scoped: bool) -> Candidate:
    """The chosen sentence with the next best sentence beside it when the ranker is unsure
    of the first (its probability among all candidates below HEDGE), condensed to the
    room the first leaves when it does not fit whole (`_beside`); a list or summary
    question already has its several pieces. When the support check refuses that
    sentence, the best table row's cells instead: the row the question names is as likely
    the answer as a second sentence. Failing both, the refused sentence all the same when
    its support probability reaches HEDGE_SUPPORT: it stands beside an answer the check
    accepted. A sentence that opens with a pronoun comes with the one that names what it
    stands for, when that fits (`with_antecedent`)."""
    if (question.is_list or not _one_sentence(chosen) or not ranked
            or probability(chosen, ranked) >= HEDGE):
        return chosen
    room = MAX_ANSWER_CHARS - len(_shown(chosen, chosen.claims)) - len(" [2]") - 1
    weak = None  # the refused sentence, and its support probability
    for beside in (_one_sentence, _one_row):
        for c in ranked:
            if c is chosen or not beside(c) or c.claims[0].text == chosen.claims[0].text:
                continue
            second = _beside(c.claims[0], question, room, beside is _one_sentence)
            if second is None or repeats(second.text, chosen.claims[0].text):
                continue
            verdict = support.check(question.text, second, evidence, corpus, scoped)
            if verdict.ok:
                return _with(chosen, with_antecedent(second, chosen.claims[0], room))
            if beside is _one_sentence:
                weak = (second, verdict.score)
            break
    if weak is not None and weak[1] >= HEDGE_SUPPORT:
        return _with(chosen, with_antecedent(weak[0], chosen.claims[0], room))
    return chosen


def with_antecedent(claim: Claim, shown: Claim, room: int) -> Claim:
    """A hedge's sentence that opens with a pronoun ("It cost £7.2 million ...") read
    with the sentence before it in its passage, which names what the pronoun stands for
    (`yesno.antecedents`), when the answer does not give that sentence already (`shown`)
    and the two fit in `room` characters; else the claim as it is. A sentence cut to its
    clauses ("… it cost …") is left as it is: its pronoun may lean on the words cut; so
    is one whose sentence before does not open as a sentence does, with a capital (a
    piece the sentence splitter cut after an abbreviation: "2 (variations on ...")."""
    if (claim.chunk.kind != "passage" or claim.text.startswith("…")
            or not leads_with_pronoun(claim.text)):
        return claim
    prior = before(claim.chunk, claim.text)
    said = shown.text.strip("… ")
    if (not prior.lstrip("“\"'(")[:1].isupper()
            or (shown.chunk.id == claim.chunk.id and said and said in prior)):
        return claim
    text = antecedents(claim.chunk, claim.text)
    return replace(claim, text=text) if len(text) <= room else claim


def _with(chosen: Candidate, second: Claim) -> Candidate:
    return replace(chosen, claims=(*chosen.claims, second),
                   features={**chosen.features, "hedged": 1.0})


def _beside(claim: Claim, question: Question, room: int, sentence: bool) -> Claim | None:
    """The claim as it fits in `room` characters beside the chosen one: whole, or a
    sentence condensed to its clauses that hold the most of the question's words
    (`passages.window`) when at least HEDGE_ROOM characters are left; else None."""
    if len(claim.text) <= room:
        return claim
    if not sentence or room < HEDGE_ROOM:
        return None
    # window's cut marks ("… ", " …") may add 2 characters beyond its limit
    text = window(claim.text, question.words, room - 2, gives_asked(question))
    return replace(claim, text=text) if len(text) <= room else None


def repeats(text: str, said: str) -> bool:
    """Whether every run of `text` between its cut marks ("… X …") stands in `said`: a
    sentence condensed to the one the answer already gives adds nothing beside it."""
    runs = [" ".join(r.split()).strip(" .;,") for r in text.split("…")]
    flat = " ".join(said.split())
    return any(runs) and all(r in flat for r in runs if r)


def probability(cand: Candidate, ranked: Sequence[Candidate]) -> float:
    """The candidate's share of the ranker's softmax over all candidates."""
    top = max(c.score for c in ranked)
    return math.exp(cand.score - top) / sum(math.exp(c.score - top) for c in ranked)


def _one_sentence(c: Candidate) -> bool:
    return c.strategy == "sentence" and _one_claim(c)


def _one_claim(c: Candidate) -> bool:
    return len(c.claims) == 1 and not c.preface and c.value is None


def _one_row(c: Candidate) -> bool:
    """One row's own cells: not what a table as a whole covers ("The table gives figures
    for 2021, 2022, 2023" cites a row but says nothing of it)."""
    return (_one_claim(c) and c.claims[0].chunk.kind == "table_row"
            and c.strategy.split(":")[0] != WholeTable.name)


def answer_part(question: Question, search: Search, corpus: CorpusView,
                scoped: bool, compute: bool = True) -> Candidate | None:
    """The chosen candidate for one (single) question, from its own retrieval."""
    evidence = list(search(question.text))
    if not evidence:
        return None
    # A computation over table figures the question asks for, when the arithmetic strategy
    # is sure enough of its reading (its own fitted thresholds), comes before the others:
    # their candidates quote a figure, not the result.
    # One that cannot show every operand within the length is not given: its answer
    # would cite fewer cells than it computed from.
    figure = arithmetic.computed(question.text, evidence, corpus) if compute else None
    if figure is not None and within_length(figure) is figure:
        return figure
    # A question about a section as a whole, which it names by its heading, is answered
    # by the section: its heading says that the text under it answers.
    section = section_answer(question, evidence, corpus)
    if section is not None:
        section = within_length(section)
        if section is not None:
            return section
    grounded = ground(question, evidence)
    ranked = candidates(grounded, evidence, corpus)
    chosen = supported(grounded, ranked, evidence, corpus, scoped)
    if chosen is None:
        return None
    return in_words(hedge(grounded, read_out(chosen), ranked, evidence, corpus, scoped),
                    evidence, corpus)


def in_words(c: Candidate, evidence: Sequence[Evidence], corpus: CorpusView) -> Candidate:
    """The cells of a named row with the retrieved sentence that states one of their
    figures beside them, when it fits (`corroborate.of_cells`): the report's own words give
    the figure's unit and scale, which the cell leaves to its table ("169" of a table of
    dollars; "$169" in the text)."""
    if c.strategy.split(":")[0] not in CELL_STRATEGIES or any(
            cl.chunk.kind != "table_row" for cl in c.claims):
        return c
    for cl in c.claims:
        said = corroborate.of_cells(cl, evidence, corpus)
        if said is not None:
            quoted = _with(c, Claim(said.quote, said.chunk, cl.score))
            return quoted if within_length(quoted) is quoted else c
    return c


def read_out(c: Candidate) -> Candidate:
    """The candidate with the claims it reads out (`Candidate.said`) when it has them and
    they all fit in one answer; a whole list of items beats a cut list of fuller ones."""
    if not c.said:
        return c
    full = replace(c, claims=c.said, said=())
    return full if within_length(full) is full else c


def standalone_parts(question: Question,
                     resolve: Callable[[str, str], str] | None = None) -> list[str]:
    """The parts of a multi-part question as `answer` asks them: each made standalone by
    `resolve(part, earlier_part)` in the light of the one before it (also what
    `scripts/fit_ranker.py` trains the ranker on)."""
    out: list[str] = []
    for part in question.parts:
        out.append(resolve(part, out[-1]) if resolve and out else part)
    return out


def answer(text: str, search: Search, corpus: CorpusView, *, scoped: bool = False,
           not_covered: str = NOT_COVERED, alone: bool = True, split: bool = True,
           resolve: Callable[[str, str], str] | None = None, compute: bool = True) -> Answer:
    """The cited answer to `text`, or an abstention (`not_covered`).

    `search` retrieves evidence for a text; `scoped` says the question is about one
    document; `alone` that no earlier turn precedes it (a bare follow-up then asks what it
    refers to); `split` that its parts are answered one by one (not for a follow-up the
    conversation made standalone by writing the earlier question beside it);
    `resolve(part, earlier_part)` makes a part that leans on the one before it standalone
    ("What is X? And of Y?"); `compute` false leaves out computed answers (what
    `scripts/arith_eval.py` fits the arithmetic thresholds against).
    """
    question = analyze(text, split)
    if alone and question.elliptical:
        return Answer(ask_what_it_refers_to(text), False, (), corpus.version, text)
    if question.ask != "multi":
        chosen = answer_part(question, search, corpus, scoped, compute)
        if chosen is None:
            return Answer(not_covered, False, (), corpus.version, text)
        return cite([chosen], corpus.version, text)
    replies: list[Candidate | str] = []
    asked: list[Question] = []
    for part, standalone in zip(question.parts, standalone_parts(question, resolve)):
        asked.append(analyze(standalone))
        chosen = answer_part(asked[-1], search, corpus, scoped, compute)
        if chosen is None:
            replies.append(f"On “{part}”: {not_covered}")
        else:
            replies.append(chosen)
    if not any(isinstance(r, Candidate) for r in replies):
        return Answer(not_covered, False, (), corpus.version, text)
    replies, asked = joined_rows(*without_repeats(replies, asked))
    return cite(shared_length(replies, asked), corpus.version, text)


def joined_rows(replies: Sequence[Candidate | str], parts: Sequence[Question]
                ) -> tuple[list[Candidate | str], list[Question]]:
    """The replies with consecutive parts answered by cells of the same row read out as
    one claim on that row ("For the Driver Academy program, Lead Department: Human
    Resources; Goal: Train and hire ..."; after a row found by its value, "Focus Area:
    Economic Sanctions (Expected Outcome: ...); Recommended Measure: ..."), not the row
    named twice; only replies of one claim that read a row's cells as `cell_claim` or
    `reverse_claim` write them, not computed."""
    out: list[Candidate | str] = []
    kept: list[Question] = []
    for r, q in zip(replies, parts):
        prev = out[-1] if out else None
        if isinstance(prev, Candidate) and isinstance(r, Candidate):
            joined = _one_row_claim(prev, r)
            if joined is not None:
                out[-1] = replace(prev, claims=(joined,), said=())
                continue
        out.append(r)
        kept.append(q)
    return out, kept


def _one_row_claim(first: Candidate, then: Candidate) -> Claim | None:
    """The claim that reads both replies' cells of one row (the first's form kept: a row
    named by its label, or found by its value), or None when they are no such pair."""
    if not (_one_claim(first) and _one_claim(then)):
        return None
    a, b = first.claims[0], then.claims[0]
    if a.chunk.id != b.chunk.id or _form(b) != "cells":
        return None
    score = max(a.score, b.score)
    if _form(a) == "cells":
        return cell_claim(a.chunk, tuple(dict.fromkeys((*a.highlight, *b.highlight))), score)
    if _form(a) == "reverse":
        new = tuple(j for j in b.highlight if j not in a.highlight)
        return reverse_claim(a.chunk, a.highlight[1], (*a.highlight[2:], *new), score)
    return None


def _form(cl: Claim) -> str:
    """How a row claim reads its cells: "cells" (`cell_claim`), "reverse"
    (`reverse_claim`: its label, the value it was found by, the cells asked), or ""."""
    if cl.chunk.kind != "table_row" or not cl.highlight:
        return ""
    if cell_claim(cl.chunk, cl.highlight, cl.score).text == cl.text:
        return "cells"
    h = cl.highlight
    if len(h) >= 2 and reverse_claim(cl.chunk, h[1], h[2:], cl.score).text == cl.text:
        return "reverse"
    return ""


def without_repeats(replies: Sequence[Candidate | str], parts: Sequence[Question]
                    ) -> tuple[list[Candidate | str], list[Question]]:
    """The parts' replies without the claims an earlier part's reply already gave: a part
    answered by the same sentence as the one before it adds nothing, nor the cells of a
    row an earlier part quoted (`rest_of_row`); a reply left with none, or a hedged one
    whose first sentence was given, is dropped; a computed one is kept whole or dropped
    whole."""
    seen: set[tuple[str, str]] = set()
    cells: dict[str, set[int]] = {}  # the cells of each row the earlier parts quoted
    out: list[Candidate | str] = []
    kept: list[Question] = []
    for r, q in zip(replies, parts):
        if isinstance(r, Candidate):
            given = {(cl.chunk.id, cl.text) for cl in r.claims}
            whole = r.value is not None or bool(r.preface)  # a computed reply: as it is
            # a row's cells are trimmed only from claims read out as they are (not `said`)
            trim = not whole and not r.said
            fresh = tuple(new for cl in r.claims if (cl.chunk.id, cl.text) not in seen
                          and (new := rest_of_row(cl, cells.get(cl.chunk.id, set())) if trim
                               else cl) is not None)
            first_given = (r.claims[0].chunk.id, r.claims[0].text) in seen
            seen |= given
            # the cells read out; a hedge's second sentence may yet be cut (`shared_length`)
            shown = r.said or r.claims
            for cl in shown[:1] if r.features.get("hedged") else shown:
                cells.setdefault(cl.chunk.id, set()).update(cl.highlight)
            if not fresh or (first_given and r.features.get("hedged")):
                continue  # a hedge's second sentence only stands beside its first
            if fresh != r.claims and not whole:
                r = replace(r, claims=fresh, said=())
        out.append(r)
        kept.append(q)
    return out, kept


def rest_of_row(claim: Claim, given: set[int]) -> Claim | None:
    """A table-row claim without the cells an earlier part of the answer quoted from the
    same row ("For the Military aspect, Regional Impact: ..." after the part that gave its
    North Korea and Russia cells), None when it quotes none besides them; any other claim
    as it is."""
    if claim.chunk.kind != "table_row" or not given or not claim.highlight:
        return claim
    at = label_at(claim.chunk)
    quoted = [j for j in claim.highlight if j != at]
    new = [j for j in quoted if j not in given]
    if not new:
        return None
    return claim if new == quoted else cell_claim(claim.chunk, new, claim.score)


def shared_length(replies: Sequence[Candidate | str], parts: Sequence[Question],
                  limit: int = MAX_ANSWER_CHARS) -> list[Candidate | str]:
    """The replies to the parts of a question within one answer's length: each part was
    answered as if alone (up to `limit` each), so when together they run over, the second
    sentence a part was hedged with goes first, then the parts longer than their share of
    the length (what the shorter parts leave, split evenly) are cut to it: their last
    claims dropped, and a claim still too long condensed to the clauses that hold the
    most words of its part (`passages.window`)."""
    out = list(replies)
    if _joined_length(out) <= limit:
        return out
    out = [replace(r, claims=r.claims[:-1]) if isinstance(r, Candidate)
           and r.features.get("hedged") and len(r.claims) > 1 else r for r in out]
    if _joined_length(out) <= limit:
        return out
    lengths = [_reply_length(r, i + 1 < len(out)) for i, r in enumerate(out)]
    budgets = _shares(lengths, limit - (len(out) - 1))
    for i, (r, q) in enumerate(zip(out, parts)):
        if isinstance(r, Candidate) and lengths[i] > budgets[i]:
            out[i] = shortened(r, q, budgets[i], i + 1 < len(out))
    return out


def _reply_length(r: Candidate | str, closed: bool = False) -> int:
    """A reply's length as `cite` writes it (`closed`: another reply follows it)."""
    return len(r) if isinstance(r, str) else len(_shown(r, r.claims, closed))


def _joined_length(replies: Sequence[Candidate | str]) -> int:
    return sum(_reply_length(r, i + 1 < len(replies))
               for i, r in enumerate(replies)) + len(replies) - 1


def _shares(lengths: Sequence[int], room: int) -> list[int]:
    """Each reply's share of `room` characters: a reply shorter than an even share keeps
    its length, and what it leaves is split among the longer ones."""
    budgets = list(lengths)
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for n, i in enumerate(order):
        share = room // (len(order) - n)
        budgets[i] = min(lengths[i], share)
        room -= budgets[i]
    return budgets


def shortened(c: Candidate, question: Question, budget: int,
              closed: bool = False) -> Candidate:
    """The candidate within `budget` characters (markers included; `closed`: as `cite`
    writes a reply another follows): its last claims dropped while more than one remains,
    then each claim condensed to its share."""
    claims = c.claims
    while len(claims) > 1 and len(_shown(c, claims, closed)) > budget:
        claims = claims[:-1]
    over = len(_shown(c, claims, closed)) - budget
    if over > 0:
        # window's cut marks ("… ", " …") may add 2 characters beyond its limit
        room = max(1, (sum(len(cl.shown or cl.text) for cl in claims) - over)
                   // len(claims) - 2)
        # a claim written otherwise than it is read (`Claim.shown`) is cut as written
        claims = tuple(replace(cl, text=window(cl.text, question.words, room,
                                               gives_asked(question)),
                               shown=cl.shown and window(cl.shown, question.words, room,
                                                         gives_asked(question)))
                       for cl in claims)
    return replace(c, claims=claims)


def ask_what_it_refers_to(text: str) -> str:
    """The reply to a follow-up that no earlier question precedes ("And for Russia?")."""
    return (f"“{text.strip()}” seems to follow an earlier question, but there is none: "
            "please ask the whole question.")
