// The structure's part of a read: loading its snapshot section (a damaged one is reported and
// rebuilt, never trusted), and catching up files whose structure is missing or stale while
// their memory is current (a snapshot saved before the section existed, or a damaged section).
import type { Logger } from '../api';
import { hashFile } from '../streamedText';
import { loadText } from '../text';
import { resolveInside } from '../workspacePath';
import { STRUCTURE_SECTION, StructureIndex } from './index';
import { languageOfPath } from './languages';
import { definitionUnits, UNITS_SECTION, UnitIndex } from './units';

/** The saved structure, or an empty index (logged) when the section is absent or damaged. */
export function loadStructureSection(sections: Record<string, Uint8Array>, logger: Logger): StructureIndex {
  const bytes = sections[STRUCTURE_SECTION];
  if (!bytes) {
    logger.info('The saved memory has no code structure yet; it is built from the files on the next read.');
    return new StructureIndex();
  }
  try {
    return StructureIndex.deserialize(bytes);
  } catch (e) {
    logger.warn(`The saved code structure cannot be used (${(e as Error).message}); it is rebuilt from the files on the next read.`);
    return new StructureIndex();
  }
}

/**
 * Parses the files of `files` whose structure is missing or older than their memory, reading
 * them from disk; the memory itself is not touched. Returns how many were parsed.
 */
export async function catchUpStructure(
  index: StructureIndex,
  files: Iterable<{ path: string; sha1: string }>,
  root: string,
  options: { maxFileBytes?: number; signal?: AbortSignal; logger: Logger },
): Promise<number> {
  const sha1 = new Map([...files].map((f) => [f.path, f.sha1]));
  const missing = index.missing([...sha1].map(([path, s]) => ({ path, sha1: s })));
  let parsed = 0;
  for (const path of missing) {
    if (options.signal?.aborted) break;
    try {
      const loaded = await loadText(await resolveInside(root, path), { maxFileBytes: options.maxFileBytes });
      if (!loaded.ok) continue;
      await index.update(path, loaded.text, sha1.get(path)!);
      parsed++;
    } catch (e) {
      options.logger.debug(`${path}: no code structure (${(e as Error).message}).`);
    }
  }
  if (parsed > 0) options.logger.info(`Code structure caught up on ${parsed} files.`);
  return parsed;
}

/** How units are keyed: the model's static keys of a text, or none (a model whose keys come from its reader graph). */
export type UnitKeyer = ((text: string) => Float32Array) | undefined;

/**
 * Indexes the definition units of a source file from its text and its (current) structure;
 * other files have none. The one place units are made, while reading and on catch-up alike.
 */
export function updateUnits(units: UnitIndex, structure: StructureIndex, path: string, text: string, sha1: string, keyOf: UnitKeyer): void {
  const parsed = structure.get(path);
  if (!languageOfPath(path)) units.remove(path);
  else units.set(path, sha1, parsed?.sha1 === sha1 ? definitionUnits(parsed, text.split('\n')) : [], keyOf);
}

/**
 * The saved definition units, or an empty index (logged) when the section is absent (a snapshot
 * older than units), from another format or damaged; catchUpUnits then builds them from the files.
 */
export function loadUnitsSection(sections: Record<string, Uint8Array>, keyDim: number, logger: Logger): UnitIndex {
  const bytes = sections[UNITS_SECTION];
  if (!bytes) {
    logger.info('The saved memory has no definition units yet; they are built from the source files.');
    return new UnitIndex(keyDim);
  }
  try {
    return UnitIndex.deserialize(bytes, keyDim);
  } catch (e) {
    logger.warn(`The saved definition units cannot be used (${(e as Error).message}); they are rebuilt from the source files.`);
    return new UnitIndex(keyDim);
  }
}

/**
 * Builds the units of the source files in memory whose units are missing or from another
 * version, from the files on disk (parsing their structure first where it is stale too). A file
 * whose bytes are no longer what memory read is left out: its lines would not be the memory's.
 * Returns how many files were indexed.
 */
export async function catchUpUnits(
  units: UnitIndex,
  structure: StructureIndex,
  files: Iterable<{ path: string; sha1: string }>,
  root: string,
  options: { maxFileBytes?: number; signal?: AbortSignal; logger: Logger; keyOf: UnitKeyer },
): Promise<number> {
  const sha1 = new Map([...files].map((f) => [f.path, f.sha1]));
  let done = 0;
  for (const path of units.missing([...sha1].map(([p, s]) => ({ path: p, sha1: s })))) {
    if (options.signal?.aborted) break;
    const want = sha1.get(path)!;
    try {
      const abs = await resolveInside(root, path);
      if (await hashFile(abs) !== want) continue;
      const loaded = await loadText(abs, { maxFileBytes: options.maxFileBytes });
      if (!loaded.ok) continue;
      if (structure.get(path)?.sha1 !== want) await structure.update(path, loaded.text, want);
      updateUnits(units, structure, path, loaded.text, want, options.keyOf);
      done++;
    } catch (e) {
      options.logger.debug(`${path}: no definition units (${(e as Error).message}).`);
    }
  }
  if (done > 0) options.logger.info(`Definition units caught up on ${done} files.`);
  return done;
}
