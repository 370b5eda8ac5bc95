"""Export a trained Mnemo into a model folder that follows docs/MODEL_CONTRACT.md.

    /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/m1.pt --out models/mnemo-m2
    /usr/bin/python3 -m models.mnemo.export --ckpt models/checkpoints/span.pt --out models/mnemo-m2 \
        --id mnemo-m2 --answers models/runs/answers.json        # a train_span.py checkpoint: + span.onnx

Writes reader.onnx, query.onnx, decoder_prefill.onnx, decoder_step.onnx (opset 17, dynamic
batch/length axes) and, from a span checkpoint, span.onnx, all pointing into ONE external
weights.bin, memory_init.bin, model.json, tokenizer.json and fixtures/parity.json.
Weights are exported as the parameters themselves (no constant folding: folding wrote a
transposed copy of each matrix that no other graph shared), so every tensor is stored once,
whichever graphs use it; ONNX Runtime folds the transposes itself when a session opens.
load_folder() rebuilds torch weights from weights.bin + model.json, so the folder alone is
enough to continue training.
"""
import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .model import Mnemo, MnemoConfig, SpanReader
from .tokenizer import SPECIAL_NAMES

OPSET = 17
GRAPHS = {
    'reader': ('reader.onnx', ['input_ids', 'attention_mask', 'memory'], ['memory_out', 'key']),
    'query': ('query.onnx', ['input_ids', 'attention_mask'], ['query_key']),
    'decoderPrefill': ('decoder_prefill.onnx', ['input_ids', 'memory'], ['logits', 'present_keys', 'present_values']),
    'decoderStep': ('decoder_step.onnx', ['input_ids', 'past_keys', 'past_values'], ['logits', 'present_keys', 'present_values']),
}


class _Reader(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, memory):
        return self.m.read(input_ids, attention_mask, memory)


class _Query(_Reader):
    def forward(self, input_ids, attention_mask):
        return self.m.query(input_ids, attention_mask)


class _Prefill(_Reader):
    def forward(self, input_ids, memory):
        return self.m.prefill(input_ids, memory)


class _Step(_Reader):
    def forward(self, input_ids, past_keys, past_values):
        return self.m.step(input_ids, past_keys, past_values)


class _Span(_Reader):
    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


SPAN_GRAPH = ('span.onnx', ['input_ids', 'attention_mask'], ['start_logits', 'end_logits', 'has_answer'])
PAIR_OUTPUT = 'end_given_start'         # with SpanReader.end_pairs: (B, T, end_pairs)


def example_inputs(cfg):
    B, S, M, D = 2, cfg.segment_length, cfg.memory_size, cfg.d_model
    L, H, hd = cfg.n_layers, cfg.n_heads, cfg.d_model // cfg.n_heads
    ids = torch.randint(9, cfg.vocab_size, (B, S))
    return {
        'reader': (ids, torch.ones(B, S, dtype=torch.long), torch.randn(B, M, D)),
        'query': (ids[:, :7], torch.ones(B, 7, dtype=torch.long)),
        'decoderPrefill': (ids[:, :5], torch.randn(B, M, D)),
        'decoderStep': (ids[:, :1], torch.randn(L, B, H, M + 5, hd), torch.randn(L, B, H, M + 5, hd)),
        'span': (ids[:, :40], torch.ones(B, 40, dtype=torch.long)),
    }


DYNAMIC = {
    'reader': {'input_ids': {0: 'B'}, 'attention_mask': {0: 'B'}, 'memory': {0: 'B'},
               'memory_out': {0: 'B'}, 'key': {0: 'B'}},
    'query': {'input_ids': {0: 'B', 1: 'Q'}, 'attention_mask': {0: 'B', 1: 'Q'}, 'query_key': {0: 'B'}},
    'decoderPrefill': {'input_ids': {0: 'B', 1: 'T'}, 'memory': {0: 'B'}, 'logits': {0: 'B', 1: 'T'},
                       'present_keys': {1: 'B', 3: 'MT'}, 'present_values': {1: 'B', 3: 'MT'}},
    'decoderStep': {'input_ids': {0: 'B'}, 'past_keys': {1: 'B', 3: 'P'}, 'past_values': {1: 'B', 3: 'P'},
                    'logits': {0: 'B'}, 'present_keys': {1: 'B', 3: 'P1'}, 'present_values': {1: 'B', 3: 'P1'}},
    'span': {'input_ids': {0: 'B', 1: 'T'}, 'attention_mask': {0: 'B', 1: 'T'}, 'start_logits': {0: 'B', 1: 'T'},
             'end_logits': {0: 'B', 1: 'T'}, 'has_answer': {0: 'B'}, PAIR_OUTPUT: {0: 'B', 1: 'T'}},
}
WRAP = {'reader': _Reader, 'query': _Query, 'decoderPrefill': _Prefill, 'decoderStep': _Step, 'span': _Span}


