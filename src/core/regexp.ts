// Text put into a regular expression as itself: a symbol, a name, a thing a question asks about.

/** `s` with every character that means something in a RegExp escaped. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
