"""Scoring for the whole-repository evaluation: static keys, BM25, their fusion, metrics."""
import math
from collections import Counter

import numpy as np

from .features import FeatureConfig, features, raw_features

# English stop words plus the frame words of questions; BM25 only (keys learn their own weights).
STOP = set('''a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no nor
not now of off on once only or other our out over own same she should so some such than that the
their them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your'''.split())


def _terms(text: str) -> Counter:
    """BM25 terms: stemmed identifier parts and whole identifiers, stop words dropped."""
    c = Counter()
    for f, n in raw_features(text).items():
        if f[0] == 'w' and f[2:] not in STOP:
            c[f[2:]] += n
        elif f[0] == 'i':
            c['#' + f[2:]] += n
    return c


class BM25:
    def __init__(self, docs, k1: float = 1.2, b: float = 0.75):
        self.n = len(docs)
        self.k1, self.b = k1, b
        tfs = [_terms(d) for d in docs]
        lens = np.array([sum(t.values()) for t in tfs], np.float64)
        self.avg = lens.mean() if self.n else 1.0
        self.postings = {}
        for i, t in enumerate(tfs):
            for term, n in t.items():
                self.postings.setdefault(term, []).append((i, n))
        self.norm = k1 * (1 - b + b * lens / max(self.avg, 1e-9))

    def scores(self, query: str) -> np.ndarray:
        s = np.zeros(self.n)
        for term, qn in _terms(query).items():
            post = self.postings.get(term)
            if not post:
                continue
            idf = math.log(1 + (self.n - len(post) + 0.5) / (len(post) + 0.5))
            ids = np.fromiter((p[0] for p in post), np.int64, len(post))
            tf = np.fromiter((p[1] for p in post), np.float64, len(post))
            s[ids] += qn * idf * tf * (self.k1 + 1) / (tf + self.norm[ids])
        return s


def keys_of(texts, table: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Unit-length static keys `[len(texts), dim]` from a float32 table `[buckets, dim]`."""
    out = np.zeros((len(texts), table.shape[1]), np.float32)
    for r, t in enumerate(texts):
        idx, w = features(t, cfg)
        if idx:
            out[r] = np.asarray(w, np.float32) @ table[np.asarray(idx)]
    n = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(n, 1e-12)


def minmax(s: np.ndarray) -> np.ndarray:
    lo, hi = s.min(), s.max()
    return (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)


def rank_of(scores: np.ndarray, gold: int) -> int:
    """1-based rank of `gold`; ties count against it (a tie is not a win)."""
    return int((scores > scores[gold]).sum() + (scores[np.arange(len(scores)) != gold] == scores[gold]).sum()) + 1


def metrics(ranks) -> dict:
    r = np.asarray(ranks, np.float64)
    return {'n': int(len(r)), 'top1': float((r == 1).mean()) if len(r) else 0.0, 'mrr': float((1 / r).mean()) if len(r) else 0.0}


def mean_pairwise_cosine(keys: np.ndarray) -> float:
    n = len(keys)
    s = keys.sum(0)
    return float((s @ s - (keys * keys).sum()) / (n * (n - 1))) if n > 1 else 0.0
