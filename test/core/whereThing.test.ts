// "Where is the <thing>?" through whoever last handled it (src/core/whereThing.ts): the sentences
// the rule reads, and end to end with the real model on a story hidden line by line in Ruth 1
// (KJV), BABILong-style, where the answer is known: the teapot is where Ottoline went after she
// took it; the harmonica is where Peregrine was when he dropped it, not where he went after.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SegmentLines } from '../../src/core/answer';
import type { Answer, Engine } from '../../src/core/api';
import { openEngine } from '../../src/core/engine';
import { readThingSentence, whereThing, type Reader } from '../../src/core/whereThing';
import { modelDir, noModel, recordingLogger, tempDir } from './helpers';

test('a sentence is read only when it plainly says who took the thing, who let go of it, or where it is', () => {
  assert.deepEqual(readThingSentence('Ottoline picked up the teapot.', 'teapot'), { kind: 'take', person: 'Ottoline' });
  assert.deepEqual(readThingSentence('Lenora Pike grabbed the teapot.', 'teapot'), { kind: 'take', person: 'Lenora Pike' });
  assert.deepEqual(readThingSentence('Peregrine put down the harmonica.', 'harmonica'), { kind: 'drop', person: 'Peregrine' });
  assert.deepEqual(readThingSentence('Peregrine left the harmonica.', 'harmonica'), { kind: 'drop', person: 'Peregrine' });
  assert.deepEqual(readThingSentence('The lantern is in the pantry.', 'lantern'), { kind: 'placed' });
  assert.deepEqual(readThingSentence('Mary took the brass keys.', 'brass keys'), { kind: 'take', person: 'Mary' });
  // A pronoun, a longer clause, another thing: nothing the rule reads.
  assert.equal(readThingSentence('She dropped the teapot.', 'teapot'), undefined);
  assert.equal(readThingSentence('Then Ottoline took the teapot.', 'teapot'), undefined);
  assert.equal(readThingSentence('Ottoline took the teapot to the garden.', 'teapot'), undefined);
  assert.equal(readThingSentence('Ottoline took the teapots.', 'teapot'), undefined);
  assert.equal(readThingSentence('The teapot was old and cracked.', 'teapot'), undefined);
  assert.equal(readThingSentence('Ottoline admired the teapot.', 'teapot'), undefined);
});

/** A reader that fails the test if the rule retrieves or reads anything. */
const untouched: Reader = {
  find: () => assert.fail('the rule retrieved passages for a question it does not answer'),
  read: () => assert.fail('the rule asked the span head for a question it does not answer'),
};

function segment(path: string, startLine: number, lines: string[]): SegmentLines {
  return { citation: { path, startLine, endLine: startLine + lines.length - 1, score: 1, sources: ['lexical'] }, lines };
}

test('the rule answers nothing, and reads nothing, when the latest sentence about the thing is not one it reads', async () => {
  const story = [segment('story.txt', 1, ['Araminta went to the office.', 'Araminta took the satchel.']), segment('story.txt', 3, ['Araminta moved to the balcony.', 'She dropped the satchel.'])];
  assert.equal(await whereThing('Where is the satchel?', 'satchel', story, untouched, 5), undefined);
  // Only code mentions it: a thing of code is not carried about.
  const code = [segment('src/tray.ts', 1, ['// Ottoline took the satchel.', 'export const satchel = 1;'])];
  assert.equal(await whereThing('Where is the satchel?', 'satchel', code, untouched, 5), undefined);
  // Never mentioned.
  assert.equal(await whereThing('Where is the thimble?', 'thimble', story, untouched, 5), undefined);
});

const skip = noModel();

// Where each story sentence goes: before which line of Ruth 1 (1-based, in order).
const STORY: readonly (readonly [number, string])[] = [
  [5, 'Ottoline went to the kitchen.'],
  [9, 'Peregrine went to the cellar.'],
  [13, 'Ottoline picked up the teapot.'],
  [17, 'Peregrine grabbed the harmonica.'],
  [21, 'Peregrine moved to the attic.'],
  [27, 'Ottoline travelled to the garden.'],
  [31, 'Peregrine dropped the harmonica.'],
  [35, 'The lantern is in the pantry.'],
  [41, 'Peregrine went back to the hallway.'],
  // Things of a computer: the rule must not take these for things Ottoline carries about.
  [45, 'Ottoline took the sources.list file.'],
  [49, 'Ottoline grabbed the config file.'],
];
const NOTES = ['Package sources', '', 'The config is parsed when apt starts, before any archive is fetched.', ''].join('\n');

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
/** The line of the story file that holds `sentence`. */
let lineOf: (sentence: string) => number;

