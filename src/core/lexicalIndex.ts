// The lexical index over the whole memory: one document per stored segment (a file's segment i,
// lines startLines[i]..endLines[i]), built while reading, updated per file, saved as the
// "lexical" section of the memory snapshot. analyze.ts decides what a term is; here is a compact
// inverted index (postings in typed arrays) ranked by Okapi BM25, with the file's path words as
// a second, weaker field. The same class also indexes definition units (structure/units.ts),
// whose "segments" are a file's units, in an index of their own.
//
// Why not a library: MiniSearch was built and measured first (bench/lexical.ts, see the commit
// that replaced it): at 10M tokens its object-per-posting maps took 2 GiB of heap, ~2 minutes to
// load on this machine and seconds per query. Postings in typed arrays load as views of the saved
// bytes and score a question in milliseconds.
//
// The index knows segments by (path, segment number) only; the engine keeps it in step with
// WorkspaceMemory (same files, same number of segments, same sha1) and rebuilds what is not.
import { analyze, pathText } from './analyze';

export interface LexicalHit {
  readonly path: string;
  readonly segment: number;
  /** BM25 score, higher is better; comparable within one query. */
  readonly score: number;
}

interface FileDocs {
  sha1: string;
  /** Document id of segment i. */
  readonly ids: number[];
}

/** A term's postings: document ids (ascending) and term frequencies, `n` used. */
interface Postings {
  ids: Uint32Array;
  tfs: Uint16Array;
  n: number;
}

/**
 * Weight of a match in the file's path against one in the segment's text. Below 1: every segment
 * of a file shares its path, so a path word must not outrank the segment that says it; it only
 * breaks ties towards the file the question names.
 */
export const PATH_BOOST = 0.5;
const K1 = 1.2;
const B = 0.75;
/** Postings are compacted when this share of documents is dead (removed files). */
const COMPACT_AT = 0.25;
/**
 * 3: a streamed file's words cut by a segment boundary are indexed whole. 4: a streamed file's
 * lines cut by a segment boundary are indexed whole in the later segment (unfinishedLine). An
 * index of an older format is refused and rebuilt from the files, once, as reading indexes them
 * (engine.ts indexTexts).
 */
const FORMAT = 4;
const MAGIC = 0x4d4e4c58; // "MNLX"

