"""Training examples, all built from real text of the corpus.

An Example is one "file" the reader reads segment by segment, plus (optionally) one question:
  segments  (N, S) token ids, mask (N, S)
  query     tokens for query.onnx; gold = index of the segment that answers it (InfoNCE)
  prompt    decoder prompt laid out as in docs/MODEL_CONTRACT.md "Prompts"; answer = target ids + eos
Synthetic facts (pass keys, key-value facts, bAbI-like stories) are hidden in real prose;
code tasks use real functions, docstrings and symbols.
"""
import ast
import json
import random
import re
from dataclasses import dataclass, field
from typing import List

import torch

NAMES = ['Mary', 'John', 'Daniel', 'Sandra', 'Alice', 'Bob', 'Fred', 'Julie', 'Bill', 'Emma']
PLACES = ['kitchen', 'garden', 'office', 'bedroom', 'bathroom', 'hallway', 'cellar', 'library', 'garage', 'park']
OBJECTS = ['apple', 'football', 'milk', 'key', 'book', 'lamp', 'box', 'hat']
ADJS = ['blue', 'red', 'green', 'silent', 'ancient', 'golden', 'hidden', 'frozen', 'bright', 'little']
NOUNS = ['falcon', 'river', 'tower', 'garden', 'engine', 'lantern', 'harbor', 'mirror', 'forest', 'bridge']


class Crowded(Exception):
    pass


@dataclass
class Example:
    segments: List[List[int]]                 # N lists of <= S ids
    query: List[int] = field(default_factory=list)
    gold: int = -1
    prompt: List[int] = field(default_factory=list)
    answer: List[int] = field(default_factory=list)


class TaskMaker:
    def __init__(self, tok, corpus_path, S, max_mb=8.0, seed=0):
        self.tok, self.S = tok, S
        self.rng = random.Random(seed)
        self.sp = tok.ids
        self.prose, self.code, self.pyfiles = [], [], []
        total = 0
        docs = [json.loads(l) for l in open(corpus_path)]
        random.Random(seed).shuffle(docs)
        for d in docs:                        # a fixed random sample of the corpus, tokenized once
            if total > max_mb * 1e6:
                break
            total += len(d['text'])
            ids = tok.encode(d['text'])
            if len(ids) < S:
                continue
            (self.prose if d['kind'] == 'prose' else self.code).append(ids)
            if d['path'].endswith('.py'):
                self.pyfiles.append(d)
        self.functions = [f for d in self.pyfiles for f in python_functions(d)]
        assert self.prose and self.code, 'corpus too small'

    def enc(self, s):
        return self.tok.encode(s)

    # -- haystacks -------------------------------------------------------------------------
    def span(self, pool, n_tokens):
        doc = self.rng.choice(pool)
        while len(doc) < n_tokens and len(pool) > 1:  # join documents to reach the length
            doc = doc + self.rng.choice(pool)
        start = self.rng.randrange(0, max(1, len(doc) - n_tokens + 1))
        return doc[start:start + n_tokens]

    def hide(self, N, facts):
        """Prose haystack of N segments with each fact (ids) placed whole inside segment facts[i][0]."""
        S = self.S
        by_seg = {}
        for seg, ids in facts:
            by_seg.setdefault(seg, []).append(ids)
        hay = self.span(self.prose, N * S)
        segs, pos = [], 0
        for j in range(N):
            ins = by_seg.get(j, [])
            room = S - sum(len(f) for f in ins)
            if room < S // 4:
                raise Crowded()
            chunk = hay[pos:pos + room]
            pos += room
            # facts go in at random points, in the order given: the points are drawn sorted and
            # filled from the last, so an earlier fact always stands before a later one (bAbI's
            # "last move" label depends on it; drawing each point independently made it a coin flip)
            points = sorted(self.rng.randrange(0, len(chunk) + 1) for _ in ins)
            for at, f in reversed(list(zip(points, ins))):
                chunk = chunk[:at] + f + chunk[at:]
            segs.append(chunk[:S])
        return segs

    def ask(self, context, question, answer):
        sp = self.sp
        return ([sp['bos']] + context + [sp['question']] + self.enc(question) + [sp['answer']],
                self.enc(answer) + [sp['eos']])

    # -- tasks -----------------------------------------------------------------------------
    def lm(self, N):
        pool = self.code if self.rng.random() < 0.5 else self.prose
        ids = self.span(pool, N * self.S)
        return Example([ids[j * self.S:(j + 1) * self.S] for j in range(N)])

    def passkey(self, N):
        key = str(self.rng.randrange(10000, 100000))
        fact = self.enc(f'\nThe pass key is {key}. Remember it. {key} is the pass key.\n')
        g = self.rng.randrange(N)
        segs = self.hide(N, [(g, fact)])
        q = 'What is the pass key?'
        p, a = self.ask(segs[g], q, ' ' + key)
        return Example(segs, self.enc(q), g, p, a)

    def kv(self, N):
        n = self.rng.randint(1, 4)
        things = self.rng.sample([(a, b) for a in ADJS for b in NOUNS], n)
        vals = [str(self.rng.randrange(100, 10000)) for _ in things]
        pos = [self.rng.randrange(N) for _ in things]
        facts = [(p, self.enc(f'\nThe code of the {a} {b} is {v}.\n')) for p, (a, b), v in zip(pos, things, vals)]
        segs = self.hide(N, facts)
        i = self.rng.randrange(n)
        q = f'What is the code of the {things[i][0]} {things[i][1]}?'
        p, a = self.ask(segs[pos[i]], q, ' ' + vals[i])
        return Example(segs, self.enc(q), pos[i], p, a)

    def babi(self, N, two_facts=False):
        people = self.rng.sample(NAMES, self.rng.randint(2, 4))
        events = []                           # (segment, person, place) in reading order
        for who in people:
            for _ in range(self.rng.randint(1, 2)):
                events.append((self.rng.randrange(N), who, self.rng.choice(PLACES)))
        events.sort(key=lambda e: e[0])
        facts = [(s, self.enc(f'\n{w} went to the {pl}.\n')) for s, w, pl in events]
        who = self.rng.choice(people)
        last = [e for e in events if e[1] == who][-1]
        if two_facts:                         # who holds the object is told before their last move
            obj = self.rng.choice(OBJECTS)
            first = min(e[0] for e in events if e[1] == who)
            facts.append((self.rng.randrange(0, first + 1), self.enc(f'\n{who} picked up the {obj}.\n')))
            q = f'Where is the {obj}?'
        else:
            q = f'Where is {who}?'
        segs = self.hide(N, facts)
        p, a = self.ask(segs[last[0]], q, ' ' + last[2])
        return Example(segs, self.enc(q), last[0], p, a)

    def docstring(self, N):
        """Function -> docstring (summary prompt); the docstring's first line also queries the
        segment where the function starts (RepoQA-style search)."""
        path, body, doc, line_frac = self.rng.choice(self.functions)
        ids_file = self.tok.encode(body)
        sp = self.sp
        ctx = ids_file[:2 * self.S]
        prompt = [sp['bos'], sp['path']] + self.enc(path) + [sp['sep']] + ctx + [sp['summary']]
        answer = self.enc(' ' + doc) + [sp['eos']]
        # haystack: code around the function, the function whole at a random segment
        g = self.rng.randrange(N)
        segs = []
        for j in range(N):
            segs.append(ids_file[:self.S] if j == g else self.span(self.code, self.S))
        return Example(segs, self.enc(doc), g, prompt, answer)

    def symbol(self, N):
        """Symbol name -> the segment that defines it."""
        ids = self.span(self.code, N * self.S)
        segs = [ids[j * self.S:(j + 1) * self.S] for j in range(N)]
        g = self.rng.randrange(N)
        text = self.tok.decode(segs[g])
        names = re.findall(r'(?:def|class|function)\s+([A-Za-z_]\w{2,})', text)
        if not names:
            return self.lm(N)
        name = self.rng.choice(names)
        if sum(name in self.tok.decode(s) for s in segs) > 1:
            return self.lm(N)                 # ambiguous: more than one segment mentions it
        return Example(segs, self.enc(name), g)

    def sample(self, N):
        for _ in range(10):
            try:
                return self._sample(N)
            except Crowded:                   # too many facts drawn into one segment: redraw
                pass
        return self.lm(N)

    def _sample(self, N):
        r = self.rng.random()
        if r < 0.15:
            return self.lm(N)
        if r < 0.30:
            return self.passkey(N)
        if r < 0.45:
            return self.kv(N)
        if r < 0.58:
            return self.babi(N)
        if r < 0.70:
            return self.babi(N, two_facts=True)
        if r < 0.85:
            return self.docstring(N)
        return self.symbol(N)


