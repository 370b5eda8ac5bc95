// Messages between an Engine proxy on the caller's thread and the real engine in a worker
// thread. One discriminated union per direction; requests carry ids, streams end with a
// result or an error, cancellation is a message.
import type { Answer, AnswerEvent, EngineOptions, Explanation, MemoryStatus, QueryOptions, ReadProgress, ReadResult, SummaryTarget, SymbolQuery } from '../api';

/** EngineOptions without the logger (functions cannot cross threads; logs come back as messages). */
export type WorkerEngineOptions = Omit<EngineOptions, 'logger'>;

/** QueryOptions without the signal and callback, which stay on the caller's side. */
export type WireQueryOptions = Omit<QueryOptions, 'signal' | 'onEvent'>;

export type Call =
  | { readonly method: 'read' }
  | { readonly method: 'ask'; readonly question: string; readonly options: WireQueryOptions }
  | { readonly method: 'summarize'; readonly target: SummaryTarget; readonly options: WireQueryOptions }
  | { readonly method: 'explain'; readonly query: SymbolQuery; readonly options: WireQueryOptions }
  | { readonly method: 'forget' };

export type CallResult = ReadResult | Answer | Explanation | undefined;

export type ToWorker =
  | { readonly type: 'open'; readonly options: WorkerEngineOptions }
  | { readonly type: 'call'; readonly id: number; readonly call: Call }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'notifyChanged'; readonly paths: readonly string[] }
  | { readonly type: 'dispose' };

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** What the proxy keeps so that `status()` and `isReading` answer without a round trip. */
export interface StateSnapshot {
  readonly status: MemoryStatus;
  readonly isReading: boolean;
}

export type FromWorker =
  | { readonly type: 'opened'; readonly state: StateSnapshot }
  | { readonly type: 'openFailed'; readonly error: WireError }
  | { readonly type: 'log'; readonly level: 'info' | 'warn' | 'error' | 'debug'; readonly message: string }
  | { readonly type: 'state'; readonly state: StateSnapshot }
  | { readonly type: 'progress'; readonly id: number; readonly progress: ReadProgress }
  | { readonly type: 'event'; readonly id: number; readonly event: AnswerEvent }
  | { readonly type: 'result'; readonly id: number; readonly value: CallResult; readonly state: StateSnapshot }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError; readonly state: StateSnapshot }
  | { readonly type: 'disposed' };

export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** An Error again on the caller's side, keeping the name front ends test (e.g. 'AbortError'). */
export function fromWireError(w: WireError): Error {
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}
