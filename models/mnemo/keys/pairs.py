"""Training pairs for the static keys, gathered from this machine's real code and docs.

Every source of models/heldout.json (test and dev) is kept out: by path (any copy of a held-out
package, wherever it is installed) and by content (a file whose bytes equal a held-out file's).

One *item* is a positive text (code with its docstrings removed, or a section body) and several
queries for it: the docstring's first sentence, the same reworded by TRAIN templates, the
identifier words of its name, a Markdown/RST heading. A training batch draws one query per item
(so no two items share a positive text, and queries are deduplicated globally). Items are kept in
source order, grouped by package, so that a batch made of runs of neighbours holds hard
negatives from the same repository and file.

    /usr/bin/python3 -m models.mnemo.keys.pairs        # -> models/data/keys/pairs.npz (~5 min)
"""
import argparse
import hashlib
import json
import os
import random
import re
import time

import numpy as np

from .features import fnv1a32, raw_features
from .templates import reword
from .units import code_units, first_sentence, sections

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
OUT = os.path.join(REPO, 'models', 'data', 'keys')
HELDOUT = os.path.join(REPO, 'models', 'heldout.json')

# (root, suffixes, kind); roots under the repository are relative to it
SOURCES = [
    ('/usr/lib/python3.11', ('.py',), 'code'),
    ('/usr/lib/python3/dist-packages', ('.py',), 'code'),
    ('node_modules', ('.js', '.mjs', '.cjs', '.ts'), 'code'),
    ('/usr/share/doc/python3.11/html/_sources', ('.txt',), 'prose'),
    ('node_modules', ('README.md', 'readme.md', 'Readme.md'), 'prose'),
]
MAX_FILE = 1_000_000
MAX_DOC_CHARS = 1500
TYPE_CODE = {'w': 0, 'i': 1, 'g': 2}


def heldout_sources():
    """The held-out code sources: absolute roots and package names, test and dev alike."""
    h = json.load(open(HELDOUT))
    srcs = h['code']['test'] + h['code']['dev']
    roots = [os.path.realpath(s['root'] if os.path.isabs(s['root']) else os.path.join(REPO, s['root'])) for s in srcs]
    names = {s['name'] for s in srcs}
    if 'attr' in names:
        names.add('attrs')  # python3-attr installs both packages
    if 'yaml' in names:
        names.add('_yaml')
    return roots, names


def walk_files(root, suffixes, heldout_roots, heldout_names, lang_py):
    root_abs = root if os.path.isabs(root) else os.path.join(REPO, root)
    for dirpath, dirnames, filenames in os.walk(root_abs, followlinks=False):
        dirnames.sort()
        real = os.path.realpath(dirpath)
        parts = set(dirpath.split(os.sep))
        if any(real == r or real.startswith(r + os.sep) for r in heldout_roots):
            dirnames[:] = []
            continue
        # any copy of a held-out package: a path component named like it
        if parts & heldout_names:
            dirnames[:] = []
            continue
        for f in sorted(filenames):
            if f.endswith(suffixes) and not f.endswith(('.min.js', '.d.ts')):
                p = os.path.join(dirpath, f)
                try:
                    if os.path.getsize(p) <= MAX_FILE:
                        yield p
                except OSError:
                    pass


def heldout_hashes(heldout_roots):
    hs = set()
    for r in heldout_roots:
        for dirpath, _, filenames in os.walk(r):
            for f in filenames:
                try:
                    hs.add(hashlib.sha1(open(os.path.join(dirpath, f), 'rb').read()).hexdigest())
                except OSError:
                    pass
    return hs


def package_of(path: str) -> str:
    """A grouping key: the installed package (node_modules/<pkg>, dist-packages/<pkg>, stdlib dir)."""
    m = re.search(r'.*node_modules/((?:@[^/]+/)?[^/]+)', path)
    if m:
        return 'npm:' + m.group(1)
    m = re.search(r'dist-packages/([^/]+)', path)
    if m:
        return 'py:' + m.group(1)
    return os.path.dirname(path)


def mask_name(code: str, name: str) -> str:
    return re.sub(r'\b' + re.escape(name) + r'\b', '_', code) if len(name) >= 3 else code


def name_words(name: str) -> str:
    return ' '.join(p.lower() for p in re.findall(r'[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+', name))


