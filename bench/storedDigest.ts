// What a read stored, as digests that do not depend on the order files were finished in: two
// reads of the same workspace agree here exactly when every file's keys, line ranges, memory,
// tail memory, table row, lexical postings and structure are bit for bit the same. The raw
// section bytes are not comparable: files enter the memory, the lexical index and its document
// numbering in the order the reader publishes them, which follows the clock (reader.ts
// PUBLISH_MS, the engine's checkpoints).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { WorkspaceMemory, type MemoryShape } from '../src/core/memory';

/** Section name → sha256 of its canonical form; `perFile` → path → sha256 of everything stored for that file. */
export interface StoredDigest {
  readonly sections: Record<string, string>;
  readonly perFile: Record<string, string>;
}

type Parts = Map<string, Map<string, Buffer[]>>;

function add(parts: Parts, section: string, path: string, ...bytes: (Uint8Array | string)[]): void {
  let bySection = parts.get(section);
  if (!bySection) parts.set(section, (bySection = new Map()));
  let list = bySection.get(path);
  if (!list) bySection.set(path, (list = []));
  for (const b of bytes) list.push(typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function bytesOf(a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The memory's sections, file by file: table row, keys, line ranges, memory, tail memory. */
function memoryParts(parts: Parts, shape: MemoryShape, sections: Record<string, Uint8Array>): void {
  const memory = WorkspaceMemory.deserialize(shape, sections);
  for (const f of memory.entries()) {
    // mtimeMs is the file's stat, not what was read: a workspace copied again gets new ones.
    const { keys, startLines, endLines, memory: m, tailMemory, mtimeMs: _, ...row } = f;
    add(parts, 'files', f.path, JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))));
    add(parts, 'keys', f.path, bytesOf(keys.subarray(0, f.segmentsRead * shape.keyDim)));
    add(parts, 'segments', f.path, bytesOf(startLines.subarray(0, f.segmentsRead)), bytesOf(endLines.subarray(0, f.segmentsRead)));
    add(parts, 'memories', f.path, m ? bytesOf(m) : '-');
    add(parts, 'tails', f.path, tailMemory ? bytesOf(tailMemory) : '-');
  }
}

/**
 * The lexical section (lexicalIndex.ts serialize: u32 magic, format, header length, header JSON,
 * then every term's document ids, their tfs, and the document lengths), as each segment's length
 * and sorted term frequencies: the same index whatever numbering its documents got.
 */
function lexicalParts(parts: Parts, bytes: Uint8Array): void {
  const buf = Buffer.from(bytes);
  const headerBytes = buf.readUInt32LE(8);
  const h = JSON.parse(buf.subarray(12, 12 + headerBytes).toString('utf8')) as { docs: number; files: [string, string, number[]][]; terms: string[]; counts: number[] };
  const align4 = (n: number): number => (n + 3) & ~3;
  const total = h.counts.reduce((a, b) => a + b, 0);
  const headEnd = align4(12 + headerBytes);
  const idsEnd = headEnd + total * 4;
  const tfsEnd = align4(idsEnd + total * 2);
  const copy = Uint8Array.from(buf);
  const ids = new Uint32Array(copy.buffer, headEnd, total);
  const tfs = new Uint16Array(copy.buffer, idsEnd, total);
  const lengths = new Uint32Array(copy.buffer, tfsEnd, h.docs);
  const terms: string[][] = Array.from({ length: h.docs }, () => []);
  let at = 0;
  h.terms.forEach((term, i) => {
    for (let j = 0; j < h.counts[i]!; j++, at++) terms[ids[at]!]!.push(`${term}\u0000${tfs[at]}`);
  });
  for (const [path, sha1, docs] of h.files) {
    add(parts, 'lexical', path, sha1, JSON.stringify(docs.map((d) => [lengths[d], terms[d]!.sort()])));
  }
}

/** The structure section (gzipped JSON, one row per file starting with its path). */
function structureParts(parts: Parts, bytes: Uint8Array): void {
  const value = JSON.parse(gunzipSync(bytes).toString('utf8')) as { format: number; files: unknown[][] };
  for (const row of value.files) add(parts, 'structure', String(row[0]), `${value.format}`, JSON.stringify(row));
}

export function storedDigest(shape: MemoryShape, sections: Record<string, Uint8Array>): StoredDigest {
  const parts: Parts = new Map();
  memoryParts(parts, shape, sections);
  if (sections['lexical']) lexicalParts(parts, sections['lexical']);
  if (sections['structure']) structureParts(parts, sections['structure']);
  const out: Record<string, string> = {};
  const perFile = new Map<string, ReturnType<typeof createHash>>();
  for (const [section, byPath] of [...parts].sort(([a], [b]) => a.localeCompare(b))) {
    const h = createHash('sha256');
    for (const path of [...byPath.keys()].sort()) {
      const f = perFile.get(path) ?? createHash('sha256');
      perFile.set(path, f);
      h.update(`${path}\u0000`);
      f.update(`${section}\u0000`);
      for (const b of byPath.get(path)!) {
        h.update(`${b.length}\u0000`).update(b);
        f.update(`${b.length}\u0000`).update(b);
      }
    }
    out[section] = h.digest('hex');
  }
  return { sections: out, perFile: Object.fromEntries([...perFile].sort(([a], [b]) => a.localeCompare(b)).map(([p, h]) => [p, h.digest('hex')])) };
}

/** What differs between two digests, one line each (empty when they agree). */
export function digestDifferences(a: StoredDigest, b: StoredDigest): string[] {
  const out: string[] = [];
  for (const s of new Set([...Object.keys(a.sections), ...Object.keys(b.sections)])) {
    if (a.sections[s] !== b.sections[s]) out.push(`section ${s} differs`);
  }
  const files = new Set([...Object.keys(a.perFile), ...Object.keys(b.perFile)]);
  const differ = [...files].filter((p) => a.perFile[p] !== b.perFile[p]);
  if (differ.length) out.push(`${differ.length} of ${files.size} files differ, e.g. ${differ.slice(0, 5).join(', ')}`);
  return out;
}
