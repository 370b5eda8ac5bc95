#!/bin/bash
# CI: proves that corpus gathering, tokenizer training, model training, ONNX export and
# Python/ONNX parity (the span graph included) all still work, from scratch: 93 s measured on
# 2 CPU cores at load average 3 (215 s when the machine was saturated, load ~15).
# The result is a (useless but contract-correct) model folder in build/model-ci/:
#   models/ci_check.sh && MNEMO_MODEL_DIR=build/model-ci npm test
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
D=build/ci-data
OUT=build/model-ci
start=$(date +%s)
$PY -m models.mnemo.corpus --small --out $D/corpus
$PY -m models.mnemo.tokenizer --corpus $D/corpus/train.jsonl --out $D/tokenizer.json --vocab 2048 --sample-mb 1
$PY -m models.mnemo.tokenizer --corpus $D/corpus/train.jsonl --out $D/tokenizer.json --dump-check 50
node models/mnemo/check_tokenizer.mjs $D/tokenizer.json $D/tok_check.jsonl
$PY -m models.mnemo.train --config tiny --minutes 1.0 --corpus $D/corpus/train.jsonl \
    --tokenizer $D/tokenizer.json --ckpt $D/tiny.pt
# the span head of the shipped design (no causal blocks, non-causal blocks with ALiBi, the end
# given the start) on the tiny trunk, a few steps: proves span training, export and parity
$PY -m models.mnemo.train_span --init-ckpt $D/tiny.pt --causal-blocks 0 --bidi 2 --alibi --end-pairs --frozen-blocks 0 --minutes 0.2 --batch 4 --val 8 \
    --corpus $D/corpus/train.jsonl --corpus-mb 1 --tokenizer $D/tokenizer.json --ckpt $D/span.pt
rm -rf $OUT
$PY -m models.mnemo.export --ckpt $D/span.pt --out $OUT --tokenizer $D/tokenizer.json --id mnemo-ci --version ci-1
# exported again with a new version and the same reader: saved memories stay valid (memoryVersion)
$PY -m models.mnemo.export --ckpt $D/span.pt --out $OUT --tokenizer $D/tokenizer.json --id mnemo-ci --version ci-2
$PY -c "import json,sys; m=json.load(open('$OUT/model.json')); sys.exit(0 if (m['version'], m['memoryVersion']) == ('ci-2', 'ci-1') else 'memoryVersion: ' + str(m.get('memoryVersion')))"
node models/mnemo/check_onnx.mjs $OUT
echo "ci_check OK in $(( $(date +%s) - start )) s"
