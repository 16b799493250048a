"""Follow-up questions made standalone from the conversation before retrieval.

"And for the military aspect?" after "What is the regional impact of the economic
aspect?" becomes "What is the Regional Impact of the Military aspect?": the table row or
column the new question names replaces the one in the earlier question. Over prose, a
pronoun stands for what the earlier question is about: "What was its magnitude?" after "How
many people died in the Sichuan earthquake?" becomes "What was the Sichuan earthquake's
magnitude?". A follow-up that names neither is searched together with the earlier question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qa.answer.question import (AUXILIARIES, ORDINALS, PREPOSITIONS, PRONOUNS, Mention,
                                analyze, mentions)
from qa.chunk import Chunk
from qa.text.tokens import tokenize, words

_FOLLOWUP_START = re.compile(
    r"^\s*(and|also|then|so|what about|how about|what of|same for|as for)\b", re.IGNORECASE)
_REFERENCE = re.compile(r"\b(it|its|they|them|their|this|that|these|those|there|same)\b", re.IGNORECASE)


# A question of asking words alone ("Why?", "By how much?", "Since when?", "How many?").
_WH_FRAGMENT = re.compile(
    r"^\s*((?:(?:by|since|until|from|for|to|in|at)\s+)?(?:why|when|where|how(?:\s+(?:much|many|"
    r"long|often|far|fast|so))?|what\s+for))\s*\?*\s*$", re.IGNORECASE)


# A pronoun that can stand for a whole cell (not a possessive: "its goal" names a column).
_CELL_REF = re.compile(r"\b(it|that|this)\b", re.IGNORECASE)
# "Which one ...?", "What ones ...?": a pronoun for the things the earlier question asked.
_ONE = re.compile(r"^\s*(?:and\s+)?(?:which|what)\s+(ones?)\b", re.IGNORECASE)


def _singular(phrase: tuple[str, ...]) -> str:
    """A wh-phrase with its last word in the singular ("focus areas" -> "focus area")."""
    *rest, last = phrase
    if last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return " ".join([*rest, last])


@dataclass(frozen=True)
class TableRow:
    """What a follow-up can name of a table row: its label, its label column, its columns."""

    label: str
    label_column: str
    columns: tuple[str, ...]


def table_rows(chunks: tuple[Chunk, ...] | list[Chunk]) -> list[TableRow]:
    """The distinct table rows of an index, as follow-ups can name them."""
    seen: dict[tuple[str, str, tuple[str, ...]], TableRow] = {}
    for c in chunks:
        if c.kind != "table_row" or not c.cells:
            continue
        at = next((j for j, v in enumerate(c.cells) if v), 0)
        columns = tuple(h for j, h in enumerate(c.header) if j != at and h)
        row = TableRow(c.cells[at], c.header[at] if at < len(c.header) else "", columns)
        seen.setdefault((row.label, row.label_column, columns), row)
    return list(seen.values())


def is_followup(question: str) -> bool:
    """True when the question leans on an earlier turn ("And for ...?", "What about X?",
    "What outcome is expected from it?") or is too short to stand alone."""
    return bool(_FOLLOWUP_START.search(question) or _REFERENCE.search(question)
                or len(tokenize(question)) <= 1)


def _named(tokens: set[str], phrase: str) -> int:
    """How many words the question shares with the phrase, if it holds all of them; else 0."""
    words = set(tokenize(phrase))
    return len(words) if words and words <= tokens else 0


def _row(tokens: set[str], rows: list[TableRow], column: str | None) -> TableRow | None:
    named = [(r, _named(tokens, r.label)) for r in rows]
    named = [(r, n) for r, n in named if n]
    if column:  # two tables may share a row label: the column decides
        named = [(r, n) for r, n in named if column in r.columns] or named
    return max(named, key=lambda rn: rn[1])[0] if named else None


def _column(tokens: set[str], rows: list[TableRow], partial: bool = False) -> str | None:
    """The column the words name (all of its words; or, for a follow-up, some of them when
    no other column shares as many: "in the short term", "in the long run")."""
    names = {c for r in rows for c in r.columns}
    scored = [(c, _named(tokens, c)) for c in names]
    scored = [(c, n) for c, n in scored if n]
    if not scored and partial:
        shared = [(c, len(set(tokenize(c)) & tokens)) for c in names]
        best = max((n for _, n in shared), default=0)
        top = [c for c, n in shared if n == best]
        return top[0] if best and len(top) == 1 else None
    return max(scored, key=lambda cn: (cn[1], len(cn[0])))[0] if scored else None


def _qualified(question: str, label_column: str) -> bool:
    """Whether the question qualifies the label column's name with a word of its own ("the
    cultural aspect": another row), not a determiner ("that aspect": the earlier row)."""
    tokens = words(question)
    name = words(label_column)
    for i in range(1, len(tokens) - len(name) + 1):
        if tokens[i:i + len(name)] == name:
            return bool(tokenize(tokens[i - 1]))
    return False


Reply = str | Callable[[], str]

