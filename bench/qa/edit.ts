// Removing whole lines from a file while keeping track of where every other line went, so that
// an answer's line range in the original file can be stated in the evaluation copy.

export interface LineEdit {
  readonly text: string;
  /** New 1-based line of an original line; undefined for a removed line. */
  map(line: number): number | undefined;
}

/** Removes the given 1-based inclusive line ranges (they may overlap) from `text`. */
export function removeLines(text: string, ranges: readonly (readonly [number, number])[]): LineEdit {
  const lines = text.split('\n');
  const removed = new Uint8Array(lines.length + 1);
  for (const [a, b] of ranges) for (let l = Math.max(1, a); l <= Math.min(lines.length, b); l++) removed[l] = 1;
  const newLine = new Int32Array(lines.length + 1);
  const kept: string[] = [];
  for (let l = 1; l <= lines.length; l++) {
    if (removed[l]) continue;
    kept.push(lines[l - 1]!);
    newLine[l] = kept.length;
  }
  return {
    text: kept.join('\n'),
    map: (line) => (line >= 1 && line <= lines.length && !removed[line] ? newLine[line] : undefined),
  };
}