/** Term counts of a text: term → occurrences. */
function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of analyze(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

export class LexicalIndex {
  private readonly files = new Map<string, FileDocs>();
  /** Owner of each document id: [path, segment], undefined once removed. */
  private owners: ([string, number] | undefined)[] = [];
  /** Terms in each document (its length for BM25). */
  private lengths = new Uint32Array(1024);
  private readonly postings = new Map<string, Postings>();
  /** Path field: term → files whose path holds it. */
  private readonly pathTerms = new Map<string, Set<string>>();
  private alive = 0;
  private totalLength = 0;

  static empty(): LexicalIndex {
    return new LexicalIndex();
  }

  get documentCount(): number { return this.alive; }
  paths(): IterableIterator<string> { return this.files.keys(); }

  /** Segments of `path` indexed, and the content hash they came from. */
  fileState(path: string): { segments: number; sha1: string } | undefined {
    const f = this.files.get(path);
    return f ? { segments: f.ids.length, sha1: f.sha1 } : undefined;
  }

  /**
   * Adds segments `from .. from + texts.length - 1` of a file. A file indexed from another
   * version (other sha1), or with a gap before `from`, is dropped first and must start at 0.
   */
  addSegments(path: string, sha1: string, from: number, texts: readonly string[]): void {
    let f = this.files.get(path);
    if (f && (f.sha1 !== sha1 || f.ids.length !== from)) {
      this.removeFile(path);
      f = undefined;
    }
    if (!f) {
      if (from !== 0) throw new Error(`lexical index: ${path} must be indexed from its first segment, not ${from}`);
      f = { sha1, ids: [] };
      this.files.set(path, f);
      for (const t of new Set(analyze(pathText(path)))) {
        let s = this.pathTerms.get(t);
        if (!s) this.pathTerms.set(t, (s = new Set()));
        s.add(path);
      }
    }
    for (let i = 0; i < texts.length; i++) {
      const id = this.owners.length;
      this.owners.push([path, from + i]);
      f.ids.push(id);
      let length = 0;
      for (const [term, tf] of termCounts(texts[i]!)) {
        this.append(term, id, tf);
        length += tf;
      }
      if (id >= this.lengths.length) {
        const grown = new Uint32Array(this.lengths.length * 2);
        grown.set(this.lengths);
        this.lengths = grown;
      }
      this.lengths[id] = length;
      this.totalLength += length;
      this.alive++;
    }
  }

  private append(term: string, id: number, tf: number): void {
    let p = this.postings.get(term);
    if (!p) this.postings.set(term, (p = { ids: new Uint32Array(4), tfs: new Uint16Array(4), n: 0 }));
    if (p.n === p.ids.length) {
      // Also copies postings that are views of loaded bytes before the first write.
      const ids = new Uint32Array(Math.max(4, p.n * 2));
      const tfs = new Uint16Array(ids.length);
      ids.set(p.ids.subarray(0, p.n));
      tfs.set(p.tfs.subarray(0, p.n));
      p.ids = ids;
      p.tfs = tfs;
    }
    p.ids[p.n] = id;
    p.tfs[p.n] = Math.min(tf, 0xffff);
    p.n++;
  }

  removeFile(path: string): void {
    const f = this.files.get(path);
    if (!f) return;
    for (const id of f.ids) {
      this.owners[id] = undefined;
      this.totalLength -= this.lengths[id]!;
      this.alive--;
    }
    this.files.delete(path);
    for (const t of new Set(analyze(pathText(path)))) {
      const s = this.pathTerms.get(t);
      s?.delete(path);
      if (s?.size === 0) this.pathTerms.delete(t);
    }
    if (this.owners.length - this.alive > COMPACT_AT * this.owners.length && this.owners.length > 1024) this.compact();
  }

  /** Renumbers the live documents densely and drops dead postings. */
  private compact(): void {
    const map = new Int32Array(this.owners.length).fill(-1);
    const owners: ([string, number] | undefined)[] = [];
    const lengths = new Uint32Array(Math.max(1024, this.alive));
    for (let id = 0; id < this.owners.length; id++) {
      const o = this.owners[id];
      if (!o) continue;
      map[id] = owners.length;
      lengths[owners.length] = this.lengths[id]!;
      owners.push(o);
    }
    for (const [term, p] of this.postings) {
      let n = 0;
      const ids = new Uint32Array(p.n);
      const tfs = new Uint16Array(p.n);
      for (let i = 0; i < p.n; i++) {
        const to = map[p.ids[i]!]!;
        if (to < 0) continue;
        ids[n] = to;
        tfs[n] = p.tfs[i]!;
        n++;
      }
      if (n === 0) this.postings.delete(term);
      else this.postings.set(term, { ids, tfs, n });
    }
    for (const f of this.files.values()) for (let i = 0; i < f.ids.length; i++) f.ids[i] = map[f.ids[i]!]!;
    this.owners = owners;
    this.lengths = lengths;
  }

  /** The best `k` segments for `query`, best first; empty when no term of it is indexed. */
  query(query: string, k: number): LexicalHit[] {
    const N = this.alive;
    if (N === 0 || k <= 0) return [];
    const avg = this.totalLength / N;
    const scores = new Float32Array(this.owners.length);
    const touched: number[] = [];
    const add = (id: number, s: number): void => {
      if (scores[id] === 0) touched.push(id);
      scores[id]! += s;
    };
    const terms = [...new Set(analyze(query))];
    // Dead documents (files removed since the last compaction) are skipped; without any, no check.
    const clean = N === this.owners.length;
    for (const term of terms) {
      const p = this.postings.get(term);
      if (!p) continue;
      let df = p.n;
      if (!clean) { df = 0; for (let i = 0; i < p.n; i++) if (this.owners[p.ids[i]!]) df++; }
      if (df === 0) continue;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      for (let i = 0; i < p.n; i++) {
        const id = p.ids[i]!;
        if (!clean && !this.owners[id]) continue;
        const tf = p.tfs[i]!;
        add(id, (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[id]!) / avg)));
      }
    }
    // The path field: a question word in a file's path lifts every segment of that file a little.
    const fileCount = this.files.size;
    for (const term of terms) {
      const holders = this.pathTerms.get(term);
      if (!holders) continue;
      const idf = Math.log(1 + (fileCount - holders.size + 0.5) / (holders.size + 0.5));
      for (const path of holders) for (const id of this.files.get(path)!.ids) add(id, PATH_BOOST * idf);
    }
    // Best first; equal scores by path, then segment, so that the order does not depend on the
    // order files entered the index (which follows the order a read finished them).
    const owners = this.owners;
    const order = (a: number, b: number): number => {
      if (scores[a] !== scores[b]) return scores[b]! - scores[a]!;
      const [pa, sa] = owners[a]!;
      const [pb, sb] = owners[b]!;
      return pa < pb ? -1 : pa > pb ? 1 : sa - sb;
    };
    // Top k of the touched documents: a bounded selection, not a sort of all of them.
    const top = touched.length <= k ? touched : selectTop(touched, order, k);
    return top
      .sort(order)
      .map((id) => ({ path: this.owners[id]![0], segment: this.owners[id]![1], score: scores[id]! }));
  }

  /**
   * Layout: u32 magic, u32 format, u32 header bytes, header JSON (files with their document ids,
   * terms with posting counts, document count), then per term its ids (u32) and, after all of
   * them, its tfs (u16); then the document lengths (u32). Dead documents are compacted away first.
   */
  serialize(): Uint8Array {
    if (this.alive < this.owners.length) this.compact();
    const terms = [...this.postings.keys()];
    const counts = terms.map((t) => this.postings.get(t)!.n);
    const total = counts.reduce((a, b) => a + b, 0);
    const header = new TextEncoder().encode(JSON.stringify({
      docs: this.owners.length, files: [...this.files].map(([path, f]) => [path, f.sha1, f.ids]), terms, counts,
    }));
    const headEnd = align4(12 + header.length);
    const idsEnd = headEnd + total * 4;
    const tfsEnd = align4(idsEnd + total * 2);
    const out = new Uint8Array(tfsEnd + this.owners.length * 4);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT, true);
    view.setUint32(8, header.length, true);
    out.set(header, 12);
    const ids = new Uint32Array(out.buffer, headEnd, total);
    const tfs = new Uint16Array(out.buffer, idsEnd, total);
    let at = 0;
    for (const t of terms) {
      const p = this.postings.get(t)!;
      ids.set(p.ids.subarray(0, p.n), at);
      tfs.set(p.tfs.subarray(0, p.n), at);
      at += p.n;
    }
    new Uint32Array(out.buffer, tfsEnd, this.owners.length).set(this.lengths.subarray(0, this.owners.length));
    return out;
  }

  /** Throws when the bytes are not an index this code wrote, or do not hang together; the caller rebuilds then. */
  static deserialize(bytes: Uint8Array): LexicalIndex {
    // Own, aligned copy: the postings become views of it.
    const buf = new Uint8Array(bytes.length);
    buf.set(bytes);
    if (buf.length < 12) throw new Error('lexical index section is truncated');
    const view = new DataView(buf.buffer);
    if (view.getUint32(0, true) !== MAGIC) throw new Error('lexical index section is not an index');
    const format = view.getUint32(4, true);
    if (format !== FORMAT) throw new Error(`lexical index format ${format}, expected ${FORMAT}`);
    const headerBytes = view.getUint32(8, true);
    if (12 + headerBytes > buf.length) throw new Error('lexical index section is truncated');
    const h = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + headerBytes))) as { docs?: unknown; files?: unknown; terms?: unknown; counts?: unknown };
    if (typeof h.docs !== 'number' || !Array.isArray(h.files) || !Array.isArray(h.terms) || !Array.isArray(h.counts) || h.terms.length !== h.counts.length) {
      throw new Error('lexical index header is incomplete');
    }
    const docs = h.docs;
    const counts = h.counts as number[];
    const total = counts.reduce((a, b) => a + (Number.isInteger(b) && b > 0 ? b : NaN), 0);
    const headEnd = align4(12 + headerBytes);
    const idsEnd = headEnd + total * 4;
    const tfsEnd = align4(idsEnd + total * 2);
    if (!Number.isInteger(total) || !Number.isInteger(docs) || docs < 0 || buf.length !== tfsEnd + docs * 4) {
      throw new Error(`lexical index section holds ${buf.length} bytes, not what its header describes`);
    }
    const index = new LexicalIndex();
    index.owners = new Array(docs).fill(undefined);
    for (const row of h.files as unknown[]) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string' || !Array.isArray(row[2])) {
        throw new Error('lexical index file table is malformed');
      }
      const [path, sha1, ids] = row as [string, string, number[]];
      if (index.files.has(path)) throw new Error(`lexical index names ${path} twice`);
      ids.forEach((id, segment) => {
        if (!Number.isInteger(id) || id < 0 || id >= docs || index.owners[id]) throw new Error(`lexical index has a bad document id for ${path}`);
        index.owners[id] = [path, segment];
      });
      index.files.set(path, { sha1, ids: [...ids] });
      for (const t of new Set(analyze(pathText(path)))) {
        let s = index.pathTerms.get(t);
        if (!s) index.pathTerms.set(t, (s = new Set()));
        s.add(path);
      }
      index.alive += ids.length;
    }
    if (index.alive !== docs) throw new Error(`lexical index lists ${index.alive} segments but holds ${docs}`);
    const ids = new Uint32Array(buf.buffer, headEnd, total);
    const tfs = new Uint16Array(buf.buffer, idsEnd, total);
    let at = 0;
    (h.terms as unknown[]).forEach((term, i) => {
      if (typeof term !== 'string' || index.postings.has(term)) throw new Error('lexical index term list is malformed');
      const n = counts[i]!;
      const p = { ids: ids.subarray(at, at + n), tfs: tfs.subarray(at, at + n), n };
      for (let j = 0; j < n; j++) if (p.ids[j]! >= docs || (j > 0 && p.ids[j]! <= p.ids[j - 1]!)) throw new Error(`lexical index postings of "${term}" are out of order`);
      index.postings.set(term, p);
      at += n;
    });
    index.lengths = new Uint32Array(Math.max(1024, docs));
    index.lengths.set(new Uint32Array(buf.buffer, tfsEnd, docs));
    for (let id = 0; id < docs; id++) index.totalLength += index.lengths[id]!;
    return index;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The `k` ids of highest score (in no order), by a min-heap over the candidates. */
