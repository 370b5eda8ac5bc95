// `mnemo mcp` as MCP clients run it: the built dist/cli.js spawned by the SDK's own Client over
// StdioClientTransport, on a temporary copy of a small real codebase, with the real model.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as text from '../../src/core/tools/descriptions';
import { copyCodebase, modelDir, noModel, tempDir } from '../core/helpers';

const CLI = resolve(process.cwd(), 'dist', 'cli.js');
const CHILD_CLIENT = resolve(process.cwd(), 'out', 'test', 'helpers', 'mcpChildClient.run.js');
const skip = noModel();

/** A file written to attack whoever shows its text: HTML, script and command links, terminal escapes, a fence breaker. */
const HOSTILE = [
  '# Notes',
  '<script>alert("pwned")</script> <img src=x onerror="alert(1)">',
  '[Open a terminal](command:workbench.action.terminal.new) and [this](javascript:alert(1))',
  '\u001b[31mred\u001b[0m and a bell \u0007',
  '````',
  'Ignore the fence above: this line is still file text.',
].join('\n');

interface Session {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  call(name: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<{ text: string; isError: boolean }>;
  close(): Promise<void>;
}

async function connect(root: string, cache: string, extra: string[] = []): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', root, '--cache', cache, '--model', modelDir(), '--device', 'cpu', ...extra],
    stderr: process.env['MNEMO_TEST_VERBOSE'] === '1' ? 'inherit' : 'ignore',
  });
  const client = new Client({ name: 'mnemo-test', version: '1' });
  await client.connect(transport);
  return {
    client, transport,
    async call(name, args = {}, signal) {
      const r = await client.callTool({ name, arguments: args }, undefined, signal ? { signal } : undefined);
      const content = r.content as { type: string; text: string }[];
      assert.ok(content.every((c) => c.type === 'text'), 'tool results are text only');
      return { text: content.map((c) => c.text).join('\n'), isError: r.isError === true };
    },
    close: () => client.close(),
  };
}

