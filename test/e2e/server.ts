// code-server for the end-to-end run: installed by scripts/code-server.sh, given a fresh user
// data folder and extensions folder, the VSIXs installed with its own CLI, then served on a
// free localhost port. Everything it prints goes to a log file kept with the results.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CodeServer {
  readonly url: string;
  readonly userDataDir: string;
  stop(): Promise<void>;
}

export interface ServerPaths {
  readonly repo: string;
  /** Scratch folder: user data and extensions go below it. */
  readonly scratch: string;
  /** code-server's stdout and stderr. */
  readonly logFile: string;
}

/** Runs scripts/code-server.sh (instant once installed) and returns code-server's entry script. */
export function ensureCodeServer(repo: string): string {
  const result = spawnSync('bash', [join(repo, 'scripts/code-server.sh')], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`scripts/code-server.sh failed (exit ${result.status}); see its output above`);
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1]!;
}

/** Settings for a quiet, trusted, test-friendly window. */
const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'editor.hover.delay': 300,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Installs each VSIX into a fresh extensions folder with code-server's own CLI. */
export function installExtensions(entry: string, paths: ServerPaths, vsixes: readonly string[]): { userDataDir: string; extensionsDir: string } {
  const userDataDir = join(paths.scratch, 'user-data');
  const extensionsDir = join(paths.scratch, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const result = spawnSync(process.execPath, [
    entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, ...vsixes.flatMap((v) => ['--install-extension', v]),
  ], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  const installed = output.match(/was successfully installed/g)?.length ?? 0;
  if (result.status !== 0 || installed !== vsixes.length) {
    throw new Error(`code-server --install-extension ${vsixes.join(' ')} failed (exit ${result.status}, ${installed} of ${vsixes.length} installed):\n${output}`);
  }
  return { userDataDir, extensionsDir };
}

export async function startCodeServer(entry: string, paths: ServerPaths, dirs: { userDataDir: string; extensionsDir: string }): Promise<CodeServer> {
  const port = await freePort();
  const log = createWriteStream(paths.logFile);
  const child = spawn(process.execPath, [
    entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir,
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, 120_000);
  return { url, userDataDir: dirs.userDataDir, stop: () => stop(child) };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it served ${url}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000}s`);
}

/** Stops code-server and the extension hosts it started (its process group). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
