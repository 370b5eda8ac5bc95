// Running the built CLI as a user would, for the CLI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve(process.cwd(), 'dist', 'cli.js');

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function start(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<Run>((ok, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function mnemo(args: string[]): Promise<Run> {
  return start(args).done;
}
