"""Questions about real sentences, made by rule from the training corpus's prose (cloze
translation, after Lewis, Denoyer and Riedel, "Unsupervised Question Answering by Cloze
Translation", ACL 2019): a name, a year, a count or a path in a real sentence becomes the
answer, and the rest of the sentence, with the answer replaced by a wh-phrase, noised (words
dropped, neighbours swapped, word endings changed), becomes the question.

Why: the planted facts of span_tasks.py are invented sentences about invented subjects; on real
text the span head is weak on names (24.7% exact given the right passage) and can put a
confident answer on a capitalised phrase that is no person ("Debian Manifesto" for "Who took
over from Ian Murdock?"). Here the passages, names and numbers are real, with the real text's
other names around them as distractors, and the question's words only partly match the sentence.

No template or word list of the product's evaluation (bench/qa) is used: the wh-phrases are
plain English, and the question is the corpus's own sentence.

    make(rng, windows, first_names) -> (question, passage, answer) or None
"""
import re

# Sentences end at . ! ? followed by white space and a capital (a rough cut; good enough to keep
# a question to one sentence's words).
SENTENCE_END = re.compile(r'(?<=[.!?])\s+(?=[A-Z"\'(])')
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’._/-]*[A-Za-z0-9]|[A-Za-z0-9]")
# Capitalised words that open clauses or are not names.
NOT_NAMES = set('''a an and the then but for now so in on at of to by with when while if it he she they we i you his her
their this that these those there here as or nor yet after before from however also although because since thus
note see example for first second each every all some many most one two three if unless until while where which what
who how why monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december'''.split())
STOP = set('''a an the of to in on at by for with from and or but is are was were be been being it its this that these
those as into than then so such can could will would should may might must do does did has have had not no'''.split())
NUMBER_WORDS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
                'twenty', 'thirty', 'forty', 'fifty', 'hundred', 'dozen']
# A sentence that speaks of him or her: a name of two or more words in it is likely a person's.
PERSONAL = re.compile(r'\b(?:he|she|his|her|him|himself|herself)\b', re.I)
PLACE_PREPS = {'in', 'at', 'from', 'to', 'near', 'into'}


def sentences(text):
    return [s for s in SENTENCE_END.split(text) if 6 <= len(s.split()) <= 45]


def candidates(sentence, first_names):
    """(answer, start, end, wh) for what in `sentence` can be asked about."""
    out = []
    words = list(WORD.finditer(sentence))
    # Names: runs of capitalised words, not at the sentence's start, not function words.
    i = 1
    while i < len(words):
        w = words[i].group()
        prev = words[i - 1].group()
        # Mid-sentence, after a lower-case word and a single space: not a heading, a list item
        # or a line's first word, whose capital says nothing.
        mid = sentence[words[i - 1].end():words[i].start()] in (' ', ', ') and (prev.islower() or prev.isdigit())
        if mid and w[0].isupper() and w.lower() not in NOT_NAMES and not w.isupper() and w.isalpha():
            j = i
            while j + 1 < len(words) and j - i < 3 and words[j + 1].group()[0].isupper() and words[j + 1].group().isalpha() \
                    and words[j + 1].group().lower() not in NOT_NAMES and sentence[words[j].end():words[j + 1].start()] == ' ':
                j += 1
            answer = sentence[words[i].start():words[j].end()]
            before = words[i - 1].group().lower()
            if before in PLACE_PREPS and words[i].group() not in first_names:
                out.append((answer, words[i - 1].start(), words[j].end(), 'where'))
            elif j > i and (words[i].group() in first_names or PERSONAL.search(sentence)):
                out.append((answer, words[i].start(), words[j].end(), 'who'))
            else:
                out.append((answer, words[i].start(), words[j].end(), 'what'))
            i = j + 1
            continue
        i += 1
    for m in re.finditer(r'(?<![\w.,-])(1[5-9]\d\d|20\d\d)(?![\w-])', sentence):
        before = sentence[max(0, m.start() - 5):m.start()].lower()
        start = m.start() - 3 if before.endswith('in ') else m.start()
        out.append((m.group(1), start, m.end(), 'when'))
    for m in re.finditer(r'(?<![\w.,-])(\d{1,6}|' + '|'.join(NUMBER_WORDS) + r')\s+([a-z]{3,}s)\b', sentence):
        out.append((m.group(1), m.start(), m.end(1), 'how many ' + m.group(2)))
    for m in re.finditer(r'(?<![\w.-])(/(?:[\w.-]+/)+[\w.-]+|--?[a-z][\w-]+)', sentence):
        out.append((m.group(1), m.start(), m.end(), 'which file' if m.group(1).startswith('/') else 'which option'))
    return out


def noised(rng, words):
    """Lewis et al.'s noise: drop some words, swap some neighbours, change some endings."""
    out = [w for w in words if not (w.lower() in STOP and rng.random() < 0.4) and not rng.random() < 0.1]
    for k in range(len(out) - 1):
        if rng.random() < 0.1:
            out[k], out[k + 1] = out[k + 1], out[k]
    endings = [('ed', 'er'), ('er', 'ed'), ('ion', 'e'), ('ing', 'ed'), ('s', ''), ('ed', '')]
    for k, w in enumerate(out):
        if len(w) > 5 and rng.random() < 0.15:
            for a, b in endings:
                if w.endswith(a):
                    out[k] = w[:-len(a)] + b
                    break
    return out


def question(rng, sentence, start, end, wh):
    """The sentence with `start..end` replaced by the wh-phrase, moved to the front, the words near
    the gap kept (at most 10 on each side), noised."""
    before = [m.group() for m in WORD.finditer(sentence[:start])][-10:]
    after = [m.group() for m in WORD.finditer(sentence[end:])][:10]
    if rng.random() < 0.3:
        # Keep the clause order ("... passing the baton to who, Ian took ...") now and then.
        body = noised(rng, before) + [wh] + noised(rng, after)
        text = ' '.join(body)
    else:
        text = wh + ' ' + ' '.join(noised(rng, before + after))
    wh_word = text.split()[0]
    if rng.random() < 0.8:
        text = text[0].upper() + text[1:]
    return text.rstrip('.,;: ') + '?' if wh_word else None


def make(rng, windows, first_names):
    """A cloze question about one of `windows` (real prose), the passage and its answer; the
    passage without the sentence, and no answer, a quarter of the time."""
    text = rng.choice(windows)
    sents = sentences(text)
    if not sents:
        return None
    s = rng.choice(sents)
    cands = candidates(s, first_names)
    if not cands:
        return None
    answer, start, end, wh = rng.choice(cands)
    q = question(rng, s, start, end, wh)
    if not q:
        return None
    if rng.random() < 0.25:
        rest = text.replace(s, ' ')
        if answer in rest:
            return None
        return q, rest, ''
    return q, text, answer
