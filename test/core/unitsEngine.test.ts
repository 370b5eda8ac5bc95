// Definition units in the engine, with the real model, on a small repository written here whose
// answer is known: a question whose words are one function's, where that function is longer than
// a segment (no segment holds all its words) and a segment elsewhere holds the same words across
// two neighbouring functions. Segments alone cite the neighbours; the function's unit is cited.
// The units are saved with the memory, rebuilt when their section is missing or damaged, and
// follow an edit.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Citation, Engine } from '../../src/core/api';
import { buildAnswer } from '../../src/core/answer';
import { openEngine } from '../../src/core/engine';
import { LexicalIndex } from '../../src/core/lexicalIndex';
import { WorkspaceMemory } from '../../src/core/memory';
import { loadModel, type LoadedModel } from '../../src/core/model';
import { SourceTexts } from '../../src/core/query';
import { retrieve } from '../../src/core/retrieve';
import { readSnapshot, workspaceCacheDir, writeSnapshot } from '../../src/core/store';
import { UNITS_SECTION, UnitIndex } from '../../src/core/structure/units';
import { modelDir, noModel, recordingLogger, tempDir, type RecordingLogger } from './helpers';

const skip = noModel();
const QUESTION = 'archive the journal then compress the archive';

/** Filler statements: words no question uses, enough to push a function past one segment. */
function filler(n: number, indent: string): string[] {
  return Array.from({ length: n }, (_, i) => `${indent}ledger_row_${i} = tally_counter(posting_${i}, offset=${i * 7})`);
}

/** Small helpers with words no question uses: the other definitions of a real module. */
function helpers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => [`def tally_row_${i}(posting):`, `    return tally_counter(posting, offset=${i * 7})`, '', '']).flat();
}

/**
 * py/journal.py: three short decoys that share a segment (one archives, one compresses, one names
 * the journal), helpers,
 * and `rotate_journal` (the answer), which archives in its first line and compresses in its last,
 * more than a segment apart.
 */
function journalSource(): string {
  return [
    'import gzip',
    'import shutil',
    '',
    '',
    'def backup_store(entry):',
    '    return archive_of(entry)',
    '',
    '',
    'def pack_store(entry):',
    '    return gzip.compress(entry.data)',
    '',
    '',
    'def journal_name(entry):',
    '    return entry.name',
    '',
    '',
    ...helpers(12),
    'def rotate_journal(journal, target):',
    '    archive = shutil.copy(journal.path, target)',
    ...filler(9, '    '),
    '    compressed = gzip.compress(open(target, "rb").read())',
    '    return compressed',
    '',
    '',
    ...helpers(6).map((l) => l.replace('tally_row_', 'count_row_')),
  ].join('\n');
}

let ws: Awaited<ReturnType<typeof tempDir>>;
let root: string;
let cache: string;
let engine: Engine | undefined;
let logger: RecordingLogger;
let model: LoadedModel;
let answer: { startLine: number; endLine: number };

function answerOf(text: string): { startLine: number; endLine: number } {
  const lines = text.split('\n');
  const startLine = lines.indexOf('def rotate_journal(journal, target):') + 1;
  return { startLine, endLine: lines.indexOf('    return compressed') + 1 };
}

async function open(): Promise<Engine> {
  logger = recordingLogger();
  engine = await openEngine({ root, cacheDir: cache, modelDir: modelDir(), device: 'cpu', logger });
  return engine;
}

function inAnswer(c: Citation | undefined): boolean {
  return c !== undefined && c.path === 'py/journal.py' && c.startLine >= answer.startLine && c.endLine <= answer.endLine;
}

before(async () => {
  if (skip) return;
  ws = await tempDir('units');
  root = join(ws.path, 'repo');
  cache = join(ws.path, 'cache');
  await mkdir(join(root, 'py'), { recursive: true });
  const text = journalSource();
  await writeFile(join(root, 'py', 'journal.py'), text);
  await writeFile(join(root, 'README.md'), '# Ledger\n\nBook-keeping helpers: postings, tallies and the journal.\n');
  answer = answerOf(text);
  model = await loadModel(modelDir(), 'cpu', recordingLogger());
  await (await open()).read();
});

after(async () => {
  await engine?.dispose().catch(() => undefined);
  await model?.runtime.dispose();
  await ws?.cleanup();
});

