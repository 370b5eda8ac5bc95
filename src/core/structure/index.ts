// The structure of every file read, kept per file beside the memory and saved with it as one
// snapshot section ("structure"). The engine calls `update` with each file's text as it reads
// it, `remove` when a file goes, and `missing` to find files whose structure must catch up
// (a snapshot saved before this section existed, or one whose section was damaged).
import { gunzipSync, gzipSync } from 'node:zlib';
import { unsafeRelativePath } from '../workspacePath';
import { codeStructure } from './code';
import { languageOfPath } from './languages';
import { proseFormatOfPath, proseStructure } from './prose';
import type { Definition, DefinitionKind, DocText, FileStructure } from './types';

/** The snapshot section's name. */
export const STRUCTURE_SECTION = 'structure';
const FORMAT = 1;

/** The structure of a file's text: parsed code, headings of prose, or undefined when neither applies. */
export async function structureOf(path: string, text: string): Promise<FileStructure | undefined> {
  const language = languageOfPath(path);
  if (language) return codeStructure(language, text);
  const prose = proseFormatOfPath(path);
  return prose ? proseStructure(prose, text) : undefined;
}

export interface IndexedFile extends FileStructure {
  readonly path: string;
  /** sha1 of the bytes it was computed from (the memory's FileMemory.sha1). */
  readonly sha1: string;
}

export interface DefinitionRef {
  readonly path: string;
  readonly definition: Definition;
}

export interface NameUse {
  readonly path: string;
  readonly count: number;
  readonly firstLine: number;
}

export class StructureIndex {
  private readonly files = new Map<string, IndexedFile>();
  private byName: Map<string, DefinitionRef[]> | undefined;
  private users: Map<string, NameUse[]> | undefined;
  /** Bumped on every change, so rankings computed from an older state are recomputed. */
  private generation = 0;

  get size(): number { return this.files.size; }
  get version(): number { return this.generation; }
  get(path: string): IndexedFile | undefined { return this.files.get(path); }
  entries(): IterableIterator<IndexedFile> { return this.files.values(); }

  /** Computes and keeps the structure of `path` from its text; a file with none is dropped. */
  async update(path: string, text: string, sha1: string): Promise<void> {
    const structure = await structureOf(path, text);
    if (structure) this.put({ ...structure, path, sha1 });
    else this.remove(path);
  }

  put(file: IndexedFile): void {
    this.files.set(file.path, file);
    this.changed();
  }

  remove(path: string): void {
    if (this.files.delete(path)) this.changed();
  }

  /** Of `files` (path and sha1 of what memory holds), those whose structure is absent or stale and could exist. */
  missing(files: Iterable<{ path: string; sha1: string }>): string[] {
    const out: string[] = [];
    for (const f of files) {
      if (this.files.get(f.path)?.sha1 === f.sha1) continue;
      if (languageOfPath(f.path) || proseFormatOfPath(f.path)) out.push(f.path);
    }
    return out;
  }

  private changed(): void {
    this.generation++;
    this.byName = undefined;
    this.users = undefined;
  }

  /** The files that use `name`, with how often and their first use, most uses first. */
  usesOf(name: string): readonly NameUse[] {
    if (!this.users) {
      const map = new Map<string, NameUse[]>();
      for (const file of this.files.values()) {
        const { names, counts, firstLines } = file.references;
        for (let i = 0; i < names.length; i++) {
          const use: NameUse = { path: file.path, count: counts[i]!, firstLine: firstLines[i]! };
          const list = map.get(names[i]!);
          if (list) list.push(use);
          else map.set(names[i]!, [use]);
        }
      }
      for (const list of map.values()) list.sort((a, b) => b.count - a.count);
      this.users = map;
    }
    return this.users.get(name) ?? [];
  }

  /** Every definition named `name` (case-sensitive), across the workspace. */
  definitionsNamed(name: string): readonly DefinitionRef[] {
    if (!this.byName) {
      const map = new Map<string, DefinitionRef[]>();
      for (const file of this.files.values()) {
        for (const definition of file.definitions) {
          if (definition.kind === 'heading') continue;
          const list = map.get(definition.name);
          if (list) list.push({ path: file.path, definition });
          else map.set(definition.name, [{ path: file.path, definition }]);
        }
      }
      this.byName = map;
    }
    return this.byName.get(name) ?? [];
  }

  serialize(): Uint8Array {
    const rows = [...this.files.values()].map((f) => [
      f.path, f.sha1, f.language, f.lines, docRow(f.doc),
      f.definitions.map((d) => [d.kind, d.name, d.qualifiedName, d.startLine, d.endLine, d.signature, d.signatureLine, docRow(d.doc), d.level ?? 0]),
      f.references.names, f.references.counts, f.references.firstLines,
    ]);
    return gzipSync(Buffer.from(JSON.stringify({ format: FORMAT, files: rows })), { level: 6 });
  }

