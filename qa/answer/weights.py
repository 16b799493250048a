"""The fitted numbers that decide answers, named, each with what it trades off, in one
place. Each section belongs to one stage and is written by the script that fits it."""

# --- Support check (qa.answer.support) -------------------------------------------------
# A logistic model over `support.Features`: P(claim answers the question from its chunk)
# = sigmoid(SUPPORT_BIAS + sum of weight * feature). Fitted by `scripts/fit_support.py`
# (the section between the markers below is written by it with --write).
# <support-weights>
SUPPORT_BIAS = -3.9773
# per feature of `support.Features`; 0 where the fit found no use for it
SUPPORT_WEIGHTS = {
    "claim_sim": 3.7502,
    "chunk_sim": 0.0000,
    "sim_margin": 1.4028,
    "claim_recall": 0.7998,
    "chunk_recall": 0.0000,
    "missing_top": 0.0000,
    "claim_missing_top": 0.0000,
    "pair_share": 0.0000,
    "unknown_words": 0.0000,
    "unknown_names": -4.0779,
    "absent_names": -0.5516,
    "claim_names": -0.2276,
    "number_gap": -1.9942,
    "negation_gap": -3.7593,
    "rank": 2.6942,
    "dense": 0.0000,
    "scoped": 0.1401,
    "sentence_gain": 0.0000,
    "best_unit_recall": 0.0000,
    "plain_missing": -0.6572,
    "names_off_claim": -0.1523,
    "numbers_off_chunk": -0.5971,
    "type_gap": -0.9334,
    "claim_negated": -0.3096,
    "novel": 0.6762,
    "number_other": 0.0000,
    "near_miss": 0.0000,
    "names_near_miss": 0.0000,
}
# Below it a claim is refused. Higher abstains more on unanswerable questions and
# more on answerable ones (the engine then answers from a lower-ranked candidate
# or abstains): the highest at which the calibration parts stay within their
# bound (SQuAD 0.05; the analysis and the probes, pooled, 0.03) both in false
# abstention and in the answer accuracy the check costs.
SUPPORT_THRESHOLD = 0.39
# The same for a question asked of one document (the reader chose it): the
# highest at which TAT-QA's false abstention and accuracy cost stay within 0.010
# and the analysis's, scoped to it, within 0.03.
SUPPORT_THRESHOLD_SCOPED = 0.25
# </support-weights>


