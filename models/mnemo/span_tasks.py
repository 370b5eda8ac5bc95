"""Training examples for the span head: a question, one passage, and where in the passage the
exact answer is (or that it is not there).

Passages are real text from the training corpus (models/data/corpus/train.jsonl, which never
holds an evaluation source: see corpus.py) with synthetic facts planted in them:
  facts    a fact about a subject, in many wordings, among distractor facts about other
           subjects; values are numbers of 1-12 digits, codes like X7-42-QZ, names, towns, dates;
           half of them (open relations) about any of 33 attributes in generic frames, with
           units after numbers, words and times of day as values, people and guilds as subjects
  babi     bAbI-like stories (people moving, picking things up); the answer is the LAST move
  code     a real Python function with its docstring removed, beside another function of its
           file; the question rewords the docstring, the answer is the function's name
  cloze    a real sentence of the prose asked about by rule: a name, year, count or path in it
           is the answer, the rest of it, noised, the question (cloze.py)
and, for each kind, passages that do not hold the answer (has_answer = 0).
Templates are in span_templates.py (the training ones only).

    span_example -> SpanExample(question ids, passage ids, gold start/end token sets)
    collate      -> tensors laid out as the span graph reads them: [bos] question [sep] passage [eos]
"""
import json
import random
import re
from dataclasses import dataclass, field
from typing import List

import torch

from . import cloze
from . import span_templates as T
from .tasks import python_functions
from .tokenizer import U2B

MAX_QUESTION = 48      # question tokens kept (the product cuts questions the same way)
MAX_PASSAGE = 192      # passage tokens per window in training (src/core/span.ts windows longer passages)
MAX_SPAN = 24          # longest answer, in tokens, that decoding considers


@dataclass
class SpanExample:
    question: List[int]
    passage: List[int]
    starts: List[int] = field(default_factory=list)   # token indices into passage (every occurrence)
    ends: List[int] = field(default_factory=list)
    answer: str = ''                                  # '' when the passage does not hold it
    kind: str = ''


def token_offsets(tok, ids):
    """Byte offsets [start, end) of each token of a byte-level BPE encoding."""
    out, pos = [], 0
    for i in ids:
        n = len(tok.inv[i]) if i >= 9 else 0          # one byte-level character per byte
        out.append((pos, pos + n))
        pos += n
    return out


def locate(tok, text, ids, value):
    """Token spans of every occurrence of value in text (as whole tokens), or []."""
    offs = token_offsets(tok, ids)
    spans = []
    for m in re.finditer(re.escape(value), text):
        b0, b1 = len(text[:m.start()].encode()), len(text[:m.end()].encode())
        s = next((k for k, (a, b) in enumerate(offs) if b > b0), None)
        e = max((k for k, (a, b) in enumerate(offs) if a < b1), default=None)
        if s is None or e is None or e < s or e - s + 1 > MAX_SPAN:
            continue
        if tok.decode(ids[s:e + 1]).strip() != value:    # value does not fall on token edges
            continue
        spans.append((s, e))
    return spans


