// One workspace folder's engine: opened lazily, read, paused, caught up after edits,
// forgotten, disposed. UI-free except for its change event; the notification, status bar
// and chat view all watch `onDidChange` and ask for `view()`.

import * as vscode from 'vscode';
import type { Engine, EngineOptions, MemoryStatus, ReadProgress, ReadResult } from '../core/api';
import type { MemoryView } from './format';
import { formatTokens, skipHints, skippedSummary } from './format';

export interface FolderMemoryEnv {
  readonly log: vscode.LogOutputChannel;
  openEngine(options: EngineOptions): Promise<Engine>;
  options(folder: vscode.WorkspaceFolder): EngineOptions;
  isTrusted(): boolean;
}

/** Quiet time after the last change before a catch-up read starts. */
const CATCH_UP_DELAY_MS = 2000;

export class FolderMemory implements vscode.Disposable {
  private engine: Engine | undefined;
  private opening: Promise<Engine> | undefined;
  private failure: string | undefined;
  private current: { readonly promise: Promise<ReadResult | undefined>; readonly controller: AbortController } | undefined;
  private progress: ReadProgress | undefined;
  private paused = false;
  private readOnce = false;
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUpAfterRead = false;
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** Set by the owner: starts a catch-up read the way the UI wants it shown. */
  onCatchUp: (() => void) | undefined;

  constructor(readonly folder: vscode.WorkspaceFolder, private readonly env: FolderMemoryEnv) {}

  get name(): string { return this.folder.name; }
  get isReading(): boolean { return this.current !== undefined; }
  get isPaused(): boolean { return this.current !== undefined && this.paused; }
  get isOpen(): boolean { return this.engine !== undefined; }
  get readPromise(): Promise<ReadResult | undefined> | undefined { return this.current?.promise; }
  get lastProgress(): ReadProgress | undefined { return this.progress; }

  /** The engine, opened on first use. A failure is remembered until `reset`. */
  open(): Promise<Engine> {
    if (this.engine) return Promise.resolve(this.engine);
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    if (!this.opening) {
      const options = this.env.options(this.folder);
      this.env.log.info(`[${this.name}] loading model from ${options.modelDir} (device: ${options.device})`);
      this.opening = this.env.openEngine(options).then(
        async (engine) => {
          if (this.disposed) { await engine.dispose(); throw new Error('Mnemo was shut down while the model loaded.'); }
          this.engine = engine;
          this.opening = undefined;
          this.env.log.info(`[${this.name}] model ready`);
          this.changed.fire();
          return engine;
        },
        (error: unknown) => {
          this.failure = messageOf(error);
          this.opening = undefined;
          this.env.log.error(`[${this.name}] could not load the model: ${this.failure}`);
          this.changed.fire();
          throw error;
        },
      );
      this.changed.fire();
    }
    return this.opening;
  }

  /** Lets the next `open` try again after a failure (the user may have fixed the model folder). */
  retryOpen(): void {
    if (this.failure === undefined) return;
    this.failure = undefined;
    this.changed.fire();
  }

  /** The engine if it is open already; hovers use this so they never load a model. */
  openEngineOrUndefined(): Engine | undefined { return this.engine; }

  /**
   * Reads the folder (only what changed since the saved memory). A read already running is
   * joined, not restarted. Resolves undefined if reading is not allowed or the model failed.
   */
  read(): Promise<ReadResult | undefined> {
    if (this.current) return this.current.promise;
    if (!this.env.isTrusted()) {
      this.env.log.info(`[${this.name}] not reading: the workspace is not trusted`);
      return Promise.resolve(undefined);
    }
    const controller = new AbortController();
    const promise = this.runRead(controller);
    this.current = { promise, controller };
    this.paused = false;
    this.changed.fire();
    return promise;
  }

