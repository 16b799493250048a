#!/usr/bin/env python3
"""Make unanswerable questions from the answerable ones of a SQuAD-style set, by the edits
SQuAD 2.0's crowd workers make to a question that the paragraph answers so that it looks
answerable and is not (Rajpurkar et al. 2018): another entity of the same kind, a date or
number the text does not give, an inserted negation. Made from the set's own data (its
questions and its articles), for the support check's fit (`scripts/fit_support.py`):
the calibration part holds one article with unanswerable questions, and its kind (a name
swapped for another name of the article) is the only one a fit can learn from it.

    scripts/synth_unanswerable.py OUT.jsonl [--part calib] [--limit N]

Each answerable question of the part yields at most one edit, the kind chosen by a hash of
its id among those that apply:

- "name": a name the question states (a capitalised word or run of them, as
  `qa.answer.support.names` reads a question) is replaced by another name of the article
  of the same kind (the closest in the embedding model's space, the paragraph's
  preferred) that the answer's sentence does not write: "Who did Beyonce marry?" ->
  "Who did Kelly Rowland marry?";
- "number": a number the question states is replaced by another the paragraph does not
  state (a year moves by a few years: "in 2006" -> "in 2008");
- "antonym": its first comparative or superlative replaced by the closest (in the
  model's space) of the other direction ("the largest city" -> "the smallest city");
- "negation": the question's first auxiliary verb negated ("What didn't Apple
  develop?").

Only questions whose answer's paragraph is found are edited. An edit may leave a question
answerable by another paragraph (the fit treats them as noise among many).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalsets import EVAL, SETS, load, split, squad_articles

CORPUS = EVAL / "squad_train" / "corpus"
# A year the edit moves by this much at most (either way): near enough to look plausible.
YEAR_SHIFT = 4
# A word that is a year: four digits from the 1000s to the 2000s.
YEAR = re.compile(r"^(1[0-9]|20)\d\d$")
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
# The words after which "not" makes a question negated (English auxiliary verbs).
AUXILIARY = re.compile(r"\b(is|are|was|were|do|does|did|has|have|had|can|could|will|would|"
                       r"should|may|might|must)\b(?! not\b)", re.IGNORECASE)
# Auxiliaries whose negation is not the verb + "n't".
CONTRACTED = {"can": "can't", "will": "won't", "may": "may not", "might": "might not"}
NEGATED = re.compile(r"\b(not|never|no)\b|n't\b", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
KINDS = ("name", "number", "negation", "antonym")
WORD = re.compile(r"[A-Za-z]+")
POSSESSIVE = re.compile(r"['’]s?$")
APOSTROPHE = re.compile(r"['’]")
MIN_NAME = 3  # letters; shorter capitalised words are initials and pieces ("R" of "R&B")
# A name this similar to the question's (the model's cosine) is the same name written
# otherwise ("Beyonce" / "Beyoncé"), not another entity.
SAME_NAME = 0.8
PARAGRAPH_BONUS = 0.1  # a name of the answer's own paragraph is preferred by this much
MAX_CLOZE = 250  # characters: a longer sentence is no question a reader would ask
CHOICES = 2  # the replacement is one of the closest this many (by the question's hash)


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16)


def paragraphs(path: Path) -> list[str]:
    """An article's paragraphs (blank-line separated, its heading dropped)."""
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n")
            if p.strip() and not p.startswith("#")]


def names_in(text: str) -> list[str]:
    """The names a text states, sentence by sentence, as the support check reads a
    question's (numbers, possessive endings and names of fewer than MIN_NAME letters left
    out)."""
    from qa.answer.support import names

    out: list[str] = []
    for s in SENTENCE.split(text):
        for n in names(s):
            n = POSSESSIVE.sub("", n)
            if len(n) >= MIN_NAME and not NUMBER.fullmatch(n) and n not in out:
                out.append(n)
    return out