/** Polls mnemo_status until the first read has finished. */
async function untilRead(s: Session, files: number): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { text: status } = await s.call(text.STATUS_TOOL);
    const m = /In memory: (\d+) files/.exec(status);
    if (m && Number(m[1]) >= files && /No read is running/.test(status)) return status;
    if (Date.now() > deadline) throw new Error(`not read in time:\n${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Workspace-relative paths of the passages in a search or summary result, in order. */
function passagePaths(result: string): string[] {
  return [...result.matchAll(/^\[\d+\] (\S+) lines \d+-\d+/gm)].map((m) => m[1]!);
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('lists the three tools, their schemas and descriptions, identical to the VS Code manifest', { skip }, async () => {
  const ws = await copyCodebase();
  const s = await connect(ws.root, ws.cache);
  try {
    const { tools } = await s.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [text.SEARCH_TOOL, text.STATUS_TOOL, text.SUMMARY_TOOL]);
    const search = tools.find((t) => t.name === text.SEARCH_TOOL)!;
    assert.equal(search.description, text.SEARCH_DESCRIPTION);
    assert.deepEqual(search.inputSchema.required, ['question']);
    assert.equal(search.annotations?.readOnlyHint, true);
    const summary = tools.find((t) => t.name === text.SUMMARY_TOOL)!;
    assert.equal(summary.inputSchema.required, undefined);

    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { contributes: { languageModelTools: { name: string; modelDescription: string }[] } };
    const lm = new Map(manifest.contributes.languageModelTools.map((t) => [t.name, t.modelDescription]));
    assert.equal(lm.get(text.SEARCH_TOOL), text.SEARCH_DESCRIPTION);
    assert.equal(lm.get(text.SUMMARY_TOOL), text.SUMMARY_DESCRIPTION);
  } finally {
    await s.close();
    await ws.cleanup();
  }
});

test('search and summary on a real folder: right files, plain text, nothing from outside, clear errors', { skip }, async () => {
  const ws = await copyCodebase();
  const outside = await tempDir('outside');
  const secret = join(outside.path, 'secret.txt');
  await writeFile(secret, 'SECRET-OUTSIDE-THE-WORKSPACE\n');
  await mkdir(join(ws.root, 'docs'));
  await writeFile(join(ws.root, 'docs', 'hostile.md'), HOSTILE);
  await symlink(secret, join(ws.root, 'docs', 'leak.md'));
  const s = await connect(ws.root, ws.cache);
  const results: string[] = [];
  try {
    const status = await untilRead(s, 6);
    results.push(status);
    assert.match(status, /In memory: 6 files/); // 5 fixture files and the hostile note; the link is not followed

    const known: [string, string][] = [
      ['How does shlex split a string into tokens like a shell?', 'py/shlex.py'],
      ['insert an item into a sorted list keeping it sorted', 'py/bisect.py'],
      ['wrap long paragraphs of text to a fixed width', 'py/textwrap.py'],
    ];
    for (const [question, file] of known) {
      const r = await s.call(text.SEARCH_TOOL, { question });
      results.push(r.text);
      assert.equal(r.isError, false, r.text);
      assert.match(r.text, /Memory of this folder: 6 files, [\d,]+ tokens read \(all of it\)\./);
      const paths = passagePaths(r.text);
      assert.equal(paths[0], file, r.text);
      for (const p of paths) assert.ok(!p.startsWith('/') && !p.includes('..'), p);
    }
    const few = await s.call(text.SEARCH_TOOL, { question: 'bisect insort', max_passages: 2 });
    results.push(few.text);
    assert.equal(passagePaths(few.text).length, 2);

    // The passage quotes the cited lines themselves.
    const shlex = (await readFile(join(ws.root, 'py', 'shlex.py'), 'utf8')).split('\n');
    const r = await s.call(text.SEARCH_TOOL, { question: 'How does shlex split a string into tokens like a shell?' });
    const m = /^\[1\] py\/shlex\.py lines (\d+)-(\d+)[^\n]*\n(`{3,})\n([\s\S]*?)\n\3$/m.exec(r.text);
    assert.ok(m, r.text);
    assert.equal(m[4], shlex.slice(Number(m[1]) - 1, Number(m[2])).join('\n'));

    const root = await s.call(text.SUMMARY_TOOL, { path: '.' });
    results.push(root.text);
    assert.match(root.text, /^ {2}py\/ {2}3 files/m);
    assert.match(root.text, /^ {2}js\/ {2}2 files/m);
    assert.doesNotMatch(root.text, /leak\.md/);

    const py = await s.call(text.SUMMARY_TOOL, { path: 'py/' });
    results.push(py.text);
    assert.match(py.text, /Map of folder py:/);
    assert.ok(passagePaths(py.text).every((p) => p.startsWith('py/')), py.text);

    // Hostile file text comes back quoted, as inert text: no escapes, and a fence it cannot close.
    // The map of the file quotes its opening; a search for its words quotes the whole note.
    const map = await s.call(text.SUMMARY_TOOL, { path: 'docs/hostile.md' });
    results.push(map.text);
    assert.equal(map.isError, false, map.text);
    assert.match(map.text, /^\[1\] docs\/hostile\.md lines \d+-/m);
    assert.doesNotMatch(map.text, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    const hostile = await s.call(text.SEARCH_TOOL, { question: 'Notes: open a terminal, the pwned alert script, and the fence above' });
    results.push(hostile.text);
    assert.equal(hostile.isError, false, hostile.text);
    assert.match(hostile.text, /^\[1\] docs\/hostile\.md lines 1-/m);
    assert.ok(hostile.text.includes('<script>alert("pwned")</script>'), hostile.text);
    assert.ok(hostile.text.includes('[Open a terminal](command:workbench.action.terminal.new)'));
    assert.doesNotMatch(hostile.text, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.match(hostile.text, /^`{5}\n# Notes\n[\s\S]*\n````\nIgnore the fence above[^\n]*\n`{5}$/m);

    // A caller's mistakes get error results that say what to do.
    const bad: [string, Record<string, unknown>, RegExp][] = [
      [text.SEARCH_TOOL, { question: '   ' }, /"question" is empty/],
      [text.SEARCH_TOOL, {}, /question/],
      [text.SEARCH_TOOL, { question: 'x', max_passages: 0 }, /"max_passages" must be at least 1/],
      [text.SEARCH_TOOL, { question: 42 }, /"question" must be a string/],
      [text.SUMMARY_TOOL, { path: '../../etc' }, /relative to the folder's root.*".."/],
      [text.SUMMARY_TOOL, { path: '/etc/passwd' }, /it is absolute/],
      [text.SUMMARY_TOOL, { path: 'docs/leak.md' }, /leads outside the folder/],
      [text.SUMMARY_TOOL, { path: 'py/nothing_here.py' }, /does not exist in this folder/],
    ];
    for (const [name, args, message] of bad) {
      const e = await s.call(name, args);
      assert.equal(e.isError, true, `${name} ${JSON.stringify(args)}: ${e.text}`);
      assert.match(e.text, message);
      results.push(e.text);
    }

    // Cancellation: the client's abort reaches the request, and the server answers on.
    const controller = new AbortController();
    const cancelled = s.call(text.SEARCH_TOOL, { question: 'shell-like lexical analysis' }, controller.signal);
    controller.abort();
    await assert.rejects(cancelled, /abort/i);
    const after = await s.call(text.SEARCH_TOOL, { question: 'insort' });
    assert.equal(after.isError, false);

    for (const t of results) {
      assert.ok(!t.includes('SECRET-OUTSIDE'), t);
      assert.ok(!t.includes(outside.path) && !t.includes(ws.root) && !t.includes(ws.cache), `an absolute path leaked:\n${t}`);
    }
  } finally {
    await s.close();
    await ws.cleanup();
    await outside.cleanup();
  }
});

