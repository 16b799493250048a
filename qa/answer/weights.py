"""The fitted numbers that decide answers, named, each with what it trades off, in one
place. Each section belongs to one stage and is written by the script that fits it."""

# --- Support check (qa.answer.support) -------------------------------------------------
# A logistic model over `support.Features`: P(claim answers the question from its chunk)
# = sigmoid(SUPPORT_BIAS + sum of weight * feature). Fitted by `scripts/fit_support.py`
# (the section between the markers below is written by it with --write).
# <support-weights>
SUPPORT_BIAS = -4.6619
# per feature of `support.Features`; 0 where the fit found no use for it
SUPPORT_WEIGHTS = {
    "claim_sim": 4.6535,
    "chunk_sim": 0.0000,
    "sim_margin": 0.0000,
    "claim_recall": 1.3769,
    "chunk_recall": 0.0000,
    "missing_top": 0.0000,
    "claim_missing_top": 0.0000,
    "pair_share": 0.0000,
    "unknown_words": 0.0000,
    "unknown_names": -3.7790,
    "absent_names": -0.7240,
    "claim_names": -0.3592,
    "number_gap": -2.8284,
    "negation_gap": -3.7407,
    "rank": 2.6983,
    "dense": 0.0000,
    "scoped": 0.1752,
}
# Below it a claim is refused. Higher abstains more on unanswerable questions and
# more on answerable ones (the engine then answers from a lower-ranked candidate
# or abstains): the highest at which the calibration parts stay within their
# false abstention (SQuAD 0.05; the analysis and the probes, pooled, 0.03).
SUPPORT_THRESHOLD = 0.37
# The same for a question asked of one document (the reader chose it): the
# highest at which TAT-QA's false abstention stays within 0.014 (the first
# answerer's) and the analysis's, scoped to it, within 0.03.
SUPPORT_THRESHOLD_SCOPED = 0.27
# </support-weights>


