// `mnemo_search` for every front end (MCP server, VS Code language-model tool, chat
// participant): a question in, the best passages of the whole memory out, as structured data
// and as capped plain text an agent's model can read.
import type { Engine, ReadProgress } from '../api';
import { throwIfAborted } from '../fsutil';
import { coverageLine, emptyMemoryText, ToolInputError } from './coverage';
import { passagesOf, type ContractAnswer, type Passage, type RetrievalSource } from './passages';
import { CappedText, MAX_RESULT_CHARS, oneLine, quote } from './plainText';

export const MAX_QUESTION_CHARS = 2_000;
/** Tokens the engine may generate for an answer the tools may show (only when the engine says it is worth showing). */
const ANSWER_TOKENS = 64;

export interface SearchOptions {
  readonly signal?: AbortSignal;
  /** Most passages in the result (default: all the engine cites). */
  readonly maxPassages?: number;
  /** Most characters of `text` (default MAX_RESULT_CHARS). */
  readonly maxChars?: number;
  /** Passed to the engine's file loader, as the engine itself was configured. */
  readonly maxFileBytes?: number;
}

export interface SearchResult {
  readonly question: string;
  /** Best first; paths are workspace-relative. Empty when nothing has been read yet. */
  readonly passages: readonly Passage[];
  /** Mnemo's own short answer, only when the engine marks it worth showing (a confident span). */
  readonly answer: { readonly text: string; readonly kind: 'span' | 'generated'; readonly confidence?: number } | undefined;
  /** Fraction of the folder read when the search ran. */
  readonly coverage: number;
  readonly reading: ReadProgress | undefined;
  readonly warnings: readonly string[];
  /** The whole result as plain text, at most `maxChars` long. */
  readonly text: string;
}

/** The question, trimmed, or a ToolInputError saying what is wrong with it. */
export function checkQuestion(question: unknown): string {
  if (typeof question !== 'string') throw new ToolInputError('"question" must be a string: what you want to find in the folder, in words.');
  const q = question.trim();
  if (q.length === 0) throw new ToolInputError('"question" is empty: say what you want to find, e.g. "where are settings saved?".');
  if (q.length > MAX_QUESTION_CHARS) throw new ToolInputError(`"question" is ${q.length} characters long; keep it under ${MAX_QUESTION_CHARS}.`);
  return q;
}

export async function search(engine: Engine, question: string, options: SearchOptions = {}): Promise<SearchResult> {
  const q = checkQuestion(question);
  const { signal } = options;
  throwIfAborted(signal);
  const limit = options.maxChars ?? MAX_RESULT_CHARS;
  if (engine.status().segments === 0) {
    const status = engine.status();
    return { question: q, passages: [], answer: undefined, coverage: 0, reading: status.reading, warnings: [], text: emptyMemoryText(engine).slice(0, limit) };
  }
  const answer: ContractAnswer = await engine.ask(q, { signal, maxTokens: ANSWER_TOKENS });
  throwIfAborted(signal);
  let passages = (await passagesOf(engine.root, answer, options.maxFileBytes)).filter((p) => p.text.trim().length > 0);
  if (options.maxPassages !== undefined) passages = passages.slice(0, Math.max(1, options.maxPassages));
  const status = engine.status();
  const shown = showableAnswer(answer);
  const out = new CappedText(limit);
  out.add(coverageLine(status, answer.coverage));
  if (shown) {
    const how = shown.kind === 'span'
      ? `quoted from the passages${shown.confidence !== undefined ? `, confidence ${shown.confidence.toFixed(2)}` : ''}`
      : 'written by its model from the passages';
    out.add(`Mnemo's answer (${how}): ${oneLine(shown.text, 1000)}`);
  }
  out.add(passages.length > 0
    ? `${passages.length} passage${passages.length === 1 ? '' : 's'} for "${oneLine(q, 200)}", best first:`
    : `No passage of the memory matches "${oneLine(q, 200)}".`);
  passages.forEach((p, i) => out.add(renderPassage(p, i + 1)));
  if (out.omitted > 0) out.add(`(${out.omitted} more passage${out.omitted === 1 ? '' : 's'} left out to keep this result short; ask a narrower question to see them.)`);
  for (const w of answer.warnings ?? []) out.add(`Note: ${oneLine(w, 400)}`);
  return {
    question: q, passages, answer: shown, coverage: answer.coverage, reading: status.reading,
    warnings: answer.warnings ?? [], text: out.toString(),
  };
}

/** The engine's own text when the contract marks it as worth showing; the current engine never does. */
function showableAnswer(answer: ContractAnswer): SearchResult['answer'] {
  if ((answer.kind === 'span' || answer.kind === 'generated') && answer.text.trim().length > 0) {
    return { text: answer.text.trim(), kind: answer.kind, confidence: answer.confidence };
  }
  return undefined;
}

const SOURCE_WORDS: Record<RetrievalSource, string> = { lexical: 'keyword search', model: "Mnemo's memory model" };

export function sourcesText(sources: readonly RetrievalSource[] | undefined): string | undefined {
  if (!sources || sources.length === 0) return undefined;
  return sources.map((s) => SOURCE_WORDS[s] ?? s).join(' and ');
}

/** `[n] path lines a-b (found by …)` and the fenced lines. */
export function renderPassage(p: Passage, n: number): string {
  const c = p.citation;
  const found = sourcesText(c.sources);
  const q = quote(p.text);
  const head = `[${n}] ${oneLine(c.path)} lines ${c.startLine}-${c.endLine}${found ? ` (found by ${found})` : ''}${q.cut ? ' (quote shortened)' : ''}`;
  return `${head}\n${q.text}`;
}
