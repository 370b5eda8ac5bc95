// `mnemo` as a user runs it: the built dist/cli.js on a temporary copy of a small real
// codebase, with the real model; --json output is parsed and checked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { copyCodebase, FIXTURE_CODEBASE, modelDir, noModel } from '../core/helpers';

const CLI = resolve(process.cwd(), 'dist', 'cli.js');
const skip = noModel();

function mnemo(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('bad usage exits 2 with help', async () => {
  const r = await mnemo(['frobnicate', '.']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command "frobnicate"/);
  const h = await mnemo(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /mnemo ask <dir>/);
});

test('a missing model folder exits 1 and says what to do', async () => {
  const r = await mnemo(['status', '.', '--model', '/nonexistent/model']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No model folder at \/nonexistent\/model.*--model/);
});

test('read, ask, summarize, explain, status and forget with --json', { skip }, async () => {
  const ws = await copyCodebase();
  const common = ['--json', '--cache', ws.cache, '--model', modelDir(), '--device', 'cpu'];
  try {
    const read = await mnemo(['read', ws.root, ...common]);
    assert.equal(read.code, 0, read.stderr);
    const r = JSON.parse(read.stdout);
    assert.equal(r.filesRead, 5);
    assert.equal(r.cancelled, false);
    assert.ok(r.tokensRead > 10_000);
    assert.equal(r.status.files, 5);
    assert.equal(r.status.device, 'cpu');

    const ask = await mnemo(['ask', ws.root, 'What does shlex.split do?', '--max-tokens', '8', ...common]);
    assert.equal(ask.code, 0, ask.stderr);
    const a = JSON.parse(ask.stdout);
    assert.equal(typeof a.text, 'string');
    assert.equal(a.coverage, 1);
    assert.ok(a.citations.length > 0);
    for (const c of a.citations) {
      const lines = (await readFile(join(ws.root, c.path), 'utf8')).split('\n').length;
      assert.ok(c.startLine >= 1 && c.endLine >= c.startLine && c.endLine <= lines, JSON.stringify(c));
    }

    const text = await mnemo(['ask', ws.root, 'bisect insort', '--max-tokens', '4', '--retrieval', 'lexical', ...common.filter((x) => x !== '--json')]);
    assert.equal(text.code, 0, text.stderr);
    // The answer sentence, then the passages: place, who found it, and the lines quoted with their numbers.
    assert.match(text.stdout, /^I am not sure of the answer\./);
    assert.match(text.stdout, /\n\npy\/bisect\.py:\d+(-\d+)? {2}\(lexical, score \d+\.\d{3}\)\n {2,}\d+ \| .*insort/);
    const bad = await mnemo(['ask', ws.root, 'bisect', '--retrieval', 'bm25', ...common]);
    assert.equal(bad.code, 2);
    // With --json the error is JSON on stdout.
    assert.match(JSON.parse(bad.stdout).error.message, /--retrieval must be auto, lexical or model/);

    const sum = await mnemo(['summarize', ws.root, 'py', '--max-tokens', '8', ...common]);
    assert.equal(sum.code, 0, sum.stderr);
    assert.ok(JSON.parse(sum.stdout).citations.every((c: { path: string }) => c.path.startsWith('py/')));

    const ex = await mnemo(['explain', ws.root, 'py/textwrap.py:1', 'TextWrapper', '--max-tokens', '4', ...common]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.equal(JSON.parse(ex.stdout).definition.path, 'py/textwrap.py');

    const status = await mnemo(['status', ws.root, ...common]);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.files, 5);
    assert.equal(s.tokens, r.tokensRead);
    assert.ok(s.diskBytes > 0);

    const again = JSON.parse((await mnemo(['read', ws.root, ...common])).stdout);
    assert.deepEqual([again.filesRead, again.filesReused], [0, 5]);

    const forget = await mnemo(['forget', ws.root, ...common]);
    assert.equal(forget.code, 0, forget.stderr);
    assert.equal(JSON.parse(forget.stdout).forgotten, true);
    const after = JSON.parse((await mnemo(['status', ws.root, ...common])).stdout);
    assert.deepEqual([after.files, after.diskBytes], [0, 0]);
  } finally {
    await ws.cleanup();
  }
});

test('Ctrl-C during a read saves what was read and exits 130', { skip }, async () => {
  const ws = await copyCodebase();
  try {
    // Eight more copies, so that the read lasts long enough to be interrupted.
    for (let i = 0; i < 8; i++) await cp(FIXTURE_CODEBASE, join(ws.root, `copy${i}`), { recursive: true });
    const child = spawn(process.execPath, [CLI, 'read', ws.root, '--cache', ws.cache, '--model', modelDir(), '--device', 'cpu', '--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Plain progress lines (stderr is not a TTY); interrupt once reading has begun.
      if (/reading [0-9.]+% [1-9]/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    assert.equal(code, 130, stderr);
    const r = JSON.parse(stdout);
    assert.equal(r.cancelled, true);
    assert.ok(r.status.tokens > 0 && r.status.diskBytes > 0);
  } finally {
    await ws.cleanup();
  }
});
