// Code structure from tree-sitter and prose headings: definitions with the right names, spans,
// signatures and doc text on real files; a saved section that round-trips and refuses damage.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { firstSentence, linesContainSentence } from '../../src/core/structure/docText';
import { StructureIndex, structureOf } from '../../src/core/structure/index';
import { FIXTURE_CODEBASE } from './helpers';

test('Python: classes, methods, docstrings and signatures of a real module', async () => {
  const text = await readFile(join(FIXTURE_CODEBASE, 'py', 'shlex.py'), 'utf8');
  const s = await structureOf('py/shlex.py', text);
  assert.ok(s);
  assert.equal(s.language, 'python');
  assert.equal(firstSentence(s.doc!.text), 'A lexical analyzer class for simple shell-like syntaxes.');
  const lines = text.split('\n');
  const cls = s.definitions.find((d) => d.qualifiedName === 'shlex')!;
  assert.equal(cls.kind, 'class');
  assert.equal(lines[cls.signatureLine - 1], 'class shlex:');
  const push = s.definitions.find((d) => d.qualifiedName === 'shlex.push_token')!;
  assert.equal(push.kind, 'method');
  assert.equal(push.signature, 'def push_token(self, tok):');
  assert.match(lines[push.signatureLine - 1]!, /def push_token\(self, tok\):/);
  assert.ok(linesContainSentence(lines.slice(push.doc!.startLine - 1, push.doc!.endLine), firstSentence(push.doc!.text)));
  const split = s.definitions.find((d) => d.qualifiedName === 'split')!;
  assert.equal(split.kind, 'function');
  assert.ok(split.endLine > split.startLine);
  // Names used, with their first line.
  const i = s.references.names.indexOf('shlex');
  assert.ok(i >= 0 && s.references.counts[i]! >= 2);
});

test('TypeScript: exported functions, classes, interfaces and JSDoc; object-literal methods are not definitions', async () => {
  const text = [
    '// Helpers for paths.',
    'import { join } from "node:path";',
    '',
    '/** Joins two parts. Second sentence. */',
    'export function joinTwo(a: string, b: string): string {',
    '  const inner = () => 1;',
    '  return join(a, b);',
    '}',
    '',
    'export interface Shape { area(): number }',
    '',
    '/**',
    ' * A circle.',
    ' * @param r the radius',
    ' */',
    'export class Circle implements Shape {',
    '  constructor(readonly r: number) {}',
    '  /** Its area. */',
    '  area(): number { return Math.PI * this.r ** 2; }',
    '}',
    'const logger = { info() {}, warn() {} };',
    'export const make = (r: number) => new Circle(r);',
  ].join('\n');
  const s = await structureOf('src/shapes.ts', text);
  assert.ok(s);
  assert.equal(s.doc?.text, 'Helpers for paths.');
  const names = s.definitions.map((d) => `${d.kind} ${d.qualifiedName}`);
  assert.deepEqual(names, ['function joinTwo', 'interface Shape', 'method Shape.area', 'class Circle', 'method Circle.constructor', 'method Circle.area', 'variable logger', 'function make']);
  const joinTwo = s.definitions[0]!;
  assert.deepEqual([joinTwo.startLine, joinTwo.signatureLine, joinTwo.endLine], [4, 5, 8]);
  assert.equal(joinTwo.signature, 'function joinTwo(a: string, b: string): string');
  assert.equal(firstSentence(joinTwo.doc!.text), 'Joins two parts.');
  const circle = s.definitions.find((d) => d.name === 'Circle')!;
  assert.equal(circle.doc?.text, 'A circle.'); // the @param tag ends the description
  assert.deepEqual([circle.doc?.startLine, circle.doc?.endLine], [12, 15]);
});

