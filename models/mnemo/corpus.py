"""Gather real text (code and prose) from this machine into models/data/corpus/.

Deterministic: files are walked in sorted order, capped per source, and split into
train / held-out by a hash of the path (10% held out). Every source that
models/heldout.json lists (test and dev repositories and books) is never gathered, nor the books
of the natural questions (bench/qa/natural), nor the
King James Bible (`bible-kjv-text`), the held-out evaluation book.

    /usr/bin/python3 -m models.mnemo.corpus            # full (~40 MB)
    /usr/bin/python3 -m models.mnemo.corpus --small    # CI (~3 MB)
"""
import argparse
import gzip
import hashlib
import html
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
DATA = os.path.join(HERE, '..', 'data', 'corpus')

# (kind, root, suffixes, byte cap). Roots that are missing are skipped; relative roots are
# taken from the repository root.
SOURCES = [
    ('code', '/usr/lib/python3.11', ('.py',), 20_000_000),
    ('code', 'node_modules', ('.js', '.ts', '.mjs', '.cjs'), 8_000_000),
    ('code', '/usr/share/nodejs', ('.js', '.ts'), 4_000_000),
    ('prose', '/usr/share/doc/python3.11/html/_sources', ('.txt',), 12_000_000),
    ('prose', '/usr/share/doc', ('README', 'README.md', 'README.txt', 'NEWS', '.txt', 'README.gz', 'NEWS.gz'), 4_000_000),
]
MIN_BYTES, MAX_BYTES = 400, 300_000


NATURAL = os.path.join(REPO, 'bench', 'qa', 'natural')


def excluded_roots():
    """Roots of every evaluation source, resolved: those of models/heldout.json and the books of
    the hand-written natural questions (bench/qa/natural/*.json, dev and test), plus the names of
    heldout.json's npm packages (a package can also sit in another node_modules or in
    /usr/share/nodejs). The Debian Reference and the GNU Coding Standards, natural test books,
    were gathered as prose here before they became evaluation books."""
    spec = json.load(open(os.path.join(REPO, 'models', 'heldout.json')))
    roots, packages = [], set()
    for group in ('code', 'books'):
        for split in spec[group].values():
            for src in split:
                if 'root' in src:
                    roots.append(os.path.realpath(os.path.join(REPO, src['root'])))
                if src.get('package', '').startswith('npm:'):
                    packages.add(src['package'][4:])
    for name in sorted(os.listdir(NATURAL)) if os.path.isdir(NATURAL) else []:
        if name.endswith('.json'):
            roots.append(os.path.realpath(json.load(open(os.path.join(NATURAL, name)))['root']))
    return roots, packages


EXCLUDED_ROOTS, EXCLUDED_PACKAGES = excluded_roots()


def is_evaluation_source(path: str) -> bool:
    real = os.path.realpath(path)
    if any(real == r or real.startswith(r + os.sep) for r in EXCLUDED_ROOTS):
        return True
    parts = real.split(os.sep)
    return any(a in ('node_modules', 'nodejs') and b in EXCLUDED_PACKAGES for a, b in zip(parts, parts[1:]))


def heldout(path: str) -> bool:
    """10% of paths, by hash, never seen in training."""
    return int(hashlib.sha1(path.encode()).hexdigest(), 16) % 10 == 0


def read_text(path: str):
    raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    if b'\0' in raw[:4096]:
        return None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if path.endswith('.html'):
        text = html.unescape(re.sub(r'<[^>]+>', '', text))
    return text


def split_long(text):
    parts, start = [], 0
    while len(text) - start > MAX_BYTES:
        cut = text.rfind('\n\n', start, start + MAX_BYTES)
        cut = cut if cut > start else start + MAX_BYTES
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return parts


def walk(root, suffixes):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        skip = ('test' in os.path.basename(dirpath) and 'node_modules' in dirpath)
        if 'bible' in dirpath.lower() or is_evaluation_source(dirpath):  # evaluation sources: never gathered
            dirnames[:] = []
            continue
        for f in sorted(filenames):
            if f.endswith(suffixes) and not f.endswith('.min.js') and not skip:
                yield os.path.join(dirpath, f)


def gather(scale: float):
    seen_hashes = set()
    out = {'train': [], 'heldout': []}
    for kind, root, suffixes, cap in SOURCES:
        root = os.path.join(REPO, root)         # absolute roots stay as they are
        if not os.path.isdir(root):
            print(f'skip missing {root}')
            continue
        total = 0
        for path in walk(root, suffixes):
            assert 'bible' not in path.lower(), 'the KJV Bible is the held-out evaluation book'
            assert not is_evaluation_source(path), f'{path} is an evaluation source (models/heldout.json, bench/qa/natural)'
            if total >= cap * scale:
                break
            if os.path.getsize(path) > MAX_BYTES * 20:
                continue
            text = read_text(path)
            if text is None or len(text) < MIN_BYTES:
                continue
            h = hashlib.sha1(text.encode()).hexdigest()
            if h in seen_hashes:
                continue
            seen_hashes.add(h)
            # long books are cut into parts at blank lines; each part is one document
            for i, part in enumerate(split_long(text)):
                name = path if i == 0 else f'{path}#part{i}'
                total += len(part)
                out['heldout' if heldout(name) else 'train'].append({'path': name, 'kind': kind, 'text': part})
        print(f'{kind:5s} {root}: {total/1e6:.1f} MB')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--small', action='store_true', help='~3 MB, for CI')
    ap.add_argument('--out', default=DATA)
    args = ap.parse_args()
    out = gather(0.08 if args.small else 1.0)
    os.makedirs(args.out, exist_ok=True)
    for split, docs in out.items():
        with open(os.path.join(args.out, f'{split}.jsonl'), 'w') as f:
            for d in docs:
                f.write(json.dumps(d) + '\n')
        print(f'{split}: {len(docs)} files, {sum(len(d["text"]) for d in docs)/1e6:.1f} MB')


if __name__ == '__main__':
    main()