# Pronouns by what they can stand for: a person, one thing, several; and the possessive ones
# ("her" is possessive before a word of the noun phrase: "her successor", not "succeeded her").
_PERSONAL = frozenset("he him his she her".split())
_PLURAL = frozenset("they them their these those".split())
_POSSESSIVE = frozenset("its their his".split())
_DEMONSTRATIVE = frozenset("this that these those".split())
_PRONOUN = re.compile(rf"\b({'|'.join(sorted(PRONOUNS))})\b", re.IGNORECASE)
_BE = frozenset("is are was were".split())


def _ends_phrase(rest: str) -> bool:
    """Whether the text after a word ends its noun phrase there (punctuation, the end, an
    auxiliary or a preposition): "that" before "?" is a pronoun, before "year" a determiner."""
    nxt = words(rest)[:1]
    return not nxt or not re.match(r"\s*\w", rest) or nxt[0] in AUXILIARIES \
        or nxt[0] in PREPOSITIONS


def _pool(word: str, found: tuple[Mention, ...]) -> list[Mention]:
    """The mentions a pronoun can stand for: a person's by a name, "they" by a plural."""
    if word in _PERSONAL:
        return [f for f in found if f.named and not f.plural]
    if word in _PLURAL:
        return [f for f in found if f.plural]
    return [f for f in found if not f.plural]


def refer(question: str, earlier: str, before: tuple[str, ...] = ()) -> str | None:
    """The question with each pronoun replaced by what the earlier question is about (its
    `mentions`: a name first, else the last phrase; "they" only by a plural one; when it
    mentions none, what the questions `before` it, newest first, mention), or None when a
    pronoun stands for something no earlier question names: the earlier one's answer
    ("Where had he settled?" after "Who designed the buildings?") or nothing mentioned."""
    asked = analyze(earlier, split=False)
    found = mentions(earlier)
    # "Who designed X?", "Who was the first director?": he or she is the person found;
    # "Who was Anders Brekke?" asks about the person it names
    said = re.findall(r"[\w'’]+", earlier)
    after_aux = next((w for v, w in zip(said, said[1:]) if v.lower() == asked.aux), "")
    about_name = asked.aux in _BE and after_aux[:1].isupper()
    answer_is_person = asked.wh in ("who", "whom") and not about_name
    out, at = [], 0
    for m in _PRONOUN.finditer(question):
        word = m.group(1).lower()
        rest = question[m.end():]
        possessive = word in _POSSESSIVE or (word == "her" and not _ends_phrase(rest))
        if word in _DEMONSTRATIVE and not _ends_phrase(rest):
            continue  # "that year": a determiner
        if word in _PERSONAL or word in ("they", "them", "their"):
            if answer_is_person:
                return None
        pool = _pool(word, found)
        for older in before if not pool else ():
            pool = _pool(word, mentions(older))
            if pool:
                break
        named = [f for f in pool if f.named]
        pick = named[0] if named else pool[-1] if pool else None
        if pick is None:
            return None
        text = pick.text
        if possessive:
            text += "'" if text.endswith("s") else "'s"
        out += [question[at:m.start()], text]
        at = m.end()
    if not out:
        return None
    resolved = "".join(out) + question[at:]
    return resolved[0].upper() + resolved[1:]

# "the first one", "the second item", "the last": an item of the reply before, by its place
# ("the first priority" names a priority, not an item).
_ORDINAL_REF = re.compile(rf"\bthe ({'|'.join(ORDINALS)}|last)(?:\s+(?:one|item))?"
                          r"(?=\s*(?:[?.!,;]|$)|\s+(?:of|in|on|for|from|and|or|to|mean|do|does|"
                          r"is|was)\b)", re.IGNORECASE)


def listed(reply: str) -> list[str]:
    """The items a reply lists ("A include: X; Y; Z. [1]" or "X [1]; Y [2]"), in order;
    none for a reply of one claim."""
    text = re.sub(r"\s*\[\d+\]", "", reply).strip()
    parts = [p.strip() for p in text.split("; ")]
    if len(parts) < 2:
        return []
    parts[0] = parts[0].rsplit(": ", 1)[-1]  # the lead ("... include: ") is no item
    parts[-1] = parts[-1].rstrip(".")
    return [p for p in parts if p]


def _pick(question: str, reply: str) -> str | None:
    """The question with "the first one" replaced by the reply's first item, or None when
    it names no item by its place or the reply lists none there."""
    m = _ORDINAL_REF.search(question)
    items = listed(reply) if m and reply else []
    place = m.group(1).lower() if m else ""
    at = -1 if place == "last" else ORDINALS.index(place) if place else 0
    if not items or at >= len(items):
        return None
    return question[:m.start()] + items[at] + question[m.end():]