def plain(name: str) -> str:
    """A name lower-cased without its accents ("Beyoncé" -> "beyonce")."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower())
                   if not unicodedata.combining(c))


def same_words(a: set[str], b: set[str]) -> bool:
    """Whether two names share a word, or a word of one begins a word of the other
    ("Chopin", "Chopiniana")."""
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b)


def answer_sentence(paragraph: str, evidence: list[str]) -> str:
    """The sentence of the paragraph that holds the answer (the paragraph when none)."""
    for s in SENTENCE.split(paragraph):
        if any(e in s for e in evidence):
            return s
    return paragraph


def swap_name(question: str, paragraph: str, article: list[str], sentence: str,
              kin: Callable[[str, list[str]], list[float]], seed: int) -> str | None:
    """The question with one of its names replaced by the name of the article closest to
    it in the model's space (`kin`: a person's for a person's, a place's for a place's;
    one of the paragraph's preferred) that is not the same name written otherwise and that
    the question and the answer's sentence do not write."""
    stated = names_in(question)
    if not stated:
        return None
    name = stated[seed % len(stated)]
    own = set(plain(name).split())
    pool = list(dict.fromkeys(names_in(paragraph) + article))
    others = [n for n in pool if n not in question and n not in sentence
              and not APOSTROPHE.search(n) and not same_words(own, set(plain(n).split()))]
    if not others:
        return None
    here = set(names_in(paragraph))
    sims = kin(name, others)
    scored = sorted(((s + PARAGRAPH_BONUS * (n in here), n) for s, n in zip(sims, others)
                     if s < SAME_NAME), reverse=True)[:CHOICES]
    if not scored:
        return None
    other = scored[seed % len(scored)][1]
    return re.sub(rf"(?<![\w&]){re.escape(name)}(?![\w&])", lambda _: other, question, count=1)


def change_number(question: str, paragraph: str, seed: int) -> str | None:
    """The question with one of its numbers replaced by one the paragraph does not state."""
    found = list(NUMBER.finditer(question))
    if not found:
        return None
    m = found[seed % len(found)]
    n = m.group()
    digits = n.replace(",", "")
    if not digits.isdigit():
        return None
    stated = set(NUMBER.findall(paragraph))
    if YEAR.match(digits):
        steps = [s for k in range(1, YEAR_SHIFT + 1) for s in (k, -k)]
        steps = steps[seed % 2:] + steps[:seed % 2]
        new = next((str(int(digits) + s) for s in steps if str(int(digits) + s) not in stated),
                   None)
    else:
        value = int(digits)
        new = next((str(v) for v in (value + 1, value * 2, value + 10, value - 1)
                    if v > 0 and str(v) not in stated), None)
    return None if new is None else question[:m.start()] + new + question[m.end():]


def flip_grade(question: str, kin: Callable[[str, list[str]], list[float]],
               seed: int) -> str | None:
    """The question with its first comparative or superlative ("largest", "more") replaced
    by the one of the other direction closest to it in the model's space ("smallest",
    "less"): an antonym, as the crowd workers write one."""
    from qa.answer.question import COMPARATIVES, SUPERLATIVES

    for m in WORD.finditer(question):
        w = m.group()  # a capitalised one is part of a name ("The Best Man")
        for table in (SUPERLATIVES, COMPARATIVES):
            if w in table:
                others = sorted(o for o, sign in table.items() if sign != table[w])
                sims = kin(w, others)
                best = sorted(zip(sims, others), reverse=True)[:CHOICES]
                other = best[seed % len(best)][1]
                return question[:m.start()] + other + question[m.end():]
    return None


def negate(question: str) -> str | None:
    """The question with its first auxiliary verb negated ("did" -> "didn't"; none when it
    is negated already)."""
    if NEGATED.search(question):
        return None
    m = AUXILIARY.search(question)
    if m is None:
        return None
    verb = m.group()
    negated = CONTRACTED.get(verb.lower(), verb + "n't")
    return question[:m.start()] + (negated[0].upper() + negated[1:] if verb[0].isupper()
                                   else negated) + question[m.end():]


