// EVALUATION ONLY. TRAINING MUST NOT USE THESE TEMPLATES, REWORDING RULES OR SYNONYM LISTS.
//
// Reworded developer questions for the question-answering evaluation (bench/qa), made from the
// first sentence of a docstring: its leading verb and its object, with identifiers dropped,
// filler words dropped, and verbs and nouns swapped for the hand-made synonyms below, put into
// one of the question templates below. The model's training (models/mnemo) makes its own
// question-style rewordings from templates of its own; if these templates or lists leaked into
// training, the "reworded" figures in BENCHMARKS.md would measure memorised phrasings rather
// than understanding, exactly as the held-out repositories of models/heldout.json guard against
// memorised code. Keep any new evaluation template here, and any training template out of here.
import { prng } from '../corpus';

/** Templates for a docstring that starts with a verb ("Return the …"): {verb} base form, {verbs} third person. */
export const VERB_TEMPLATES: readonly string[] = [
  'which function {verbs} {object}?',
  'where is the code that {verbs} {object}?',
  'how do I {verb} {object}?',
  'where do we {verb} {object}?',
  'what should I call to {verb} {object}?',
  'is there a helper that {verbs} {object}?',
  'I need to {verb} {object}, where is that done?',
];

/** Templates for a docstring that does not start with a verb ("A class that …", "Base class for …"). */
export const NOUN_TEMPLATES: readonly string[] = [
  'where is {object} handled?',
  'which part of the code deals with {object}?',
  'where would I find {object}?',
  'what is responsible for {object}?',
];

/** Leading verbs (base form) and what a developer might say instead. */
export const VERB_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  return: ['get', 'give back', 'fetch'],
  create: ['make', 'build', 'construct'],
  make: ['create', 'build'],
  get: ['fetch', 'retrieve', 'look up'],
  set: ['assign', 'configure', 'change'],
  add: ['append', 'insert', 'attach'],
  remove: ['delete', 'drop', 'strip'],
  delete: ['remove', 'drop'],
  parse: ['read', 'interpret', 'decode'],
  convert: ['turn', 'transform'],
  check: ['verify', 'test', 'see'],
  test: ['check', 'verify'],
  generate: ['produce', 'emit'],
  write: ['output', 'emit', 'dump'],
  read: ['load', 'consume'],
  load: ['read', 'bring in'],
  format: ['render', 'lay out', 'pretty print'],
  print: ['display', 'show', 'output'],
  display: ['show', 'print'],
  show: ['display', 'print'],
  handle: ['deal with', 'process', 'take care of'],
  process: ['handle', 'deal with'],
  scan: ['tokenize', 'lex'],
  call: ['invoke', 'run'],
  invoke: ['call', 'run'],
  register: ['add', 'record'],
  find: ['look up', 'locate', 'search for'],
  validate: ['check', 'verify'],
  update: ['modify', 'change', 'refresh'],
  initialize: ['set up', 'prepare'],
  initialise: ['set up', 'prepare'],
  compute: ['calculate', 'work out'],
  calculate: ['compute', 'work out'],
  encode: ['serialize', 'escape'],
  decode: ['deserialize', 'unescape'],
  split: ['break up', 'divide'],
  join: ['combine', 'concatenate'],
  open: ['start', 'launch'],
  close: ['shut', 'finish'],
  start: ['begin', 'kick off'],
  run: ['execute', 'launch'],
  execute: ['run', 'perform'],
  raise: ['throw', 'signal'],
  store: ['save', 'keep'],
  save: ['store', 'persist'],
  copy: ['duplicate', 'clone'],
  clear: ['reset', 'empty'],
  reset: ['clear', 'restore'],
  define: ['declare', 'specify'],
  apply: ['use', 'run'],
  build: ['construct', 'assemble'],
  construct: ['build', 'create'],
  render: ['draw', 'format'],
  emit: ['produce', 'fire'],
  ensure: ['make sure of', 'guarantee'],
  determine: ['work out', 'figure out'],
  resolve: ['work out', 'figure out'],
  replace: ['swap', 'substitute'],
  append: ['add', 'attach'],
  extract: ['pull out', 'take out'],
  collect: ['gather', 'accumulate'],
  wrap: ['enclose', 'surround'],
  represent: ['model', 'stand for'],
  indicate: ['signal', 'say'],
  provide: ['supply', 'offer'],
  allow: ['let', 'permit'],
  mark: ['flag', 'tag'],
  iterate: ['loop', 'walk'],
  yield: ['produce', 'generate'],
  quote: ['escape', 'wrap in quotes'],
};