class SpanTaskMaker:
    def __init__(self, tok, corpus_path, seed=0, max_mb=6.0, templates=T.TRAIN, mix=(0.5, 0.25, 0.25), max_filler=650,
                 open_share=None, event_share=0.0):
        """mix: shares of facts, babi, code (and optionally cloze) examples; max_filler: most characters of real
        text a fact passage is planted in (shorter passages are cheaper steps on a CPU);
        open_share: the share of facts from the open relations (default: half with the training
        templates, none with others, so evaluate_span's EVAL facts stay what they were);
        event_share: the share of facts from the event relations (span_templates.EVENT_*)."""
        self.tok, self.rng, self.templates = tok, random.Random(seed), templates
        self.open_share = (0.5 if templates is T.TRAIN else 0.0) if open_share is None else open_share
        self.event_share = event_share
        total_mix = sum(mix)
        self.cut_facts, self.cut_babi = mix[0] / total_mix, (mix[0] + mix[1]) / total_mix
        self.cut_code = (mix[0] + mix[1] + mix[2]) / total_mix
        self.max_filler = max_filler
        self.prose, self.code, self.functions = [], [], []
        docs = [json.loads(l) for l in open(corpus_path)]
        random.Random(seed).shuffle(docs)
        total = 0
        for d in docs:
            if total > max_mb * 1e6:
                break
            total += len(d['text'])
            (self.prose if d['kind'] == 'prose' else self.code).append(d['text'])
            if d['path'].endswith('.py'):
                fns = python_functions(d)
                if len(fns) >= 2:
                    self.functions.append(fns)
        assert self.prose or self.code, 'corpus too small'
        # values of kind 'word': lower-case words of the prose (5-11 letters)
        self.words = sorted({w for d in self.prose[:400] for w in re.findall(r'(?<![\w-])[a-z]{5,11}(?![\w-])', d)})
        self.prose = self.prose or self.code      # a tiny (CI) sample may lack one kind

    # -- values -----------------------------------------------------------------------------
    def value(self, kind):
        r = self.rng
        if kind == 'number':
            n = r.randint(1, 12)
            return str(r.randint(10 ** (n - 1) if n > 1 else 0, 10 ** n - 1))
        if kind == 'code':
            groups = []
            for _ in range(r.randint(2, 4)):
                alphabet = r.choice(['ABCDEFGHJKLMNPQRSTUVWXYZ', '0123456789', 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'])
                groups.append(''.join(r.choice(alphabet) for _ in range(r.randint(1, 4))))
            return r.choice(['-', '-', '/', '.', '_']).join(groups)
        if kind == 'name':
            last = ''.join(r.choice(T.NAME_SYLLABLES) for _ in range(r.randint(2, 3))).capitalize()
            first = r.choice(T.FIRST_NAMES) if r.random() < 0.5 else \
                ''.join(r.choice(T.NAME_SYLLABLES) for _ in range(2)).capitalize()
            return f'{first} {last}' if r.random() < 0.8 else last
        if kind == 'place':
            return (''.join(r.choice(T.NAME_SYLLABLES) for _ in range(r.randint(1, 2))) + r.choice(T.PLACE_SUFFIXES)).capitalize()
        if kind == 'date':
            y, m, d = r.randint(1600, 2099), r.randint(1, 12), r.randint(1, 28)
            return r.choice([f'{d} {T.MONTHS[m - 1]} {y}', f'{T.MONTHS[m - 1]} {d}, {y}', f'{y}-{m:02d}-{d:02d}'])
        if kind == 'word':
            return r.choice(self.words) if self.words else r.choice(T.SUBJECT_ADJS)
        if kind == 'time':
            h, m = r.randint(1, 12), r.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
            hour = r.choice(T.NUMBER_WORDS)
            return r.choice([f'{h}:{m:02d}', f'{h}:{m:02d} {r.choice(["am", "pm"])}', f"{hour} o'clock",
                             f'half past {hour}', f'a quarter past {hour}', f'a quarter to {hour}',
                             f'{r.randint(0, 23):02d}:{m:02d}', r.choice(['noon', 'midnight'])])
        raise ValueError(kind)

    def subject(self, varied=False):
        r = self.rng
        x = r.random() if varied else 0.0
        if x < 0.6:
            return f'the {r.choice(T.SUBJECT_ADJS)} {r.choice(T.SUBJECT_NOUNS)}'
        if x < 0.75:
            return self.value('name')
        if x < 0.9:
            return f'the {r.choice(T.SUBJECT_ADJS)} {r.choice(T.OPEN_GROUPS)}'
        return f'the {r.choice(T.SUBJECT_NOUNS)} of {self.value("place")}'

    # -- haystack text --------------------------------------------------------------------------
    def filler(self, n_chars, code=False):
        """A window of real text of about n_chars, cut at white space."""
        doc = self.rng.choice(self.code if code and self.code and self.rng.random() < 0.5 else self.prose)
        if len(doc) <= n_chars:
            return doc
        a = self.rng.randrange(0, len(doc) - n_chars)
        a = doc.find(' ', a) + 1 or a
        b = doc.rfind(' ', a, a + n_chars)
        return doc[a:b if b > a else a + n_chars]

    def plant(self, sentences, n_chars):
        """Real text with the sentences put at white space, in the order given."""
        text = self.filler(n_chars, code=self.rng.random() < 0.2)
        cuts = sorted(self.rng.choice([m.end() for m in re.finditer(r'\s', text)] or [len(text)])
                      for _ in sentences)
        out, prev = [], 0
        for at, s in zip(cuts, sentences):
            out += [text[prev:at], s + ' ']
            prev = at
        out.append(text[prev:])
        return ''.join(out)

    def finish(self, question, passage, answer, kind):
        q = self.tok.encode(question)[:MAX_QUESTION]
        ids = self.tok.encode(passage)
        if len(ids) > MAX_PASSAGE:
            return None
        spans = locate(self.tok, passage, ids, answer) if answer else []
        if answer and not spans:
            return None
        return SpanExample(q, ids, [s for s, _ in spans], [e for _, e in spans], answer, kind)

    # -- tasks ----------------------------------------------------------------------------------
    def open_fact(self, attr, subj, value):
        """One sentence saying that subj's attr is value, in an open frame."""
        r = self.rng
        kind, _, units = T.OPEN_ATTRS[attr]
        u = ' ' + r.choice(units) if units and r.random() < 0.8 else ''
        up = lambda x: x[0].upper() + x[1:]
        return possessive(r.choice(T.OPEN_FACTS).format(a=attr, A=up(attr), s=subj, S=up(subj), v=value,
                                                        V=up(value) if kind == 'word' else value, u=u))

    def open_facts(self):
        """A fact of an open relation among distractors (the same attribute of other subjects,
        other attributes of the same subject)."""
        r = self.rng
        attr = r.choice(list(T.OPEN_ATTRS))
        kind, words, _ = T.OPEN_ATTRS[attr]
        subj = self.subject(varied=True)
        answer = self.value(kind)
        present = r.random() < 0.75
        sentences = [self.open_fact(attr, subj, answer)] if present else []
        for _ in range(r.randint(0, 3)):
            other = self.subject(varied=True)
            if other != subj:
                sentences.append(self.open_fact(attr, other, self.value(kind)))
        for _ in range(r.randint(0, 2)):
            attr2 = r.choice(list(T.OPEN_ATTRS))
            if attr2 != attr:
                sentences.append(self.open_fact(attr2, subj, self.value(T.OPEN_ATTRS[attr2][0])))
        r.shuffle(sentences)
        passage = self.plant(sentences, r.randint(60, max(60, self.max_filler)))
        if present and len(re.findall(r'(?<!\w)' + re.escape(answer) + r'(?!\w)', passage)) != 1:
            return None                       # the value also occurs in the real text around it
        q = possessive(r.choice(T.OPEN_QUESTIONS + T.OPEN_QUESTIONS_BY_KIND[kind]).format(q=r.choice(words), s=subj))
        return self.finish(q[0].upper() + q[1:] if r.random() < 0.8 else q, passage, answer if present else '', 'facts')

    def event_fact(self, kind, subj, value, frame=None):
        """One sentence of an event relation and the question about it (kind: time, name or place)."""
        r = self.rng
        up = lambda x: x[0].upper() + x[1:]
        if kind == 'time':
            vf, vq = r.choice(T.EVENT_TIME_VERBS) if frame is None else frame
            return (r.choice(T.EVENT_TIME_FACTS).format(s=subj, S=up(subj), v=value, vf=vf),
                    r.choice(T.EVENT_TIME_QUESTIONS).format(s=subj, vq=vq), (vf, vq))
        if kind == 'name':
            vpast, vpp, qpast, qpp = r.choice(T.EVENT_AGENT_VERBS) if frame is None else frame
            if r.random() < 0.3:
                qpast, qpp = vpast, vpp
            fact = r.choice(T.EVENT_AGENT_FACTS).format(s=subj, S=up(subj), v=value, V=value, vpast=vpast, vpp=vpp,
                                                        role=r.choice(T.EVENT_ROLES))
            return fact, r.choice(T.EVENT_AGENT_QUESTIONS).format(s=subj, qpast=qpast, qpp=qpp), (vpast, vpp, qpast, qpp)
        person, item = subj
        vf, vq = r.choice(T.EVENT_PLACE_VERBS) if frame is None else frame
        return (r.choice(T.EVENT_PLACE_FACTS).format(P=person, i=item, v=value, vf=vf),
                r.choice(T.EVENT_PLACE_QUESTIONS).format(P=person, i=item, vq=vq), (vf, vq))

    def event_facts(self):
        """A fact of an event relation among distractors: the same event about other subjects (or
        other persons' items), each with a value of the same kind."""
        r = self.rng
        kind = r.choice(['time', 'name', 'place'])
        if kind == 'place':
            subject = lambda: (self.value('name'), r.choice(T.EVENT_ITEMS))
        elif kind == 'time' and r.random() < 0.4:
            subject = lambda: f'the {r.choice(["mail coach", "night train", "carrier", "stage wagon", "post rider"])} to {self.value("place")}'
        else:
            subject = lambda: self.subject(varied=kind == 'time')
        subj, answer = subject(), self.value(kind)
        present = r.random() < 0.75
        fact, q, frame = self.event_fact(kind, subj, answer)
        sentences = [fact] if present else []
        for _ in range(r.randint(0, 3)):
            other = subject()
            if other != subj:
                sentences.append(self.event_fact(kind, other, self.value(kind), frame if r.random() < 0.5 else None)[0])
        r.shuffle(sentences)
        passage = self.plant(sentences, r.randint(60, max(60, self.max_filler)))
        if present and len(re.findall(r'(?<!\w)' + re.escape(answer) + r'(?!\w)', passage)) != 1:
            return None
        return self.finish(q[0].upper() + q[1:] if r.random() < 0.8 else q, passage, answer if present else '', 'facts')

    def facts(self):
        r = self.rng
        x = r.random()
        if x < self.event_share:
            return self.event_facts()
        if x < self.event_share + self.open_share:
            return self.open_facts()
        rel = r.choice(list(self.templates))
        kind, facts, questions = self.templates[rel]
        subj = self.subject()
        fill = lambda t, s, v: t.format(s=s, S=s[0].upper() + s[1:], v=v)
        answer = self.value(kind)
        present = r.random() < 0.75
        sentences = [fill(r.choice(facts), subj, answer)] if present else []
        for _ in range(r.randint(0, 3)):      # distractors: the same relation about other subjects
            other = self.subject()
            if other != subj:
                sentences.append(fill(r.choice(facts), other, self.value(kind)))
        if r.random() < 0.3:                  # another relation about the same subject
            rel2 = r.choice(list(self.templates))
            if rel2 != rel:
                k2, f2, _ = self.templates[rel2]
                sentences.append(fill(r.choice(f2), subj, self.value(k2)))
        r.shuffle(sentences)
        passage = self.plant(sentences, r.randint(60, max(60, self.max_filler)))
        q = fill(r.choice(questions), subj, '')
        return self.finish(q, passage, answer if present else '', 'facts')

    def babi(self):
        r = self.rng
        people = r.sample(T.BABI_PEOPLE, r.randint(1, 4))
        where, story = {}, []
        for _ in range(r.randint(2, 8)):
            p, l = r.choice(people), r.choice(T.BABI_PLACES)
            where[p] = l
            story.append(('move', p, l))
        holder = obj = None
        if r.random() < 0.5:                  # QA2: someone takes an object somewhere in the story
            holder, obj = r.choice([p for p in people if p in where]), r.choice(T.BABI_OBJECTS)
            first = next(i for i, e in enumerate(story) if e[1] == holder)
            story.insert(r.randint(first + 1, len(story)), ('take', holder, obj))
        text, at = [], []                     # at[i]: index in text of story event i
        for e in story:
            at.append(len(text))
            if e[0] == 'move':
                text.append(r.choice(T.TRAIN_MOVES).format(p=e[1], l=e[2]))
            else:
                text.append(r.choice(T.TRAIN_TAKES).format(p=e[1], o=e[2]))
            if r.random() < 0.2:              # a little real prose between the events
                text.append(self.filler(r.randint(40, 200)))
        absent = [p for p in T.BABI_PEOPLE if p not in where]
        who = None
        if obj and r.random() < 0.7:
            who = holder
            q, ans = r.choice(T.TRAIN_WHERE_OBJECT).format(o=obj), where[holder]
        elif r.random() < 0.9:
            who = r.choice(list(where))
            q, ans = r.choice(T.TRAIN_WHERE_PERSON).format(p=who), where[who]
        else:                                 # nobody by that name in the story
            q, ans = r.choice(T.TRAIN_WHERE_PERSON).format(p=r.choice(absent)), ''
        passage = ' '.join(text)
        ex = self.finish(q, passage, ans, 'babi')
        if ex and ans:                        # the gold is the place named by the last move, not every mention
            k = max(i for i, e in enumerate(story) if e[0] == 'move' and e[1] == who)
            end_byte = len(' '.join(text[:at[k] + 1]).encode())
            offs = token_offsets(self.tok, ex.passage)
            ok = [(s_, e_) for s_, e_ in zip(ex.starts, ex.ends) if offs[s_][0] < end_byte]
            ex.starts, ex.ends = [max(ok)[0]], [max(ok)[1]]
        return ex

    def code_fn(self):
        r = self.rng
        if not self.functions:                    # a tiny (CI) sample may have none
            return None
        fns = r.choice(self.functions)
        target, other = r.sample(fns, 2)
        name = re.search(r'def\s+(\w+)', target[1])
        if not name or name.group(1) in other[1]:
            return None
        does, do = reword_docstring(target[2])
        q = r.choice(T.TRAIN_CODE_QUESTIONS).format(does=does, do=do)
        present = r.random() < 0.8
        parts = [clip(target[1], 500)] if present else []
        parts.append(clip(other[1], 500))
        if not present:
            parts.append(clip(r.choice(r.choice(self.functions))[1], 400))
        r.shuffle(parts)
        return self.finish(q, '\n\n'.join(parts), name.group(1) if present else '', 'code')

    def cloze(self):
        made = cloze.make(self.rng, [self.filler(self.rng.randint(200, max(200, self.max_filler))) for _ in range(1)],
                          set(T.FIRST_NAMES) | set(T.BABI_PEOPLE))
        return made and self.finish(*made, 'cloze')

    def sample(self):
        while True:
            x = self.rng.random()
            ex = self.facts() if x < self.cut_facts else self.babi() if x < self.cut_babi else \
                self.code_fn() if x < self.cut_code else self.cloze()
            if ex is not None:
                return ex


def possessive(text):
    """"the weavers's" -> "the weavers'"."""
    return re.sub(r"(?<=s)'s\b", "'", text)


def clip(src, n_chars):
    return src if len(src) <= n_chars else src[:src.rfind('\n', 0, n_chars) if '\n' in src[:n_chars] else n_chars]


def reword_docstring(doc):
    """'Return the size of x.' -> ('returns the size of x', 'return the size of x')."""
    doc = doc.strip().rstrip('.')
    first, _, rest = doc.partition(' ')
    w = first.lower()
    if w.endswith('s') and not w.endswith('ss') and len(w) > 3:
        does, do = w, w[:-1]
    elif w.endswith(('ch', 'sh', 'x', 'ss', 'o')):
        does, do = w + 'es', w
    elif w.endswith('y') and len(w) > 2 and w[-2] not in 'aeiou':
        does, do = w[:-1] + 'ies', w
    else:
        does, do = w + 's', w
    tail = (' ' + rest) if rest else ''
    return does + tail, do + tail


def collate(examples, sp):
    """-> input_ids (B, T), attention_mask (B, T), passage (B, T) bool (positions a span may use),
    start/end (B, T) multi-hot gold, has (B,) float."""
    B = len(examples)
    rows = [[sp['bos']] + e.question + [sp['sep']] + e.passage + [sp['eos']] for e in examples]
    T_ = max(map(len, rows))
    ids = torch.zeros(B, T_, dtype=torch.long)
    mask = torch.zeros(B, T_, dtype=torch.long)
    psg = torch.zeros(B, T_, dtype=torch.bool)
    start = torch.zeros(B, T_)
    end = torch.zeros(B, T_)
    for b, (e, row) in enumerate(zip(examples, rows)):
        ids[b, :len(row)] = torch.tensor(row)
        mask[b, :len(row)] = 1
        off = len(e.question) + 2
        psg[b, off:off + len(e.passage)] = True
        for s in e.starts:
            start[b, off + s] = 1
        for x in e.ends:
            end[b, off + x] = 1
    has = torch.tensor([1.0 if e.starts else 0.0 for e in examples])
    return dict(input_ids=ids, attention_mask=mask, passage=psg, start=start, end=end, has=has)