  private async runRead(controller: AbortController): Promise<ReadResult | undefined> {
    const name = this.name;
    try {
      const engine = await this.open();
      if (controller.signal.aborted) return undefined;
      this.env.log.info(`[${name}] reading`);
      let lastFire = 0;
      const result = await engine.read({
        signal: controller.signal,
        onProgress: (progress) => {
          this.progress = progress;
          // The core may report per segment; the UI needs a few updates a second at most.
          const now = Date.now();
          if (now - lastFire >= 250 || progress.phase !== 'reading') { lastFire = now; this.changed.fire(); }
        },
      });
      this.readOnce = true;
      const skipped = engine.status().skipped;
      this.env.log.info(
        `[${name}] ${result.cancelled ? 'reading cancelled' : 'read'}: ${result.filesRead} files read, ${result.filesReused} reused, `
        + `${skippedSummary(skipped)}, ${result.filesRemoved} removed; ${formatTokens(result.tokensRead)} new tokens, `
        + `${formatTokens(result.tokensTotal)} in memory; ${result.seconds.toFixed(1)} s`,
      );
      for (const hint of skipHints(skipped)) this.env.log.warn(`[${name}] ${hint}`);
      for (const file of result.filesSkipped.slice(0, 50)) this.env.log.debug(`[${name}] skipped ${file.path}: ${file.reason}`);
      return result;
    } catch (error) {
      if (controller.signal.aborted) {
        this.env.log.info(`[${name}] reading cancelled`);
        return undefined;
      }
      throw error;
    } finally {
      this.current = undefined;
      this.progress = undefined;
      this.paused = false;
      this.changed.fire();
      if (this.catchUpAfterRead && !this.disposed) {
        this.catchUpAfterRead = false;
        this.scheduleCatchUp();
      }
    }
  }

  cancelRead(): void {
    this.current?.controller.abort();
  }

  pause(): void {
    if (!this.current || this.paused || !this.engine) return;
    this.engine.pause();
    this.paused = true;
    this.env.log.info(`[${this.name}] reading paused`);
    this.changed.fire();
  }

  resume(): void {
    if (!this.current || !this.paused || !this.engine) return;
    this.engine.resume();
    this.paused = false;
    this.env.log.info(`[${this.name}] reading resumed`);
    this.changed.fire();
  }

  /** Records changed or deleted files; a catch-up read follows once edits go quiet. */
  notifyChanged(paths: readonly string[], catchUp: boolean): void {
    if (!this.engine || paths.length === 0) return;
    this.engine.notifyChanged(paths);
    if (catchUp && this.readOnce) this.scheduleCatchUp();
  }

  private scheduleCatchUp(): void {
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = undefined;
      if (this.disposed || !this.env.isTrusted()) return;
      if (this.current) { this.catchUpAfterRead = true; return; }
      this.onCatchUp?.();
    }, CATCH_UP_DELAY_MS);
  }

  status(): MemoryStatus | undefined {
    if (!this.engine) return undefined;
    try {
      return this.engine.status();
    } catch (error) {
      this.env.log.warn(`[${this.name}] status failed: ${messageOf(error)}`);
      return undefined;
    }
  }

  view(): MemoryView {
    const status = this.status();
    const restricted = !this.env.isTrusted();
    const base = {
      folderName: this.name,
      restricted,
      files: status?.files ?? 0,
      tokens: status?.tokens ?? 0,
      diskBytes: status?.diskBytes,
      device: this.progress?.device ?? status?.device,
      model: status ? `${status.modelId} ${status.modelVersion}` : undefined,
      lastReadAt: status?.lastReadAt,
      skipped: status?.skipped,
    };
    if (this.current) {
      const paused = this.paused || this.progress?.phase === 'paused';
      if (!this.engine) return { ...base, state: this.failure ? 'failed' : 'loading', error: this.failure };
      return { ...base, state: paused ? 'paused' : 'reading', progress: this.progress };
    }
    if (this.failure !== undefined) return { ...base, state: 'failed', error: this.failure };
    if (this.opening) return { ...base, state: 'loading' };
    if (!this.engine) return { ...base, state: 'unloaded' };
    return { ...base, state: 'ready' };
  }

  /** Fraction of the folder read, for chat coverage notes while reading. */
  coverage(): number | undefined {
    const p = this.progress;
    if (!p || !(p.tokensTotal > 0)) return undefined;
    return Math.min(1, p.tokensRead / p.tokensTotal);
  }

  /** Deletes the saved memory. Stops a read first. */
  async forget(): Promise<void> {
    const engine = await this.open();
    if (this.current) {
      this.current.controller.abort();
      await this.current.promise.catch(() => undefined);
    }
    await engine.forget();
    this.readOnce = false;
    this.env.log.info(`[${this.name}] memory forgotten`);
    this.changed.fire();
  }

  /** Closes the engine so the next use opens it with the current settings. */
  async reset(): Promise<void> {
    const engine = this.engine;
    this.cancelRead();
    await this.current?.promise.catch(() => undefined);
    this.engine = undefined;
    this.failure = undefined;
    this.readOnce = false;
    this.changed.fire();
    await engine?.dispose();
  }

  async disposeAsync(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.cancelRead();
    await this.current?.promise.catch(() => undefined);
    const engine = this.engine ?? (await this.opening?.catch(() => undefined));
    this.engine = undefined;
    await engine?.dispose().catch((error: unknown) => this.env.log.warn(`[${this.name}] dispose failed: ${messageOf(error)}`));
    this.changed.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