test('JavaScript of a real package: functions with their comments', async () => {
  const text = await readFile(join(FIXTURE_CODEBASE, 'js', 'ignore.js'), 'utf8');
  const s = await structureOf('js/ignore.js', text);
  assert.ok(s);
  const make = s.definitions.find((d) => d.name === 'makeArray')!;
  assert.equal(make.kind, 'function');
  assert.equal(firstSentence(make.doc!.text), 'A simple implementation of make-array');
  assert.ok(s.definitions.some((d) => d.kind === 'class'));
});

test('prose: Markdown and reStructuredText headings with opening sentences; plain-text chapters', async () => {
  const md = await structureOf('docs/guide.md', '# Guide\n\nThis guide shows the way. It is short.\n\n## Install\n\n```\n# not a heading\n```\n\nRun the installer first.\n\nSetext\n------\nUnder a setext heading.\n');
  assert.deepEqual(md!.definitions.map((d) => [d.name, d.level, d.startLine]), [['Guide', 1, 1], ['Install', 2, 5], ['Setext', 2, 13]]);
  assert.equal(firstSentence(md!.definitions[0]!.doc!.text), 'This guide shows the way.');
  assert.equal(md!.definitions[1]!.doc!.text, 'Run the installer first.');
  assert.equal(md!.definitions[0]!.endLine, 15);
  const rst = await structureOf('index.rst', '=====\nTitle\n=====\n\nIntro text here.\n\nPart one\n========\n\nFirst part.\n\nSub\n---\n\nDeeper.\n');
  assert.deepEqual(rst!.definitions.map((d) => [d.name, d.level, d.startLine]), [['Title', 1, 1], ['Part one', 2, 7], ['Sub', 3, 12]]);
  const book = await structureOf('book.txt', 'THE BOOK\n\nCHAPTER I.\n\nIt was a dark night.\n\nCHAPTER II.\n\nMorning came.\n');
  assert.deepEqual(book!.definitions.map((d) => [d.name, d.doc?.text]), [['CHAPTER I.', 'It was a dark night.'], ['CHAPTER II.', 'Morning came.']]);
  assert.equal(await structureOf('data.bin.xyz', 'x'), undefined);
});

test('first sentences keep the source words and skip abbreviations', () => {
  assert.equal(firstSentence('Use e.g. this one. Then that.'), 'Use e.g. this one.');
  assert.equal(firstSentence('Version 2.0 is out.\n\nMore.'), 'Version 2.0 is out.');
  assert.equal(firstSentence('No full stop here\nbut two lines'), 'No full stop here but two lines');
  const long = firstSentence('word '.repeat(100));
  assert.ok(long.endsWith('…') && long.length <= 221);
  assert.ok(linesContainSentence(['    """Return the', '    thing."""'], 'Return the thing.'));
  assert.ok(!linesContainSentence(['  """Return the other thing."""'], 'Return the thing.'));
});

test('the structure section round-trips and refuses damage', async () => {
  const index = new StructureIndex();
  const text = await readFile(join(FIXTURE_CODEBASE, 'py', 'bisect.py'), 'utf8');
  await index.update('py/bisect.py', text, 'abc');
  await index.update('README.md', '# R\n\nHello there.\n', 'def');
  const back = StructureIndex.deserialize(index.serialize());
  assert.deepEqual([...back.entries()], [...index.entries()]);
  assert.deepEqual(back.missing([{ path: 'py/bisect.py', sha1: 'abc' }, { path: 'README.md', sha1: 'changed' }, { path: 'x.bin', sha1: '1' }]), ['README.md']);
  assert.throws(() => StructureIndex.deserialize(new Uint8Array([1, 2, 3])), /cannot be read/);
  const rows = JSON.parse(require('node:zlib').gunzipSync(index.serialize()).toString());
  rows.files[0][0] = '../outside.py';
  assert.throws(() => StructureIndex.deserialize(gzipSync(JSON.stringify(rows))), /not a path inside the workspace/);
  rows.files[0][0] = 'py/bisect.py';
  rows.files[0][5][0][3] = 100000; // a definition past the end of the file
  assert.throws(() => StructureIndex.deserialize(gzipSync(JSON.stringify(rows))), /not a line of the file/);
});
