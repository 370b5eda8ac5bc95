"""Train Mnemo: LM across segments + InfoNCE retrieval + answer generation, with a curriculum
over the number of segments (1 -> 2 -> 4 -> 8). Runs in time-boxed chunks and resumes.

    # data and tokenizer (once)
    /usr/bin/python3 -m models.mnemo.corpus
    /usr/bin/python3 -m models.mnemo.tokenizer --vocab 8192 --sample-mb 6
    # CPU, 10-minute chunks, resumable (models/checkpoints/m1.pt carries its config)
    /usr/bin/python3 -m models.mnemo.train --config m1 --minutes 10 --resume
    # export into the shipped folder
    /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/m1.pt --out models/mnemo-m2
    # continue on a GPU from the shipped weights (no checkpoint needed: weights.bin + model.json)
    /usr/bin/python3 -m models.mnemo.train --config m1 --init-from models/mnemo-m2 \
        --device cuda --batch 64 --minutes 9 --resume --ckpt models/checkpoints/m1-gpu.pt   # repeat: 10-minute device runs
    # CI: tiny config from scratch (<= 3 minutes with export): models/ci_check.sh
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F

from .model import Mnemo, MnemoConfig
from .tasks import TaskMaker, collate
from .tokenizer import Tokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CONFIGS = {
    # CI: proves training, export and parity still work; not a useful model
    'tiny': dict(model=dict(d_model=64, n_layers=2, n_heads=2, memory_size=8, key_dim=32,
                            segment_length=64, max_positions=256),
                 batch=4, lr=3e-3, corpus_mb=1.0, lm_positions=16, schedule=[(0, 1), (20, 2)]),
    # the shipped model, sized for CPU training (see MODEL_CARD.md)
    # (d=192 with one thread and OpenBLAS as the system BLAS: ~0.7 s per batch of 8 at N=1)
    'm1': dict(model=dict(d_model=192, n_layers=4, n_heads=4, memory_size=16, key_dim=64,
                          segment_length=128, max_positions=512),
               batch=8, lr=2e-3, corpus_mb=6.0, lm_positions=32,
               schedule=[(0, 1), (250, 2), (600, 4), (1000, 8)]),
}


def n_segments(schedule, step):
    """Curriculum: the last (start_step, N) whose start has passed."""
    return [n for s, n in schedule if step >= s][-1]


def losses(model, batch, lm_positions, gen):
    """-> dict of scalar losses for one batch (B examples, N segments each)."""
    seg, mask = batch['segments'], batch['mask']                  # (B, N, S)
    B, N, S = seg.shape
    mem = model.initial_memory(B)
    keys, lm = [], []
    for j in range(N):                                            # full BPTT through memory
        mem, key, hid = model.read(seg[:, j], mask[:, j], mem, with_hidden=True)
        keys.append(key)
        # LM loss on a random subset of positions: the tied 8k-vocab head is most of the cost
        pos = torch.randperm(S - 1, generator=gen)[:lm_positions].to(seg.device)
        logits = model.logits(hid[:, pos])                        # (B, P, V)
        tgt = seg[:, j, 1:][:, pos].masked_fill(mask[:, j, 1:][:, pos] == 0, -100)
        lm.append(F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt.reshape(-1), ignore_index=-100))
    out = {'lm': torch.stack(lm).mean()}
    keys = torch.stack(keys, dim=1)                               # (B, N, K)
    has_q = batch['gold'] >= 0
    if has_q.any():
        qk = model.query(batch['query'][has_q], batch['qmask'][has_q])        # (b, K)
        scores = qk @ keys.reshape(B * N, -1).t() * model.logit_scale.exp()   # (b, B*N): in-batch negatives
        target = torch.arange(B, device=seg.device)[has_q] * N + batch['gold'][has_q]
        out['ret'] = F.cross_entropy(scores, target)
        out['ret_acc'] = (scores.argmax(-1) == target).float().mean().detach()
    has_a = (batch['dec_target'] >= 0).any(dim=1)
    if has_a.any():
        hid = model.prefill(batch['dec'][has_a], mem[has_a], hidden_only=True)  # (b, T, D)
        tgt = batch['dec_target'][has_a]
        sel = tgt >= 0                                            # logits only where an answer token is due
        out['qa'] = F.cross_entropy(model.logits(hid[sel]), tgt[sel])
    return out


def save(path, model, opt, step, conf_name, extra):
    tmp = path + '.tmp'
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step,
                'config': model.cfg.to_dict(), 'conf_name': conf_name, **extra}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default='m1', choices=list(CONFIGS))
    ap.add_argument('--minutes', type=float, default=10.0, help='stop (and checkpoint) after this long')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--init-from', default=None, help='a model folder (weights.bin + model.json) to start from')
    ap.add_argument('--ckpt', default=None)
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--batch', type=int, default=None)
    # One thread: on a small shared CPU, OpenMP's second thread spins at every barrier while
    # another process holds the other core, making elementwise ops ~20x slower (measured).
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--corpus', default=os.path.join(ROOT, 'data', 'corpus', 'train.jsonl'))
    ap.add_argument('--tokenizer', default=os.path.join(ROOT, 'data', 'tokenizer.json'))
    ap.add_argument('--max-steps', type=int, default=10 ** 9)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    C = CONFIGS[args.config]
    ckpt_path = args.ckpt or os.path.join(ROOT, 'checkpoints', f'{args.config}.pt')
    os.makedirs(os.path.dirname(os.path.abspath(ckpt_path)), exist_ok=True)
    tok = Tokenizer(args.tokenizer)
    cfg = MnemoConfig(vocab_size=len(tok), **C['model'])
    model = Mnemo(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=C['lr'], betas=(0.9, 0.98), weight_decay=0.01)
    step, spent = 0, 0.0
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location='cpu')
        assert ck['config'] == cfg.to_dict(), 'checkpoint was trained with another config'
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        step, spent = ck['step'], ck.get('train_seconds', 0.0)
        print(f'resumed {ckpt_path} at step {step} ({spent/60:.1f} min trained)')
    elif args.init_from:
        from .export import load_folder
        model.load_state_dict(load_folder(args.init_from, cfg))
        info = json.load(open(os.path.join(args.init_from, 'model.json'))).get('training', {})
        step, spent = info.get('step', 0), 60.0 * info.get('trainMinutes', 0.0)  # curriculum goes on
        print(f'initialised from {args.init_from} (step {step})')
    model.to(args.device)
    B = args.batch or C['batch']
    tm = TaskMaker(tok, args.corpus, cfg.segment_length, max_mb=C['corpus_mb'], seed=step)
    gen = torch.Generator().manual_seed(step)
    print(f'{model.n_params()/1e6:.2f}M params; batch {B}; {len(tm.prose)} prose / {len(tm.code)} code docs, '
          f'{len(tm.functions)} documented functions')
    t0, last_save, log = time.time(), time.time(), {}
    warmup = 20
    while time.time() - t0 < args.minutes * 60 and step < args.max_steps:
        N = n_segments(C['schedule'], step)
        lr = C['lr'] * min(1.0, (step + 1) / warmup)
        for g in opt.param_groups:
            g['lr'] = lr
        batch = {k: v.to(args.device) for k, v in collate([tm.sample(N) for _ in range(B)], cfg.segment_length).items()}
        out = losses(model, batch, C['lm_positions'], gen)
        loss = out['lm'] + out.get('ret', 0.0) + out.get('qa', 0.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        for k, v in out.items():
            log[k] = 0.9 * log.get(k, float(v)) + 0.1 * float(v)
        if step % 10 == 0:
            print(f'step {step} N={N} ' + ' '.join(f'{k} {v:.3f}' for k, v in log.items())
                  + f' | {(time.time() - t0)/60:.1f} min', flush=True)
        if time.time() - last_save > 300:
            save(ckpt_path, model, opt, step, args.config, {'train_seconds': spent + time.time() - t0, 'log': log})
            last_save = time.time()
    save(ckpt_path, model, opt, step, args.config, {'train_seconds': spent + time.time() - t0, 'log': log})
    print(f'saved {ckpt_path} at step {step}')


if __name__ == '__main__':
    main()
