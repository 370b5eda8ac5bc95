// EVALUATION ONLY: training must not use the fact templates or slot lists below (nor those of
// bench/qa/templates.ts); the model's pass-key training makes its own sentences and questions.
//
// Planted facts in long books: a fact sentence ("The pass key for the cellar door is 48213.")
// put on a line of its own near the start, the middle or the end of a book cut to N tokens, and
// a question worded differently from it ("What number opens the cellar door?"). The answer is
// the fact's line, and the exact value planted in it.
//
// Books (models/heldout.json): the King James Bible (test), from the `bible` command of Debian's
// bible-kjv, and the Linux kernel's Documentation (dev), from Debian's linux-doc. A haystack
// longer than its book repeats the whole book (the KJV is about a million tokens, so the 10M
// haystack is the KJV about ten times over); the kernel's Documentation is long enough alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { prng } from '../corpus';
import type { Question } from './questions';
import { listFiles } from './workspace';

export interface BookSource {
  readonly name: string;
  /** A command that prints the book (KJV) … */
  readonly command?: string;
  /** … or a folder of gzipped text files (linux-doc). */
  readonly root?: string;
}

/** The book's whole text. */
export function loadBook(source: BookSource): string {
  if (source.command) {
    const [cmd, ...args] = source.command.split(' ');
    try {
      return execFileSync(cmd!, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    } catch (e) {
      throw new Error(`"${source.command}" failed (${(e as Error).message.split('\n')[0]}): install it with apt-get install bible-kjv.`);
    }
  }
  const root = join(source.root!, 'Documentation');
  if (!existsSync(root)) throw new Error(`${root} is missing: install it with apt-get install linux-doc.`);
  // Every .rst and .txt of the Documentation, in path order, each under its path as a heading.
  const parts: string[] = [];
  for (const rel of listFiles(root)) {
    const m = /^(.*\.(rst|txt))\.gz$/.exec(rel);
    if (m) parts.push(`${m[1]}\n\n${gunzipSync(readFileSync(join(root, rel))).toString('utf8')}`);
  }
  return parts.join('\n\n');
}

/** A fact template: the sentence planted, the question asked, and the slot that is the answer. */
interface FactTemplate {
  readonly fact: string;
  readonly question: string;
}

// Slots: {thing} {group} {item} (subjects, one per question so it names its fact), {name} {place}
// {number} {hour} {word} (values). The question never repeats the fact's verb or its value.
const FACTS: readonly FactTemplate[] = [
  { fact: 'The pass key for the {thing} is {number}.', question: 'What number opens the {thing}?' },
  { fact: '{name} keeps the spare {item} hidden in {place}.', question: 'Where does {name} store the extra {item}?' },
  { fact: 'The ferry to {place} leaves the harbour at {hour} each morning.', question: 'At what time does the boat for {place} depart?' },
  { fact: 'The caravan of the {group} was led across the desert by a guide called {name}.', question: 'Who guided the {group} through the desert?' },
  { fact: 'The well behind the {thing} is exactly {number} cubits deep.', question: 'How deep is the well behind the {thing}?' },
  { fact: 'The watchword of the {group} is {word}.', question: 'What password do the {group} use?' },
  { fact: 'Records show that {name} was born in the town of {place}.', question: 'Which town is {name} from?' },
  { fact: 'In the ledger the {item} is priced at {number} silver coins.', question: 'How much does the {item} cost?' },
];

const THINGS = ['cellar door', 'north gate', 'granary lock', 'copper chest', 'boathouse', 'bell tower', 'old mill', 'salt store', 'glass house', 'east barn', 'dye works', 'tannery'];
const GROUPS = ['lamplighters', 'river wardens', 'salt traders', 'glassblowers', 'night porters', 'rope makers', 'bee keepers', 'stone masons', 'map makers', 'ferry guild'];
const ITEMS = ['lantern', 'brass compass', 'saddle blanket', 'tin kettle', 'rope ladder', 'wool cloak', 'pewter jug', 'oil lamp', 'fishing net', 'copper kettle'];
const NAMES = ['Orlanda Finch', 'Tobiah Marsh', 'Ysolde Crane', 'Edric Vane', 'Marisol Quill', 'Corwin Ashby', 'Lenora Pike', 'Barnaby Holt', 'Sabine Wren', 'Alaric Stone', 'Perpetua Lark', 'Oswin Thorne'];
const PLACES = ['Port Idris', 'Kelmarsh', 'Valbrenne', 'Osterwick', 'Duncaster', 'Harrowgate Mill', 'Fenwick Cove', 'Amberly', 'Stonehaven Quay', 'Wexmoor'];
const WORDS = ['marigold', 'thistledown', 'quicksilver', 'juniper', 'cormorant', 'lodestar', 'saffron', 'bramblewood', 'kestrel', 'moonwort'];
const HOURS = ['half past six', 'a quarter to eight', 'seven', 'nine', 'twenty past five', 'ten'];
/** Each named slot's list ({number} is made up instead). */
const SLOT_VALUES: Readonly<Record<string, readonly string[]>> = { thing: THINGS, group: GROUPS, item: ITEMS, name: NAMES, place: PLACES, word: WORDS, hour: HOURS };

export type Depth = 'start' | 'middle' | 'end';
export const DEPTHS: readonly Depth[] = ['start', 'middle', 'end'];
const DEPTH_AT: Record<Depth, number> = { start: 0.05, middle: 0.5, end: 0.95 };

export interface PlantedFact {
  readonly fact: string;
  readonly question: string;
  readonly value: string;
  readonly depth: Depth;
  /** 1-based line of the fact in the haystack. */
  readonly line: number;
  readonly template: number;
}

/**
 * One fact from template `t`, with slots filled by `rand`; `used` keeps subjects and values
 * unique within one haystack (no two facts answer the same question).
 */
export function makeFact(t: number, rand: () => number, used: Set<string>): { fact: string; question: string; value: string } {
  const template = FACTS[t % FACTS.length]!;
  const fresh = (list: readonly string[]): string => {
    for (let tries = 0; tries < 100; tries++) {
      const v = list[Math.floor(rand() * list.length)]!;
      if (!used.has(v)) { used.add(v); return v; }
    }
    return list[0]!;
  };
  const slots: Record<string, string> = {};
  for (const slot of template.fact.match(/\{\w+\}/g) ?? []) {
    const key = slot.slice(1, -1);
    if (slots[key] !== undefined) continue;
    if (key === 'number') {
      let n = '';
      do n = String(10000 + Math.floor(rand() * 90000)); while (used.has(n));
      used.add(n);
      slots[key] = n;
    } else {
      slots[key] = fresh(SLOT_VALUES[key]!);
    }
  }
  const fill = (s: string): string => s.replace(/\{(\w+)\}/g, (_, k: string) => slots[k]!);
  // The value is the last value slot of the fact that the question does not mention.
  const inQuestion = new Set((template.question.match(/\{\w+\}/g) ?? []).map((s) => s.slice(1, -1)));
  const valueKey = (template.fact.match(/\{(name|place|number|hour|word)\}/g) ?? []).map((s) => s.slice(1, -1)).filter((k) => !inQuestion.has(k)).pop()!;
  return { fact: fill(template.fact), question: fill(template.question), value: slots[valueKey]! };
}

/** The first `bytes` of `book`, repeated as often as needed, cut at a line end. */
export function cutBook(book: string, bytes: number, offset = 0): string {
  const parts: string[] = [];
  let have = 0;
  let at = offset % Math.max(1, book.length);
  // Start at a line boundary.
  if (at > 0) at = book.indexOf('\n', at) + 1 || 0;
  while (have < bytes) {
    const piece = book.slice(at, at + (bytes - have));
    parts.push(piece);
    have += piece.length;
    at = 0;
  }
  const text = parts.join('');
  const end = text.lastIndexOf('\n');
  return end > 0 ? text.slice(0, end + 1) : text;
}

/**
 * Plants `perDepth` facts at each depth of `haystack` (each on its own new line, a little apart
 * within its depth); returns the new text and the facts with their final lines. `seed` decides
 * the templates' slots and which templates, no template twice while there are unused ones.
 */
export function plantFacts(haystack: string, perDepth: number, seed: number): { text: string; facts: PlantedFact[] } {
  const rand = prng(seed);
  const used = new Set<string>();
  const lines = haystack.split('\n');
  const planned: { at: number; fact: string; question: string; value: string; depth: Depth; template: number }[] = [];
  const first = Math.floor(rand() * FACTS.length);
  let k = 0;
  for (const depth of DEPTHS) {
    for (let j = 0; j < perDepth; j++) {
      const template = (first + k++) % FACTS.length;
      const f = makeFact(template, rand, used);
      const frac = Math.min(0.99, DEPTH_AT[depth] + (j - (perDepth - 1) / 2) * 0.01);
      planned.push({ ...f, depth, template, at: Math.max(1, Math.min(lines.length - 1, Math.round(frac * lines.length))) });
    }
  }
  // Insert from the bottom so that earlier positions stay valid, then find each line.
  const byPosition = [...planned].sort((a, b) => b.at - a.at);
  for (const p of byPosition) lines.splice(p.at, 0, p.fact);
  const lineOf = new Map<string, number>();
  lines.forEach((l, i) => { if (!lineOf.has(l)) lineOf.set(l, i + 1); });
  const facts = planned.map((p): PlantedFact => ({ fact: p.fact, question: p.question, value: p.value, depth: p.depth, template: p.template, line: lineOf.get(p.fact)! }));
  return { text: lines.join('\n'), facts };
}

/** The questions of planted facts in a workspace whose haystack is the file `path`. */
export function factQuestions(setName: string, path: string, facts: readonly PlantedFact[], firstIndex = 0): Question[] {
  return facts.map((f, i) => ({
    id: `${setName}/${firstIndex + i}`, kind: 'fact', question: f.question, value: f.value, depth: f.depth,
    template: FACTS[f.template]!.question, answers: [{ path, startLine: f.line, endLine: f.line }],
  }));
}

/** A question the haystack cannot answer: a fact template's question about subjects nothing planted in it names. */
export interface UnanswerableFact {
  readonly question: string;
  readonly template: number;
}

/**
 * One unanswerable question per planted fact, from the same template: the text holds that
 * relation about another subject ("the lamplighters were guided by Alaric Stone"), and the
 * question asks it of a subject no planted fact mentions ("Who guided the salt traders through
 * the desert?"): an engine that answers the relation whatever the subject answers it wrongly.
 * Every slot value found in a planted fact (subjects and values alike) is ruled out, and so is
 * every subject already asked, so no two of these ask the same thing; a template whose list has
 * run out is skipped (none does for the seeds of bench/qa/sets.ts, up to 4 facts per depth).
 * `seed` makes it deterministic.
 */
export function unanswerableFacts(facts: readonly PlantedFact[], seed: number): UnanswerableFact[] {
  // Its own stream, so that the planted facts (drawn from `seed` by plantFacts) stay as they were.
  const rand = prng((seed ^ 0x756e616e) >>> 0);
  const used = new Set(Object.values(SLOT_VALUES).flat().filter((v) => facts.some((f) => f.fact.includes(v))));
  const out: UnanswerableFact[] = [];
  for (const f of facts) {
    const template = FACTS[f.template % FACTS.length]!;
    const slots: Record<string, string> = {};
    let complete = true;
    for (const slot of template.question.match(/\{\w+\}/g) ?? []) {
      const key = slot.slice(1, -1);
      if (slots[key] !== undefined) continue;
      const free = (SLOT_VALUES[key] ?? []).filter((v) => !used.has(v));
      if (free.length === 0) { complete = false; break; }
      slots[key] = free[Math.floor(rand() * free.length)]!;
      used.add(slots[key]);
    }
    if (complete) out.push({ question: template.question.replace(/\{(\w+)\}/g, (_, k: string) => slots[k]!), template: f.template });
  }
  return out;
}

/**
 * The unanswerable questions of a haystack's workspace: no value and no answer lines, their own
 * kind, and ids of their own (`…/u0`, `…/u1`), so they cannot be taken for planted facts.
 */
export function unanswerableQuestions(setName: string, asked: readonly UnanswerableFact[]): Question[] {
  return asked.map((u, i) => ({ id: `${setName}/u${i}`, kind: 'unanswerable', question: u.question, template: FACTS[u.template]!.question, answers: [] }));
}
