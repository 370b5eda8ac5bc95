// Static keys: a segment's or a question's key is the L2-normalised, weighted sum of learned
// vectors of its hashed features (identifier words, Porter2-stemmed, whole identifiers and
// character 3-grams). No graph runs: a key costs a few hundred table lookups. This file mirrors
// models/mnemo/keys/features.py exactly; test/core/staticKeys.test.ts checks the parity on real
// files against keys the Python side wrote.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// wink-porter2-stemmer ships no type declarations; a typed require keeps the project free of a
// module declaration file that another module might also declare.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const porter2 = require('wink-porter2-stemmer') as (word: string) => string;

/** The `staticKeys` block of model.json. */
export interface StaticKeysConfig {
  /** The table: `buckets × dim` int8 then `buckets` float32 row scales, or `buckets × dim` float16. */
  readonly file: string;
  readonly buckets: number;
  readonly dim: number;
  readonly dtype: 'int8' | 'float16';
  readonly hash: 'fnv1a32';
  readonly stem: 'porter2' | 'none';
  readonly wordWeight: number;
  readonly identWeight: number;
  readonly gramWeight: number;
}

/** What is wrong with a `staticKeys` block (empty when it is usable), given the model's keyDim. */
export function checkStaticKeysConfig(raw: unknown, keyDim: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return ['model.json: "staticKeys" must be an object'];
  const b = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b['file'] !== 'string' || b['file'] === '') problems.push('model.json: staticKeys.file must name the table file');
  const buckets = b['buckets'];
  if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets <= 0 || (buckets & (buckets - 1)) !== 0) {
    problems.push(`model.json: staticKeys.buckets must be a power of two (got ${JSON.stringify(buckets)})`);
  }
  if (typeof b['dim'] !== 'number' || !Number.isInteger(b['dim']) || (b['dim'] as number) <= 0) problems.push('model.json: staticKeys.dim must be a positive integer');
  else if (b['dim'] !== keyDim) problems.push(`model.json: staticKeys.dim (${b['dim']}) must equal keyDim (${JSON.stringify(keyDim)}): the stored keys are static keys`);
  if (b['dtype'] !== 'int8' && b['dtype'] !== 'float16') problems.push(`model.json: staticKeys.dtype must be "int8" or "float16" (got ${JSON.stringify(b['dtype'])})`);
  if (b['hash'] !== 'fnv1a32') problems.push(`model.json: staticKeys.hash must be "fnv1a32" (got ${JSON.stringify(b['hash'])})`);
  if (b['stem'] !== 'porter2' && b['stem'] !== 'none') problems.push(`model.json: staticKeys.stem must be "porter2" or "none" (got ${JSON.stringify(b['stem'])})`);
  for (const w of ['wordWeight', 'identWeight', 'gramWeight']) {
    if (typeof b[w] !== 'number' || !Number.isFinite(b[w])) problems.push(`model.json: staticKeys.${w} must be a number`);
  }
  return problems;
}

