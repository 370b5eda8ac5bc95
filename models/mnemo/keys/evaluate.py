"""Whole-repository code search on the TEST repositories of models/heldout.json.

For each repository every code unit is a candidate (docstrings removed); queries are first
docstring sentences and, separately, our own held-out reworded questions (EVAL templates of
templates.py; not the product evaluation's bench/qa/ templates). Reported: top-1 and MRR for
the static keys alone, a strong BM25 alone (identifier split, Porter2 stems, stop words), their
fusion (convex combination of min-max-normalised scores; the lexical weight is chosen on the DEV
repositories), and the same for an untrained random table of the same shape; key health (mean
pairwise cosine of the units' keys).

    /usr/bin/python3 -m models.mnemo.keys.evaluate --model models/mnemo-k1-test
    /usr/bin/python3 -m models.mnemo.keys.evaluate --ckpt models/checkpoints/keys-b16-d128.pt
"""
import argparse
import json
import os

import numpy as np

from .export import read_table
from .features import FeatureConfig
from .repos import load_tasks
from .search import BM25, keys_of, mean_pairwise_cosine, metrics, minmax, rank_of

ALPHAS = [round(a * 0.05, 2) for a in range(21)]


def score_task(task, tables, cfg):
    """Per query kind: lists of (keys scores, bm25 scores, gold) for every table."""
    docs = [u.code for u in task.units]
    bm = BM25(docs)
    out = {'health': {}}
    cand = {name: keys_of(docs, t, cfg) for name, t in tables.items()}
    for name, k in cand.items():
        out['health'][name] = mean_pairwise_cosine(k)
    for kind, qs in (('docstring', task.doc_queries), ('reworded', task.reworded_queries)):
        texts = [q for q, _ in qs]
        rows = []
        qk = {name: keys_of(texts, t, cfg) for name, t in tables.items()}
        for i, (q, gold) in enumerate(qs):
            rows.append((bm.scores(q), {name: cand[name] @ qk[name][i] for name in tables}, gold))
        out[kind] = rows
    return out


def summarize(rows, table, alpha):
    ranks = {'bm25': [], 'keys': [], 'fused': []}
    for bm, keys, gold in rows:
        ranks['bm25'].append(rank_of(bm, gold))
        ranks['keys'].append(rank_of(keys[table], gold))
        ranks['fused'].append(rank_of(alpha * minmax(bm) + (1 - alpha) * minmax(keys[table]), gold))
    return {k: metrics(v) for k, v in ranks.items()}


def choose_alpha(scored, table):
    """The lexical share that maximises pooled top-1 over the dev docstring and reworded queries."""
    rows = [r for s in scored for kind in ('docstring', 'reworded') for r in s[kind]]
    best = max(ALPHAS, key=lambda a: (summarize(rows, table, a)['fused']['top1'], -abs(a - 0.5)))
    return best


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--model', help='a model folder with a staticKeys block (the shipped, quantised table)')
    g.add_argument('--ckpt', help='a checkpoint of train.py (float32 table)')
    ap.add_argument('--seed', type=int, default=0, help='for the random table')
    ap.add_argument('--out', default=None, help='write the figures as JSON here')
    args = ap.parse_args()
    if args.model:
        table, cfg = read_table(args.model)
        source = args.model
    else:
        import torch
        ck = torch.load(args.ckpt)
        table, cfg = ck['table'].numpy().astype(np.float32), FeatureConfig.from_json(ck['features'])
        source = args.ckpt
    rng = np.random.default_rng(args.seed)
    tables = {'trained': table, 'random': rng.standard_normal(table.shape).astype(np.float32)}

    dev = [score_task(t, tables, cfg) for t in load_tasks('dev')]
    alphas = {name: choose_alpha(dev, name) for name in tables}
    report = {'source': source, 'features': cfg.to_json(), 'dim': int(table.shape[1]), 'fusionWeight': alphas, 'test': {}, 'dev': {}}
    for split, tasks, scored in (('dev', load_tasks('dev'), dev), ('test', None, None)):
        if split == 'test':
            tasks = load_tasks('test')
            scored = [score_task(t, tables, cfg) for t in tasks]
        pooled = {}
        for t, s in zip(tasks, scored):
            entry = {'units': len(t.units), 'health': s['health']}
            for kind in ('docstring', 'reworded'):
                entry[kind] = {name: summarize(s[kind], name, alphas[name]) for name in tables}
                pooled.setdefault(kind, []).extend(s[kind])
            report[split][t.name] = entry
        report[split]['all'] = {kind: {name: summarize(rows, name, alphas[name]) for name in tables} for kind, rows in pooled.items()}

    print(f'static keys from {source}: {cfg.buckets} buckets x {table.shape[1]}; lexical share in fusion (chosen on dev): {alphas}')
    for split in ('dev', 'test'):
        print(f'\n{split.upper()}  (top-1 / MRR; n queries)')
        print('| repository | units | queries | n | BM25 | keys | fused | random keys | random fused | key cosine |')
        print('|---|---|---|---|---|---|---|---|---|---|')
        for name, e in report[split].items():
            for kind in ('docstring', 'reworded'):
                tr, rd = e[kind]['trained'], e[kind]['random']
                f = lambda m: f"{100 * m['top1']:.1f} / {m['mrr']:.3f}"
                units = e.get('units', '')
                health = f"{e['health']['trained']:.3f} (random {e['health']['random']:.3f})" if 'health' in e and kind == 'docstring' else ''
                print(f"| {name} | {units} | {kind} | {tr['bm25']['n']} | {f(tr['bm25'])} | {f(tr['keys'])} | {f(tr['fused'])} | {f(rd['keys'])} | {f(rd['fused'])} | {health} |")
    if args.out:
        with open(args.out, 'w') as fh:
            json.dump(report, fh, indent=1)
        print(f'\nwrote {args.out}')


if __name__ == '__main__':
    main()
