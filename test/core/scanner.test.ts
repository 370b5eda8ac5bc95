// Scanning a workspace: ignore files, patterns, symbolic links, odd files and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from '../../src/core/api';
import { DEFAULT_EXCLUDES, isReadableKind, scanWorkspace, type ScanResult } from '../../src/core/scanner';

type Tree = Record<string, string | Buffer>;

async function workspace(t: { after(fn: () => Promise<void>): void }, tree: Tree): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mnemo-scan-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const paths = (r: ScanResult) => r.files.map((f) => f.path);
const reasonOf = (r: ScanResult, path: string) => r.skipped.find((s) => s.path === path)?.reason;

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`), debug: (m) => lines.push(`debug ${m}`),
  };
}

test('nested .gitignore files, negation, anchoring and .git/info/exclude', async (t) => {
  const root = await workspace(t, {
    '.gitignore': '*.log\n/build-notes.md\nsecret/\n',
    '.git/info/exclude': 'local.md\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    'a.ts': 'a', 'debug.log': 'x', 'build-notes.md': 'x', 'local.md': 'x',
    'keep/important.log': 'x',
    'keep/.gitignore': '!important.log\n',
    'keep/other.log': 'x',
    'docs/build-notes.md': 'not anchored here',
    'secret/key.md': 'x',
    'sub/.gitignore': 'gen/\n*.txt\n!keep.txt\n',
    'sub/x.ts': 'x', 'sub/gen/out.ts': 'x', 'sub/drop.txt': 'x', 'sub/keep.txt': 'x',
    'sub/deeper/y.txt': 'x',
  });
  const log = recordingLogger();
  const r = await scanWorkspace(root, { logger: log });
  assert.deepEqual(paths(r), [
    '.gitignore', 'a.ts', 'docs/build-notes.md', 'keep/.gitignore', 'sub/.gitignore', 'sub/keep.txt', 'sub/x.ts',
  ]);
  // Re-included by keep/.gitignore, then left out only because .log is not a type Mnemo reads.
  assert.match(reasonOf(r, 'keep/important.log')!, /not a known text, code or document type/);
  assert.equal(reasonOf(r, 'debug.log'), 'ignored by .gitignore');
  assert.equal(reasonOf(r, 'build-notes.md'), 'ignored by .gitignore');
  assert.equal(reasonOf(r, 'local.md'), 'ignored by .git/info/exclude');
  assert.equal(reasonOf(r, 'secret'), 'folder ignored by .gitignore');
  assert.equal(reasonOf(r, 'keep/other.log'), 'ignored by .gitignore');
  assert.equal(reasonOf(r, 'sub/gen'), 'folder ignored by sub/.gitignore');
  assert.equal(reasonOf(r, 'sub/drop.txt'), 'ignored by sub/.gitignore');
  assert.equal(reasonOf(r, 'sub/deeper/y.txt'), 'ignored by sub/.gitignore');
  assert.equal(r.skipped.some((s) => s.path.startsWith('.git/') || s.path === '.git'), false, '.git is silently skipped');
  assert.ok(log.lines.some((l) => l.includes('Skipped sub/drop.txt: ignored by sub/.gitignore')), 'every skip is logged');
});

test('a negated pattern re-includes a .log file that is then read only if included by kind', async (t) => {
  const root = await workspace(t, { '.gitignore': '*.log\n!keep.log\n', 'keep.log': 'x', 'drop.log': 'x' });
  const r = await scanWorkspace(root, { include: ['*.log'] });
  assert.deepEqual(paths(r), ['keep.log']);
  assert.equal(reasonOf(r, 'drop.log'), 'ignored by .gitignore');
});

test('default excludes, and VS Code files.exclude globs replacing them', async (t) => {
  const root = await workspace(t, {
    'src/a.ts': 'a', 'node_modules/pkg/index.js': 'x', 'dist/a.js': 'x', 'app.min.js': 'x', 'app.js.map': 'x',
    'package-lock.json': '{}', 'logo.png': Buffer.from([0x89, 0x50]), 'src/tmp/t.ts': 'x', 'src/b.gen.ts': 'x',
    'notes/x.md': 'x',
  });
  const r = await scanWorkspace(root);
  assert.deepEqual(paths(r), ['notes/x.md', 'src/a.ts', 'src/b.gen.ts', 'src/tmp/t.ts']);
  assert.match(reasonOf(r, 'node_modules')!, /^folder matches an exclude pattern/);
  assert.match(reasonOf(r, 'app.min.js')!, /exclude pattern/);
  assert.match(reasonOf(r, 'logo.png')!, /exclude pattern/);

  const vscode = await scanWorkspace(root, { exclude: ['**/tmp', '**/*.{gen.ts,md}', 'dist/**'] });
  assert.deepEqual(paths(vscode), ['app.min.js', 'node_modules/pkg/index.js', 'package-lock.json', 'src/a.ts']);
  assert.match(reasonOf(vscode, 'src/tmp')!, /^folder matches an exclude pattern/);
  assert.ok(DEFAULT_EXCLUDES.includes('node_modules/'));
});

test('include keeps only matching files and can add unknown types', async (t) => {
  const root = await workspace(t, { 'src/a.ts': 'a', 'src/b.py': 'b', 'docs/c.md': 'c', 'data/d.csv': '1,2', 'e.ts': 'e' });
  assert.deepEqual(paths(await scanWorkspace(root, { include: ['src/**', 'docs/'] })), ['docs/c.md', 'src/a.ts', 'src/b.py']);
  assert.deepEqual(paths(await scanWorkspace(root, { include: ['*.ts'] })), ['e.ts', 'src/a.ts']);
  const all = await scanWorkspace(root);
  assert.equal(paths(all).includes('data/d.csv'), false);
  assert.match(reasonOf(all, 'data/d.csv')!, /not a known text, code or document type/);
  assert.deepEqual(paths(await scanWorkspace(root, { include: ['*.csv'] })), ['data/d.csv']);
  assert.equal(isReadableKind('data/d.csv'), false);
  assert.equal(isReadableKind('papers/p.pdf'), true);
  assert.equal(isReadableKind('site/index.html'), true);
});

test('size limits by kind: code over 2 MiB is skipped, prose up to 64 MiB is read; each skip says which limit', async (t) => {
  const root = await workspace(t, { 'big.js': 'x'.repeat(3 * 1024 * 1024), 'big.md': 'x'.repeat(3 * 1024 * 1024), 'small.md': 'x' });
  const log = recordingLogger();
  const r = await scanWorkspace(root, { logger: log });
  assert.deepEqual(paths(r), ['big.md', 'small.md']);
  assert.equal(reasonOf(r, 'big.js'), '3 MiB is larger than the limit for code and other files (2 MiB)');
  assert.deepEqual(r.skipped.find((s) => s.path === 'big.js'), {
    path: 'big.js', kind: 'too-large', reason: '3 MiB is larger than the limit for code and other files (2 MiB)',
    bytes: 3 * 1024 * 1024, limit: 2 * 1024 * 1024, setting: 'maxFileBytes',
  });
  assert.ok(log.lines.includes('info Skipped big.js: 3 MiB is larger than the limit for code and other files (2 MiB)'));
  assert.deepEqual(paths(await scanWorkspace(root, { maxFileBytes: 4 * 1024 * 1024 })), ['big.js', 'big.md', 'small.md']);
  const tight = await scanWorkspace(root, { maxProseBytes: 1024 * 1024 });
  assert.deepEqual(paths(tight), ['small.md']);
  assert.deepEqual(tight.skipped.map((s) => [s.path, s.kind, s.setting]), [['big.js', 'too-large', 'maxFileBytes'], ['big.md', 'too-large', 'maxProseBytes']]);
});

test('sizes, times and absolute paths are reported; order is sorted', async (t) => {
  const root = await workspace(t, { 'b.md': 'bb', 'a/z.ts': 'z', 'A.md': 'AAA', 'a.ts': 'a' });
  const r = await scanWorkspace(root);
  assert.deepEqual(paths(r), ['A.md', 'a.ts', 'a/z.ts', 'b.md']);
  const b = r.files.find((f) => f.path === 'b.md')!;
  assert.equal(b.size, 2);
  assert.equal(b.absPath, join(root, 'b.md'));
  assert.ok(b.mtimeMs > 0);
  assert.equal(await readFile(r.files[2]!.absPath, 'utf8'), 'z');
});

test('symbolic links: loops end, outside targets and broken links are skipped, inside links are read once', async (t) => {
  const outside = await workspace(t, { 'secret.md': 'outside' });
  const root = await workspace(t, { 'src/a.ts': 'a', 'lib/b.ts': 'b', 'docs/x.md': 'x' });
  await symlink('..', join(root, 'src', 'up'));                    // loop to the root
  await symlink('.', join(root, 'lib', 'self'));                   // loop to itself
  await symlink(join(outside, 'secret.md'), join(root, 'leak.md'));
  await symlink(outside, join(root, 'leakdir'));
  await symlink('missing.md', join(root, 'broken.md'));
  await symlink('src/a.ts', join(root, 'alias.ts'));               // duplicate of a real file
  await symlink('docs', join(root, 'a-docs'));                     // duplicate of a real folder, sorted first
  await mkdir(join(root, 'node_modules/pkg'), { recursive: true });
  await writeFile(join(root, 'node_modules/pkg/readme.md'), 'linked in');
  await symlink('node_modules/pkg', join(root, 'pkg'));            // a link into an excluded folder is read
  const r = await scanWorkspace(root);
  assert.deepEqual(paths(r), ['docs/x.md', 'lib/b.ts', 'pkg/readme.md', 'src/a.ts']);
  assert.match(reasonOf(r, 'src/up')!, /folder \., which is already read/);
  assert.match(reasonOf(r, 'lib/self')!, /folder lib, which is already read/);
  assert.match(reasonOf(r, 'leak.md')!, /outside the workspace/);
  assert.match(reasonOf(r, 'leakdir')!, /outside the workspace/);
  assert.equal(reasonOf(r, 'broken.md'), 'a broken symbolic link');
  assert.equal(reasonOf(r, 'alias.ts'), 'a symbolic link to src/a.ts, which is read under its own path');
  assert.match(reasonOf(r, 'a-docs')!, /folder docs, which is already read/);
});

test('a workspace opened through a symbolic link scans the same files', async (t) => {
  const real = await workspace(t, { 'a.md': 'a' });
  const parent = await mkdtemp(join(tmpdir(), 'mnemo-scan-link-'));
  t.after(() => rm(parent, { recursive: true, force: true }));
  await symlink(real, join(parent, 'ws'));
  const r = await scanWorkspace(join(parent, 'ws'));
  assert.deepEqual(r.files.map((f) => [f.path, f.absPath]), [['a.md', join(parent, 'ws', 'a.md')]]);
});

test('FIFOs and unreadable folders are skipped with a reason, never a crash', async (t) => {
  const root = await workspace(t, { 'a.md': 'a', 'locked/b.md': 'b' });
  execFileSync('mkfifo', [join(root, 'pipe.md')]);
  await chmod(join(root, 'locked'), 0o000);
  let r: ScanResult;
  try { r = await scanWorkspace(root); } finally { await chmod(join(root, 'locked'), 0o755); }
  assert.equal(reasonOf(r, 'pipe.md'), 'not a regular file (FIFO)');
  // Root can read any folder whatever its mode; elsewhere the folder is refused.
  const rootUser = process.getuid?.() === 0;
  if (rootUser) assert.deepEqual(paths(r), ['a.md', 'locked/b.md']);
  else {
    assert.deepEqual(paths(r), ['a.md']);
    assert.equal(reasonOf(r, 'locked'), 'folder could not be read: permission denied');
  }
});

test('a file vanishing and a folder replaced by a file mid-scan are skipped with reasons', async (t) => {
  const root = await workspace(t, { '.gitignore': 'aaa.log\n', 'aaa.log': 'x', 'b.md': 'b', 'sub/c.md': 'c', 'zzz.md': 'z' });
  // The skip of aaa.log is logged while the root is being listed: after readdir saw zzz.md and
  // sub/, before the scanner asks for zzz.md's size or lists sub/.
  const log = recordingLogger();
  let struck = false;
  const strike = (m: string) => {
    log.lines.push(m);
    if (struck || !m.includes('aaa.log')) return;
    struck = true;
    unlinkSync(join(root, 'zzz.md'));
    rmSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub'), 'now a file');
  };
  const r = await scanWorkspace(root, { logger: { ...log, debug: strike, info: strike } });
  assert.ok(struck);
  assert.deepEqual(paths(r), ['.gitignore', 'b.md']);
  assert.equal(reasonOf(r, 'zzz.md'), 'it vanished before it could be read');
  assert.equal(reasonOf(r, 'sub'), 'folder could not be read: a folder on its path was replaced by a file while reading');
});

test('cancellation throws an AbortError', async (t) => {
  const tree: Tree = {};
  for (let i = 0; i < 200; i++) tree[`d${i}/f.md`] = 'x';
  const root = await workspace(t, tree);
  const controller = new AbortController();
  const pending = scanWorkspace(root, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
  const already = AbortSignal.abort();
  await assert.rejects(scanWorkspace(root, { signal: already }), { name: 'AbortError' });
});

test('a missing workspace folder is an error that names it', async () => {
  await assert.rejects(scanWorkspace('/nonexistent/mnemo-ws'), /Cannot scan workspace folder \/nonexistent\/mnemo-ws: it vanished/);
});
