// Text for the status bar, the progress notification and the status quick pick.
// Pure functions: no `vscode` import, unit-tested in plain Node.

import type { ReadProgress, SkipCount } from '../core/api';
import { NothingReadError } from '../core/errors';
import { escapeMarkdown } from './links';

/** What the UI knows about one workspace folder's memory. */
export interface MemoryView {
  readonly folderName: string;
  readonly state: 'unloaded' | 'loading' | 'failed' | 'ready' | 'reading' | 'paused';
  /** Restricted Mode: reading is off until the workspace is trusted. */
  readonly restricted: boolean;
  readonly progress?: ReadProgress;
  readonly files: number;
  readonly tokens: number;
  readonly diskBytes?: number;
  readonly device?: string;
  readonly model?: string;
  readonly lastReadAt?: string;
  readonly error?: string;
  /** Files the last read left out, by reason. */
  readonly skipped?: readonly SkipCount[];
}

/** 950, 1.2k, 123k, 1.2M, 12M, 1.2B. */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '0';
  const scaled = (value: number, unit: string) => (value < 10 ? `${trim(value.toFixed(1))}${unit}` : `${Math.round(value)}${unit}`);
  if (n < 1000) return String(Math.round(n));
  if (n < 999_500) return scaled(n / 1e3, 'k');
  if (n < 999_500_000) return scaled(n / 1e6, 'M');
  return scaled(n / 1e9, 'B');
}

function trim(fixed: string): string {
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}

/** 45s, 2m, 1h 5m; undefined while the rate is unknown. */
export function formatEta(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined;
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))}s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)}m`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}m`;
}

