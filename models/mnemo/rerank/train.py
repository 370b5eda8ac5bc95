"""Fine-tune the span reader as a reranker: listwise softmax over one positive and K negatives per
query (BM25 hard negatives and random units of the same package, data.py), on one CPU thread, in
time-boxed resumable chunks; the checkpoint with the best DEV select measure (evaluate.py: MRR after
re-ordering BM25's top 20 on the select split) is kept as *.best.pt.

    /usr/bin/python3 -m models.mnemo.rerank.data
    nohup nice /usr/bin/python3 -m models.mnemo.rerank.train --minutes 50 --total-minutes 50 --resume > models/runs/rerank.log 2>&1 &

The checkpoint has train_span.py's layout (config, model = the memory model's trunk untouched,
span = the span reader's state), so export.py and evaluate.py read either kind.
"""
import os
# Debian's OpenBLAS (pthreads) starts a worker per core whatever torch.set_num_threads says: one
# thread here, on a 2-core machine shared with others (seen: 175% CPU without this).
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import argparse  # noqa: E402  (after the environment is set, before torch loads OpenBLAS)
import math
import random
import shutil
import time

import torch
import torch.nn.functional as F

from ..keys.pairs import REPO
from .data import OUT as DATA, load, positive_text
from .evaluate import first_stages, select_measure
from .reranker import MAX_PASSAGE, MAX_QUESTION, Reranker, load_reader

CKPT = os.path.join(REPO, 'models', 'checkpoints', 'rerank.pt')
INIT = os.path.join(REPO, 'models', 'checkpoints', 'spanO.pt')


class Lists:
    """Training lists: (question ids, [positive ids, K negative ids]) with candidates windowed as the
    engine stores text: usually from the unit's first token, sometimes from a random token inside it."""

    def __init__(self, data, rr, k, hard, seed, p_window=0.25):
        self.data, self.rr, self.k, self.hard, self.p_window = data, rr, k, hard, p_window
        self.rng = random.Random(seed)
        self.order = list(range(len(data['queries'])))
        self.rng.shuffle(self.order)
        self.at = 0

    def window(self, text):
        ids = self.rr.ids(text, 4 * MAX_PASSAGE)
        if len(ids) > MAX_PASSAGE and self.rng.random() < self.p_window:
            a = self.rng.randrange(0, len(ids) - MAX_PASSAGE + 1)
            return ids[a:a + MAX_PASSAGE]
        return ids[:MAX_PASSAGE]

    def next(self):
        q = self.data['queries'][self.order[self.at % len(self.order)]]
        self.at += 1
        text, kind, p, gold, masked, hard = q
        units = self.data['packages'][p][1]
        hard = [j for j in hard if j != gold]
        negs = self.rng.sample(hard, min(self.hard, len(hard)))
        # a unit of the gold's name (an overload, a subclass's override) is no clear negative
        pool = [j for j in range(len(units)) if j != gold and j not in negs and units[j][0] != units[gold][0]]
        negs += self.rng.sample(pool, min(self.k - len(negs), len(pool)))
        cands = [positive_text(self.data, q)] + [units[j][2] for j in negs]
        return self.rr.ids(text, MAX_QUESTION), [self.window(c) for c in cands]

    def batch(self, n):
        rows, sizes = [], []
        for _ in range(n):
            q, cands = self.next()
            rows += [self.rr.row(q, c) for c in cands]
            sizes.append(len(cands))
        return self.rr.batch(rows), sizes


def listwise_loss(logits, sizes):
    """Mean over queries of -log softmax(positive) within the query's own list (positive first)."""
    out, at = [], 0
    for n in sizes:
        out.append(-F.log_softmax(logits[at:at + n], dim=0)[0])
        at += n
    return torch.stack(out).mean()


