"""Train the span head (model.SpanReader) from a memory model's trunk on span tasks
(span_tasks.py), in time-boxed, resumable chunks on one CPU thread.

    cp models/mnemo-m2/tokenizer.json models/data/tokenizer.json   # digits split, m1's ids
    nohup nice /usr/bin/python3 -m models.mnemo.train_span --init-from models/mnemo-m2 \
        --minutes 50 --resume > models/runs/span.log 2>&1 &
    /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/m1.pt --span-ckpt models/checkpoints/span.pt ...

The checkpoint carries the memory model's config and state (unchanged: the reader, query and
decoder graphs are exported from it) and the span reader's own state.
"""
import argparse
import json
import math
import os
import re
import shutil
import time

import torch
import torch.nn.functional as F

from .model import Mnemo, MnemoConfig, SpanReader
from .span_tasks import MAX_SPAN, SpanTaskMaker, collate
from .tokenizer import Tokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
NEG = -1e9


def masked_log_softmax(logits, allowed):
    return F.log_softmax(logits.masked_fill(~allowed, NEG), dim=-1)


def span_losses(sr, batch):
    s_log, e_log, has, *rest = sr(batch['input_ids'], batch['attention_mask'])
    out = {'has': F.binary_cross_entropy_with_logits(has, batch['has'])}
    pos = batch['has'] > 0
    if pos.any():
        ls = masked_log_softmax(s_log[pos], batch['passage'][pos])
        le = masked_log_softmax(e_log[pos], batch['passage'][pos])
        # every occurrence of the answer counts: -log of the probability mass on the gold set
        out['start'] = -torch.logsumexp(ls.masked_fill(batch['start'][pos] == 0, NEG), -1).mean()
        out['end'] = -torch.logsumexp(le.masked_fill(batch['end'][pos] == 0, NEG), -1).mean()
        if rest:
            # the end given each gold start (teacher forcing): its first gold end at or after it
            S = rest[0].size(2)
            lp = masked_log_softmax(rest[0][pos], ahead(batch['passage'][pos], S))
            gold_end = ahead(batch['end'][pos] > 0, S)
            first = gold_end & (torch.cumsum(gold_end.long(), dim=2) == 1)          # (b, T, S)
            at = (batch['start'][pos] > 0) & first.any(2)                           # gold starts
            out['pair'] = -(lp * first).sum(2)[at].mean()
    return out


def ahead(x, S):
    """(B, T) -> (B, T, S): [b, t, j] = x[b, t + j] (False / 0 past the end)."""
    B, T = x.shape
    x = torch.cat([x, x.new_zeros(B, S)], dim=1)
    return torch.stack([x[:, j:j + T] for j in range(S)], dim=2)


@torch.no_grad()
def best_spans(sr, batch, max_span=MAX_SPAN, breaks=None):
    """-> per row (start, end, span log-probability, has-answer logit), positions in the input.
    The same decoding as src/core/span.ts: best start <= end < start + max_span in the passage;
    with `breaks` ((B, T) bool: the token holds a line break), also its one-line rule: no span
    contains such a token, and p(end | start) is taken over the ends before the first one."""
    s_log, e_log, has, *rest = sr(batch['input_ids'], batch['attention_mask'])
    ls = masked_log_softmax(s_log, batch['passage'])
    if rest:
        S = rest[0].size(2)
        allowed = ahead(batch['passage'], S)
        if breaks is not None:
            br = breaks.long()
            cum = torch.cumsum(br, 1)
            # breaks in t .. t + j: cum[t + j] - cum[t] + br[t]
            allowed = allowed & ((ahead(cum, S) - (cum - br).unsqueeze(2)) == 0)
        lp = masked_log_softmax(rest[0], allowed).masked_fill(~allowed, NEG)
        return decode_pairs(ls, lp, has)
    if breaks is not None:
        raise ValueError('the one-line rule needs the end-given-start head')
    return decode_spans(ls, masked_log_softmax(e_log, batch['passage']), has, max_span)


