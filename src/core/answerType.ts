// What kind of answer a question asks for, and the answer of that kind a span holds: the
// answer-type check of classic extractive question answering. "Who ..." wants a name, "Where
// ..." or "Which town ..." a place name, "How many ..." a number, "At what time ..." a time,
// "What password ..." a word of a sentence that says a password.
// The span head alone often copies a word of the question's own sentence instead ("caravan" for
// "Who guided the salt traders through the desert?", "ferry" for "At what time does the boat for
// Kelmarsh depart?"); span.ts takes the answer of the asked kind its spans hold most probability
// for. Also here: whether a passage mentions what the question names at all (mentionsSubjects).
// English questions only; any other question has no type and every span is its own answer.
import { analyze, STOP_WORDS } from './analyze';
import { escapeRegExp } from './regexp';

export const ANSWER_TYPES = ['person', 'place', 'number', 'time', 'password'] as const;
export type AnswerType = typeof ANSWER_TYPES[number];

// Nouns for a word that lets someone in: what a password question asks for, and what the
// sentence answering it says ("The watchword of the lamplighters is juniper.").
const SECRET_NOUN = String.raw`(?:password|passphrase|passcode|passwd|pass\s?word|watchword|countersign|code\s?word|secret\s+word)s?`;
const SECRET_WORD = new RegExp(String.raw`\b${SECRET_NOUN}\b`, 'iu');

