// What the reader leaves behind for one workspace: per segment a quantised retrieval key and
// its line range, per file its identity and final memory (and, for a long file, the memory
// before its last segment, so an edit at its end is caught up without reading it all again),
// and the workspace memory kept as a running sum of file memories so that adding, changing or
// dropping one file is cheap. Serialises to the named sections store.ts writes.

import { unsafeRelativePath } from './workspacePath';

/** One file's share of the memory. */
export interface FileMemory {
  readonly path: string;
  size: number;
  mtimeMs: number;
  sha1: string;
  /** Tokens in the whole file (also those not read yet). */
  tokens: number;
  /** Segments read so far; `keys`, `startLines` and `endLines` hold this many. */
  segmentsRead: number;
  /** Segments in the whole file. */
  segmentsTotal: number;
  /** int8 keys `[segmentsRead, K]`, scale 1/127 (keys are L2-normalised). */
  keys: Int8Array;
  startLines: Uint32Array;
  endLines: Uint32Array;
  /** The reader's memory after the last segment read, fp16 `[M, D]`; undefined before any. */
  memory: Uint16Array | undefined;
  /**
   * Hash of the token ids and line ranges of every segment but the last (resume.ts). Set by the
   * engine on the files it can resume after an edit at their end; the reader then records
   * `tailMemory` for them.
   */
  prefixHash?: string;
  /**
   * The reader's memory just before the last segment, float32 `[M, D]`: exactly what the reader
   * carried, not rounded to fp16, so that resuming there gives the bits a full read gives.
   */
  tailMemory?: Float32Array;
}

export interface MemoryShape {
  readonly segmentLength: number;
  readonly memorySize: number;
  readonly dModel: number;
  readonly keyDim: number;
}

export const KEY_SCALE = 127;

/** Section of the tail memories, float32 `[files with a tail, M, D]` in file-list order. */
const TAILS_SECTION = 'tails';

/** Whether `f` is saved with what resuming it needs: read to the end, with a tail and its hash. */
function hasTail(f: FileMemory): boolean {
  return f.tailMemory !== undefined && f.prefixHash !== undefined && f.segmentsRead >= f.segmentsTotal && f.segmentsTotal >= 2;
}

/** Tokens of `f` read so far: every segment but a file's last is full. */
export function tokensRead(f: FileMemory, segmentLength: number): number {
  return f.segmentsRead >= f.segmentsTotal ? f.tokens : f.segmentsRead * segmentLength;
}

export class WorkspaceMemory {
  private readonly files = new Map<string, FileMemory>();
  /** Sum of the float32 values of every file memory held (`files` with `memory`). */
  private readonly sum: Float64Array;
  private counted = 0;

  constructor(readonly shape: MemoryShape) {
    this.sum = new Float64Array(shape.memorySize * shape.dModel);
  }

  get fileCount(): number { return this.files.size; }
  get(path: string): FileMemory | undefined { return this.files.get(path); }
  entries(): IterableIterator<FileMemory> { return this.files.values(); }
  paths(): string[] { return [...this.files.keys()]; }

  /** Tokens read so far, over every file. */
  get tokensRead(): number {
    let n = 0;
    for (const f of this.files.values()) n += tokensRead(f, this.shape.segmentLength);
    return n;
  }

  /** Tokens in every file known, read or not. */
  get tokensKnown(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.tokens;
    return n;
  }

  get segmentCount(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.segmentsRead;
    return n;
  }

  /** Adds or replaces a file entry, keeping the memory sum in step. */
  put(entry: FileMemory): void {
    this.remove(entry.path);
    this.files.set(entry.path, entry);
    if (entry.memory) this.addToSum(entry.memory, 1);
  }

  remove(path: string): boolean {
    const old = this.files.get(path);
    if (!old) return false;
    if (old.memory) this.addToSum(old.memory, -1);
    this.files.delete(path);
    return true;
  }

  /** Replaces a file's memory (e.g. after more segments were read). */
  setMemory(entry: FileMemory, memory: Uint16Array): void {
    if (entry.memory) this.addToSum(entry.memory, -1);
    entry.memory = memory;
    this.addToSum(memory, 1);
  }

