// How large a file may be before it is left out, by kind. Books and documentation (prose, HTML,
// PDF) are read whole up to a generous limit; code and data have a tight one, because a code
// file of megabytes is almost always generated, minified or a data dump, not something to ask
// about.
import type { MemoryOptions } from './api';
import type { TextKind } from './text';

/** Code, data and unknown kinds: 2 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Prose, HTML and PDF: 64 MiB, so a whole book (the KJV Bible is 4.3 MB) is read by default. */
export const DEFAULT_MAX_PROSE_BYTES = 64 * 1024 * 1024;

export interface SizeLimits {
  readonly maxFileBytes?: number;
  readonly maxProseBytes?: number;
}

export function isProse(kind: TextKind | undefined): boolean {
  return kind === 'prose' || kind === 'html' || kind === 'pdf';
}

/** The limit that applies to a file of `kind` (see text.ts's kindOfPath), and which option sets it. */
export function sizeLimitFor(kind: TextKind | undefined, limits: SizeLimits): { limit: number; setting: 'maxFileBytes' | 'maxProseBytes' } {
  return isProse(kind)
    ? { limit: limits.maxProseBytes ?? DEFAULT_MAX_PROSE_BYTES, setting: 'maxProseBytes' }
    : { limit: limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, setting: 'maxFileBytes' };
}

/** Options with every default filled in. */
export function memoryOptions(given: Partial<MemoryOptions>): MemoryOptions {
  return {
    include: [...(given.include ?? [])],
    exclude: [...(given.exclude ?? [])],
    maxFileBytes: given.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxProseBytes: given.maxProseBytes ?? DEFAULT_MAX_PROSE_BYTES,
  };
}
