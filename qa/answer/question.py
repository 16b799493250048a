"""What a question asks, read once from the general structure of English questions.

No model and no word of any particular question: the interrogative or auxiliary it starts
with (a yes/no question starts with an auxiliary), whether the thing asked for is plural
(the verb agrees with it: "What are ...", "Which routes does ..."), superlative and
comparative forms of gradable adjectives, and interrogative clauses joined by "and" or
written as two sentences (several questions in one). The closed word classes this needs
(auxiliaries, interrogatives, prepositions, request verbs, gradable adjectives and their
direction) are grammar, listed once here.

`analyze(text)` reads the text; `ground(question, evidence)` adds what it names of the
retrieved tables (rows by their label, columns by their header, rows by a value), read
by matching against the evidence itself (`qa.answer.tables`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from qa.text.tokens import inflected_verb, tokenize, words

if TYPE_CHECKING:
    from qa.answer.tables import RowReading
    from qa.answer.types import Evidence


def _closed(text: str) -> frozenset[str]:
    """A closed class of English words, written as one string."""
    return frozenset(text.split())


# Auxiliary verbs (as `words` splits them: "doesn't" -> "doesn", "t").
AUXILIARIES = _closed(
    "is are was were am be been do does did have has had can could will would shall should "
    "may might must isn aren wasn weren don doesn didn hasn haven hadn couldn wouldn "
    "shouldn won")
INTERROGATIVES = ("what", "which", "who", "whom", "whose", "when", "where", "why", "how")
PREPOSITIONS = _closed(
    "of in on at for from by with about to into over under between among during after before "
    "since through across against per than as within")
DETERMINERS = _closed("the a an its their his her this that these those each every")
NEGATIONS = _closed("not no never n't without neither nor none")
# Verbs that open a request instead of a question ("List the ...", "Summarize ...").
LIST_VERBS = _closed("list name enumerate identify")
SUMMARY_VERBS = _closed("summarize summarise sum recap describe outline explain overview")
# Nouns and verbs that ask for the gist of something ("an overview of", "what does the
# conclusion say", "what does the table show").
SUMMARY_NOUNS = _closed("overview summary gist synopsis recap")
REPORTING_VERBS = _closed(
    "say says state states argue argues conclude concludes discuss discusses examine examines "
    "cover covers describe describes show shows present presents represent represents depict "
    "depicts mention mentions mentioned")
# Words a request is phrased with rather than what it is about ("Give a brief overview of
# ...", "Tell me what ... says"): with the list, summary and reporting words above and the
# document nouns below, what a question's `topic` leaves out.
REQUEST_WORDS = _closed("give tell provide me us brief briefly short up")  # up: "sum up"
# The verbs of those that open a request for what the documents say about something
# ("Tell me about the weather records", "Give us something about ..."): with "about" as
# their object's preposition they ask for a summary of it.
REQUEST_VERBS = _closed("give tell provide")
# How far after the request verb its "about" may stand ("Tell me about", "Tell me more
# about", "Give me details about"): the verb's indirect and direct object, a word each.
ABOUT_WITHIN = 3
# Nouns that name the document or a part of it rather than what it is about ("the
# article's conclusion", "the section on ...").
DOCUMENT_NOUNS = _closed("article analysis document report paper text section chapter")
IRREGULAR_PLURALS = _closed("people children men women data criteria media phenomena")
# Nouns of time and of quantity: a "what"/"which" phrase headed by one asks for a date
# ("In what year ...", "which century") or a number ("what percentage"), as "when" and
# "how many" do. Closed classes of measure nouns, not words of particular questions.
TIME_NOUNS = _closed("year years century centuries decade decades month months date day "
                     "days era time season")
QUANTITY_NOUNS = _closed("number percentage percent amount age population size rate share "
                         "price cost temperature")
# Gradable adjectives by direction: their comparative and superlative forms say whether
# the largest (+1) or the smallest (-1) value is asked for.
_HIGH = "large big high great long strong fast late old new heavy rich wide deep much many good"
_LOW = "small low few little short weak slow early young light cheap poor narrow bad"
_IRREGULAR = {"more": 1, "most": 1, "better": 1, "best": 1, "less": -1, "least": -1,
              "fewer": -1, "fewest": -1, "worse": -1, "worst": -1, "lesser": -1}
# Ordinal numbers: "the second month" asks for a place in an order (a table's rows).
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth")
# Nouns and verbs that end in -est but are no superlatives.
_NOT_SUPERLATIVE = _closed(
    "interest forest request test rest west quest guest chest nest pest vest contest protest "
    "harvest invest digest arrest suggest honest modest manifest")


def _graded() -> tuple[dict[str, int], dict[str, int]]:
    """Comparative and superlative forms of the gradable adjectives, with their direction."""
    comparative: dict[str, int] = {}
    superlative: dict[str, int] = {}
    for words_, sign in ((_HIGH, 1), (_LOW, -1)):
        for a in words_.split():
            stem = a[:-1] + "i" if a.endswith("y") else a
            if a.endswith("e"):
                er, est = a + "r", a + "st"
            elif re.fullmatch(r".*[^aeiou][aeiou][bdgmnpt]", a) and len(a) <= 4:
                er, est = a + a[-1] + "er", a + a[-1] + "est"  # big -> bigger
            else:
                er, est = stem + "er", stem + "est"
            comparative[er] = sign
            superlative[est] = sign
    for w, sign in _IRREGULAR.items():
        (superlative if w.endswith("st") else comparative)[w] = sign
    return comparative, superlative


COMPARATIVES, SUPERLATIVES = _graded()
GRADABLE = frozenset((_HIGH + " " + _LOW + " often tall far").split())
_ASKING = frozenset(tokenize(" ".join(
    LIST_VERBS | SUMMARY_VERBS | SUMMARY_NOUNS | REPORTING_VERBS | REQUEST_WORDS
    | DOCUMENT_NOUNS)))
_REPORTING = frozenset(tokenize(" ".join(REPORTING_VERBS)))
_DOCUMENT = frozenset(tokenize(" ".join(DOCUMENT_NOUNS)))


@dataclass(frozen=True)
class Question:
    """A question as analysed: what is asked and what it names.

    `ask` is one of "fact", "list", "summary", "reason", "compare", "yesno", "count",
    "multi" (several questions: `parts` holds them). `direction` is +1 when the largest
    value is asked for, -1 the smallest, 0 neither. `rows` are the readings of the
    retrieved table rows against the question (after `ground`).
    """

    text: str
    ask: str
    wh: str = ""
    aux: str = ""
    head: tuple[str, ...] = ()  # the words of the wh-phrase ("which focus area" -> focus, area)
    plural: bool = False
    superlative: bool = False
    comparative: bool = False
    direction: int = 0
    ordinal: int = 0  # the place an ordinal word asks for ("the second month": 2), 0 none
    negated: bool = False
    words: frozenset[str] = frozenset()  # stemmed content words
    names: tuple[str, ...] = ()  # capitalised names after the first word
    numbers: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    elliptical: bool = False  # leans on something said before ("And for Russia?")
    expects: str = ""  # the kind of answer asked for (`expected`)
    rows: tuple[RowReading, ...] = ()

    @property
    def topic(self) -> frozenset[str]:
        """The stemmed words of what the question is about, without the words it asks
        with ("Summarize the policy recommendations" -> polici, recommend)."""
        toks = tokenize(self.text)
        # a reporting verb asks the document to report beside a noun of it or at the end
        # ("Does the report state ...", "Is China mentioned in the analysis?", "What does
        # the table show?"); elsewhere it is of the topic ("funded by a state grant")
        said = {t for i, t in enumerate(toks) if t in _REPORTING and i + 1 < len(toks)
                and toks[i + 1] not in _DOCUMENT and not (i and toks[i - 1] in _DOCUMENT)}
        return self.words - (_ASKING - said)

    @property
    def place(self) -> int:
        """The place in order a superlative asks for: 2 for "the second highest", 1 for
        "the highest" (an ordinal elsewhere, "the second quarter", places no superlative)."""
        tokens = words(self.text)
        return next((ORDINALS.index(t) + 1 for t, nxt in pairwise(tokens)
                     if t in ORDINALS and nxt in SUPERLATIVES), 1)

    @property
    def is_list(self) -> bool:
        """Whether several things are asked for (a list or a summary)."""
        return self.ask in ("list", "summary")


_CLAUSE_JOIN = re.compile(
    r"(?:\s*[,;]?\s+\b(?:and|but|or)\b|\s*;)\s+"
    r"(?=(?:what|which|who|whom|whose|when|where|why|how)\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=\?)\s+(?=\S)")
_ELLIPSIS_START = re.compile(r"^\s*(and|also|then|so|but|or|what about|how about|what of|as for|"
                             r"same for)\b", re.IGNORECASE)
_NAME = re.compile(r"\b([A-Z][\w'’.-]*(?:\s+(?:of\s+|the\s+|&\s+)?[A-Z][\w'’.-]*)*)")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\$?\d(?:[\d,]*\d)?(?:\.\d+)?%?")


def split_parts(text: str) -> list[str]:
    """The questions a text asks: separate sentences ending in "?", and interrogative
    clauses joined by "and", "but", "or" or ";" ("What is X, and how does Y?"). A bare
    interrogative after the join ("... and why?") takes the rest of the clause before it."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        pieces = _CLAUSE_JOIN.split(sentence)
        for i, piece in enumerate(pieces):
            piece = piece.strip().rstrip("?").strip(" ,;")
            if not piece:
                continue
            tokens = piece.split()
            if i > 0 and len(tokens) == 1 and out:  # "... and why?": why + the clause before
                before = out[-1].rstrip("?").split()
                rest = before[1:] if before and before[0].lower() in INTERROGATIVES else before
                piece = " ".join([tokens[0], *rest])
            out.append(piece[0].upper() + piece[1:] + "?")
    return out or [text]


