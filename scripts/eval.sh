#!/usr/bin/env bash
# Reproduce the scorer's figures (../shared/eval/score.py against a real `qa serve`):
# the analysis with seed_dev.jsonl and the probe sets of tests/probes/, the TAT-QA dev
# corpus with its set.jsonl (questions scoped by doc), and the SQuAD articles with theirs.
# Each corpus is built fresh into OUTDIR first.
#
#   scripts/eval.sh [OUTDIR] [SET ...]   OUTDIR defaults to a new temporary folder; SETs
#                                        (seed_dev tatqa_dev squad_train engine_analysis
#                                        engine_report engine_lists engine_mine engine_yesno
#                                        engine_subject engine_subject_dev
#                                        engine_followups
#                                        engine_article support) default to
#                                        all of them
#
# Prints one JSON summary line per set, then its calibration and held-out parts
# (scripts/split_scores.py), and writes the scorer's rows to OUTDIR/<set>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${QA_EVAL_DIR:-../shared/eval}
OUT=${1:-$(mktemp -d -t qa-eval-XXXXXX)}
QA=$(pwd)/.venv/bin/qa
mkdir -p "$OUT"

shift $(( $# > 0 ? 1 : 0 ))
WANT=${*:-seed_dev engine_analysis support engine_report engine_lists engine_mine engine_yesno engine_followups engine_subject_dev engine_article tatqa_dev squad_train engine_subject}

score() {  # score NAME CORPUS SET: build the corpus once per folder, score, split
    local name=$1 corpus=$2 set=$3 index=$OUT/index-$(echo "$2" | tr -c 'A-Za-z0-9\n' '_')
    [[ " $WANT " == *" $name "* ]] || return 0
    if [ ! -f "$index/CURRENT" ]; then
        echo "== $name: build $corpus" >&2
        "$QA" build --corpus "$corpus" --index "$index" >&2
    fi
    echo "== $name: score $set" >&2
    python3 "$EVAL/score.py" "$set" --k 5 --quiet --json "$OUT/$name.json" \
        --serve "$(printf '%q ' "$QA" serve --corpus "$corpus" --index "$index") --port {port}"
    .venv/bin/python scripts/split_scores.py "$set" "$OUT/$name.json" --name "$name"
}

score seed_dev corpus "$EVAL/seed_dev.jsonl"
score engine_analysis corpus tests/probes/engine_analysis.jsonl
score support corpus tests/probes/support.jsonl
score engine_report tests/reports tests/probes/engine_report.jsonl
score engine_lists tests/articles_dev/lists tests/probes/engine_lists.jsonl
score engine_mine tests/articles_dev/mine tests/probes/engine_mine.jsonl
score engine_yesno tests/articles_dev/yesno tests/probes/engine_yesno.jsonl
score engine_followups tests/articles_dev tests/probes/engine_followups.jsonl
score engine_subject_dev tests/articles_dev tests/probes/engine_subject_dev.jsonl
score engine_article tests/articles tests/probes/engine_article.jsonl
score tatqa_dev "$EVAL/tatqa_dev/corpus" "$EVAL/tatqa_dev/set.jsonl"
score squad_train "$EVAL/squad_train/corpus" "$EVAL/squad_train/set.jsonl"
score engine_subject "$EVAL/squad_train/corpus" tests/probes/engine_subject.jsonl
echo "results in $OUT" >&2