/** Nouns and adjectives, and what a developer might say instead (one each, applied every time it fits). */
export const WORD_SYNONYMS: Readonly<Record<string, string>> = {
  string: 'text', strings: 'texts', text: 'string', list: 'sequence', lists: 'sequences',
  dictionary: 'mapping', dict: 'mapping', value: 'data', values: 'data', file: 'document',
  files: 'documents', message: 'mail', messages: 'mails', parameter: 'argument',
  parameters: 'arguments', argument: 'parameter', arguments: 'parameters', option: 'flag',
  options: 'flags', flag: 'switch', flags: 'switches', error: 'failure', errors: 'failures',
  exception: 'error', exceptions: 'errors', object: 'instance', objects: 'instances',
  instance: 'object', instances: 'objects', attribute: 'field', attributes: 'fields',
  method: 'function', methods: 'functions', function: 'routine', functions: 'routines',
  callback: 'handler', callbacks: 'handlers', handler: 'callback', handlers: 'callbacks',
  path: 'location', paths: 'locations', directory: 'folder', directories: 'folders',
  character: 'char', characters: 'chars', number: 'count', integer: 'int', boolean: 'bool',
  default: 'fallback', defaults: 'fallbacks', name: 'identifier', names: 'identifiers',
  type: 'kind', types: 'kinds', line: 'row', lines: 'rows', output: 'result', input: 'data in',
  user: 'caller', terminal: 'console', console: 'terminal', empty: 'blank', whitespace: 'spaces',
  tag: 'element', tags: 'elements', element: 'node', elements: 'nodes', node: 'element',
  nodes: 'elements', document: 'file', stream: 'pipe', buffer: 'chunk', event: 'signal',
  events: 'signals', command: 'subcommand', commands: 'subcommands', header: 'heading',
  headers: 'headings', address: 'addr', addresses: 'addrs', current: 'active', new: 'fresh',
  first: 'initial', last: 'final', specified: 'chosen', valid: 'well formed', invalid: 'malformed',
  multiple: 'several', single: 'one', key: 'field name', keys: 'field names', item: 'entry',
  items: 'entries', class: 'type', classes: 'types', module: 'package', context: 'environment',
  help: 'usage', usage: 'help', program: 'app', application: 'app', environment: 'env',
  variable: 'var', variables: 'vars', sequence: 'list', mapping: 'dict', token: 'lexeme',
  tokens: 'lexemes', content: 'body', contents: 'body', body: 'payload', part: 'piece', parts: 'pieces',
};

/** Words dropped from the object: articles, fillers and hedges that add nothing to a question. */
export const DROPPED_WORDS: ReadonlySet<string> = new Set([
  'the', 'a', 'an', 'this', 'that', 'these', 'those', 'its', 'it', 'their', 'given', 'provided',
  'optionally', 'optional', 'actual', 'actually', 'just', 'simply', 'also', 'specific', 'corresponding',
  'appropriate', 'respective', 'particular', 'any', 'which', 'whose', 'then', 'there', 'here',
  'will', 'shall', 'should', 'can', 'may', 'might', 'possibly',
]);

/** Words that lead a noun-phrase docstring and are dropped before it is used ("A class that …"). */
const NOUN_LEADS = /^(a|an|the|this|base|abstract|simple|helper|internal|utility|private|public)\b\s*/;

