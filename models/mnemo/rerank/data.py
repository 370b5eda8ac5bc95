"""Training lists for the reranker: one query, its code unit, and hard negatives from the same package.

Code units come from the sources of keys/pairs.py with every models/heldout.json repository (test
and dev) kept out by path and by content, cut by keys/units.py exactly as the evaluation cuts its
candidates. Queries per documented unit: the docstring's first sentence, the same reworded by the
TRAIN templates of keys/templates.py (never the EVAL ones), and some identifier-word queries
(`name_words`). Positives are the unit's code with docstrings removed, the name masked in 30% of
the queries so that the body must carry the meaning. Negatives, per query: the BM25 top hits
(keys/search.py) among the other units of the same package (the candidates the reranker will be
shown), plus random units of that package drawn at training time (train.py).

    /usr/bin/python3 -m models.mnemo.rerank.data          # -> models/data/rerank/train.pkl.gz
"""
import argparse
import gzip
import hashlib
import os
import pickle
import random
import re
import time

import numpy as np

from ..keys.pairs import REPO, SOURCES, heldout_hashes, heldout_sources, mask_name, name_words, package_of, walk_files
from ..keys.search import BM25
from ..keys.templates import reword
from ..keys.units import code_units, first_sentence

OUT = os.path.join(REPO, 'models', 'data', 'rerank', 'train.pkl.gz')
MAX_CODE_CHARS = 1500      # a candidate is cut to MAX_PASSAGE tokens anyway (train.py)
HARD = 16                  # BM25 negatives kept per query
PER_PACKAGE = 1200         # queries a package at most: sympy alone held 27% of them uncapped


def gather_units(limit_files=None):
    """{package: [(name, doc sentence or '', code)]} over the code sources, held-out repositories out."""
    roots, names = heldout_sources()
    hashes = heldout_hashes(roots)
    by_pkg, n_files, dropped = {}, 0, 0
    for root, suffixes, kind in SOURCES:
        if kind != 'code':
            continue
        t0 = time.time()
        for path in walk_files(root, suffixes, roots, names, True):
            if limit_files and n_files >= limit_files:
                break
            try:
                raw = open(path, 'rb').read()
                text = raw.decode('utf-8')
            except (OSError, UnicodeDecodeError):
                continue
            if hashlib.sha1(raw).hexdigest() in hashes:
                dropped += 1
                continue
            n_files += 1
            units = by_pkg.setdefault(package_of(path), [])
            for u in code_units(path, text):
                if len(u.code.strip()) >= 40:
                    units.append((u.name, first_sentence(u.doc) if u.doc else '', u.code[:MAX_CODE_CHARS]))
        print(f'{root}: {n_files} files so far ({time.time() - t0:.0f} s)', flush=True)
    print(f'{n_files} files read, {dropped} dropped as copies of held-out files', flush=True)
    return by_pkg


def build(by_pkg, max_queries, seed=0, min_units=10):
    rng = random.Random(seed)
    packages, queries, seen_q = [], [], set()
    for pkg in sorted(by_pkg):
        units = by_pkg[pkg]
        # identical code twice (a vendored copy, an overload stub) would be a positive and a negative at once
        codes, keep = set(), []
        for u in units:
            h = hashlib.sha1(u[2].encode()).digest()
            if h not in codes:
                codes.add(h)
                keep.append(u)
        if len(keep) < min_units:
            continue
        sent_count = {}
        for _, s, _ in keep:
            if len(s.split()) >= 3:
                sent_count[s] = sent_count.get(s, 0) + 1
        p = len(packages)
        qs = []
        for i, (name, sent, _) in enumerate(keep):
            cand = []
            if sent_count.get(sent) == 1:      # a sentence that documents two units is ambiguous
                cand.append(('doc', sent))
                r = reword(sent, rng)
                if r:
                    cand.append(('question', r))
            nw = name_words(name)
            # identifier words, but not generated names (replacement1586) nor tests' names
            if len(nw.split()) >= 2 and not re.search(r'[0-9]', nw) and not nw.startswith('test') and rng.random() < 0.15:
                cand.append(('name', nw))
            for kind, q in cand:
                nq = ' '.join(q.lower().split())
                if nq in seen_q:               # never two identical queries (nor in one batch)
                    continue
                seen_q.add(nq)
                # the name masked in the positive (doc and reworded queries only: a name query needs it)
                masked = kind != 'name' and rng.random() < 0.3
                qs.append((q, kind, p, i, masked))
        if qs:
            rng.shuffle(qs)
            qs = qs[:PER_PACKAGE]
            packages.append((pkg, keep))
            queries.extend(qs)
    rng.shuffle(queries)
    queries = queries[:max_queries]
    # BM25 negatives, package by package
    by_p = {}
    for k, q in enumerate(queries):
        by_p.setdefault(q[2], []).append(k)
    hard = [None] * len(queries)
    t0 = time.time()
    for p, ks in by_p.items():
        bm = BM25([u[2] for u in packages[p][1]])
        for k in ks:
            s = bm.scores(queries[k][0])
            s[queries[k][3]] = -np.inf
            top = np.argsort(-s, kind='stable')[:HARD]
            # a unit of the same name (an overload, another class's __ipow__) is no clear negative
            gold_name = packages[p][1][queries[k][3]][0]
            hard[k] = [int(j) for j in top if s[j] > 0 and packages[p][1][j][0] != gold_name]
    print(f'BM25 negatives for {len(queries)} queries in {len(by_p)} packages ({time.time() - t0:.0f} s)', flush=True)
    return {'packages': packages, 'queries': [q + (h,) for q, h in zip(queries, hard)]}


def positive_text(data, q):
    """The code a query's positive shows: the unit's code, the name masked when the query says so."""
    text, kind, p, i, masked, _ = q
    name, _, code = data['packages'][p][1][i]
    return mask_name(code, name) if masked else code


def load(path=OUT):
    with gzip.open(path, 'rb') as f:
        return pickle.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=OUT)
    ap.add_argument('--max-queries', type=int, default=60000)
    ap.add_argument('--limit-files', type=int, default=None, help='for a quick check')
    args = ap.parse_args()
    data = build(gather_units(args.limit_files), args.max_queries)
    kinds = {}
    for q in data['queries']:
        kinds[q[1]] = kinds.get(q[1], 0) + 1
    n_hard = np.mean([len(q[5]) for q in data['queries']]) if data['queries'] else 0
    print(f"{len(data['packages'])} packages, {sum(len(u) for _, u in data['packages'])} units; "
          f"{len(data['queries'])} queries {kinds}; {n_hard:.1f} BM25 negatives a query")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with gzip.open(args.out + '.tmp', 'wb') as f:
        pickle.dump(data, f)
    os.replace(args.out + '.tmp', args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
