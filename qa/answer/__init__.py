"""The answer engine: cited answers composed from retrieved evidence, or an abstention.

`answer` (`qa.answer.engine`) is the entry point; the stages are `question` (what is
asked), `strategies` (candidate answers), `rank` (one fitted score), `support` (whether a
claim is supported by its chunk) and `cite` (numbered citations). The types every stage
shares are in `qa.answer.types`.
"""

from qa.answer.engine import NOT_COVERED, answer
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

__all__ = ["NOT_COVERED", "Answer", "Candidate", "Citation", "Claim", "CorpusView", "Delta",
           "Derivation", "Dropped", "Evidence", "Final", "Operand", "Strategy", "answer"]
