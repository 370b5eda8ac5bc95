// Sections of BENCHMARKS.md that other commands write between their own markers (the QA
// evaluation, the host event-loop benchmark): a new main report keeps them as they were.

/** The text from `start` to `end` (markers included) in `text`, or undefined. */
export function markedSection(text: string, start: string, end: string): string | undefined {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  return a >= 0 && b > a ? text.slice(a, b + end.length) : undefined;
}

/** `text` with its `start`..`end` section replaced by `section`, or with `section` appended. */
export function withSection(text: string, section: string, start: string, end: string): string {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) return text.slice(0, a) + section + text.slice(b + end.length);
  return `${text.trimEnd()}\n\n${section}\n`;
}

export const HOST_DELAY_START = '<!-- host-delay:start -->';
export const HOST_DELAY_END = '<!-- host-delay:end -->';
