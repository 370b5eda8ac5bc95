// The chat history as a pure reducer over stream messages. The extension applies it to keep
// (and persist) the history; the webview applies the same function to what it renders, so
// both sides always agree on what an entry holds.

import type { ChatEntry, ToWebview } from './protocol';

/** Entries kept; older ones are dropped first. */
export const MAX_HISTORY = 50;

export function applyMessage(entries: readonly ChatEntry[], message: ToWebview): readonly ChatEntry[] {
  switch (message.type) {
    case 'history':
      return message.entries;
    case 'start':
      return [...entries.filter((e) => e.id !== message.entry.id), message.entry].slice(-MAX_HISTORY);
    case 'citations':
      return update(entries, message.id, (e) => ({ ...e, citations: message.citations }));
    case 'token':
      return update(entries, message.id, (e) => (e.state === 'streaming' ? { ...e, text: e.text + message.text } : e));
    case 'done':
      return update(entries, message.id, (e) => {
        const outcome = message.outcome;
        switch (outcome.kind) {
          case 'answer':
            return {
              ...e, state: 'done', text: outcome.text, citations: outcome.citations, coverage: outcome.coverage,
              ...(outcome.lead !== undefined ? { lead: outcome.lead } : {}),
              ...(outcome.passages ? { passages: outcome.passages } : {}),
              ...(outcome.warnings ? { warnings: outcome.warnings } : {}),
            };
          case 'error':
            return { ...e, state: 'error', error: outcome.message };
          case 'cancelled':
            return { ...e, state: 'cancelled' };
        }
      });
    case 'memory':
    case 'focusInput':
      return entries;
  }
}

function update(entries: readonly ChatEntry[], id: string, change: (entry: ChatEntry) => ChatEntry): readonly ChatEntry[] {
  return entries.map((e) => (e.id === id ? change(e) : e));
}

/**
 * History read back after a reload: an entry that was still streaming when the window went
 * away can never finish, so it is shown as cancelled. Malformed entries are dropped.
 */
export function restoreHistory(saved: unknown): ChatEntry[] {
  if (!Array.isArray(saved)) return [];
  return saved
    .filter((e): e is ChatEntry => typeof e === 'object' && e !== null && typeof e.id === 'string'
      && typeof e.prompt === 'string' && typeof e.text === 'string' && Array.isArray(e.citations))
    .map((e) => (e.state === 'streaming' ? { ...e, state: 'cancelled' as const } : e))
    .slice(-MAX_HISTORY);
}

/** The note under an answer made before the whole workspace was read; undefined when complete. */
export function coverageNote(coverage: number | undefined): string | undefined {
  if (coverage === undefined || !Number.isFinite(coverage) || coverage >= 0.995) return undefined;
  if (coverage <= 0) return 'Answered before any of the workspace was read.';
  const percent = Math.max(1, Math.round(coverage * 100));
  return `Answered from ${percent}% of the workspace read so far.`;
}

/** "src/a.ts:12" or "src/a.ts:12-20". */
export function citationLabel(citation: { path: string; startLine: number; endLine: number }): string {
  return citation.endLine > citation.startLine
    ? `${citation.path}:${citation.startLine}-${citation.endLine}`
    : `${citation.path}:${citation.startLine}`;
}
