// Citation links and Markdown escaping for hovers and tooltips. Pure: no `vscode` import.
//
// Hovers are trusted Markdown limited to one command (OPEN_CITATION), so everything that
// came from the model or the file system is escaped here before it reaches a MarkdownString.

import type { WireCitation } from '../shared/protocol';
import { isWireCitation } from '../shared/protocol';
import { citationLabel } from '../shared/chat';
import { unsafeRelativePath } from '../core/workspacePath';

export const OPEN_CITATION = 'mnemo.openCitation';

/** What `mnemo.openCitation` takes: a folder URI (string form) and a place in it. */
export interface CitationTarget {
  readonly folder: string;
  readonly citation: WireCitation;
}

/**
 * Escapes text so Markdown shows it literally: every ASCII punctuation character that
 * Markdown gives a meaning to gets a backslash, so `<b>`, `[x](command:...)`, `*` and
 * `$(icon)` all stay text. Line breaks are kept as hard breaks.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!<>|~&$:]/g, '\\$&')
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/([^\n])\n(?!\n)/g, '$1  \n');
}

/** `command:` URI for our open command; the JSON argument is fully percent-encoded. */
export function citationCommandUri(target: CitationTarget): string {
  const args = JSON.stringify([{ folder: target.folder, citation: pick(target.citation) }]);
  return `command:${OPEN_CITATION}?${strictEncode(args)}`;
}

/** A Markdown link to a citation: `[src/a.ts:12-20](command:mnemo.openCitation?...)`. */
export function citationLink(target: CitationTarget): string {
  return `[${escapeMarkdown(citationLabel(target.citation))}](${citationCommandUri(target)})`;
}

/** Reads the argument of `mnemo.openCitation`, from a command link or a webview message. */
export function parseCitationTarget(value: unknown): CitationTarget | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { folder, citation } = value as Record<string, unknown>;
  if (typeof folder !== 'string' || !isWireCitation(citation)) return undefined;
  if (!safeRelativePath(citation.path)) return undefined;
  return { folder, citation: pick(citation) };
}

/**
 * The path's segments if it is a plain relative path inside its folder; undefined for
 * absolute paths, drive letters, `..` and empty segments, so a citation can never point
 * outside the workspace folder it came from.
 */
export function safeRelativePath(path: string): string[] | undefined {
  return unsafeRelativePath(path) === undefined ? path.split('/') : undefined;
}

function pick(c: WireCitation): WireCitation {
  return { path: c.path, startLine: c.startLine, endLine: c.endLine };
}

/** encodeURIComponent leaves ()!'* alone; Markdown link syntax needs them encoded too. */
function strictEncode(text: string): string {
  return encodeURIComponent(text).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