def graphs_of(span):
    if span is None:
        return GRAPHS
    fname, ins, outs = SPAN_GRAPH
    return {**GRAPHS, 'span': (fname, ins, outs + [PAIR_OUTPUT] if span.end_pairs else outs)}


def export_graphs(model, out_dir, span=None):
    """Export each graph, then move every large initializer into one shared weights.bin."""
    cfg = model.cfg
    inputs = example_inputs(cfg)
    blobs, offsets = bytearray(), {}        # content hash -> (offset, length)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (fname, ins, outs) in graphs_of(span).items():
            path = os.path.join(tmp, fname)
            torch.onnx.export(WRAP[name](span if name == 'span' else model).eval(), inputs[name], path,
                              input_names=ins, output_names=outs, dynamic_axes=DYNAMIC[name], opset_version=OPSET,
                              do_constant_folding=False)
            g = onnx.load(path)
            for init in g.graph.initializer:
                arr = numpy_helper.to_array(init)
                if arr.nbytes < 1024:
                    continue                # small constants stay inside the graph
                raw = np.ascontiguousarray(arr).tobytes()
                h = hashlib.sha256(raw + str(arr.dtype).encode() + str(arr.shape).encode()).hexdigest()
                if h not in offsets:
                    pad = (-len(blobs)) % 64  # keep tensors aligned
                    blobs.extend(b'\0' * pad)
                    offsets[h] = (len(blobs), len(raw))
                    blobs.extend(raw)
                off, n = offsets[h]
                init.ClearField('raw_data')
                for f in ('float_data', 'int64_data', 'int32_data', 'double_data'):
                    init.ClearField(f)
                init.data_location = onnx.TensorProto.EXTERNAL
                del init.external_data[:]
                for k, v in (('location', 'weights.bin'), ('offset', str(off)), ('length', str(n))):
                    e = init.external_data.add()
                    e.key, e.value = k, v
            onnx.save(g, os.path.join(out_dir, fname))
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(bytes(blobs))
    for fname, _, _ in graphs_of(span).values():  # every graph must be checkable with its weights
        onnx.checker.check_model(os.path.join(out_dir, fname))
    return len(blobs)


def model_json(cfg, model_id, version, train_info, span=None, answers=None):
    return {
        'format': 1, 'id': model_id, 'version': version,
        'segmentLength': cfg.segment_length, 'memorySize': cfg.memory_size, 'dModel': cfg.d_model,
        'keyDim': cfg.key_dim, 'nLayers': cfg.n_layers, 'nHeads': cfg.n_heads, 'vocabSize': cfg.vocab_size,
        'maxDecoderPositions': cfg.max_positions, 'maxQueryTokens': cfg.max_query_tokens,
        'tokenizer': 'tokenizer.json', 'memoryInit': 'memory_init.bin', 'weights': 'weights.bin',
        'specialTokens': {n: i for i, n in enumerate(SPECIAL_NAMES)},
        'graphs': {name: {'file': f, 'inputs': i, 'outputs': o} for name, (f, i, o) in graphs_of(span).items()},
        'prompts': {
            'ask': ['bos', '<context>', 'question', '<question>', 'answer'],
            'summarize': ['bos', 'path', '<path>', 'sep', '<context>', 'summary'],
            'explain': ['bos', 'path', '<path>', 'sep', '<context>', 'explain', '<symbol>', 'answer'],
            'maxContextTokens': 2 * cfg.segment_length,
        },
        **({'answers': answers} if answers else {}),
        'training': train_info,
        'config': cfg.to_dict(),
        **({'spanConfig': span.settings()} if span is not None else {}),
    }


