"""The reranker as the product will run it: rows `[bos] question [sep] passage [eos]` exactly as
src/core/span.ts builds them (question cut to 48 tokens, tokenizer models/mnemo-m2/tokenizer.json),
scored by SpanReader.relevance, the span reader's has-answer logit.

Why the has-answer logit and not a new head: it already answers "does this passage hold what the
question asks for" (trained on passages with and without the answer), so the untrained reader is
a meaningful starting point to measure against, and the fine-tuned one adds no parameters.
"""
import os

import torch

from ..model import MnemoConfig, SpanReader
from ..tokenizer import Tokenizer
from ..keys.pairs import REPO

TOKENIZER = os.path.join(REPO, 'models', 'mnemo-m2', 'tokenizer.json')
MAX_QUESTION = 48          # src/core/span.ts MAX_QUESTION_TOKENS
MAX_PASSAGE = 160          # a stored segment is 128 tokens; the engine may add a little context


def load_reader(path):
    """A SpanReader from a train_span.py checkpoint (spanO.pt) or a rerank/train.py one, and its checkpoint."""
    ck = torch.load(path, map_location='cpu')
    cfg = MnemoConfig(**ck['config'])
    sr = SpanReader.from_settings(cfg, ck)
    sr.load_state_dict(ck['span'])
    sr.eval()
    return sr, ck


class Reranker:
    def __init__(self, reader: SpanReader, tokenizer_path: str = TOKENIZER):
        self.sr = reader
        self.tok = Tokenizer(tokenizer_path)
        self.sp = self.tok.ids
        self._cache = {}

    def ids(self, text: str, limit: int):
        """Token ids of `text`, cached (the same candidate recurs across queries)."""
        key = (text, limit)
        got = self._cache.get(key)
        if got is None:
            got = self.tok.encode(text)[:limit]
            if len(self._cache) < 200_000:
                self._cache[key] = got
        return got

    def row(self, q_ids, p_ids):
        return [self.sp['bos']] + q_ids[:MAX_QUESTION] + [self.sp['sep']] + p_ids[:MAX_PASSAGE] + [self.sp['eos']]

    def batch(self, rows):
        """Rows of ids -> input_ids, attention_mask (B, T), padded at the end with pad (0)."""
        T = max(map(len, rows))
        x = torch.full((len(rows), T), self.sp['pad'], dtype=torch.long)
        m = torch.zeros((len(rows), T), dtype=torch.long)
        for r, row in enumerate(rows):
            x[r, :len(row)] = torch.tensor(row)
            m[r, :len(row)] = 1
        return x, m

    @torch.no_grad()
    def score(self, question: str, passages, bs: int = 20):
        """Relevance logits (len(passages),) of each passage to the question."""
        q = self.ids(question, MAX_QUESTION)
        out = []
        for i in range(0, len(passages), bs):
            x, m = self.batch([self.row(q, self.ids(p, MAX_PASSAGE)) for p in passages[i:i + bs]])
            out.append(self.sr.relevance(x, m))
        return torch.cat(out).numpy()
