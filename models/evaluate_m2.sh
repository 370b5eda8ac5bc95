#!/bin/bash
# Every figure of a model card's evaluation, from a model folder, in one command:
#   models/evaluate_m2.sh                      # models/mnemo-m2, into .cache/eval/mnemo-m2
#   MODEL=models/other OUT=/tmp/eval models/evaluate_m2.sh
# What it runs (each writes one file of OUT; the card's "Goals" table names which):
#   span.txt      the span head given passages of KJV text (models/mnemo/evaluate_span.py; its
#                 figures also in eval_span.json, answered / above / below at model.json's
#                 answers.spanThreshold)
#   keys.txt/json code search over the test repositories, keys / BM25 / fused, key health
#                 (models/mnemo/keys/evaluate.py; a dev package that eval:qa --sets dev fetches
#                 from the npm registry is left out until then, with a line on stderr)
#   parity.txt    PyTorch against onnxruntime-node for every graph, and reading speed
#                 (models/mnemo/check_onnx.mjs)
#   wordings.md   span answers on fact wordings no evaluation or tuning uses (bench/qa/wordings.ts)
#   qa.md         the product's evaluation through the engine: code, planted facts at 4k to 10M
#                 (also by wording), bAbI QA1/QA2 at 16k to 1M, natural questions
#                 (bench/qa/main.ts; its memories are cached in .cache/bench, and reading the
#                 10M haystack takes about 6 minutes on 2 cores the first time)
# It needs Debian's python3-torch and python3-numpy, and the books of models/heldout.json and
# bench/qa/natural (bible-kjv, linux-doc, gnu-standards, debian-reference-en, debian-handbook):
# see README.md. A missing book is skipped by eval:qa with one line, not silently.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-models/mnemo-m2}
OUT=${OUT:-.cache/eval/$(basename "$MODEL")}
PY=/usr/bin/python3
mkdir -p "$OUT"
for m in torch numpy; do
  $PY -c "import $m" 2>/dev/null || { echo "evaluate_m2: $PY cannot import $m (apt-get install python3-$m)" >&2; exit 1; }
done
step() { echo "[$(date +%H:%M:%S)] $1" >&2; }

step "building"
npm run --silent build
step "span head on KJV passages -> $OUT/span.txt"
$PY -m models.mnemo.evaluate_span --model "$MODEL" --n 200 --seed 0 --out "$OUT/eval_span.json" > "$OUT/span.txt"
step "code search: keys, BM25, fused -> $OUT/keys.txt"
$PY -m models.mnemo.keys.evaluate --model "$MODEL" --out "$OUT/keys.json" > "$OUT/keys.txt"
step "ONNX parity and reading speed -> $OUT/parity.txt"
node models/mnemo/check_onnx.mjs "$MODEL" > "$OUT/parity.txt"
step "unseen fact wordings -> $OUT/wordings.md"
node out/bench/qa/wordings.js --model "$MODEL" > "$OUT/wordings.md"
step "the product's evaluation -> $OUT/qa.md"
rm -f "$OUT/qa.md"
node out/bench/qa/main.js --model "$MODEL" --sizes 4k,128k,1M,10M --out "$OUT/qa.md"
step "done: $OUT"
