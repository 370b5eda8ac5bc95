#!/bin/bash
# mnemo-m2's span head on one CPU thread, resumable:
#   nohup models/train_m2.sh > models/runs/m2.log 2>&1 &
# 1. A/B (skipped when BIDI=0|1 is given): the same number of steps, seed and data with 0 and with
#    1 non-causal block on the causal trunk; 2. the better one by validation exact match goes on
#    (--resume) until TOTAL_MINUTES of training in all. Run again after an interruption: finished
#    phases are skipped, the last one resumes.
# The shipped weights took a longer path (MODEL_CARD.md "Training compute"): a 4-minute A/B,
# 404 steps with 1 non-causal block before the question-match feature existed, then 24 minutes
# with it (--init-span).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="nice -n 5 /usr/bin/python3"
CK=models/checkpoints
TOTAL=${TOTAL_MINUTES:-50}
AB_STEPS=${AB_STEPS:-60}
mkdir -p $CK models/runs
[ -f models/data/tokenizer.json ] || cp models/mnemo-m2/tokenizer.json models/data/tokenizer.json
if [ ! -f $CK/span.pt ]; then
  if [ -z "${BIDI:-}" ]; then
    for b in 0 1; do
      [ -f $CK/span-ab$b.pt ] || $PY -m models.mnemo.train_span --init-from models/mnemo-m2 --bidi $b \
          --max-steps $AB_STEPS --minutes 30 --total-minutes $TOTAL --ckpt $CK/span-ab$b.pt --seed 0
    done
    BIDI=$($PY - <<'PY'
import sys, torch
c = {b: torch.load(f'models/checkpoints/span-ab{b}.pt', map_location='cpu') for b in (0, 1)}
print('A/B: ' + '; '.join(f'{b} non-causal blocks: val exact {c[b]["val"]["val_em"]:.3f} at step {c[b]["step"]}' for b in c), file=sys.stderr)
print(1 if c[1]['val']['val_em'] >= c[0]['val']['val_em'] else 0)
PY
)
    cp $CK/span-ab$BIDI.pt $CK/span.pt
  else
    $PY -m models.mnemo.train_span --init-from models/mnemo-m2 --bidi $BIDI --max-steps 1 --ckpt $CK/span.pt
  fi
  echo "continuing with --bidi $BIDI"
fi
done_min=$($PY -c "import torch;print(torch.load('$CK/span.pt',map_location='cpu')['train_seconds']/60)")
left=$(/usr/bin/python3 -c "print(max(0.5, $TOTAL - $done_min))")
$PY -m models.mnemo.train_span --resume --ckpt $CK/span.pt --minutes $left --total-minutes $TOTAL