  private addToSum(memory: Uint16Array, sign: 1 | -1): void {
    for (let i = 0; i < memory.length; i++) this.sum[i]! += sign * halfToFloat(memory[i]!);
    this.counted += sign;
    if (this.counted === 0) this.sum.fill(0); // no drift once empty
  }

  /** Mean of the file memories, `[M, D]`, or undefined when nothing is read. */
  workspaceMemory(): Float32Array | undefined {
    if (this.counted <= 0) return undefined;
    const out = new Float32Array(this.sum.length);
    for (let i = 0; i < out.length; i++) out[i] = this.sum[i]! / this.counted;
    return out;
  }

  /** Mean of the memories of files under `folder` ('' = all). */
  folderMemory(folder: string): Float32Array | undefined {
    const prefix = folder === '' || folder === '.' ? '' : folder.replace(/\/+$/, '') + '/';
    const out = new Float32Array(this.sum.length);
    let n = 0;
    for (const f of this.files.values()) {
      if (!f.memory || !f.path.startsWith(prefix)) continue;
      for (let i = 0; i < out.length; i++) out[i]! += halfToFloat(f.memory[i]!);
      n++;
    }
    if (n === 0) return undefined;
    for (let i = 0; i < out.length; i++) out[i]! /= n;
    return out;
  }

  fileMemory(path: string): Float32Array | undefined {
    const m = this.files.get(path)?.memory;
    return m ? halfArrayToFloat(m) : undefined;
  }

  /** Sections and meta for store.ts. */
  serialize(): { sections: Record<string, Uint8Array>; meta: Record<string, unknown> } {
    const { keyDim: K, memorySize: M, dModel: D } = this.shape;
    const list = [...this.files.values()];
    const segments = list.reduce((n, f) => n + f.segmentsRead, 0);
    const withMemory = list.filter((f) => f.memory).length;
    const resumable = list.filter(hasTail);
    const keys = new Int8Array(segments * K);
    const lines = new Uint32Array(segments * 2);
    const memories = new Uint16Array(withMemory * M * D);
    const tails = new Float32Array(resumable.length * M * D);
    resumable.forEach((f, i) => tails.set(f.tailMemory!, i * M * D));
    let s = 0;
    let m = 0;
    for (const f of list) {
      keys.set(f.keys.subarray(0, f.segmentsRead * K), s * K);
      for (let i = 0; i < f.segmentsRead; i++) {
        lines[(s + i) * 2] = f.startLines[i]!;
        lines[(s + i) * 2 + 1] = f.endLines[i]!;
      }
      s += f.segmentsRead;
      if (f.memory) memories.set(f.memory, (m++) * M * D);
    }
    const table = list.map((f) => ({
      path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha1: f.sha1, tokens: f.tokens,
      segmentsRead: f.segmentsRead, segmentsTotal: f.segmentsTotal, memory: f.memory !== undefined,
      ...(hasTail(f) ? { tail: true, prefixHash: f.prefixHash } : {}),
    }));
    return {
      sections: {
        files: new TextEncoder().encode(JSON.stringify(table)),
        keys: new Uint8Array(keys.buffer),
        segments: new Uint8Array(lines.buffer),
        memories: new Uint8Array(memories.buffer),
        // Added after the first snapshots: a snapshot without it loads, with nothing to resume.
        [TAILS_SECTION]: new Uint8Array(tails.buffer),
      },
      meta: { keyDim: K, memorySize: M, dModel: D, files: list.length, segments },
    };
  }

