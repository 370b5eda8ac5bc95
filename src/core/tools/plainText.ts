// Plain text for tool results that another program's model reads: quoted file text stays
// inert (no control characters, fenced so it cannot pass for our own words), and every result
// fits a size cap an agent's context can afford. No HTML and no links are ever produced here.

/** Most characters of one tool result; an agent pays for each one in its context. */
export const MAX_RESULT_CHARS = 16_000;
/** Most lines and characters quoted from one passage. */
export const MAX_PASSAGE_LINES = 80;
export const MAX_PASSAGE_CHARS = 4_000;
/** Longer lines (minified code, one-line JSON) are cut. */
export const MAX_LINE_CHARS = 400;

/** Control characters other than tab and newline, and lone surrogates, are dropped. */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` without terminal escapes or other control characters, CRs turned into nothing. */
export function printable(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNPRINTABLE, '');
}

/** One line of ours that names something from a file (a path, a question): never spans lines. */
export function oneLine(text: string, max = 300): string {
  const s = printable(text).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface Quote {
  /** The fenced text. */
  readonly text: string;
  /** True when lines or characters were left out to fit the caps. */
  readonly cut: boolean;
}

/**
 * Quotes file text in a fence longer than any run of backticks inside it, so the quote cannot
 * close its own fence and what follows it reads as ours.
 */
export function quote(text: string, maxLines = MAX_PASSAGE_LINES, maxChars = MAX_PASSAGE_CHARS): Quote {
  let cut = false;
  let lines = printable(text).split('\n');
  if (lines.length > maxLines) { lines = lines.slice(0, maxLines); cut = true; }
  lines = lines.map((l) => {
    if (l.length <= MAX_LINE_CHARS) return l;
    cut = true;
    return `${l.slice(0, MAX_LINE_CHARS)}…`;
  });
  let body = lines.join('\n');
  if (body.length > maxChars) {
    body = body.slice(0, maxChars);
    body = body.slice(0, Math.max(0, body.lastIndexOf('\n'))) || body;
    cut = true;
  }
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return { text: `${fence}\n${body}\n${fence}`, cut };
}

/** Appends sections while they fit `limit`; says how many did not. */
export class CappedText {
  private readonly parts: string[] = [];
  private length = 0;
  private left = 0;

  constructor(private readonly limit = MAX_RESULT_CHARS) {}

  /** Adds `section` if it fits (the first one always does, cut to fit); false when it did not. */
  add(section: string): boolean {
    const cost = section.length + (this.parts.length > 0 ? 2 : 0);
    if (this.length + cost > this.limit) {
      if (this.parts.length === 0) {
        this.parts.push(section.slice(0, this.limit));
        this.length = this.limit;
        return true;
      }
      this.left++;
      return false;
    }
    this.parts.push(section);
    this.length += cost;
    return true;
  }

  /** Sections that did not fit. */
  get omitted(): number { return this.left; }

  toString(): string {
    return this.parts.join('\n\n');
  }
}

/** 0.564 → "56%", never "100%" before it is complete. */
export function percent(fraction: number): string {
  if (!(fraction > 0)) return '0%';
  if (fraction >= 1) return '100%';
  return `${Math.min(99, Math.floor(fraction * 100))}%`;
}
