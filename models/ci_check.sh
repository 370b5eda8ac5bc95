#!/bin/bash
# CI: proves that corpus gathering, tokenizer training, model training, ONNX export and
# Python/ONNX parity all still work, from scratch, in about 3 minutes on 2 CPU cores.
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
$PY -m models.mnemo.train --config tiny --minutes 1.2 --corpus $D/corpus/train.jsonl \
    --tokenizer $D/tokenizer.json --ckpt $D/tiny.pt
rm -rf $OUT
$PY -m models.mnemo.export --ckpt $D/tiny.pt --out $OUT --tokenizer $D/tokenizer.json --id mnemo-ci
node models/mnemo/check_onnx.mjs $OUT
echo "ci_check OK in $(( $(date +%s) - start )) s"
