"""The held-out repositories of models/heldout.json as search tasks.

Candidates: every code unit (function, method, class header) of the repository, docstrings and
JSDoc removed. Queries: each documented unit's first docstring sentence (>= 3 words; a sentence
that documents two units is dropped as ambiguous), and the same sentence reworded by the
held-out EVAL templates of templates.py.
"""
import json
import os
import sys
import random
from dataclasses import dataclass
from typing import List

from .pairs import HELDOUT, REPO
from .templates import reword
from .units import Unit, code_units, first_sentence


@dataclass
class Task:
    name: str
    language: str
    units: List[Unit]
    doc_queries: List[tuple]       # (query, gold unit index)
    reworded_queries: List[tuple]


def repo_files(root: str, language: str) -> List[str]:
    if language == 'python':
        exts, skip_dirs = ('.py',), {'tests', 'test', '__pycache__'}
    else:
        exts, skip_dirs = ('.js', '.mjs', '.cjs', '.ts'), {'test', 'tests', '__tests__', 'node_modules', 'typings'}
        src = os.path.join(root, 'src')
        if os.path.isdir(src) and any(f.endswith('.ts') for f in os.listdir(src)):
            root = src  # TypeScript sources, not their compiled copies under dist/
        else:
            skip_dirs = skip_dirs | {'dist'}
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        for f in sorted(filenames):
            if f.endswith(exts) and not f.endswith(('.d.ts', '.min.js', '.spec.ts', '.test.ts', '.test.js')):
                out.append(os.path.join(dirpath, f))
    return out


def root_of(spec: dict) -> str:
    """A heldout.json source's folder: absolute, or relative to the repository."""
    return spec['root'] if os.path.isabs(spec['root']) else os.path.join(REPO, spec['root'])


def load_task(spec: dict, seed: int = 0) -> Task:
    root = root_of(spec)
    units = []
    for path in repo_files(root, spec['language']):
        text = open(path, encoding='utf-8', errors='replace').read()
        units += [u for u in code_units(os.path.relpath(path, root), text) if u.code.strip()]
    by_sentence = {}
    for i, u in enumerate(units):
        s = first_sentence(u.doc) if u.doc else ''
        if len(s.split()) >= 3:
            by_sentence.setdefault(s, []).append(i)
    rng = random.Random(seed)
    doc_q, rew_q = [], []
    for s, idx in by_sentence.items():
        if len(idx) != 1:
            continue
        doc_q.append((s, idx[0]))
        q = reword(s, rng, held_out=True)
        if q:
            rew_q.append((q, idx[0]))
    return Task(spec['name'], spec['language'], units, doc_q, rew_q)


def load_tasks(split: str) -> List[Task]:
    """The repositories of one split. One whose folder is missing is left out with a line on
    stderr: a package the QA evaluation fetches from the npm registry ('fetch' in heldout.json)
    is there only after `npm run eval:qa -- --sets dev` has run once."""
    tasks = []
    for spec in json.load(open(HELDOUT))['code'][split]:
        if not os.path.isdir(root_of(spec)):
            print(f'{spec["name"]}: {root_of(spec)} is missing; left out', file=sys.stderr)
            continue
        tasks.append(load_task(spec))
    return tasks
