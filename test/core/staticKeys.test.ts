// Static keys: the TypeScript featurizer and key agree with the Python side that trained the
// table (features exactly, keys to float rounding) on real files; a question in other words
// finds its function by keys alone; and a model folder with a staticKeys block makes the reader
// store, and the query use, those keys.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../src/core/engine';
import { readModelConfig } from '../../src/core/model';
import { fnv1a32, rawFeatures, StaticKeys, type StaticKeysConfig } from '../../src/core/staticKeys';
import { FIXTURE_CODEBASE, copyCodebase, modelDir, noModel, recordingLogger, tempDir } from './helpers';

const TABLE_DIR = resolve(process.cwd(), 'models', 'mnemo-m2');
const PARITY = resolve(process.cwd(), 'test', 'fixtures', 'static-keys', 'parity.json');
const noTable = existsSync(join(TABLE_DIR, 'static_keys.bin')) ? false : `no table at ${TABLE_DIR}: run models/mnemo/keys/export.py`;
/** The staticKeys block the shipped model.json declares. */
async function tableBlock(): Promise<StaticKeysConfig> {
  return (JSON.parse(await readFile(join(TABLE_DIR, 'model.json'), 'utf8')) as { staticKeys: StaticKeysConfig }).staticKeys;
}

interface ParityFixture {
  files: { path: string; features: [string, number][]; windows: [number, number][]; keys: number[][] }[];
  questions: { text: string; features: [string, number][]; key: number[] }[];
}

