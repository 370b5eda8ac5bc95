// The Markdown of a memory hover. Pure: no `vscode` import. Everything from the model or the
// file system is escaped; the only links are our own open-citation command links.

import type { Citation, Explanation } from '../core/api';
import { coverageNote } from '../shared/chat';
import { citationLink, escapeMarkdown } from './links';

/** Uses listed in a hover; the rest are counted. */
export const MAX_HOVER_USES = 5;
/** Characters of explanation shown; hovers are glances, the chat is for reading. */
export const MAX_HOVER_TEXT = 600;

export function hoverMarkdown(folder: string, symbol: string, explanation: Explanation): string | undefined {
  const text = clip(explanation.text.trim(), MAX_HOVER_TEXT);
  if (text === '' && !explanation.definition && explanation.uses.length === 0) return undefined;
  const kind = explanation.symbol ? ` · ${escapeMarkdown(`${explanation.symbol.kind} ${explanation.symbol.qualifiedName}`)}` : '';
  const lines: string[] = [`**Mnemo** · ${escapeMarkdown(symbol)}${kind}`, ''];
  // The signature as written, in a fence: nothing inside a fence is Markdown, so it needs no escaping.
  if (explanation.symbol) lines.push(codeFence(explanation.symbol.signature), '');
  if (text !== '') lines.push(escapeMarkdown(text), '');
  const link = (citation: Citation) => citationLink({ folder, citation });
  if (explanation.definition) lines.push(`Defined at ${link(explanation.definition)}`, '');
  const others = explanation.symbol?.alternatives ?? [];
  if (others.length > 0) lines.push(`Also defined at ${others.map(link).join(', ')}`, '');
  if (explanation.uses.length > 0) {
    const shown = explanation.uses.slice(0, MAX_HOVER_USES).map(link).join(', ');
    const more = explanation.uses.length - MAX_HOVER_USES;
    lines.push(`Used at ${shown}${more > 0 ? ` and ${more} more` : ''}`, '');
  }
  const note = coverageNote(explanation.coverage);
  if (note) lines.push(`*${escapeMarkdown(note)}*`);
  return lines.join('\n').trimEnd();
}

/** A fenced code block whose fence is longer than any backtick run inside, so the text cannot close it. */
export function codeFence(code: string): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${code.replace(/\r?\n/g, ' ')}\n${fence}`;
}

/** Cuts at a word boundary and marks the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Whether a word is worth a hover: identifiers, not numbers or single characters. */
export function isHoverableWord(word: string): boolean {
  return word.length >= 2 && word.length <= 128 && /[A-Za-z_$\p{L}]/u.test(word) && !/^\d/.test(word);
}
