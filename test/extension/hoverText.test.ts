import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Explanation } from '../../src/core/api';
import { clip, codeBlock, hoverMarkdown, isHoverableWord } from '../../src/extension/hoverText';

const definition = { path: 'src/core/reader.ts', startLine: 10, endLine: 11, score: 1, sources: ['lexical' as const] };
const explanation = (e: Partial<Explanation> = {}): Explanation => ({
  text: 'Reads one segment and returns the new memory.', kind: 'generated', citations: [], coverage: 1, millisecondsToFirstToken: 5,
  passages: [{ citation: definition, text: 'export function readSegment(ids: Int32Array) {\n  return run(ids);' }],
  definition,
  uses: [{ path: 'src/core/engine.ts', startLine: 88, endLine: 88, score: 0.5, sources: ['model'] }],
  ...e,
});

test('hover shows the explanation with definition and use links', () => {
  const md = hoverMarkdown('file:///w', 'readSegment', explanation())!;
  assert.match(md, /^\*\*Mnemo\*\* · readSegment/);
  assert.match(md, /Defined at \[src\/core\/reader\\\.ts\\:10\\-11\]\(command:mnemo\.openCitation\?/);
  assert.ok(md.includes('```\nexport function readSegment(ids: Int32Array) {\n  return run(ids);\n```'), 'the definition is quoted');
  assert.match(md, /Used at \[src\/core\/engine\\\.ts\\:88\]\(command:mnemo\.openCitation\?/);
  assert.ok(!md.includes('answered from'));
});

test('hover escapes model output: no HTML, no foreign command links', () => {
  const md = hoverMarkdown('file:///w', 'x', explanation({ text: '<img src=x onerror=alert(1)> [run](command:workbench.action.terminal.sendSequence)' }))!;
  assert.ok(!/(^|[^\\])</.test(md), 'every < is escaped');
  const links = [...md.matchAll(/\]\((command:[^?)]+)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(links)], ['command:mnemo.openCitation']);
});

test('hover notes partial memory and counts extra uses', () => {
  const uses = Array.from({ length: 8 }, (_, i) => ({ path: `f${i}.ts`, startLine: i + 1, endLine: i + 1, score: 0, sources: [] }));
  const md = hoverMarkdown('file:///w', 'x', explanation({ coverage: 0.4, uses }))!;
  assert.match(md, /and 3 more/);
  assert.match(md, /Answered from 40% of the workspace read so far/);
  assert.equal(hoverMarkdown('file:///w', 'x', explanation({ text: ' ', definition: undefined, uses: [] })), undefined);
});

test('hover never shows text the model was not declared good at: passages answers quote lines only', () => {
  const md = hoverMarkdown('file:///w', 'readSegment', explanation({ kind: 'passages', text: '`readSegment` is defined at src/core/reader.ts:10.' }))!;
  assert.ok(!md.includes('is defined at'), md);
  assert.ok(md.includes('export function readSegment'));
});

test('a quoted definition holding a fence cannot close the hover\'s code block', () => {
  assert.equal(codeBlock('a\n```\nb'), '````\na\n```\nb\n````');
});

test('clip and hoverable words', () => {
  assert.equal(clip('short', 10), 'short');
  assert.equal(clip('one two three four five', 11), 'one two…');
  assert.ok(isHoverableWord('readSegment'));
  assert.ok(isHoverableWord('_x'));
  assert.ok(!isHoverableWord('x'));
  assert.ok(!isHoverableWord('1234'));
  assert.ok(!isHoverableWord('0x1f'));
});

test('a hover from structure shows kind, signature in a fence that cannot be closed, doc and other definitions', () => {
  const md = hoverMarkdown('file:///w', 'dump', explanation({
    text: 'Serialize `obj` as a JSON formatted stream.',
    symbol: { kind: 'function', qualifiedName: 'dump', signature: 'def dump(obj, fp): ``` [x](command:evil)', doc: 'Serialize.', alternatives: [{ path: 'b/c.py', startLine: 3, endLine: 9, score: 1, sources: [] }] },
  }))!;
  assert.match(md, /^\*\*Mnemo\*\* · dump · function dump/);
  assert.match(md, /\n````\ndef dump\(obj, fp\): ``` \[x\]\(command:evil\)\n````\n/);
  assert.match(md, /Also defined at \[b\/c\\\.py\\:3\\-9\]\(command:mnemo\.openCitation\?/);
  assert.match(md, /Serialize \\`obj\\` as a JSON/);
});
