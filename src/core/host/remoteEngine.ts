// An Engine whose work runs in a worker thread (worker.ts). The caller's thread keeps only this
// proxy: calls become messages, progress and answer streams come back as messages, `status()`
// answers from the last state the worker sent, and an AbortSignal becomes a cancel message.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  Answer, Engine, EngineOptions, Explanation, Logger, MemoryStatus, QueryOptions, ReadOptions, ReadProgress, ReadResult,
  SummaryTarget, SymbolQuery,
} from '../api';
import { fromWireError, type Call, type CallResult, type FromWorker, type StateSnapshot, type ToWorker, type WireQueryOptions } from './protocol';

/** The worker bundle esbuild writes beside the extension and CLI bundles (dist/). */
export function defaultWorkerFile(): string {
  return join(__dirname, 'engineWorker.js');
}

const DISPOSE_TIMEOUT_MS = 15_000;

interface Pending {
  readonly resolve: (value: CallResult) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (progress: ReadProgress) => void;
  readonly onEvent?: QueryOptions['onEvent'];
}

/** Opens the engine for `options.root` in a new worker thread; resolves once its model is loaded. */
export async function openEngineInWorker(options: EngineOptions, workerFile = defaultWorkerFile()): Promise<Engine> {
  const { logger, ...rest } = options;
  const worker = new Worker(workerFile);
  const engine = new RemoteEngine(worker, options.root, logger);
  await engine.opened(rest);
  return engine;
}

class RemoteEngine implements Engine {
  private state: StateSnapshot | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: Error | undefined;
  private whenOpened: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private whenDisposed: (() => void) | undefined;

  constructor(private readonly worker: Worker, readonly root: string, private readonly logger: Logger | undefined) {
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (e) => this.stop(new Error(`The Mnemo engine thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.stop(new Error(`The Mnemo engine thread stopped (exit code ${code}).`)));
  }

  opened(options: Omit<EngineOptions, 'logger'>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.whenOpened = { resolve, reject };
      this.send({ type: 'open', options });
    });
  }

  get isReading(): boolean { return this.state?.isReading ?? false; }

  status(): MemoryStatus {
    if (!this.state) throw new Error('The Mnemo engine is not open.');
    return this.state.status;
  }

  read(options?: ReadOptions): Promise<ReadResult> {
    return this.call({ method: 'read' }, options?.signal, { onProgress: options?.onProgress }) as Promise<ReadResult>;
  }

  pause(): void { this.send({ type: 'pause' }); }
  resume(): void { this.send({ type: 'resume' }); }
  notifyChanged(paths: readonly string[]): void { this.send({ type: 'notifyChanged', paths: [...paths] }); }

  ask(question: string, options?: QueryOptions): Promise<Answer> {
    return this.call({ method: 'ask', question, options: wire(options) }, options?.signal, { onEvent: options?.onEvent }) as Promise<Answer>;
  }

  summarize(target: SummaryTarget, options?: QueryOptions): Promise<Answer> {
    return this.call({ method: 'summarize', target, options: wire(options) }, options?.signal, { onEvent: options?.onEvent }) as Promise<Answer>;
  }

  explain(query: SymbolQuery, options?: QueryOptions): Promise<Explanation> {
    return this.call({ method: 'explain', query, options: wire(options) }, options?.signal, { onEvent: options?.onEvent }) as Promise<Explanation>;
  }

  async forget(): Promise<void> {
    await this.call({ method: 'forget' }, undefined, {});
  }

  async dispose(): Promise<void> {
    if (this.stopped) return;
    const done = new Promise<void>((resolve) => { this.whenDisposed = resolve; });
    this.send({ type: 'dispose' });
    await Promise.race([done, new Promise((r) => setTimeout(r, DISPOSE_TIMEOUT_MS).unref())]);
    this.stopped = new Error('The Mnemo engine was shut down.');
    await this.worker.terminate();
  }

  private call(call: Call, signal: AbortSignal | undefined, callbacks: Omit<Pending, 'resolve' | 'reject'>): Promise<CallResult> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise<CallResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...callbacks });
      this.send({ type: 'call', id, call });
      if (signal) {
        const cancel = (): void => this.send({ type: 'cancel', id });
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
      }
    });
  }

  private send(message: ToWorker): void {
    if (!this.stopped) this.worker.postMessage(message);
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'opened':
        this.state = m.state;
        this.whenOpened?.resolve();
        return;
      case 'openFailed':
        this.stopped = fromWireError(m.error);
        this.whenOpened?.reject(this.stopped);
        void this.worker.terminate();
        return;
      case 'log':
        this.logger?.[m.level](m.message);
        return;
      case 'state':
        this.state = m.state;
        return;
      case 'progress': {
        if (this.state) this.state = { status: { ...this.state.status, reading: m.progress }, isReading: true };
        const p = this.pending.get(m.id);
        try { p?.onProgress?.(m.progress); } catch { /* a listener's failure must not stop reading */ }
        return;
      }
      case 'event': {
        const p = this.pending.get(m.id);
        try { p?.onEvent?.(m.event); } catch { /* a listener's failure must not break the answer */ }
        return;
      }
      case 'result':
      case 'error': {
        this.state = m.state;
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.type === 'result') p?.resolve(m.value);
        else p?.reject(fromWireError(m.error));
        return;
      }
      case 'disposed':
        this.whenDisposed?.();
        return;
    }
  }

  /** The thread is gone: every waiting call fails with the reason, and so does every later one. */
  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.whenOpened?.reject(reason);
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.logger?.error(reason.message);
  }
}

function wire(options: QueryOptions | undefined): WireQueryOptions {
  if (!options) return {};
  const { signal: _signal, onEvent: _onEvent, ...rest } = options;
  return rest;
}