before(async () => {
  if (skip) return;
  dir = await tempDir('mnemo-where-thing-');
  const root = join(dir.path, 'books');
  await mkdir(root);
  const ruth = (await readFile(join(process.cwd(), 'test', 'fixtures', 'e2e-workspace', 'texts', 'ruth-1.txt'), 'utf8')).split('\n');
  const out: string[] = [];
  ruth.forEach((line, i) => {
    for (const [at, sentence] of STORY) if (at === i + 1) out.push(sentence);
    out.push(line);
  });
  lineOf = (sentence) => out.indexOf(sentence) + 1;
  await writeFile(join(root, 'story.txt'), out.join('\n'));
  await writeFile(join(root, 'apt-notes.md'), NOTES);
  engine = await openEngine({ root, cacheDir: join(dir.path, 'cache'), modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
  await engine.read();
});

after(async () => {
  await engine?.dispose().catch(() => undefined);
  await dir?.cleanup();
});

function lead(a: Answer): string {
  return a.text.split('\n\n')[0]!;
}

function cites(a: Answer, sentence: string): boolean {
  const line = lineOf(sentence);
  return a.citations.some((c) => c.path === 'story.txt' && c.startLine <= line && line <= c.endLine);
}

test('a thing someone took is where they went after', { skip }, async () => {
  for (const retrieval of ['lexical', 'auto'] as const) {
    const a = await engine.ask('Where is the teapot?', { retrieval });
    assert.equal(a.kind, 'span', `${retrieval}: ${a.text.slice(0, 200)}`);
    assert.equal(lead(a), 'garden');
    // The answer's line first, and the sentence that says who had the teapot among the citations.
    assert.equal(a.citations[0]?.startLine, lineOf('Ottoline travelled to the garden.'));
    assert.ok(cites(a, 'Ottoline picked up the teapot.'), 'the take is cited');
  }
});

test('a thing someone dropped is where they were when they dropped it, not where they went after', { skip }, async () => {
  const a = await engine.ask('Where is the harmonica?', { retrieval: 'lexical' });
  assert.equal(a.kind, 'span', a.text.slice(0, 200));
  assert.equal(lead(a), 'attic');
  assert.equal(a.citations[0]?.startLine, lineOf('Peregrine moved to the attic.'));
  assert.ok(cites(a, 'Peregrine dropped the harmonica.'), 'the drop is cited');
  // Where Peregrine is now is another question, with another answer.
  const now = await engine.ask('Where is Peregrine?', { retrieval: 'lexical' });
  assert.equal(lead(now), 'hallway');
});

test('a sentence that places the thing itself is read for the place', { skip }, async () => {
  const a = await engine.ask('Where is the lantern?', { retrieval: 'lexical' });
  assert.equal(a.kind, 'span', a.text.slice(0, 200));
  assert.equal(lead(a), 'pantry');
  assert.equal(a.citations[0]?.startLine, lineOf('The lantern is in the pantry.'));
});

test('a question about a file or what a program does is not asked through anyone who took it', { skip }, async () => {
  // Through the rule, "Ottoline took the sources.list file." would answer where Ottoline went.
  for (const question of ['Where is the sources.list file?', 'Where is the config file?', 'Where is the config parsed?']) {
    const a = await engine.ask(question, { retrieval: 'lexical' });
    assert.notEqual(lead(a), 'garden', question);
    assert.ok(!cites(a, 'Ottoline travelled to the garden.'), `${question}: Ottoline's move is not cited`);
  }
  const parsed = await engine.ask('Where is the config parsed?', { retrieval: 'lexical' });
  assert.equal(parsed.citations[0]?.path, 'apt-notes.md');
});
