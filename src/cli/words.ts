// How the CLI words what the core reports in structured form: skipped files by reason, with the
// option that would read them, and the progress line. Pure functions, tested without a terminal.
import type { ReadProgress, SkipCount } from '../core/api';
import { formatBytes } from '../core/fsutil';

const KIND_WORDS: Record<SkipCount['kind'], [one: string, many: string]> = {
  'too-large': ['too large', 'too large'],
  'unknown-type': ['not a text, code or document type', 'not text, code or document types'],
  'not-included': ['not matched by --include', 'not matched by --include'],
  ignored: ['ignored by .gitignore', 'ignored by .gitignore'],
  excluded: ['excluded', 'excluded'],
  binary: ['binary', 'binary'],
  'no-text': ['a document without text', 'documents without text'],
  unreadable: ['unreadable', 'unreadable'],
  'outside-workspace': ['a link out of the folder', 'links out of the folder'],
  duplicate: ['a duplicate link', 'duplicate links'],
  special: ['not a regular file', 'not regular files'],
  'bad-name': ['a name with control characters', 'names with control characters'],
};

const OPTION: Record<'maxFileBytes' | 'maxProseBytes', string> = {
  maxFileBytes: '--max-file-bytes',
  maxProseBytes: '--max-prose-bytes',
};

/** "3 skipped (2 binary, 1 too large)", or "0 skipped". */
export function skippedClause(counts: readonly SkipCount[]): string {
  const total = counts.reduce((n, c) => n + c.count, 0);
  if (total === 0) return '0 skipped';
  const merged = new Map<string, number>();
  for (const c of counts) {
    const [one, many] = KIND_WORDS[c.kind];
    const words = c.count === 1 ? one : many;
    merged.set(words, (merged.get(words) ?? 0) + c.count);
  }
  return `${total} skipped (${[...merged].map(([w, n]) => `${n} ${w}`).join(', ')})`;
}

/** One line per group of skipped files that an option would let in, saying which option and value. */
export function skipHints(counts: readonly SkipCount[]): string[] {
  const lines: string[] = [];
  for (const c of counts) {
    const files = c.count === 1 ? '1 file' : `${c.count} files`;
    const eg = c.examples.length > 0 ? `, e.g. ${c.examples[0]}` : '';
    if (c.kind === 'too-large' && (c.setting === 'maxFileBytes' || c.setting === 'maxProseBytes') && c.limit !== undefined) {
      const largest = c.largestBytes ?? c.limit + 1;
      lines.push(
        `${files} over ${OPTION[c.setting]} (${formatBytes(c.limit)})${eg} (${formatBytes(largest)}): ` +
        `pass ${OPTION[c.setting]} ${roundUp(largest)} to read ${c.count === 1 ? 'it' : 'them'}.`,
      );
    } else if (c.kind === 'not-included') {
      lines.push(`${files} not matched by any --include pattern${eg}: add a pattern for ${c.count === 1 ? 'it' : 'them'} to read ${c.count === 1 ? 'it' : 'them'}.`);
    }
  }
  return lines;
}

/** A round value at least `bytes`: two significant digits. */
function roundUp(bytes: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(bytes)) - 1);
  return Math.ceil((bytes + 1) / step) * step;
}

/** Seconds as h:mm:ss or m:ss; "estimating…" while unknown. */
export function formatSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s) || s < 0) return 'estimating…';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return (h > 0 ? `${h}:${String(m).padStart(2, '0')}` : `${m}`) + `:${String(sec).padStart(2, '0')}`;
}

/**
 * The terminal's progress line, fitted to `columns`: parts are dropped from the least useful
 * (tokens per second, then files, then the bar) rather than cutting the line, so the ETA is
 * never clipped.
 */
export function progressLine(p: ReadProgress, columns: number): string {
  const pct = p.tokensTotal > 0 ? Math.min(1, p.tokensRead / p.tokensTotal) : 0;
  const percent = `${(pct * 100).toFixed(0).padStart(3)}%`;
  const tokens = `${p.tokensRead.toLocaleString('en-US')}/${p.tokensTotal.toLocaleString('en-US')} tokens`;
  const files = `${p.filesRead}/${p.filesTotal} files`;
  const rate = `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s`;
  const eta = p.phase === 'reading' || p.phase === 'paused' ? `ETA ${formatSeconds(p.etaSeconds)}` : '';
  const bar = (width: number): string => {
    const fill = Math.round(pct * width);
    return `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
  };
  const candidates = [
    [bar(24), percent, p.phase, tokens, files, rate, eta],
    [bar(12), percent, p.phase, tokens, files, eta],
    [percent, p.phase, tokens, files, eta],
    [percent, p.phase, tokens, eta],
    [percent, p.phase, eta],
    [percent, eta],
  ];
  for (const parts of candidates) {
    const line = parts.filter((x) => x !== '').join(' ');
    if (line.length <= columns - 1) return line;
  }
  return [percent, eta].filter((x) => x !== '').join(' ');
}