/** 512 B, 3.4 KB, 34 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value < 10 ? trim(value.toFixed(1)) : Math.round(value)} ${units[unit]}`;
}

/** "5 min ago", from an ISO time and now. */
export function formatAgo(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return undefined;
  const seconds = Math.max(0, (now - then) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}

/** The message line of the reading notification. */
export function progressMessage(p: ReadProgress): string {
  const parts: string[] = [];
  if (p.phase === 'scanning') parts.push('Finding files');
  else if (p.phase === 'saving') parts.push('Saving memory');
  else if (p.phase === 'paused') parts.push('Paused');
  parts.push(`${formatTokens(p.tokensRead)} of ${p.phase === 'scanning' ? '~' : ''}${formatTokens(p.tokensTotal)} tokens`);
  if (p.filesTotal > 0) parts.push(`${p.filesRead}/${p.filesTotal} files`);
  const eta = p.phase === 'reading' ? formatEta(p.etaSeconds) : undefined;
  if (eta) parts.push(`ETA ${eta}`);
  if (p.phase === 'reading' && p.tokensPerSecond > 0) parts.push(`${formatTokens(p.tokensPerSecond)} tok/s`);
  return parts.join(' · ');
}

/** Percent done, 0..100, never NaN. */
export function progressPercent(p: Pick<ReadProgress, 'tokensRead' | 'tokensTotal'>): number {
  if (!(p.tokensTotal > 0)) return 0;
  return Math.min(100, Math.max(0, (p.tokensRead / p.tokensTotal) * 100));
}

/**
 * Keeps the notification's bar moving forward: `withProgress` takes increments, and the
 * total can grow while files are still being tokenized, so the fraction may go back.
 */
export class ProgressIncrements {
  private reported = 0;
  next(p: Pick<ReadProgress, 'tokensRead' | 'tokensTotal'>): number {
    const percent = progressPercent(p);
    if (percent <= this.reported) return 0;
    const increment = percent - this.reported;
    this.reported = percent;
    return increment;
  }
}

export interface StatusBarContent {
  readonly text: string;
  /** Markdown for the tooltip; every piece of it comes from us, not from the model. */
  readonly tooltip: string;
}

export function statusBarContent(views: readonly MemoryView[], now: number = Date.now()): StatusBarContent {
  const tooltip = tooltipFor(views, now);
  const active = views.filter((v) => v.state === 'reading' || v.state === 'paused');
  if (active.length > 0 && active.every((v) => !v.progress)) return { text: '$(sync~spin) Mnemo reading…', tooltip };
  if (active.length > 0) {
    const read = sum(active, (v) => v.progress?.tokensRead ?? 0);
    const total = sum(active, (v) => v.progress?.tokensTotal ?? 0);
    const counts = `${formatTokens(read)}/${formatTokens(total)} tok`;
    if (active.every((v) => v.state === 'paused')) return { text: `$(debug-pause) Mnemo paused ${counts}`, tooltip };
    const eta = formatEta(Math.max(...active.map((v) => v.progress?.etaSeconds ?? -1)));
    const device = active.find((v) => v.progress?.device)?.progress?.device;
    const parts = [`$(database) Mnemo ${counts}`];
    if (eta) parts.push(`ETA ${eta}`);
    if (device) parts.push(device);
    return { text: parts.join(' · '), tooltip };
  }
  if (views.some((v) => v.state === 'loading')) return { text: '$(loading~spin) Mnemo', tooltip };
  if (views.length > 0 && views.every((v) => v.state === 'failed')) return { text: '$(error) Mnemo', tooltip };
  const tokens = sum(views, (v) => v.tokens);
  if (tokens > 0) return { text: `$(database) Mnemo ✓ ${formatTokens(tokens)} tok`, tooltip };
  if (views.length > 0 && views.every((v) => v.restricted)) return { text: '$(shield) Mnemo', tooltip };
  return { text: '$(database) Mnemo', tooltip };
}

function tooltipFor(views: readonly MemoryView[], now: number): string {
  if (views.length === 0) return 'Mnemo: open a folder to read it into memory.';
  const lines = views.map((v) => `**${escapeMarkdown(v.folderName)}**: ${escapeMarkdown(describe(v, now))}`);
  return [...lines, '', 'Click for memory status.'].join('\n\n');
}

/** One line about a folder, used by the tooltip and the status quick pick. */
export function describe(v: MemoryView, now: number): string {
  switch (v.state) {
    case 'unloaded':
      return v.restricted ? 'not read; reading starts once you trust this workspace' : 'not loaded yet';
    case 'loading':
      return 'loading the model';
    case 'failed':
      return `the model could not be loaded (${v.error ?? 'see the Mnemo log'})`;
    case 'reading':
    case 'paused':
      return v.progress ? `${v.state === 'paused' ? 'paused' : 'reading'}: ${progressMessage(v.progress)}` : v.state;
    case 'ready': {
      if (v.tokens === 0) return v.restricted ? 'nothing read; reading starts once you trust this workspace' : 'nothing read yet';
      const parts = [`${formatTokens(v.tokens)} tokens`, `${v.files} files`];
      if (v.diskBytes !== undefined) parts.push(`${formatBytes(v.diskBytes)} on disk`);
      if (v.device) parts.push(v.device);
      const ago = formatAgo(v.lastReadAt, now);
      if (ago) parts.push(`read ${ago}`);
      if (v.skipped && v.skipped.length > 0) parts.push(skippedSummary(v.skipped));
      return parts.join(' · ');
    }
  }
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}

/** The line above the chat transcript. */
export function memorySummary(views: readonly MemoryView[]): { text: string; reading: boolean } {
  if (views.length === 0) return { text: 'Open a folder to read it into memory.', reading: false };
  const active = views.filter((v) => v.state === 'reading' || v.state === 'paused');
  if (active.length > 0) {
    const read = sum(active, (v) => v.progress?.tokensRead ?? 0);
    const total = sum(active, (v) => v.progress?.tokensTotal ?? 0);
    const percent = Math.floor(progressPercent({ tokensRead: read, tokensTotal: total }));
    const paused = active.every((v) => v.state === 'paused');
    const eta = paused ? undefined : formatEta(Math.max(...active.map((v) => v.progress?.etaSeconds ?? -1)));
    const head = `${paused ? 'Paused' : 'Reading'}: ${formatTokens(read)} of ${formatTokens(total)} tokens (${percent}%)`;
    return { text: `${head}${eta ? ` · ETA ${eta}` : ''}. Answers use what has been read so far.`, reading: true };
  }
  if (views.some((v) => v.state === 'loading')) return { text: 'Loading the model…', reading: false };
  if (views.every((v) => v.state === 'failed')) return { text: 'The model could not be loaded; see the Mnemo log.', reading: false };
  const tokens = sum(views, (v) => v.tokens);
  const files = sum(views, (v) => v.files);
  if (tokens > 0) return { text: `${formatTokens(tokens)} tokens in memory from ${files} files.`, reading: false };
  if (views.every((v) => v.state === 'unloaded' && !v.restricted)) {
    return { text: 'Memory not loaded yet: ask a question, or run “Mnemo: Read Workspace into Memory”.', reading: false };
  }
  if (views.every((v) => v.restricted)) {
    return { text: 'Restricted Mode: Mnemo reads this workspace once you trust it.', reading: false };
  }
  return { text: 'Nothing in memory yet: run “Mnemo: Read Workspace into Memory”.', reading: false };
}

const SKIP_WORDS: Record<SkipCount['kind'], string> = {
  'too-large': 'too large',
  'unknown-type': 'not text or code',
  'not-included': 'not in mnemo.include',
  ignored: 'ignored by .gitignore',
  excluded: 'excluded',
  binary: 'binary',
  'no-text': 'no text (PDF)',
  unreadable: 'unreadable',
  'outside-workspace': 'links out of the folder',
  duplicate: 'duplicate links',
  special: 'not regular files',
  'bad-name': 'odd names',
};

/** "3 skipped (2 binary, 1 too large)". */
export function skippedSummary(counts: readonly SkipCount[]): string {
  const total = counts.reduce((n, c) => n + c.count, 0);
  if (total === 0) return '0 skipped';
  const merged = new Map<string, number>();
  for (const c of counts) merged.set(SKIP_WORDS[c.kind], (merged.get(SKIP_WORDS[c.kind]) ?? 0) + c.count);
  return `${total} skipped (${[...merged].map(([w, n]) => `${n} ${w}`).join(', ')})`;
}

/** Lines for the log and the status view: which setting would read the files left out, and to what value. */
export function skipHints(counts: readonly SkipCount[]): string[] {
  const lines: string[] = [];
  for (const c of counts) {
    const files = c.count === 1 ? '1 file' : `${c.count} files`;
    const eg = c.examples.length > 0 ? ` (e.g. ${c.examples[0]})` : '';
    if (c.kind === 'too-large' && (c.setting === 'maxFileBytes' || c.setting === 'maxProseBytes') && c.limit !== undefined) {
      const setting = `mnemo.${c.setting}`;
      const largest = c.largestBytes ?? c.limit + 1;
      lines.push(`${files} larger than ${setting} (${formatBytes(c.limit)})${eg}: set ${setting} to ${roundUp(largest)} or more (${formatBytes(largest)}) to read ${c.count === 1 ? 'it' : 'them'}.`);
    } else if (c.kind === 'not-included') {
      lines.push(`${files} not matched by mnemo.include${eg}: add a pattern for ${c.count === 1 ? 'it' : 'them'} to mnemo.include.`);
    }
  }
  return lines;
}

function roundUp(bytes: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(bytes)) - 1);
  return Math.ceil((bytes + 1) / step) * step;
}

/** An error as the VS Code user should read it: the core's neutral messages in this editor's words. */
export function userMessage(error: unknown): string {
  if (error instanceof NothingReadError) {
    return 'Nothing has been read yet: run “Mnemo: Read Workspace into Memory” first, then ask again.';
  }
  return error instanceof Error ? error.message : String(error);
}
