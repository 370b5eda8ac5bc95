#!/bin/bash
# mnemo-m2's span head, resumable (run it again after an interruption: it goes on from the
# checkpoint until TOTAL_MINUTES of training in all):
#   nohup models/train_m2.sh > models/runs/m2.log 2>&1 &
#   DEVICE=cuda TOTAL_MINUTES=9 PARTS_DIR=$OUT models/train_m2.sh   # on a GPU machine, one chunk a call
# PARTS_DIR: the checkpoint (about 37 MB) is also written there in 15 MiB parts, which a device
# call can bring back; here: cat span.pt.part-* > models/checkpoints/span.pt
# The span reader: three fresh non-causal blocks on m2's frozen, shared token and position
# embeddings (no causal trunk blocks) with ALiBi distance biases, the question-match feature, lr 2e-3 (6e-3 for the new
# blocks), cosine to a tenth. The shipped weights' path (MODEL_CARD.md, "Training compute")
# began with 240 steps (10 minutes) of the default task mix before this one.
# Then:
#   /usr/bin/python3 -m models.mnemo.evaluate_span --ckpt models/checkpoints/span.pt --calibrate models/runs/answers.json
#   /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/span.pt --out models/mnemo-m2 \
#       --id mnemo-m2 --trunk-from models/mnemo-m2 --answers models/runs/answers.json
#   /usr/bin/python3 -m models.mnemo.evaluate_span --model models/mnemo-m2
set -euo pipefail
cd "$(dirname "$0")/.."
PY="nice -n 5 /usr/bin/python3"
CK=${CKPT_DIR:-models/checkpoints}
TOTAL=${TOTAL_MINUTES:-110}
mkdir -p $CK models/runs models/data
[ -f models/data/tokenizer.json ] || cp models/mnemo-m2/tokenizer.json models/data/tokenizer.json
if [ -f $CK/span.pt ]; then
  START=(--resume)
  done_min=$($PY -c "import torch;print(torch.load('$CK/span.pt',map_location='cpu')['train_seconds']/60)")
else
  START=(--init-from models/mnemo-m2 --causal-blocks 0 --bidi 3 --frozen-blocks 0 --alibi)
  done_min=0
fi
left=$(/usr/bin/python3 -c "print(max(0.5, $TOTAL - $done_min))")
$PY -m models.mnemo.train_span "${START[@]}" --ckpt $CK/span.pt --minutes "$left" --total-minutes "$TOTAL" \
    --lr 2e-3 --mix 0.55,0.35,0.10 --max-filler 400 --threads "${THREADS:-2}" --device "${DEVICE:-cpu}"
if [ -n "${PARTS_DIR:-}" ]; then
  mkdir -p "$PARTS_DIR"
  split -b 15M -d "$CK/span.pt" "$PARTS_DIR/span.pt.part-"
fi
