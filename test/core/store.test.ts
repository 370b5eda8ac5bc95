// The snapshot store: round trips, damage detection, foreign snapshots, the writer's lock, and
// writers killed mid-write. This file is also the killed writer: run with
// MNEMO_STORE_WRITER=<dir> it writes snapshots in a loop until it is killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, symlink, truncate, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  CacheError, CacheLockedError, STORE_FORMAT, deleteSnapshot, readSnapshot, snapshotBytes, workspaceCacheDir, writeSnapshot,
} from '../../src/core/store';

const MODEL = { modelId: 'mnemo-rmt-small', modelVersion: '1.0.0', root: '/work/ws' };
const STATE_BYTES = 24 * 1024 * 1024;

/** Snapshot number `seed`: every byte of it is derivable from the seed, so damage shows. */
function snapshotOf(seed: number): Record<string, Uint8Array> {
  return {
    state: Buffer.alloc(STATE_BYTES, seed & 0xff),
    index: Buffer.from(JSON.stringify({ seed, files: ['a.ts', 'b.md'] })),
    empty: new Uint8Array(0),
  };
}

function checkSnapshot(got: { header: { meta: unknown }; sections: Record<string, Uint8Array> }): number {
  const seed = (got.header.meta as { seed: number }).seed;
  const state = got.sections.state!;
  assert.equal(state.length, STATE_BYTES);
  assert.ok(Buffer.from(state).equals(Buffer.alloc(STATE_BYTES, seed & 0xff)), `state of snapshot ${seed} intact`);
  assert.equal(JSON.parse(Buffer.from(got.sections.index!).toString()).seed, seed);
  assert.equal(got.sections.empty!.length, 0);
  return seed;
}

