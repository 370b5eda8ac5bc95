// What a new user hits on the command line (issue 12): every answer to a mistake is a clear
// message and a non-zero exit, --json errors are JSON, skipped files are counted by reason in
// the CLI's own words, and options that shape a memory are remembered with it.
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURE_CODEBASE, modelDir, noModel, tempDir } from '../core/helpers';
import { mnemo } from './helpers';

const skip = noModel();

test('usage mistakes get clear messages and non-zero exits; --json errors are JSON; --version', { skip }, async () => {
  const t = await tempDir('ux');
  const root = join(t.path, 'ws');
  const common = ['--cache', join(t.path, 'cache'), '--model', modelDir(), '--device', 'cpu'];
  try {
    await mkdir(join(root, 'py'), { recursive: true });
    await copyFile(join(FIXTURE_CODEBASE, 'py', 'bisect.py'), join(root, 'py', 'bisect.py'));

    const version = await mnemo(['--version', '--model', modelDir()]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^mnemo \d+\.\d+\.\d+, Node 2\d\.[\d.]+, model mnemo-m2 /);

    const file = await mnemo(['read', join(root, 'py', 'bisect.py'), ...common]);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /needs a folder, and .*bisect\.py is a file/);

    const early = await mnemo(['ask', root, 'where is insort?', ...common]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /has been read yet: run `mnemo read .*ws` first/);
    assert.doesNotMatch(early.stderr, /Mnemo: Read Workspace/);
    const earlyJson = await mnemo(['ask', root, 'where is insort?', '--json', ...common]);
    assert.equal(earlyJson.code, 1);
    assert.equal(JSON.parse(earlyJson.stdout).error.kind, 'nothing-read');
    const usageJson = await mnemo(['explain', root, '--json', ...common]);
    assert.equal(usageJson.code, 2);
    assert.equal(JSON.parse(usageJson.stdout).error.kind, 'usage');

    const read = await mnemo(['read', root, ...common]);
    assert.equal(read.code, 0, read.stderr);

    // Paths: absolute inside the folder works, outside is refused; lines past the end are refused.
    const abs = await mnemo(['summarize', root, join(root, 'py', 'bisect.py'), '--max-tokens', '4', '--json', ...common]);
    assert.equal(abs.code, 0, abs.stderr);
    assert.ok(JSON.parse(abs.stdout).citations.every((c: { path: string }) => c.path === 'py/bisect.py'));
    const outside = await mnemo(['summarize', root, '/etc/hostname', ...common]);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /\/etc\/hostname is not inside /);
    const past = await mnemo(['explain', root, 'py/bisect.py:99999', 'insort', ...common]);
    assert.equal(past.code, 2);
    assert.match(past.stderr, /py\/bisect\.py has 1\d\d lines; line 99999 is past its end/);
    const missing = await mnemo(['explain', root, 'py/nope.py:1', 'insort', ...common]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /py\/nope\.py does not exist/);

    // Questions: empty, 100 KB, and with control characters.
    const empty = await mnemo(['ask', root, ' \t ', ...common]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /needs a question/);
    const huge = await mnemo(['ask', root, 'insort '.repeat(15_000), '--json', ...common]);
    assert.equal(huge.code, 2);
    assert.match(JSON.parse(huge.stdout).error.message, /104,999 characters long; Mnemo takes questions of up to 2,000/);
    const control = await mnemo(['ask', root, 'where\u0007 is\u001b[31m insort\r\nleft?', '--max-tokens', '4', '--json', ...common]);
    assert.equal(control.code, 0, control.stderr);
    assert.equal(JSON.parse(control.stdout).citations[0].path, 'py/bisect.py');
  } finally {
    await t.cleanup();
  }
});

test('skipped files are counted by reason with the CLI option that reads them, and options are remembered', { skip }, async () => {
  const t = await tempDir('ux');
  const root = join(t.path, 'ws');
  const common = ['--cache', join(t.path, 'cache'), '--model', modelDir(), '--device', 'cpu'];
  try {
    await mkdir(join(root, 'py'), { recursive: true });
    await copyFile(join(FIXTURE_CODEBASE, 'py', 'bisect.py'), join(root, 'py', 'bisect.py'));
    await copyFile(join(FIXTURE_CODEBASE, 'py', 'shlex.py'), join(root, 'py', 'shlex.py'));
    // A 3 MiB generated code file (over the 2 MiB code limit) and a 3 MiB book (under 64 MiB).
    await writeFile(join(root, 'bundle.js'), 'var x = 1;\n'.repeat(300_000));
    await writeFile(join(root, 'data.txt'), Buffer.alloc(5000, 0));
    await writeFile(join(root, 'book.txt'), 'In the beginning.\n'.repeat(10));

    const first = await mnemo(['read', root, '--max-file-bytes', '5000', ...common]);
    assert.equal(first.code, 0, first.stderr);
    // shlex.py (~11 KB) and bundle.js are over 5000 bytes; data.bin is binary.
    assert.match(first.stdout, /Read: 2 files read, 0 reused, 0 removed, 3 skipped \(2 too large, 1 binary\);/);
    assert.match(first.stdout, /2 files over --max-file-bytes \(4\.9 KiB\), e\.g\. bundle\.js \(3\.1 MiB\): pass --max-file-bytes 3400000 to read them\./);
    assert.doesNotMatch(first.stdout + first.stderr, /mnemo\.maxFileBytes/);

    // Remembered: a later read and status use 5000 without being told again.
    const again = await mnemo(['read', root, ...common]);
    assert.match(again.stdout, /0 files read, 2 reused, 0 removed, 3 skipped \(2 too large, 1 binary\)/);
    const status = JSON.parse((await mnemo(['status', root, '--json', ...common])).stdout);
    assert.equal(status.options.maxFileBytes, 5000);
    assert.equal(status.options.maxProseBytes, 64 * 1024 * 1024);
    const text = await mnemo(['status', root, ...common]);
    assert.match(text.stdout, /read with:\n {4}--max-file-bytes 5000 \(4\.9 KiB\), --max-prose-bytes 67108864 \(64 MiB\)/);

    // Given again, it changes: shlex.py is read; asking warns about nothing.
    const wider = await mnemo(['read', root, '--max-file-bytes', '20000', ...common]);
    assert.match(wider.stdout, /1 files read, 2 reused, 0 removed, 2 skipped \(1 binary, 1 too large\)/);
    const ask = await mnemo(['ask', root, 'shlex split quotes', '--max-tokens', '4', ...common]);
    assert.equal(ask.code, 0, ask.stderr);
    assert.doesNotMatch(ask.stdout + ask.stderr, /cannot be read again|Note: .*larger/);
  } finally {
    await t.cleanup();
  }
});
