// Skipped files counted by reason, for the summary lines and status views of the front ends.
// The core only counts; each front end words a count in its own terms (CLI options, settings).
import type { SkipCount, SkippedFile } from './api';

const EXAMPLES = 3;

/** Groups skipped files by kind and setting, most numerous first. */
export function countSkips(skipped: readonly SkippedFile[]): SkipCount[] {
  const groups = new Map<string, SkippedFile[]>();
  for (const s of skipped) {
    const key = `${s.kind}\u0000${s.setting ?? ''}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(s);
  }
  const counts: SkipCount[] = [];
  for (const list of groups.values()) {
    const first = list[0]!;
    if (first.kind === 'too-large') {
      const bySize = [...list].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0));
      counts.push({
        kind: first.kind, setting: first.setting, count: list.length,
        examples: bySize.slice(0, EXAMPLES).map((s) => s.path),
        largestBytes: bySize[0]!.bytes, limit: first.limit,
      });
    } else {
      counts.push({ kind: first.kind, setting: first.setting, count: list.length, examples: list.slice(0, EXAMPLES).map((s) => s.path) });
    }
  }
  return counts.sort((a, b) => b.count - a.count || (a.kind < b.kind ? -1 : 1));
}

/** Reads back counts saved with a memory; anything malformed is dropped. */
export function parseSkipCounts(value: unknown): SkipCount[] {
  if (!Array.isArray(value)) return [];
  return value.filter((c): c is SkipCount =>
    c !== null && typeof c === 'object' && typeof (c as SkipCount).kind === 'string' && typeof (c as SkipCount).count === 'number'
    && Array.isArray((c as SkipCount).examples));
}
