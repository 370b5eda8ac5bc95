"""Question-style rewordings of docstring sentences: ours, in one file.

TRAIN frames and synonyms make training queries; EVAL frames and synonyms make the held-out
reworded questions of `evaluate.py`. The two sets share no frame and no synonym pair, and both
differ from the product evaluation's templates (bench/qa/).
"""
import random
import re

VERBS = set('''add adjust allow append apply assign attach build calculate call cancel change check clean
clear close collect combine compare compile compute configure construct convert copy count create
decode define delete detect determine disable dispatch display emit enable encode ensure escape
evaluate execute expand extract fetch fill filter find finish flush format generate get handle
hash ignore implement import initialize insert install invoke iterate join load look make map mark
match merge move normalize open output override parse pass perform prepare print process produce
provide push put quote raise read register reload remove render replace report reset resolve
restore return run save scan search select send serialize set show skip sort split start store
strip substitute switch take test throw transform translate truncate try turn unquote update
use validate verify walk wrap write yield'''.split())
IRREGULAR = {'does': 'do', 'has': 'have', 'is': 'be', 'goes': 'go'}


def base_verb(word: str):
    w = word.lower()
    if w in IRREGULAR:
        return IRREGULAR[w]
    cands = [w]
    if w.endswith('ies'):
        cands.append(w[:-3] + 'y')
    if w.endswith('es'):
        cands.append(w[:-2])
    if w.endswith('s') and not w.endswith('ss'):
        cands.append(w[:-1])
    for c in cands:
        if c in VERBS:
            return c
    return None


def third(v: str) -> str:
    if v == 'have':
        return 'has'
    if v.endswith('y') and v[-2:-1] not in 'aeiou':
        return v[:-1] + 'ies'
    if v.endswith(('s', 'sh', 'ch', 'x', 'z', 'o')):
        return v + 'es'
    return v + 's'


def gerund(v: str) -> str:
    if v.endswith('ie'):
        return v[:-2] + 'ying'
    if v.endswith('e') and not v.endswith(('ee', 'ye')):
        return v[:-1] + 'ing'
    if re.fullmatch(r'(?:[^aeiou]|qu)*[aeiou][bdgmnprt]', v) and len(v) <= 4:
        return v + v[-1] + 'ing'
    return v + 'ing'


TRAIN_FRAMES = [
    'which function {v3} {rest}',
    'how do i {v0} {rest}',
    'where is the code to {v0} {rest}',
    'what {v3} {rest}',
    'function that {v3} {rest}',
    '{v0} {rest}',
]
TRAIN_PLAIN = ['where is {s}', 'what is {s}', 'code for {s}']
TRAIN_SYNONYMS = {'return': ['give'], 'get': ['obtain'], 'create': ['make'], 'remove': ['drop'], 'check': ['see whether'],
                  'string': ['text'], 'list': ['sequence'], 'object': ['instance'], 'file': ['document'],
                  'set': ['assign'], 'convert': ['turn'], 'parse': ['read'], 'value': ['result']}

EVAL_FRAMES = [
    'in this codebase, who is in charge of {ving} {rest}?',
    'i want to {v0} {rest} - where does that happen?',
    'which routine would {v0} {rest} for me?',
]
EVAL_PLAIN = ['can you point me to {s}?', 'looking for {s}, where is it?']
EVAL_SYNONYMS = {'return': ['hand back'], 'get': ['fetch'], 'create': ['build'], 'remove': ['delete'], 'check': ['test whether'],
                 'string': ['str'], 'list': ['array'], 'given': ['supplied'], 'new': ['fresh'], 'name': ['label'],
                 'add': ['append'], 'method': ['function'], 'argument': ['parameter']}

assert not set(TRAIN_FRAMES) & set(EVAL_FRAMES)
assert not {(k, v) for k, vs in TRAIN_SYNONYMS.items() for v in vs} & {(k, v) for k, vs in EVAL_SYNONYMS.items() for v in vs}


def _substitute(words, synonyms, rng, p):
    return [rng.choice(synonyms[w.lower()]) if w.lower() in synonyms and rng.random() < p else w for w in words]


def reword(sentence: str, rng: random.Random, held_out: bool = False, p_syn: float = 0.5):
    """A question in other words for a docstring's first sentence."""
    frames, plain, syn = (EVAL_FRAMES, EVAL_PLAIN, EVAL_SYNONYMS) if held_out else (TRAIN_FRAMES, TRAIN_PLAIN, TRAIN_SYNONYMS)
    s = sentence.strip().rstrip('.!?:;')
    words = s.split()
    if not words:
        return None
    v0 = base_verb(words[0])
    rest = _substitute(words[1:], syn, rng, p_syn)
    if v0 is not None and rest:
        first = syn.get(v0)
        use = first[0] if first and rng.random() < p_syn else v0
        # a multi-word synonym keeps its tail after the verb form
        head, _, tail = use.partition(' ')
        frame = rng.choice(frames)
        r = ' '.join(([tail] if tail else []) + rest)
        return frame.format(v0=head, v3=third(head), ving=gerund(head), rest=r)
    body = ' '.join(_substitute(words, syn, rng, p_syn))
    return rng.choice(plain).format(s=body[0].lower() + body[1:])