async function loadTable(): Promise<StaticKeys> {
  return StaticKeys.load(TABLE_DIR, await tableBlock());
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('FNV-1a matches the reference values', () => {
  // Published test vectors of 32-bit FNV-1a.
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  // Beyond ASCII the hash runs over the UTF-8 bytes, as the Python side's.
  const bytewise = (s: string): number => {
    let h = 0x811c9dc5;
    for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h;
  };
  for (const s of ['g:ä>', 'w:naïve', 'i:日本語', 'g:\u{1f600}x']) assert.equal(fnv1a32(s), bytewise(s), s);
});

/** features.py's featurizer written with its own regular expressions, to check the faster one. */
function featuresByRegex(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  const add = (f: string): void => { tf.set(f, (tf.get(f) ?? 0) + 1); };
  for (const m of text.matchAll(/[A-Za-z0-9_]+/g)) {
    const tok = m[0];
    const parts = Array.from(tok.matchAll(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+/g), (p) => p[0].toLowerCase());
    if (parts.length > 1) {
      const whole = tok.toLowerCase().replace(/^_+|_+$/g, '');
      if (whole.length >= 2 && whole.length <= 60) add('i:' + whole);
    }
    for (const p of parts) {
      if (p.length < 2 || p.length > 30) continue;
      add('w:' + p);
      const padded = '<' + p + '>';
      for (let i = 0; i + 3 <= padded.length; i++) add('g:' + padded.slice(i, i + 3));
    }
  }
  return tf;
}

test('the featurizer finds what the regular expressions of features.py find, in the same order', () => {
  const texts = [
    'parseHTTPHeader_value = 42; x1 = y_2 + __init__(self) # naïve café über日本語foo',
    'for (let i = 0; i < n; i++) total += items[i].priceUSD * 1.08e3;',
    'abc 123 a1 1a _ __ ___x___ XMLHttpRequest getID3Tag ABC abcDEF a b cc 0x7fff',
    'α-beta γ9 λx. x\tTAB\r\nCRLF zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz 1234567890123456789012345678901',
    '',
  ];
  for (const text of texts) assert.deepEqual([...rawFeatures(text, false)], [...featuresByRegex(text)], text);
});

test('identifiers split into stemmed words, whole identifiers and 3-grams', () => {
  const f = rawFeatures('parseHTTPHeader_value');
  assert.equal(f.get('i:parsehttpheader_value'), 1);
  for (const w of ['w:pars', 'w:http', 'w:header', 'w:valu', 'g:<pa', 'g:tp>', 'g:lue']) assert.ok(f.has(w), w);
  assert.ok(!f.has('w:parsehttpheader_value'));
});

test('features and keys agree with the Python side on real files', { skip: noTable }, async () => {
  const fixture = JSON.parse(await readFile(PARITY, 'utf8')) as ParityFixture;
  const table = await loadTable();
  let windows = 0;
  for (const file of fixture.files) {
    const text = await readFile(join(FIXTURE_CODEBASE, file.path), 'utf8');
    assert.deepEqual([...rawFeatures(text)], file.features, `${file.path}: features differ`);
    const lines = text.split('\n');
    file.windows.forEach(([a, b], i) => {
      const key = table.key(lines.slice(a - 1, b).join('\n'));
      assert.ok(maxDiff(key, file.keys[i]!) < 1e-5, `${file.path}:${a}-${b}: key differs`);
      windows++;
    });
  }
  for (const q of fixture.questions) {
    assert.deepEqual([...rawFeatures(q.text)], q.features, q.text);
    assert.ok(maxDiff(table.key(q.text), q.key) < 1e-5, q.text);
  }
  assert.ok(windows > 50, `${windows} windows compared`);
});

/** 40-line windows of every fixture file, the way parity.py cuts them. */
async function windows(): Promise<{ path: string; start: number; text: string }[]> {
  const out: { path: string; start: number; text: string }[] = [];
  for (const sub of ['py', 'js']) {
    for (const name of (await readdir(join(FIXTURE_CODEBASE, sub))).filter((n) => /\.(py|js)$/.test(n))) {
      const lines = (await readFile(join(FIXTURE_CODEBASE, sub, name), 'utf8')).split('\n');
      for (let s = 0; s < lines.length; s += 40) out.push({ path: `${sub}/${name}`, start: s + 1, text: lines.slice(s, s + 40).join('\n') });
    }
  }
  return out;
}

test('a question in other words finds its function by keys alone', { skip: noTable }, async () => {
  const table = await loadTable();
  const all = await windows();
  const keys = all.map((w) => table.key(w.text));
  const best = (question: string): { path: string; text: string } => {
    const q = table.key(question);
    let top = 0;
    let score = -Infinity;
    keys.forEach((k, i) => {
      let d = 0;
      for (let j = 0; j < k.length; j++) d += k[j]! * q[j]!;
      if (d > score) { score = d; top = i; }
    });
    return all[top]!;
  };
  // shlex.quote: "Return a shell-escaped version of the string *s*." BM25 over the same windows
  // ranks a window of ignore.js first for this question: it shares no rare word with the code.
  const quote = best('quote a string so the shell treats it as one word');
  assert.equal(quote.path, 'py/shlex.py');
  assert.match(quote.text, /def quote\(s\)/);
  // shlex.split: "Split the string *s* using shell-like syntax."
  const split = best('split a shell command line into words');
  assert.equal(split.path, 'py/shlex.py');
  assert.match(split.text, /def split\(/);
});

test('a model folder with static keys stores them and answers from them', { skip: noModel() || noTable }, async () => {
  const m = await tempDir('static-model');
  const ws = await copyCodebase();
  try {
    // The shipped model's files, with the table and its block added: keyDim follows the table.
    const block = await tableBlock();
    for (const f of await readdir(modelDir())) if (f !== 'model.json' && f !== block.file) await symlink(join(modelDir(), f), join(m.path, f));
    await symlink(join(TABLE_DIR, block.file), join(m.path, block.file));
    const config = JSON.parse(await readFile(join(modelDir(), 'model.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(m.path, 'model.json'), JSON.stringify({ ...config, id: 'static-keys-test', keyDim: block.dim, staticKeys: block }));
    assert.equal((await readModelConfig(m.path)).staticKeys?.dim, block.dim);

    const bad = join(m.path, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'model.json'), JSON.stringify({ ...config, keyDim: 64, staticKeys: block }));
    await assert.rejects(readModelConfig(bad), /staticKeys\.dim \(\d+\) must equal keyDim \(64\)/);

    const engine = await openEngine({ root: ws.root, cacheDir: ws.cache, modelDir: m.path, device: 'cpu', logger: recordingLogger() });
    try {
      await engine.read();
      const a = await engine.ask('quote a string so the shell treats it as one word', { retrieval: 'model', maxTokens: 2 });
      const top = a.citations[0]!;
      assert.equal(top.path, 'py/shlex.py');
      const lines = (await readFile(join(ws.root, top.path), 'utf8')).split('\n').slice(top.startLine - 1, top.endLine).join('\n');
      // The citation is narrowed to the lines of the segment that match best: quote()'s own lines.
      assert.match(lines, /def quote\(s\)|_find_unsafe|shell-escaped version of the string \*s\*/);
    } finally {
      await engine.dispose();
    }
  } finally {
    await ws.cleanup();
    await m.cleanup();
  }
});
