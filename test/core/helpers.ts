// Shared by the core and CLI tests: where the real model is, a temporary copy of a small real
// codebase, and a logger that remembers what it was told.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../../src/core/api';

/** The model folder under test: $MNEMO_MODEL_DIR, else models/mnemo-m2 in the repository. */
export function modelDir(): string {
  return resolve(process.env['MNEMO_MODEL_DIR'] ?? join(process.cwd(), 'models', 'mnemo-m2'));
}

/** A reason to skip model tests, or false when the model folder is there. */
export function noModel(): string | false {
  const dir = modelDir();
  return existsSync(join(dir, 'model.json'))
    ? false
    : `no model folder at ${dir}: set MNEMO_MODEL_DIR or commit models/mnemo-m2 (see docs/MODEL_CONTRACT.md)`;
}

export const FIXTURE_CODEBASE = resolve(process.cwd(), 'test', 'fixtures', 'codebase');

/** A fresh temporary folder; `cleanup` removes it. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `mnemo-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A temporary copy of test/fixtures/codebase (real files from Python's stdlib and npm's `ignore`). */
export async function copyCodebase(): Promise<{ root: string; cache: string; cleanup: () => Promise<void> }> {
  const t = await tempDir('ws');
  const root = join(t.path, 'codebase');
  await cp(FIXTURE_CODEBASE, root, { recursive: true });
  return { root, cache: join(t.path, 'cache'), cleanup: t.cleanup };
}

export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(echo = process.env['MNEMO_TEST_VERBOSE'] === '1'): RecordingLogger {
  const lines: string[] = [];
  const log = (level: string) => (m: string) => {
    lines.push(`${level}: ${m}`);
    if (echo) process.stderr.write(`[${level}] ${m}\n`);
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
}
