// Mnemo under faults (issue 12): a full disk and a read-only cache, two reads of one folder at
// once, reads killed at random moments, every byte of the cache damaged. The last good memory
// must load, nothing half-written may stay, and nothing may crash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, cp, mkdir, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../src/core/engine';
import { WorkspaceMemory } from '../../src/core/memory';
import { loadModel, memoryVersionOf } from '../../src/core/model';
import { CacheError, readSnapshot, workspaceCacheDir } from '../../src/core/store';
import { FIXTURE_CODEBASE, modelDir, noModel, recordingLogger, tempDir } from '../core/helpers';
import { mnemo, start } from './helpers';

const skip = noModel();
const isRoot = process.getuid?.() === 0;

function canMount(): string | false {
  if (!isRoot || process.platform !== 'linux') return 'mounting a small tmpfs needs root on Linux';
  return false;
}

/** A workspace of one small real file, and its cache. */
async function smallWorkspace(prefix: string) {
  const t = await tempDir(prefix);
  const root = join(t.path, 'ws');
  await mkdir(join(root, 'py'), { recursive: true });
  await cp(join(FIXTURE_CODEBASE, 'py', 'bisect.py'), join(root, 'py', 'bisect.py'));
  return { t, root };
}

const gens = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith('gen-'));

test('a full disk and a read-only cache: a clear error naming the folder, nothing half-written, the last memory loads', { skip: skip || canMount() }, async () => {
  const { t, root } = await smallWorkspace('disk');
  const mount = join(t.path, 'cache');
  await mkdir(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
  const common = ['--cache', mount, '--model', modelDir(), '--device', 'cpu', '--json'];
  try {
    const first = await mnemo(['read', root, ...common]);
    assert.equal(first.code, 0, first.stderr);
    const tokens = JSON.parse(first.stdout).status.tokens as number;
    const dir = workspaceCacheDir(mount, root);

    // Fill the disk with 4 KiB files, then free two: room for the lock and a little, not a snapshot.
    const fillers: string[] = [];
    for (let i = 0; ; i++) {
      const f = join(mount, `filler-${i}`);
      try { await writeFile(f, Buffer.alloc(4096, 1)); fillers.push(f); } catch { await rm(f, { force: true }); break; }
    }
    for (const f of fillers.splice(-2)) await rm(f);
    await appendFile(join(root, 'py', 'bisect.py'), '\n# changed, so the memory must be saved again\n');
    const full = await mnemo(['read', root, ...common]);
    assert.equal(full.code, 1, full.stdout + full.stderr);
    const err = JSON.parse(full.stdout).error;
    assert.equal(err.kind, 'cache-write');
    assert.match(err.message, new RegExp(`Cannot save the memory in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full \\(ENOSPC\\)`));
    assert.equal((await gens(dir)).length, 1, 'only the last good generation remains');
    const after = JSON.parse((await mnemo(['status', root, ...common])).stdout);
    assert.equal(after.tokens, tokens);
    for (const f of fillers) await rm(f);

    // Read-only: the same, with the file system's own words.
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const ro = await mnemo(['read', root, ...common]);
    assert.equal(ro.code, 1);
    assert.match(JSON.parse(ro.stdout).error.message, /Cannot save the memory in .*read-only file system \(EROFS\)/);
    const ask = await mnemo(['ask', root, 'insort', '--max-tokens', '4', ...common]);
    assert.equal(ask.code, 0, ask.stderr);
    assert.equal(JSON.parse(ask.stdout).citations[0].path, 'py/bisect.py');
  } finally {
    execFileSync('umount', [mount]);
    await t.cleanup();
  }
});

test('two reads of one folder at once: one waits, then finds the work done; nothing is read twice', { skip }, async () => {
  const t = await tempDir('two');
  const root = join(t.path, 'ws');
  await cp(FIXTURE_CODEBASE, root, { recursive: true });
  const common = ['--cache', join(t.path, 'cache'), '--model', modelDir(), '--device', 'cpu', '--json'];
  try {
    const [a, b] = await Promise.all([mnemo(['read', root, ...common]), mnemo(['read', root, ...common])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    const waited = [a, b].filter((r) => /is reading .*; waiting for it to finish/.test(r.stderr));
    assert.equal(waited.length, 1, a.stderr + b.stderr);
    // Between them every file was read exactly once.
    assert.deepEqual([ra.filesRead + rb.filesRead, ra.filesReused + rb.filesReused], [5, 5]);
    assert.equal(ra.status.tokens, rb.status.tokens);
    const s = JSON.parse((await mnemo(['status', root, ...common])).stdout);
    assert.deepEqual([s.files, s.tokens], [5, ra.status.tokens]);
  } finally {
    await t.cleanup();
  }
});

test('a read SIGKILLed at random moments: status and ask never crash, and the memory only grows', { skip }, async () => {
  const t = await tempDir('kill');
  const root = join(t.path, 'ws');
  // Twelve copies of the fixture: about 300k tokens.
  for (let i = 0; i < 12; i++) await cp(FIXTURE_CODEBASE, join(root, `copy${i}`), { recursive: true });
  const common = ['--cache', join(t.path, 'cache'), '--model', modelDir(), '--device', 'cpu', '--json'];
  // A fixed seed, so a failure can be replayed; the moments are printed.
  let seed = 12;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const trials: string[] = [];
  let before = 0;
  let kept = 0;
  try {
    for (let trial = 0; trial < 10; trial++) {
      const ms = 2000 + Math.floor(random() * 14_000);
      const run = start(['read', root, '--verbose', ...common]);
      await new Promise((r) => setTimeout(r, ms));
      run.child.kill('SIGKILL');
      const killed = await run.done;
      // What the read said it had saved before it was killed must be there.
      const saved = Math.max(0, ...[...killed.stderr.matchAll(/Checkpoint: (\d+) tokens in memory saved/g)].map((m) => Number(m[1])));
      const status = await mnemo(['status', root, ...common]);
      assert.equal(status.code, 0, `trial ${trial}: status after a kill at ${ms} ms: ${status.stdout}${status.stderr}`);
      const s = JSON.parse(status.stdout);
      assert.ok(s.tokens >= before, `trial ${trial}: the memory shrank from ${before} to ${s.tokens} tokens`);
      assert.ok(s.tokens >= saved, `trial ${trial}: a checkpoint saved ${saved} tokens, but ${s.tokens} are in memory after the kill`);
      const ask = await mnemo(['ask', root, 'How does shlex split a command line?', '--max-tokens', '4', ...common]);
      if (s.tokens > 0) {
        assert.equal(ask.code, 0, `trial ${trial}: ${ask.stdout}${ask.stderr}`);
        assert.ok(JSON.parse(ask.stdout).citations.length > 0);
      } else {
        assert.equal(JSON.parse(ask.stdout).error.kind, 'nothing-read', ask.stdout);
      }
      if (s.tokens > before) kept++;
      trials.push(`${ms} ms${killed.signal === 'SIGKILL' ? '' : ' (had finished)'}: ${s.tokens} tokens (${saved} at the last checkpoint)`);
      before = s.tokens;
    }
    process.stderr.write(`# kills: ${trials.join('; ')}\n`);
    // How much each kill kept depends on the machine's speed; that it kept every checkpoint is checked above.
    process.stderr.write(`# ${kept} of 10 killed reads added to the memory\n`);
    const finish = await mnemo(['read', root, ...common]);
    assert.equal(finish.code, 0, finish.stderr);
    assert.equal(JSON.parse(finish.stdout).status.files, 60);
  } finally {
    await t.cleanup();
  }
});

/** Every position of a small file; for larger ones the first and last 64 and 256 spread evenly (all of them took ~3 minutes here). */
function positions(length: number): number[] {
  if (length <= 1024) return Array.from({ length }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < 64; i++) { out.add(i); out.add(length - 1 - i); }
  for (let k = 0; k < 256; k++) out.add(Math.floor((k * length) / 256));
  return [...out].sort((a, b) => a - b);
}

test('every byte of every small cache file flipped or cut (sampled in large ones): detected, never trusted', { skip }, async () => {
  const { t, root } = await smallWorkspace('flip');
  const cache = join(t.path, 'cache');
  const model = await loadModel(modelDir(), 'cpu', recordingLogger());
  try {
    const engine = await openEngine({ root, cacheDir: cache, modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    await engine.read();
    const good = engine.status();
    await engine.dispose();
    const dir = workspaceCacheDir(cache, root);
    const expect = { modelId: model.config.id, modelVersion: memoryVersionOf(model.config), root };
    const [gen] = await gens(dir);
    const files = ['CURRENT', ...(await readdir(join(dir, gen!))).map((n) => join(gen!, n))];
    /** What engine.open does with the bytes on disk: the snapshot's checks, then the memory's own. */
    const loads = async (): Promise<boolean> => {
      try {
        const { sections } = await readSnapshot(dir, expect);
        WorkspaceMemory.deserialize(model.config, sections);
        return true;
      } catch (e) {
        if (e instanceof CacheError || e instanceof Error) return false;
        throw e;
      }
    };
    assert.equal(await loads(), true);
    let trials = 0;
    for (const name of files) {
      const path = join(dir, name);
      const original = await readFile(path);
      for (const i of positions(original.length)) {
        const bad = Buffer.from(original);
        bad[i] = bad[i]! ^ 0x01;
        await writeFile(path, bad);
        assert.equal(await loads(), false, `${name}: byte ${i} of ${original.length} flipped and still accepted`);
        trials++;
      }
      for (const n of positions(original.length)) {
        await writeFile(path, original);
        await truncate(path, n);
        assert.equal(await loads(), false, `${name}: cut to ${n} of ${original.length} bytes and still accepted`);
        trials++;
      }
      await writeFile(path, original);
    }
    process.stderr.write(`# ${trials} damaged caches (${files.length} files), all refused\n`);

    // The engine deletes what it refused and reads again.
    const section = files.find((f) => f.endsWith('section-001.bin'))!;
    const bytes = await readFile(join(dir, section));
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(join(dir, section), bytes);
    const logger = recordingLogger();
    const again = await openEngine({ root, cacheDir: cache, modelDir: modelDir(), device: 'cpu', logger });
    assert.ok(logger.lines.some((l) => /cannot be used \(corrupt: .*It was deleted/.test(l)), logger.lines.join('\n'));
    assert.equal(again.status().files, 0);
    const r = await again.read();
    assert.equal(r.filesRead, 1);
    assert.equal(again.status().tokens, good.tokens);
    await again.dispose();
    assert.ok((await stat(join(dir, 'CURRENT'))).size > 0);
  } finally {
    await model.runtime.dispose();
    await t.cleanup();
  }
});
