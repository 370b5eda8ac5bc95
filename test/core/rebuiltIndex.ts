// Shared by the tests of books indexed by their segments' decoded text (streamed books, books
// written as one line): an index rebuilt from the file must be the one built while reading it,
// or a rebuild would rank the book differently.
import assert from 'node:assert/strict';
import { openEngine } from '../../src/core/engine';
import { memoryVersionOf, type LoadedModel } from '../../src/core/model';
import { readSnapshot, workspaceCacheDir, writeSnapshot } from '../../src/core/store';
import { modelDir, recordingLogger } from './helpers';

/** The saved lexical index of `root`'s memory under `cacheDir`. */
export async function savedLexical(model: LoadedModel, root: string, cacheDir: string): Promise<Uint8Array> {
  const identity = { modelId: model.config.id, modelVersion: memoryVersionOf(model.config), root };
  return (await readSnapshot(workspaceCacheDir(cacheDir, root), identity)).sections['lexical']!;
}

/**
 * Damages the saved lexical index of `root`'s memory, opens the engine (which rebuilds it from
 * the files) and asserts that the rebuilt index equals the one saved before, byte for byte.
 */
export async function assertRebuiltIndexEqual(model: LoadedModel, root: string, cacheDir: string): Promise<void> {
  const dir = workspaceCacheDir(cacheDir, root);
  const identity = { modelId: model.config.id, modelVersion: memoryVersionOf(model.config), root };
  const { header, sections } = await readSnapshot(dir, identity);
  const built = sections['lexical']!;
  await writeSnapshot(dir, { modelId: header.modelId, modelVersion: header.modelVersion, root: header.root, meta: header.meta }, { ...sections, lexical: built.slice(0, built.length - 9) });
  const logger = recordingLogger();
  const again = await openEngine({ root, cacheDir, modelDir: modelDir(), device: 'cpu', logger });
  await again.dispose();
  assert.ok(logger.lines.some((l) => /lexical index cannot be used/.test(l)), logger.lines.join('\n'));
  const rebuilt = await savedLexical(model, root, cacheDir);
  assert.ok(Buffer.from(rebuilt).equals(Buffer.from(built)), `the rebuilt index differs (${rebuilt.length} bytes against ${built.length})`);
}
