// The lexical index over the whole memory: one document per stored segment (a file's segment i,
// lines startLines[i]..endLines[i]), built while reading, updated per file, saved as the
// "lexical" section of the memory snapshot. MiniSearch does the inverted index and the BM25
// ranking; analyze.ts decides what a term is.
//
// The index knows segments by (path, segment number) only; the engine keeps it in step with
// WorkspaceMemory (same files, same number of segments, same sha1) and rebuilds what is not.
import MiniSearch, { type Options } from 'minisearch';
import { pathText, pieceTerms, tokenize } from './analyze';

export interface LexicalHit {
  readonly path: string;
  readonly segment: number;
  /** BM25 score (MiniSearch's BM25+), higher is better; comparable within one query. */
  readonly score: number;
}

interface Doc {
  readonly id: number;
  readonly text: string;
  readonly path: string;
}

interface FileDocs {
  sha1: string;
  /** Document id of segment i. */
  readonly ids: number[];
}

/**
 * Weight of a match in the file's path against one in the segment's text. Below 1: every segment
 * of a file shares its path, so a path word must not outrank the segment that says it; it only
 * breaks ties towards the file the question names.
 */
export const PATH_BOOST = 0.5;

const FORMAT = 1;

const OPTIONS: Options<Doc> = {
  fields: ['text', 'path'],
  storeFields: [],
  tokenize,
  processTerm: pieceTerms,
  // Discarded segments are swept out in the background once there are many (a big catch-up).
  autoVacuum: { minDirtCount: 1000, minDirtFactor: 0.2, batchSize: 2000, batchWait: 5 },
  // Any question word may match; BM25 ranks. No prefix or fuzzy matching: identifiers are
  // split already, and fuzzy matches of short words flood a large index.
  searchOptions: { combineWith: 'OR', prefix: false, fuzzy: false, boost: { path: PATH_BOOST } },
};

function newSearch(): MiniSearch<Doc> {
  return new MiniSearch<Doc>(OPTIONS);
}

export class LexicalIndex {
  private search: MiniSearch<Doc>;
  private readonly files = new Map<string, FileDocs>();
  /** Owner of each live document id: [path, segment]. */
  private readonly owners = new Map<number, readonly [string, number]>();
  private nextId = 0;

  private constructor(search?: MiniSearch<Doc>) {
    this.search = search ?? newSearch();
  }

  static empty(): LexicalIndex {
    return new LexicalIndex();
  }

  get documentCount(): number { return this.owners.size; }
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
    }
    const words = pathText(path);
    const docs: Doc[] = [];
    for (let i = 0; i < texts.length; i++) {
      const id = this.nextId++;
      f.ids.push(id);
      this.owners.set(id, [path, from + i]);
      docs.push({ id, text: texts[i]!, path: words });
    }
    this.search.addAll(docs);
  }

  removeFile(path: string): void {
    const f = this.files.get(path);
    if (!f) return;
    for (const id of f.ids) {
      this.search.discard(id);
      this.owners.delete(id);
    }
    this.files.delete(path);
  }

  /** The best `k` segments for `query`, best first; empty when no term of it is indexed. */
  query(query: string, k: number): LexicalHit[] {
    const out: LexicalHit[] = [];
    for (const r of this.search.search(query)) {
      const owner = this.owners.get(r.id as number);
      if (!owner) continue;
      out.push({ path: owner[0], segment: owner[1], score: r.score });
      if (out.length >= k) break;
    }
    return out;
  }

  serialize(): Uint8Array {
    const files = [...this.files].map(([path, f]) => [path, f.sha1, f.ids] as const);
    const json = `{"format":${FORMAT},"nextId":${this.nextId},"files":${JSON.stringify(files)},"index":${JSON.stringify(this.search)}}`;
    return new TextEncoder().encode(json);
  }

  /** Throws when the bytes are not an index this code wrote; the caller rebuilds then. */
  static deserialize(bytes: Uint8Array): LexicalIndex {
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; nextId?: unknown; files?: unknown; index?: unknown };
    if (raw.format !== FORMAT) throw new Error(`lexical index format ${JSON.stringify(raw.format)}, expected ${FORMAT}`);
    if (typeof raw.nextId !== 'number' || !Array.isArray(raw.files) || typeof raw.index !== 'object' || raw.index === null) {
      throw new Error('lexical index section is incomplete');
    }
    const search = MiniSearch.loadJS<Doc>(raw.index as Parameters<typeof MiniSearch.loadJS>[0], OPTIONS);
    const index = new LexicalIndex(search);
    index.nextId = raw.nextId;
    let docs = 0;
    for (const row of raw.files as unknown[]) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string' || !Array.isArray(row[2])) {
        throw new Error('lexical index file table is malformed');
      }
      const [path, sha1, ids] = row as [string, string, number[]];
      if (index.files.has(path)) throw new Error(`lexical index names ${path} twice`);
      ids.forEach((id, segment) => {
        if (!Number.isInteger(id) || id < 0 || id >= index.nextId || index.owners.has(id)) throw new Error(`lexical index has a bad document id for ${path}`);
        index.owners.set(id, [path, segment]);
      });
      index.files.set(path, { sha1, ids: [...ids] });
      docs += ids.length;
    }
    if (docs !== search.documentCount) throw new Error(`lexical index lists ${docs} segments but holds ${search.documentCount}`);
    for (const id of index.owners.keys()) if (!search.has(id)) throw new Error(`lexical index lists segment ${id} but does not hold it`);
    return index;
  }
}

/** Text of each segment: lines startLines[i]..endLines[i] (1-based, inclusive) of `lines`. */
export function segmentTexts(lines: readonly string[], startLines: ArrayLike<number>, endLines: ArrayLike<number>, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(lines.slice(startLines[i]! - 1, endLines[i]!).join('\n'));
  return out;
}
