"""The support check's fit (scripts/fit_support.py): synthetic unanswerable questions are
fitted against the answerable questions they were made from, and every probe set is dumped
against the corpus it is asked of."""

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import numpy as np
from fit_support import PROBE_CORPORA, all_sets, paired


def test_synthetic_claims_are_negatives_against_the_right_claims_of_their_sources() -> None:
    made = SimpleNamespace(rows=[{"id": "syn-name-q1", "answerable": False},
                                 {"id": "syn-negation-close-q2", "answerable": False},
                                 {"id": "close-q3", "answerable": True}])
    base = SimpleNamespace(rows=[{"id": "q1"}, {"id": "q2"}, {"id": "q3"}])
    # (X, y, question index, source, calibration?) as `feature_table` gives them
    made_table = (np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([0, 0, 0, 1]),
                  np.array([0, 0, 1, 2]), np.array(["engine", "part", "best", "engine"]),
                  np.ones(4, bool))
    base_table = (np.array([[10.0], [11.0], [12.0], [13.0]]), np.array([1, -1, 1, 1]),
                  np.array([0, 0, 1, 2]), np.array(["engine"] * 4), np.ones(4, bool))
    X, y = paired(made, base, made_table, base_table)
    # the unanswerable made questions' claims but a candidate's later part (not the
    # answerable sentence question's); the sources' right claims (not q1's wrong one, not
    # q3's: no unanswerable question was made from it)
    assert X[:, 0].tolist() == [1.0, 3.0, 10.0, 12.0]
    assert y.tolist() == [0, 0, 1, 1]


def test_each_probe_set_over_the_reports_is_dumped_against_the_reports() -> None:
    sets = all_sets()
    for name in ("engine_report", "verdicts_report"):
        assert sets[f"probes/{name}"][1] == PROBE_CORPORA[name]
        assert PROBE_CORPORA[name].name == "reports"