function selectTop(ids: readonly number[], order: (a: number, b: number) => number, k: number): number[] {
  const heap: number[] = [];
  // The heap's root is the worst kept: a ranks after b.
  const less = (a: number, b: number): boolean => order(a, b) > 0;
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (const id of ids) {
    if (heap.length < k) {
      heap.push(id);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!less(heap[i]!, heap[p]!)) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    } else if (less(heap[0]!, id)) {
      heap[0] = id;
      down(0);
    }
  }
  return heap;
}

/** Longest unfinished line carried from one streamed segment into the next, in characters. */
const MAX_CARRY = 1024;

/**
 * What a streamed segment's indexed text passes on to the next segment's: the line it leaves
 * unfinished, from its last line break (with what it was given, `carried`, when it has none), so
 * that the next segment is indexed with that line whole, as a whole file's segments are (their
 * whole lines). At most MAX_CARRY characters, starting at a word.
 */
export function unfinishedLine(carried: string, text: string): string {
  const nl = text.lastIndexOf('\n');
  const tail = nl >= 0 ? text.slice(nl + 1) : carried + text;
  if (tail.length <= MAX_CARRY) return tail;
  const cut = tail.slice(-MAX_CARRY);
  const space = cut.search(/\s/u);
  return space >= 0 ? cut.slice(space + 1) : cut;
}

