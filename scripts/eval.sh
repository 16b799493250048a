#!/usr/bin/env bash
# Reproduce the scorer's figures (../shared/eval/score.py against a real `qa serve`):
# the analysis with seed_dev.jsonl, and the TAT-QA dev corpus with its set.jsonl
# (questions scoped by doc). Each corpus is built fresh into OUTDIR first.
#
#   scripts/eval.sh [OUTDIR]        OUTDIR defaults to a new temporary folder
#
# Prints one JSON summary line per set and writes them (with every row) to
# OUTDIR/seed_dev.json and OUTDIR/tatqa_dev.json.
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${QA_EVAL_DIR:-../shared/eval}
OUT=${1:-$(mktemp -d -t qa-eval-XXXXXX)}
QA=$(pwd)/.venv/bin/qa
mkdir -p "$OUT"

score() {  # score NAME CORPUS SET
    local name=$1 corpus=$2 set=$3 index=$OUT/index-$1
    echo "== $name: build $corpus" >&2
    "$QA" build --corpus "$corpus" --index "$index" >&2
    echo "== $name: score $set" >&2
    python3 "$EVAL/score.py" "$set" --k 5 --quiet --json "$OUT/$name.json" \
        --serve "$(printf '%q ' "$QA" serve --corpus "$corpus" --index "$index") --port {port}"
}

score seed_dev corpus "$EVAL/seed_dev.jsonl"
score tatqa_dev "$EVAL/tatqa_dev/corpus" "$EVAL/tatqa_dev/set.jsonl"
echo "results in $OUT" >&2
