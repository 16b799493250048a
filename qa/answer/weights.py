"""Every weight and threshold the answer engine decides by, with what it trades off.

Each section names the script that fits it on the development sets and prints the figures
that justify it; change a value by re-running that script, not by hand.
"""

from __future__ import annotations

# --- Support check (qa.answer.support) -------------------------------------------------
# A logistic model over `support.Features`: P(claim answers the question from its chunk)
# = sigmoid(SUPPORT_BIAS + sum of weight * feature). Fitted by `scripts/fit_support.py`
# (the section between the markers below is written by it with --write).
# <support-weights>
SUPPORT_BIAS = -2.3931
# per feature of `support.Features`; 0 where the fit found no use for it
SUPPORT_WEIGHTS = {
    "claim_sim": 1.2586,
    "chunk_sim": 2.8646,
    "sim_margin": 1.0555,
    "claim_recall": 1.2183,
    "chunk_recall": 0.0000,
    "missing_top": 0.0000,
    "claim_missing_top": -2.1523,
    "pair_share": 0.0000,
    "unknown_words": 0.0000,
    "unknown_names": -5.0852,
    "absent_names": -1.0738,
    "claim_names": -0.5672,
    "number_gap": -4.0158,
    "negation_gap": -5.5535,
    "rank": 0.9476,
    "dense": 2.2393,
    "scoped": 1.6630,
}
# Below it a claim is refused. Higher abstains more on unanswerable questions and
# more on answerable ones: the highest at which every calibration part stays
# within its false abstention (SQuAD 0.05, the analysis 0.03).
SUPPORT_THRESHOLD = 0.10
# The same for a question asked of one document (the reader chose it): the
# highest at which TAT-QA's false abstention stays within 0.014 (the first
# answerer's) and the analysis's, scoped to it, within 0.03.
SUPPORT_THRESHOLD_SCOPED = 0.02
# </support-weights>
