// Keeps a folder's memory current while the MCP server runs: one catch-up read on start, then
// a re-scan every few seconds that starts a read only when a file was added, removed or changed.
//
// Why a periodic re-scan and not fs.watch: Node 20's recursive fs.watch on Linux walks the whole
// tree (node_modules and .git included) and holds one inotify watch per folder, which runs into
// the system's watch limit on the large repositories Mnemo is for, and it drops events when a
// branch switch rewrites thousands of files. The scan reads only directory entries and file
// stats under the reader's own ignore rules; comparing their fingerprint with the last one costs
// far less than a read, and an unchanged folder causes no read and no write of the memory.
import { createHash } from 'node:crypto';
import type { Engine, Logger } from '../core/api';
import { DEFAULT_EXCLUDES, scanWorkspace } from '../core/scanner';

export interface KeepCurrentOptions {
  /** Seconds between re-scans; 0 reads once on start and never again. */
  readonly rescanSeconds: number;
  readonly logger: Logger;
}

export class KeepCurrent {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFingerprint: string | undefined;
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly engine: Engine, private readonly options: KeepCurrentOptions) {}

  /** Catches up now, then keeps checking. */
  start(): void {
    this.running = this.check().finally(() => { this.running = undefined; this.schedule(); });
  }

  private schedule(): void {
    if (this.stop.signal.aborted || this.options.rescanSeconds <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.check().finally(() => { this.running = undefined; this.schedule(); });
    }, this.options.rescanSeconds * 1000);
    this.timer.unref?.();
  }

  /**
   * Reads what changed when the folder's fingerprint moved. The fingerprint is taken before (or,
   * on start, alongside) the read, so a change made while reading shows at the next check.
   */
  private async check(): Promise<void> {
    const { logger } = this.options;
    try {
      let result;
      let fingerprint: string;
      if (this.lastFingerprint === undefined) {
        // On start the read begins at once, so a search made meanwhile sees that reading is under
        // way; the fingerprint is taken alongside it.
        logger.info('Catching up on what changed since the saved memory.');
        const reading = this.engine.read({ signal: this.stop.signal });
        [fingerprint, result] = await Promise.all([this.fingerprint(), reading]);
      } else {
        fingerprint = await this.fingerprint();
        if (fingerprint === this.lastFingerprint || this.engine.isReading) return;
        logger.info('Files changed: reading them.');
        result = await this.engine.read({ signal: this.stop.signal });
      }
      // A read cut short leaves the fingerprint unset, so the next check reads on.
      if (!result.cancelled) this.lastFingerprint = fingerprint;
      logger.info(`Read ${result.filesRead} files (${result.tokensRead} tokens), reused ${result.filesReused}, removed ${result.filesRemoved}, skipped ${result.filesSkipped.length}${result.cancelled ? '; cancelled' : ''}.`);
    } catch (e) {
      if (this.stop.signal.aborted) return;
      logger.warn(`Keeping the memory current failed: ${(e as Error).message}. Trying again at the next check.`);
    }
  }

  /** A hash of every readable file's path, size and modification time. */
  private async fingerprint(): Promise<string> {
    // The options the memory is read with (given on the command line, or remembered with it).
    const o = this.engine.status().options;
    const exclude = o.exclude.length > 0 ? [...DEFAULT_EXCLUDES, ...o.exclude] : undefined;
    const scan = await scanWorkspace(this.engine.root, {
      include: o.include, exclude, maxFileBytes: o.maxFileBytes, maxProseBytes: o.maxProseBytes, signal: this.stop.signal,
    });
    const hash = createHash('sha1');
    for (const f of scan.files) hash.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
    return hash.digest('hex');
  }

  /** Stops checking; a read in progress is cancelled (the engine saves what it read). */
  async dispose(): Promise<void> {
    this.stop.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
