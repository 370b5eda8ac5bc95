"""Writes the Python side's features and keys of real files for test/core/staticKeys.test.ts.

The texts are the fixture codebase's real files (Python's stdlib and npm's `ignore`), whole and
cut into 40-line windows, plus a few questions. Regenerate whenever features.py or the committed
table changes:

    /usr/bin/python3 -m models.mnemo.keys.parity --table models/mnemo-m2
"""
import argparse
import json
import os

from .export import read_table
from .features import raw_features
from .pairs import REPO
from .search import keys_of

FIXTURES = os.path.join(REPO, 'test', 'fixtures', 'codebase')
OUT = os.path.join(REPO, 'test', 'fixtures', 'static-keys', 'parity.json')
QUESTIONS = ['how do I remove common leading whitespace from every line?', 'split a shell command line into words',
             'Which function inserts an item into a sorted list and keeps it sorted?', 'parseHTTPHeader_value utf8Name']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--table', required=True, help='a folder with the table (model.json or static_keys.json)')
    args = ap.parse_args()
    table, cfg = read_table(args.table)
    files = []
    for sub in sorted(os.listdir(FIXTURES)):
        for name in sorted(os.listdir(os.path.join(FIXTURES, sub))):
            if name.endswith(('.py', '.js')):
                rel = f'{sub}/{name}'
                text = open(os.path.join(FIXTURES, rel), encoding='utf-8').read()
                lines = text.split('\n')
                windows = [[s + 1, min(len(lines), s + 40)] for s in range(0, len(lines), 40)]
                wtexts = ['\n'.join(lines[a - 1:b]) for a, b in windows]
                files.append({'path': rel, 'features': [[f, n] for f, n in raw_features(text, cfg.stem).items()],
                              'windows': windows, 'keys': [[round(float(v), 7) for v in k] for k in keys_of(wtexts, table, cfg)]})
    qkeys = keys_of(QUESTIONS, table, cfg)
    out = {'why': 'written by models/mnemo/keys/parity.py; the TypeScript featurizer must agree exactly',
           'table': os.path.relpath(os.path.abspath(args.table), REPO), 'files': files,
           'questions': [{'text': q, 'features': [[f, n] for f, n in raw_features(q, cfg.stem).items()],
                          'key': [round(float(v), 7) for v in k]} for q, k in zip(QUESTIONS, qkeys)]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(f'wrote {OUT}: {len(files)} files, {sum(len(f["windows"]) for f in files)} windows, {len(QUESTIONS)} questions')


if __name__ == '__main__':
    main()