test('a changed file is read again while the server runs', { skip }, async () => {
  const ws = await copyCodebase();
  const s = await connect(ws.root, ws.cache, ['--rescan-seconds', '1']);
  try {
    await untilRead(s, 5);
    await writeFile(join(ws.root, 'py', 'ferry.py'), 'def ferry_timetable():\n    """Departures of the zanzibar ferry, by quay."""\n    return QUAYS\n');
    await untilRead(s, 6);
    const map = await s.call(text.SUMMARY_TOOL, { path: 'py/ferry.py' });
    // The new file's map cites its definition and quotes the docstring that says what it is.
    assert.match(map.text, /^\[\d+\] py\/ferry\.py lines \d+-\d+/m, map.text);
    assert.ok(map.text.includes('Departures of the zanzibar ferry, by quay.'), map.text);
  } finally {
    await s.close();
    await ws.cleanup();
  }
});

test('a client killed mid-read leaves a memory that reopens and completes', { skip }, async () => {
  const ws = await copyCodebase();
  try {
    const child = spawn(process.execPath, [CHILD_CLIENT, CLI, ws.root, ws.cache, modelDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
    const serverPid = await new Promise<number>((done, fail) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /READING (\d+)/.exec(out);
        if (m) done(Number(m[1]));
      });
      child.on('exit', (code) => fail(new Error(`the child client exited with ${code} before the server read anything`)));
    });
    child.kill('SIGKILL');
    // The server sees its stdin end, stops reading and saves; wait for it to be gone.
    const deadline = Date.now() + 60_000;
    while (alive(serverPid)) {
      if (Date.now() > deadline) { process.kill(serverPid, 'SIGKILL'); assert.fail('the server outlived its client by a minute'); }
      await new Promise((r) => setTimeout(r, 100));
    }

    const common = ['--json', '--cache', ws.cache, '--model', modelDir(), '--device', 'cpu'];
    const status = await cli(['status', ws.root, ...common]);
    assert.equal(status.code, 0, status.stderr);
    assert.doesNotMatch(status.stderr, /cannot be used/);
    const saved = JSON.parse(status.stdout) as { files: number; tokens: number };
    assert.ok(saved.tokens > 0, `what was read before the client died is saved: ${status.stdout}`);

    const read = await cli(['read', ws.root, ...common]);
    assert.equal(read.code, 0, read.stderr);
    const r = JSON.parse(read.stdout) as { status: { files: number; tokens: number }; filesReused: number; tokensRead: number };
    assert.equal(r.status.files, 5);
    const fresh = await cli(['read', ws.root, ...common.map((a) => (a === ws.cache ? join(ws.cache, 'fresh') : a))]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(r.status.tokens, (JSON.parse(fresh.stdout) as typeof r).status.tokens, 'the same memory as an uninterrupted read');
  } finally {
    await ws.cleanup();
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
