"""The reranker as the product will run it: rows `[bos] question [sep] passage [eos]` exactly as
src/core/span.ts builds them (question cut to 48 tokens, tokenizer models/mnemo-m2/tokenizer.json),
scored by SpanReader.relevance, the span reader's has-answer logit.

Why the has-answer logit: it already answers "does this passage hold what the question asks for"
(trained on passages with and without the answer), so the untrained reader is a meaningful
starting point to measure against. It reads one state, the eos token's, which ALiBi keeps near the
end of the passage; a first run that trained it alone stayed near chance on its training lists
(loss 1.90 against 2.08 after 234 steps) and lost dev MRR. So the relevance adds one linear read of
the mean passage state (193 parameters, zero at the start, so step 0 is exactly spanO's has-answer):
how much of the passage matches the question is then one average away.
"""
import os

import torch
import torch.nn as nn

from ..model import MnemoConfig, SpanReader
from ..tokenizer import Tokenizer
from ..keys.pairs import REPO

TOKENIZER = os.path.join(REPO, 'models', 'mnemo-m2', 'tokenizer.json')
MAX_QUESTION = 48          # src/core/span.ts MAX_QUESTION_TOKENS
MAX_PASSAGE = 160          # a stored segment is 128 tokens; the engine may add a little context


class Relevance(nn.Module):
    """(B, T) rows -> relevance logits (B,): the span reader's has-answer logit at eos plus a linear
    read of the mean state of the passage tokens (after [sep], padding excluded)."""

    def __init__(self, sr: SpanReader):
        super().__init__()
        self.sr = sr
        self.pool = nn.Linear(sr.cfg.d_model, 1)
        nn.init.zeros_(self.pool.weight)
        nn.init.zeros_(self.pool.bias)

    def forward(self, input_ids, attention_mask):
        h = self.sr.hidden(input_ids, attention_mask)                                       # (B, T, D)
        passage = (torch.cumsum((input_ids == self.sr.sep_id).long(), dim=1) > 0) & attention_mask.bool()
        w = passage.unsqueeze(-1).to(h.dtype)
        pooled = (h * w).sum(1) / w.sum(1).clamp(min=1.0)                                   # (B, D)
        return self.sr.has(self.sr._at_eos(h, attention_mask))[:, 0] + self.pool(pooled)[:, 0]


def load_reader(path):
    """The Relevance model from a train_span.py checkpoint (spanO.pt: the pooled read starts at zero)
    or a rerank/train.py one, and the checkpoint."""
    ck = torch.load(path, map_location='cpu')
    cfg = MnemoConfig(**ck['config'])
    sr = SpanReader.from_settings(cfg, ck)
    sr.load_state_dict(ck['span'])
    rel = Relevance(sr)
    if 'rerank_pool' in ck:
        rel.pool.load_state_dict(ck['rerank_pool'])
    rel.eval()
    return rel, ck


class Reranker:
    def __init__(self, model: Relevance, tokenizer_path: str = TOKENIZER):
        self.model = model
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
            out.append(self.model(x, m))
        return torch.cat(out).numpy()
