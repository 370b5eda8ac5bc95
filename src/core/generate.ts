// Prompt layouts from docs/MODEL_CONTRACT.md, and decoding with the KV cache: one prefill,
// then one decoder_step per generated token, streamed as text.
import type { LoadedModel } from './model';

export interface GenerateOptions {
  readonly maxTokens: number;
  readonly signal?: AbortSignal;
  /** Called with each new piece of text as soon as it decodes to whole characters. */
  readonly onText?: (text: string) => void;
  /** 1 = greedy (default); >1 samples among the top k. */
  readonly topK?: number;
  readonly temperature?: number;
  /** End of sequence is not allowed before this many tokens (an empty answer helps no one). Default 1. */
  readonly minTokens?: number;
  /** An n-gram of this size is never generated twice (stops greedy loops). 0 turns it off. Default 3. */
  readonly noRepeatNgram?: number;
}

export interface Generated {
  readonly text: string;
  readonly ids: readonly number[];
  readonly millisecondsToFirstToken: number;
  readonly stoppedBy: 'eos' | 'maxTokens' | 'signal' | 'positions';
}

/** `bos, <context>, question, <question>, answer` */
export function askPrompt(model: LoadedModel, context: readonly number[], question: readonly number[]): number[] {
  const t = model.config.specialTokens;
  return [t.bos, ...context, t.question, ...question, t.answer];
}

/** `bos, path, <path>, sep, <context>, summary` */
export function summarizePrompt(model: LoadedModel, path: readonly number[], context: readonly number[]): number[] {
  const t = model.config.specialTokens;
  return [t.bos, t.path, ...path, t.sep, ...context, t.summary];
}

/** `bos, path, <path>, sep, <context>, explain, <symbol>, answer` */
export function explainPrompt(model: LoadedModel, path: readonly number[], context: readonly number[], symbol: readonly number[]): number[] {
  const t = model.config.specialTokens;
  return [t.bos, t.path, ...path, t.sep, ...context, t.explain, ...symbol, t.answer];
}

/** Most context tokens that fit with `fixed` other prompt tokens and `answerTokens` to generate. */
export function contextBudget(model: LoadedModel, fixed: number, answerTokens: number): number {
  const c = model.config;
  return Math.max(0, Math.min(c.segmentLength * 2, c.maxDecoderPositions - c.memorySize - fixed - answerTokens));
}

/**
 * Forbids, in place, what must not come next: special tokens other than eos (the prompt's
 * markers are never part of an answer), eos itself before `minTokens`, and any token that would
 * repeat an n-gram already generated.
 */
function forbid(logits: Float32Array, ids: readonly number[], special: readonly number[], eos: number, minTokens: number, n: number): void {
  for (const s of special) if (s !== eos || ids.length < minTokens) logits[s] = -Infinity;
  if (n <= 0 || ids.length < n - 1) return;
  const tail = ids.slice(ids.length - (n - 1));
  for (let i = 0; i + n - 1 < ids.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = ids[i + j] === tail[j];
    if (same) logits[ids[i + n - 1]!] = -Infinity;
  }
}

function pick(logits: Float32Array, topK: number, temperature: number): number {
  if (topK <= 1) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  const idx = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!).slice(0, topK);
  const max = logits[idx[0]!]!;
  const w = idx.map((i) => Math.exp((logits[i]! - max) / Math.max(1e-3, temperature)));
  let r = Math.random() * w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < idx.length; j++) if ((r -= w[j]!) <= 0) return idx[j]!;
  return idx[idx.length - 1]!;
}

/** Decodes after `prompt` given `memory` `[M, D]`. */
export async function generate(model: LoadedModel, prompt: readonly number[], memory: Float32Array, options: GenerateOptions): Promise<Generated> {
  const c = model.config;
  const started = performance.now();
  const room = c.maxDecoderPositions - c.memorySize - prompt.length;
  if (room <= 0) throw new Error(`The prompt has ${prompt.length} tokens; with ${c.memorySize} memory positions it exceeds maxDecoderPositions ${c.maxDecoderPositions}.`);
  const budget = Math.min(options.maxTokens, room);
  const ids: number[] = [];
  let emitted = '';
  let firstMs = -1;
  let stoppedBy: Generated['stoppedBy'] = budget < options.maxTokens ? 'positions' : 'maxTokens';
  const topK = options.topK ?? 1;
  const temperature = options.temperature ?? 1;
  const minTokens = options.minTokens ?? 1;
  const noRepeat = options.noRepeatNgram ?? 3;
  const special = Object.values(c.specialTokens);

  let out = await model.runtime.prefill(BigInt64Array.from(prompt, (v) => BigInt(v)), memory);
  for (let n = 0; n < budget; n++) {
    if (options.signal?.aborted) { stoppedBy = 'signal'; break; }
    forbid(out.logits, ids, special, c.specialTokens.eos, minTokens, noRepeat);
    const id = pick(out.logits, topK, temperature);
    if (id === c.specialTokens.eos) { stoppedBy = 'eos'; break; }
    ids.push(id);
    if (firstMs < 0) firstMs = performance.now() - started;
    const text = model.tokenizer.decode(ids);
    // Hold back a piece that ends inside a multi-byte character.
    if (!text.endsWith('\ufffd') && text.startsWith(emitted) && text.length > emitted.length) {
      options.onText?.(text.slice(emitted.length));
      emitted = text;
    }
    if (n + 1 >= budget) break;
    out = await model.runtime.step(id, out.cache);
  }
  const text = model.tokenizer.decode(ids);
  if (text.length > emitted.length && text.startsWith(emitted)) options.onText?.(text.slice(emitted.length));
  return { text, ids, millisecondsToFirstToken: firstMs < 0 ? performance.now() - started : firstMs, stoppedBy };
}
