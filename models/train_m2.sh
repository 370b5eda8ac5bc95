#!/bin/bash
# mnemo-m2's span head on one CPU thread, ~55 wall minutes, resumable:
#   nohup models/train_m2.sh > models/runs/m2.log 2>&1 &
# 1. the same 4 minutes (same seed, same data) with 0 and with 1 non-causal block on the causal
#    trunk; 2. the one with the better validation exact match goes on (--resume) to the end.
# Run again after an interruption: finished phases are skipped, the last one resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="nice -n 5 /usr/bin/python3"
CK=models/checkpoints
TOTAL=${TOTAL_MINUTES:-50}
mkdir -p $CK models/runs
[ -f models/data/tokenizer.json ] || $PY -m models.mnemo.tokenizer --keep-vocab models/mnemo-m1/tokenizer.json
for b in 0 1; do
  [ -f $CK/span-ab$b.pt ] || $PY -m models.mnemo.train_span --init-from models/mnemo-m1 --bidi $b \
      --minutes 4 --total-minutes $TOTAL --ckpt $CK/span-ab$b.pt --seed 0
done
if [ ! -f $CK/span.pt ]; then
  best=$($PY - <<'PY'
import torch
v = {b: torch.load(f'models/checkpoints/span-ab{b}.pt', map_location='cpu')['val']['val_em'] for b in (0, 1)}
print(f'A/B validation exact match: causal only {v[0]:.3f}, with a non-causal block {v[1]:.3f}', file=__import__('sys').stderr)
print(1 if v[1] >= v[0] else 0)
PY
)
  cp $CK/span-ab$best.pt $CK/span.pt
  echo "continuing with --bidi $best"
fi
done_min=$($PY -c "import torch;print(torch.load('$CK/span.pt',map_location='cpu')['train_seconds']/60)")
left=$(/usr/bin/python3 -c "print(max(0.5, $TOTAL - $done_min))")
$PY -m models.mnemo.train_span --resume --ckpt $CK/span.pt --minutes $left --total-minutes $TOTAL