def python_functions(d):
    """(path, source without docstring, first docstring line, _) for documented functions."""
    try:
        tree = ast.parse(d['text'])
    except (SyntaxError, ValueError):
        return []
    lines = d['text'].split('\n')
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node):
            doc = ast.get_docstring(node).strip().split('\n')[0].strip()
            if not (10 <= len(doc) <= 160) or not hasattr(node, 'end_lineno'):
                continue
            ds = node.body[0]
            src = lines[node.lineno - 1:ds.lineno - 1] + lines[ds.end_lineno:node.end_lineno]
            body = '\n'.join(src)
            if len(body) > 60:
                out.append((d['path'], body, doc, 0))
    return out


def collate(examples, S, pad=0):
    """-> dict of tensors. segments (B, N, S), mask (B, N, S); query (B, Q), qmask;
    gold (B,) with -1 for none; dec (B, T) prompt+answer, dec_target (B, T) with -100 off answer."""
    B, N = len(examples), len(examples[0].segments)
    seg = torch.full((B, N, S), pad, dtype=torch.long)
    mask = torch.zeros(B, N, S, dtype=torch.long)
    for b, e in enumerate(examples):
        for j, s in enumerate(e.segments):
            seg[b, j, :len(s)] = torch.tensor(s[:S], dtype=torch.long)
            mask[b, j, :len(s)] = 1
    Q = max(1, max(len(e.query) for e in examples))
    query = torch.full((B, Q), pad, dtype=torch.long)
    qmask = torch.zeros(B, Q, dtype=torch.long)
    for b, e in enumerate(examples):
        if e.query:
            query[b, :len(e.query)] = torch.tensor(e.query)
            qmask[b, :len(e.query)] = 1
    gold = torch.tensor([e.gold for e in examples])
    T = max(1, max(len(e.prompt) + len(e.answer) for e in examples))
    dec = torch.full((B, T), pad, dtype=torch.long)
    tgt = torch.full((B, T), -100, dtype=torch.long)
    for b, e in enumerate(examples):
        if e.prompt:
            full = e.prompt + e.answer
            dec[b, :len(full)] = torch.tensor(full)
            # logits at position i predict token i+1: targets are the answer tokens
            tgt[b, len(e.prompt) - 1:len(full) - 1] = torch.tensor(e.answer)
    return dict(segments=seg, mask=mask, query=query, qmask=qmask, gold=gold, dec=dec, dec_target=tgt)
