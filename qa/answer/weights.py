"""The fitted numbers that decide answers, named, each with what it trades off, in one
place. Each section belongs to one stage and is written by the script that fits it."""

# --- Support check (qa.answer.support) -------------------------------------------------
# A logistic model over `support.Features`: P(claim answers the question from its chunk)
# = sigmoid(SUPPORT_BIAS + sum of weight * feature). Fitted by `scripts/fit_support.py`
# (the section between the markers below is written by it with --write).
# <support-weights>
SUPPORT_BIAS = -4.7064
# per feature of `support.Features`; 0 where the fit found no use for it
SUPPORT_WEIGHTS = {
    "claim_sim": 4.3640,
    "chunk_sim": 0.0000,
    "sim_margin": 0.8331,
    "claim_recall": 0.9915,
    "chunk_recall": 0.0000,
    "missing_top": 0.0000,
    "claim_missing_top": 0.0000,
    "pair_share": 0.0000,
    "unknown_words": 0.0000,
    "unknown_names": -3.8662,
    "absent_names": -0.4096,
    "claim_names": -0.2615,
    "number_gap": -2.1073,
    "negation_gap": -3.7714,
    "rank": 2.7480,
    "dense": 0.0000,
    "scoped": 0.1599,
    "sentence_gain": 0.0000,
    "best_unit_recall": 0.0000,
    "plain_missing": -0.4178,
    "names_off_claim": -0.4214,
    "numbers_off_chunk": -0.6528,
    "type_gap": -0.8124,
    "claim_negated": -0.3572,
    "novel": 0.8906,
}
# Below it a claim is refused. Higher abstains more on unanswerable questions and
# more on answerable ones (the engine then answers from a lower-ranked candidate
# or abstains): the highest at which the calibration parts stay within their
# bound (SQuAD 0.05; the analysis and the probes, pooled, 0.03) both in false
# abstention and in the answer accuracy the check costs.
SUPPORT_THRESHOLD = 0.43
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
# tatqa_dev 601, squad_train 918, engine_analysis 18, engine_report 19, support 46
# questions); the script prints top-1 figures per set, calibration and held-out.
# Positive weights favour a candidate.
RANKER: dict[str, float] = {
    'head_period': 3.453,               # the asked-for noun is a period (years) and the columns …
    'label_match': 2.803,               # share of the row's label the question holds
    'column_match': 2.543,              # share of the named column's header the question holds
    'overlap': 2.364,                   # share of the question's words (by rarity) the claim holds
    'overlap_chunk': 2.165,             # share of the question's words the claim's chunk holds
    'retrieval': 2.108,                 # the claim's chunk's retrieval score, relative to the best
    'sentence&dense': 1.931,            # the question's similarity to the unit the claim quotes
    'head_label_header': 1.789,         # the asked-for noun matches the table's label column
    'wh=who&name': 1.782,
    'dense': 1.756,                     # the question's similarity to the unit the claim quotes
    'dense_gap': 1.756,                 # that similarity minus the best of any retrieved unit
    'group_named': 1.74,                # the question names the row group listed
    'plural&claims': 1.638,             # claims / 5 when the question asks for something plural
    'wh=when&date': 1.622,
    'pairs': 1.484,                     # share of the question's word pairs the claim holds
    's=cell': -1.471,
    'years_match': 1.468,               # share of the question's years the claim (or its …
    'footnote': 1.459,                  # the sentence is the footnote of a row or column the …
    'wh=who&row': 1.356,
    'sentence&overlap': 1.305,          # share of the question's words (by rarity) the claim holds
    'mixed:retrieval': -1.244,          # the claim's chunk's retrieval score, relative to the best
    'ask=list&s=table': 1.202,
    'wh=which&row': 1.154,
    'novel': 1.149,                     # share of the claim's words the question lacks
    'label_words': -1.132,              # how many label words the question holds / 4
    'table:items&retrieval': -1.11,     # the claim's chunk's retrieval score, relative to the best
    'ask=list&s=sentence': -1.038,
    'ask=fact&s=cell': -0.993,
    'wh=how much&number': 0.968,
    'sentence&retrieval': 0.953,        # the claim's chunk's retrieval score, relative to the best
    'wh=when&number': 0.926,
    'table:items&overlap': -0.867,      # share of the question's words (by rarity) the claim holds
    'wh=how much&row': -0.863,
    'names_match': -0.851,              # share of the question's capitalised names the claim holds
    'wh=where&name': 0.838,
    'cell&retrieval': 0.827,            # the claim's chunk's retrieval score, relative to the best
    'wh=-&row': -0.798,
    'columns_named': 0.797,             # the question names a column
    'ask=yesno&s=yesno': 0.795,
    's=yesno': 0.795,
    'rows&dense': -0.769,               # the question's similarity to the unit the claim quotes
    'mixed:overlap_start': 0.751,       # share of the question's words in the claim's first words
    's=sentence': -0.744,
    's=table': 0.742,
    'ask=summary&s=sentences': 0.69,
    'stated': 0.681,                    # share of the question's words the yes/no sentence states
    'cell&dense': -0.668,               # the question's similarity to the unit the claim quotes
    'periods': 0.668,                   # the row's columns are periods
    'mixed:first_rank': -0.659,         # 1 / (1 + the claim's chunk's place in retrieval)
    'cell&overlap': 0.653,              # share of the question's words (by rarity) the claim holds
    'q_table': 0.629,                   # the question names the table
    'ask=reason&s=cell': 0.627,
    'first_rank': 0.621,                # 1 / (1 + the claim's chunk's place in retrieval)
    'wh=who&number': -0.621,
    'ask=count&s=sentence': 0.62,
    'wh=how many&row': -0.62,
    'head_caption': -0.61,              # the asked-for noun matches the caption
    'yesno:sentence&retrieval': 0.598,  # the claim's chunk's retrieval score, relative to the best
    'ask=yesno&s=sentence': -0.585,
    's=table:items': 0.583,
    's=yesno:sentence': 0.58,
    'wh=how many&name': -0.578,
    'mixed:names_match': 0.577,         # share of the question's capitalised names the claim holds
    'ask=list&number': 0.571,
    'wh=who&date': -0.555,
    'values': 0.554,                    # how many values were compared / 12
    'table:items&dense': -0.553,        # the question's similarity to the unit the claim quotes
    'mixed:overlap_chunk': 0.551,       # share of the question's words the claim's chunk holds
    'table:items&overlap_chunk': 0.547, # share of the question's words the claim's chunk holds
    'mixed:years_match': 0.542,         # share of the question's years the claim (or its …
    'wh=when&name': 0.536,
    'extreme:rows&dense': 0.535,        # the question's similarity to the unit the claim quotes
    'yesno:sentence&overlap_chunk': 0.494,# share of the question's words the claim's chunk holds
    'yesno:sentence&overlap': 0.489,    # share of the question's words (by rarity) the claim holds
    'sentence:next&overlap': 0.486,     # share of the question's words (by rarity) the claim holds
    'ask=summary&number': -0.458,
    'yesno:sentence&dense': 0.458,      # the question's similarity to the unit the claim quotes
    'sentence:next&overlap_chunk': 0.453,# share of the question's words the claim's chunk holds
    'value_match': 0.453,               # share of the cell value the question holds (reverse …
    'ask=fact&number': 0.452,
    'sentence:next&retrieval': 0.438,   # the claim's chunk's retrieval score, relative to the best
    'wh=how&row': 0.428,
    'wh=where&date': 0.428,
    'ask=list&s=sentences': -0.427,
    'wh=-&number': -0.419,
    'ask=compare&s=cell': -0.416,
    'wh=which&number': 0.415,
    'wh=why&name': -0.415,
    'extreme:rows&overlap_chunk': 0.413,# share of the question's words the claim's chunk holds
    'sentences:top&retrieval': 0.412,   # the claim's chunk's retrieval score, relative to the best
    'ask=fact&s=reverse': 0.407,
    'wh=what&date': -0.407,
    'claims': 0.388,                    # how many claims / 5
    'ask=compare&s=extreme': 0.386,
    'extreme:rows&retrieval': -0.385,   # the claim's chunk's retrieval score, relative to the best
    'chars': 0.384,                     # the claim's length / 400
    'table:periods&dense': 0.384,       # the question's similarity to the unit the claim quotes
    'sentence:next&dense': 0.369,       # the question's similarity to the unit the claim quotes
    's=extreme': 0.368,
    'ask=fact&s=sentence': 0.367,
    'wh=where&number': -0.353,
    's=extreme:rows': 0.352,
    'ask=summary&s=table': -0.349,
    'ask=count&s=rows': -0.346,
    'table:caption&dense': -0.331,      # the question's similarity to the unit the claim quotes
    'overlap_start': 0.327,             # share of the question's words in the claim's first words
    'ask=reason&s=reverse': -0.325,
    'mixed:dense': 0.32,                # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 0.32,            # that similarity minus the best of any retrieved unit
    'table:periods&retrieval': -0.318,  # the claim's chunk's retrieval score, relative to the best
    'asks_label': -0.316,               # the question names the label column's header
    'next': 0.312,                      # the sentence with the one after it
    's=sentence:next': 0.312,
    'reverse&retrieval': 0.303,         # the claim's chunk's retrieval score, relative to the best
    'is_item': 0.297,                   # the claim is a list item
    'table:periods&overlap_chunk': 0.295,# share of the question's words the claim's chunk holds
    'wh=what&row': -0.291,
    'wh=which&date': -0.283,
    'wh=whom&number': -0.282,
    'mixed:overlap': -0.28,             # share of the question's words (by rarity) the claim holds
    'wh=which&name': 0.278,
    's=table:periods': 0.269,
    'row_named': -0.26,                 # the best share of a row label the question holds
    'reverse&overlap_chunk': -0.256,    # share of the question's words the claim's chunk holds
    'ask=fact&s=rows': 0.237,
    'ask=list&s=reverse': 0.234,
    'wh=how much&date': -0.231,
    'ask=list&s=rows': 0.229,
    'ask=summary&s=cell': -0.225,
    'ask=reason&s=sentences': -0.223,
    'rows_named': 0.222,                # how many rows the question names / 4
    's=sentences:top': 0.217,
    'sentence&overlap_chunk': 0.217,    # share of the question's words the claim's chunk holds
    'rows&overlap': 0.207,              # share of the question's words (by rarity) the claim holds
    'wh=whom&date': -0.205,
    'wh=how&date': 0.204,
    'wh=why&row': -0.203,
    'ask=list&s=cell': -0.199,
    'sentences:top&overlap_chunk': -0.198,# share of the question's words the claim's chunk holds
    'reverse&dense': 0.197,             # the question's similarity to the unit the claim quotes
    'wh=whose&number': -0.195,
    'wh=whose&date': -0.194,
    'sentences:top&dense': 0.188,       # the question's similarity to the unit the claim quotes
    'items': 0.183,                     # how many items the table answer lists / 12
    's=rows': 0.179,
    'sentences:chunk&overlap': 0.178,   # share of the question's words (by rarity) the claim holds
    'table:caption&overlap': -0.177,    # share of the question's words (by rarity) the claim holds
    'ask=compare&number': -0.175,
    'years_other': -0.175,              # the claim gives a year the question does not ask
    'wh=why&number': -0.166,
    'ask=count&s=cell': -0.164,
    'table:caption&overlap_chunk': -0.164,# share of the question's words the claim's chunk holds
    's=sentences:chunk': -0.163,
    'among_named': -0.161,              # compared among the rows the question names
    'extreme:rows&overlap': 0.158,      # share of the question's words (by rarity) the claim holds
    'sentences:top&overlap': -0.146,    # share of the question's words (by rarity) the claim holds
    'reverse&overlap': -0.143,          # share of the question's words (by rarity) the claim holds
    'sentences:chunk&overlap_chunk': 0.138,# share of the question's words the claim's chunk holds
    'wh=how&number': 0.137,
    'wh=why&date': 0.128,
    's=yesno:cell:value': 0.125,
    'yesno:cell:value&retrieval': 0.125,# the claim's chunk's retrieval score, relative to the best
    'whole_list': 0.121,                # the claim is a whole list, condensed
    'ask=summary&s=reverse': -0.117,
    'ask=compare&s=rows': 0.116,
    'chunks': 0.116,                    # how many cited chunks / 5
    'table:caption&retrieval': 0.116,   # the claim's chunk's retrieval score, relative to the best
    's=yesno:reverse': 0.111,
    'ask=count&s=table': -0.11,
    's=table:caption': -0.11,
    'yesno:reverse&retrieval': 0.11,    # the claim's chunk's retrieval score, relative to the best
    'ask=yesno&s=reverse': -0.109,
    'wh=-&date': 0.106,
    'wh=what&name': 0.105,
    'cell&overlap_chunk': -0.103,       # share of the question's words the claim's chunk holds
    'ask=yesno&s=cell': -0.102,
    'rows&overlap_chunk': 0.099,        # share of the question's words the claim's chunk holds
    'yesno:cell:value&overlap': 0.099,  # share of the question's words (by rarity) the claim holds
    'yesno:cell:value&overlap_chunk': 0.099,# share of the question's words the claim's chunk holds
    'yesno:reverse&overlap': 0.095,     # share of the question's words (by rarity) the claim holds
    'yesno:reverse&overlap_chunk': 0.095,# share of the question's words the claim's chunk holds
    's=reverse': 0.091,
    'yesno:cell:value&dense': 0.091,    # the question's similarity to the unit the claim quotes
    'ask=compare&s=sentence': -0.086,
    'sentences:chunk&dense': -0.08,     # the question's similarity to the unit the claim quotes
    'rows&retrieval': 0.076,            # the claim's chunk's retrieval score, relative to the best
    'yesno:reverse&dense': 0.074,       # the question's similarity to the unit the claim quotes
    'extreme:columns&dense': -0.065,    # the question's similarity to the unit the claim quotes
    'ask=reason&s=rows': -0.057,
    'head_group': 0.055,                # the asked-for noun matches the row group
    'extreme:columns&overlap_chunk': 0.052,# share of the question's words the claim's chunk holds
    'wh=whose&name': 0.05,
    'yesno:cell&overlap': 0.049,        # share of the question's words (by rarity) the claim holds
    'table:periods&overlap': -0.044,    # share of the question's words (by rarity) the claim holds
    's=sentences': 0.04,
    'wh=how much&name': -0.038,
    'sentences:chunk&retrieval': 0.037, # the claim's chunk's retrieval score, relative to the best
    'extreme:columns&overlap': 0.036,   # share of the question's words (by rarity) the claim holds
    'wh=-&name': -0.035,
    'wh=what&number': -0.034,
    'wh=where&row': -0.032,
    'extreme:columns&retrieval': -0.029,# the claim's chunk's retrieval score, relative to the best
    'ask=count&number': 0.028,
    'mixed:pairs': -0.028,              # share of the question's word pairs the claim holds
    'wh=how many&number': 0.028,
    'ask=reason&number': -0.024,
    'ask=reason&s=sentence': -0.022,
    's=yesno:cell': -0.02,
    'ask=fact&s=extreme': -0.018,
    'cell:value&retrieval': -0.018,     # the claim's chunk's retrieval score, relative to the best
    's=cell:value': -0.018,
    'yesno:cell&retrieval': -0.017,     # the claim's chunk's retrieval score, relative to the best
    's=extreme:columns': 0.016,
    'wh=whom&name': 0.015,
    'cell:value&overlap': -0.014,       # share of the question's words (by rarity) the claim holds
    'cell:value&overlap_chunk': -0.014, # share of the question's words the claim's chunk holds
    'denied': 0.014,                    # the verdict is No
    's=sentences:one': -0.014,
    'cell:value&dense': -0.013,         # the question's similarity to the unit the claim quotes
    'wh=how&name': -0.013,
    'ask=yesno&number': 0.009,
    'sentences:one&retrieval': -0.009,  # the claim's chunk's retrieval score, relative to the best
    'pieces': -0.008,                   # how many sentences or items / 5
    'wh=when&row': -0.008,
    'yesno:cell&dense': 0.008,          # the question's similarity to the unit the claim quotes
    'wh=how many&date': 0.002,
    'yesno:cell&overlap_chunk': -0.002, # share of the question's words the claim's chunk holds
    'sentences:one&dense': -0.001,      # the question's similarity to the unit the claim quotes
}
# --- end ranker ---------------------------------------------------------------------------

# --- hedge: scripts/fit_ranker.py (printed with the ranker's figures) --------------------
# When the first candidate is a sentence whose probability among all candidates (softmax
# of the ranker's scores) is below HEDGE, and the next best sentence fits beside it, the
# answer gives both, each cited. Trades answer length for right answers: higher answers
# more questions with two sentences. Chosen on the calibration parts as the largest
# threshold that keeps the median answer of squad_train within 250 characters.
HEDGE = 0.8
