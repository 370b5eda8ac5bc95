// Summaries and symbol lookups from structure on real code: the Python standard library's
// `json` and `http` packages and the fixture codebase, copied to a temporary workspace. Every
// line's citation is opened and must hold the sentence the line shows.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanWorkspace } from '../../src/core/scanner';
import { linesContainSentence } from '../../src/core/structure/docText';
import { StructureIndex } from '../../src/core/structure/index';
import { lookupSymbol } from '../../src/core/structure/lookup';
import { structureExplanation } from '../../src/core/summary/answers';
import { summarizeStructure, type SummaryInput } from '../../src/core/summary/summarize';
import { loadText } from '../../src/core/text';
import { FIXTURE_CODEBASE, tempDir } from './helpers';

const STDLIB = '/usr/lib/python3.11';
const skip = existsSync(join(STDLIB, 'json', '__init__.py')) && existsSync(join(STDLIB, 'http', 'client.py'))
  ? false : `Python 3.11's standard library is not at ${STDLIB}`;

const BOOK = `# The Voyage

A book in two chapters, kept here to test chapters.

## Chapter One

The ship left the harbour at dawn. Nobody waved.

## Chapter Two

A storm rose on the third day. The crew held on.
`;

/** A workspace of real code and a small book, indexed as the engine indexes it (sizes stand in for tokens). */
async function workspace(): Promise<{ input: SummaryInput; root: string; cleanup: () => Promise<void> }> {
  const t = await tempDir('summary');
  const root = join(t.path, 'repo');
  await cp(FIXTURE_CODEBASE, join(root, 'app'), { recursive: true });
  await cp(join(STDLIB, 'json'), join(root, 'lib', 'json'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  await cp(join(STDLIB, 'http'), join(root, 'lib', 'http'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  await mkdir(join(root, 'docs'), { recursive: true });
  await writeFile(join(root, 'docs', 'voyage.md'), BOOK);
  await writeFile(join(root, 'README.md'), '# repo\n\nStandard-library packages and a book, read together for the tests.\n');
  const structure = new StructureIndex();
  const files = new Map<string, number>();
  for (const f of (await scanWorkspace(root)).files) {
    const r = await loadText(f.absPath);
    if (!r.ok) continue;
    files.set(f.path, Math.round(r.text.length / 4));
    await structure.update(f.path, r.text, String(f.size));
  }
  return { input: { root, title: 'repo', structure, files }, root, cleanup: t.cleanup };
}

const LINE = /^\s*- (.*?) — (.+) \(([^():]+):(\d+)(?:-(\d+))?\)$/;

/** Every list line with a sentence: its sentence and the place it cites. */
function claims(text: string): { sentence: string; path: string; start: number; end: number }[] {
  const out = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m) out.push({ sentence: m[2]!, path: m[3]!, start: Number(m[4]), end: Number(m[5] ?? m[4]) });
  }
  return out;
}

async function linesOf(root: string, path: string, start: number, end: number): Promise<string[]> {
  return (await readFile(join(root, path), 'utf8')).split('\n').slice(start - 1, end);
}

test('a workspace summary names its largest parts, and every sentence is in the lines it cites', { skip }, async () => {
  const ws = await workspace();
  try {
    const s = await summarizeStructure(ws.input, { kind: 'workspace' });
    assert.deepEqual(s.warnings, []);
    // The largest folders by size, and the largest file of each, are named.
    assert.match(s.text, /^### lib\/http\/ ·/m);
    assert.match(s.text, /^### lib\/json\/ ·/m);
    assert.match(s.text, /^- `cookiejar\.py` · \d+k tokens — HTTP cookie handling for web clients\. \(lib\/http\/cookiejar\.py:1\)$/m);
    assert.match(s.text, /^- `client\.py` · \d+k tokens — HTTP\/1\.1 client library \(lib\/http\/client\.py:1\)$/m);
    // The workspace's own README opens the map.
    assert.match(s.text, /^Standard-library packages and a book, read together for the tests\. \(README\.md:3\)$/m);
    const all = claims(s.text);
    assert.ok(all.length >= 10, `only ${all.length} cited sentences`);
    for (const c of all) {
      assert.ok(linesContainSentence(await linesOf(ws.root, c.path, c.start, c.end), c.sentence), `${c.path}:${c.start}-${c.end} does not hold "${c.sentence}"`);
    }
    // Citations and passages follow the text; each passage is the cited lines as they are on disk.
    assert.equal(s.passages.length, s.citations.length);
    for (const p of s.passages) {
      assert.equal(p.text, (await linesOf(ws.root, p.citation.path, p.citation.startLine, p.citation.endLine)).join('\n'));
    }
    // The document to keep links every claim to its lines.
    // A link's bracket is not escaped; brackets inside sentences are.
    const links = [...s.document.matchAll(/(?<!\\)\[([^\][\\]+):(\d+)(?:-(\d+))?\]\(([^)#]+)#L(\d+)\)/g)];
    assert.ok(links.length >= all.length);
    for (const l of links) {
      assert.equal(decodeURI(l[4]!), l[1]);
      assert.equal(l[5], l[2]);
      assert.ok(existsSync(join(ws.root, l[1]!)));
    }
    assert.ok(claims(s.document).length === 0, 'document lines carry links, not bare labels');
  } finally {
    await ws.cleanup();
  }
});

test('folder, file and book summaries; an edited file loses its sentences instead of showing stale ones', { skip }, async () => {
  const ws = await workspace();
  try {
    const folder = await summarizeStructure(ws.input, { kind: 'folder', path: 'lib/json' });
    assert.ok(folder.citations.length > 0 && folder.citations.every((c) => c.path.startsWith('lib/json/')));
    assert.match(folder.text, /JSON \(JavaScript Object Notation\) <https:\/\/json\.org> is a subset of JavaScript syntax/);

    const file = await summarizeStructure(ws.input, { kind: 'file', path: 'lib/json/decoder.py' });
    assert.match(file.text, /class `JSONDecoder`.* — Simple JSON <https:\/\/json\.org> decoder \(lib\/json\/decoder\.py:\d+\)/);
    for (const c of claims(file.text)) assert.ok(linesContainSentence(await linesOf(ws.root, c.path, c.start, c.end), c.sentence), c.sentence);

    const book = await summarizeStructure(ws.input, { kind: 'file', path: 'docs/voyage.md' });
    assert.match(book.text, /- Chapter One — The ship left the harbour at dawn\. \(docs\/voyage\.md:7\)/);
    assert.match(book.text, /- Chapter Two — A storm rose on the third day\. \(docs\/voyage\.md:11\)/);

    // Rewrite the docstring of a method after indexing: its sentence is dropped, with a warning.
    const path = join(ws.root, 'lib', 'json', 'decoder.py');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('Simple JSON <https://json.org> decoder', 'Changed words'));
    const stale = await summarizeStructure(ws.input, { kind: 'file', path: 'lib/json/decoder.py' });
    assert.doesNotMatch(stale.text, /Simple JSON <https:\/\/json\.org> decoder/);
    assert.ok(stale.warnings.some((w) => w.includes('lib/json/decoder.py changed since it was read')));
    await appendFile(path, '\n');
  } finally {
    await ws.cleanup();
  }
});

test('a symbol used in one file is found where another file defines it, with its doc and uses', { skip }, async () => {
  const ws = await workspace();
  try {
    const init = (await readFile(join(ws.root, 'lib/json/__init__.py'), 'utf8')).split('\n');
    const line = init.findIndex((l) => l.includes('JSONDecodeError')) + 1;
    const info = lookupSymbol(ws.input.structure, { path: 'lib/json/__init__.py', line, symbol: 'JSONDecodeError' });
    assert.ok(info);
    const def = info.definitions[0]!;
    assert.equal(def.path, 'lib/json/decoder.py');
    assert.equal(def.definition.kind, 'class');
    const decoder = (await readFile(join(ws.root, 'lib/json/decoder.py'), 'utf8')).split('\n');
    assert.match(decoder[def.definition.signatureLine - 1]!, /^class JSONDecodeError\(ValueError\):/);
    assert.ok(info.uses.some((u) => u.path === 'lib/json/__init__.py'));
    for (const u of info.uses) {
      const lines = (await readFile(join(ws.root, u.path), 'utf8')).split('\n');
      assert.match(lines[u.firstLine - 1]!, /\bJSONDecodeError\b/, `${u.path}:${u.firstLine}`);
    }

    // The engine's explanation shape: definition from its naming line, signature and doc.
    const started = performance.now();
    const ex = await structureExplanation({ root: ws.root, structure: ws.input.structure, files: ws.input.files, coverage: 1 }, { path: 'lib/http/server.py', line: 1, character: 0, symbol: 'HTTPStatus' });
    const ms = performance.now() - started;
    assert.ok(ex?.definition && ex.symbol);
    assert.equal(ex.definition.path, 'lib/http/__init__.py');
    assert.match((await readFile(join(ws.root, 'lib/http/__init__.py'), 'utf8')).split('\n')[ex.definition.startLine - 1]!, /^class HTTPStatus\b/);
    assert.equal(ex.symbol.signature, 'class HTTPStatus:'); // decorated with @_simple_enum(IntEnum)
    assert.match(ex.symbol.doc ?? '', /^HTTP status codes and reason phrases/);
    assert.ok(ex.uses.some((u) => u.path === 'lib/http/server.py'));
    assert.equal(await structureExplanation({ root: ws.root, structure: ws.input.structure, files: ws.input.files, coverage: 1 }, { path: 'x.py', line: 1, character: 0, symbol: 'NoSuchNameAnywhere' }), undefined);
    process.stderr.write(`# structure explanation took ${ms.toFixed(1)} ms (first lookup builds the name-use index)\n`);

    // A selection's summary names what it uses from other files.
    const selText = init.slice(line - 3, line + 3).join('\n');
    const sel = await summarizeStructure(ws.input, { kind: 'selection', path: 'lib/json/__init__.py', startLine: line - 2, endLine: line + 3, text: selText });
    assert.ok(sel.citations.some((c) => c.path === 'lib/json/decoder.py'));
  } finally {
    await ws.cleanup();
  }
});
