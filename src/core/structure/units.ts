// Definition units: every function, method and class of a parsed source file as a retrieval unit
// of its own, beside the 128-token segments. A segment cuts functions apart and mixes
// neighbours; a code question ("what parses the header?") is answered by citing one function,
// so the function is indexed whole: its words in a BM25 index of units, its static key beside
// the segments' keys. retrieve.ts ranks units and segments together; a unit's hit cites the
// unit's own lines.
//
// What a unit holds:
// - a function or method: its lines (decorators and the doc comment above it included);
// - a class, interface, type or enum: its "own part", the lines not inside a nested definition
//   (header, docstring, fields); it cites its lines up to its first nested definition, so a
//   class never claims its methods' lines;
// - nothing for variables, modules, namespaces and headings (prose keeps its segments).
// A unit longer than MAX_UNIT_LINES holds and cites only its first MAX_UNIT_LINES lines: its
// signature and opening say what it does, and a citation of hundreds of lines is no answer.
import { LexicalIndex } from '../lexicalIndex';
import { quantizeKey } from '../memory';
import { languageOfPath } from './languages';
import type { Definition, DefinitionKind, FileStructure } from './types';

/** The snapshot section's name. */
export const UNITS_SECTION = 'units';

/**
 * Lines a unit holds and cites at most. On the dev code sets of eval:qa (312 questions, top-1
 * lines) caps of 40, 80 and 160 lines, and leaving longer definitions to their segments, were
 * within 4 questions of each other (lexical 68/71/72/72, fused 74/74/79/75); 80 keeps a citation
 * readable.
 */
export const MAX_UNIT_LINES = 80;

const UNIT_KINDS: ReadonlySet<DefinitionKind> = new Set(['function', 'method', 'class', 'interface', 'type', 'enum']);

export interface Unit {
  /** Lines the unit cites (1-based, inclusive). */
  readonly startLine: number;
  readonly endLine: number;
  readonly kind: DefinitionKind;
  readonly qualifiedName: string;
}

/** A unit and the text it is indexed by. */
export interface UnitText {
  readonly unit: Unit;
  readonly text: string;
}

/** The units of a parsed file, in the order of its definitions; `lines` is the file's text split at '\n'. */
export function definitionUnits(structure: Pick<FileStructure, 'definitions'>, lines: readonly string[]): UnitText[] {
  const defs = structure.definitions.filter((d) => d.kind !== 'heading');
  const out: UnitText[] = [];
  for (const d of defs) {
    if (!UNIT_KINDS.has(d.kind)) continue;
    const end = Math.min(d.endLine, lines.length);
    if (end < d.startLine) continue;
    const nested = defs.filter((c) => c !== d && c.startLine >= d.startLine && c.endLine <= d.endLine && (c.startLine > d.startLine || c.endLine < d.endLine));
    const own = ownLines(d, end, nested);
    const kept = own.slice(0, MAX_UNIT_LINES);
    if (kept.length === 0 || kept.every((n) => lines[n - 1]!.trim() === '')) continue;
    // Cited: from the start to the last kept line before the first nested definition.
    const firstNested = nested.reduce((m, c) => Math.min(m, c.startLine), Infinity);
    let citeEnd = Math.min(end, firstNested - 1, d.startLine + MAX_UNIT_LINES - 1);
    while (citeEnd > d.startLine && lines[citeEnd - 1]!.trim() === '') citeEnd--;
    out.push({
      unit: { startLine: d.startLine, endLine: Math.max(d.startLine, citeEnd), kind: d.kind, qualifiedName: d.qualifiedName },
      text: kept.map((n) => lines[n - 1]!).join('\n'),
    });
  }
  return out;
}

/** Line numbers of `d` (up to `end`) that no nested definition covers. */
function ownLines(d: Definition, end: number, nested: readonly Definition[]): number[] {
  const out: number[] = [];
  for (let n = d.startLine; n <= end; n++) if (!nested.some((c) => n >= c.startLine && n <= c.endLine)) out.push(n);
  return out;
}

interface FileUnits {
  readonly sha1: string;
  readonly units: readonly Unit[];
  /** int8 keys `[units, K]` (memory.ts quantizeKey), or empty when the model has no static keys. */
  readonly keys: Int8Array;
}

/** A unit found for a question: its file, its number in the file, its lines and score. */
export interface UnitHit {
  readonly path: string;
  readonly index: number;
  readonly unit: Unit;
  readonly score: number;
}

const MAGIC = 0x4d4e5544; // "MNUD"
/**
 * Bumped whenever definitionUnits or MAX_UNIT_LINES changes what a unit holds: saved units are
 * trusted while their file's sha1 matches, so units made by other rules must fail to load (and
 * are rebuilt from the files) rather than be kept.
 */
const FORMAT = 1;

/**
 * The units of every parsed file: their line table, a BM25 index of their texts (a LexicalIndex
 * whose "segments" are a file's units) and, with a static-key model, their keys.
 */
export class UnitIndex {
  private readonly files = new Map<string, FileUnits>();
  private lexical = LexicalIndex.empty();

  /** `keyDim`: width of a unit's key (the model's keyDim); keys are only stored with `set`'s keyOf. */
  constructor(readonly keyDim: number) {}

  get size(): number { return this.files.size; }
  get(path: string): FileUnits | undefined { return this.files.get(path); }
  entries(): IterableIterator<[string, FileUnits]> { return this.files.entries(); }