def save(path, ck, model, opt, step, spent, extra):
    tmp = path + '.tmp'
    torch.save({**{k: v for k, v in ck.items() if k not in ('opt', 'span', 'log', 'val')}, 'span': model.sr.state_dict(),
                'rerank_pool': model.pool.state_dict(),
                'opt': opt.state_dict(), 'rerank_step': step, 'rerank_seconds': spent, **extra}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--init', default=INIT, help='the span checkpoint to start from')
    ap.add_argument('--ckpt', default=CKPT)
    ap.add_argument('--data', default=DATA)
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--minutes', type=float, default=10.0, help='stop (and checkpoint) after this long')
    ap.add_argument('--total-minutes', type=float, default=55.0, help='the whole run, for the lr schedule')
    ap.add_argument('--queries', type=int, default=4, help='queries a step (each with 1 + K candidates)')
    ap.add_argument('--k', type=int, default=7, help='negatives a query')
    ap.add_argument('--hard', type=int, default=3, help='of which BM25 hard negatives (at most)')
    ap.add_argument('--lr', type=float, default=5e-5, help='the reader; the has-answer head and match embedding get 3x, the pooled read 10x '
                    '(1.5e-4 in a first run lost dev MRR in 234 steps)')
    ap.add_argument('--save-every', type=float, default=5.0, help='minutes between checkpoints (each with a dev select measure)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    resume = args.resume and os.path.exists(args.ckpt)
    model, ck = load_reader(args.ckpt if resume else args.init)
    sr = model.sr
    step, spent = (ck['rerank_step'], ck['rerank_seconds']) if resume else (0, 0.0)
    print(f"{'resumed ' + args.ckpt if resume else 'from ' + args.init} at step {step} ({spent / 60:.1f} min trained)", flush=True)
    # shared with the memory model's graphs and frozen in train_span.py as well
    sr.wte.weight.requires_grad_(False)
    sr.wpe.weight.requires_grad_(False)
    unused = ('span.', 'end_')                       # the span heads: no gradient from this loss
    head = [p for n, p in sr.named_parameters() if n.startswith(('has.', 'match.'))]
    pool = list(model.pool.parameters())       # starts at zero: a larger step to grow
    body = [p for n, p in sr.named_parameters() if p.requires_grad and not n.startswith(('has.', 'match.') + unused)]
    opt = torch.optim.AdamW([{'params': body, 'lr_scale': 1.0}, {'params': head, 'lr_scale': 3.0}, {'params': pool, 'lr_scale': 10.0}],
                            lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    if resume:
        opt.load_state_dict(ck['opt'])
    rr = Reranker(model)
    data = load(args.data)
    lists = Lists(data, rr, args.k, args.hard, args.seed + step)
    lists.at = step * args.queries
    dev = first_stages(with_keys=False)
    best = ck.get('best_select', -1.0) if resume else -1.0
    print(f"{len(data['queries'])} training queries; {sum(r['split'] == 'select' for r in dev)} dev select queries", flush=True)
    if not resume:
        model.eval()
        best = select_measure(rr, dev)
        print(f'step 0 dev select MRR (reranked BM25 top 20) {best:.4f}', flush=True)
    t0 = last = time.time()
    ema, warmup = None, 50

    def checkpoint():
        nonlocal best
        model.eval()
        m = select_measure(rr, dev)
        model.train()
        print(f'step {step} dev select MRR (reranked BM25 top 20) {m:.4f} (best {max(best, m):.4f})', flush=True)
        save(args.ckpt, ck, model, opt, step, spent + time.time() - t0, {'best_select': max(best, m), 'dev': {'select_mrr': m}})
        if m > best:
            best = m
            shutil.copy(args.ckpt, args.ckpt.replace('.pt', '.best.pt'))

    model.train()
    while time.time() - t0 < args.minutes * 60:
        done = (spent + time.time() - t0) / 60 / args.total_minutes
        lr = args.lr * min(1.0, (step + 1) / warmup) * max(0.1, 0.5 * (1 + math.cos(math.pi * min(1.0, done))))
        for g in opt.param_groups:
            g['lr'] = lr * g['lr_scale']
        ts = time.time()
        (x, m), sizes = lists.batch(args.queries)
        loss = listwise_loss(model(x, m), sizes)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(body + head + pool, 1.0)
        opt.step()
        step += 1
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        if step % 20 == 0 or step <= 3:
            print(f'step {step} lr {lr:.2e} loss {ema:.3f} (chance {math.log(1 + args.k):.3f}) T {x.size(1)} '
                  f'{time.time() - ts:.2f} s/step | {(time.time() - t0) / 60:.1f} min', flush=True)
        if time.time() - last > args.save_every * 60:
            checkpoint()
            last = time.time()
    checkpoint()
    print(f'saved {args.ckpt} at step {step}', flush=True)


if __name__ == '__main__':
    main()
