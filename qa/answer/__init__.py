"""Answers with numbered citations, composed from retrieved evidence, or an abstention.

The types every stage shares are in `qa.answer.types`; `compose` is the entry point.
"""

from qa.answer.legacy import FRAME_WORDS, NOT_COVERED, compose, not_covered
from qa.answer.types import (
    Answer,
    Candidate,
    Citation,
    Claim,
    CorpusView,
    Delta,
    Derivation,
    Dropped,
    Evidence,
    Final,
    Operand,
    Strategy,
)

__all__ = ["FRAME_WORDS", "NOT_COVERED", "Answer", "Candidate", "Citation", "Claim",
           "CorpusView", "Delta", "Derivation", "Dropped", "Evidence", "Final", "Operand", "Strategy", "compose",
           "not_covered"]
