"""The strategies that propose candidate answers, one registry: the engine asks each in
turn and never branches on the kind. Adding one is one line here (an object with a
`name` and `propose(question, evidence, corpus)`; a module-level function plugs in with
`Plugged`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qa.answer.strategies.cells import NamedRows, OrdinalRow, ReverseLookup, TableCell
from qa.answer.strategies.sections import SectionSummary
from qa.answer.strategies.sentences import BestSentence, SeveralSentences
from qa.answer.strategies.table import Extremes, WholeTable
from qa.answer.strategies.yesno import YesNo
from qa.answer.types import Candidate, CorpusView, Evidence, Strategy


@dataclass(frozen=True)
class Plugged:
    """A strategy given as a function (e.g. `qa.answer.arithmetic.propose`)."""

    name: str
    propose: Callable[[Any, Sequence[Evidence], CorpusView], list[Candidate]]


STRATEGIES: tuple[Strategy, ...] = (
    TableCell(), NamedRows(), ReverseLookup(), OrdinalRow(), WholeTable(), Extremes(),
    BestSentence(), SeveralSentences(), SectionSummary(), YesNo(),
    # Plugged("arithmetic", arithmetic.propose),  # issue 10 (qa/answer/arithmetic.py)
)

__all__ = ["STRATEGIES", "Plugged"]
