// Chapters and sections of prose: Markdown (ATX and Setext headings), reStructuredText (titles
// underlined, optionally overlined, levels in order of first use) and plain-text books (lines
// such as "CHAPTER IV." standing alone). Each heading's doc is the paragraph that opens it.
import { extname } from 'node:path';
import { EMPTY_REFERENCES, MAX_DOC, MAX_SIGNATURE, type Definition, type DocText, type FileStructure } from './types';

export type ProseFormat = 'markdown' | 'rst' | 'text';

export function proseFormatOfPath(path: string): ProseFormat | undefined {
  const ext = extname(path).toLowerCase().slice(1);
  if (['md', 'markdown', 'mdown', 'mkd', 'mdx'].includes(ext)) return 'markdown';
  if (ext === 'rst' || ext === 'rest') return 'rst';
  if (ext === 'txt' || ext === 'text' || ext === '') return 'text';
  return undefined;
}

interface Heading { readonly title: string; readonly level: number; readonly line: number; readonly bodyStart: number }

const ATX = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const RST_ADORNMENT = /^([=\-`:'"~^_*+#<>.])\1{2,}\s*$/;
const BOOK_HEADING = /^\s*((?:chapter|book|part|section|act|scene|canto|psalm)\s+[\dIVXLCDM]+\b.{0,60}|(?:prologue|epilogue|preface|introduction|appendix)\b.{0,40})$/i;

export function proseStructure(format: ProseFormat, text: string): FileStructure {
  const lines = text.split('\n');
  const headings = format === 'markdown' ? markdownHeadings(lines) : format === 'rst' ? rstHeadings(lines) : bookHeadings(lines);
  // The last line with text: a trailing newline does not make a line of the last section.
  let last = lines.length;
  while (last > 1 && lines[last - 1]!.trim() === '') last--;
  const definitions: Definition[] = headings.map((h, i) => {
    // A section runs to the next heading of the same or a higher level.
    let end = last;
    for (let j = i + 1; j < headings.length; j++) if (headings[j]!.level <= h.level) { end = headings[j]!.line - 1; break; }
    const doc = openingParagraph(lines, h.bodyStart, i + 1 < headings.length ? headings[i + 1]!.line - 1 : lines.length);
    return {
      kind: 'heading' as const, name: h.title, qualifiedName: h.title, startLine: h.line, endLine: Math.max(h.line, end),
      signature: h.title.slice(0, MAX_SIGNATURE), signatureLine: h.line, level: h.level, ...(doc ? { doc } : {}),
    };
  });
  const doc = openingParagraph(lines, 1, headings.length > 0 && headings[0]!.line > 1 ? headings[0]!.line - 1 : lines.length, true);
  return { language: format, lines: lines.length, ...(doc ? { doc } : {}), definitions, references: EMPTY_REFERENCES };
}

function markdownHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  let fence: string | undefined;
  let frontMatter = lines[0]?.trim() === '---';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (frontMatter) { if (i > 0 && /^(---|\.\.\.)\s*$/.test(line)) frontMatter = false; continue; }
    const f = FENCE.exec(line);
    if (f) { if (!fence) fence = f[1]![0]!; else if (f[1]![0] === fence) fence = undefined; continue; }
    if (fence) continue;
    const atx = ATX.exec(line);
    if (atx && atx[2] !== '') { out.push({ title: atx[2]!, level: atx[1]!.length, line: i + 1, bodyStart: i + 2 }); continue; }
    const next = lines[i + 1];
    if (next !== undefined && line.trim() !== '' && !/^\s{4}|^\s*[-*+>|]/.test(line) && (lines[i - 1] ?? '').trim() === '') {
      if (/^ {0,3}=+\s*$/.test(next)) out.push({ title: line.trim(), level: 1, line: i + 1, bodyStart: i + 3 });
      else if (/^ {0,3}-{2,}\s*$/.test(next)) out.push({ title: line.trim(), level: 2, line: i + 1, bodyStart: i + 3 });
    }
  }
  return out;
}

function rstHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  const styles: string[] = []; // adornment styles in order of first use: their index is the level
  for (let i = 0; i + 1 < lines.length; i++) {
    const title = lines[i]!;
    const under = lines[i + 1]!;
    if (title.trim() === '' || RST_ADORNMENT.test(title) || /^\s/.test(title)) continue;
    const u = RST_ADORNMENT.exec(under);
    if (!u || under.trimEnd().length < title.trimEnd().length) continue;
    const over = i > 0 && lines[i - 1]!.trimEnd() === under.trimEnd();
    const style = `${over ? 'o' : ''}${u[1]}`;
    let level = styles.indexOf(style);
    if (level < 0) { styles.push(style); level = styles.length - 1; }
    out.push({ title: title.trim(), level: level + 1, line: over ? i : i + 1, bodyStart: i + 3 });
    i++;
  }
  return out;
}

function bookHeadings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!BOOK_HEADING.test(line) || (lines[i - 1] ?? '').trim() !== '') continue;
    const level = /^\s*(book|part|act)\b/i.test(line) ? 1 : 2;
    out.push({ title: line.trim(), level, line: i + 1, bodyStart: i + 2 });
  }
  return out;
}

/**
 * The first paragraph of running text between `from` and `to` (1-based, inclusive): not a
 * heading, list, table, code block, directive or image. `prefer` skips a paragraph that is
 * only a title or badge line (a README's first lines).
 */
function openingParagraph(lines: string[], from: number, to: number, prefer = false): DocText | undefined {
  let i = Math.max(1, from);
  let fence = false;
  while (i <= Math.min(to, lines.length)) {
    const line = lines[i - 1]!;
    if (FENCE.test(line)) { fence = !fence; i++; continue; }
    if (fence || line.trim() === '' || !isRunningText(line)) { i++; continue; }
    let j = i;
    while (j + 1 <= to && j + 1 <= lines.length && lines[j]!.trim() !== '' && isRunningText(lines[j]!) && !RST_ADORNMENT.test(lines[j]!)) j++;
    const text = lines.slice(i - 1, j).join('\n').trim();
    // A paragraph must read as a sentence: some words and a full stop, or at least a few words.
    if (/\w/.test(text) && (!prefer || /[.!?:]/.test(text) || text.split(/\s+/).length >= 8)) {
      return { text: text.slice(0, MAX_DOC), startLine: i, endLine: j };
    }
    i = j + 1;
  }
  return undefined;
}

function isRunningText(line: string): boolean {
  return !/^\s*(#|[-*+]\s|\d+[.)]\s|>|\||!\[|\[!\[|<|\.\. |:\w+:|={3,}|-{3,}|`{3,}|~{3,})/.test(line) && !/^\s{4,}\S/.test(line) && !ATX.test(line);
}
