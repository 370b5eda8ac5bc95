// Catching up on an edit at the end of a file without reading the rest of it again. The reader
// is recurrent: segment i's memory depends only on segments 0..i. So when a changed file's
// segments up to the old last one are the same token ids on the same lines as before, the
// memory the reader carried into the old last segment (FileMemory.tailMemory) is exactly what a
// full read of the new file carries into that segment, and reading can start there.
import { createHash } from 'node:crypto';
import type { FileMemory } from './memory';
import type { Segment } from './tokenizer';

/**
 * Files shorter than this are read again whole after any edit: that costs at most a few tenths
 * of a second, while keeping a tail costs M·D·4 bytes (12 KiB for mnemo-m2) in the saved memory
 * per file, more than the keys of such a file. Above it the tail is worth its bytes.
 */
export const RESUME_MIN_TOKENS = 2_048;

/** Whether a file of `segments` segments keeps a tail (and a prefix hash) for resuming. */
export function keepsTail(segments: number, segmentLength: number): boolean {
  return segments >= 2 && segments * segmentLength >= RESUME_MIN_TOKENS;
}

/** Hash of the first `n` segments: each one's real token ids and its line range. */
export function prefixHash(segments: readonly Segment[], n: number): string {
  const h = createHash('sha256');
  const head = new Uint32Array(3);
  for (let i = 0; i < n; i++) {
    const s = segments[i]!;
    head[0] = s.length;
    head[1] = s.startLine;
    head[2] = s.endLine;
    h.update(head);
    h.update(s.ids.subarray(0, s.length));
  }
  return h.digest('hex');
}

/**
 * The segment a changed file may be read from with `old.tailMemory`: the old last segment's
 * index, when `old` was read to the end, kept a tail, and the new segments before that index
 * hash the same; otherwise undefined (read from the start). At least one segment is left to read.
 */
export function resumeAt(old: FileMemory | undefined, segments: readonly Segment[]): number | undefined {
  if (!old || !old.tailMemory || old.prefixHash === undefined) return undefined;
  if (old.segmentsRead < old.segmentsTotal || old.segmentsTotal < 2) return undefined;
  const at = old.segmentsTotal - 1;
  if (segments.length <= at) return undefined;
  return prefixHash(segments, at) === old.prefixHash ? at : undefined;
}
