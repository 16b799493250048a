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
# tatqa_dev 601, squad_train 2750, engine_analysis 18, engine_report 19, support 46
# questions); the script prints top-1 figures per set, calibration and held-out.
# Positive weights favour a candidate. Last: head_other, total_named alone (`fit --only
# head_other total_named`; squad_train a third, 918), the others held as they were.
RANKER: dict[str, float] = {
    'head_period': 3.366,               # the asked-for noun is a period (years) and the columns …
    'label_match': 2.821,               # share of the row's label the question holds
    'column_match': 2.742,              # share of the named column's header the question holds
    'sentence&dense': 2.062,            # the question's similarity to the unit the claim quotes
    'retrieval': 1.822,                 # the claim's chunk's retrieval score, relative to the best
    'group_named': 1.789,               # the question names the row group listed
    'head_label_header': 1.768,         # the asked-for noun matches the table's label column
    'overlap_chunk': 1.714,             # share of the question's words the claim's chunk holds
    'dense': 1.674,                     # the question's similarity to the unit the claim quotes
    'dense_gap': 1.674,                 # that similarity minus the best of any retrieved unit
    'wh=who&name': 1.626,
    'footnote': 1.61,                   # the sentence is the footnote of a row or column the …
    'plural&claims': 1.538,             # claims / 5 when the question asks for something plural
    'novel': 1.46,                      # share of the claim's words the question lacks
    'years_match': 1.409,               # share of the question's years the claim (or its …
    'wh=who&row': 1.352,
    'overlap_near': 1.348,              # share of the question's words the claim and the …
    's=cell': -1.337,
    'total_named': 1.329,               # the question names the total row of the items listed
    'wh=when&date': 1.277,
    'label_words': -1.214,              # how many label words the question holds / 4
    'mixed:retrieval': -1.135,          # the claim's chunk's retrieval score, relative to the best
    'overlap': 1.128,                   # share of the question's words (by rarity) the claim holds
    'ask=list&s=table': 1.109,
    'wh=when&number': 1.108,
    'sentence&overlap': 1.027,          # share of the question's words (by rarity) the claim holds
    'wh=which&row': 0.927,
    'names_match': -0.923,              # share of the question's capitalised names the claim holds
    'ask=fact&s=cell': -0.873,
    'table:items&overlap': -0.872,      # share of the question's words (by rarity) the claim holds
    'rows&dense': -0.865,               # the question's similarity to the unit the claim quotes
    'table:items&retrieval': -0.854,    # the claim's chunk's retrieval score, relative to the best
    'sentence&retrieval': 0.84,         # the claim's chunk's retrieval score, relative to the best
    'ask=summary&s=sentences': 0.797,
    'ask=list&s=sentence': -0.778,
    'mixed:first_rank': -0.777,         # 1 / (1 + the claim's chunk's place in retrieval)
    'wh=how much&row': -0.763,
    'pairs_near': 0.757,                # share of the question's word pairs the claim and the …
    'ask=yesno&s=yesno': 0.736,
    's=yesno': 0.736,
    'ask=count&s=sentence': 0.734,
    'ask=reason&s=cell': 0.734,
    'wh=-&row': -0.734,
    'wh=how many&row': -0.734,
    'head_other': -0.724,               # the asked-for noun is a noun other than a period …
    'ask=list&s=sentences': -0.723,
    'cell&retrieval': 0.707,            # the claim's chunk's retrieval score, relative to the best
    'columns_named': 0.69,              # the question names a column
    'head_caption': -0.679,             # the asked-for noun matches the caption
    'mixed:overlap_start': 0.663,       # share of the question's words in the claim's first words
    's=table': 0.66,
    'wh=how much&number': 0.659,
    'cell&dense': -0.644,               # the question's similarity to the unit the claim quotes
    's=sentence': -0.64,
    'wh=when&name': 0.634,
    's=table:items': 0.628,
    'wh=how many&name': -0.623,
    'stated': 0.621,                    # share of the question's words the yes/no sentence states
    'wh=which&name': 0.613,
    'periods': 0.611,                   # the row's columns are periods
    'ask=summary&number': -0.609,
    'mixed:overlap_chunk': 0.609,       # share of the question's words the claim's chunk holds
    'wh=where&name': 0.607,
    'mixed:names_match': 0.591,         # share of the question's capitalised names the claim holds
    'table:items&overlap_chunk': 0.565, # share of the question's words the claim's chunk holds
    'first_rank': 0.56,                 # 1 / (1 + the claim's chunk's place in retrieval)
    'yesno:sentence&retrieval': 0.56,   # the claim's chunk's retrieval score, relative to the best
    'ask=yesno&s=sentence': -0.551,
    's=yesno:sentence': 0.549,
    'ask=count&number': 0.54,
    'wh=how many&number': 0.54,
    'wh=how&row': 0.54,
    'extreme:rows&dense': 0.539,        # the question's similarity to the unit the claim quotes
    'top:pairs': 0.536,                 # the claim holds the most of the question's word pairs …
    'mixed:overlap': -0.529,            # share of the question's words (by rarity) the claim holds
    'values': 0.526,                    # how many values were compared / 12
    'wh=where&number': -0.517,
    'wh=where&date': 0.504,
    'overlap_start': 0.495,             # share of the question's words in the claim's first words
    'q_table': 0.479,                   # the question names the table
    'wh=how&date': -0.468,
    'ask=compare&s=cell': -0.466,
    'wh=which&date': 0.466,
    'years_other': -0.461,              # the claim gives a year the question does not ask
    'yesno:sentence&overlap_chunk': 0.461,# share of the question's words the claim's chunk holds
    'wh=how many&date': -0.456,
    'yesno:sentence&overlap': 0.456,    # share of the question's words (by rarity) the claim holds
    'table:items&dense': -0.449,        # the question's similarity to the unit the claim quotes
    'is_item': 0.438,                   # the claim is a list item
    'ask=list&number': 0.43,
    'wh=-&name': 0.43,
    'yesno:sentence&dense': 0.43,       # the question's similarity to the unit the claim quotes
    'claims': 0.429,                    # how many claims / 5
    'extreme:rows&overlap_chunk': 0.42, # share of the question's words the claim's chunk holds
    'top:overlap_near': 0.419,          # the claim with its sentence before holds the most …
    'table:caption&dense': -0.418,      # the question's similarity to the unit the claim quotes
    'ask=summary&s=table': -0.399,
    'table:periods&dense': 0.384,       # the question's similarity to the unit the claim quotes
    'sentence:next&overlap': 0.382,     # share of the question's words (by rarity) the claim holds
    'asks_label': -0.379,               # the question names the label column's header
    'ask=fact&s=reverse': 0.374,
    'ask=compare&s=extreme': 0.373,
    's=extreme': 0.373,
    'value_match': 0.366,               # share of the cell value the question holds (reverse …
    'wh=who&date': -0.365,
    'ask=count&s=rows': -0.362,
    'ask=fact&number': 0.355,
    'sentence:next&retrieval': 0.355,   # the claim's chunk's retrieval score, relative to the best
    'sentence:next&overlap_chunk': 0.344,# share of the question's words the claim's chunk holds
    'table:periods&overlap_chunk': 0.34,# share of the question's words the claim's chunk holds
    'ask=reason&s=reverse': -0.338,
    'extreme:rows&retrieval': -0.327,   # the claim's chunk's retrieval score, relative to the best
    'ask=fact&s=sentence': 0.325,
    'ask=count&s=cell': -0.322,
    'ask=reason&s=sentence': -0.315,
    'top:dense': 0.314,                 # the claim's unit is the question's most similar of all …
    'sentence:next&dense': 0.313,       # the question's similarity to the unit the claim quotes
    's=extreme:rows': 0.295,
    'mixed:years_match': 0.289,         # share of the question's years the claim (or its …
    'wh=whom&number': -0.289,
    'wh=what&row': -0.282,
    'ask=summary&s=cell': -0.281,
    'cell&overlap_chunk': -0.281,       # share of the question's words the claim's chunk holds
    'reverse&overlap_chunk': -0.257,    # share of the question's words the claim's chunk holds
    'wh=how much&name': -0.251,
    'next': 0.246,                      # the sentence with the one after it
    's=sentence:next': 0.246,
    'wh=why&number': -0.246,
    'wh=who&number': -0.244,
    'wh=-&number': -0.242,
    'wh=which&number': 0.24,
    'mixed:dense': 0.238,               # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 0.238,           # that similarity minus the best of any retrieved unit
    'pairs': -0.237,                    # share of the question's word pairs the claim holds
    'ask=list&s=rows': 0.236,
    's=table:periods': 0.234,
    'table:caption&overlap': -0.22,     # share of the question's words (by rarity) the claim holds
    'sentences:top&retrieval': 0.216,   # the claim's chunk's retrieval score, relative to the best
    'wh=why&row': -0.215,
    'wh=how&name': -0.213,
    'wh=-&date': -0.212,
    'top:overlap': 0.208,               # the claim holds the most of the question's words of all …
    'ask=list&s=reverse': 0.202,
    'cell&overlap': 0.202,              # share of the question's words (by rarity) the claim holds
    's=table:caption': -0.201,
    'extreme:rows&overlap': 0.186,      # share of the question's words (by rarity) the claim holds
    'table:caption&overlap_chunk': -0.183,# share of the question's words the claim's chunk holds
    'row_named': -0.178,                # the best share of a row label the question holds
    'ask=fact&s=rows': 0.173,
    'rows_named': 0.171,                # how many rows the question names / 4
    'sentences:top&overlap': -0.161,    # share of the question's words (by rarity) the claim holds
    'whole_list': 0.158,                # the claim is a whole list, condensed
    'pieces': 0.157,                    # how many sentences or items / 5
    'reverse&overlap': -0.157,          # share of the question's words (by rarity) the claim holds
    'wh=what&name': 0.156,
    's=rows': 0.153,
    'wh=why&date': 0.151,
    'wh=whose&number': -0.149,
    'reverse&retrieval': 0.148,         # the claim's chunk's retrieval score, relative to the best
    'ask=compare&s=rows': 0.147,
    'wh=what&date': -0.146,
    'sentences:chunk&retrieval': 0.134, # the claim's chunk's retrieval score, relative to the best
    'mixed:pairs': -0.129,              # share of the question's word pairs the claim holds
    'reverse&dense': 0.126,             # the question's similarity to the unit the claim quotes
    'sentences:top&dense': 0.121,       # the question's similarity to the unit the claim quotes
    'ask=summary&s=reverse': -0.117,
    'wh=how much&date': -0.109,
    'wh=what&number': -0.106,
    'items': 0.102,                     # how many items the table answer lists / 12
    'ask=yesno&s=reverse': -0.101,
    'extreme:columns&overlap_chunk': 0.1,# share of the question's words the claim's chunk holds
    'ask=reason&number': 0.099,
    'sentence&overlap_chunk': -0.097,   # share of the question's words the claim's chunk holds
    'sentences:chunk&overlap': 0.097,   # share of the question's words (by rarity) the claim holds
    'table:periods&overlap': -0.097,    # share of the question's words (by rarity) the claim holds
    's=yesno:reverse': 0.095,
    'yesno:reverse&retrieval': 0.095,   # the claim's chunk's retrieval score, relative to the best
    'rows&retrieval': -0.086,           # the claim's chunk's retrieval score, relative to the best
    'among_named': -0.084,              # compared among the rows the question names
    'ask=yesno&s=cell': -0.084,
    'wh=whose&name': 0.082,
    'yesno:reverse&overlap': 0.082,     # share of the question's words (by rarity) the claim holds
    'yesno:reverse&overlap_chunk': 0.082,# share of the question's words the claim's chunk holds
    'chars': 0.08,                      # the claim's length / 400
    'sentences:top&overlap_chunk': 0.079,# share of the question's words the claim's chunk holds
    's=extreme:columns': 0.078,
    'rows&overlap': 0.077,              # share of the question's words (by rarity) the claim holds
    's=yesno:cell:value': 0.077,
    'yesno:cell:value&retrieval': 0.077,# the claim's chunk's retrieval score, relative to the best
    'sentences:chunk&overlap_chunk': 0.067,# share of the question's words the claim's chunk holds
    'ask=compare&number': -0.064,
    'yesno:reverse&dense': 0.063,       # the question's similarity to the unit the claim quotes
    'yesno:cell:value&overlap': 0.061,  # share of the question's words (by rarity) the claim holds
    'yesno:cell:value&overlap_chunk': 0.061,# share of the question's words the claim's chunk holds
    'wh=why&name': -0.06,
    'wh=whom&date': 0.059,
    'table:periods&retrieval': -0.058,  # the claim's chunk's retrieval score, relative to the best
    'yesno:cell:value&dense': 0.056,    # the question's similarity to the unit the claim quotes
    'ask=compare&s=sentence': -0.054,
    'sentences:chunk&dense': -0.054,    # the question's similarity to the unit the claim quotes
    'wh=whom&name': 0.052,
    'ask=count&s=table': -0.049,
    'wh=whose&date': -0.049,
    'ask=list&s=cell': -0.045,
    'extreme:columns&overlap': 0.043,   # share of the question's words (by rarity) the claim holds
    'yesno:cell&overlap': 0.043,        # share of the question's words (by rarity) the claim holds
    's=sentences:chunk': 0.042,
    'ask=reason&s=rows': -0.041,
    'ask=reason&s=sentences': -0.04,
    's=sentences:one': -0.036,
    's=sentences': 0.034,
    'extreme:columns&retrieval': 0.033, # the claim's chunk's retrieval score, relative to the best
    'cell:value&retrieval': -0.03,      # the claim's chunk's retrieval score, relative to the best
    'chunks': 0.03,                     # how many cited chunks / 5
    's=cell:value': -0.03,
    's=sentences:top': 0.028,
    'head_group': 0.027,                # the asked-for noun matches the row group
    'wh=how&number': -0.026,
    'cell:value&overlap': -0.024,       # share of the question's words (by rarity) the claim holds
    'cell:value&overlap_chunk': -0.024, # share of the question's words the claim's chunk holds
    'sentences:one&retrieval': -0.024,  # the claim's chunk's retrieval score, relative to the best
    'wh=where&row': -0.024,
    'yesno:cell&dense': 0.023,          # the question's similarity to the unit the claim quotes
    'ask=yesno&number': -0.022,
    'cell:value&dense': -0.022,         # the question's similarity to the unit the claim quotes
    'yesno:cell&overlap_chunk': 0.021,  # share of the question's words the claim's chunk holds
    's=reverse': 0.02,
    'yesno:cell&retrieval': 0.018,      # the claim's chunk's retrieval score, relative to the best
    'table:caption&retrieval': 0.017,   # the claim's chunk's retrieval score, relative to the best
    'denied': 0.016,                    # the verdict is No
    'rows&overlap_chunk': 0.016,        # share of the question's words the claim's chunk holds
    's=yesno:cell': 0.015,
    'extreme:columns&dense': 0.011,     # the question's similarity to the unit the claim quotes
    'wh=when&row': -0.009,
    'sentences:one&dense': -0.003,      # the question's similarity to the unit the claim quotes
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
