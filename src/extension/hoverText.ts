// The Markdown of a memory hover. Pure: no `vscode` import. Everything from the model or the
// file system is escaped; the only links are our own open-citation command links.

import type { Citation, Explanation } from '../core/api';
import { coverageNote } from '../shared/chat';
import { citationLink, escapeMarkdown } from './links';

/** Uses listed in a hover; the rest are counted. */
export const MAX_HOVER_USES = 5;
/** Characters of explanation shown; hovers are glances, the chat is for reading. */
export const MAX_HOVER_TEXT = 600;

/** Lines of the definition quoted in a hover. */
export const MAX_HOVER_QUOTE_LINES = 6;

export function hoverMarkdown(folder: string, symbol: string, explanation: Explanation): string | undefined {
  // Only text the model was declared good at writing is shown as prose; otherwise the hover
  // quotes the definition's lines (never a generated fragment).
  const text = explanation.kind === 'generated' ? clip(explanation.text.split('\n\n', 1)[0]!.trim(), MAX_HOVER_TEXT) : '';
  if (text === '' && !explanation.definition && explanation.uses.length === 0) return undefined;
  const kind = explanation.symbol ? ` · ${escapeMarkdown(`${explanation.symbol.kind} ${explanation.symbol.qualifiedName}`)}` : '';
  const lines: string[] = [`**Mnemo** · ${escapeMarkdown(symbol)}${kind}`, ''];
  // The signature as written, in a fence: nothing inside a fence is Markdown, so it needs no escaping.
  if (explanation.symbol) lines.push(codeFence(explanation.symbol.signature), '');
  if (text !== '') lines.push(escapeMarkdown(text), '');
  const link = (citation: Citation) => citationLink({ folder, citation });
  if (explanation.definition) {
    lines.push(`Defined at ${link(explanation.definition)}`, '');
    // Without a parsed signature, the definition's own first lines say what it is.
    const def = explanation.definition;
    const quoted = explanation.symbol ? undefined : explanation.passages.find((p) => p.citation.path === def.path && p.citation.startLine === def.startLine);
    if (quoted) lines.push(codeBlock(quoted.text.split('\n').slice(0, MAX_HOVER_QUOTE_LINES).join('\n')), '');
  }
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

/** A one-line fenced block (a signature): line breaks become spaces. */
export function codeFence(code: string): string {
  return codeBlock(code.replace(/\r?\n/g, ' '));
}

/** A fenced block no line of `text` can close early; inside it nothing is Markdown. */
export function codeBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${text}\n${fence}`;
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
