"""Text -> weighted hashed features. Mirrored exactly by src/core/staticKeys.ts.

A text is cut into ASCII identifier tokens; each token is split at underscores, camelCase
and digit runs into lower-cased parts. Every part of 2..30 characters gives
  - a word feature  'w:' + Porter2 stem (stemmed only when the part has a vowel a/e/i/o/u:
    Python's snowballstemmer and wink-porter2-stemmer disagree on vowel-less words like 'yyyy'),
  - character 3-gram features 'g:' + each 3-gram of '<' + part + '>',
and a token of more than one part also gives 'i:' + the whole lower-cased identifier.
A feature's weight is its type weight times (1 + ln tf) (sublinear term frequency); its bucket
is FNV-1a 32-bit of its UTF-8 bytes modulo 2^B.
"""
import math
import re
from dataclasses import dataclass

import snowballstemmer

TOKEN = re.compile(r'[A-Za-z0-9_]+')
PART = re.compile(r'[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+')
VOWEL = re.compile(r'[aeiou]')
MIN_PART, MAX_PART = 2, 30

_stemmer = snowballstemmer.stemmer('english')
_stem_cache: dict = {}


@dataclass(frozen=True)
class FeatureConfig:
    buckets_log2: int = 16
    word_weight: float = 1.0
    ident_weight: float = 1.0
    gram_weight: float = 1.0
    stem: bool = True

    @property
    def buckets(self) -> int:
        return 1 << self.buckets_log2

    def to_json(self) -> dict:
        return {'hash': 'fnv1a32', 'buckets': self.buckets, 'stem': 'porter2' if self.stem else 'none',
                'wordWeight': self.word_weight, 'identWeight': self.ident_weight, 'gramWeight': self.gram_weight}

    @staticmethod
    def from_json(j: dict) -> 'FeatureConfig':
        b = int(j['buckets'])
        assert b & (b - 1) == 0, 'buckets must be a power of two'
        return FeatureConfig(b.bit_length() - 1, j['wordWeight'], j['identWeight'], j['gramWeight'], j['stem'] == 'porter2')


def stem(word: str) -> str:
    s = _stem_cache.get(word)
    if s is None:
        s = _stemmer.stemWord(word) if VOWEL.search(word) else word
        if len(_stem_cache) < 1_000_000:
            _stem_cache[word] = s
    return s


def fnv1a32(s: str) -> int:
    h = 0x811C9DC5
    for b in s.encode('utf-8'):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def raw_features(text: str, stemming: bool = True) -> dict:
    """Feature string -> term frequency, in first-seen order (Python dicts and JS Maps agree)."""
    tf: dict = {}
    for m in TOKEN.finditer(text):
        tok = m.group(0)
        parts = [p.lower() for p in PART.findall(tok)]
        kept = [p for p in parts if MIN_PART <= len(p) <= MAX_PART]
        if len(parts) > 1:
            whole = tok.lower().strip('_')
            if MIN_PART <= len(whole) <= 2 * MAX_PART:
                f = 'i:' + whole
                tf[f] = tf.get(f, 0) + 1
        for p in kept:
            f = 'w:' + (stem(p) if stemming else p)
            tf[f] = tf.get(f, 0) + 1
            padded = '<' + p + '>'
            for i in range(len(padded) - 2):
                g = 'g:' + padded[i:i + 3]
                tf[g] = tf.get(g, 0) + 1
    return tf


_hash_cache: dict = {}


def features(text: str, cfg: FeatureConfig):
    """(buckets, weights) of `text`: one entry per distinct feature (buckets may repeat)."""
    mask = cfg.buckets - 1
    idx, wts = [], []
    type_w = {'w': cfg.word_weight, 'i': cfg.ident_weight, 'g': cfg.gram_weight}
    for f, n in raw_features(text, cfg.stem).items():
        h = _hash_cache.get(f)
        if h is None:
            h = fnv1a32(f)
            if len(_hash_cache) < 4_000_000:
                _hash_cache[f] = h
        w = type_w[f[0]] * (1.0 + math.log(n))
        if w == 0:
            continue
        idx.append(h & mask)
        wts.append(w)
    return idx, wts
