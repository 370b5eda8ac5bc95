"""Byte-level BPE in pure Python: a trainer that writes a Hugging Face tokenizer.json and
an encoder that reproduces @huggingface/tokenizers' output exactly (checked by
check_tokenizer.mjs on real files).

    /usr/bin/python3 -m models.mnemo.tokenizer --vocab 8192 --sample-mb 6
"""
import argparse
import collections
import json
import os
import random

import regex

# GPT-2's pre-tokenizer pattern, the one the ByteLevel pre_tokenizer uses with use_regex=true
# (mnemo-m1's tokenizer.json still uses it; Tokenizer reads which one a file declares).
GPT2_PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
# The same pattern with every digit its own pre-token (" 48213" -> " 4", "8", "2", "1", "3"), so a
# number is always the same token sequence wherever it stands and a span copies it digit by digit
# (GPT-2's runs gave " 48213" -> " 4|82|13"). Written into tokenizer.json as a Split pre-tokenizer
# in front of a ByteLevel that no longer splits; @huggingface/tokenizers runs exactly that.
DIGITS_PAT_SRC = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
DIGITS_PAT = regex.compile(DIGITS_PAT_SRC)
# ids 0..8 are fixed by docs/MODEL_CONTRACT.md (specialTokens)
SPECIALS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|question|>', '<|answer|>', '<|summary|>', '<|explain|>', '<|path|>', '<|sep|>']
SPECIAL_NAMES = ['pad', 'bos', 'eos', 'question', 'answer', 'summary', 'explain', 'path', 'sep']
DATA = os.path.join(os.path.dirname(__file__), '..', 'data')


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable unicode char map."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()
U2B = {u: b for b, u in B2U.items()}


def pretokenize(text, pat=DIGITS_PAT):
    return [''.join(B2U[b] for b in w.encode('utf-8')) for w in pat.findall(text)]


def pre_tokenizer_json():
    """Split (digits one by one, otherwise GPT-2's pieces) then ByteLevel without its own regex."""
    return {'type': 'Sequence', 'pretokenizers': [
        {'type': 'Split', 'pattern': {'Regex': DIGITS_PAT_SRC}, 'behavior': 'Isolated', 'invert': False},
        {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False}]}


def train_bpe(texts, vocab_size):
    """Classic BPE over word frequencies with incremental pair counts."""
    words = collections.Counter()
    for t in texts:
        words.update(pretokenize(t))
    syms = [list(w) for w in words]           # symbol sequence of each distinct word
    freq = [words[w] for w in words]
    pairs = collections.Counter()
    where = collections.defaultdict(set)      # pair -> ids of words containing it
    for i, s in enumerate(syms):
        for a, b in zip(s, s[1:]):
            pairs[a, b] += freq[i]
            where[a, b].add(i)
    base = [B2U[b] for b in range(256)]
    n_merges = vocab_size - len(SPECIALS) - len(base)
    merges = []
    import heapq
    heap = [(-c, p) for p, c in pairs.items()]
    heapq.heapify(heap)
    while len(merges) < n_merges and heap:
        negc, p = heapq.heappop(heap)
        if pairs.get(p, 0) != -negc:          # stale entry
            if pairs.get(p, 0) > 0:
                heapq.heappush(heap, (-pairs[p], p))
            continue
        if -negc < 2:
            break
        merges.append(p)
        a, b = p
        new = a + b
        touched = set()
        for i in list(where[p]):
            s = syms[i]
            f = freq[i]
            for x, y in zip(s, s[1:]):        # remove old pairs of this word
                pairs[x, y] -= f
                touched.add((x, y))
            j, out = 0, []
            while j < len(s):
                if j < len(s) - 1 and s[j] == a and s[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            syms[i] = out
            for x, y in zip(out, out[1:]):
                pairs[x, y] += f
                where[x, y].add(i)
                touched.add((x, y))
        del pairs[p]
        where.pop(p, None)
        for q in touched:
            if pairs.get(q, 0) > 0:
                heapq.heappush(heap, (-pairs[q], q))
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for t in base:
        vocab[t] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    return vocab, merges


def tokenizer_json(vocab, merges):
    added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, t in enumerate(SPECIALS)]
    bl = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': None, 'pre_tokenizer': pre_tokenizer_json(), 'post_processor': None, 'decoder': bl,
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False,
                  'ignore_merges': False, 'vocab': vocab, 'merges': [f'{a} {b}' for a, b in merges]},
    }