/**
 * The indexed text of a streamed file's segments, given one at a time: each segment's decoded
 * text, after the start of the line that the segment before left unfinished (unfinishedLine).
 * Decoded ids end anywhere, inside a word ("Violet" | "ta") or between two words of one line ("In
 * the ledger the wool" | " cloak is priced at 58187 silver coins."): without the carry a word was
 * missing from the index, and a line's words were never found together. The reader and a rebuilt
 * index both call it, so that an index rebuilt from the file equals the one built while reading
 * it. Only segments given in order carry a line: a segment after a gap starts clean.
 */
export function streamedIndexText(): (index: number, text: string) => string {
  let cut = '';
  let expected = -1;
  return (index, text) => {
    const carried = index === expected ? cut : '';
    cut = unfinishedLine(carried, text);
    expected = index + 1;
    return carried + text;
  };
}

/**
 * A line longer than this makes a file loaded whole indexed as a streamed one is (its segments'
 * decoded text, streamedIndexText) rather than by its segments' whole lines: a prose file written
 * as one line (a 900 KB book) made every segment that line, so the index analysed the whole book
 * once a segment (168 s to read it, against 7.5 s with its line breaks; 62 MB of memory on disk
 * against 1 MB).
 */
export const LONG_LINE_CHARS = 16_384;

/** Whether a file of these lines is indexed by its segments' decoded text (LONG_LINE_CHARS). */
export function indexedByTokens(lines: readonly string[]): boolean {
  return lines.some((l) => l.length > LONG_LINE_CHARS);
}

/** Text of each segment: lines startLines[i]..endLines[i] (1-based, inclusive) of `lines`. */
export function segmentTexts(lines: readonly string[], startLines: ArrayLike<number>, endLines: ArrayLike<number>, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(lines.slice(startLines[i]! - 1, endLines[i]!).join('\n'));
  return out;
}
