// The structure's part of a read: loading its snapshot section (a damaged one is reported and
// rebuilt, never trusted), and catching up files whose structure is missing or stale while
// their memory is current (a snapshot saved before the section existed, or a damaged section).
import type { Logger } from '../api';
import { loadText } from '../text';
import { resolveInside } from '../workspacePath';
import { STRUCTURE_SECTION, StructureIndex } from './index';

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
