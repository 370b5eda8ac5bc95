"""The reranker on whole DEV repositories of models/heldout.json (attr, yaml, htmlparser2; never
the test ones, which the lead evaluates through the product).

Every code unit of a repository is a candidate (keys/repos.py, docstrings removed). A first stage
ranks them all: BM25 (keys/search.py) and, separately, BM25 fused with the shipped static keys
(convex combination of min-max-normalised scores, as keys/evaluate.py). Its top 20 are re-ordered
by (a) the reranker's logit alone and (b) a convex combination of min-max-normalised first-stage
score and reranker logit; candidates below the top 20 keep their places, so recall@20 is the
ceiling. Queries: first docstring sentences and the same reworded by the EVAL templates.

Each repository's queries are split in two by position: every 4th one is the SELECT split (the
checkpoint choice of train.py and the fusion weights here look only at it); the others are the
REPORT split, whose figures are reported.

    /usr/bin/python3 -m models.mnemo.rerank.evaluate --ckpt models/checkpoints/spanO.pt --out models/runs/rerank-spanO.json
    /usr/bin/python3 -m models.mnemo.rerank.evaluate --ckpt models/checkpoints/rerank.best.pt --out models/runs/rerank-dev.json
"""
import os
# Debian's OpenBLAS (pthreads) starts a worker per core whatever torch.set_num_threads says: one
# thread here, on a 2-core machine shared with others (seen: 175% CPU without this).
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import argparse  # noqa: E402  (after the environment is set, before torch loads OpenBLAS)
import json
import time

import numpy as np
import torch

from ..keys.export import read_table
from ..keys.pairs import REPO
from ..keys.repos import load_tasks
from ..keys.search import BM25, keys_of, metrics, minmax, rank_of
from .reranker import Reranker, load_reader

TOP = 20
WEIGHTS = [round(a * 0.1, 1) for a in range(11)]        # first-stage share in a combination
KEYS_FOLDER = os.path.join(REPO, 'models', 'mnemo-m2')


def split_of(i):
    return 'select' if i % 4 == 0 else 'report'


def first_stages(with_keys=True):
    """Per dev query: {'repo', 'kind', 'split', 'gold', 'texts' (all candidates), stage: scores over all units}."""
    table = cfg = None
    if with_keys:
        table, cfg = read_table(KEYS_FOLDER)
    out = []
    for task in load_tasks('dev'):
        texts = [u.code for u in task.units]
        bm = BM25(texts)
        unit_keys = keys_of(texts, table, cfg) if with_keys else None
        for kind, qs in (('docstring', task.doc_queries), ('reworded', task.reworded_queries)):
            qkeys = keys_of([q for q, _ in qs], table, cfg) if with_keys else None
            for i, (q, gold) in enumerate(qs):
                row = {'repo': task.name, 'kind': kind, 'split': split_of(i), 'question': q, 'gold': gold, 'texts': texts,
                       'bm25': bm.scores(q)}
                if with_keys:
                    row['keys'] = unit_keys @ qkeys[i]
                out.append(row)
    return out


def fuse_keys(rows, alpha):
    for r in rows:
        r['fused'] = alpha * minmax(r['bm25']) + (1 - alpha) * minmax(r['keys'])


def choose_keys_alpha(rows):
    """The BM25 share of the BM25+keys fusion with the best top-1 on the SELECT split."""
    sel = [r for r in rows if r['split'] == 'select']

    def top1(a):
        return np.mean([rank_of(a * minmax(r['bm25']) + (1 - a) * minmax(r['keys']), r['gold']) == 1 for r in sel])
    return max([round(x * 0.05, 2) for x in range(21)], key=lambda a: (top1(a), -abs(a - 0.5)))


def top(scores, n=TOP):
    return np.argsort(-scores, kind='stable')[:n]


def rerank_scores(rr, rows, stages):
    """Adds r['rr'] = {unit index: logit} for every unit in any stage's top 20."""
    for r in rows:
        want = sorted({int(j) for s in stages for j in top(r[s])})
        logits = rr.score(r['question'], [r['texts'][j] for j in want])
        r['rr'] = dict(zip(want, map(float, logits)))


def ranks(r, stage, weight=None):
    """Rank of the gold unit: the first stage's own, or after re-ordering its top 20 by the reranker
    (weight None) or by weight * first stage + (1 - weight) * reranker, both min-max-normalised over the 20."""
    s, gold = r[stage], r['gold']
    base = rank_of(s, gold)
    ids = top(s)
    if gold not in ids:
        return base                              # the 20 re-ordered stay above it
    rel = np.array([r['rr'][int(j)] for j in ids])
    mix = rel if weight is None else weight * minmax(s[ids]) + (1 - weight) * minmax(rel)
    return rank_of(mix, int(np.where(ids == gold)[0][0]))