class Tokenizer:
    """Encoder/decoder equivalent to @huggingface/tokenizers for the file written above."""

    def __init__(self, path):
        j = json.load(open(path))
        self.vocab = j['model']['vocab']
        self.inv = {i: t for t, i in self.vocab.items()}
        self.ranks = {tuple(m.split(' ')): r for r, m in enumerate(j['model']['merges'])}
        self.specials = {t['content']: t['id'] for t in j['added_tokens']}
        # digit-splitting Sequence (this round) or plain ByteLevel with GPT-2's regex (mnemo-m1)
        self.pat = DIGITS_PAT if j['pre_tokenizer']['type'] == 'Sequence' else GPT2_PAT
        self.special_re = regex.compile('(' + '|'.join(regex.escape(s) for s in self.specials) + ')')
        self.cache = {}
        self.ids = {n: self.specials[t] for n, t in zip(SPECIAL_NAMES, SPECIALS)}

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        s = list(word)
        while len(s) > 1:
            best = min(((self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(s, s[1:]))))
            if best[0] == 1 << 30:
                break
            i = best[1]
            s[i:i + 2] = [s[i] + s[i + 1]]
        out = [self.vocab[t] for t in s]
        if len(self.cache) < 500_000:
            self.cache[word] = out
        return out

    def encode(self, text):
        ids = []
        for piece in self.special_re.split(text):
            if piece in self.specials:
                ids.append(self.specials[piece])
            elif piece:
                for w in pretokenize(piece, self.pat):
                    ids.extend(self._bpe(w))
        return ids

    def decode(self, ids):
        toks = [self.inv[i] for i in ids if i >= len(SPECIALS)]
        return bytes(U2B[c] for c in ''.join(toks)).decode('utf-8', errors='replace')

    def __len__(self):
        return len(self.vocab)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vocab', type=int, default=8192)
    ap.add_argument('--sample-mb', type=float, default=6.0)
    ap.add_argument('--corpus', default=os.path.join(DATA, 'corpus', 'train.jsonl'))
    ap.add_argument('--out', default=os.path.join(DATA, 'tokenizer.json'))
    ap.add_argument('--keep-vocab', default=None, metavar='TOKENIZER_JSON',
                    help='instead of training: keep this file\'s vocabulary and merges, write them with the '
                         'digit-splitting pre-tokenizer (ids unchanged, so its model\'s weights still fit)')
    ap.add_argument('--dump-check', type=int, default=0,
                    help='instead of training: encode N held-out files with --out into tok_check.jsonl')
    args = ap.parse_args()
    if args.dump_check:
        tok = Tokenizer(args.out)
        docs = [json.loads(l) for l in open(args.corpus.replace('train.jsonl', 'heldout.jsonl'))]
        random.Random(1).shuffle(docs)
        path = os.path.join(os.path.dirname(os.path.abspath(args.out)), 'tok_check.jsonl')
        with open(path, 'w') as f:
            for d in docs[:args.dump_check]:
                text = d['text'][:20000] + ' <|question|> x<|eos|>'  # also exercise special tokens
                f.write(json.dumps({'path': d['path'], 'text': text, 'ids': tok.encode(text)}) + '\n')
        print(f'wrote {path}')
        return
    if args.keep_vocab:
        j = json.load(open(args.keep_vocab))
        merges = [tuple(m.split(' ')) for m in j['model']['merges']]
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        json.dump(tokenizer_json(j['model']['vocab'], merges), open(args.out, 'w'), ensure_ascii=False)
        print(f'wrote {args.out}: vocabulary of {args.keep_vocab} ({len(j["model"]["vocab"])}), digits split')
        return
    docs = [json.loads(l) for l in open(args.corpus)]
    random.Random(0).shuffle(docs)
    texts, total = [], 0
    for d in docs:                             # a fixed random sample of files, code and prose
        if total > args.sample_mb * 1e6:
            break
        texts.append(d['text'])
        total += len(d['text'])
    vocab, merges = train_bpe(texts, args.vocab)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    json.dump(tokenizer_json(vocab, merges), open(args.out, 'w'), ensure_ascii=False)
    print(f'wrote {args.out}: vocab {len(vocab)}, {len(merges)} merges from {total/1e6:.1f} MB')


if __name__ == '__main__':
    main()
