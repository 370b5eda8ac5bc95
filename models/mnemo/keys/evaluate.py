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


def score_task(task, keyers):
    """Per query kind: lists of (bm25 scores, {keyer: key scores}, gold). A keyer maps
    (texts, is_query) to unit-length keys."""
    docs = [u.code for u in task.units]
    bm = BM25(docs)
    out = {'health': {}}
    cand = {name: k(docs, False) for name, k in keyers.items()}
    for name, k in cand.items():
        out['health'][name] = mean_pairwise_cosine(k)
    for kind, qs in (('docstring', task.doc_queries), ('reworded', task.reworded_queries)):
        texts = [q for q, _ in qs]
        rows = []
        qk = {name: k(texts, True) for name, k in keyers.items()}
        for i, (q, gold) in enumerate(qs):
            rows.append((bm.scores(q), {name: cand[name] @ qk[name][i] for name in keyers}, gold))
        out[kind] = rows
    return out


def m1_keyer(folder):
    """The m1 reader's key of a unit's first segment (read from memory_init) and its query key."""
    import torch
    from ..export import load_folder
    from ..model import Mnemo, MnemoConfig
    from ..tokenizer import Tokenizer
    mj = json.load(open(os.path.join(folder, 'model.json')))
    cfg = MnemoConfig(**mj['config'])
    model = Mnemo(cfg)
    model.load_state_dict(load_folder(folder, cfg))
    model.eval()
    tok = Tokenizer(os.path.join(folder, mj['tokenizer']))
    S, Q, pad = cfg.segment_length, cfg.max_query_tokens, mj['specialTokens']['pad']

    @torch.no_grad()
    def keys(texts, is_query):
        out = []
        n = Q if is_query else S
        for i in range(0, len(texts), 64):
            ids = [(tok.encode(t)[:n] or [pad]) for t in texts[i:i + 64]]
            x = torch.full((len(ids), n), pad, dtype=torch.long)
            m = torch.zeros((len(ids), n), dtype=torch.long)
            for r, row in enumerate(ids):
                x[r, :len(row)] = torch.tensor(row)
                m[r, :len(row)] = 1
            if is_query:
                out.append(model.query(x, m))
            else:
                out.append(model.read(x, m, model.initial_memory(len(ids)))[1])
        return torch.cat(out).numpy().astype(np.float32)
    return keys


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
    ap.add_argument('--m1', default=None, help='also rank with the m1 reader keys of this model folder')
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
    keyers = {name: (lambda texts, is_query, t=t: keys_of(texts, t, cfg)) for name, t in tables.items()}
    if args.m1:
        import torch
        torch.set_num_threads(1)
        keyers['m1'] = m1_keyer(args.m1)
    tables = keyers

    dev = [score_task(t, keyers) for t in load_tasks('dev')]
    alphas = {name: choose_alpha(dev, name) for name in tables}
    report = {'source': source, 'features': cfg.to_json(), 'dim': int(table.shape[1]), 'fusionWeight': alphas, 'test': {}, 'dev': {},
              'note': 'reworded queries are our own EVAL templates (models/mnemo/keys/templates.py), not the product evaluation\'s'}
    for split, tasks, scored in (('dev', load_tasks('dev'), dev), ('test', None, None)):
        if split == 'test':
            tasks = load_tasks('test')
            scored = [score_task(t, keyers) for t in tasks]
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
        extra = ' m1 keys | m1 fused |' if 'm1' in tables else ''
        print('| repository | units | queries | n | BM25 | keys | fused | random keys | random fused |' + extra + ' key cosine |')
        print('|---|---|---|---|---|---|---|---|---|' + ('---|---|' if extra else '') + '---|')
        for name, e in report[split].items():
            for kind in ('docstring', 'reworded'):
                tr, rd = e[kind]['trained'], e[kind]['random']
                f = lambda m: f"{100 * m['top1']:.1f} / {m['mrr']:.3f}"
                units = e.get('units', '')
                health = ', '.join(f"{k} {v:.3f}" for k, v in e['health'].items()) if 'health' in e and kind == 'docstring' else ''
                m1 = f" {f(e[kind]['m1']['keys'])} | {f(e[kind]['m1']['fused'])} |" if 'm1' in tables else ''
                print(f"| {name} | {units} | {kind} | {tr['bm25']['n']} | {f(tr['bm25'])} | {f(tr['keys'])} | {f(tr['fused'])} | {f(rd['keys'])} | {f(rd['fused'])} |{m1} {health} |")
    if args.out:
        with open(args.out, 'w') as fh:
            json.dump(report, fh, indent=1)
        print(f'\nwrote {args.out}')


if __name__ == '__main__':
    main()