# --- ranker: scripts/fit_ranker.py ------------------------------------------------------
# Weights of the candidate ranker (`qa.answer.rank`): a candidate's score is the sum of
# its features (`qa.answer.features` and the strategies' own) times these weights; a
# feature without a weight counts 0. Fitted by `scripts/fit_ranker.py fit --write` as a
# conditional logit (one softmax over the candidates of a question; positive: the
# candidate holds the gold answer), L2-penalised, on the calibration parts (seed_dev 10,
# tatqa_dev 601, squad_train 918, engine_analysis 27, engine_report 19, support 48
# questions); the script prints top-1 figures per set, calibration and held-out.
# Positive weights favour a candidate. The first two (table strategies) were fitted alone
# with the others held (`fit --only head_other total_named`). A full refit on the merged
# code (chunker 12) left calibration top-1 as it was and lowered TAT-QA's held-out part
# (0.872 -> 0.866 of all): not written. `ordinal` has no weight: 2 calibration questions.
# A refit with the parts of multi-part questions in the training data (`part_items`) won
# engine_analysis's calibration part (in-process concise 0.921 -> 0.947) and lost 2 of
# squad_train's 1,800 held-out questions (a second sentence no longer added) and 1 of
# TAT-QA's 539: not written (a held-out drop beyond one question).
RANKER: dict[str, float] = {
    'total_named': 1.329,               # the question names the total row of the items listed
    'head_other': -0.724,               # the asked-for noun is a noun other than a period …
    'dense_chunk': -3.227,              # a sentence's similarity minus that of its passage as a …
    'head_period': 2.928,               # the asked-for noun is a period (years) and the columns …
    'label_match': 2.823,               # share of the row's label the question holds
    'column_match': 2.677,              # share of the named column's header the question holds
    'expects=date&date': 2.444,         # a question asking a date (when, what year) and a claim …
    'sentence&dense': 1.836,            # the question's similarity to the unit the claim quotes
    'dense': 1.806,                     # the question's similarity to the unit the claim quotes
    'dense_gap': 1.806,                 # that similarity minus the best of any retrieved unit
    'overlap_chunk': 1.745,             # share of the question's words the claim's chunk holds
    'plural&claims': 1.565,             # claims / 5 when the question asks for something plural
    'head_label_header': 1.514,         # the asked-for noun matches the table's label column
    'group_named': 1.492,               # the question names the row group listed
    'footnote': 1.447,                  # the sentence is the footnote of a row or column the …
    'rank:dense': 1.446,                # 1 / (1 + how many candidates' units are more similar to …
    'years_match': 1.373,               # share of the question's years the claim (or its …
    's=cell': -1.345,
    'q_table': 1.327,                   # the question names the table
    'wh=who&row': 1.307,
    'retrieval': 1.285,                 # the claim's chunk's retrieval score, relative to the best
    'wh=whom&number': -1.281,
    'mixed:retrieval': -1.2,            # the claim's chunk's retrieval score, relative to the best
    'wh=which&row': 1.2,
    'sentence&overlap': 1.126,          # share of the question's words (by rarity) the claim holds
    'expects=person&name': 1.124,       # a question asking who and a claim with a name it does …
    'table:items&overlap': -1.054,      # share of the question's words (by rarity) the claim holds
    'top:pairs': 1.043,                 # the claim holds the most of the question's word pairs …
    'expects=number&number': 1.038,     # a question asking a number (how many, how long) and a …
    'wh=who&name': 1.024,
    'ask=list&s=table': 1.011,
    'overlap': 1.007,                   # share of the question's words (by rarity) the claim holds
    'ask=fact&s=cell': -1.0,
    'pairs_near': 0.969,                # share of the question's word pairs the claim and the …
    'label_words': -0.966,              # how many label words the question holds / 4
    'ask=summary&number': -0.963,
    'novel': 0.916,                     # share of the claim's words the question lacks
    'mixed:overlap_start': 0.914,       # share of the question's words in the claim's first words
    'rows&dense': -0.906,               # the question's similarity to the unit the claim quotes
    'ask=summary&s=sentences': 0.896,
    'wh=-&row': -0.88,
    'wh=how much&row': -0.855,
    'ask=list&s=sentence': -0.838,
    'wh=which&name': 0.822,
    'extreme:rows&dense': 0.756,        # the question's similarity to the unit the claim quotes
    'ask=reason&s=cell': 0.749,
    'mixed:dense': 0.741,               # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 0.741,           # that similarity minus the best of any retrieved unit
    'ask=yesno&s=yesno': 0.74,
    's=yesno': 0.74,
    'mixed:overlap_chunk': 0.738,       # share of the question's words the claim's chunk holds
    'sentence&retrieval': 0.705,        # the claim's chunk's retrieval score, relative to the best
    'overlap_near': 0.704,              # share of the question's words the claim and the …
    'mixed:first_rank': -0.686,         # 1 / (1 + the claim's chunk's place in retrieval)
    'ask=count&s=sentence': 0.684,
    'wh=how many&row': -0.684,
    'columns_named': 0.669,             # the question names a column
    'mixed:overlap': -0.662,            # share of the question's words (by rarity) the claim holds
    's=table': 0.651,
    'cell&retrieval': 0.634,            # the claim's chunk's retrieval score, relative to the best
    'wh=where&date': 0.634,
    's=table:items': 0.633,
    'rank:overlap_near': 0.624,         # 1 / (1 + how many hold more with their sentence before)
    'head': 0.621,                      # share of the wh-phrase's words ("which singer": sing) …
    'stated': 0.615,                    # share of the question's words the yes/no sentence states
    'expects=place&name': 0.611,        # a question asking where and a claim with a name it does …
    'wh=where&name': 0.611,
    'wh=how much&number': 0.609,
    'rank:pairs': -0.604,               # 1 / (1 + how many candidates hold more of the …
    'wh=how many&name': -0.604,
    'wh=where&number': -0.603,
    'mixed:pairs': -0.602,              # share of the question's word pairs the claim holds
    'wh=what&date': -0.578,
    'wh=how&row': 0.576,
    'names_match': -0.57,               # share of the question's capitalised names the claim holds
    's=extreme:rows': 0.551,
    'ask=summary&s=table': -0.55,
    'wh=who&date': -0.543,
    'whole_list': 0.543,                # the claim is a whole list, condensed
    'ask=list&s=sentences': -0.534,
    's=sentence': -0.505,
    'wh=what&row': -0.48,
    'cell&dense': -0.478,               # the question's similarity to the unit the claim quotes
    'proximity': 0.475,                 # the most of the question's words (by rarity) within …
    'head_caption': -0.473,             # the asked-for noun matches the caption
    'table:caption&dense': -0.471,      # the question's similarity to the unit the claim quotes
    'ask=yesno&s=sentence': -0.459,
    'first_rank': 0.458,                # 1 / (1 + the claim's chunk's place in retrieval)
    'claims': 0.453,                    # how many claims / 5
    'values': 0.452,                    # how many values were compared / 12
    'wh=-&name': 0.452,
    'yesno:sentence&retrieval': 0.45,   # the claim's chunk's retrieval score, relative to the best
    'value_match': 0.443,               # share of the cell value the question holds (reverse …
    's=yesno:sentence': 0.442,
    'is_item': 0.435,                   # the claim is a list item
    'pairs': -0.429,                    # share of the question's word pairs the claim holds
    's=sentences:top': 0.427,
    'ask=compare&number': -0.422,
    'extreme:rows&retrieval': -0.417,   # the claim's chunk's retrieval score, relative to the best
    'ask=fact&s=reverse': 0.403,
    'wh=which&number': 0.402,
    'table:periods&dense': 0.398,       # the question's similarity to the unit the claim quotes
    'asks_label': -0.395,               # the question names the label column's header
    'periods': 0.378,                   # the row's columns are periods
    'ask=compare&s=cell': -0.377,
    'table:items&overlap_chunk': 0.376, # share of the question's words the claim's chunk holds
    'yesno:sentence&overlap_chunk': 0.374,# share of the question's words the claim's chunk holds
    's=table:periods': 0.37,
    'yesno:sentence&overlap': 0.368,    # share of the question's words (by rarity) the claim holds
    'sentences:top&overlap': -0.365,    # share of the question's words (by rarity) the claim holds
    'table:caption&retrieval': -0.358,  # the claim's chunk's retrieval score, relative to the best
    's=table:caption': -0.351,
    'ask=count&s=rows': -0.345,
    'years_other': -0.342,              # the claim gives a year the question does not ask
    'ask=list&s=rows': 0.336,
    'wh=when&date': 0.336,
    'wh=why&name': -0.336,
    'ask=compare&s=extreme': 0.335,
    's=extreme': 0.335,
    'yesno:sentence&dense': 0.33,       # the question's similarity to the unit the claim quotes
    'mixed:names_match': 0.324,         # share of the question's capitalised names the claim holds
    'extreme:rows&overlap_chunk': 0.316,# share of the question's words the claim's chunk holds
    'ask=fact&s=sentence': 0.308,
    'rows&overlap_chunk': 0.306,        # share of the question's words the claim's chunk holds
    'rows&overlap': 0.303,              # share of the question's words (by rarity) the claim holds
    'table:periods&overlap_chunk': 0.301,# share of the question's words the claim's chunk holds
    'top:dense': -0.295,                # the claim's unit is the question's most similar of all …
    'wh=how&name': -0.293,
    'wh=when&number': 0.292,
    'ask=count&s=cell': -0.29,
    'ask=fact&s=rows': 0.289,
    'cell&overlap_chunk': -0.285,       # share of the question's words the claim's chunk holds
    'sentences:chunk&overlap': 0.284,   # share of the question's words (by rarity) the claim holds
    'ask=reason&s=reverse': -0.28,
    'mixed:years_match': 0.276,         # share of the question's years the claim (or its …
    'chunks': -0.275,                   # how many cited chunks / 5
    's=sentences:chunk': -0.262,
    'wh=how much&date': -0.258,
    'sentences:top&retrieval': 0.257,   # the claim's chunk's retrieval score, relative to the best
    'ask=reason&s=sentences': -0.247,
    'sentences:chunk&overlap_chunk': 0.241,# share of the question's words the claim's chunk holds
    'ask=compare&s=table': 0.239,
    'extreme:columns&retrieval': -0.239,# the claim's chunk's retrieval score, relative to the best
    'wh=-&date': -0.229,
    'wh=what&number': 0.226,
    'wh=which&date': -0.226,
    'sentence:next&overlap': 0.224,     # share of the question's words (by rarity) the claim holds
    'wh=how much&name': -0.221,
    'wh=-&number': -0.217,
    's=extreme:columns': -0.216,
    'rows_named': 0.215,                # how many rows the question names / 4
    'top:overlap_near': 0.215,          # the claim with its sentence before holds the most …
    'sentence:next&retrieval': 0.213,   # the claim's chunk's retrieval score, relative to the best
    's=yesno:reverse': 0.211,
    'yesno:reverse&retrieval': 0.211,   # the claim's chunk's retrieval score, relative to the best
    'chars': 0.208,                     # the claim's length / 400
    'ask=summary&s=cell': -0.202,
    'ask=yesno&s=reverse': -0.199,
    'sentence:next&overlap_chunk': 0.199,# share of the question's words the claim's chunk holds
    'wh=why&row': -0.182,
    'ask=list&number': 0.178,
    'sentence:next&dense': 0.176,       # the question's similarity to the unit the claim quotes
    'overlap_start': 0.173,             # share of the question's words in the claim's first words
    'table:caption&overlap_chunk': -0.173,# share of the question's words the claim's chunk holds
    'wh=whose&number': -0.172,
    'ask=list&s=reverse': 0.167,
    'wh=how&number': -0.167,
    'ask=count&number': -0.163,
    'wh=how many&number': -0.163,
    'wh=when&name': 0.163,
    'sentences:chunk&dense': 0.161,     # the question's similarity to the unit the claim quotes
    'ask=reason&s=sentence': -0.159,
    'wh=whose&date': -0.159,
    'next': 0.157,                      # the sentence with the one after it
    's=sentence:next': 0.157,
    'ask=compare&s=rows': -0.156,
    'items': -0.155,                    # how many items the table answer lists / 12
    'yesno:reverse&overlap': 0.154,     # share of the question's words (by rarity) the claim holds
    'yesno:reverse&overlap_chunk': 0.154,# share of the question's words the claim's chunk holds
    'extreme:columns&dense': -0.147,    # the question's similarity to the unit the claim quotes
    'yesno:reverse&dense': 0.147,       # the question's similarity to the unit the claim quotes
    'pieces': 0.144,                    # how many sentences or items / 5
    'ask=summary&s=reverse': -0.143,
    'wh=how many&date': -0.143,
    'ask=list&s=cell': -0.142,
    'table:periods&retrieval': -0.141,  # the claim's chunk's retrieval score, relative to the best
    'wh=why&number': -0.141,
    'wh=why&date': 0.139,
    'table:items&dense': -0.12,         # the question's similarity to the unit the claim quotes
    'rank:overlap': -0.119,             # 1 / (1 + how many candidates hold more of the …
    'sentences:top&overlap_chunk': -0.116,# share of the question's words the claim's chunk holds
    's=sentences': 0.115,
    'table:items&retrieval': -0.114,    # the claim's chunk's retrieval score, relative to the best
    'wh=who&number': -0.11,
    'table:periods&overlap': -0.106,    # share of the question's words (by rarity) the claim holds
    'dense_before': -0.096,             # the question's similarity to the sentence before the …
    'top:overlap': 0.088,               # the claim holds the most of the question's words of all …
    'head_group': -0.087,               # the asked-for noun matches the row group
    'ask=yesno&s=cell': -0.083,
    'rows&retrieval': 0.083,            # the claim's chunk's retrieval score, relative to the best
    'sentences:chunk&retrieval': -0.077,# the claim's chunk's retrieval score, relative to the best
    'wh=whom&name': 0.075,
    's=yesno:cell:value': 0.066,
    'yesno:cell:value&retrieval': 0.066,# the claim's chunk's retrieval score, relative to the best
    'ask=fact&number': 0.065,
    'ask=reason&s=rows': -0.064,
    's=rows': 0.062,
    'reverse&retrieval': 0.053,         # the claim's chunk's retrieval score, relative to the best
    's=reverse': -0.053,
    'yesno:cell:value&overlap': 0.052,  # share of the question's words (by rarity) the claim holds
    'yesno:cell:value&overlap_chunk': 0.052,# share of the question's words the claim's chunk holds
    's=sentences:one': -0.05,
    'ask=count&s=table': -0.049,
    'yesno:cell:value&dense': 0.048,    # the question's similarity to the unit the claim quotes
    'cell&overlap': 0.045,              # share of the question's words (by rarity) the claim holds
    'ask=compare&s=sentence': -0.042,
    'wh=how&date': -0.042,
    'wh=where&row': -0.042,
    'yesno:cell&overlap': 0.042,        # share of the question's words (by rarity) the claim holds
    'reverse&dense': 0.039,             # the question's similarity to the unit the claim quotes
    'sentences:top&dense': 0.037,       # the question's similarity to the unit the claim quotes
    'extreme:columns&overlap': -0.033,  # share of the question's words (by rarity) the claim holds
    'sentences:one&retrieval': -0.033,  # the claim's chunk's retrieval score, relative to the best
    'ask=reason&number': -0.03,
    'cell:value&retrieval': -0.03,      # the claim's chunk's retrieval score, relative to the best
    's=cell:value': -0.03,
    'reverse&overlap_chunk': -0.027,    # share of the question's words the claim's chunk holds
    'row_named': 0.027,                 # the best share of a row label the question holds
    'yesno:cell&dense': 0.026,          # the question's similarity to the unit the claim quotes
    'yesno:cell&overlap_chunk': 0.025,  # share of the question's words the claim's chunk holds
    'cell:value&overlap': -0.024,       # share of the question's words (by rarity) the claim holds
    'cell:value&overlap_chunk': -0.024, # share of the question's words the claim's chunk holds
    'wh=whose&name': 0.024,
    'yesno:cell&retrieval': 0.024,      # the claim's chunk's retrieval score, relative to the best
    'cell:value&dense': -0.022,         # the question's similarity to the unit the claim quotes
    's=yesno:cell': 0.022,
    'table:caption&overlap': -0.022,    # share of the question's words (by rarity) the claim holds
    'sentence&overlap_chunk': 0.02,     # share of the question's words the claim's chunk holds
    'wh=whom&date': -0.017,
    'denied': 0.015,                    # the verdict is No
    'extreme:rows&overlap': 0.015,      # share of the question's words (by rarity) the claim holds
    'wh=what&name': -0.013,
    'wh=when&row': -0.012,
    'ask=yesno&number': 0.01,
    'extreme:columns&overlap_chunk': 0.006,# share of the question's words the claim's chunk holds
    'sentences:one&dense': -0.004,      # the question's similarity to the unit the claim quotes
    'reverse&overlap': -0.002,          # share of the question's words (by rarity) the claim holds
}
# --- end ranker ---------------------------------------------------------------------------

# --- hedge: scripts/fit_ranker.py (printed with the ranker's figures) --------------------
# When the first candidate is a sentence whose probability among all candidates (softmax
# of the ranker's scores) is below HEDGE, and the next best sentence fits beside it, the
# answer gives both, each cited. Trades answer length for right answers: higher answers
# more questions with two sentences. Chosen on the calibration parts as the largest
# threshold of the script's grid that keeps the median answer of squad_train within 250
# characters (0.9: 237; squad_train calib right 0.798, 0.793 at 0.8, 0.804 at 1.01 with 271).
HEDGE = 0.9
