"""Trains the static key table: in-batch softmax over big batches of (query, positive) pairs.

One CPU thread. Batches are runs of neighbouring items (same package, often the same file:
hard negatives) shuffled together; each item contributes one of its queries, so no query and no
positive text appears twice in a batch. The table is kept at the step where whole-repository
docstring -> function top-1 on the DEV repositories of models/heldout.json is best (never test).

    /usr/bin/python3 -m models.mnemo.keys.train --buckets-log2 16 --dim 128 --steps 400
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .features import FeatureConfig, features
from .pairs import OUT, REPO
from .repos import load_tasks
from .search import metrics, rank_of

CKPT = os.path.join(REPO, 'models', 'checkpoints')


class Rows:
    """CSR features of many texts, as EmbeddingBag inputs for any subset of rows."""

    def __init__(self, h, t, w, off, cfg: FeatureConfig, max_features: int = 0):
        type_w = np.array([cfg.word_weight, cfg.ident_weight, cfg.gram_weight], np.float32)
        self.b = (h & np.uint32(cfg.buckets - 1)).astype(np.int64)
        self.w = (w * type_w[t]).astype(np.float32)
        self.off = off
        self.max_features = max_features

    def batch(self, rows):
        starts, ends = self.off[rows], self.off[np.asarray(rows) + 1]
        if self.max_features:
            # features are in text order: a cap is a shorter text, and a cheaper step
            ends = np.minimum(ends, starts + self.max_features)
        sel = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)])
        offsets = np.concatenate([[0], np.cumsum(ends - starts)[:-1]])
        return torch.from_numpy(self.b[sel]), torch.from_numpy(offsets.astype(np.int64)), torch.from_numpy(self.w[sel])


def texts_rows(texts, cfg):
    idx, wts, off = [], [], [0]
    for t in texts:
        i, w = features(t, cfg)
        idx += i
        wts += w
        off.append(len(idx))
    return torch.tensor(idx, dtype=torch.int64), torch.tensor(off[:-1], dtype=torch.int64), torch.tensor(wts, dtype=torch.float32)


def embed(bag, rows):
    return F.normalize(bag(rows[0], rows[1], per_sample_weights=rows[2]), dim=-1)


class DevSet:
    """Dev repositories featurized once; `evaluate` ranks every unit for every docstring query."""

    def __init__(self, cfg, split='dev'):
        self.tasks = []
        for t in load_tasks(split):
            self.tasks.append((t.name, texts_rows([u.code for u in t.units], cfg),
                               texts_rows([q for q, _ in t.doc_queries], cfg), [g for _, g in t.doc_queries]))

    @torch.no_grad()
    def evaluate(self, bag):
        out = {}
        for name, cand, qs, gold in self.tasks:
            s = (embed(bag, qs) @ embed(bag, cand).T).numpy()
            out[name] = metrics([rank_of(s[i], g) for i, g in enumerate(gold)])
        # pooled over all dev queries: the small repositories' few queries would make a macro mean noisy
        out['mean_top1'] = float(sum(v['top1'] * v['n'] for v in out.values()) / sum(v['n'] for v in out.values()))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pairs', default=os.path.join(OUT, 'pairs.npz'))
    ap.add_argument('--buckets-log2', type=int, default=16)
    ap.add_argument('--dim', type=int, default=128)
    ap.add_argument('--gram-weight', type=float, default=1.0)
    ap.add_argument('--batch', type=int, default=2048)
    ap.add_argument('--max-features', type=int, default=256, help='per positive text in training (0: all)')
    ap.add_argument('--run', type=int, default=16, help='neighbouring items per run (hard negatives)')
    ap.add_argument('--lr', type=float, default=0.02)
    ap.add_argument('--scale', type=float, default=20.0, help='inverse temperature of the softmax')
    ap.add_argument('--init-std', type=float, default=0.1)
    ap.add_argument('--steps', type=int, default=400)
    ap.add_argument('--eval-every', type=int, default=20)
    ap.add_argument('--patience', type=int, default=6, help='evaluations without a better dev top-1')
    ap.add_argument('--kinds', default='doc,question,name,heading')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cfg = FeatureConfig(args.buckets_log2, 1.0, 1.0, args.gram_weight, True)
    tag = args.out or os.path.join(CKPT, f'keys-b{args.buckets_log2}-d{args.dim}.pt')

    z = np.load(args.pairs)
    docs = Rows(z['d_h'], z['d_t'], z['d_w'], z['d_off'], cfg, args.max_features)
    queries = Rows(z['q_h'], z['q_t'], z['q_w'], z['q_off'], cfg)
    kind_ids = {'doc': 0, 'question': 1, 'name': 2, 'heading': 3}
    wanted = [kind_ids[k] for k in args.kinds.split(',')]
    keep = np.isin(z['q_kind'], wanted)
    q_item = z['q_item'][keep]
    q_index = np.nonzero(keep)[0]
    n_items = len(z['d_off']) - 1
    by_item = [[] for _ in range(n_items)]
    for qi, it in zip(q_index, q_item):
        by_item[it].append(qi)
    items = np.array([i for i in range(n_items) if by_item[i]])
    print(f'{len(items)} items, {len(q_index)} queries; table {cfg.buckets} x {args.dim}', flush=True)

    bag = torch.nn.EmbeddingBag(cfg.buckets, args.dim, mode='sum', sparse=True)
    torch.nn.init.normal_(bag.weight, std=args.init_std)
    opt = torch.optim.SparseAdam(bag.parameters(), lr=args.lr)
    dev = DevSet(cfg)
    history = []
    best = dev.evaluate(bag)
    best_step, best_table = 0, bag.weight.detach().clone()
    history.append({'step': 0, 'dev': best})
    print(f'step 0 (random table) dev {json.dumps({k: (v["top1"] if isinstance(v, dict) else v) for k, v in best.items()})}', flush=True)

    runs = [items[i:i + args.run] for i in range(0, len(items), args.run)]
    order, at, since, t0 = rng.permutation(len(runs)), 0, 0, time.time()
    for step in range(1, args.steps + 1):
        chosen = []
        while sum(len(r) for r in chosen) < args.batch:
            if at >= len(order):
                order, at = rng.permutation(len(runs)), 0
            chosen.append(runs[order[at]])
            at += 1
        batch_items = np.concatenate(chosen)[:args.batch]
        batch_q = np.array([by_item[i][rng.integers(len(by_item[i]))] for i in batch_items])
        q = embed(bag, queries.batch(batch_q))
        d = embed(bag, docs.batch(batch_items))
        logits = args.scale * q @ d.T
        target = torch.arange(len(batch_items))
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % args.eval_every == 0:
            r = dev.evaluate(bag)
            history.append({'step': step, 'loss': float(loss), 'dev': r, 'seconds': time.time() - t0})
            print(f'step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s dev ' +
                  json.dumps({k: (round(v['top1'], 3) if isinstance(v, dict) else round(v, 3)) for k, v in r.items()}), flush=True)
            if r['mean_top1'] > best['mean_top1']:
                best, best_step, best_table, since = r, step, bag.weight.detach().clone(), 0
            else:
                since += 1
                if since >= args.patience:
                    print(f'no better dev top-1 for {since} evaluations: stop', flush=True)
                    break
    os.makedirs(os.path.dirname(tag), exist_ok=True)
    torch.save({'table': best_table, 'features': cfg.to_json(), 'dim': args.dim, 'step': best_step, 'dev': best,
                'history': history, 'args': vars(args), 'train_seconds': time.time() - t0}, tag)
    print(f'best dev mean top-1 {best["mean_top1"]:.3f} at step {best_step}; saved {tag} ({time.time() - t0:.0f} s)')


if __name__ == '__main__':
    main()
