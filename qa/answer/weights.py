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
# and held-out. Positive weights favour a candidate. Last: then&expects=date,
# then&expects=number, then&expects=person, then&expects=place, sentence:then&dense,
# sentence:then&overlap, sentence:then&overlap_chunk, sentence:then&retrieval,
# s=sentences:ranked, sentences:ranked&dense, sentences:ranked&overlap,
# sentences:ranked&overlap_chunk, sentences:ranked&retrieval alone (`fit --only`), the
# others held as they were. Top-1 right of all, before -> after the fit: seed_dev calib
# 1.000 -> 1.000; seed_dev heldout 1.000 -> 1.000; tatqa_dev calib 0.925 -> 0.925;
# tatqa_dev heldout 0.886 -> 0.886; squad_train calib 0.763 -> 0.764; squad_train
# heldout 0.802 -> 0.802; engine_analysis calib 0.933 -> 0.933; engine_analysis heldout
# 0.727 -> 0.727; engine_report calib 0.960 -> 0.960; engine_report heldout 1.000 ->
# 1.000; support calib 0.896 -> 0.896; support heldout 0.810 -> 0.810; engine_lists
# calib 0.769 -> 0.769; engine_lists heldout 0.750 -> 0.750; engine_yesno calib 0.700 ->
# 0.700; engine_yesno heldout 0.357 -> 0.357; engine_mine calib 0.828 -> 0.828;
# engine_mine heldout 1.000 -> 1.000; engine_followups calib 0.800 -> 0.800;
# engine_followups heldout 0.800 -> 0.800; engine_subject calib 0.800 -> 0.800;
# engine_subject heldout 0.727 -> 0.727; engine_subject_dev calib 0.667 -> 0.667;
# engine_subject_dev heldout 0.667 -> 0.667.
RANKER: dict[str, float] = {
    'dense_chunk': -4.493,              # a sentence's similarity minus that of its passage as a …
    'label_match': 4.125,               # share of the row's label the question holds
    'head_period': 3.71,                # the asked-for noun is a period (years) and the columns …
    'column_match': 3.677,              # share of the named column's header the question holds
    'total_named': 3.034,               # the question names the total row of the items listed
    'sentence&dense': 2.936,            # the question's similarity to the unit the claim quotes
    'topic_near': 2.773,                # how near a summary's topic words are to the section's …
    'plural&claims': 2.726,             # claims / 5 when the question asks for something plural
    'dense': 2.574,                     # the question's similarity to the unit the claim quotes
    'dense_gap': 2.574,                 # that similarity minus the best of any retrieved unit
    'expects=date&date': 2.546,         # a question asking a date (when, what year) and a claim …
    'overlap_chunk': 2.394,             # share of the question's words the claim's chunk holds
    'footnote': 2.204,                  # the sentence is the footnote of a row or column the …
    'mixed:retrieval': -2.153,          # the claim's chunk's retrieval score, relative to the best
    'label_words': -2.121,              # how many label words the question holds / 4
    's=cell': -2.111,
    'head_other': -1.872,               # the asked-for noun is a noun other than a period …
    'wh=how much&row': -1.802,
    'rows&dense': -1.766,               # the question's similarity to the unit the claim quotes
    'novel': 1.754,                     # share of the claim's words the question lacks
    'ask=summary&number': -1.697,
    'retrieval': 1.692,                 # the claim's chunk's retrieval score, relative to the best
    'sentences:ranked&retrieval': 1.685,# the claim's chunk's retrieval score, relative to the best
    'wh=-&row': -1.566,
    'years_match': 1.515,               # share of the question's years the claim (or its …
    'overlap_near': 1.497,              # share of the question's words the claim and the …
    'rows_left': -1.493,                # share of the rows the question names that a one-row …
    'ask=list&s=table': 1.447,
    'ask=fact&s=cell': -1.409,
    'rank:pairs': -1.387,               # 1 / (1 + how many candidates hold more of the …
    'top:pairs': 1.387,                 # the claim holds the most of the question's word pairs …
    'topic_found': 1.385,               # how many of the best four retrieved chunks stand in the …
    'row_named': -1.371,                # the best share of a row label the question holds
    'mixed:overlap_chunk': 1.344,       # share of the question's words the claim's chunk holds
    'q_table': 1.283,                   # the question names the table
    'table:items&overlap': -1.278,      # share of the question's words (by rarity) the claim holds
    'expects=number&near': 1.24,        # the same for a number the claim newly gives
    'ask=list&s=sentences': -1.22,
    'cell&retrieval': 1.214,            # the claim's chunk's retrieval score, relative to the best
    'group_named': 1.198,               # the question names the row group listed
    'ask=reason&s=cell': 1.188,
    'ask=summary&s=sentences': 1.188,
    'wh=who&name': 1.182,
    'rank:dense': 1.166,                # 1 / (1 + how many candidates' units are more similar to …
    'wh=which&name': 1.164,
    'value_match': 1.135,               # share of the cell value the question holds (reverse …
    'extreme:rows&dense': 1.129,        # the question's similarity to the unit the claim quotes
    'sentences:ranked&overlap': -1.126, # share of the question's words (by rarity) the claim holds
    'sentence:then&overlap_chunk': 1.089,# share of the question's words the claim's chunk holds
    'mixed:dense': 1.08,                # the question's similarity to the unit the claim quotes
    'mixed:dense_gap': 1.08,            # that similarity minus the best of any retrieved unit
    'wh=which&row': 1.056,
    's=table': 1.014,
    'expects=person&name': 0.987,       # a question asking who and a claim with a name it does …
    'ask=fact&s=rows': 0.986,
    'values': 0.986,                    # how many values were compared / 12
    'mixed:overlap': -0.982,            # share of the question's words (by rarity) the claim holds
    's=table:items': 0.952,
    'mixed:overlap_start': 0.938,       # share of the question's words in the claim's first words
    'wh=when&number': 0.933,
    'chunks': -0.932,                   # how many cited chunks / 5
    'ask=yesno&s=yesno': 0.929,
    's=yesno': 0.929,
    'ask=list&s=sentence': -0.909,
    's=extreme:rows': 0.904,
    'wh=how&date': -0.899,
    'wh=what&row': -0.881,
    'pairs_near': 0.87,                 # share of the question's word pairs the claim and the …
    'names_match': -0.868,              # share of the question's capitalised names the claim holds
    'ask=count&s=sentence': 0.861,
    'wh=how many&row': -0.861,
    'proximity': 0.852,                 # the most of the question's words (by rarity) within …
    'topic_retrieval': 0.835,           # the section's best retrieved chunk's score, relative to …
    'wh=where&date': 0.789,
    'head_caption': -0.787,             # the asked-for noun matches the caption
    'overlap': 0.78,                    # share of the question's words (by rarity) the claim holds
    'ask=compare&s=cell': -0.769,
    'wh=how many&name': -0.763,
    'table:items&dense': -0.761,        # the question's similarity to the unit the claim quotes
    'sentence:next&overlap': 0.757,     # share of the question's words (by rarity) the claim holds
    'is_item': 0.754,                   # the claim is a list item
    'stated': 0.751,                    # share of the question's words the yes/no sentence states
    'sentence:next&dense': 0.749,       # the question's similarity to the unit the claim quotes
    'whole_list': 0.749,                # the claim is a whole list, condensed
    's=topic': 0.748,
    'ask=compare&s=rows': -0.735,
    'cell&dense': -0.724,               # the question's similarity to the unit the claim quotes
    's=sentences:chunk': -0.697,
    'ask=compare&s=extreme': 0.694,
    's=extreme': 0.694,
    'sentence&overlap': 0.692,          # share of the question's words (by rarity) the claim holds
    'then&expects=place': 0.685,        # the same, for a question asking where
    'sentences:top&overlap': -0.682,    # share of the question's words (by rarity) the claim holds
    'expects=number&number': 0.679,     # a question asking a number (how many, how long) and a …
    'wh=how&row': 0.679,
    's=sentences:ranked': 0.668,
    'sentence:then&dense': 0.664,       # the question's similarity to the unit the claim quotes
    'years_other': -0.641,              # the claim gives a year the question does not ask
    'wh=why&number': -0.64,
    's=table:periods': 0.636,
    'ask=compare&s=sentence': 0.632,
    'sentences:ranked&overlap_chunk': 0.63,# share of the question's words the claim's chunk holds
    'wh=whom&number': -0.629,
    'claims': 0.625,                    # how many claims / 5
    'expects=person&near': 0.62,        # the same for a name the claim newly gives
    'ask=fact&s=reverse': 0.617,
    'wh=how many&date': -0.615,
    'asks_label': -0.607,               # the question names the label column's header
    'head': 0.602,                      # share of the wh-phrase's words ("which singer": sing) …
    'expects=date&near': 0.597,         # of the question's words, the most (by rarity) within …
    'wh=where&number': -0.584,
    'extreme:rows&retrieval': -0.581,   # the claim's chunk's retrieval score, relative to the best
    'ask=summary&s=table': -0.574,
    's=table:caption': -0.574,
    'sentence:next&overlap_chunk': 0.537,# share of the question's words the claim's chunk holds
    'wh=when&date': -0.535,
    'yesno:sentence&retrieval': 0.531,  # the claim's chunk's retrieval score, relative to the best
    'ask=yesno&s=sentence': -0.515,
    'sentence:next&retrieval': 0.513,   # the claim's chunk's retrieval score, relative to the best
    'cell&overlap_chunk': -0.511,       # share of the question's words the claim's chunk holds
    's=yesno:sentence': 0.511,
    'mixed:pairs': -0.501,              # share of the question's word pairs the claim holds
    's=sentences:top': 0.5,
    'ask=reason&number': 0.498,
    'lead_doc': 0.497,                  # the claim is its document's first sentence (it names …
    'ask=list&s=reverse': 0.496,
    'columns_named': 0.493,             # the question names a column
    'wh=how much&number': 0.487,
    'ask=count&s=rows': -0.48,
    'sentences:top&retrieval': 0.48,    # the claim's chunk's retrieval score, relative to the best
    'then&expects=number': -0.478,      # the same, for a question asking a number
    'expects=place&name': 0.47,         # a question asking where and a claim with a name it does …
    'wh=where&name': 0.47,
    'sentence:then&overlap': 0.467,     # share of the question's words (by rarity) the claim holds
    'sentences:chunk&overlap': 0.462,   # share of the question's words (by rarity) the claim holds
    'ask=list&s=rows': 0.46,
    'rows&overlap_chunk': 0.447,        # share of the question's words the claim's chunk holds
    'table:periods&dense': 0.438,       # the question's similarity to the unit the claim quotes
    'pieces': 0.431,                    # how many sentences or items / 5
    'yesno:sentence&overlap_chunk': 0.43,# share of the question's words the claim's chunk holds
    'yesno:sentence&overlap': 0.424,    # share of the question's words (by rarity) the claim holds
    'wh=who&date': -0.423,
    'topic&overlap': -0.419,            # share of the question's words (by rarity) the claim holds
    'wh=-&name': 0.417,
    'extreme:columns&retrieval': -0.416,# the claim's chunk's retrieval score, relative to the best
    'wh=whom&date': 0.409,
    'wh=-&number': -0.405,
    'table:caption&retrieval': -0.401,  # the claim's chunk's retrieval score, relative to the best
    'table:items&overlap_chunk': 0.4,   # share of the question's words the claim's chunk holds
    'sentences:chunk&overlap_chunk': 0.399,# share of the question's words the claim's chunk holds
    'overlap_start': 0.388,             # share of the question's words in the claim's first words
    'yesno:sentence&dense': 0.379,      # the question's similarity to the unit the claim quotes
    'wh=how&number': -0.372,
    'rows_named': 0.37,                 # how many rows the question names / 4
    'top:overlap_near': 0.367,          # the claim with its sentence before holds the most …
    'wh=-&date': -0.367,
    'extreme:rows&overlap_chunk': 0.357,# share of the question's words the claim's chunk holds
    'table:caption&dense': -0.355,      # the question's similarity to the unit the claim quotes
    'wh=why&row': -0.352,
    'ask=count&s=cell': -0.346,
    'wh=which&number': 0.344,
    'table:periods&overlap_chunk': 0.34,# share of the question's words the claim's chunk holds
    'wh=how much&name': -0.332,
    'ask=yesno&s=reverse': -0.331,
    'mixed:names_match': 0.331,         # share of the question's capitalised names the claim holds
    'extreme:columns&overlap': -0.329,  # share of the question's words (by rarity) the claim holds
    'first_rank': 0.328,                # 1 / (1 + the claim's chunk's place in retrieval)
    'sentence&overlap_chunk': -0.325,   # share of the question's words the claim's chunk holds
    'topic&overlap_chunk': 0.308,       # share of the question's words the claim's chunk holds
    's=sentence': -0.3,
    'then&expects=date': -0.295,        # the same, for a question asking a date
    'ask=list&number': 0.294,
    'head_group': -0.282,               # the asked-for noun matches the row group
    'ask=list&s=cell': -0.274,
    'wh=whom&name': -0.269,
    'wh=how much&date': -0.266,
    's=sentences': -0.262,
    'table:caption&overlap_chunk': 0.262,# share of the question's words the claim's chunk holds
    'top:dense': -0.261,                # the claim's unit is the question's most similar of all …
    'periods': 0.26,                    # the row's columns are periods
    'items': -0.259,                    # how many items the table answer lists / 12
    'sentences:top&overlap_chunk': -0.255,# share of the question's words the claim's chunk holds
    'wh=whose&number': -0.249,
    'sentence&retrieval': 0.244,        # the claim's chunk's retrieval score, relative to the best
    'reverse&overlap_chunk': -0.243,    # share of the question's words the claim's chunk holds
    'then&expects=person': -0.241,      # the same, for a question asking who
    'ask=fact&s=sentence': -0.235,
    'extreme:columns&overlap_chunk': 0.235,# share of the question's words the claim's chunk holds
    'mixed:first_rank': -0.235,         # 1 / (1 + the claim's chunk's place in retrieval)
    'ask=reason&s=sentences': -0.23,
    'reverse&overlap': -0.224,          # share of the question's words (by rarity) the claim holds
    'table:periods&retrieval': -0.211,  # the claim's chunk's retrieval score, relative to the best
    's=extreme:columns': -0.21,
    'extreme:rows&overlap': 0.208,      # share of the question's words (by rarity) the claim holds
    'table:caption&overlap': 0.205,     # share of the question's words (by rarity) the claim holds
    'rank:overlap': 0.199,              # 1 / (1 + how many candidates hold more of the …
    'topic&dense': 0.185,               # the question's similarity to the unit the claim quotes
    'rows&retrieval': 0.183,            # the claim's chunk's retrieval score, relative to the best
    'cell&overlap': 0.181,              # share of the question's words (by rarity) the claim holds
    'topic&retrieval': 0.181,           # the claim's chunk's retrieval score, relative to the best
    's=reverse': -0.173,
    'next': 0.172,                      # the sentence with the one after it
    's=sentence:next': 0.172,
    's=rows': 0.168,
    'ask=compare&number': -0.161,
    'wh=what&name': 0.161,
    'sentences:ranked&dense': -0.155,   # the question's similarity to the unit the claim quotes
    'wh=what&date': -0.152,
    'wh=who&number': 0.151,
    'wh=whose&date': -0.146,
    'rank:overlap_near': 0.139,         # 1 / (1 + how many hold more with their sentence before)
    'ask=reason&s=sentence': -0.135,
    'pairs': -0.135,                    # share of the question's word pairs the claim holds
    'reverse&retrieval': -0.133,        # the claim's chunk's retrieval score, relative to the best
    'wh=when&name': -0.133,
    'ask=count&number': 0.131,
    'wh=how many&number': 0.131,
    'rows&overlap': 0.13,               # share of the question's words (by rarity) the claim holds
    'wh=what&number': -0.108,
    'lead_chunk': 0.107,                # the claim is its passage's first sentence
    'table:items&retrieval': -0.106,    # the claim's chunk's retrieval score, relative to the best
    'sentences:chunk&dense': 0.104,     # the question's similarity to the unit the claim quotes
    'sentence:then&retrieval': 0.102,   # the claim's chunk's retrieval score, relative to the best
    'yesno:cell&retrieval': 0.101,      # the claim's chunk's retrieval score, relative to the best
    's=yesno:cell': 0.099,
    'wh=why&date': 0.091,
    'ask=yesno&s=cell': -0.084,
    'yesno:cell&overlap': 0.084,        # share of the question's words (by rarity) the claim holds
    'yesno:cell&overlap_chunk': 0.084,  # share of the question's words the claim's chunk holds
    'wh=which&date': 0.079,
    'yesno:cell&dense': 0.078,          # the question's similarity to the unit the claim quotes
    'table:periods&overlap': -0.077,    # share of the question's words (by rarity) the claim holds
    'chars': -0.075,                    # the claim's length / 400
    'wh=whose&name': 0.075,
    'wh=how&name': -0.071,
    'sentences:top&dense': 0.07,        # the question's similarity to the unit the claim quotes
    'dense_before': -0.068,             # the question's similarity to the sentence before the …
    'ask=reason&s=rows': -0.063,
    'extreme:columns&dense': 0.055,     # the question's similarity to the unit the claim quotes
    'expects=place&near': 0.048,        # the same for a name the claim newly gives
    'lead_section': 0.042,              # the claim is the first sentence under its heading
    'ask=count&s=table': -0.036,
    'wh=why&name': -0.03,
    'ask=yesno&number': -0.025,
    'top:overlap': -0.024,              # the claim holds the most of the question's words of all …
    'ask=fact&number': 0.018,
    'sentences:chunk&retrieval': -0.015,# the claim's chunk's retrieval score, relative to the best
    'mixed:years_match': 0.011,         # share of the question's years the claim (or its …
    'wh=when&row': -0.01,
    'reverse&dense': 0.006,             # the question's similarity to the unit the claim quotes
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
# answers (squad_train calibration at 0.9, 0.1, 120: 0.791 right, median 248; with the
# second sentence whole and checked as the answer is, HEDGE 0.98: 0.773 right, median
# 250).
HEDGE = 0.9
HEDGE_SUPPORT = 0.1
HEDGE_ROOM = 120
# --- end hedge ---------------------------------------------------------------------------
