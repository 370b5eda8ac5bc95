// What every benchmark command shares: where the repository is, and token sizes as written on
// the command line ("4k", "1M") and in reports.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the first folder above `from` with a package.json and
 * models/heldout.json (a benchmark module may be bundled into more than one script under out/).
 */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models', 'heldout.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No repository root (package.json and models/heldout.json) above ${from}.`);
  }
}

/** "4k" → 4000, "1M" → 1000000, "2.5k" → 2500. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a size like 4k or 1M`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1));
}

/** 4000 → "4k", 1000000 → "1M". */
export function sizeLabel(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}