/** An identifier-like word: snake_case, camelCase, dotted, called, or quoted as code. */
export function isIdentifier(word: string): boolean {
  return /[_$]|[a-z][A-Z]|\w\.\w|\(\)|^[`'"]|[`'"]$|^[A-Z][a-z]+[A-Z]/.test(word) || /^\W+$/.test(word);
}

/** Third-person singular of a verb phrase's first word ("give back" → "gives back"). */
export function thirdPerson(phrase: string): string {
  const [first, ...rest] = phrase.split(' ');
  let w = first!;
  if (/(s|x|z|ch|sh|o)$/.test(w)) w += 'es';
  else if (/[^aeiou]y$/.test(w)) w = `${w.slice(0, -1)}ies`;
  else w += 's';
  return [w, ...rest].join(' ');
}

/** Base form of a leading verb in a docstring ("Returns" → "return"), if the table knows it. */
export function verbBase(word: string): string | undefined {
  const w = word.toLowerCase();
  const candidates = [w, w.replace(/ies$/, 'y'), w.replace(/es$/, ''), w.replace(/s$/, '')];
  return candidates.find((c) => c.length > 1 && Object.hasOwn(VERB_SYNONYMS, c));
}

/** Words that end the subject of a sentence that does not start with a verb. */
const CLAUSE_WORDS: ReadonlySet<string> = new Set(['is', 'are', 'was', 'were', 'has', 'have', 'needs', 'need', 'that', 'who', 'when', 'if', 'does', 'do']);

/** Most words of the object kept in a question. */
export const MAX_OBJECT_WORDS = 10;

export interface Rewording {
  readonly question: string;
  readonly template: string;
}

/** A deterministic number in [0, 1) from a string, to pick templates and synonyms. */
function pick(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return prng(h >>> 0);
}

/**
 * A developer's question for a docstring's first sentence, worded differently from it; undefined
 * when too little is left once identifiers and fillers are dropped. `seed` makes it deterministic.
 */
export function reword(sentence: string, seed: string): Rewording | undefined {
  const rand = pick(seed);
  const choose = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const cleaned = sentence
    .replace(/\([^)]*\)/g, ' ') // parentheticals
    .replace(/`[^`]*`/g, ' ') // code in backticks
    .replace(/[.!?:;]+$/, '')
    .replace(/[,;:]/g, ' ');
  const raw = cleaned.split(/\s+/).filter((w) => w && !isIdentifier(w));
  const words = raw.map((w) => w.replace(/^[^\w]+|[^\w]+$/g, '')).filter((w) => w.length > 0);
  if (words.length === 0) return undefined;
  const base = verbBase(words[0]!);
  let rest = base ? words.slice(1) : words.join(' ').replace(NOUN_LEADS, '').replace(NOUN_LEADS, '').split(' ');
  rest = rest.map((w) => w.toLowerCase()).filter((w) => !DROPPED_WORDS.has(w)).map((w) => (Object.hasOwn(WORD_SYNONYMS, w) ? WORD_SYNONYMS[w]! : w));
  // A docstring's later clauses ("…, and return it if …") wander off; the first ten words carry it.
  const object = rest.slice(0, MAX_OBJECT_WORDS).join(' ').trim();
  if (object.split(' ').filter((w) => w.length > 2).length < 2) return undefined;
  if (base) {
    const verb = choose(VERB_SYNONYMS[base]!);
    const template = choose(VERB_TEMPLATES);
    return { template, question: template.replace('{verbs}', thirdPerson(verb)).replace('{verb}', verb).replace('{object}', object) };
  }
  // "A stream is misconfigured if …": the subject is what the question is about, when it says enough.
  const cut = rest.findIndex((w) => CLAUSE_WORDS.has(w));
  const subject = cut > 0 ? rest.slice(0, cut).join(' ') : '';
  const topic = subject.split(' ').filter((w) => w.length > 2).length >= 2 ? subject : object;
  const template = choose(NOUN_TEMPLATES);
  return { template, question: template.replace('{object}', topic) };
}