CLOSES_LINE = re.compile(r'[.!?;:,][)\]}"\'\u2019\u201d\u00bb]*$')


def hard_breaks(text):
    """Character indices of the line breaks of `text` that end an answer, as src/core/span.ts
    hardBreaks: after a line closing a sentence or clause, and around a blank line; a break inside
    a hard-wrapped sentence is soft."""
    out, at, lines = set(), 0, text.split('\n')
    for i in range(len(lines) - 1):
        at += len(lines[i])
        before = lines[i].strip()
        if not before or not lines[i + 1].strip() or CLOSES_LINE.search(before):
            out.add(at)
        at += 1
    return out


def passage_breaks(tok, examples, batch):
    """(B, T) bool for best_spans' `breaks`: the passage token holds a hard line break (the
    passage's text is its tokens' texts end to end, as the tokenizer's offsets give them)."""
    out = torch.zeros_like(batch['passage'])
    for b, e in enumerate(examples):
        texts = [tok.decode([i]) for i in e.passage]
        hard, at = hard_breaks(''.join(texts)), 0
        off = len(e.question) + 2
        for k, t in enumerate(texts):
            if any(at + c in hard for c, ch in enumerate(t) if ch == '\n'):
                out[b, off + k] = True
            at += len(t)
    return out & batch['passage']


