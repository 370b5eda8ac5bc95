// The suite's side of the probe extension (test/e2e/probe/): packages it, hands it the tool calls
// to make, and reads back what `vscode.lm.invokeTool` returned inside the real VS Code. Also reads
// Mnemo's plain-text tool results (src/core/tools/search.ts, renderPassage) into passages.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The probe's id (publisher.name in test/e2e/probe/package.json): its global storage folder's name. */
export const PROBE_ID = 'mnemo-e2e.mnemo-probe';
/** Its command, as the palette shows it. */
export const PROBE_COMMAND = "Mnemo Probe: Invoke Mnemo's Language-Model Tools";

export interface ProbeCall {
  readonly id: string;
  readonly tool: 'mnemo_search' | 'mnemo_summary';
  readonly input: Record<string, unknown>;
  /** Cancel the call's token this many milliseconds after invoking. */
  readonly cancelAfterMs?: number;
}

export interface ProbeResult {
  readonly id: string;
  readonly tool: string;
  readonly ok: boolean;
  readonly seconds: number;
  /** The result's LanguageModelTextPart values, in order. */
  readonly text: string[];
  /** Class names of any other parts. */
  readonly other: string[];
  readonly error?: { name: string; message: string };
}

export interface ProbeReport {
  readonly ok: boolean;
  readonly error?: string;
  readonly vscodeVersion: string;
  /** Mnemo's tools as `vscode.lm.tools` lists them. */
  readonly tools: { name: string; description: string; inputSchema?: { required?: string[]; properties?: Record<string, unknown> }; tags: string[] }[];
  /** How long the probe waited for the tools to report a complete memory. */
  readonly ready: { seconds: number; line: string };
  /** `vscode.lm.selectChatModels()`, as vendor/id. */
  readonly chatModels: string[];
  readonly results: ProbeResult[];
}

/** Packages test/e2e/probe with vsce into `outDir` and returns the VSIX path. */
export function packageProbe(repo: string, outDir: string): string {
  const out = join(outDir, 'mnemo-probe.vsix');
  const result = spawnSync(join(repo, 'node_modules/.bin/vsce'), [
    'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out,
  ], { cwd: join(repo, 'test/e2e/probe'), encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(out)) {
    throw new Error(`vsce package of test/e2e/probe failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return out;
}

/** The probe's global storage folder in code-server's user data (where Mnemo's memory lies too). */
export function probeDir(userDataDir: string): string {
  return join(userDataDir, 'User', 'globalStorage', PROBE_ID);
}

/** Writes calls.json for the probe and removes any earlier results.json. */
export function writeCalls(userDataDir: string, calls: readonly ProbeCall[], readyTimeoutSeconds: number): void {
  const dir = probeDir(userDataDir);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, 'results.json'), { force: true });
  writeFileSync(join(dir, 'calls.json'), JSON.stringify({ readyTimeoutSeconds, calls }, null, 2));
}

/** Waits for the probe's results.json (it writes it whole, then renames it into place). */
export async function readReport(userDataDir: string, timeoutMs: number): Promise<ProbeReport> {
  const file = join(probeDir(userDataDir), 'results.json');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the probe wrote no results.json within ${timeoutMs / 1000}s (did its command run?)`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as ProbeReport;
  if (!report.ok) throw new Error(`the probe could not run: ${report.error}`);
  return report;
}

export interface ToolPassage {
  readonly n: number;
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** The rest of the heading line, e.g. " (found by keyword search and Mnemo's memory model)". */
  readonly note: string;
  /** The quoted lines, without their fence. */
  readonly lines: string;
}

/** The passages of a tool result: "[n] path lines a-b (found by …)" and a fence of backticks. */
export function toolPassages(text: string): ToolPassage[] {
  const found: ToolPassage[] = [];
  for (const m of text.matchAll(/^\[(\d+)\] (\S+) lines (\d+)-(\d+)([^\n]*)\n(`{3,})\n([\s\S]*?)\n\6$/gm)) {
    found.push({ n: Number(m[1]), path: m[2]!, start: Number(m[3]), end: Number(m[4]), note: m[5]!, lines: m[7]! });
  }
  return found;
}