  /** Rebuilds from sections; throws with a reason if they do not fit together. */
  static deserialize(shape: MemoryShape, sections: Record<string, Uint8Array>): WorkspaceMemory {
    const { keyDim: K, memorySize: M, dModel: D } = shape;
    const need = (name: string): Uint8Array => {
      const s = sections[name];
      if (!s) throw new Error(`section "${name}" is missing`);
      return s;
    };
    type Row = Omit<FileMemory, 'keys' | 'startLines' | 'endLines' | 'memory' | 'tailMemory'> & { memory: boolean; tail?: boolean };
    const table = JSON.parse(new TextDecoder().decode(need('files'))) as Row[];
    const keys = aligned(need('keys'), Int8Array);
    const lines = aligned(need('segments'), Uint32Array);
    const memories = aligned(need('memories'), Uint16Array);
    const segments = table.reduce((n, f) => n + f.segmentsRead, 0);
    const withMemory = table.filter((f) => f.memory).length;
    // Snapshots written before tails were kept have neither the section nor `tail` in any row.
    const withTail = table.filter((f) => f.tail === true).length;
    const tails = withTail > 0 ? aligned(need(TAILS_SECTION), Float32Array) : new Float32Array(0);
    if (keys.length !== segments * K) throw new Error(`keys hold ${keys.length} bytes, expected ${segments * K}`);
    if (lines.length !== segments * 2) throw new Error(`segment table holds ${lines.length / 2} rows, expected ${segments}`);
    if (memories.length !== withMemory * M * D) throw new Error(`memories hold ${memories.length} values, expected ${withMemory * M * D}`);
    if (tails.length !== withTail * M * D) throw new Error(`tail memories hold ${tails.length} values, expected ${withTail * M * D}`);
    const seen = new Set<string>();
    for (const row of table) {
      const why = unsafeRelativePath(row.path);
      if (why) throw new Error(`its file list names ${JSON.stringify(String(row.path)).slice(0, 200)}, which is not a path inside the workspace (${why})`);
      if (seen.has(row.path)) throw new Error(`its file list names ${row.path} twice`);
      seen.add(row.path);
      if (row.tail === true && (typeof row.prefixHash !== 'string' || row.segmentsRead < 2 || row.segmentsRead !== row.segmentsTotal)) {
        throw new Error(`its file list keeps a tail memory for ${row.path} without a prefix hash or a whole read of at least two segments`);
      }
    }
    const ws = new WorkspaceMemory(shape);
    let s = 0;
    let m = 0;
    let t = 0;
    for (const row of table) {
      const n = row.segmentsRead;
      const startLines = new Uint32Array(n);
      const endLines = new Uint32Array(n);
      for (let i = 0; i < n; i++) { startLines[i] = lines[(s + i) * 2]!; endLines[i] = lines[(s + i) * 2 + 1]!; }
      ws.put({
        path: row.path, size: row.size, mtimeMs: row.mtimeMs, sha1: row.sha1, tokens: row.tokens,
        segmentsRead: n, segmentsTotal: row.segmentsTotal,
        keys: keys.slice(s * K, (s + n) * K), startLines, endLines,
        memory: row.memory ? memories.slice(m * M * D, (++m) * M * D) : undefined,
        ...(row.tail === true ? { prefixHash: row.prefixHash, tailMemory: tails.slice(t * M * D, (++t) * M * D) } : {}),
      });
      s += n;
    }
    return ws;
  }
}

function aligned<T extends Int8Array | Uint16Array | Uint32Array | Float32Array>(bytes: Uint8Array, ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  const copy = new ArrayBuffer(bytes.byteLength - (bytes.byteLength % ctor.BYTES_PER_ELEMENT));
  new Uint8Array(copy).set(bytes.subarray(0, copy.byteLength));
  return new ctor(copy);
}

/** Quantises L2-normalised float keys to int8. */
export function quantizeKey(key: Float32Array, out: Int8Array, offset: number): void {
  for (let i = 0; i < key.length; i++) {
    const v = Math.round(key[i]! * KEY_SCALE);
    out[offset + i] = v > 127 ? 127 : v < -127 ? -127 : v;
  }
}

// IEEE 754 half precision, round to nearest even; Node 20 has no Float16Array.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return half;
}

const HALF_TABLE = (() => {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) t[h] = mant ? NaN : sign * Infinity;
    else t[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return t;
})();

export function halfToFloat(h: number): number {
  return HALF_TABLE[h]!;
}

export function floatArrayToHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]!);
  return out;
}

export function halfArrayToFloat(values: Uint16Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = HALF_TABLE[values[i]!]!;
  return out;
}
