// The message contract between the extension and the chat webview: one discriminated union
// per direction, imported by both sides. Requests carry ids; a stream of answer pieces for
// an id always ends with exactly one `done`; cancelling is a message.
//
// Nothing here imports `vscode` or the DOM, so both sides and plain-Node tests can use it.

/** A cited place, as the webview sees it. Lines are 1-based and inclusive. */
export interface WireCitation {
  /** Workspace-folder-relative path with forward slashes. */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

/** Cited lines, quoted: `text` is lines `citation.startLine..endLine` of the file. */
export interface WirePassage {
  readonly citation: WireCitation;
  readonly text: string;
}

export type EntryKind = 'ask' | 'summary';

/** How a stream ended. */
export type Outcome =
  | {
    readonly kind: 'answer'; readonly text: string; readonly citations: readonly WireCitation[]; readonly coverage: number;
    /** The answer sentence alone, when `passages` follow it (they are shown as quotes, not Markdown). */
    readonly lead?: string;
    readonly passages?: readonly WirePassage[];
    /** What the user should know about the sources: a cited file changed since it was read, and so on. */
    readonly warnings?: readonly string[];
  }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** One question (or summary request) and its answer, as kept in the history. */
export interface ChatEntry {
  readonly id: string;
  readonly kind: EntryKind;
  /** The question, or what was summarised ("Summary of src/core/engine.ts"). */
  readonly prompt: string;
  /** URI (string form) of the workspace folder that answered; citations are relative to it. */
  readonly folder: string;
  /** Shown when the window has more than one workspace folder. */
  readonly folderName: string;
  readonly text: string;
  readonly citations: readonly WireCitation[];
  readonly state: 'streaming' | 'done' | 'error' | 'cancelled';
  /** Fraction of the workspace read when the answer was made; set when done. */
  readonly coverage?: number;
  /** Set when done: the answer sentence and the quoted passages it rests on (see Outcome). */
  readonly lead?: string;
  readonly passages?: readonly WirePassage[];
  readonly warnings?: readonly string[];
  readonly error?: string;
  readonly createdAt: number;
}

/** A one-line description of the memory, shown above the transcript. */
export interface MemorySummary {
  readonly text: string;
  readonly reading: boolean;
}

// ---- extension -> webview ----

export type ToWebview =
  /** The whole history; sent when the webview reports `ready` and after a clear. */
  | { readonly type: 'history'; readonly entries: readonly ChatEntry[]; readonly multiRoot: boolean }
  /** An answer the extension started (Ask command, summaries); the webview adds the entry. */
  | { readonly type: 'start'; readonly entry: ChatEntry }
  | { readonly type: 'citations'; readonly id: string; readonly citations: readonly WireCitation[] }
  | { readonly type: 'token'; readonly id: string; readonly text: string }
  | { readonly type: 'done'; readonly id: string; readonly outcome: Outcome }
  | { readonly type: 'memory'; readonly memory: MemorySummary }
  | { readonly type: 'focusInput' };

// ---- webview -> extension ----

export type FromWebview =
  | { readonly type: 'ready' }
  /** The webview has already shown a pending entry with this id. */
  | { readonly type: 'ask'; readonly id: string; readonly question: string }
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'openCitation'; readonly folder: string; readonly citation: WireCitation }
  | { readonly type: 'copy'; readonly id: string }
  | { readonly type: 'clear' }
  | { readonly type: 'showLogs' };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const isLine = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** Longest question accepted from the webview; longer text is refused, not truncated. */
export const MAX_QUESTION_LENGTH = 4000;

export function isWireCitation(value: unknown): value is WireCitation {
  return isObject(value) && isString(value.path) && value.path.length > 0
    && isLine(value.startLine) && isLine(value.endLine) && value.endLine >= value.startLine;
}

/** Checks a message from the webview before the extension acts on it. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (!isObject(value) || !isString(value.type)) return false;
  switch (value.type) {
    case 'ready':
    case 'clear':
    case 'showLogs':
      return true;
    case 'ask':
      return isString(value.id) && value.id.length > 0 && isString(value.question)
        && value.question.trim().length > 0 && value.question.length <= MAX_QUESTION_LENGTH;
    case 'cancel':
    case 'copy':
      return isString(value.id) && value.id.length > 0;
    case 'openCitation':
      return isString(value.folder) && isWireCitation(value.citation);
    default:
      return false;
  }
}

/** Checks a message from the extension; the webview ignores anything else. */
export function isToWebview(value: unknown): value is ToWebview {
  if (!isObject(value) || !isString(value.type)) return false;
  switch (value.type) {
    case 'history':
      return Array.isArray(value.entries) && typeof value.multiRoot === 'boolean';
    case 'start':
      return isObject(value.entry) && isString(value.entry.id);
    case 'citations':
      return isString(value.id) && Array.isArray(value.citations) && value.citations.every(isWireCitation);
    case 'token':
      return isString(value.id) && isString(value.text);
    case 'done':
      return isString(value.id) && isObject(value.outcome) && isString(value.outcome.kind);
    case 'memory':
      return isObject(value.memory) && isString(value.memory.text);
    case 'focusInput':
      return true;
    default:
      return false;
  }
}