  /**
   * Replaces the units of `path` (from the file's version `sha1`); `keyOf` keys each unit's text.
   * A file without units is kept too (with none), so that it is not parsed again to find out.
   */
  set(path: string, sha1: string, units: readonly UnitText[], keyOf?: (text: string) => Float32Array): void {
    this.remove(path);
    const keys = new Int8Array(keyOf ? units.length * this.keyDim : 0);
    if (keyOf) units.forEach((u, i) => quantizeKey(keyOf(u.text), keys, i * this.keyDim));
    this.files.set(path, { sha1, units: units.map((u) => u.unit), keys });
    this.lexical.addSegments(path, sha1, 0, units.map((u) => u.text));
  }

  remove(path: string): void {
    if (this.files.delete(path)) this.lexical.removeFile(path);
  }

  /** Of `files` (path and sha1 of what memory holds), the source files whose units are absent or from another version. */
  missing(files: Iterable<{ path: string; sha1: string }>): string[] {
    const out: string[] = [];
    for (const f of files) if (this.files.get(f.path)?.sha1 !== f.sha1 && languageOfPath(f.path)) out.push(f.path);
    return out;
  }

  /** The best `k` units for `question` by BM25 (path words as a weaker field), best first. */
  query(question: string, k: number): UnitHit[] {
    return this.lexical.query(question, k).map((h) => ({ path: h.path, index: h.segment, unit: this.files.get(h.path)!.units[h.segment]!, score: h.score }));
  }

  /**
   * Layout: u32 magic, u32 format, u32 table bytes, the table (JSON: key width and, per file,
   * path, sha1, units as [start, end, kind, name] and whether it has keys), the keys of every
   * keyed file in table order (int8), padding to 4 bytes, then the BM25 index's own bytes.
   */
  serialize(): Uint8Array {
    const rows = [...this.files].map(([path, f]) => [path, f.sha1, f.units.map((u) => [u.startLine, u.endLine, u.kind, u.qualifiedName]), f.keys.length > 0 ? 1 : 0]);
    const table = new TextEncoder().encode(JSON.stringify({ keyDim: this.keyDim, files: rows }));
    const keyBytes = [...this.files.values()].reduce((n, f) => n + f.keys.length, 0);
    const lexical = this.lexical.serialize();
    const keysAt = 12 + table.length;
    const lexicalAt = align4(keysAt + keyBytes);
    const out = new Uint8Array(lexicalAt + lexical.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT, true);
    view.setUint32(8, table.length, true);
    out.set(table, 12);
    let at = keysAt;
    for (const f of this.files.values()) {
      out.set(new Uint8Array(f.keys.buffer, f.keys.byteOffset, f.keys.length), at);
      at += f.keys.length;
    }
    out.set(lexical, lexicalAt);
    return out;
  }

  /** Throws when the bytes are not units this code wrote for keys of width `keyDim`; the caller rebuilds them then. */
  static deserialize(bytes: Uint8Array, keyDim: number): UnitIndex {
    if (bytes.length < 12) throw new Error('units section is truncated');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new Error('units section is not a unit index');
    const format = view.getUint32(4, true);
    if (format !== FORMAT) throw new Error(`units format ${format}, expected ${FORMAT}`);
    const tableBytes = view.getUint32(8, true);
    if (12 + tableBytes > bytes.length) throw new Error('units section is truncated');
    const table = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + tableBytes))) as { keyDim?: unknown; files?: unknown };
    if (table.keyDim !== keyDim) throw new Error(`units are keyed with width ${String(table.keyDim)}, the model's keys with ${keyDim}`);
    if (!Array.isArray(table.files)) throw new Error('units table is incomplete');
    const index = new UnitIndex(keyDim);
    let at = 12 + tableBytes;
    for (const row of table.files as unknown[]) {
      if (!Array.isArray(row) || typeof row[0] !== 'string' || typeof row[1] !== 'string' || !Array.isArray(row[2]) || (row[3] !== 0 && row[3] !== 1)) {
        throw new Error('units table is malformed');
      }
      const [path, sha1, list, keyed] = row as [string, string, unknown[], 0 | 1];
      const units = list.map((u): Unit => {
        if (!Array.isArray(u) || !Number.isInteger(u[0]) || !Number.isInteger(u[1]) || u[0] < 1 || u[1] < u[0] || typeof u[2] !== 'string' || !UNIT_KINDS.has(u[2] as DefinitionKind) || typeof u[3] !== 'string') {
          throw new Error(`units of ${path} are malformed`);
        }
        return { startLine: u[0], endLine: u[1], kind: u[2] as DefinitionKind, qualifiedName: u[3] };
      });
      const n = keyed ? units.length * keyDim : 0;
      if (at + n > bytes.length) throw new Error('units section is truncated');
      const keys = new Int8Array(n);
      keys.set(new Int8Array(bytes.buffer, bytes.byteOffset + at, n));
      at += n;
      if (index.files.has(path)) throw new Error(`units name ${path} twice`);
      index.files.set(path, { sha1, units, keys });
    }
    index.lexical = LexicalIndex.deserialize(bytes.subarray(align4(at)));
    for (const [path, f] of index.files) {
      const s = index.lexical.fileState(path);
      if (!s || s.segments !== f.units.length || s.sha1 !== f.sha1) throw new Error(`units of ${path} do not match their word index`);
    }
    if (index.lexical.documentCount !== [...index.files.values()].reduce((n, f) => n + f.units.length, 0)) throw new Error('the units word index holds other files');
    return index;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
