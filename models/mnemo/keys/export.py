"""Writes a trained static key table into a model folder: `static_keys.bin` + model.json's block.

int8 with a float32 scale per row (max |v| / 127): half the bytes of float16, and the measured
figures of evaluate.py --model are those of this quantised table. model.json gets
  "staticKeys": { file, buckets, dim, dtype, hash, stem, wordWeight, identWeight, gramWeight, training }
and "keyDim" set to the table's dim (the stored keys are static keys; a saved memory of another
keyDim is refused by the runtime and read again).

    /usr/bin/python3 -m models.mnemo.keys.export --ckpt models/checkpoints/keys-b16-d128.pt --model models/mnemo-m2
"""
import argparse
import json
import os

import numpy as np

from .features import FeatureConfig

FILE = 'static_keys.bin'
BLOCK = 'static_keys.json'  # the block, in a folder without model.json


def quantize(table: np.ndarray):
    scale = np.abs(table).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def write_table(model_dir: str, table: np.ndarray, cfg: FeatureConfig, training: dict, dtype: str = 'int8'):
    table = np.asarray(table, np.float32)
    assert table.shape[0] == cfg.buckets
    with open(os.path.join(model_dir, FILE), 'wb') as f:
        if dtype == 'int8':
            q, scale = quantize(table)
            f.write(q.tobytes())
            f.write(scale.astype('<f4').tobytes())
        else:
            f.write(table.astype('<f2').tobytes())
    block = {'file': FILE, **cfg.to_json(), 'dim': int(table.shape[1]), 'dtype': dtype, 'training': training}
    write_block(model_dir, block)


def write_block(model_dir: str, block: dict):
    """Into model.json when the folder has one (and keyDim follows the table), else static_keys.json."""
    path = os.path.join(model_dir, 'model.json')
    if os.path.exists(path):
        cfg_json = json.load(open(path))
        cfg_json['staticKeys'] = block
        cfg_json['keyDim'] = block['dim']
    else:
        path, cfg_json = os.path.join(model_dir, BLOCK), block
    with open(path, 'w') as f:
        json.dump(cfg_json, f, indent=2)
        f.write('\n')


def read_block(model_dir: str) -> dict:
    path = os.path.join(model_dir, 'model.json')
    if os.path.exists(path):
        return json.load(open(path))['staticKeys']
    return json.load(open(os.path.join(model_dir, BLOCK)))


def read_table(model_dir: str):
    """(float32 table `[buckets, dim]`, FeatureConfig) as the product loads them."""
    block = read_block(model_dir)
    b, d = block['buckets'], block['dim']
    raw = open(os.path.join(model_dir, block['file']), 'rb').read()
    if block['dtype'] == 'int8':
        q = np.frombuffer(raw, np.int8, b * d).reshape(b, d)
        scale = np.frombuffer(raw, '<f4', b, offset=b * d)
        table = q.astype(np.float32) * scale[:, None]
    else:
        table = np.frombuffer(raw, '<f2', b * d).reshape(b, d).astype(np.float32)
    return table, FeatureConfig.from_json(block)


def main():
    import torch
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--ckpt', help='a checkpoint of train.py')
    g.add_argument('--copy-from', help='a folder already holding the table (e.g. another model folder): copy it')
    ap.add_argument('--model', required=True, help='model folder whose model.json gets the block (or a bare folder)')
    ap.add_argument('--dtype', default='int8', choices=['int8', 'float16'])
    args = ap.parse_args()
    os.makedirs(args.model, exist_ok=True)
    if args.copy_from:
        import shutil
        block = read_block(args.copy_from)
        shutil.copyfile(os.path.join(args.copy_from, block['file']), os.path.join(args.model, block['file']))
        write_block(args.model, block)
        print(f'copied {block["file"]} and the staticKeys block into {args.model}')
        return
    ck = torch.load(args.ckpt)
    cfg = FeatureConfig.from_json(ck['features'])
    training = {'step': ck['step'], 'seconds': round(ck['train_seconds']), 'devDocstringTop1': round(ck['dev']['mean_top1'], 4),
                'batch': ck['args']['batch'], 'lr': ck['args']['lr'], 'pairs': 'models/mnemo/keys/pairs.py'}
    write_table(args.model, ck['table'].numpy(), cfg, training, args.dtype)
    size = os.path.getsize(os.path.join(args.model, FILE))
    print(f'wrote {os.path.join(args.model, FILE)} ({size / 1e6:.1f} MB) and the staticKeys block of model.json')


if __name__ == '__main__':
    main()