async function writerChild(dir: string, firstSeed: number): Promise<void> {
  for (let seed = firstSeed; ; seed++) {
    process.stdout.write(`writing ${seed}\n`);
    await writeSnapshot(dir, { ...MODEL, meta: { seed } }, snapshotOf(seed));
    process.stdout.write(`wrote ${seed}\n`);
  }
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function expectCacheError(promise: Promise<unknown>, kind: CacheError['kind'], message?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof CacheError, `a CacheError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

async function generation(dir: string): Promise<string> {
  return join(dir, JSON.parse(await readFile(join(dir, 'CURRENT'), 'utf8')).generation);
}

if (process.env.MNEMO_STORE_WRITER) {
  void writerChild(process.env.MNEMO_STORE_WRITER, Number(process.env.MNEMO_STORE_SEED ?? 1));
} else {
  test('round trip keeps header and sections; a second write replaces the first and cleans up', async (t) => {
    const dir = join(await tempDir(t), 'ws-cache');
    const sections = { keys: new Uint8Array([1, 2, 3, 250]), 'odd name/with:chars': Buffer.from('text'), none: new Uint8Array(0) };
    const { bytes } = await writeSnapshot(dir, { ...MODEL, meta: { files: 2, nested: { a: [1, 'x'] } } }, sections);
    const got = await readSnapshot(dir, MODEL);
    assert.equal(got.header.format, STORE_FORMAT);
    assert.equal(got.header.modelId, MODEL.modelId);
    assert.equal(got.header.modelVersion, MODEL.modelVersion);
    assert.equal(got.header.root, MODEL.root);
    assert.ok(!Number.isNaN(Date.parse(got.header.createdAt)));
    assert.deepEqual(got.header.meta, { files: 2, nested: { a: [1, 'x'] } });
    assert.deepEqual(Object.keys(got.sections), Object.keys(sections));
    for (const [name, data] of Object.entries(sections)) assert.deepEqual(Buffer.from(got.sections[name]!), Buffer.from(data));
    assert.ok(bytes > 8 && bytes <= (await snapshotBytes(dir)));

    const first = await generation(dir);
    await writeSnapshot(dir, { ...MODEL, meta: { files: 3 } }, { keys: new Uint8Array([9]) });
    const again = await readSnapshot(dir, MODEL);
    assert.deepEqual(again.header.meta, { files: 3 });
    assert.deepEqual(Object.keys(again.sections), ['keys']);
    const entries = (await readdir(dir)).sort();
    assert.deepEqual(entries, ['CURRENT', basename(await generation(dir))].sort(), 'old generation and lock are gone');
    assert.notEqual(first, await generation(dir));
  });

  test('a missing snapshot is "missing"; delete removes it; sizes are 0 when absent', async (t) => {
    const root = await tempDir(t);
    await expectCacheError(readSnapshot(join(root, 'nothing'), MODEL), 'missing');
    assert.equal(await snapshotBytes(join(root, 'nothing')), 0);
    const dir = join(root, 'ws');
    await writeSnapshot(dir, { ...MODEL, meta: null }, { a: new Uint8Array(1000) });
    assert.ok((await snapshotBytes(dir)) > 1000);
    await deleteSnapshot(dir);
    await expectCacheError(readSnapshot(dir, MODEL), 'missing');
    assert.equal(await snapshotBytes(dir), 0);
    await deleteSnapshot(dir); // twice is fine
  });

  test('damage anywhere is "corrupt": flipped byte, truncation, garbage, lost files', async (t) => {
    const root = await tempDir(t);
    const damages: [string, (dir: string, gen: string) => Promise<void>][] = [
      ['flipped byte in a section', async (_d, gen) => {
        const file = join(gen, 'section-000.bin');
        const data = await readFile(file);
        data[500] ^= 0x01;
        await writeFile(file, data);
      }],
      ['truncated section', async (_d, gen) => truncate(join(gen, 'section-001.bin'), 10)],
      ['lost section', async (_d, gen) => rm(join(gen, 'section-001.bin'))],
      ['edited header', async (_d, gen) => {
        const file = join(gen, 'header.json');
        await writeFile(file, (await readFile(file, 'utf8')).replace(MODEL.root, '/work/wx'));
      }],
      ['garbage manifest', async (_d, gen) => writeFile(join(gen, 'manifest.json'), 'not json at all')],
      ['garbage pointer', async (d) => writeFile(join(d, 'CURRENT'), '\0\0\0garbage')],
      ['empty pointer', async (d) => writeFile(join(d, 'CURRENT'), '')],
      ['pointer to nowhere', async (d) => writeFile(join(d, 'CURRENT'),
        JSON.stringify({ format: STORE_FORMAT, generation: 'gen-missing', manifestSha256: '00' }))],
    ];
    for (const [what, damage] of damages) {
      const dir = join(root, what.replace(/ /g, '-'));
      await writeSnapshot(dir, { ...MODEL, meta: { what } }, { big: Buffer.alloc(4096, 7), small: Buffer.from('0123456789abcdef') });
      await readSnapshot(dir, MODEL);
      await damage(dir, await generation(dir).catch(() => ''));
      await expectCacheError(readSnapshot(dir, MODEL), 'corrupt');
      // A fresh write repairs it.
      await writeSnapshot(dir, { ...MODEL, meta: { what } }, { big: Buffer.alloc(10, 1) });
      assert.equal((await readSnapshot(dir, MODEL)).sections.big!.length, 10, what);
    }
  });

  test('another model, version, workspace or store format is refused', async (t) => {
    const dir = join(await tempDir(t), 'ws');
    await writeSnapshot(dir, { ...MODEL, meta: {} }, { a: new Uint8Array([1]) });
    await expectCacheError(readSnapshot(dir, { ...MODEL, modelId: 'other-model' }), 'foreign', /made by model mnemo-rmt-small, not other-model/);
    await expectCacheError(readSnapshot(dir, { ...MODEL, modelVersion: '2.0.0' }), 'version', /version 1\.0\.0, not 2\.0\.0/);
    await expectCacheError(readSnapshot(dir, { ...MODEL, root: '/work/other' }), 'foreign', /belongs to \/work\/ws/);
    const pointer = JSON.parse(await readFile(join(dir, 'CURRENT'), 'utf8'));
    await writeFile(join(dir, 'CURRENT'), JSON.stringify({ ...pointer, format: STORE_FORMAT + 1 }));
    await expectCacheError(readSnapshot(dir, MODEL), 'version', /store format 2/);
  });

  test('workspace cache folders are stable, distinct, readable, and follow symbolic links', async (t) => {
    const base = await tempDir(t);
    await mkdir(join(base, 'My Project'));
    await mkdir(join(base, 'other', 'My Project'), { recursive: true });
    await symlink(join(base, 'My Project'), join(base, 'alias'));
    const a = workspaceCacheDir('/cache', join(base, 'My Project'));
    assert.equal(a, workspaceCacheDir('/cache', join(base, 'My Project')));
    assert.equal(a, workspaceCacheDir('/cache', join(base, 'alias')));
    assert.notEqual(a, workspaceCacheDir('/cache', join(base, 'other', 'My Project')));
    assert.match(a, /^\/cache\/My_Project-[0-9a-f]{16}$/);
  });

  test('the lock: a live writer is waited for, then refused; a dead one is taken over', async (t) => {
    const dir = join(await tempDir(t), 'ws');
    await mkdir(dir);
    const lock = join(dir, 'LOCK');
    const live = { pid: process.pid, host: hostname(), createdAt: new Date().toISOString(), token: 'other-writer' };
    await writeFile(lock, JSON.stringify(live));
    await assert.rejects(writeSnapshot(dir, { ...MODEL, meta: 1 }, {}, { lockWaitMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof CacheLockedError);
      assert.match(err.message, new RegExp(`pid ${process.pid}`));
      return true;
    });
    // Released while we wait: the write goes ahead.
    const started = Date.now();
    setTimeout(() => void rm(lock), 300);
    await writeSnapshot(dir, { ...MODEL, meta: 2 }, {}, { lockWaitMs: 5000 });
    assert.ok(Date.now() - started >= 250, 'it waited for the holder');
    assert.equal((await readSnapshot(dir, MODEL)).header.meta, 2);

    // A lock left by a process that has exited is stale.
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = dead.pid!;
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(lock, JSON.stringify({ ...live, pid: deadPid }));
    await writeSnapshot(dir, { ...MODEL, meta: 3 }, {}, { lockWaitMs: 0 });
    assert.equal((await readSnapshot(dir, MODEL)).header.meta, 3);
    // So is a garbled lock file, once it is old.
    await writeFile(lock, '{"pid": 12');
    await utimes(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await writeSnapshot(dir, { ...MODEL, meta: 4 }, {}, { lockWaitMs: 0 });
    assert.equal((await readSnapshot(dir, MODEL)).header.meta, 4);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('LOCK')), []);
  });

  test('two writers in one process take turns', async (t) => {
    const dir = join(await tempDir(t), 'ws');
    await Promise.all([1, 2, 3].map((n) => writeSnapshot(dir, { ...MODEL, meta: n }, { a: Buffer.alloc(1 << 20, n) })));
    const got = await readSnapshot(dir, MODEL);
    assert.ok(Buffer.from(got.sections.a!).equals(Buffer.alloc(1 << 20, got.header.meta as number)));
  });

  test('a writer killed at any point leaves the previous snapshot loadable and intact', { timeout: 240_000 }, async (t) => {
    const dir = join(await tempDir(t), 'ws');
    await writeSnapshot(dir, { ...MODEL, meta: { seed: 0 } }, snapshotOf(0));
    const delays = [0, 1, 2, 4, 7, 10, 15, 20, 30, 45, 60, 80, 110, 150, 200, 300];
    let seed = 1;
    const seen = new Set<number>();
    for (const delay of delays) {
      const env: NodeJS.ProcessEnv = { ...process.env, MNEMO_STORE_WRITER: dir, MNEMO_STORE_SEED: String(seed) };
      delete env.NODE_TEST_CONTEXT;
      const child = spawn(process.execPath, [__filename], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let lastWriting = -1;
      let output = '';
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          for (const m of output.matchAll(/writing (\d+)/g)) lastWriting = Math.max(lastWriting, Number(m[1]));
          if (lastWriting >= 0) resolve();
        });
        child.on('exit', () => reject(new Error(`writer exited early: ${output}`)));
      });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      for (const m of output.matchAll(/writing (\d+)/g)) lastWriting = Math.max(lastWriting, Number(m[1]));

      const got = await readSnapshot(dir, MODEL);
      const loaded = checkSnapshot(got);
      assert.ok(loaded === 0 || (loaded >= 1 && loaded <= lastWriting), `snapshot ${loaded} is one that was written`);
      seen.add(loaded);
      seed = lastWriting + 1;
    }
    // The next writer takes over the dead writer's lock and clears its leftovers.
    await writeSnapshot(dir, { ...MODEL, meta: { seed } }, snapshotOf(seed));
    assert.equal(checkSnapshot(await readSnapshot(dir, MODEL)), seed);
    assert.deepEqual((await readdir(dir)).sort(), ['CURRENT', basename(await generation(dir))].sort());
    t.diagnostic(`snapshots found after kills: ${[...seen].sort((a, b) => a - b).join(', ')}`);
  });
}