# --- ranker: scripts/fit_ranker.py ------------------------------------------------------
# Weights of the candidate ranker (`qa.answer.rank`): a candidate's score is the sum of
# its features (`qa.answer.features` and the strategies' own) times these weights; a
# feature without a weight counts 0. Fitted by `scripts/fit_ranker.py fit --write` as a
# conditional logit (one softmax over the candidates of a question; positive: the
# candidate holds the gold answer), L2-penalised, on the calibration parts (seed_dev 10,
# tatqa_dev 601, squad_train 918, engine_analysis 18, engine_report 19 questions); the
# script prints top-1 figures per set, calibration and held-out. Positive weights favour
# a candidate.
RANKER: dict[str, float] = {
    'overlap': 2.018,                   # share of the question's words (by rarity) the claim holds
    'label_match': 1.743,               # share of the row's label the question holds
    'retrieval': 1.66,                  # the claim's chunk's retrieval score, relative to the best
    'head_period': 1.642,               # the asked-for noun is a period (years) and the columns …
    'dense': 1.566,                     # the question's similarity to the unit the claim quotes
    'dense_gap': 1.566,                 # that similarity minus the best of any retrieved unit
    'overlap_chunk': 1.489,             # share of the question's words the claim's chunk holds
    'sentence&overlap': 1.351,          # share of the question's words (by rarity) the claim holds
    'sentence&dense': 1.312,            # the question's similarity to the unit the claim quotes
    'pairs': 1.304,                     # share of the question's word pairs the claim holds
    'column_match': 1.287,              # share of the named column's header the question holds
    'years_match': 1.17,                # share of the question's years the claim (or its …
    'group_named': 1.143,               # the question names the row group listed
    'wh=who&name': 1.076,
    'wh=when&date': 1.036,
    'wh=which&row': 1.024,
    's=sentence': -1.016,
    'footnote': 1.0,                    # the sentence is the footnote of a row or column the …
    'ask=list&s=sentence': -0.965,
    'ask=list&s=table': 0.928,
    'sentence&retrieval': 0.898,        # the claim's chunk's retrieval score, relative to the best
    'first_rank': 0.871,                # 1 / (1 + the claim's chunk's place in retrieval)
    'plural&claims': 0.839,             # claims / 5 when the question asks for something plural
    'head_label_header': 0.718,         # the asked-for noun matches the table's label column
    'wh=when&number': 0.699,
    'mixed:retrieval': -0.692,          # the claim's chunk's retrieval score, relative to the best
    's=cell': -0.686,
    'mixed:first_rank': -0.634,         # 1 / (1 + the claim's chunk's place in retrieval)
    'names_match': -0.618,              # share of the question's capitalised names the claim holds
    'ask=summary&s=sentences': 0.614,
    'ask=yesno&s=yesno': 0.563,
    's=yesno': 0.563,
    'mixed:overlap_start': 0.555,       # share of the question's words in the claim's first words
    'wh=what&date': -0.543,
    'wh=how much&number': 0.511,
    'chars': 0.496,                     # the claim's length / 400
    'stated': 0.488,                    # share of the question's words the yes/no sentence states
    'ask=list&s=sentences': -0.486,
    'wh=who&number': -0.477,
    'wh=where&name': 0.473,
    'sentence&overlap_chunk': 0.472,    # share of the question's words the claim's chunk holds
    'ask=fact&s=cell': -0.466,
    'overlap_start': 0.465,             # share of the question's words in the claim's first words
    'ask=list&number': 0.46,
    'claims': 0.458,                    # how many claims / 5
    'wh=-&row': -0.448,
    's=table': 0.444,
    'mixed:years_match': 0.435,         # share of the question's years the claim (or its …
    'ask=summary&s=table': -0.427,
    'wh=who&row': 0.427,
    'yesno:sentence&retrieval': 0.416,  # the claim's chunk's retrieval score, relative to the best
    'ask=yesno&s=sentence': -0.413,
    's=yesno:sentence': 0.41,
    'wh=how many&name': -0.402,
    'ask=fact&number': 0.391,
    'table:items&retrieval': -0.383,    # the claim's chunk's retrieval score, relative to the best
    'wh=who&date': -0.378,
    'head_caption': -0.365,             # the asked-for noun matches the caption
    'yesno:sentence&overlap': 0.354,    # share of the question's words (by rarity) the claim holds
    'yesno:sentence&overlap_chunk': 0.353,# share of the question's words the claim's chunk holds
    'wh=when&name': 0.351,
    'chunks': 0.346,                    # how many cited chunks / 5
    's=rows': 0.344,
    'ask=list&s=rows': 0.343,
    'wh=which&number': 0.337,
    'cell&overlap': 0.333,              # share of the question's words (by rarity) the claim holds
    'novel': 0.33,                      # share of the claim's words the question lacks
    'table:items&overlap': -0.324,      # share of the question's words (by rarity) the claim holds
    's=table:periods': 0.319,
    'yesno:sentence&dense': 0.317,      # the question's similarity to the unit the claim quotes
    's=table:items': 0.311,
    'wh=how much&date': -0.299,
    'cell&retrieval': 0.295,            # the claim's chunk's retrieval score, relative to the best
    'rows&overlap_chunk': 0.285,        # share of the question's words the claim's chunk holds
    'cell&dense': -0.279,               # the question's similarity to the unit the claim quotes
    'label_words': -0.273,              # how many label words the question holds / 4
    'ask=count&s=sentence': 0.272,
    'wh=how many&row': -0.272,
    'ask=compare&s=sentence': -0.264,
    's=extreme:rows': 0.252,
    'items': 0.251,                     # how many items the table answer lists / 12
    'table:caption&dense': -0.251,      # the question's similarity to the unit the claim quotes
    'wh=where&date': 0.244,
    'table:periods&dense': 0.237,       # the question's similarity to the unit the claim quotes
    'rows&overlap': 0.236,              # share of the question's words (by rarity) the claim holds
    'wh=-&number': -0.234,
    'extreme:rows&dense': 0.23,         # the question's similarity to the unit the claim quotes
    'ask=fact&s=sentence': 0.227,
    'q_table': 0.225,                   # the question names the table
    'rows_named': 0.222,                # how many rows the question names / 4
    'sentences:chunk&retrieval': 0.222, # the claim's chunk's retrieval score, relative to the best
    'table:items&dense': -0.22,         # the question's similarity to the unit the claim quotes
    'row_named': -0.216,                # the best share of a row label the question holds
    'values': 0.215,                    # how many values were compared / 12
    'mixed:overlap': -0.212,            # share of the question's words (by rarity) the claim holds
    'whole_list': 0.206,                # the claim is a whole list, condensed
    'next': 0.2,                        # the sentence with the one after it
    's=sentence:next': 0.2,
    'wh=why&name': -0.194,
    'sentence:next&retrieval': 0.192,   # the claim's chunk's retrieval score, relative to the best
    'wh=what&name': 0.19,
    'columns_named': 0.188,             # the question names a column
    'ask=compare&s=extreme': 0.187,
    'ask=list&s=cell': 0.186,
    'extreme:rows&overlap_chunk': 0.186,# share of the question's words the claim's chunk holds
    's=table:caption': -0.186,
    's=extreme': 0.177,
    'mixed:pairs': 0.175,               # share of the question's word pairs the claim holds
    'ask=fact&s=reverse': 0.17,
    'ask=count&s=rows': -0.167,
    'table:caption&overlap_chunk': -0.158,# share of the question's words the claim's chunk holds
    'table:periods&retrieval': -0.155,  # the claim's chunk's retrieval score, relative to the best
    'sentence:next&overlap': 0.154,     # share of the question's words (by rarity) the claim holds
    'rows&retrieval': 0.153,            # the claim's chunk's retrieval score, relative to the best
    'wh=how&number': 0.153,
    'wh=how much&name': -0.149,
    'sentence:next&overlap_chunk': 0.148,# share of the question's words the claim's chunk holds
    'table:items&overlap_chunk': 0.148, # share of the question's words the claim's chunk holds
    'wh=how much&row': -0.148,
    'value_match': 0.146,               # share of the cell value the question holds (reverse …
    'periods': 0.145,                   # the row's columns are periods
    'ask=summary&s=cell': -0.139,
    'sentences:top&dense': 0.136,       # the question's similarity to the unit the claim quotes
    'table:caption&overlap': -0.135,    # share of the question's words (by rarity) the claim holds
    'sentence:next&dense': 0.131,       # the question's similarity to the unit the claim quotes
    'mixed:dense': 0.129,               # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 0.129,           # that similarity minus the best of any retrieved unit
    'ask=reason&s=sentence': 0.127,
    'mixed:names_match': 0.123,         # share of the question's capitalised names the claim holds
    'wh=how&date': 0.122,
    'ask=compare&s=rows': 0.118,
    's=sentences': 0.116,
    'years_other': -0.111,              # the claim gives a year the question does not ask
    'ask=summary&number': -0.11,
    'wh=where&number': -0.107,
    'wh=whom&number': -0.106,
    'wh=why&number': -0.104,
    's=sentences:chunk': 0.102,
    'wh=what&number': 0.102,
    'pieces': 0.101,                    # how many sentences or items / 5
    'ask=yesno&s=cell': -0.095,
    'sentences:chunk&overlap': -0.095,  # share of the question's words (by rarity) the claim holds
    'wh=how&row': -0.095,
    'extreme:rows&retrieval': -0.094,   # the claim's chunk's retrieval score, relative to the best
    'mixed:overlap_chunk': 0.092,       # share of the question's words the claim's chunk holds
    'reverse&overlap': 0.089,           # share of the question's words (by rarity) the claim holds
    's=yesno:cell:value': 0.087,
    'wh=how&name': 0.087,
    'yesno:cell:value&retrieval': 0.087,# the claim's chunk's retrieval score, relative to the best
    'ask=reason&s=cell': -0.086,
    'table:periods&overlap_chunk': 0.084,# share of the question's words the claim's chunk holds
    'sentences:top&retrieval': 0.083,   # the claim's chunk's retrieval score, relative to the best
    'wh=whom&date': -0.082,
    'ask=fact&s=rows': 0.079,
    'rows&dense': -0.076,               # the question's similarity to the unit the claim quotes
    's=extreme:columns': -0.076,
    'sentences:chunk&dense': -0.072,    # the question's similarity to the unit the claim quotes
    'sentences:top&overlap': -0.072,    # share of the question's words (by rarity) the claim holds
    'wh=whose&number': -0.07,
    'extreme:columns&retrieval': -0.069,# the claim's chunk's retrieval score, relative to the best
    'sentences:top&overlap_chunk': -0.069,# share of the question's words the claim's chunk holds
    'wh=whose&date': -0.069,
    'yesno:cell:value&overlap': 0.069,  # share of the question's words (by rarity) the claim holds
    'yesno:cell:value&overlap_chunk': 0.069,# share of the question's words the claim's chunk holds
    'extreme:columns&dense': -0.067,    # the question's similarity to the unit the claim quotes
    'yesno:cell:value&dense': 0.064,    # the question's similarity to the unit the claim quotes
    'wh=-&date': 0.063,
    'reverse&dense': 0.06,              # the question's similarity to the unit the claim quotes
    'among_named': -0.059,              # compared among the rows the question names
    's=reverse': 0.058,
    'ask=count&s=table': -0.057,
    'wh=how many&date': 0.056,
    'ask=yesno&s=reverse': -0.055,
    's=yesno:reverse': 0.054,
    'yesno:reverse&retrieval': 0.054,   # the claim's chunk's retrieval score, relative to the best
    'wh=what&row': 0.052,
    'table:periods&overlap': -0.05,     # share of the question's words (by rarity) the claim holds
    'ask=summary&s=reverse': -0.048,
    'yesno:cell&overlap': 0.047,        # share of the question's words (by rarity) the claim holds
    'extreme:rows&overlap': 0.046,      # share of the question's words (by rarity) the claim holds
    'yesno:reverse&overlap': 0.046,     # share of the question's words (by rarity) the claim holds
    'yesno:reverse&overlap_chunk': 0.046,# share of the question's words the claim's chunk holds
    'ask=count&s=cell': -0.045,
    'wh=which&name': 0.044,
    'head_group': 0.042,                # the asked-for noun matches the row group
    'ask=compare&number': -0.041,
    'ask=compare&s=cell': -0.041,
    'ask=count&number': 0.041,
    'table:caption&retrieval': -0.041,  # the claim's chunk's retrieval score, relative to the best
    'wh=how many&number': 0.041,
    'wh=-&name': -0.038,
    'yesno:reverse&dense': 0.037,       # the question's similarity to the unit the claim quotes
    'is_item': -0.031,                  # the claim is a list item
    'wh=why&date': -0.031,
    'ask=reason&s=rows': -0.03,
    'wh=why&row': -0.029,
    'extreme:columns&overlap_chunk': -0.028,# share of the question's words the claim's chunk holds
    'sentences:chunk&overlap_chunk': -0.026,# share of the question's words the claim's chunk holds
    'cell:value&retrieval': -0.023,     # the claim's chunk's retrieval score, relative to the best
    's=cell:value': -0.023,
    's=sentences:top': 0.023,
    'wh=which&date': 0.023,
    'yesno:cell&dense': 0.022,          # the question's similarity to the unit the claim quotes
    'wh=whose&name': 0.019,
    'yesno:cell&overlap_chunk': 0.019,  # share of the question's words the claim's chunk holds
    'cell:value&overlap': -0.018,       # share of the question's words (by rarity) the claim holds
    'cell:value&overlap_chunk': -0.018, # share of the question's words the claim's chunk holds
    'reverse&retrieval': 0.018,         # the claim's chunk's retrieval score, relative to the best
    'cell:value&dense': -0.017,         # the question's similarity to the unit the claim quotes
    'wh=where&row': -0.016,
    'reverse&overlap_chunk': -0.015,    # share of the question's words the claim's chunk holds
    'yesno:cell&retrieval': 0.013,      # the claim's chunk's retrieval score, relative to the best
    'extreme:columns&overlap': -0.012,  # share of the question's words (by rarity) the claim holds
    'ask=reason&s=sentences': -0.011,
    's=yesno:cell': 0.011,
    'ask=fact&s=extreme': -0.01,
    's=sentences:one': -0.009,
    'cell&overlap_chunk': -0.008,       # share of the question's words the claim's chunk holds
    'denied': 0.008,                    # the verdict is No
    'wh=when&row': -0.008,
    'ask=list&s=reverse': -0.006,
    'ask=yesno&number': 0.006,
    'sentences:one&retrieval': -0.006,  # the claim's chunk's retrieval score, relative to the best
    'wh=whom&name': 0.006,
    'ask=count&s=reverse': -0.003,
    'asks_label': 0.003,                # the question names the label column's header
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
