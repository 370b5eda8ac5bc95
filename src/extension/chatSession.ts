// The chat's source of truth on the extension side: the history (persisted per workspace),
// the answers being streamed and their cancellation. The webview view attaches and
// detaches as it is shown and hidden; nothing is lost while it is away.
// No `vscode` import: the store is a Memento-shaped interface, so this is tested in Node.

import type { Answer, Citation, QueryOptions } from '../core/api';
import { applyMessage, restoreHistory } from '../shared/chat';
import type { ChatEntry, EntryKind, ToWebview, WireCitation } from '../shared/protocol';
import { userMessage } from './format';

export interface HistoryStore {
  get(key: string): unknown;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export interface AnswerRequest {
  /** The webview's id when it asked; a new one otherwise. */
  readonly id?: string;
  readonly kind: EntryKind;
  readonly prompt: string;
  readonly folder: string;
  readonly folderName: string;
}

/** Runs the engine call; `options` carries the abort signal and the stream callback. */
export type AnswerWork = (options: QueryOptions) => Promise<Answer>;

export const HISTORY_KEY = 'mnemo.chat.history';

export class ChatSession {
  private entries: readonly ChatEntry[];
  private readonly running = new Map<string, AbortController>();
  private post: ((message: ToWebview) => void) | undefined;
  private counter = 0;
  private multiRoot = false;

  constructor(private readonly store: HistoryStore, private readonly onError: (message: string) => void = () => undefined) {
    this.entries = restoreHistory(store.get(HISTORY_KEY));
  }

  history(): readonly ChatEntry[] { return this.entries; }

  /** The webview is ready to receive messages (it sent `ready`). */
  attach(post: (message: ToWebview) => void, multiRoot: boolean): void {
    this.post = post;
    this.multiRoot = multiRoot;
    post({ type: 'history', entries: this.entries, multiRoot });
  }

  detach(): void { this.post = undefined; }

  send(message: ToWebview): void {
    this.entries = applyMessage(this.entries, message);
    this.post?.(message);
    if (message.type === 'start' || message.type === 'done' || message.type === 'history') this.persist();
  }

  /** Streams an answer into the history; always ends the entry with one `done`. */
  async run(request: AnswerRequest, work: AnswerWork, maxTokens: number): Promise<void> {
    const id = request.id ?? this.newId();
    this.running.get(id)?.abort();
    const controller = new AbortController();
    this.running.set(id, controller);
    this.send({
      type: 'start',
      entry: {
        id, kind: request.kind, prompt: request.prompt, folder: request.folder, folderName: request.folderName,
        text: '', citations: [], state: 'streaming', createdAt: Date.now(),
      },
    });
    const signal = controller.signal;
    let streamError: string | undefined;
    try {
      const answer = await work({
        signal,
        maxTokens,
        onEvent: (event) => {
          if (signal.aborted) return;
          if (event.type === 'citations') this.send({ type: 'citations', id, citations: event.citations.map(toWire) });
          else if (event.type === 'token') this.send({ type: 'token', id, text: event.text });
          else if (event.type === 'error') streamError = event.message;
        },
      });
      if (signal.aborted) this.send({ type: 'done', id, outcome: { kind: 'cancelled' } });
      else if (streamError !== undefined) this.fail(id, streamError);
      else {
        this.send({
          type: 'done', id,
          outcome: {
            kind: 'answer', text: answer.text, citations: answer.citations.map(toWire), coverage: answer.coverage,
            // The first paragraph of an answer's text is its answer sentence (api.ts, Answer.text).
            lead: answer.passages.length > 0 ? answer.text.split('\n\n', 1)[0] : undefined,
            passages: answer.passages.map((p) => ({ citation: toWire(p.citation), text: p.text })),
            warnings: answer.warnings ?? [],
          },
        });
      }
    } catch (error) {
      if (signal.aborted) this.send({ type: 'done', id, outcome: { kind: 'cancelled' } });
      else this.fail(id, userMessage(error));
    } finally {
      if (this.running.get(id) === controller) this.running.delete(id);
    }
  }

  private fail(id: string, message: string): void {
    this.send({ type: 'done', id, outcome: { kind: 'error', message } });
    this.onError(message);
  }

  cancel(id: string): void {
    this.running.get(id)?.abort();
  }

  isRunning(id: string): boolean { return this.running.has(id); }

  clear(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.entries = [];
    this.send({ type: 'history', entries: [], multiRoot: this.multiRoot });
  }

  textOf(id: string): string | undefined {
    return this.entries.find((e) => e.id === id)?.text;
  }

  dispose(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.post = undefined;
  }

  private newId(): string {
    return `x${Date.now().toString(36)}-${(this.counter++).toString(36)}`;
  }

  private persist(): void {
    void Promise.resolve(this.store.update(HISTORY_KEY, this.entries)).catch(() => undefined);
  }
}

export function toWire(citation: Citation): WireCitation {
  return { path: citation.path, startLine: citation.startLine, endLine: citation.endLine };
}