def decode_pairs(ls, lp, has):
    """Start log-probabilities (B, T) and end-given-start ones (B, T, S) -> best (start, end,
    log p(start) + log p(end | start), has) per row."""
    B, T, S = lp.shape
    flat = (ls.unsqueeze(2) + lp).view(B, -1)
    best, idx = flat.max(-1)
    return [(int(k) // S, int(k) // S + int(k) % S, float(v), float(h)) for k, v, h in zip(idx, best, has)]


def decode_spans(ls, le, has, max_span=MAX_SPAN, length_penalty=0.0):
    """Start/end log-probabilities (B, T) -> best (start, end, span log-probability, has) per row;
    length_penalty (per token of end - start) is for evaluate_span.py's sweep: the product uses 0."""
    T = ls.size(1)
    i = torch.arange(T, device=ls.device)
    ok = (i.view(T, 1) <= i.view(1, T)) & (i.view(1, T) < i.view(T, 1) + max_span)     # (T, T)
    score = ls.unsqueeze(2) + le.unsqueeze(1)                                         # (B, T, T)
    if length_penalty:
        score = score - length_penalty * (i.view(1, T) - i.view(T, 1)).clamp(min=0).to(score.dtype)
    score = score.masked_fill(~ok.unsqueeze(0), NEG)
    flat = score.view(score.size(0), -1)
    best, idx = flat.max(-1)
    return [(int(k) // T, int(k) % T, float(v), float(h)) for k, v, h in zip(idx, best, has)]


@torch.no_grad()
def validate(sr, examples, sp, tok, bs=16, device='cpu'):
    """Exact match of the best span's text (has-answer rows) and has-answer accuracy."""
    sr.eval()
    em = n = hits = 0
    for i in range(0, len(examples), bs):
        chunk = examples[i:i + bs]
        batch = {k: v.to(device) for k, v in collate(chunk, sp).items()}
        for e, (s, x, _, h) in zip(chunk, best_spans(sr, batch)):
            off = len(e.question) + 2
            hits += (h > 0) == bool(e.starts)
            if e.starts:
                n += 1
                em += tok.decode(e.passage[s - off:x - off + 1]).strip() == e.answer
    sr.train()
    return {'val_em': em / max(1, n), 'val_has_acc': hits / max(1, len(examples))}


def save(path, model, sr, opt, step, spent, extra, frozen):
    tmp = path + '.tmp'
    torch.save({'config': model.cfg.to_dict(), 'model': model.state_dict(), 'span': sr.state_dict(),
                'end_pairs': sr.end_pairs, 'bidi_layers': len(sr.bidi), 'causal_blocks': len(sr.blocks), 'alibi': sr.alibi, 'frozen_blocks': frozen, 'opt': opt.state_dict(), 'step': step, 'train_seconds': spent,
                'conf_name': 'm1', **extra}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--init-from', default=os.path.join(ROOT, 'mnemo-m2'), help='a model folder with the trunk (mnemo-m2 holds m1\'s trunk unchanged)')
    ap.add_argument('--init-ckpt', default=None, help='or a train.py checkpoint (CI)')
    ap.add_argument('--init-span', default=None, help='start the span reader from this train_span.py checkpoint '
                    '(layers it lacks start fresh; new optimizer)')
    ap.add_argument('--ckpt', default=os.path.join(ROOT, 'checkpoints', 'span.pt'))
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--minutes', type=float, default=10.0, help='stop (and checkpoint) after this long')
    ap.add_argument('--max-steps', type=int, default=10 ** 9, help='or after this many steps in all')
    ap.add_argument('--total-minutes', type=float, default=50.0, help='the whole run, for the lr schedule')
    ap.add_argument('--bidi', type=int, default=1, help='non-causal blocks on top of the trunk')
    ap.add_argument('--causal-blocks', type=int, default=None, help='trunk blocks kept under the non-causal ones (default: all)')
    ap.add_argument('--alibi', action='store_true', help='distance biases in the non-causal blocks (SpanReader)')
    ap.add_argument('--end-pairs', action='store_const', const=MAX_SPAN, default=0,
                    help='an end head conditioned on the start (SpanReader.end_pairs)')
    ap.add_argument('--frozen-blocks', type=int, default=1, help='lowest trunk blocks kept as the reader has them')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=1e-3, help='trunk; new layers get 3x')
    ap.add_argument('--corpus', default=os.path.join(ROOT, 'data', 'corpus', 'train.jsonl'))
    ap.add_argument('--corpus-mb', type=float, default=8.0)
    ap.add_argument('--tokenizer', default=os.path.join(ROOT, 'data', 'tokenizer.json'))
    ap.add_argument('--mix', default='0.5,0.25,0.25', help='shares of facts, babi and code examples in training')
    ap.add_argument('--max-filler', type=int, default=650, help='most characters of real text around planted facts in training')
    ap.add_argument('--open-share', type=float, default=0.5, help='share of facts from the open relations (span_templates.OPEN_ATTRS)')
    ap.add_argument('--event-share', type=float, default=0.0, help='share of facts from the event relations (span_templates.EVENT_*)')
    ap.add_argument('--device', default='cpu', help='cuda on a GPU machine (every reader of a checkpoint loads it with map_location=cpu)')
    ap.add_argument('--threads', type=int, default=1)   # see train.py: one thread on a shared CPU
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--val', type=int, default=160, help='validation examples (held-out corpus files)')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tok = Tokenizer(args.tokenizer)
    os.makedirs(os.path.dirname(os.path.abspath(args.ckpt)), exist_ok=True)
    step, spent, ck = 0, 0.0, None
    if args.resume and os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt, map_location='cpu')
        cfg = MnemoConfig(**ck['config'])
        model = Mnemo(cfg)
        model.load_state_dict(ck['model'])
        sr = SpanReader.from_settings(cfg, ck)
        sr.load_state_dict(ck['span'])
        step, spent = ck['step'], ck['train_seconds']
        print(f'resumed {args.ckpt} at step {step} ({spent / 60:.1f} min trained)')
    else:
        if args.init_ckpt:
            c0 = torch.load(args.init_ckpt, map_location='cpu')
            cfg = MnemoConfig(**c0['config'])
            model = Mnemo(cfg)
            model.load_state_dict(c0['model'])
        else:
            from .export import load_folder
            cfg = MnemoConfig(**json.load(open(os.path.join(args.init_from, 'model.json')))['config'])
            model = Mnemo(cfg)
            model.load_state_dict(load_folder(args.init_from, cfg))
        sr = SpanReader.from_trunk(model, args.bidi, args.causal_blocks, args.alibi, args.end_pairs)
        if args.init_span:
            c1 = torch.load(args.init_span, map_location='cpu')
            missing, unexpected = sr.load_state_dict(c1['span'], strict=False)
            print(f'span reader from {args.init_span} (step {c1["step"]}); fresh: {missing}')
            assert not unexpected, unexpected
        print(f'span reader from the trunk of {args.init_ckpt or args.init_from}, {args.bidi} non-causal block(s)')
    assert cfg.vocab_size == len(tok), 'the tokenizer must keep the trunk\'s vocabulary (tokenizer.py --keep-vocab)'
    # Frozen, so shared with the reader's graphs and shipped once: the token and position
    # embeddings and the first `--frozen-blocks` blocks (also halves the backward pass on 1 thread).
    sr.wte.weight.requires_grad_(False)
    sr.wpe.weight.requires_grad_(False)
    for blk in sr.blocks[:args.frozen_blocks]:
        for p in blk.parameters():
            p.requires_grad_(False)
    sr.to(args.device)
    new = [p for n, p in sr.named_parameters() if n.startswith(SpanReader.NEW)]
    old = [p for n, p in sr.named_parameters() if p.requires_grad and not n.startswith(SpanReader.NEW)]
    opt = torch.optim.AdamW([{'params': old, 'lr_scale': 1.0}, {'params': new, 'lr_scale': 3.0}],
                            lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    if ck is not None:
        opt.load_state_dict(ck['opt'])
    tm = SpanTaskMaker(tok, args.corpus, seed=args.seed + step, max_mb=args.corpus_mb,
                       mix=tuple(map(float, args.mix.split(','))), max_filler=args.max_filler, open_share=args.open_share,
                       event_share=args.event_share)
    vm = SpanTaskMaker(tok, args.corpus.replace('train.jsonl', 'heldout.jsonl'), seed=12345, max_mb=args.corpus_mb)
    val = [vm.sample() for _ in range(args.val)]
    print(f'{sr.n_params() / 1e6:.2f}M span params; batch {args.batch}; {len(tm.prose)} prose / {len(tm.code)} code '
          f'docs, {sum(map(len, tm.functions))} documented functions', flush=True)
    t0 = last_save = time.time()
    log, warmup = {}, 30

    best = ck.get('best_val_em', -1.0) if ck is not None else -1.0

    def checkpoint():
        nonlocal best
        v = validate(sr, val, tok.ids, tok, device=args.device)
        print(f'step {step} ' + ' '.join(f'{k} {x:.3f}' for k, x in v.items()), flush=True)
        best = max(best, v['val_em'])
        save(args.ckpt, model, sr, opt, step, spent + time.time() - t0, {'val': v, 'log': log, 'best_val_em': best}, args.frozen_blocks)
        if v['val_em'] >= best:       # the weights to export: validation exact match can fall as well as rise
            shutil.copy(args.ckpt, args.ckpt.replace('.pt', '.best.pt'))

    while time.time() - t0 < args.minutes * 60 and step < args.max_steps:
        done = (spent + time.time() - t0) / 60 / args.total_minutes
        lr = args.lr * min(1.0, (step + 1) / warmup) * max(0.1, 0.5 * (1 + math.cos(math.pi * min(1.0, done))))
        for g in opt.param_groups:
            g['lr'] = lr * g['lr_scale']
        batch = {k: v.to(args.device) for k, v in collate([tm.sample() for _ in range(args.batch)], tok.ids).items()}
        out = span_losses(sr, batch)
        loss = sum(out.values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(sr.parameters(), 1.0)
        opt.step()
        step += 1
        for k, x in out.items():
            log[k] = 0.95 * log.get(k, float(x)) + 0.05 * float(x)
        if step % 20 == 0:
            print(f'step {step} lr {lr:.2e} ' + ' '.join(f'{k} {x:.3f}' for k, x in log.items())
                  + f' | {(time.time() - t0) / 60:.1f} min', flush=True)
        if time.time() - last_save > 240:
            checkpoint()
            last_save = time.time()
    checkpoint()
    print(f'saved {args.ckpt} at step {step}')


if __name__ == '__main__':
    main()