def encoder_kin() -> Callable[[str, list[str]], list[float]]:
    """The similarity of a name to each of several others by the project's embedding model
    (each name encoded once)."""
    from qa.embed import Embedder

    model = Embedder()
    cache: dict[str, np.ndarray] = {}

    def kin(name: str, others: list[str]) -> list[float]:
        new = [n for n in dict.fromkeys([name, *others]) if n not in cache]
        if new:
            cache.update(zip(new, model.encode(new)))
        return [float(cache[name] @ cache[n]) for n in others]

    return kin


def cloze(sentence: str, evidence: list[str]) -> str | None:
    """The answer's sentence as a question of its own words: the answer replaced by "what"
    ("Beyoncé married Jay Z in 2008." -> "Beyoncé married what in 2008?"); the close copy of
    a sentence a crowd worker writes, answerable by construction."""
    span = next((e for e in evidence if e and e in sentence), None)
    if span is None:
        return None
    return sentence.replace(span, "what", 1).rstrip(" .!?;:") + "?"


def edits(items: list[dict], articles: list[str], corpus: Path = CORPUS,
          kin: Callable[[str, list[str]], list[float]] | None = None,
          close: bool = False) -> list[dict]:
    """One unanswerable question (if any edit applies) per answerable question of `items`,
    each of the article given beside it; `kin` tells how alike two names are (the
    embedding model's by default). With `close`, the edit is made to the answer's sentence
    as a question (`cloze`) rather than to the question, and that sentence question comes
    too, answerable (the pair the fit contrasts: a close copy and an edited close copy)."""
    kin = kin or encoder_kin()
    paras = {a: paragraphs(corpus / a) for a in set(articles)}
    article_names = {a: names_in(" ".join(ps)) for a, ps in paras.items()}
    out = []
    for it, art in zip(items, articles):
        if not it.get("answerable"):
            continue
        ev = [e for e in it.get("evidence", []) if isinstance(e, str)]
        para = next((p for p in paras[art] if ev and any(e in p for e in ev)), None)
        if para is None:
            continue
        seed = _h(it["id"])
        sentence = answer_sentence(para, ev)
        base = cloze(sentence, ev) if close else it["question"]
        if base is None or len(base) > MAX_CLOZE:
            continue
        made = {"name": swap_name(base, para, article_names[art], sentence, kin, seed),
                "number": change_number(base, para, seed),
                "negation": negate(base),
                "antonym": flip_grade(base, kin, seed)}
        usable = [k for k in KINDS if made[k] and made[k] != base]
        if not usable:
            continue
        # an antonym, a number or a name when one applies (the commoner edits, two times
        # in three), else any
        kind = next((k for k in ("antonym", "number", "name") if k in usable and seed % 3),
                    None) or usable[seed % len(usable)]
        tag = "close-" if close else ""
        if close:
            out.append({**it, "id": f"{tag}{it['id']}", "question": base, "kind": "close"})
        out.append({"id": f"syn-{kind}-{tag}{it['id']}", "question": made[kind],
                    "kind": f"synthetic-{kind}", "history": [], "evidence": [], "answer": [],
                    "answerable": False, "source": it["id"]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--part", choices=["calib", "heldout"], default="calib",
                    help="which part of squad_train to edit (the fit reads calib only)")
    ap.add_argument("--limit", type=int, default=0, help="at most N (a hash-ordered sample)")
    a = ap.parse_args()
    items = load(SETS["squad_train"])
    calib, held = split("squad_train", items)
    part = calib if a.part == "calib" else held
    of = dict(zip((it["id"] for it in items), squad_articles(items)))
    made = edits(part, [of[it["id"]] for it in part])
    if a.limit:
        made = sorted(made, key=lambda r: _h(r["id"]))[:a.limit]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in made)
    kinds = {k: sum(r["kind"] == f"synthetic-{k}" for r in made) for k in KINDS}
    print(f"{len(made)} unanswerable questions from {len(part)} of squad_train's {a.part} "
          f"part -> {a.out} ({', '.join(f'{k} {n}' for k, n in kinds.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