/** The first citation of `question` from the saved memory, with or without the saved units. */
async function savedFirstCitation(question: string, withUnits: boolean, mode: 'lexical' | 'auto'): Promise<Citation | undefined> {
  const { sections } = await readSnapshot(workspaceCacheDir(cache, root), { modelId: engine!.status().modelId, modelVersion: engine!.status().memoryVersion, root });
  const ctx = {
    model, memory: WorkspaceMemory.deserialize(model.config, sections), lexical: LexicalIndex.deserialize(sections['lexical']!),
    ...(withUnits ? { units: UnitIndex.deserialize(sections[UNITS_SECTION]!, model.config.keyDim) } : {}),
    root, logger: recordingLogger(), coverage: () => 1,
  };
  const hits = await retrieve(ctx, question, 5, mode);
  const segments = await new SourceTexts(ctx).segments(hits);
  return buildAnswer({ question, segments }).citations[0];
}

test('the fixture needs units: segments alone cite the decoys, the function is cited as a unit', { skip }, async () => {
  assert.ok(engine!.status().segments >= 4, 'the long function spans segments');
  for (const mode of ['lexical', 'auto'] as const) {
    const without = await savedFirstCitation(QUESTION, false, mode);
    assert.ok(without && !inAnswer(without), `${mode}, segments only: ${JSON.stringify(without)} should miss ${answer.startLine}-${answer.endLine}`);
    assert.ok(inAnswer(await savedFirstCitation(QUESTION, true, mode)), `${mode}, with units`);
    const a = await engine!.ask(QUESTION, { retrieval: mode });
    assert.ok(inAnswer(a.citations[0]), `${mode}: ${JSON.stringify(a.citations[0])} should lie in ${answer.startLine}-${answer.endLine}`);
    assert.ok(a.citations[0]!.sources.includes('lexical'));
  }
});

test('units are saved with the memory, rebuilt when missing or damaged, and follow an edit', { skip }, async () => {
  await engine!.dispose();
  await open();
  assert.ok(!logger.lines.some((l) => /definition units/i.test(l)), `sound units are loaded, not rebuilt:\n${logger.lines.join('\n')}`);
  assert.ok(inAnswer((await engine!.ask(QUESTION, { retrieval: 'lexical' })).citations[0]));

  // A snapshot from before units (no section), then one whose section is damaged: rebuilt from the files.
  const dir = workspaceCacheDir(cache, root);
  const identity = { modelId: engine!.status().modelId, modelVersion: engine!.status().memoryVersion, root };
  for (const damage of ['missing', 'damaged'] as const) {
    await engine!.dispose();
    const { header, sections } = await readSnapshot(dir, identity);
    const { [UNITS_SECTION]: units, ...rest } = sections;
    const id = { modelId: header.modelId, modelVersion: header.modelVersion, root: header.root, meta: header.meta };
    await writeSnapshot(dir, id, damage === 'missing' ? rest : { ...rest, [UNITS_SECTION]: units!.slice(0, units!.length - 9) });
    await open();
    assert.ok(logger.lines.some((l) => (damage === 'missing' ? /no definition units yet/ : /definition units cannot be used/).test(l)), logger.lines.join('\n'));
    assert.ok(logger.lines.some((l) => /Definition units caught up on 1 files/.test(l)), logger.lines.join('\n'));
    assert.ok(inAnswer((await engine!.ask(QUESTION, { retrieval: 'lexical' })).citations[0]), damage);
    assert.ok((await readSnapshot(dir, identity)).sections[UNITS_SECTION], 'the rebuilt units are saved');
  }

  // An edit above the function moves it down: the unit's citation moves with it.
  const file = join(root, 'py', 'journal.py');
  const edited = (await readFile(file, 'utf8')).replace('import shutil\n', 'import shutil\nimport os\nimport sys\nimport time\n');
  await writeFile(file, edited);
  const moved = answerOf(edited);
  assert.equal(moved.startLine, answer.startLine + 3);
  answer = moved;
  await engine!.read();
  const a = await engine!.ask(QUESTION, { retrieval: 'lexical' });
  assert.ok(inAnswer(a.citations[0]), `after the edit: ${JSON.stringify(a.citations[0])} should lie in ${answer.startLine}-${answer.endLine}`);
});