def resolve(question: str, earlier: str, rows: list[TableRow], reply: Reply = "",
            before: tuple[str, ...] = ()) -> str:
    """The question made standalone in the light of the (already standalone) earlier one
    and the reply to it (which may name the row a reverse look-up found). The reply may be
    a function that answers the earlier question: it is called only when the earlier
    question names no row of a table the index holds. `before` holds the standalone
    questions before the earlier one, newest first (what else a pronoun may stand for)."""
    one = _ONE.search(question)
    head = analyze(earlier).head if one else ()
    if one and head:
        # "Which one starts last?" after "What programs did the board approve?": the
        # pronoun stands for the earlier question's wh-phrase ("Which program starts last?")
        noun = " ".join(head) if one.group(1).lower() == "ones" else _singular(head)
        return f"{question[:one.start(1)]}{noun}{question[one.end(1):]}"
    if _ORDINAL_REF.search(question):  # the reply is read (or given again) only then
        picked = _pick(question, reply() if callable(reply) else reply)
        if picked is not None:
            return picked
    asked = _WH_FRAGMENT.match(question)
    if asked and words(earlier)[:1] and words(earlier)[0] in AUXILIARIES:  # a yes/no question
        # "By how much?" after "Did ridership grow in 2023?": the asking words put before
        # the earlier question make the question it leaves open
        return f"{asked.group(1)} {earlier.strip()[0].lower()}{earlier.strip()[1:]}"
    q, e = set(tokenize(question)), set(tokenize(earlier))
    cue = is_followup(question)
    q_col = _column(q, rows, partial=cue)
    e_col = _column(e, rows)
    q_row = _row(q, rows, q_col or e_col)
    e_row = _row(e, rows, e_col)
    if e_row is None and rows and not (q_row and q_col):
        e_row = _row(set(tokenize(reply() if callable(reply) else reply)), rows, None)
    # Words beyond the row or column it names make a question new, not a follow-up.
    named = set()
    for phrase in (q_col or "", q_row.label if q_row else "", q_row.label_column if q_row else ""):
        named |= set(tokenize(phrase))
    rest = q - named
    incomplete = len(rest) <= 1 or (cue and len(rest) <= 2)
    if q_row and q_col:
        return question
    if e_row and not q_row and (label := set(tokenize(e_row.label_column))) and label <= rest \
            and _qualified(question, e_row.label_column):
        return question  # "... of the cultural aspect": a row the table may not have
    ref = _CELL_REF.search(question)
    if ref and e_row:  # "that aspect", "this year": a determiner of what the table names
        after = set(tokenize(" ".join(question[ref.end():].split()[:1])))
        ref = None if after & set(tokenize(" ".join([e_row.label_column, *e_row.columns]))) \
            else ref
    if ref and rest and q_col and not q_row and e_row and e_col and e_col != q_col \
            and q_col in e_row.columns:
        # "How does that compare with 2018?" after "What was net income in 2019?": the
        # pronoun stands for the cell asked before, which the question sets beside another
        cell = f"the {e_col} of the {e_row.label} {e_row.label_column}".rstrip()
        return f"{question[:ref.start()]}{cell}{question[ref.end():]}"
    if incomplete and q_row and e_col and e_col in q_row.columns:
        return f"What is the {e_col} of the {q_row.label} {q_row.label_column}?".replace(" ?", "?")
    if incomplete and q_col and e_row and q_col in e_row.columns:
        return f"What is the {q_col} of the {e_row.label} {e_row.label_column}?".replace(" ?", "?")
    if cue and e_row and e_col and not (q_col or q_row) and rest and len(rest) <= 2:
        # "And what does it lead to?": the same row, something other than the column
        # asked before (which the earlier question would bring back)
        return f"{question} ({e_row.label} {e_row.label_column})"
    if e_row is None and not (q_row or q_col) \
            and (referred := refer(question, earlier, before)) is not None:
        return referred  # "What was its magnitude?": the pronoun for what was asked about
    if cue and len(rest) <= 2:
        return f"{question} {earlier}"
    return question


def standalone(question: str, history: list[tuple[str, str]], rows: list[TableRow],
               reply_to: Callable[[str], str] | None = None) -> str:
    """The question made standalone given earlier (role, content) turns, oldest first.

    When a later question needs the row an earlier answer named, as after a reverse look-up
    ("Which area ...?" then "What measure does it recommend?"), and the history gives no
    reply naming a row (a client that sends only the questions, or an LLM reply that names
    none), the earlier question is answered again by `reply_to(the standalone question)`.
    """
    turns: list[tuple[str, str]] = []  # (user question, the reply to it)
    for role, content in history:
        if role == "user" and content.strip():
            turns.append((content, ""))
        elif role == "assistant" and turns:
            turns[-1] = (turns[-1][0], content)
    if not turns:
        return question

    def reply_for(context: str, given: str) -> Reply:
        if reply_to is None:
            return given
        return lambda: given if _row(set(tokenize(given)), rows, None) else reply_to(context)

    context, reply = turns[0]
    before: tuple[str, ...] = ()
    for q, r in turns[1:]:
        context, reply, before = (resolve(q, context, rows, reply_for(context, reply), before),
                                  r, (context, *before))
    return resolve(question, context, rows, reply_for(context, reply), before)