def gather(limit_files=None, seed=0):
    rng = random.Random(seed)
    roots, names = heldout_sources()
    hashes = heldout_hashes(roots)
    items = []   # (package, positive text, [(kind, query)])
    seen_docs, n_files, dropped = set(), 0, 0
    for root, suffixes, kind in SOURCES:
        t0 = time.time()
        before = len(items)
        for path in walk_files(root, suffixes, roots, names, True):
            if limit_files and n_files >= limit_files:
                break
            try:
                raw = open(path, 'rb').read()
            except OSError:
                continue
            if hashlib.sha1(raw).hexdigest() in hashes:
                dropped += 1
                continue
            try:
                text = raw.decode('utf-8')
            except UnicodeDecodeError:
                continue
            n_files += 1
            pkg = package_of(path)
            if kind == 'code':
                for u in code_units(path, text):
                    code = u.code[:MAX_DOC_CHARS]
                    if len(code) < 40:
                        continue
                    qs = []
                    sent = first_sentence(u.doc) if u.doc else ''
                    if len(sent.split()) >= 3:
                        qs.append(('doc', sent))
                        q = reword(sent, rng)
                        if q:
                            qs.append(('question', q))
                    nw = name_words(u.name)
                    if len(nw.split()) >= 2:
                        qs.append(('name', nw))
                    if not qs:
                        continue
                    # the name masked part of the time, so the body must carry the meaning
                    if rng.random() < 0.3:
                        code = mask_name(code, u.name)
                    items.append((pkg, code, qs))
            else:
                for title, body in sections(text):
                    title = title.strip('`*_ ')
                    if len(title.split()) >= 2 and len(body) >= 80:
                        items.append((pkg, body[:MAX_DOC_CHARS], [('heading', title)]))
        print(f'{root} {suffixes[0]}: {len(items) - before} items ({time.time() - t0:.0f} s)', flush=True)
    print(f'{n_files} files read, {dropped} dropped as copies of held-out files')
    # positive texts unique; queries unique across items
    out, seen_q = [], set()
    for pkg, doc, qs in items:
        h = hashlib.sha1(doc.encode()).digest()
        if h in seen_docs:
            continue
        seen_docs.add(h)
        keep = []
        for k, q in qs:
            nq = ' '.join(q.lower().split())
            if nq not in seen_q:
                seen_q.add(nq)
                keep.append((k, q))
        if keep:
            out.append((pkg, doc, keep))
    return out


class CSR:
    """Features of many texts: hash, type and (1 + ln tf) per feature, rows by offsets."""

    def __init__(self):
        self.h, self.t, self.w, self.off = [], [], [], [0]

    def add(self, text):
        for f, n in raw_features(text).items():
            self.h.append(fnv1a32(f))
            self.t.append(TYPE_CODE[f[0]])
            self.w.append(1.0 + np.log(n))
        self.off.append(len(self.h))

    def arrays(self, prefix):
        return {prefix + 'h': np.asarray(self.h, np.uint32), prefix + 't': np.asarray(self.t, np.uint8),
                prefix + 'w': np.asarray(self.w, np.float32), prefix + 'off': np.asarray(self.off, np.int64)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(OUT, 'pairs.npz'))
    ap.add_argument('--limit-files', type=int, default=None, help='for a quick check')
    args = ap.parse_args()
    items = gather(args.limit_files)
    kinds = {}
    for _, _, qs in items:
        for k, _ in qs:
            kinds[k] = kinds.get(k, 0) + 1
    print(f'{len(items)} items; queries by kind: {kinds}', flush=True)
    t0 = time.time()
    docs, queries = CSR(), CSR()
    q_item, q_kind, pkg_ids, pkgs = [], [], [], {}
    kind_ids = {'doc': 0, 'question': 1, 'name': 2, 'heading': 3}
    for i, (pkg, doc, qs) in enumerate(items):
        docs.add(doc)
        pkg_ids.append(pkgs.setdefault(pkg, len(pkgs)))
        for k, q in qs:
            queries.add(q)
            q_item.append(i)
            q_kind.append(kind_ids[k])
    print(f'featurized in {time.time() - t0:.0f} s', flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    np.savez(args.out, **docs.arrays('d_'), **queries.arrays('q_'), q_item=np.asarray(q_item, np.int32),
             q_kind=np.asarray(q_kind, np.int8), item_pkg=np.asarray(pkg_ids, np.int32))
    with open(os.path.join(os.path.dirname(args.out), 'pairs_sample.json'), 'w') as f:
        rng = random.Random(1)
        json.dump([{'pkg': p, 'queries': qs, 'doc': d[:300]} for p, d, qs in rng.sample(items, min(40, len(items)))], f, indent=1)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