const PART = /[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g;
const VOWEL = /[aeiou]/;
const MIN_PART = 2;
const MAX_PART = 30;

const stemCache = new Map<string, string>();

/** Porter2, except for words without a vowel a/e/i/o/u, which stay as they are (see features.py). */
export function stemWord(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = VOWEL.test(word) ? porter2(word) : word;
    if (stemCache.size < 200_000) stemCache.set(word, s);
  }
  return s;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`. */
export function fnv1a32(s: string): number {
  // Features are ASCII (identifier characters, lowercased): their UTF-8 bytes are their char
  // codes, read without making a Buffer for every feature of every segment.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return fnv1a32Utf8(s);
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

function fnv1a32Utf8(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}

/** Feature string → term frequency, in first-seen order (as the Python side's dict). */
export function rawFeatures(text: string, stemming = true): Map<string, number> {
  const tf = new Map<string, number>();
  const add = (f: string): void => { tf.set(f, (tf.get(f) ?? 0) + 1); };
  // Tokens: runs of [A-Za-z0-9_] (features.py's TOKEN), found without a regex match object each.
  const n = text.length;
  for (let at = 0; at < n;) {
    if (!isTokenChar(text.charCodeAt(at))) { at++; continue; }
    const start = at;
    while (at < n && isTokenChar(text.charCodeAt(at))) at++;
    const tok = text.slice(start, at);
    // Most tokens are one lowercase word or one number: PART would find the token itself.
    const parts = plainPart(tok) ? [tok] : Array.from(tok.matchAll(PART), (p) => p[0].toLowerCase());
    if (parts.length > 1) {
      const whole = tok.toLowerCase().replace(/^_+|_+$/g, '');
      if (whole.length >= MIN_PART && whole.length <= 2 * MAX_PART) add('i:' + whole);
    }
    for (const p of parts) {
      if (p.length < MIN_PART || p.length > MAX_PART) continue;
      add('w:' + (stemming ? stemWord(p) : p));
      const padded = '<' + p + '>';
      for (let i = 0; i + 3 <= padded.length; i++) add('g:' + padded.slice(i, i + 3));
    }
  }
  return tf;
}

/** Whether `c` (a UTF-16 code unit) is one of [A-Za-z0-9_]. */
function isTokenChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Whether PART matches `tok` ([A-Za-z0-9_]+) as one whole part: all a-z, or all 0-9. */
function plainPart(tok: string): boolean {
  const first = tok.charCodeAt(0);
  const lower = first >= 0x61 && first <= 0x7a;
  if (!lower && !(first >= 0x30 && first <= 0x39)) return false;
  for (let i = 1; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (lower ? c < 0x61 || c > 0x7a : c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** A loaded table: computes keys for segment texts and questions alike. */
export class StaticKeys {
  private constructor(
    readonly config: StaticKeysConfig,
    /** `buckets × dim`, dequantised. */
    private readonly table: Float32Array,
  ) {}

  /** Loads `config.file` from the model folder `dir`; errors say what the file should hold. */
  static async load(dir: string, config: StaticKeysConfig): Promise<StaticKeys> {
    const { buckets, dim, dtype } = config;
    const path = join(dir, config.file);
    const bytes = await readFile(path);
    const want = dtype === 'int8' ? buckets * dim + buckets * 4 : buckets * dim * 2;
    if (bytes.byteLength !== want) {
      throw new Error(`${path} has ${bytes.byteLength} bytes; a ${dtype} table of ${buckets} × ${dim}${dtype === 'int8' ? ' with float32 row scales' : ''} needs ${want}. Re-export it with models/mnemo/keys/export.py.`);
    }
    const table = new Float32Array(buckets * dim);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dtype === 'int8') {
      const q = new Int8Array(bytes.buffer, bytes.byteOffset, buckets * dim);
      for (let b = 0; b < buckets; b++) {
        const scale = view.getFloat32(buckets * dim + b * 4, true);
        for (let i = 0; i < dim; i++) table[b * dim + i] = q[b * dim + i]! * scale;
      }
    } else {
      for (let i = 0; i < buckets * dim; i++) table[i] = halfToFloat(view.getUint16(i * 2, true));
    }
    return new StaticKeys(config, table);
  }

  /** Bucket and weight of every distinct feature of `text`. */
  features(text: string): { buckets: number[]; weights: number[] } {
    const c = this.config;
    const mask = c.buckets - 1;
    const typeWeight: Record<string, number> = { w: c.wordWeight, i: c.identWeight, g: c.gramWeight };
    const buckets: number[] = [];
    const weights: number[] = [];
    for (const [f, n] of rawFeatures(text, c.stem === 'porter2')) {
      const w = typeWeight[f[0]!]! * (1 + Math.log(n));
      if (w === 0) continue;
      buckets.push(fnv1a32(f) & mask);
      weights.push(w);
    }
    return { buckets, weights };
  }

  /** The unit-length key `[dim]` of `text` (all zeros when the text has no features). */
  key(text: string): Float32Array {
    const D = this.config.dim;
    const out = new Float32Array(D);
    const table = this.table; // a local: the hot loop below is most of a segment's cost
    const { buckets, weights } = this.features(text);
    for (let f = 0; f < buckets.length; f++) {
      const o = buckets[f]! * D;
      const w = weights[f]!;
      for (let i = 0; i < D; i++) out[i] += w * table[o + i]!;
    }
    let norm = 0;
    for (let i = 0; i < D; i++) norm += out[i]! * out[i]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < D; i++) out[i]! /= norm;
    return out;
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