def is_elliptical(text: str) -> bool:
    """Whether the question is a fragment that leans on an earlier one: it opens with a
    join ("And for Russia?", "What about 2022?") and no clause of its own follows (no
    auxiliary, no interrogative, or a bare one: "And why?"), or it names nothing."""
    m = _ELLIPSIS_START.match(text)
    rest = words(text[m.end():] if m else text)
    clause = any(t in AUXILIARIES or t in INTERROGATIVES for t in rest)
    bare = len(rest) == 1 and rest[0] in INTERROGATIVES
    return bool(m) and (not clause or bare) or not tokenize(text)


def _plural_word(w: str) -> bool:
    if w in AUXILIARIES or w in PREPOSITIONS or w in DETERMINERS:
        return False
    return w in IRREGULAR_PLURALS or (
        len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ics")))


def _wh_phrase(tokens: list[str], start: int) -> tuple[tuple[str, ...], bool]:
    """The words of the noun phrase after "which"/"what" and whether its head is plural.
    A plural-looking word followed by "to", a determiner or another plural-looking word
    is the verb of a singular head ("Which area aims to", "Which department leads the",
    "Which area sees losses")."""
    phrase: list[str] = []
    for k in range(start, min(start + 4, len(tokens))):
        w = tokens[k]
        if w in AUXILIARIES or w in PREPOSITIONS or w in DETERMINERS or w in INTERROGATIVES:
            break
        if _plural_word(w):
            nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
            if phrase and (nxt == "to" or nxt in DETERMINERS or _plural_word(nxt)):
                return tuple(phrase), False
            phrase.append(w)
            return tuple(phrase), True
        phrase.append(w)
    return tuple(phrase), False


def _subject_plural(tokens: list[str], start: int) -> tuple[tuple[str, ...], bool]:
    """After "What are/is ...": the subject phrase, up to its first preposition."""
    phrase: list[str] = []
    for w in tokens[start:]:
        if w in PREPOSITIONS or w in AUXILIARIES or w in INTERROGATIVES:
            break
        if w not in DETERMINERS:
            phrase.append(w)
    return tuple(phrase), bool(phrase) and _plural_word(phrase[-1])


# Interrogatives that stand inside a clause as often as they ask ("... when she was 12, what
# ..."): an inner question word is taken from these only when no other is written.
_CONJUNCTIVE = ("when", "where", "why", "how")


def _inner_wh(tokens: list[str], k: int) -> int:
    """Where the question word of a question that does not start with one stands (a
    statement with a gap: "Beyonce was raised in what religion?", "After ..., how many
    ...?"), or `k` when it writes none."""
    inner = [j for j in range(k + 1, len(tokens)) if tokens[j] in INTERROGATIVES]
    asking = [j for j in inner if tokens[j] not in _CONJUNCTIVE
              or tokens[j:j + 2] in (["how", "many"], ["how", "much"])]
    return (asking or inner or [k])[0]


def expected(wh: str, head: tuple[str, ...], nxt: str) -> str:
    """What kind of answer an interrogative asks for: "date" ("when", "in what year"),
    "number" ("how many", "how long", "what percentage"), "person" ("who", "whose"),
    "place" ("where"), or "" (a thing, a reason, a verdict). `head` is the wh-phrase's
    words, `nxt` the word after the interrogative."""
    if wh == "when" or (wh in ("what", "which") and set(head) & TIME_NOUNS):
        return "date"
    if wh in ("how many", "how much") or (wh in ("what", "which") and set(head) & QUANTITY_NOUNS):
        return "number"
    if wh == "how" and nxt in GRADABLE:  # "how long", "how old", "how far": a measure
        return "number"
    if wh in ("who", "whom", "whose"):
        return "person"
    if wh == "where":
        return "place"
    return ""


def asks_about(tokens: Sequence[str], k: int, wh: str) -> bool:
    """Whether a request asks what the documents say about something: it opens (at `k`)
    with a request verb whose object is "about ..." ("Tell me about the miners' wages",
    "Tell us more about X"), and asks no interrogative of its own ("Tell me who built
    it" asks a person)."""
    return (not wh and k < len(tokens) and tokens[k] in REQUEST_VERBS
            and "about" in tokens[k + 1:k + 1 + ABOUT_WITHIN])


def analyze(text: str, split: bool = True) -> Question:
    """What the question asks (see `Question`); with `split` false, one question however
    many it holds."""
    parts = split_parts(text) if split else [text]
    tokens = words(text)
    # "n't" is split off by the word pattern: "doesn't" -> "doesn", "t"
    negated = any(t in NEGATIONS for t in tokens) or bool(re.search(r"n['’]t\b", text))
    stems = frozenset(tokenize(text))
    names = tuple(n for n in _NAME.findall(text[1:]) if n.lower() not in INTERROGATIVES)
    numbers = tuple(_NUMBER.findall(text))
    years = tuple(n for n in numbers if re.fullmatch(r"(19|20)\d\d", n))
    superlative = [SUPERLATIVES[t] for t in tokens if t in SUPERLATIVES
                   and t not in _NOT_SUPERLATIVE]
    comparative = [COMPARATIVES[t] for t in tokens if t in COMPARATIVES]
    direction = (superlative or comparative or [0])[0]
    ordinal = next((ORDINALS.index(t) + 1 for t in tokens if t in ORDINALS), 0)
    base = {"text": text, "negated": negated, "words": stems, "names": names, "ordinal": ordinal,
            "numbers": numbers, "years": years, "superlative": bool(superlative),
            "direction": direction, "comparative": bool(comparative) or "than" in tokens,
            "elliptical": is_elliptical(text)}
    if len(parts) > 1:
        return Question(ask="multi", parts=tuple(parts), **base)
    if not tokens:
        return Question(ask="fact", **base)
    first = tokens[0]
    # "And what is ...?", "So which ...?": the question proper starts after the join
    k = 1 if first in ("and", "so", "also", "but", "then") and len(tokens) > 1 else 0
    if tokens[k] in PREPOSITIONS and k + 1 < len(tokens) and tokens[k + 1] in INTERROGATIVES:
        k += 1  # "In which year ...", "By how much ..."
    first = tokens[k]
    if first not in INTERROGATIVES and first not in AUXILIARIES:
        k = _inner_wh(tokens, k)  # "Beyonce was raised in what religion?"
    wh, aux, head, plural, nxt = "", "", (), False, ""
    if tokens[k] in INTERROGATIVES:
        wh = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if wh == "how" and nxt in ("many", "much"):
            wh = f"how {nxt}"
        elif wh in ("which", "what", "whose") and nxt and nxt not in AUXILIARIES:
            head, plural = _wh_phrase(tokens, k + 1)
        if nxt in AUXILIARIES:
            aux = nxt
            if nxt in ("are", "were") and wh in ("what", "which", "who"):
                head, _ = _subject_plural(tokens, k + 2)
                plural = True
            elif wh in ("what", "which", "who"):
                head, plural = _subject_plural(tokens, k + 2)
                plural = plural and nxt not in ("is", "was", "does", "has")
    elif first in AUXILIARIES:
        aux = first
    summary = (first in SUMMARY_VERBS or any(t in SUMMARY_NOUNS for t in tokens)
               or asks_about(tokens, k, wh)
               or (tokens[-1] == "about" and wh == "what")
               or (wh == "what" and aux in ("do", "does", "did") and tokens[-1] in REPORTING_VERBS))
    if wh == "how many":
        ask = "count"
    elif aux and not wh:
        ask = "yesno"
    elif superlative or (comparative and wh in ("which", "what", "who")):
        ask = "compare"
    elif summary:
        ask = "summary"
    elif wh == "why" or (wh == "how" and aux):
        ask = "reason"
    elif first in LIST_VERBS or plural:
        ask = "list"
    else:
        ask = "fact"
    return Question(ask=ask, wh=wh, aux=aux, head=head, plural=plural,
                    expects=expected(wh, head, nxt), **base)


def ground(question: Question, evidence: Sequence[Evidence]) -> Question:
    """The question with its readings of the retrieved table rows (which rows it names by
    label, which columns by header, which rows by a value)."""
    from qa.answer.tables import read_rows

    return replace(question, rows=tuple(read_rows(question, evidence)))


# Words that join noun phrases ("Lusk and Oldroyd") or end one without starting another.
_JOINS = _closed("and or but nor")
PRONOUNS = _closed("it its they them their he him his she her this that these those")
_PHRASE_WORD = re.compile(r"[\w£$€][\w'’&.-]*|[^\w\s]")


@dataclass(frozen=True)
class Mention:
    """A noun phrase a question names: a name ("Tindfjell Observatory") or a phrase led by
    an article ("the summit road"); `named` when it holds a capitalised name, `plural` when
    its last word is plural or it joins two phrases by "and"."""

    text: str
    named: bool
    plural: bool


def _capital(word: str) -> bool:
    return word[:1].isupper()


def mentions(text: str) -> tuple[Mention, ...]:
    """The noun phrases the question names, outside its wh-phrase when it names another,
    in order; phrases joined by "of" are one ("the restoration of Calder Fell Observatory").

    With no tagger the phrase ends where the closed classes say (an auxiliary, preposition,
    interrogative, determiner, join or punctuation), a name at its first lower-case word
    (unless after a possessive: "Halvorsen's auroral station"), and the last word of the
    phrase right after the auxiliary is its verb when the clause has one there ("When did
    the road open?", "When was the trust formed?": do-support and the passive put the verb
    after the subject; a participle is told from a noun by lemminflect's dictionary)."""
    q = analyze(text, split=False)
    toks = _PHRASE_WORD.findall(text)
    low = [t.lower() for t in toks]
    stop = AUXILIARIES | PREPOSITIONS | DETERMINERS | _JOINS | PRONOUNS | set(INTERROGATIVES)
    aux_at = next((i for i, t in enumerate(low) if t in AUXILIARIES), -1)
    # "What is X?", "Who was X?": the phrase after the auxiliary is all of the predicate
    copula = aux_at > 0 and low[aux_at - 1] in ("what", "which", "who") and q.aux not in (
        "do", "does", "did")
    spans: list[tuple[int, int]] = []
    i = 1  # the first word is capitalised as the question's first, not as a name
    while i < len(toks):
        t = toks[i]
        led = low[i] in ("the", "a", "an", "each", "every")
        if not (led or (_capital(t) and low[i] not in stop and t[0].isalpha())):
            i += 1
            continue
        j = i + 1
        possessive = t.endswith(("'s", "’s"))
        while j < len(toks) and re.match(r"[\w£$€]", toks[j]) and low[j] not in stop:
            if not led and not possessive and not _capital(toks[j]):
                break
            possessive = possessive or toks[j].endswith(("'s", "’s"))
            j += 1
        # "the University of Harrowgate", "Maclaren & Sons": a name goes on over "of"
        spans.append((i, j))
        i = j
    # the verb after a subject the auxiliary opens ("did the road open", "was it formed")
    # the wh-phrase ("What is the income of X", "Which firm ..."), not the subject of a
    # do-support clause ("What did X record?")
    head = set(q.head) if q.aux not in ("do", "does", "did") else set()
    kept: list[tuple[int, int, bool]] = []  # (start, end, whether it is the wh-phrase)
    for a, b in spans:
        content = [k for k in range(a, b) if low[k] not in DETERMINERS]
        ends = b == len(toks) or not re.match(r"\w", toks[b]) or (
            low[b] in PREPOSITIONS and low[b] != "of")
        # do-support puts the bare verb last ("did the road open"); "be" and "have" a
        # participle ("was the trust formed"), not a noun ("are the summit roads")
        verb = q.aux in ("do", "does", "did") or inflected_verb(low[b - 1])
        if a == aux_at + 1 and not copula and len(content) >= 2 and ends and verb \
                and not _capital(toks[b - 1]):
            b -= 1  # the verb, and the adverbs before it ("formally opened")
            while b - 1 > a and low[b - 1].endswith("ly"):
                b -= 1
        body = [low[k] for k in range(a, b) if low[k] not in DETERMINERS]
        if body:
            kept.append((a, b, set(body) <= head))
    if any(not asked for *_, asked in kept):
        kept = [k for k in kept if not k[2]]
    # phrases joined by "of" ("the restoration of Calder Fell Observatory") or by "and"
    merged: list[tuple[int, int, bool]] = []
    for a, b, _ in kept:
        if merged and merged[-1][1] + 1 == a and low[merged[-1][1]] in ("of", "and"):
            pa, _, pl = merged[-1]
            merged[-1] = (pa, b, pl or low[a - 1] == "and")
        else:
            merged.append((a, b, False))
    found = []
    for a, b, joined in merged:
        phrase = " ".join(toks[a:b])
        last = re.sub(r"['’]s$", "", low[b - 1])
        found.append(Mention(phrase, any(_capital(toks[k]) for k in range(a, b)),
                             joined or _plural_word(last)))
    return tuple(found)
