"""Mnemo: one small causal transformer used three ways, RMT style.

reader   [read memory (M) | segment (S) | write memory (M)] -> memory_out = last layer at the
         write positions, key = L2-normalised projection of the mean segment state.
query    question tokens alone -> query_key (L2-normalised), scored against keys by dot product.
decoder  [memory (M) | prompt (T)] -> next-token logits, with a KV cache for generation.

All three share the trunk and the tied token embedding; positions are learned and absolute.
Memory is explicit: every forward takes memory in and gives memory out.
"""
import math
from typing import Optional
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class MnemoConfig:
    vocab_size: int = 8192        # byte-level BPE incl. 9 special tokens (ids 0..8)
    segment_length: int = 128     # S: real tokens per reader segment
    memory_size: int = 16         # M: memory vectors carried between segments
    d_model: int = 256            # D: width of the trunk and of each memory vector
    n_layers: int = 4
    n_heads: int = 4
    key_dim: int = 64             # K: retrieval key width
    max_positions: int = 512      # learned positions; reader needs 2M+S, decoder M+prompt+answer
    max_query_tokens: int = 64
    mem_init_std: float = 0.02    # trainable memory init = randn * std (RMT)
    dropout: float = 0.0

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h = cfg.n_heads
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)

    def forward(self, x, bias, past_k=None, past_v=None):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=2)
        q = q.view(B, T, self.h, D // self.h).transpose(1, 2)  # (B, H, T, hd)
        k = k.view(B, T, self.h, D // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, D // self.h).transpose(1, 2)
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)                   # (B, H, P+T, hd)
            v = torch.cat([past_v, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, H, T, P+T)
        att = F.softmax(att + bias, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.proj(y), k, v


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(),
                                 nn.Linear(4 * cfg.d_model, cfg.d_model))

    def forward(self, x, bias, past_k=None, past_v=None):
        a, k, v = self.attn(self.ln1(x), bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln2(x))
        return x, k, v


NEG = -1e9


def causal_bias(key_valid, T_q, past=0):
    """Additive attention bias (B, 1, T_q, P+T_q): causal, and padded keys masked out.
    key_valid: (B, P+T_q) bool."""
    Tk = key_valid.size(1)
    qpos = torch.arange(T_q, device=key_valid.device).view(T_q, 1) + (Tk - T_q)
    kpos = torch.arange(Tk, device=key_valid.device).view(1, Tk)
    allowed = (kpos <= qpos).unsqueeze(0) & key_valid.unsqueeze(1)  # (B, T_q, Tk)
    return torch.where(allowed, 0.0, NEG).unsqueeze(1).to(torch.float32)


class Mnemo(nn.Module):
    def __init__(self, cfg: MnemoConfig):
        super().__init__()
        self.cfg = cfg
        assert cfg.d_model % cfg.n_heads == 0
        assert 2 * cfg.memory_size + cfg.segment_length <= cfg.max_positions
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.wpe = nn.Embedding(cfg.max_positions, cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.memory_init = nn.Parameter(torch.randn(cfg.memory_size, cfg.d_model) * cfg.mem_init_std)
        self.key_head = nn.Linear(cfg.d_model, cfg.key_dim)
        self.query_head = nn.Linear(cfg.d_model, cfg.key_dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(20.0)))  # InfoNCE temperature
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def logits(self, h):
        return h @ self.wte.weight.t()  # tied embeddings

    def trunk(self, x, bias, past=None):
        """x: (B, T, D) embeddings incl. positions. Returns last hidden (after ln_f) and per-layer k, v."""
        ks, vs = [], []
        for i, blk in enumerate(self.blocks):
            pk, pv = (past[0][i], past[1][i]) if past is not None else (None, None)
            x, k, v = blk(x, bias, pk, pv)
            ks.append(k)
            vs.append(v)
        return self.ln_f(x), torch.stack(ks), torch.stack(vs)  # (B,T,D), (L,B,H,P+T,hd) x2

    def initial_memory(self, B):
        return self.memory_init.unsqueeze(0).expand(B, -1, -1)  # (B, M, D)

    # ---- reader -------------------------------------------------------------------------
    def read(self, input_ids, attention_mask, memory, with_hidden=False):
        """input_ids, attention_mask: (B, S); memory: (B, M, D).
        Returns memory_out (B, M, D), key (B, K) and, for training, segment hidden states (B, S, D)
        (logits = self.logits(hidden), computed by the caller only where a loss needs them)."""
        B, S = input_ids.shape
        M = self.cfg.memory_size
        assert memory.shape[1:] == (M, self.cfg.d_model)
        tok = self.wte(input_ids)                                            # (B, S, D)
        x = torch.cat([memory, tok, memory], dim=1)                          # (B, 2M+S, D)
        x = x + self.wpe.weight[: 2 * M + S].unsqueeze(0)
        mask = attention_mask.bool()
        ones = torch.ones(B, M, dtype=torch.bool, device=mask.device)
        bias = causal_bias(torch.cat([ones, mask, ones], dim=1), 2 * M + S)
        h, _, _ = self.trunk(x, bias)
        new_mem = h[:, M + S:]                                               # (B, M, D)
        seg = h[:, M:M + S]                                                  # (B, S, D)
        w = mask.unsqueeze(-1).float()
        pooled = (seg * w).sum(1) / w.sum(1).clamp(min=1.0)                  # (B, D)
        key = F.normalize(self.key_head(pooled), dim=-1)                     # (B, K)
        # an all-padding row leaves memory as it was (the runtime never stores its key)
        any_real = mask.any(dim=1).float().view(B, 1, 1)
        memory_out = any_real * new_mem + (1.0 - any_real) * memory
        if with_hidden:
            return memory_out, key, seg
        return memory_out, key

    # ---- query --------------------------------------------------------------------------
    def query(self, input_ids, attention_mask):
        """(B, Q) -> query_key (B, K)."""
        B, Q = input_ids.shape
        x = self.wte(input_ids) + self.wpe.weight[:Q].unsqueeze(0)
        mask = attention_mask.bool()
        h, _, _ = self.trunk(x, causal_bias(mask, Q))
        w = mask.unsqueeze(-1).float()
        pooled = (h * w).sum(1) / w.sum(1).clamp(min=1.0)
        return F.normalize(self.query_head(pooled), dim=-1)

    # ---- decoder ------------------------------------------------------------------------
    def prefill(self, input_ids, memory, hidden_only=False):
        """input_ids (B, T), memory (B, M, D) -> logits (B, T, V), keys/values (L, B, H, M+T, hd)."""
        B, T = input_ids.shape
        M = memory.shape[1]
        x = torch.cat([memory, self.wte(input_ids)], dim=1)
        x = x + self.wpe.weight[: M + T].unsqueeze(0)
        valid = torch.ones(B, M + T, dtype=torch.bool, device=input_ids.device)
        h, k, v = self.trunk(x, causal_bias(valid, M + T))
        if hidden_only:
            return h[:, M:]                                                  # (B, T, D)
        return self.logits(h[:, M:]), k, v

    def step(self, input_ids, past_keys, past_values):
        """input_ids (B, 1), past (L, B, H, P, hd) -> logits (B, 1, V), presents with P+1."""
        B = input_ids.shape[0]
        P = past_keys.shape[3]
        pos = torch.arange(1, device=input_ids.device) + P
        x = self.wte(input_ids) + self.wpe(pos).unsqueeze(0)
        bias = torch.zeros(B, 1, 1, P + 1, device=input_ids.device)
        h, k, v = self.trunk(x, bias, past=(past_keys, past_values))
        return self.logits(h), k, v


# ---- span head ------------------------------------------------------------------------------
class SpanReader(nn.Module):
    NEW = ('bidi.', 'span.', 'has.', 'match.', 'end_')     # layers the memory model does not have
    """Copies exact answers: reads `[bos] question [sep] passage [eos]` and gives, per token, a
    start and an end logit (the answer is the passage tokens from start to end) plus a
    has-answer logit (does this passage hold the answer at all).

    Its trunk is a copy of the memory model's trunk (initialised from it, then fine-tuned on
    span tasks), so the reader, query and decoder graphs keep the weights they were trained
    with; the token embedding is shared with them and frozen, so it is shipped once. A causal
    trunk lets a passage token see the question but not the tokens after it, which an answer's
    end needs; `bidi_layers` non-causal blocks on top read the whole sequence both ways (their
    output projections start at zero, so training starts from the causal trunk's own states).

    Each passage token also gets a learned "this token occurs in the question" embedding (DrQA's
    exact-match feature), computed inside the graph from input_ids: the question is what lies
    between [bos] and the first [sep]. Without it the weak trunk had to learn lexical matching
    from a few hundred CPU steps, and did not (validation exact match stayed at 2-6%).
    """

    def __init__(self, cfg: MnemoConfig, bidi_layers: int = 1, causal_blocks: Optional[int] = None, alibi: bool = False,
                 end_pairs: int = 0):
        super().__init__()
        self.cfg = cfg
        # ALiBi in the non-causal blocks: head h adds -slope_h * |i - j| to its attention scores
        # (slopes 2^-2 ... 2^-8 for 4 heads), so "look at my neighbours" (is the subject of the
        # question next to me?) is there from the first step instead of being learned from
        # absolute positions. Not a parameter: a constant of the graph.
        self.alibi = alibi
        self.register_buffer('slopes', torch.tensor([2.0 ** (-8 * (h + 1) / cfg.n_heads) for h in range(cfg.n_heads)]),
                             persistent=False)
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)      # shared with Mnemo.wte, frozen
        self.wpe = nn.Embedding(cfg.max_positions, cfg.d_model)
        n_causal = cfg.n_layers if causal_blocks is None else causal_blocks
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(n_causal)])   # the trunk's lowest blocks
        self.bidi = nn.ModuleList([Block(cfg) for _ in range(bidi_layers)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.match = nn.Embedding(2, cfg.d_model)                 # passage token occurs in the question
        nn.init.zeros_(self.match.weight)
        self.sep_id = 8                                           # specialTokens.sep (docs/MODEL_CONTRACT.md)
        self.span = nn.Linear(cfg.d_model, 2)                     # start, end logits
        self.has = nn.Linear(cfg.d_model, 1)                      # has-answer logit
        Mnemo._init(self.span)
        Mnemo._init(self.has)
        # The end given the start (end_pairs = the longest span, in tokens): with independent
        # start and end logits the best pair often starts at the answer and ends at a later word
        # of the same kind ("barn. Then Chen went back to the cellar"). This head scores the end
        # t + j for each start t and j < end_pairs from both tokens' states and the length j, so
        # the end is chosen knowing where the span began (a small pointer decoder, as in
        # XLNet's span head).
        self.end_pairs = end_pairs
        if end_pairs:
            width = 64
            self.end_q = nn.Linear(cfg.d_model, width)
            self.end_k = nn.Linear(cfg.d_model, width)
            self.end_len = nn.Embedding(end_pairs, width)
            self.end_out = nn.Linear(width, 1)
            for m in (self.end_q, self.end_k, self.end_len, self.end_out):
                Mnemo._init(m)
        for blk in self.bidi:
            for m in blk.modules():
                Mnemo._init(m)
            nn.init.zeros_(blk.attn.proj.weight)
            nn.init.zeros_(blk.mlp[2].weight)

    @classmethod
    def from_settings(cls, cfg: MnemoConfig, d: dict):
        """From a train_span.py checkpoint (bidi_layers, ...) or model.json's spanConfig (bidiLayers, ...)."""
        get = lambda snake, camel, default: d.get(snake, d.get(camel, default))
        return cls(cfg, get('bidi_layers', 'bidiLayers', 1), get('causal_blocks', 'causalBlocks', None),
                   get('alibi', 'alibi', False), get('end_pairs', 'endPairs', 0))

    def settings(self):
        """model.json's spanConfig."""
        return {'bidiLayers': len(self.bidi), 'causalBlocks': len(self.blocks), 'alibi': self.alibi,
                **({'endPairs': self.end_pairs} if self.end_pairs else {})}

    @classmethod
    def from_trunk(cls, mnemo: 'Mnemo', bidi_layers: int = 1, causal_blocks: Optional[int] = None, alibi: bool = False,
                   end_pairs: int = 0):
        sr = cls(mnemo.cfg, bidi_layers, causal_blocks, alibi, end_pairs)
        own = sr.state_dict()
        for k, v in mnemo.state_dict().items():
            if k in own and not k.startswith(SpanReader.NEW):
                own[k] = v.clone()
        sr.load_state_dict(own)
        return sr

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def hidden(self, input_ids, attention_mask):
        """(B, T) -> the final token states (B, T, D), after ln_f."""
        B, T = input_ids.shape
        mask = attention_mask.bool()
        after_sep = torch.cumsum((input_ids == self.sep_id).long(), dim=1) > 0           # (B, T)
        pos = torch.arange(T, device=input_ids.device).view(1, T)
        in_q = (~after_sep) & (pos > 0)                                                  # question tokens
        same = input_ids.unsqueeze(2) == input_ids.unsqueeze(1)                          # (B, T, T)
        hit = (same & in_q.unsqueeze(1)).any(dim=2) & after_sep & mask                   # (B, T)
        x = self.wte(input_ids) + self.wpe.weight[:T].unsqueeze(0) + self.match(hit.long())
        bias = causal_bias(mask, T)
        for blk in self.blocks:
            x, _, _ = blk(x, bias)
        full = torch.where(mask, 0.0, NEG).view(B, 1, 1, T).to(torch.float32)  # every real token, both ways
        if self.alibi:
            dist = (pos.view(T, 1) - pos.view(1, T)).abs().to(torch.float32)          # (T, T)
            full = full - self.slopes.view(1, -1, 1, 1) * dist                         # (B, H, T, T)
        for blk in self.bidi:
            x, _, _ = blk(x, full)
        return self.ln_f(x)                                                    # (B, T, D)

    def _at_eos(self, h, attention_mask):
        last = (attention_mask.sum(1) - 1).clamp(min=0)                        # the eos position
        return h[torch.arange(h.size(0)), last]                                # (B, D)

    def relevance(self, input_ids, attention_mask):
        """(B, T) -> the has-answer logit alone (B,): the reranker's relevance of the passage to
        the question (rerank/), without the span heads' work."""
        return self.has(self._at_eos(self.hidden(input_ids, attention_mask), attention_mask))[:, 0]

    def forward(self, input_ids, attention_mask):
        """(B, T) -> start_logits (B, T), end_logits (B, T), has_answer (B,) and, with the pair
        head, end_given_start (B, T, end_pairs): [b, t, j] scores the span t .. t + j."""
        B, T = input_ids.shape
        h = self.hidden(input_ids, attention_mask)                             # (B, T, D)
        se = self.span(h)                                                      # (B, T, 2)
        h_last = self._at_eos(h, attention_mask)                               # (B, D)
        if not self.end_pairs:
            return se[..., 0], se[..., 1], self.has(h_last)[:, 0]
        S = self.end_pairs
        q, k = self.end_q(h), self.end_k(h)                                    # (B, T, W)
        k = torch.cat([k, k.new_zeros(B, S, k.size(2))], dim=1)                # past the end: masked by the reader
        ahead = torch.stack([k[:, j:j + T] for j in range(S)], dim=2)          # (B, T, S, W): token t + j
        pairs = self.end_out(torch.tanh(q.unsqueeze(2) + ahead + self.end_len.weight.view(1, 1, S, -1)))[..., 0]
        return se[..., 0], se[..., 1], self.has(h_last)[:, 0], pairs
