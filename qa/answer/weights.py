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
    "claim_learned": 0.0000,
    "learned_margin": 0.0000,
    "align_min": 0.0000,
    "align_second": 0.0000,
    "align_mean": 0.0000,
    "align_gap": 0.0000,
    "align_swap": 0.0000,
    "substitute": 0.0000,
    "name_substitute": 0.0000,
    "row_label": 0.0000,
    "row_column": 0.0000,
    "row_value": 0.0000,
    "row_cell": 0.0000,
    "row_label_lead": 0.0000,
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
# Whether the word-by-word features (support.WORD_BY_WORD) are worked out: only when the fit
# gives one of them a weight (else they cost 0.2-0.9 ms a claim for nothing); a fit reads them.
SUPPORT_WORD_BY_WORD = False
# Whether the table-row features (support.ROW_NAMING) are worked out: only when the fit gives
# one of them a weight; a fit reads them.
SUPPORT_ROW_NAMING = False
# </support-weights>
# Whether the word features count a question word the corpus does not write as present in
# a claim (or chunk) that holds one of its nearest corpus words in the model's space,
# weighted by that similarity (`Retriever.neighbours`: the query expansion's neighbours):
# a paraphrase's claim then lacks fewer words. See scripts/fit_support.py for the figures.
SUPPORT_NEIGHBOURS = True