// Checked in order: "what time" is a time before "what" is anything else.
const TYPED: readonly (readonly [RegExp, AnswerType])[] = [
  // "What password do the lamplighters use?", "What is the default password for root?"; not
  // "What is the password policy?" (the noun ends the thing asked for, or a verb or "of"/"for" follows).
  [new RegExp(String.raw`\b(?:what|which)(?:'s|’s|\s+is|\s+are|\s+was|\s+were)?\s+(?:(?:the|their|its|his|her|our|my|your|a)\s+)?(?:[a-z]+\s+)?${SECRET_NOUN}(?=\s*[?.!]?\s*$|\s+(?:do|does|did|is|are|was|were|of|for|to|on|that|which|they|we|you|he|she|it|i)\b)`, 'u'), 'password'],
  [/\b(?:what|which)\s+(?:time|hour)\b|\bhow\s+(?:early|late)\b/, 'time'],
  [/\bhow\s+(?:many|much|deep|far|long|old|tall|high|wide|heavy)\b|\b(?:what|which)\s+(?:number|amount|price|year|age|sum)\b|\bwhat(?:'s|’s|\s+is|\s+was)\s+(?:the\s+|my\s+|our\s+|your\s+|its\s+|their\s+)?(?:[a-z]+\s+)?(?:pass\s?key|pass\s?code|pin|combination|number)\b/, 'number'],
  [/^(?:\W*\w+\W+){0,2}?(?:who|whom|whose)\b/, 'person'],
  [/^(?:\W*\w+\W+){0,2}?where\b|\b(?:which|what)\s+(?:town|city|village|country|island|port|river|county|kingdom|land|region|place|street)\b/, 'place'],
];

/** The kind of answer `question` asks for, or undefined when it names none we check. */
export function expectedType(question: string): AnswerType | undefined {
  const q = question.toLowerCase();
  for (const [pattern, type] of TYPED) if (pattern.test(q)) return type;
  return undefined;
}

/**
 * The confidence a span answer to `question` must reach: the threshold of its answer type where
 * the model declares one (model.json answers.spanThresholds), else answers.spanThreshold. The
 * head's confidence is calibrated on the training wordings, and on real questions it runs high
 * for some kinds: on the dev sets, names wrong at 0.80 beside numbers right from 0.75. A typed
 * answer that is the only one of its kind in the sentence naming what the question names (`sole`:
 * SpanAnswer.sole) needs only answers.soleThreshold where the model declares one.
 */
export function spanThresholdFor(answers: { readonly spanThreshold: number; readonly spanThresholds?: Partial<Record<AnswerType, number>>; readonly soleThreshold?: number } | undefined, question: string, sole = false): number | undefined {
  if (!answers) return undefined;
  const type = expectedType(question);
  const own = (type && answers.spanThresholds?.[type]) ?? answers.spanThreshold;
  return sole && answers.soleThreshold !== undefined ? Math.min(own, answers.soleThreshold) : own;
}

/**
 * Whether `question` asks where someone it names is now ("Where is Mary?", "Where are Mary and
 * John now?", "Where's Lenora Pike?"): the answer is the last place the text puts them, not any
 * place it does. Only names (and "and") and a word for now may follow: "Where is Parser defined?"
 * asks something else.
 */
export function asksWhereNow(question: string): boolean {
  const m = /^\W*where(?:\s+is|\s+are|'s|’s)\s+(.*?)[\s?.!]*$/iu.exec(question.trim());
  if (!m) return false;
  const rest = words(m[1]!.replace(/\b(?:now|today|currently|at (?:the moment|present)|these days)\b/giu, ''));
  return rest.length > 0 && rest.every((w) => w.toLowerCase() === 'and' || isNameWord(w));
}

// Nouns that name a thing of a codebase or a document, not a thing someone carries: "Where is the
// config file?" asks for a path, "Where is the parser function?" for a definition.
const NOT_CARRIED = new Set([
  'file', 'files', 'folder', 'folders', 'directory', 'directories', 'path', 'function', 'functions', 'method', 'methods',
  'class', 'classes', 'module', 'modules', 'package', 'packages', 'library', 'script', 'scripts', 'command', 'commands',
  'variable', 'variables', 'constant', 'setting', 'settings', 'option', 'options', 'config', 'configuration', 'definition',
  'declaration', 'code', 'source', 'sources', 'test', 'tests', 'repository', 'repo', 'document', 'documentation', 'docs',
  'page', 'pages', 'section', 'chapter', 'manual', 'readme', 'log', 'logs', 'error', 'bug', 'key', 'value', 'field', 'table',
]);
// Participles that end such a question on what is done to the thing, not on the thing:
// "Where is the config parsed?", "Where are the keys kept?".
const PARTICIPLES = new Set(['kept', 'held', 'hidden', 'found', 'made', 'done', 'written', 'set', 'put', 'built', 'shown', 'given', 'taken', 'run', 'read', 'sent', 'thrown', 'caught', 'bought', 'sold', 'born']);

/**
 * The thing `question` asks the whereabouts of, when it asks only that: "Where is the teapot?",
 * "Where are the brass keys now?" → "teapot", "brass keys". One to three lower-case words after
 * "the" (a name is asksWhereNow's), nothing else but a word for now. Not a thing of code or of a
 * document ("Where is the sources.list file?", "Where is the config parsed?"): those ask for a
 * place in the files, which retrieval answers. The answer is where whoever last handled it left it
 * (src/core/whereThing.ts), a rule over the retrieved text (bAbI's QA2).
 */
export function asksWhereThing(question: string): string | undefined {
  const m = /^\W*where(?:\s+is|\s+are|'s|’s)\s+the\s+(.*?)[\s?.!]*$/iu.exec(question.trim());
  if (!m) return undefined;
  const rest = m[1]!.replace(/\b(?:now|today|currently|at (?:the moment|present)|these days)\b/giu, ' ').trim().split(/\s+/u);
  if (rest.length < 1 || rest.length > 3 || rest[0] === '') return undefined;
  if (!rest.every((w) => /^\p{Ll}[\p{Ll}-]*$/u.test(w) && !STOP_WORDS.has(w) && !NOT_CARRIED.has(w))) return undefined;
  const last = rest[rest.length - 1]!;
  if (PARTICIPLES.has(last) || (rest.length > 1 && /ed$/u.test(last))) return undefined;
  return rest.join(' ');
}

const NUMBER_WORDS = new Set([
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'thirty',
  'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'thousand', 'million', 'billion',
  'dozen', 'score', 'half', 'quarter', 'twice', 'thrice',
]);
const TIME_WORDS = new Set(['noon', 'midnight', 'dawn', 'dusk', 'sunrise', 'sunset', "o'clock", 'oclock', 'am', 'pm']);
// Capitalised words that start sentences rather than name anyone.
const NOT_NAMES = new Set([
  'a', 'an', 'and', 'the', 'then', 'but', 'for', 'now', 'so', 'in', 'on', 'at', 'of', 'to', 'by', 'with',
  'when', 'while', 'if', 'it', 'he', 'she', 'they', 'we', 'i', 'you', 'his', 'her', 'their', 'this', 'that',
  'these', 'those', 'there', 'here', 'as', 'or', 'nor', 'yet', 'after', 'before', 'from',
]);

const WORDS = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;

function words(text: string): string[] {
  return text.match(WORDS) ?? [];
}

/** Whether `word` is a number written in digits or in words ("48213", "seven", "twenty-five"). */
function isNumber(word: string): boolean {
  return /\p{N}/u.test(word) || word.toLowerCase().split('-').every((w) => NUMBER_WORDS.has(w));
}

/**
 * Whether a number read from the text opens with a letter and is no number word: a label such as
 * a section's "A.9" or "v2", never how many or which year ("In what year was Devuan started?"
 * answered "A.9" from the heading "A.9. Devuan" on the dev handbook).
 */
function isLabel(number: string): boolean {
  const first = number.split(/[\s-]/u)[0]!;
  return /^\p{L}/u.test(first) && !NUMBER_WORDS.has(first.toLowerCase());
}

/** A word as the question and the answer are compared: lower case, without a possessive "'s". */
function bareWord(word: string): string {
  return word.toLowerCase().replace(/['’]s$/u, '');
}

/**
 * Whether `question` asks how long, how old or how often: a number is its answer only with the
 * unit it counts ("5 days", "79 characters"); a bare "500" says nothing of a duration.
 */
function asksMeasure(question: string): boolean {
  return /\bhow\s+(?:long|old|often)\b/iu.test(question);
}

// Units a duration, an age or a frequency is counted in, besides any plural noun.
const UNIT_WORDS = new Set(['day', 'hour', 'minute', 'second', 'week', 'month', 'year', 'decade', 'century', 'night', 'time', 'once', 'twice']);

/**
 * The number `n` of `text` with the unit right after it ("5 days", "six hours", "79
 * characters"), or undefined when no unit follows: a plural noun or a word of time.
 */
function withUnit(text: string, n: Range): Range | undefined {
  const m = /^[ \t]+(\p{Ll}+)/u.exec(text.slice(n.end, n.end + 32));
  if (!m) return undefined;
  const unit = m[1]!;
  const singular = unit.replace(/s$/u, '');
  if (!UNIT_WORDS.has(singular) && !(unit.endsWith('s') && !unit.endsWith('ss') && unit.length > 3 && !STOP_WORDS.has(unit))) return undefined;
  return { start: n.start, end: n.end + m[0].length };
}

/**
 * Whether `word` looks like (part of) a name: capitalised, not a sentence-opening word, without a
 * digit ("Ge14" of a verse's label "Ge14:14" names no one).
 */
export function isNameWord(word: string): boolean {
  return /^\p{Lu}/u.test(word) && !/\p{N}/u.test(word) && !NOT_NAMES.has(word.toLowerCase());
}

/**
 * The answer a question of `type` takes from a span (character offsets into `text`, already whole
 * words), or undefined when the span holds no answer of that type. Only words the question does
 * not hold count (an answer that repeats the question says nothing). A name or place question's
 * answer is the name, from the span's first to its last name word, widened to the whole name
 * ("called Alaric" → "Alaric Stone"); a number question's is the number around the span's
 * first number ("65748 cubits deep" → "65748", "two hundred and five men" → "two hundred and
 * five"); a time question's is the time expression around the span's first number or time word
 * ("past five each morning" → "twenty past five"). A span in a sentence about something else
 * (see subjectSentences) holds no answer. Without a type, the span.
 */
export function typedAnswer(type: AnswerType | undefined, text: string, start: number, end: number, question: string): Range | undefined {
  return answerReader(type, text, question)(start, end);
}

export interface Range { readonly start: number; readonly end: number }

/**
 * typedAnswer for many spans of one passage: what every span shares (the question's words, the
 * passage's words, which of them are names) is worked out once, not once a span.
 */
export function answerReader(type: AnswerType | undefined, text: string, question: string): (start: number, end: number) => Range | undefined {
  if (type === undefined) return (start, end) => ({ start, end });
  const asked = new Set(words(question).map(bareWord));
  const about = subjectSentences(question, text);
  // "Freexian's" repeats the question's "Freexian" as much as "Freexian" does.
  const fresh = (start: number, end: number): { word: string; start: number; end: number }[] => [...text.slice(start, end).matchAll(WORDS)]
    .map((m) => ({ word: m[0], start: start + m.index, end: start + m.index + m[0].length }))
    .filter((w) => !asked.has(bareWord(w.word)));
  switch (type) {
    case 'number': {
      const all = timeWords(text);
      const measure = asksMeasure(question);
      return (start, end) => {
        if (!about(start)) return undefined;
        const anchor = fresh(start, end).find((w) => isNumber(w.word));
        if (!anchor) return undefined;
        const n = numberExpression(text, all, anchor.start);
        if (isLabel(text.slice(n.start, n.end))) return undefined;
        return measure ? withUnit(text, n) : n;
      };
    }
    case 'time': {
      const all = timeWords(text);
      return (start, end) => {
        if (!about(start)) return undefined;
        const anchor = fresh(start, end).find((w) => isNumber(w.word) || TIME_WORDS.has(w.word.toLowerCase()));
        return anchor ? timeExpression(text, all, anchor.start, anchor.end) : undefined;
      };
    }
    case 'password': {
      // A word the question does not hold, of a sentence about its subject that says a password
      // (or watchword, passphrase ...): not "Corwin Ashby" of "The leader of the lamplighters is Corwin Ashby."
      const secret = sentencesSaying(text, SECRET_WORD);
      return (start, end) => {
        if (!about(start) || !secret(start)) return undefined;
        const w = fresh(start, end).find((x) => !STOP_WORDS.has(x.word.toLowerCase()) && !SECRET_WORD.test(x.word));
        return w && { start: w.start, end: w.end };
      };
    }
    case 'person':
    case 'place': {
      const names = new Map<number, boolean>(); // by a word's start
      const isName = (w: { start: number; end: number }): boolean => {
        let v = names.get(w.start);
        if (v === undefined) names.set(w.start, v = nameAt(text, w.start, w.end));
        return v;
      };
      return (start, end) => {
        if (!about(start)) return undefined;
        const inSpan = fresh(start, end);
        const found = inSpan.filter((w) => isName(w) && !(type === 'person' && notPersonWord(w.word)));
        if (found.length) {
          const name = wholeName(text, found[0]!.start, found[found.length - 1]!.end, asked);
          const whole = text.slice(name.start, name.end);
          if (initialsOf(whole, question)) return undefined;
          if (type !== 'person') return name;
          return isAcronym(whole) || words(whole).some(isShouted) ? undefined : withoutTitle(text, name);
        }
        // A place need not be a name: "Mary went back to the kitchen." answers "Where is Mary?".
        const room = type === 'place' ? inSpan.find((w) => commonPlaceAt(text, w.word, w.start, w.end)) : undefined;
        return room && { start: room.start, end: room.end };
      };
    }
  }
}

/**
 * Whether the word at `start..end` of `text` is (part of) a name. Capitalised, not a
 * sentence-opening function word; and where it opens a sentence ("Records show that ..."), only
 * if the next word is a name too ("Alaric Stone led ...") or the passage capitalises it
 * elsewhere mid-sentence: capitals at a sentence's start say nothing.
 */
function nameAt(text: string, start: number, end: number): boolean {
  const word = text.slice(start, end);
  if (!isNameWord(word)) return false;
  if (!opensSentence(text, start)) return true;
  const next = /^[ \t]+([\p{L}][\p{L}'’-]*)/u.exec(text.slice(end, end + 64));
  if (next && isNameWord(next[1]!)) return true;
  const escaped = escapeRegExp(word);
  for (const m of text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu'))) {
    if (!opensSentence(text, m.index)) return true;
  }
  return false;
}

// "to the", "into her", "at a": where a common noun names a place.
const LOCATIVE_BEFORE = /\b(?:to|in|into|at|on|onto|inside|under|beneath|behind|near|toward|towards)\s+(?:the|a|an|his|her|their|my|our|your|its)\s+$/iu;

/**
 * Whether `word` at `start..end` of `text` is a common noun naming a place: a lower-case content
 * word right after a locative preposition and a determiner ("went to the kitchen", "hidden under
 * a stone"), not itself followed by "of" and a name ("in the town of Duncaster" names Duncaster).
 */
function commonPlaceAt(text: string, word: string, start: number, end: number): boolean {
  if (!/^\p{Ll}/u.test(word) || STOP_WORDS.has(word) || isNumber(word)) return false;
  if (!LOCATIVE_BEFORE.test(text.slice(Math.max(0, start - 24), start))) return false;
  return !/^\s+of\s+\p{Lu}/u.test(text.slice(end, end + 24));
}

/** Whether offset `at` of `text` begins a sentence: the text's start, or after . ! ? (and quotes). */
function opensSentence(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - 16), at).replace(/\s+$/u, '');
  return before === '' || /[.!?]["'’”)\]]*$/u.test(before);
}

/**
 * The number written around the number word at `start` (`all`: timeWords of `text`): digits
 * ("12,062", "3.5") or number words joined by spaces, hyphens or "and" ("two hundred and five").
 * A unit or anything else after it is not part of it: "65748 cubits deep" answers "65748", so the
 * spans that hold the same number with or without its unit are one answer (span.ts).
 */
function numberExpression(text: string, all: readonly Word[], start: number): Range {
  let i = all.findIndex((w) => w.start <= start && start < w.end);
  if (i < 0) return { start, end: start };
  let j = i;
  // Words apart by spaces or a hyphen, or digit groups apart by a comma ("12,062").
  const joined = (a: number, b: number): boolean => {
    const between = text.slice(all[a]!.end, all[b]!.start);
    return /^[ \t-]+$/.test(between) || (between === ',' && /\d$/.test(all[a]!.word) && /^\d{3}\b/.test(all[b]!.word));
  };
  const part = (k: number): boolean => isNumber(all[k]!.word.replace(/[.,:]+$/, ''));
  const and = (k: number): boolean => all[k]!.word.toLowerCase() === 'and';
  while (i > 0 && joined(i - 1, i) && part(i - 1)) i--;
  for (;;) {
    if (j + 1 < all.length && joined(j, j + 1) && part(j + 1)) j++;
    else if (j + 2 < all.length && joined(j, j + 1) && and(j + 1) && joined(j + 1, j + 2) && part(j + 2)) j += 2;
    else break;
  }
  const end = all[j]!.start + all[j]!.word.replace(/[.,:]+$/, '').length;
  return { start: all[i]!.start, end };
}

// Words a spoken or written time is made of besides numbers: "a quarter to eight", "6 p.m.".
const TIME_JOINERS = new Set(['past', 'to', 'a', 'after', 'before', 'and']);
const TIME_TAIL = new Set(['a.m', 'p.m']);

interface Word { readonly word: string; readonly start: number; readonly end: number }

/** The words of `text` as a time expression is read: "6:30" and "p.m" stay whole. */
function timeWords(text: string): Word[] {
  return [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’:.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}

/** The time expression holding the word at `start..end` (`all`: timeWords of `text`): the run of time words around it. */
function timeExpression(text: string, all: readonly Word[], start: number, end: number): Range {
  const timeWord = (w: string): boolean => isNumber(w) || TIME_WORDS.has(w.toLowerCase()) || TIME_JOINERS.has(w.toLowerCase()) || TIME_TAIL.has(w.toLowerCase());
  let i = all.findIndex((w) => w.start <= start && start < w.end);
  if (i < 0) return { start, end };
  let j = i;
  // Neighbours joined by spaces only (a comma or full stop ends the expression).
  const joined = (a: number, b: number): boolean => /^[ \t]+$/.test(text.slice(all[a]!.end, all[b]!.start));
  while (i > 0 && joined(i - 1, i) && timeWord(all[i - 1]!.word)) i--;
  while (j + 1 < all.length && joined(j, j + 1) && timeWord(all[j + 1]!.word)) j++;
  // Joiners do not open or close a time, except "a" before "quarter" or "half".
  const opens = (k: number): boolean => !TIME_JOINERS.has(all[k]!.word.toLowerCase()) || (all[k]!.word.toLowerCase() === 'a' && k < j && /^(quarter|half)$/i.test(all[k + 1]!.word));
  while (i < j && !opens(i)) i++;
  while (j > i && TIME_JOINERS.has(all[j]!.word.toLowerCase())) j--;
  return { start: all[i]!.start, end: all[j]!.end };
}

/**
 * A name answer widened to the whole name around it: "Marsh" in "by Tobiah Marsh." becomes
 * "Tobiah Marsh". Neighbouring capitalised words joined by a single space or line break are
 * taken up to a possessive, which is left out ("Hertzog's company" → "Hertzog"); sentence-opening
 * words ("And", "The") are not, nor words of the question (`asked`,
 * bareWord): "Debian LTS" in "Freexian's Debian LTS" does not take "Freexian's" for "Who owns
 * Freexian?". Character offsets into `text`.
 */
function wholeName(text: string, start: number, end: number, asked: ReadonlySet<string>): { start: number; end: number } {
  const before = /([\p{L}][\p{L}'’-]*)[ \t]*\n?[ \t]*$/u;
  const after = /^[ \t]*\n?[ \t]*([\p{L}][\p{L}'’-]*)/u;
  for (;;) {
    const m = before.exec(text.slice(Math.max(0, start - 64), start));
    if (!m || !isNameWord(m[1]!) || asked.has(bareWord(m[1]!)) || !isNameWord(firstWord(text.slice(start, end)))) break;
    start -= m[0].length;
  }
  for (;;) {
    const m = after.exec(text.slice(end, end + 64));
    const last = lastWord(text.slice(start, end));
    if (!m || !isNameWord(m[1]!) || asked.has(bareWord(m[1]!)) || !isNameWord(last) || POSSESSIVE.test(last)) break;
    end += m[0].length;
  }
  // A possessive ends the name and is not part of it: "Raphaël Hertzog's company" names Raphaël Hertzog.
  const possessive = POSSESSIVE.exec(text.slice(start, end));
  return { start, end: possessive ? end - possessive[0].length : end };
}

const POSSESSIVE = /['’]s$/u;

// Words that stand before a person's name and are not part of it. Not those that also open the
// names of firms and bodies ("General Electric", "Major League", "Brother Industries").
const TITLES = new Set([
  'captain', 'capt', 'mr', 'mrs', 'ms', 'miss', 'dr', 'doctor', 'sir', 'dame', 'lord', 'lady', 'king', 'queen', 'prince',
  'princess', 'professor', 'prof', 'saint', 'st', 'rev', 'reverend', 'colonel', 'sergeant', 'lieutenant', 'admiral',
]);

/**
 * A person's name without the title before it: "Captain Hester Graves" answers "Hester Graves".
 * A title alone stays ("the Captain"). On unseen fact wordings (bench/qa/wordings.ts) every
 * answer "Captain X" to "Who is in charge of the chapel?" counted wrong, the name being X.
 */
function withoutTitle(text: string, name: Range): Range {
  let start = name.start;
  for (;;) {
    const m = /^([\p{L}]+)\.?[ \t]+(?=\p{Lu})/u.exec(text.slice(start, name.end));
    if (!m || !TITLES.has(m[1]!.toLowerCase())) return { start, end: name.end };
    start += m[0].length;
  }
}

/**
 * Whether `answer` is one word in capitals made of the initials of capitalised words the question
 * holds: the abbreviation of what the question names, not an answer about it. "Who founded the
 * Software in the Public Interest association?" answered "SPI" on the dev handbook, from "the
 * Software in the Public Interest (SPI) association", which says nothing of a founder.
 */
function initialsOf(answer: string, question: string): boolean {
  if (!/^\p{Lu}{2,}$/u.test(answer)) return false;
  const initials = words(question).filter((w) => /^\p{Lu}/u.test(w)).map((w) => w[0]).join('');
  return initials.includes(answer);
}

/**
 * Whether `word` is a capitalised abbreviation with no vowel ("DPL", "FSF", "HTML"): a title, a
 * body or a format, never a person's name. "DPL" (Debian Project Leader) answered "Who became the
 * Debian project leader after Jonathan Carter?", which the book does not say.
 */
function isAcronym(word: string): boolean {
  return /^\p{Lu}{2,}$/u.test(word) && !/[AEIOUY]/u.test(word);
}

/**
 * Whether `word` is written in four capitals or more, which prose does for a label or for
 * emphasis ("COMMUNITY", "NOTE", "CAUTION": the titles of DocBook's sidebars), not for a person's
 * name: a person's name holds no such word. On the dev handbook an HTML section heading and the
 * sidebar label after it on one source line, "Multi-Platform Operating System COMMUNITY",
 * answered "Who took over from Ian Murdock as leader of Debian?" at confidence 0.825. A name
 * printed in capitals ("Raphaël HERTZOG") is lost with it.
 */
function isShouted(word: string): boolean {
  return /^\p{Lu}{4,}$/u.test(word);
}

/** Whether `word` can be no part of a person's name: a vowelless abbreviation or a shouted word. */
function notPersonWord(word: string): boolean {
  return isAcronym(word) || isShouted(word);
}

/**
 * The names a question mentions: capitalised words after its first word ("Which town is Lenora
 * Pike from?" → Lenora, Pike), lowercased, without a possessive "'s".
 */
export function questionNames(question: string): string[] {
  return words(question).slice(1).filter(isNameWord).map((w) => w.toLowerCase().replace(/['’]s$/, ''));
}

/**
 * The words a passage must mention, besides the question's names, to be about what the question
 * asks: the things it names after "the". A question that names someone is about them, and of its
 * things only the head of a two-word phrase counts ("the salt traders", "the copper chest" →
 * traders, chest): its other words are often reworded ("the extra lantern" of "the spare
 * lantern", "the boat" of "the ferry"). A question that names no one is about its things, every
 * word of them ("the glass house" → glass, house; "the well behind the tannery" → well, tannery):
 * "the tin kettle" answers nothing about the copper kettle. A question with do/does/did ends on
 * its verb ("How much does the oil lamp cost?"), which is no thing.
 */
export function questionSubjects(question: string): string[] {
  const named = questionNames(question).length > 0;
  return thingPhrases(question).flatMap((phrase) => (!named ? phrase : phrase.length >= 2 ? [phrase[1]!] : []));
}

/** The words after each "the" of `question` up to a stop word, preposition, name or its final verb, lowercased. */
function thingPhrases(question: string): string[][] {
  const all = words(question);
  const lower = all.map((w) => w.toLowerCase());
  const endsOnVerb = lower.some((w) => w === 'do' || w === 'does' || w === 'did');
  const content = (i: number): boolean => i < all.length && !(endsOnVerb && i === all.length - 1) && !STOP_WORDS.has(lower[i]!) && !PREPOSITIONS.has(lower[i]!) && !isNameWord(all[i]!) && /^\p{L}/u.test(all[i]!);
  const out: string[][] = [];
  lower.forEach((w, i) => {
    if (w !== 'the') return;
    let j = i + 1;
    while (content(j)) j++;
    out.push(lower.slice(i + 1, j));
  });
  return out;
}

// Prepositions the stop words lack: "the well behind the barn" names a well, not a "behind".
const PREPOSITIONS = new Set([
  'across', 'along', 'alongside', 'amid', 'among', 'around', 'behind', 'beneath', 'beside', 'besides', 'beyond', 'inside',
  'near', 'outside', 'past', 'toward', 'towards', 'underneath', 'upon', 'within', 'without', 'via',
]);
// Words that open a sentence about someone or something named in the sentence before.
const REFERRING = new Set(['he', 'she', 'it', 'they', 'his', 'her', 'its', 'their', 'there', 'this', 'these', 'that', 'those', 'then']);

/**
 * Which offsets of `passage` lie in a sentence about what the question names: a sentence that
 * mentions one of its names or of the words of questionSubjects, or one that opens
 * with a pronoun ("He keeps it in Wexmoor.") right after such a sentence. Every offset counts when
 * the question names nothing. The span head sometimes prefers a name or number of the next verse
 * ("Perpetua Lark keeps the spare lantern hidden in Stonehaven Quay. And the ark ... in the house
 * of Obededom"): an answer is taken only from a sentence about the question's subject.
 */
export function subjectSentences(question: string, passage: string): (at: number) => boolean {
  const names = new Set(questionNames(question));
  const heads = new Set(questionSubjects(question).flatMap((h) => analyze(h)));
  if (names.size === 0 && heads.size === 0) return () => true;
  const starts = sentenceStarts(passage);
  const about: boolean[] = [];
  starts.forEach((from, i) => {
    const sentence = passage.slice(from, starts[i + 1] ?? passage.length);
    const ws = words(sentence).map((w) => w.toLowerCase().replace(/['’]s$/, ''));
    const own = ws.some((w) => names.has(w)) || (heads.size > 0 && analyze(sentence).some((t) => heads.has(t)));
    about.push(own || (i > 0 && about[i - 1]! && REFERRING.has(ws[0] ?? '')));
  });
  return (at) => about[sentenceAt(starts, at)]!;
}

/** Which offsets of `passage` lie in a sentence that `pattern` matches. */
function sentencesSaying(passage: string, pattern: RegExp): (at: number) => boolean {
  const starts = sentenceStarts(passage);
  const says = starts.map((from, i) => pattern.test(passage.slice(from, starts[i + 1] ?? passage.length)));
  return (at) => says[sentenceAt(starts, at)]!;
}

/**
 * Where the sentences of `passage` start: at 0 and after each sentence end, which is . ! ? (and
 * closing quotes) before white space, ; or : ending a line (a verse of the KJV), or a blank line.
 */
function sentenceStarts(passage: string): number[] {
  const starts = [0];
  for (const m of passage.matchAll(/[.!?]["'’”)\]]*(?=\s)|[;:]["'’”)\]]*[ \t]*(?=\n)|\n[ \t]*\n/gu)) starts.push(m.index + m[0].length);
  return starts;
}

/** The index in `starts` (sentenceStarts) of the sentence holding offset `at`. */
function sentenceAt(starts: readonly number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Whether the answer at `start..end` of `passage` is the only answer of the asked kind in its
 * sentence, and that sentence mentions everything the question names (mentionsSubjects): "Oswin
 * Thorne" in "The caravan of the bee keepers was led across the desert by a guide called Oswin
 * Thorne." for "Who guided the bee keepers through the desert?". `read` is the question's
 * answerReader for the passage; every word of the sentence is read as a span, and the answers
 * they make are counted. A question that names nothing has no such sentence.
 */
export function onlyAnswerOfSentence(question: string, passage: string, read: (start: number, end: number) => Range | undefined, start: number, end: number): boolean {
  if (!namesSomething(question)) return false;
  const starts = sentenceStarts(passage);
  const i = sentenceAt(starts, start);
  const from = starts[i]!;
  const sentence = passage.slice(from, starts[i + 1] ?? passage.length);
  if (from + sentence.length < end || !mentionsSubjects(question, sentence)) return false;
  const answers = new Set<string>();
  for (const m of sentence.matchAll(WORDS)) {
    const r = read(from + m.index, from + m.index + m[0].length);
    if (r && r.end > r.start) answers.add(`${r.start}:${r.end}`);
  }
  return answers.size === 1 && answers.has(`${start}:${end}`);
}

/**
 * The things of two words or more a question that names no one asks about ("the brass compass"),
 * each as its analysed terms (analyze.ts); questionSubjects gives their words one by one.
 */
export function questionPhrases(question: string): string[][] {
  if (questionNames(question).length > 0) return [];
  return thingPhrases(question).map((phrase) => analyze(phrase.join(' '))).filter((terms) => terms.length >= 2);
}

/**
 * Whether `passage` says each of the question's phrases (questionPhrases) as a phrase, its words
 * side by side: "the brass compass" in a ledger's line, not a verse with pillars of brass that a
 * line did compass about.
 */
export function mentionsPhrases(question: string, passage: string): boolean {
  const phrases = questionPhrases(question);
  if (phrases.length === 0) return true;
  const terms = analyze(passage);
  return phrases.every((p) => terms.some((_, i) => p.every((t, k) => terms[i + k] === t)));
}

/** Whether `question` names someone or something (questionNames, questionSubjects) a passage must mention to answer it. */
export function namesSomething(question: string): boolean {
  return questionNames(question).length > 0 || questionSubjects(question).length > 0;
}

/**
 * Whether `passage` mentions every name the question does and every word of questionSubjects
 * (stemmed: "trader" is "traders"). A passage that never names Lenora Pike cannot say which town
 * she is from, nor one that never mentions traders who guided the salt traders, however sure the
 * span head is of a town or a guide in it.
 */
export function mentionsSubjects(question: string, passage: string): boolean {
  const names = questionNames(question);
  const heads = questionSubjects(question);
  if (names.length === 0 && heads.length === 0) return true;
  const present = new Set(words(passage).map((w) => w.toLowerCase().replace(/['’]s$/, '')));
  if (!names.every((n) => present.has(n))) return false;
  const terms = new Set(analyze(passage));
  return heads.every((h) => analyze(h).every((t) => terms.has(t)));
}

function firstWord(s: string): string {
  return words(s)[0] ?? '';
}

function lastWord(s: string): string {
  return words(s).pop() ?? '';
}