  /** Rebuilds from a saved section; throws with a reason when it is damaged or from another format. */
  static deserialize(bytes: Uint8Array): StructureIndex {
    let value: unknown;
    try {
      value = JSON.parse(gunzipSync(bytes).toString('utf8'));
    } catch (e) {
      throw new Error(`the structure section cannot be read (${(e as Error).message})`);
    }
    const root = value as { format?: unknown; files?: unknown };
    if (typeof root !== 'object' || root === null || root.format !== FORMAT || !Array.isArray(root.files)) {
      throw new Error(`the structure section is not format ${FORMAT}`);
    }
    const index = new StructureIndex();
    for (const row of root.files as unknown[]) {
      const file = readFileRow(row);
      if (index.files.has(file.path)) throw new Error(`the structure section names ${file.path} twice`);
      index.files.set(file.path, file);
    }
    return index;
  }
}

type DocRow = [string, number, number] | 0;

function docRow(doc: DocText | undefined): DocRow {
  return doc ? [doc.text, doc.startLine, doc.endLine] : 0;
}

const KINDS = new Set<DefinitionKind>(['class', 'function', 'method', 'interface', 'type', 'enum', 'variable', 'module', 'heading']);

function fail(what: string): never {
  throw new Error(`the structure section is damaged: ${what}`);
}

function str(v: unknown, what: string): string {
  return typeof v === 'string' ? v : fail(`${what} is not text`);
}

function line(v: unknown, what: string, lines: number): number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= lines + 1 ? (v as number) : fail(`${what} is not a line of the file`);
}

function readDoc(v: unknown, what: string, lines: number): DocText | undefined {
  if (v === 0) return undefined;
  if (!Array.isArray(v) || v.length !== 3) fail(`${what} is not a doc row`);
  const startLine = line(v[1], what, lines);
  const endLine = line(v[2], what, lines);
  if (endLine < startLine) fail(`${what} ends before it starts`);
  return { text: str(v[0], what), startLine, endLine };
}

function readFileRow(row: unknown): IndexedFile {
  if (!Array.isArray(row) || row.length !== 9) fail('a file row has the wrong shape');
  const path = str(row[0], 'a path');
  const why = unsafeRelativePath(path);
  if (why) fail(`${JSON.stringify(path).slice(0, 200)} is not a path inside the workspace (${why})`);
  const lines = row[3];
  if (!Number.isInteger(lines) || lines < 0) fail(`${path}: line count`);
  const definitions: Definition[] = (Array.isArray(row[5]) ? row[5] : fail(`${path}: definitions`)).map((d: unknown, i: number) => {
    if (!Array.isArray(d) || d.length !== 9) fail(`${path}: definition ${i} has the wrong shape`);
    const kind = d[0] as DefinitionKind;
    if (!KINDS.has(kind)) fail(`${path}: definition ${i} has kind ${String(kind)}`);
    const startLine = line(d[3], `${path}: definition ${i}`, lines);
    const endLine = line(d[4], `${path}: definition ${i}`, lines);
    if (endLine < startLine) fail(`${path}: definition ${i} ends before it starts`);
    const doc = readDoc(d[7], `${path}: definition ${i} doc`, lines);
    const level = d[8];
    if (!Number.isInteger(level)) fail(`${path}: definition ${i} level`);
    return {
      kind, name: str(d[1], 'a name'), qualifiedName: str(d[2], 'a qualified name'), startLine, endLine,
      signature: str(d[5], 'a signature'), signatureLine: line(d[6], `${path}: definition ${i}`, lines),
      ...(doc ? { doc } : {}), ...(level ? { level } : {}),
    };
  });
  const names = row[6];
  const counts = row[7];
  const firstLines = row[8];
  if (!Array.isArray(names) || !Array.isArray(counts) || !Array.isArray(firstLines) || names.length !== counts.length || names.length !== firstLines.length) {
    fail(`${path}: references`);
  }
  if (!names.every((n) => typeof n === 'string') || !counts.every((c) => Number.isInteger(c) && c > 0) || !firstLines.every((l) => Number.isInteger(l) && l >= 1 && l <= lines + 1)) {
    fail(`${path}: references hold a bad value`);
  }
  const doc = readDoc(row[4], `${path}: doc`, lines);
  return {
    path, sha1: str(row[1], 'a sha1'), language: str(row[2], 'a language'), lines,
    ...(doc ? { doc } : {}), definitions, references: { names, counts, firstLines },
  };
}