# --- ranker: scripts/fit_ranker.py ------------------------------------------------------
# Weights of the candidate ranker (`qa.answer.rank`): a candidate's score is the sum of
# its features (`qa.answer.features` and the strategies' own) times these weights; a
# feature without a weight counts 0. Fitted by `scripts/fit_ranker.py fit --write` as a
# conditional logit (one softmax over the candidates of a question; positive: the
# candidate holds the gold answer; a multi-part question gives one question per part),
# L2-penalised (0.0001), on the calibration parts (seed_dev 10, tatqa_dev 601,
# squad_train 2750, engine_analysis 45, engine_report 25, support 48, engine_lists 26,
# engine_yesno 30, engine_mine 29, engine_followups 20, engine_subject 15,
# engine_subject_dev 9 questions); the script prints top-1 figures per set, calibration
# and held-out. Positive weights favour a candidate. A feature that tells candidates
# apart on fewer than 5 calibration questions has no weight (L2 and that count chosen by
# `fit_ranker.py cv`). Top-1 right of all, before -> after the fit: seed_dev calib 1.000
# -> 1.000; seed_dev heldout 1.000 -> 1.000; tatqa_dev calib 0.920 -> 0.922; tatqa_dev
# heldout 0.879 -> 0.876; squad_train calib 0.764 -> 0.770; squad_train heldout 0.803 ->
# 0.808; engine_analysis calib 0.933 -> 0.911; engine_analysis heldout 0.727 -> 0.727;
# engine_report calib 0.960 -> 1.000; engine_report heldout 1.000 -> 1.000; support
# calib 0.896 -> 0.854; support heldout 0.810 -> 0.810; engine_lists calib 0.769 ->
# 0.808; engine_lists heldout 0.750 -> 0.750; engine_yesno calib 0.700 -> 0.733;
# engine_yesno heldout 0.357 -> 0.357; engine_mine calib 0.828 -> 0.828; engine_mine
# heldout 1.000 -> 1.000; engine_followups calib 0.800 -> 0.850; engine_followups
# heldout 0.800 -> 0.700; engine_subject calib 0.800 -> 0.800; engine_subject heldout
# 0.727 -> 0.727; engine_subject_dev calib 0.667 -> 0.778; engine_subject_dev heldout
# 0.667 -> 0.833.
RANKER: dict[str, float] = {
    'dense_chunk': -4.459,              # a sentence's similarity minus that of its passage as a …
    'label_match': 3.802,               # share of the row's label the question holds
    'head_period': 3.634,               # the asked-for noun is a period (years) and the columns …
    'column_match': 3.353,              # share of the named column's header the question holds
    'sentence&dense': 3.02,             # the question's similarity to the unit the claim quotes
    'overlap_chunk': 2.758,             # share of the question's words the claim's chunk holds
    'topic_near': 2.624,                # how near a summary's topic words are to the section's …
    'expects=date&date': 2.531,         # a question asking a date (when, what year) and a claim …
    'dense': 2.52,                      # the question's similarity to the unit the claim quotes
    'dense_gap': 2.52,                  # that similarity minus the best of any retrieved unit
    'footnote': 2.447,                  # the sentence is the footnote of a row or column the …
    'plural&claims': 2.423,             # claims / 5 when the question asks for something plural
    'total_named': 2.364,               # the question names the total row of the items listed
    'rows&dense': -2.247,               # the question's similarity to the unit the claim quotes
    'rows_left': -2.191,                # share of the rows the question names that a one-row …
    'head_other': -2.014,               # the asked-for noun is a noun other than a period …
    'claims': 1.928,                    # how many claims / 5
    'label_words': -1.881,              # how many label words the question holds / 4
    'value_match': 1.826,               # share of the cell value the question holds (reverse …
    's=cell': -1.758,
    'q_table': 1.756,                   # the question names the table
    'retrieval': 1.645,                 # the claim's chunk's retrieval score, relative to the best
    'wh=how much&row': -1.632,
    'rank:pairs': -1.591,               # 1 / (1 + how many candidates hold more of the …
    'ask=summary&number': -1.582,
    'chunks': -1.56,                    # how many cited chunks / 5
    'topic&overlap': -1.552,            # share of the question's words (by rarity) the claim holds
    'wh=which&row': 1.527,
    'ask=fact&s=cell': -1.498,
    'sentences:ranked&retrieval': 1.498,# the claim's chunk's retrieval score, relative to the best
    'top:pairs': 1.484,                 # the claim holds the most of the question's word pairs …
    'novel': 1.48,                      # share of the claim's words the question lacks
    'ask=list&s=sentences': -1.462,
    'rank:dense': 1.439,                # 1 / (1 + how many candidates' units are more similar to …
    'years_match': 1.423,               # share of the question's years the claim (or its …
    'ask=fact&s=reverse': 1.379,
    'sentence&overlap': 1.375,          # share of the question's words (by rarity) the claim holds
    'expects=number&number': 1.344,     # a question asking a number (how many, how long) and a …
    'wh=how&date': -1.338,
    'overlap_near': 1.306,              # share of the question's words the claim and the …
    'mixed:overlap_chunk': 1.281,       # share of the question's words the claim's chunk holds
    'mixed:retrieval': -1.258,          # the claim's chunk's retrieval score, relative to the best
    'topic_found': 1.246,               # how many of the best four retrieved chunks stand in the …
    'extreme:rows&dense': 1.207,        # the question's similarity to the unit the claim quotes
    'wh=why&row': -1.201,
    'group_named': 1.191,               # the question names the row group listed
    'stated': 1.17,                     # share of the question's words the yes/no sentence states
    'ask=list&s=table': 1.137,
    'expects=date&near': 1.137,         # of the question's words, the most (by rarity) within …
    'wh=what&row': -1.128,
    'wh=how many&name': -1.116,
    'mixed:overlap_start': 1.109,       # share of the question's words in the claim's first words
    'expects=number&near': 1.074,       # the same for a number the claim newly gives
    'wh=-&row': -1.067,
    'pairs_near': 1.063,                # share of the question's word pairs the claim and the …
    'table_reading': 1.054,
    'expects=person&name': 1.04,        # a question asking who and a claim with a name it does …
    'sentence&overlap_chunk': -1.034,   # share of the question's words the claim's chunk holds
    'wh=which&name': 1.019,
    'sentences:chunk&overlap_chunk': 1.012,# share of the question's words the claim's chunk holds
    'lead_doc': 1.004,                  # the claim is its document's first sentence (it names …
    'wh=why&name': 1.004,
    'extreme:rows&retrieval': -0.989,   # the claim's chunk's retrieval score, relative to the best
    's=extreme:rows': 0.969,
    'ask=yesno&s=yesno': 0.96,
    's=yesno': 0.96,
    'values': 0.955,                    # how many values were compared / 12
    'ask=summary&s=sentences': 0.943,
    'row_named': -0.943,                # the best share of a row label the question holds
    'names_match': -0.942,              # share of the question's capitalised names the claim holds
    'sentences:ranked&overlap_chunk': 0.938,# share of the question's words the claim's chunk holds
    'list&series': 0.925,               # for a list question, the members of the one claim's …
    'columns_named': 0.91,              # the question names a column
    'ask=yesno&number': 0.908,
    'mixed:dense': 0.903,               # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 0.903,           # that similarity minus the best of any retrieved unit
    'ask=reason&s=cell': 0.875,
    'wh=who&name': 0.873,
    's=table': 0.872,
    'mixed:overlap': -0.868,            # share of the question's words (by rarity) the claim holds
    'sentences:chunk&overlap': 0.863,   # share of the question's words (by rarity) the claim holds
    'wh=how much&number': 0.852,
    'then&expects=place': 0.849,        # the same, for a question asking where
    's=sentences:chunk': -0.842,
    'sentence:then&overlap_chunk': 0.84,# share of the question's words the claim's chunk holds
    'ask=compare&s=rows': -0.824,
    'ask=list&s=rows': 0.816,
    'ask=list&s=sentence': -0.812,
    'expects=place&name': 0.812,        # a question asking where and a claim with a name it does …
    'wh=where&name': 0.812,
    'overlap': 0.791,                   # share of the question's words (by rarity) the claim holds
    'ask=compare&s=sentence': 0.767,
    'table:periods&dense': 0.761,       # the question's similarity to the unit the claim quotes
    'expects=person&near': 0.75,        # the same for a name the claim newly gives
    'ask=compare&s=cell': -0.747,
    'reverse&overlap_chunk': -0.745,    # share of the question's words the claim's chunk holds
    'ask=count&number': 0.729,
    'wh=how many&number': 0.729,
    'head_caption': -0.722,             # the asked-for noun matches the caption
    'sentence:then&dense': 0.721,       # the question's similarity to the unit the claim quotes
    'proximity': 0.707,                 # the most of the question's words (by rarity) within …
    'ask=count&s=sentence': 0.695,
    'wh=how many&row': -0.695,
    'wh=-&number': 0.693,
    'years_other': -0.683,              # the claim gives a year the question does not ask
    'cell&overlap': 0.678,              # share of the question's words (by rarity) the claim holds
    'ask=compare&s=extreme': 0.674,
    's=extreme': 0.674,
    'wh=why&number': -0.672,
    'asks_label': -0.664,               # the question names the label column's header
    'is_item': 0.66,                    # the claim is a list item
    'table:items&overlap': -0.657,      # share of the question's words (by rarity) the claim holds
    'sentences:ranked&overlap': -0.653, # share of the question's words (by rarity) the claim holds
    'cell&retrieval': 0.648,            # the claim's chunk's retrieval score, relative to the best
    'pieces': 0.644,                    # how many sentences or items / 5
    'whole_list': 0.636,                # the claim is a whole list, condensed
    'yesno:sentence&overlap': 0.636,    # share of the question's words (by rarity) the claim holds
    'then&expects=number': -0.634,      # the same, for a question asking a number
    'wh=how much&name': -0.631,
    'head_group': -0.626,               # the asked-for noun matches the row group
    'reverse&overlap': -0.612,          # share of the question's words (by rarity) the claim holds
    'table:caption&dense': -0.61,       # the question's similarity to the unit the claim quotes
    'ask=yesno&s=sentence': -0.598,
    's=yesno:sentence': 0.598,
    'yesno:sentence&retrieval': 0.598,  # the claim's chunk's retrieval score, relative to the best
    'table:items&dense': -0.593,        # the question's similarity to the unit the claim quotes
    's=sentences:ranked': 0.59,
    'mixed:pairs': -0.583,              # share of the question's word pairs the claim holds
    'rows&overlap': 0.574,              # share of the question's words (by rarity) the claim holds
    'mixed:first_rank': -0.573,         # 1 / (1 + the claim's chunk's place in retrieval)
    'lead_section': -0.57,              # the claim is the first sentence under its heading
    'cell&dense': -0.563,               # the question's similarity to the unit the claim quotes
    'table:periods&overlap_chunk': 0.546,# share of the question's words the claim's chunk holds
    'rows&overlap_chunk': 0.537,        # share of the question's words the claim's chunk holds
    'reverse&dense': 0.533,             # the question's similarity to the unit the claim quotes
    'ask=count&s=rows': -0.529,
    'yesno:sentence&overlap_chunk': 0.526,# share of the question's words the claim's chunk holds
    'table:caption&overlap': -0.519,    # share of the question's words (by rarity) the claim holds
    'first_rank': 0.507,                # 1 / (1 + the claim's chunk's place in retrieval)
    'ask=reason&number': 0.496,
    'table:periods&retrieval': -0.496,  # the claim's chunk's retrieval score, relative to the best
    'wh=which&date': 0.494,
    'top:dense': -0.489,                # the claim's unit is the question's most similar of all …
    'topic_retrieval': 0.474,           # the section's best retrieved chunk's score, relative to …
    'wh=how&row': 0.465,
    'mixed:names_match': 0.464,         # share of the question's capitalised names the claim holds
    'wh=who&number': -0.464,
    'extreme:rows&overlap_chunk': 0.452,# share of the question's words the claim's chunk holds
    'extreme:columns&retrieval': -0.445,# the claim's chunk's retrieval score, relative to the best
    'pairs': -0.433,                    # share of the question's word pairs the claim holds
    'rows&retrieval': 0.431,            # the claim's chunk's retrieval score, relative to the best
    'wh=whose&name': 0.43,
    'sentence:then&overlap': 0.429,     # share of the question's words (by rarity) the claim holds
    'top:overlap_near': 0.426,          # the claim with its sentence before holds the most …
    'wh=how many&date': -0.421,
    'wh=how&number': 0.414,
    'wh=when&date': 0.399,
    'wh=where&number': -0.398,
    'ask=list&number': 0.39,
    'wh=when&name': -0.386,
    'wh=whose&number': -0.38,
    'cell&overlap_chunk': -0.379,       # share of the question's words the claim's chunk holds
    's=sentences:top': 0.371,
    'ask=fact&s=rows': 0.367,
    'expects=place&near': 0.367,        # the same for a name the claim newly gives
    'yesno:sentence&dense': 0.363,      # the question's similarity to the unit the claim quotes
    'then&expects=person': -0.355,      # the same, for a question asking who
    'ask=summary&s=table': -0.334,
    'head': 0.334,                      # share of the wh-phrase's words ("which singer": sing) …
    'topic&overlap_chunk': -0.329,      # share of the question's words the claim's chunk holds
    'overlap_start': 0.328,             # share of the question's words in the claim's first words
    's=table:items': 0.328,
    's=table:periods': 0.318,
    'extreme:columns&overlap': -0.305,  # share of the question's words (by rarity) the claim holds
    'table:periods&overlap': -0.303,    # share of the question's words (by rarity) the claim holds
    'wh=whose&date': -0.303,
    's=extreme:columns': -0.294,
    'reverse&retrieval': 0.292,         # the claim's chunk's retrieval score, relative to the best
    'ask=fact&s=sentence': -0.278,
    'sentences:top&overlap': 0.272,     # share of the question's words (by rarity) the claim holds
    'ask=yesno&s=reverse': -0.271,
    's=sentences': -0.266,
    'wh=where&date': 0.266,
    'table:items&overlap_chunk': 0.264, # share of the question's words the claim's chunk holds
    'wh=whom&name': -0.263,
    'wh=-&date': -0.257,
    'ask=reason&s=sentences': 0.253,
    's=rows': -0.243,
    'wh=how much&date': -0.241,
    's=table:caption': 0.226,
    'sentences:chunk&retrieval': -0.226,# the claim's chunk's retrieval score, relative to the best
    'periods': 0.22,                    # the row's columns are periods
    's=sentence:then': -0.219,
    'then': -0.219,                     # a sentence giving no value of the asked kind with the …
    'topic&dense': -0.215,              # the question's similarity to the unit the claim quotes
    'sentences:ranked&dense': -0.201,   # the question's similarity to the unit the claim quotes
    'ask=list&s=reverse': 0.2,
    's=sentence': -0.199,
    'sentence:next&overlap': 0.191,     # share of the question's words (by rarity) the claim holds
    'wh=why&date': -0.185,
    'items': 0.182,                     # how many items the table answer lists / 12
    'sentences:top&overlap_chunk': -0.181,# share of the question's words the claim's chunk holds
    'sentence:then&retrieval': 0.177,   # the claim's chunk's retrieval score, relative to the best
    'wh=when&number': -0.177,
    'rows_named': 0.167,                # how many rows the question names / 4
    'dense_before': -0.161,             # the question's similarity to the sentence before the …
    'sentence:next&dense': 0.159,       # the question's similarity to the unit the claim quotes
    'sentences:top&dense': -0.158,      # the question's similarity to the unit the claim quotes
    'wh=what&name': 0.155,
    'sentences:top&retrieval': -0.154,  # the claim's chunk's retrieval score, relative to the best
    'extreme:columns&overlap_chunk': 0.145,# share of the question's words the claim's chunk holds
    'table:items&retrieval': 0.143,     # the claim's chunk's retrieval score, relative to the best
    'ask=fact&number': -0.142,
    's=reverse': -0.141,
    'sentences:chunk&dense': 0.128,     # the question's similarity to the unit the claim quotes
    'ask=compare&number': -0.123,
    'ask=list&s=cell': 0.12,
    'wh=whom&number': 0.116,
    'extreme:rows&overlap': 0.109,      # share of the question's words (by rarity) the claim holds
    'ask=count&s=cell': -0.106,
    'table:caption&overlap_chunk': -0.106,# share of the question's words the claim's chunk holds
    'ask=yesno&s=cell': -0.091,
    'wh=whom&date': -0.088,
    'top:overlap': 0.086,               # the claim holds the most of the question's words of all …
    'then&expects=date': -0.079,        # the same, for a question asking a date
    'ask=reason&s=rows': -0.075,
    'ask=summary&s=topic': 0.072,
    's=topic': 0.072,
    'wh=who&date': 0.065,
    'ask=count&s=table': -0.06,
    'sentence:next&retrieval': 0.057,   # the claim's chunk's retrieval score, relative to the best
    'table:caption&retrieval': 0.043,   # the claim's chunk's retrieval score, relative to the best
    'topic&retrieval': -0.041,          # the claim's chunk's retrieval score, relative to the best
    'mixed:years_match': 0.035,         # share of the question's years the claim (or its …
    'sentence&retrieval': 0.035,        # the claim's chunk's retrieval score, relative to the best
    'wh=what&number': -0.033,
    'extreme:columns&dense': -0.029,    # the question's similarity to the unit the claim quotes
    'wh=how&name': -0.028,
    'wh=what&date': -0.027,
    'ask=reason&s=sentence': 0.026,
    'next': -0.019,                     # the sentence with the one after it
    's=sentence:next': -0.019,
    'wh=-&name': -0.015,
    'lead_chunk': -0.009,               # the claim is its passage's first sentence
    'rank:overlap_near': -0.007,        # 1 / (1 + how many hold more with their sentence before)
    'rank:overlap': -0.006,             # 1 / (1 + how many candidates hold more of the …
    'chars': -0.005,                    # the claim's length / 400
    'list&series_lead': 0.004,          # list&series times the share of the question's words (by …
    'wh=which&number': -0.004,
    'wh=when&row': -0.002,
    'sentence:next&overlap_chunk': -0.001,# share of the question's words the claim's chunk holds
}
# --- end ranker ---------------------------------------------------------------------------

# --- hedge: scripts/fit_hedge.py ------------------------------------------------------
# When the first candidate is a sentence whose probability among all candidates (softmax
# of the ranker's scores) is below HEDGE, the answer gives the next best sentence beside
# it, each cited: whole when it fits, else condensed to its clauses that hold the
# question's words when at least HEDGE_ROOM characters are left; the second needs the
# support probability HEDGE_SUPPORT only (the first passed the check), or the check's
# own verdict. Trades answer length for right answers: a higher HEDGE, a lower
# HEDGE_SUPPORT, a smaller HEDGE_ROOM give more second sentences. Chosen by
# `scripts/fit_hedge.py --write` over the engine's answers to the calibration parts (the
# softmax is the ranker's: choose again after a refit): HEDGE the largest that keeps
# squad_train's median answer within 250 characters, then the triple with the most right
# answers (squad_train calibration at 0.9, 0.1, 120: 0.808 right, median 258; with the
# second sentence whole and checked as the answer is, HEDGE 0.96: 0.792 right, median
# 249).
HEDGE = 0.9
HEDGE_SUPPORT = 0.1
HEDGE_ROOM = 120
# --- end hedge ---------------------------------------------------------------------------
