"""Citations: chunks numbered in order of first use, `[n]` after each claim, the cells a
claim quotes (or a computation used) highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from qa.answer.types import Answer, Candidate, Citation, Claim

_END = (".", "!", "?", "…")


def claims_text(claims: Sequence[Claim], numbers: dict[str, int], preface: str = "") -> str:
    """The claims with their markers: sentences joined by a space, fragments (table cells,
    list labels) by semicolons."""
    sentences = len(claims) == 1 or all(c.text.rstrip().endswith(_END) for c in claims)
    joiner = " " if sentences else "; "
    body = joiner.join(
        c.text.rstrip() if sentences and i + 1 < len(claims) and runs_on(c, claims[i + 1])
        else f"{c.text.rstrip()} [{numbers[c.chunk.id]}]" for i, c in enumerate(claims))
    return f"{preface} {body}" if preface else body


def runs_on(claim: Claim, after: Claim) -> bool:
    """Whether the next claim is the sentence that follows this one in the same passage:
    the two read as one quotation, cited once after both (a marker between them would
    stand inside the passage's own text)."""
    if claim.chunk.id != after.chunk.id or claim.chunk.kind != "passage":
        return False
    text = claim.chunk.text
    first, second = claim.text.rstrip(), after.text.rstrip()
    at = text.find(first)
    return at >= 0 and text[at + len(first):].lstrip().startswith(second)


def cite(replies: Sequence[Candidate | str], version: str, question: str,
         notes: Sequence[str] = ()) -> Answer:
    """One answer from the chosen candidates (one per part of the question) and plain
    sentences that cite nothing (a part the documents do not cover)."""
    numbers: dict[str, int] = {}
    cited: dict[str, tuple[Claim, set[int]]] = {}
    texts = []
    for reply in replies:
        if isinstance(reply, str):
            texts.append(reply)
            continue
        for cl in reply.claims:
            if cl.chunk.id not in numbers:
                numbers[cl.chunk.id] = len(numbers) + 1
                cited[cl.chunk.id] = (cl, set())
            cited[cl.chunk.id][1].update(cl.highlight)
        if reply.derivation is not None:  # the cells a computation read
            for o in reply.derivation.operands:
                if o.cell is not None and o.chunk.id in cited:
                    cited[o.chunk.id][1].add(o.cell)
        texts.append(claims_text(reply.claims, numbers, reply.preface))
    citations = tuple(Citation(numbers[cid], cl.chunk, cl.score, tuple(sorted(cells)))
                      for cid, (cl, cells) in cited.items())
    grounded = bool(citations)
    computed = [r for r in replies if isinstance(r, Candidate) and r.value is not None]
    return Answer(" ".join(texts), grounded, citations, version, question,
                  value=computed[0].value if len(computed) == 1 and len(replies) == 1 else None,
                  derivation=computed[0].derivation if len(computed) == 1 and len(replies) == 1
                  else None, notes=tuple(notes))
