"""Export the reranker to one ONNX graph with its own weights file.

    /usr/bin/python3 -m models.mnemo.rerank.export --ckpt models/checkpoints/spanO.pt --out /tmp/rerank-initial
    node models/mnemo/rerank/check_onnx.mjs /tmp/rerank-initial

Writes rerank.onnx (inputs input_ids, attention_mask: int64 (B, T); output relevance: float32
(B,), the logit; B and T dynamic; opset 17 like models/mnemo/export.py), its weights as external
data in rerank.bin (float32; the token embedding is the trunk's, stored again here so the graph
stands alone), rerank.json (the input contract and where the weights came from) and
fixtures/parity.json (real question/candidate rows with PyTorch's logits) for check_onnx.mjs and
the TypeScript side.
"""
import argparse
import json
import os
import tempfile

import numpy as np
import onnx
import torch

from ..export import OPSET
from ..tokenizer import SPECIAL_NAMES
from .reranker import MAX_PASSAGE, MAX_QUESTION, TOKENIZER, Reranker, load_reader

# Real rows for parity: questions and code of this machine (no held-out repository).
PARITY = [
    ('how do I remove common leading whitespace from every line?', '/usr/lib/python3.11/textwrap.py', 'def dedent'),
    ('split a shell command line into words', '/usr/lib/python3.11/shlex.py', 'def split'),
    ('which function inserts an item into a sorted list and keeps it sorted?', '/usr/lib/python3.11/bisect.py', 'def insort_right'),
]


def export_graph(model, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    ids = torch.randint(9, model.sr.cfg.vocab_size, (2, 40))
    ids[:, 0], ids[:, 10], ids[:, -1] = 1, 8, 2
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'rerank.onnx')
        torch.onnx.export(model.eval(), (ids, torch.ones_like(ids)), path,
                          input_names=['input_ids', 'attention_mask'], output_names=['relevance'],
                          dynamic_axes={'input_ids': {0: 'B', 1: 'T'}, 'attention_mask': {0: 'B', 1: 'T'}, 'relevance': {0: 'B'}},
                          opset_version=OPSET, do_constant_folding=False)
        g = onnx.load(path)
    for f in ('rerank.onnx', 'rerank.bin'):
        if os.path.exists(os.path.join(out_dir, f)):
            os.remove(os.path.join(out_dir, f))
    onnx.save_model(g, os.path.join(out_dir, 'rerank.onnx'), save_as_external_data=True, all_tensors_to_one_file=True,
                    location='rerank.bin', size_threshold=1024)
    onnx.checker.check_model(os.path.join(out_dir, 'rerank.onnx'))
    return os.path.getsize(os.path.join(out_dir, 'rerank.bin'))


def parity_rows(rr):
    """Three questions, each against its own function and the next question's (rows of unequal length)."""
    texts = []
    for q, path, head in PARITY:
        src = open(path, encoding='utf-8').read()
        at = src.index(head)
        texts.append((q, src[at:at + 900]))
    rows = []
    for k, (q, _) in enumerate(texts):
        # the other question's function cut short, so the batch holds padded rows
        for p in (texts[k][1], texts[(k + 1) % len(texts)][1][:250]):
            rows.append(rr.row(rr.tok.encode(q)[:MAX_QUESTION], rr.tok.encode(p)[:MAX_PASSAGE]))
    return rows


@torch.no_grad()
def parity_fixture(rr, tol=1e-3):
    rows = parity_rows(rr)
    x, m = rr.batch(rows)
    rel = rr.model(x, m)
    return {'why': 'written by models/mnemo/rerank/export.py; rerank.onnx must give these logits', 'tolerance': tol,
            'input_ids': x.tolist(), 'attention_mask': m.tolist(),
            'relevance': np.round(rel.numpy().astype(np.float64), 6).tolist()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True, help='spanO.pt (the untrained starting point) or a rerank/train.py checkpoint')
    ap.add_argument('--out', required=True, help='output folder')
    args = ap.parse_args()
    model, ck = load_reader(args.ckpt)
    rr = Reranker(model)
    nbytes = export_graph(model, args.out)
    info = {
        'format': 1,
        'graph': {'file': 'rerank.onnx', 'weights': 'rerank.bin', 'inputs': ['input_ids', 'attention_mask'], 'outputs': ['relevance']},
        'input': {'row': ['bos', '<question>', 'sep', '<passage>', 'eos'], 'maxQuestionTokens': MAX_QUESTION,
                  'maxPassageTokens': MAX_PASSAGE, 'padding': 'pad at the end, attention_mask 0',
                  'tokenizer': 'models/mnemo-m2/tokenizer.json (the span graph\'s)',
                  'specialTokens': {n: i for i, n in enumerate(SPECIAL_NAMES)}},
        'output': 'relevance: a logit per row; higher = more relevant; compare rows of one question only',
        'source': {'checkpoint': os.path.basename(args.ckpt), 'step': ck.get('step'),
                   'rerankSteps': ck.get('rerank_step', 0), 'dev': ck.get('dev')},
        'params': sum(p.numel() for p in model.parameters()), 'weightsBytes': nbytes,
    }
    json.dump(info, open(os.path.join(args.out, 'rerank.json'), 'w'), indent=1)
    os.makedirs(os.path.join(args.out, 'fixtures'), exist_ok=True)
    json.dump(parity_fixture(rr), open(os.path.join(args.out, 'fixtures', 'parity.json'), 'w'))
    print(f'wrote {args.out}: rerank.onnx + rerank.bin ({nbytes / 1e6:.1f} MB), rerank.json, fixtures/parity.json')


if __name__ == '__main__':
    main()