def table_for(rows, stage, weights):
    out = {}
    for kind in ('docstring', 'reworded'):
        rs = [r for r in rows if r['kind'] == kind]
        out[kind] = {
            stage: metrics([rank_of(r[stage], r['gold']) for r in rs]),
            'recall@20': float(np.mean([rank_of(r[stage], r['gold']) <= TOP for r in rs])) if rs else 0.0,
            'reranked': metrics([ranks(r, stage) for r in rs]),
            'combined': metrics([ranks(r, stage, weights[stage]) for r in rs]),
        }
    return out


def choose_weight(rows, stage):
    """First-stage share in the combination: best pooled top-1 (then MRR) on the SELECT split."""
    sel = [r for r in rows if r['split'] == 'select']

    def score(w):
        m = metrics([ranks(r, stage, w) for r in sel])
        return (m['top1'], m['mrr'])
    return max(WEIGHTS, key=score)


def select_measure(rr, rows):
    """train.py's checkpoint choice: MRR over the SELECT split after re-ordering BM25's top 20 by the reranker alone."""
    sel = [r for r in rows if r['split'] == 'select']
    rerank_scores(rr, sel, ['bm25'])
    return metrics([ranks(r, 'bm25') for r in sel])['mrr']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', default=None)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, ck = load_reader(args.ckpt)
    rr = Reranker(model)
    t0 = time.time()
    rows = first_stages()
    alpha = choose_keys_alpha(rows)
    fuse_keys(rows, alpha)
    t1 = time.time()
    rerank_scores(rr, rows, ['bm25', 'fused'])
    secs = time.time() - t1
    n_cand = sum(len(r['rr']) for r in rows)
    weights = {s: choose_weight(rows, s) for s in ('bm25', 'fused')}
    report = {'checkpoint': os.path.basename(args.ckpt), 'rerankSteps': ck.get('rerank_step', 0),
              'keysFusionBm25Share': alpha, 'combinationFirstStageShare': weights,
              'rerankSecondsPerCandidate': secs / max(1, n_cand), 'splits': {}}
    for split in ('report', 'select'):
        rs = [r for r in rows if r['split'] == split]
        report['splits'][split] = {'n': len(rs), **{s: table_for(rs, s, weights) for s in ('bm25', 'fused')}}
        # how much the figures depend on the weight (the chosen one comes from the select split only)
        report['splits'][split]['weightSweep'] = {s: {str(w): {kind: metrics([ranks(r, s, w) for r in rs if r['kind'] == kind])
                                                                for kind in ('docstring', 'reworded')} for w in WEIGHTS}
                                                  for s in ('bm25', 'fused')}
        for repo in sorted({r['repo'] for r in rs}):
            report['splits'][split][repo] = {s: table_for([r for r in rs if r['repo'] == repo], s, weights) for s in ('bm25', 'fused')}
    f = lambda m: f"{100 * m['top1']:.1f} / {m['mrr']:.3f}"
    print(f"{args.ckpt} (rerank steps {report['rerankSteps']}); keys fusion BM25 share {alpha}; "
          f"combination first-stage share {weights}; {1000 * report['rerankSecondsPerCandidate']:.1f} ms a candidate (1 thread, torch)")
    for split in ('report', 'select'):
        print(f"\n{split.upper()} split, all dev repositories (top-1 % / MRR; n)")
        print('| first stage | queries | n | first stage | recall@20 | reranked | combined |')
        print('|---|---|---|---|---|---|---|')
        for s in ('bm25', 'fused'):
            for kind in ('docstring', 'reworded'):
                e = report['splits'][split][s][kind]
                print(f"| {s} | {kind} | {e[s]['n']} | {f(e[s])} | {100 * e['recall@20']:.1f} | {f(e['reranked'])} | {f(e['combined'])} |")
    print('\nREPORT split, top-1 % of the combination by first-stage share (docstring / reworded):')
    for s in ('bm25', 'fused'):
        sw = report['splits']['report']['weightSweep'][s]
        print(f'{s:6}' + ' '.join(f"{w}: {100 * sw[w]['docstring']['top1']:.0f}/{100 * sw[w]['reworded']['top1']:.0f}" for w in sw))
    if args.out:
        json.dump(report, open(args.out, 'w'), indent=1)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