@torch.no_grad()
def parity_fixture(model, span=None, tol=1e-3):
    """Inputs and PyTorch outputs for the TypeScript parity test (format fixed by the contract)."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(1234)
    B, S = 2, cfg.segment_length
    mem = model.initial_memory(B)
    steps = []
    for i in range(3):
        ids = torch.randint(9, cfg.vocab_size, (B, S), generator=g)
        mask = torch.ones(B, S, dtype=torch.long)
        if i == 2:                          # last segment of a file: padding at the end of row 1
            mask[1, S // 3:] = 0
            ids[1, S // 3:] = 0
        mem, key = model.read(ids, mask, mem)
        steps.append({'input_ids': ids.tolist(), 'attention_mask': mask.tolist(),
                      'memory_out': mem.tolist(), 'key': key.tolist()})
    q = torch.randint(9, cfg.vocab_size, (B, 12), generator=g)
    qm = torch.ones(B, 12, dtype=torch.long)
    qm[1, 8:] = 0
    q[1, 8:] = 0
    qk = model.query(q, qm)
    prompt = torch.cat([torch.tensor([[1]]), torch.randint(9, cfg.vocab_size, (1, 20), generator=g),
                        torch.tensor([[3, 4]])], dim=1)
    dmem = mem[:1]
    logits, pk, pv = model.prefill(prompt, dmem)
    step_ids, step_logits = [], []
    nxt = int(logits[0, -1].argmax())
    for _ in range(3):
        step_ids.append(nxt)
        lg, pk, pv = model.step(torch.tensor([[nxt]]), pk, pv)
        step_logits.append(lg[0, 0])
        nxt = int(lg[0, 0].argmax())
    rnd = lambda t: np.round(np.asarray(t, dtype=np.float64), 6).tolist()
    extra = {}
    if span is not None:                    # two rows, the second padded at the end
        T = 60
        ids = torch.cat([torch.tensor([[1], [1]]), torch.randint(9, cfg.vocab_size, (2, T - 2), generator=g),
                         torch.tensor([[2], [2]])], dim=1)
        ids[:, 10] = 8                      # [sep]: question = positions 1..9
        ids[:, 20:25] = ids[:, 2:7]         # passage tokens that occur in the question (match feature)
        am = torch.ones(2, T, dtype=torch.long)
        ids[1, 41:], am[1, 41:] = 0, 0
        ids[1, 40] = 2
        st, en, has, *pairs = span(ids, am)
        extra['span'] = {'input_ids': ids.tolist(), 'attention_mask': am.tolist(),
                         'start_logits': rnd(st), 'end_logits': rnd(en), 'has_answer': rnd(has),
                         **({PAIR_OUTPUT: rnd(pairs[0])} if pairs else {})}
    return {'tolerance': tol, **extra,
            'reader': {'steps': [{**s, 'memory_out': rnd(s['memory_out']), 'key': rnd(s['key'])} for s in steps]},
            'query': {'input_ids': q.tolist(), 'attention_mask': qm.tolist(), 'query_key': rnd(qk)},
            'decoder': {'memory': rnd(dmem), 'prompt_ids': prompt.tolist(),
                        'prefill_logits_last': rnd(logits[0, -1]), 'step_ids': step_ids,
                        'step_logits': rnd(torch.stack(step_logits))}}


def load_folder(folder, cfg=None, prefix=''):
    """Rebuild a torch state_dict from a model folder (weights.bin + state_index.json), so training
    can continue from shipped weights. prefix 'span.' gives the span reader's state instead."""
    mj = json.load(open(os.path.join(folder, 'model.json')))
    cfg = cfg or MnemoConfig(**mj['config'])
    assert cfg.to_dict() == mj['config'], 'model.json config differs from the requested config'
    raw = open(os.path.join(folder, 'weights.bin'), 'rb').read()
    state = {}
    sd_file = os.path.join(folder, 'state_index.json')
    index = json.load(open(sd_file))         # param name -> [offset, length, shape] in weights.bin
    for name, (off, n, shape) in index.items():
        if name.startswith('span.') != (prefix == 'span.'):
            continue
        name = name[len(prefix):]
        state[name] = torch.from_numpy(np.frombuffer(raw, dtype=np.float32, count=n // 4, offset=off).copy()).view(shape)
    return state


def write_state_index(model, out_dir, span=None):
    """Map every torch parameter to its bytes in weights.bin (appending the few that the graphs
    hold inline or transposed), for load_folder()."""
    path = os.path.join(out_dir, 'weights.bin')
    raw = bytearray(open(path, 'rb').read())
    where = {}
    params = list(model.state_dict().items())
    if span is not None:
        params += [('span.' + k, v) for k, v in span.state_dict().items()]
    for name, p in params:
        b = p.detach().contiguous().numpy().astype(np.float32).tobytes()
        i = raw.find(b)
        while i >= 0 and i % 4:
            i = raw.find(b, i + 1)
        if i < 0:
            raw.extend(b'\0' * ((-len(raw)) % 64))
            i = len(raw)
            raw.extend(b)
        where[name] = [i, len(b), list(p.shape)]
    open(path, 'wb').write(bytes(raw))
    json.dump(where, open(os.path.join(out_dir, 'state_index.json'), 'w'))


def trunk_training(folder):
    """The trunk's own training info from the folder it came from (a span model's holds it under 'trunk')."""
    training = json.load(open(os.path.join(folder, 'model.json')))['training']
    return training.get('trunk', training)


def carry_over(mj, old_path):
    """Blocks of a model.json this export does not make, kept when exporting into a folder that has
    them: the static key table (static_keys.bin stays in the folder, and keyDim is its width) and the
    fusion weights tuned for it; neither depends on the graphs written here."""
    if not os.path.exists(old_path):
        return mj
    old = json.load(open(old_path))
    if 'staticKeys' in old:
        mj['staticKeys'], mj['keyDim'] = old['staticKeys'], old['keyDim']
    if 'retrieval' in old:
        mj['retrieval'] = old['retrieval']
    return mj


def reading_fingerprint(folder, mj):
    """sha1 of everything a saved memory depends on: the reader graph with its weights inlined,
    memory_init.bin, tokenizer.json, static_keys.bin and model.json's shapes and static-key block.
    None when the folder has no reader graph yet."""
    reader = os.path.join(folder, 'reader.onnx')
    if not os.path.exists(reader):
        return None
    h = hashlib.sha1(onnx.load(reader).SerializeToString())       # external data loaded into the graph
    for name in ('memory_init.bin', 'tokenizer.json', 'static_keys.bin'):
        path = os.path.join(folder, name)
        h.update(name.encode() + (open(path, 'rb').read() if os.path.exists(path) else b''))
    shape = {k: mj.get(k) for k in ('config', 'segmentLength', 'memorySize', 'dModel', 'keyDim', 'specialTokens', 'staticKeys')}
    h.update(json.dumps(shape, sort_keys=True).encode())
    return h.hexdigest()


def memory_version(mj, fingerprint, old, old_fingerprint):
    """model.json's memoryVersion: the version whose saved memories this model reads unchanged.
    A new span head on the same reader keeps the old folder's (users' memories stay valid, the
    workspace is not read again); anything that changes reading gets this export's version."""
    if old and old_fingerprint is not None and old_fingerprint == fingerprint and old.get('id') == mj['id']:
        return old.get('memoryVersion', old['version'])
    return mj['version']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--tokenizer', default=os.path.join(os.path.dirname(__file__), '..', 'data', 'tokenizer.json'))
    ap.add_argument('--id', default='mnemo-m1')
    ap.add_argument('--version', default=None)
    ap.add_argument('--trunk-from', default=None, help='the model folder the span trunk started from (its training info)')
    ap.add_argument('--answers', default=None, help='JSON for model.json "answers" (evaluate_span.py --calibrate)')
    args = ap.parse_args()
    warnings.filterwarnings('ignore', category=UserWarning)  # torch 1.13's ONNX shape-inference chatter
    ck = torch.load(args.ckpt, map_location='cpu')
    cfg = MnemoConfig(**ck['config'])
    model = Mnemo(cfg)
    model.load_state_dict(ck['model'])
    model.eval()
    span = None
    if 'span' in ck:                        # a train_span.py checkpoint: the memory model + the span reader
        span = SpanReader.from_settings(cfg, ck)
        span.load_state_dict(ck['span'])
        span.eval()
    os.makedirs(os.path.join(args.out, 'fixtures'), exist_ok=True)
    old_path = os.path.join(args.out, 'model.json')
    old = json.load(open(old_path)) if os.path.exists(old_path) else None
    old_fingerprint = reading_fingerprint(args.out, old) if old else None
    nbytes = export_graphs(model, args.out, span)
    write_state_index(model, args.out, span)
    model.memory_init.detach().numpy().astype('<f4').tofile(os.path.join(args.out, 'memory_init.bin'))
    shutil.copy(args.tokenizer, os.path.join(args.out, 'tokenizer.json'))
    version = args.version or time.strftime('%Y.%m.%d') + f'-s{ck["step"]}'
    info = {'step': ck['step'], 'trainMinutes': round(ck.get('train_seconds', 0) / 60, 1),
            'config': ck.get('conf_name'), 'params': model.n_params()}
    if span is not None:                    # the trunk's own training is in its source folder's model.json
        info = {'span': {**info, 'params': span.n_params(), 'frozenBlocks': ck.get('frozen_blocks', 0)},
                'trunk': trunk_training(args.trunk_from) if args.trunk_from else {}}
    answers = json.load(open(args.answers)) if args.answers else None
    mj = model_json(cfg, args.id, version, info, span, answers)
    mj = carry_over(mj, old_path)
    mj['memoryVersion'] = memory_version(mj, reading_fingerprint(args.out, mj), old, old_fingerprint)
    json.dump(mj, open(old_path, 'w'), indent=2)
    json.dump(parity_fixture(model, span), open(os.path.join(args.out, 'fixtures', 'parity.json'), 'w'))
    print(f'exported {args.out}: {model.n_params()/1e6:.2f}M params, weights.bin {nbytes/1e6:.1f} MB')


if __name__ == '__main__':
    main()
