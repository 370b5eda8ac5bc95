// Nothing outside the workspace is read, shown or cited: not through a saved memory whose file
// list was rewritten (checksums made valid again, as anyone who can write the cache can do), not
// through a file replaced by a symbolic link after it was read, not through a name with a line break.
import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openEngine } from '../../src/core/engine';
import { readSnapshot, workspaceCacheDir, writeSnapshot } from '../../src/core/store';
import { isInside, resolveInside, unsafeRelativePath } from '../../src/core/workspacePath';
import { copyCodebase, modelDir, noModel, recordingLogger } from './helpers';

const skip = noModel();
const SECRET = 'TOP-SECRET-OUTSIDE-THE-WORKSPACE';

test('unsafeRelativePath refuses every way out and accepts plain paths', () => {
  for (const p of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'a\\..\\x', '', 'a//b', './a', 'a/.', 'a\nb', 'a\u0000b']) {
    assert.ok(unsafeRelativePath(p), `${JSON.stringify(p)} must be refused`);
  }
  for (const p of ['a', 'src/a.ts', '.hidden/x', 'a..b/c', '名前/ファイル.txt']) assert.equal(unsafeRelativePath(p), undefined, p);
  assert.ok(isInside('/w', '/w/a') && isInside('/w', '/w') && !isInside('/w', '/wx') && !isInside('/w', '/'));
});

test('a saved memory naming ../ paths is rejected and rebuilt; nothing outside is cited', { skip }, async () => {
  const ws = await copyCodebase();
  const outside = join(ws.root, '..', 'secret.txt');
  try {
    await writeFile(outside, `${SECRET}\n`.repeat(10));
    const logger = recordingLogger();
    const opts = { root: ws.root, cacheDir: ws.cache, modelDir: modelDir(), device: 'cpu' as const, logger };
    let engine = await openEngine(opts);
    await engine.read();
    await engine.dispose();

    // Rewrite the file list: point the first file at the secret, with valid checksums.
    const dir = workspaceCacheDir(ws.cache, ws.root);
    const engineIdentity = { modelId: engine.status().modelId, modelVersion: engine.status().memoryVersion, root: ws.root };
    const { header, sections } = await readSnapshot(dir, engineIdentity);
    const files = JSON.parse(new TextDecoder().decode(sections['files'])) as { path: string }[];
    files[0]!.path = '../secret.txt';
    await writeSnapshot(dir, { modelId: header.modelId, modelVersion: header.modelVersion, root: header.root, meta: header.meta },
      { ...sections, files: new TextEncoder().encode(JSON.stringify(files)) });

    engine = await openEngine(opts);
    try {
      assert.ok(logger.lines.some((l) => /cannot be used \(corrupt: .*not a path inside the workspace/.test(l)), logger.lines.join('\n'));
      assert.equal(engine.status().files, 0, 'the tampered memory must not be loaded');
      await engine.read();
      for (const retrieval of ['model', 'lexical', 'auto'] as const) {
        const a = await engine.ask(SECRET, { retrieval, maxTokens: 4 });
        for (const c of a.citations) assert.ok(unsafeRelativePath(c.path) === undefined, c.path);
        assert.ok(!a.text.includes(SECRET));
      }
    } finally {
      await engine.dispose();
    }
  } finally {
    await rm(outside, { force: true });
    await ws.cleanup();
  }
});

test('a file replaced by a link out of the workspace after reading is not read again', { skip }, async () => {
  const ws = await copyCodebase();
  const outside = join(ws.root, '..', 'secret.txt');
  try {
    await writeFile(outside, `${SECRET}\n`);
    const engine = await openEngine({ root: ws.root, cacheDir: ws.cache, modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    try {
      await engine.read();
      const victim = 'py/bisect.py';
      await rm(join(ws.root, victim));
      await symlink(outside, join(ws.root, victim));
      await assert.rejects(resolveInside(ws.root, victim), /leads outside the workspace/);
      const a = await engine.ask('bisect insort sorted list', { retrieval: 'lexical', maxTokens: 4 });
      assert.ok(a.warnings?.some((w) => /leads outside the workspace/.test(w)), JSON.stringify(a.warnings));
      assert.ok(!a.text.includes(SECRET));
    } finally {
      await engine.dispose();
    }
  } finally {
    await rm(outside, { force: true });
    await ws.cleanup();
  }
});

test('a file named with a line break is left out with a reason', { skip }, async () => {
  const ws = await copyCodebase();
  try {
    await mkdir(join(ws.root, 'odd'), { recursive: true });
    await writeFile(join(ws.root, 'odd', 'a\nb.txt'), 'line one\n');
    const engine = await openEngine({ root: ws.root, cacheDir: ws.cache, modelDir: modelDir(), device: 'cpu', logger: recordingLogger() });
    try {
      const r = await engine.read();
      assert.ok(r.filesSkipped.some((s) => /control character/.test(s.reason)), JSON.stringify(r.filesSkipped));
    } finally {
      await engine.dispose();
    }
  } finally {
    await ws.cleanup();
  }
});
