// The reading loop: every file is read from memory_init (or from where an earlier read left it)
// through its segments in order, its memory carried from segment to segment; several files
// share each reader call, one batch row per file in flight, and a row that finishes its file
// takes the next one.
import type { LoadedModel } from './model';
import { floatArrayToHalf, quantizeKey, type FileMemory, type WorkspaceMemory } from './memory';
import type { SegmentSource } from './tokenizer';

/** A file ready to read: its entry (fresh, or partly read before) and all its segments. */
export interface PreparedFile {
  readonly entry: FileMemory;
  /** Every segment of the file; reading starts at `entry.segmentsRead`. */
  readonly segments: SegmentSource;
  /**
   * The memory to start from, `[M, D]`: memory_init, where a cancelled read stopped, or the
   * saved tail memory of a file whose edit is at its end (resume.ts).
   */
  readonly memory: Float32Array;
}

export interface ReaderHooks {
  /** The next file to read, or undefined when there are no more. */
  next(): Promise<PreparedFile | undefined>;
  /** Called after every reader call with the real tokens it consumed. */
  onTokens(tokens: number, currentFile: string): void;
  onFileDone(entry: FileMemory): void;
  /**
   * Resolves when reading may go on (pause). `publish` puts the files in flight, as far as they
   * are read, into the memory: call it before saving a checkpoint.
   */
  gate(publish: () => void): Promise<void>;
  readonly signal?: AbortSignal;
}

const PUBLISH_MS = 5_000;

interface Row {
  file: PreparedFile;
  /** Next segment to read. */
  at: number;
  memory: Float32Array;
}

/**
 * Reads until `hooks.next()` runs dry or the signal aborts. Finished files, and on abort the
 * rows in flight (as partly read files), are put into `memory`. Returns whether it was cancelled
 * and how many files it left partly read.
 */
export async function readAll(model: LoadedModel, memory: WorkspaceMemory, hooks: ReaderHooks, batchSize: number): Promise<{ cancelled: boolean; partialFiles: number }> {
  const { segmentLength: S, memorySize: M, dModel: D, keyDim: K } = model.config;
  const MD = M * D;
  const rows: Row[] = [];
  let exhausted = false;

  const finish = (row: Row): void => {
    row.file.entry.segmentsRead = row.at;
    if (memory.get(row.file.entry.path) !== row.file.entry) memory.put(row.file.entry);
    memory.setMemory(row.file.entry, floatArrayToHalf(row.memory));
  };
  // Files in flight are published now and then, so that answers (and checkpoints) see the part
  // of a long file read so far; the row goes on filling the same entry.
  let published = performance.now();

  while (true) {
    while (!exhausted && rows.length < batchSize) {
      const file = await hooks.next();
      if (!file) { exhausted = true; break; }
      if (file.entry.segmentsRead >= file.segments.count) {
        // Nothing to read (an empty file, or one read to the end before): keep it as it is.
        if (file.segments.count > 0) finish({ file, at: file.segments.count, memory: file.memory });
        else memory.put(file.entry);
        hooks.onFileDone(file.entry);
        continue;
      }
      rows.push({ file, at: file.entry.segmentsRead, memory: file.memory });
    }
    if (rows.length === 0) return { cancelled: false, partialFiles: 0 };
    await hooks.gate(() => { for (const row of rows) if (row.at > 0) finish(row); });
    if (hooks.signal?.aborted) {
      let partialFiles = 0;
      for (const row of rows) if (row.at > 0) { finish(row); partialFiles++; }
      return { cancelled: true, partialFiles };
    }

    const B = rows.length;
    const ids = new BigInt64Array(B * S);
    const mask = new BigInt64Array(B * S);
    const mem = new Float32Array(B * MD);
    let tokens = 0;
    const segs = await Promise.all(rows.map((row) => row.file.segments.at(row.at)));
    for (let b = 0; b < B; b++) {
      const row = rows[b]!;
      const seg = segs[b]!;
      const e = row.file.entry;
      // The memory going into a resumable file's last segment: an edit at the file's end is
      // later read from here (resume.ts). Kept as carried, float32; row.memory is never mutated.
      if (e.prefixHash !== undefined && row.at === row.file.segments.count - 1) e.tailMemory = row.memory;
      fillInt64(ids, b * S, seg.ids);
      fillMask(mask, b * S, S, seg.length);
      mem.set(row.memory, b * MD);
      tokens += seg.length;
    }
    const out = await model.runtime.readSegments(ids, mask, mem);

    for (let b = B - 1; b >= 0; b--) {
      const row = rows[b]!;
      const seg = segs[b]!;
      const e = row.file.entry;
      // STATIC KEYS: a model with a staticKeys block keys the segment by its text (the graph's
      // key output is then unused); otherwise the reader graph's key is stored.
      const key = model.staticKeys
        ? model.staticKeys.key(model.tokenizer.segmentText(seg))
        : out.keys.subarray(b * K, (b + 1) * K);
      quantizeKey(key, e.keys, row.at * K);
      e.startLines[row.at] = seg.startLine;
      e.endLines[row.at] = seg.endLine;
      row.memory = out.memory.slice(b * MD, (b + 1) * MD);
      row.at++;
      if (row.at >= row.file.segments.count) {
        finish(row);
        hooks.onFileDone(e);
        rows.splice(b, 1);
      }
    }
    if (performance.now() - published > PUBLISH_MS) {
      for (const row of rows) if (row.at > 0) finish(row);
      published = performance.now();
    }
    hooks.onTokens(tokens, rows[0]?.file.entry.path ?? '');
  }
}

// The graph takes int64 ids. Converting each id with BigInt() cost about 2 µs a token, 2 s of a
// 1M-token read (a tenth of what the engine adds to the graph's time); writing the two 32-bit
// halves of each little-endian int64 directly stores the same bytes.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `out[at + i] = BigInt(ids[i])` for every i, bytes identical. */
export function fillInt64(out: BigInt64Array, at: number, ids: Int32Array): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < ids.length; i++) out[at + i] = BigInt(ids[i]!);
    return;
  }
  const words = new Int32Array(out.buffer, out.byteOffset + at * 8, ids.length * 2);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    words[2 * i] = id;
    words[2 * i + 1] = id >> 31; // the sign, extended
  }
}

/** `out[at + i] = i < length ? 1n : 0n` for i < n. */
export function fillMask(out: BigInt64Array, at: number, n: number, length: number): void {
  out.fill(1n, at, at + length);
  out.fill(0n, at + length, at + n);
}
