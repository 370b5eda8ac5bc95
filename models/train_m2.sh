#!/bin/bash
# mnemo-m2's span head, resumable (run it again after an interruption: it goes on from the
# checkpoints until each stage has its minutes of training):
#   nohup models/train_m2.sh > models/runs/m2.log 2>&1 &
#   DEVICE=cuda STAGE1_MINUTES=5 STAGE2_MINUTES=4 STAGE3_MINUTES=3 PARTS_DIR=$OUT models/train_m2.sh   # on a GPU machine, a call at a time
# PARTS_DIR: the checkpoint being trained (about 37 MB) is also written there in 15 MiB parts,
# which a device call can bring back; here: cat spanP.pt.part-* > models/checkpoints/spanP.pt
# Stage 1 (span.pt): three fresh non-causal blocks on m2's frozen, shared token and position
# embeddings (no causal trunk blocks) with ALiBi distance biases, the question-match feature,
# lr 2e-3 (6e-3 for the new blocks), cosine to a tenth.
# Stage 2 (spanP.pt): from stage 1, the end head conditioned on the start (--end-pairs), lr 1e-3
# (3e-3 for the new layers), cosine to a tenth.
# Stages 1 and 2 see only the six training relations of span_templates.TRAIN (--open-share 0).
# Stage 3 (spanO.pt): from stage 2, half of the facts from the open relations (any of 33
# attributes in generic frames, units after numbers, words and times as values), lr 7e-4.
# The shipped weights' path (MODEL_CARD.md, "Training compute") began with 240 steps
# (10 minutes) of the default task mix before stage 1, and stage 1 had 79 minutes.
# Then:
#   /usr/bin/python3 -m models.mnemo.evaluate_span --ckpt models/checkpoints/spanO.pt --calibrate models/runs/answers.json
#   /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/spanO.pt --out models/mnemo-m2 \
#       --id mnemo-m2 --trunk-from models/mnemo-m2 --answers models/runs/answers.json
#   node models/mnemo/check_onnx.mjs models/mnemo-m2
#   /usr/bin/python3 -m models.mnemo.evaluate_span --model models/mnemo-m2
set -euo pipefail
cd "$(dirname "$0")/.."
PY="nice -n 5 /usr/bin/python3"
CK=${CKPT_DIR:-models/checkpoints}
ONE=${STAGE1_MINUTES:-80}
TWO=${STAGE2_MINUTES:-75}
THREE=${STAGE3_MINUTES:-60}
COMMON=(--mix 0.55,0.35,0.10 --max-filler 400 --threads "${THREADS:-2}" --device "${DEVICE:-cpu}")
mkdir -p $CK models/runs models/data
[ -f models/data/tokenizer.json ] || cp models/mnemo-m2/tokenizer.json models/data/tokenizer.json
minutes_done() { [ -f "$1" ] && $PY -c "import torch;print(torch.load('$1',map_location='cpu')['train_seconds']/60)" || echo 0; }
minutes_left() { /usr/bin/python3 -c "print(max(0.0, $1 - $2))"; }
in_parts() { [ -z "${PARTS_DIR:-}" ] || { mkdir -p "$PARTS_DIR"; split -b 15M -d "$1" "$PARTS_DIR/$(basename "$1").part-"; }; }

left=$(minutes_left "$ONE" "$(minutes_done $CK/span.pt)")
if [ ! -f $CK/spanP.pt ] && [ "$left" != "0.0" ]; then
  if [ -f $CK/span.pt ]; then START=(--resume); else START=(--init-from models/mnemo-m2 --causal-blocks 0 --bidi 3 --frozen-blocks 0 --alibi); fi
  $PY -m models.mnemo.train_span "${START[@]}" --ckpt $CK/span.pt --minutes "$left" --total-minutes "$ONE" --lr 2e-3 --open-share 0 "${COMMON[@]}"
  in_parts $CK/span.pt
  left=$(minutes_left "$ONE" "$(minutes_done $CK/span.pt)")
  [ "$left" = "0.0" ] || exit 0                    # stopped early (a device call's chunk): run again
fi
left=$(minutes_left "$TWO" "$(minutes_done $CK/spanP.pt)")
if [ ! -f $CK/spanO.pt ] && [ "$left" != "0.0" ]; then
  if [ -f $CK/spanP.pt ]; then START=(--resume); else START=(--init-from models/mnemo-m2 --init-span $CK/span.pt --causal-blocks 0 --bidi 3 --frozen-blocks 0 --alibi --end-pairs); fi
  $PY -m models.mnemo.train_span "${START[@]}" --ckpt $CK/spanP.pt --minutes "$left" --total-minutes "$TWO" --lr 1e-3 --open-share 0 "${COMMON[@]}"
  in_parts $CK/spanP.pt
  left=$(minutes_left "$TWO" "$(minutes_done $CK/spanP.pt)")
  [ "$left" = "0.0" ] || exit 0
fi
left=$(minutes_left "$THREE" "$(minutes_done $CK/spanO.pt)")
[ "$left" != "0.0" ] || { echo "all three stages done"; exit 0; }
if [ -f $CK/spanO.pt ]; then START=(--resume); else START=(--init-from models/mnemo-m2 --init-span $CK/spanP.pt --causal-blocks 0 --bidi 3 --frozen-blocks 0 --alibi --end-pairs); fi
$PY -m models.mnemo.train_span "${START[@]}" --ckpt $CK/spanO.pt --minutes "$left" --total-minutes "$THREE" --lr 7e-4 --open-share 0.5 "${COMMON[@]}"
in_parts $CK/spanO.pt
