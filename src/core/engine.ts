// One workspace's memory: scans, reads what changed, saves, reopens, and answers from whatever
// has been read so far. Front ends get it from `openEngine` and see only api.ts's Engine.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type {
  Answer, Engine, EngineOptions, Explanation, Logger, MemoryOptions, MemoryStatus, QueryOptions, ReadOptions,
  ReadProgress, ReadResult, SkipCount, SkippedFile, SummaryTarget, SymbolQuery,
} from './api';
import { indexedByTokens, LexicalIndex, segmentTexts, streamedIndexText } from './lexicalIndex';
import { NothingReadError } from './errors';
import { memoryOptions } from './limits';
import { halfArrayToFloat, tokensRead, WorkspaceMemory, type FileMemory } from './memory';
import { loadModel, memoryVersionOf, type LoadedModel } from './model';
import * as queries from './query';
import { readAll, type PreparedFile } from './reader';
import { keepsTail, prefixHash, resumeAt } from './resume';
import { checkQuestion } from './question';
import { DEFAULT_EXCLUDES, scanWorkspace, type ScannedFile } from './scanner';
import { countSkips, parseSkipCounts } from './skips';
import {
  CacheError, deleteSnapshot, lockCache, readSnapshot, snapshotBytes, workspaceCacheDir, writeSnapshot, type CacheLock,
} from './store';
import { hashFile, isStreamed, STREAM_BYTES, streamText } from './streamedText';
import { kindOfPath, loadText } from './text';
// Code structure, summaries and symbol lookups (src/core/structure, src/core/summary).
import { STRUCTURE_SECTION, StructureIndex } from './structure/index';
import { catchUpStructure, catchUpUnits, loadStructureSection, loadUnitsSection, updateUnits, type UnitKeyer } from './structure/persist';
import { UNITS_SECTION, UnitIndex } from './structure/units';
import { structureCovers, structureExplanation, summaryAnswer, type StructureContext } from './summary/answers';
import { arraySource, type Segment, type SegmentSource } from './tokenizer';
import { resolveInside } from './workspacePath';

/** Rows of the reader batch: one file in flight per row. */
const BATCH_ROWS = 8;
/**
 * A long read saves what it has after this much time or this many tokens, whichever comes
 * first, so a crash or a kill loses little; but never more often than MIN_CHECKPOINT_GAP_MS or
 * CHECKPOINT_COST_FACTOR times the last save's duration, so saving stays a small share of the
 * time as the memory grows.
 */
const CHECKPOINT_MS = 5_000;
const CHECKPOINT_TOKENS = 8_192;
const MIN_CHECKPOINT_GAP_MS = 1_000;
const CHECKPOINT_COST_FACTOR = 20;
const PROGRESS_MS = 200;
/** Name of the lexical index's section in the snapshot. */
const LEXICAL_SECTION = 'lexical';
/** Reading time before the first ETA: until then the rate is mostly warm-up. */
const ETA_AFTER_MS = 3_000;
/** Tokens per byte assumed for files not tokenized yet (refined as files are read). */
const DEFAULT_TOKENS_PER_BYTE = 0.3;
/** Streamed files up to this size are also loaded whole once, for their structure (a book's chapters). */
const STRUCTURE_MAX_BYTES = 16 * 1024 * 1024;

const quietLogger: Logger = {
  info() {}, debug() {},
  warn(m) { process.stderr.write(`mnemo: ${m}\n`); },
  error(m) { process.stderr.write(`mnemo: ${m}\n`); },
};

interface SavedMeta {
  readonly tokensTotal?: number;
  readonly lastReadAt?: string;
  readonly keyDim?: number;
  readonly memorySize?: number;
  readonly dModel?: number;
  readonly options?: Partial<MemoryOptions>;
  readonly skipped?: unknown;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const logger = options.logger ?? quietLogger;
  const root = resolve(options.root);
  const model = await loadModel(options.modelDir, options.device ?? 'auto', logger);
  const engine = new MnemoEngine(root, model, options, logger);
  await engine.open();
  return engine;
}

class MnemoEngine implements Engine {
  private memory: WorkspaceMemory;
  private readonly cachePath: string;
  private diskBytes = 0;
  private lastReadAt: string | undefined;
  /** Tokens of the whole workspace as last estimated (exact once every file was tokenized). */
  private tokensTotal = 0;
  private progress: ReadProgress | undefined;
  private running: Promise<ReadResult> | undefined;
  private paused = false;
  private resumeWaiters: (() => void)[] = [];
  private readonly changed = new Set<string>();
  private cancelRead: AbortController | undefined;
  private readonly textCache = new Map<string, queries.CachedText>();
  /** Definitions, doc comments and name uses of every file read; saved as its own section. */
  private structure = new StructureIndex();
  /** BM25 over every stored segment; kept in step with `memory` (same files, segments, sha1). */
  private lexical = LexicalIndex.empty();
  /** Functions, methods and classes of the parsed source files as retrieval units; kept in step with `structure`. */
  private units: UnitIndex;
  /** Files being read: their segments' text, indexed as the reader stores each segment. */
  private readonly pending = new Map<string, { entry: FileMemory; texts: (string | undefined)[] }>();
  /** What decides which files are read: given now, else remembered with the memory, else defaults. */
  private shaping: MemoryOptions;
  private lastSkipped: SkipCount[] = [];
  /** The cache lock while a read runs (checkpoints write under it). */
  private lock: CacheLock | undefined;

  constructor(readonly root: string, private readonly model: LoadedModel, private readonly options: EngineOptions, private readonly logger: Logger) {
    this.memory = new WorkspaceMemory(model.config);
    this.units = new UnitIndex(model.config.keyDim);
    this.cachePath = workspaceCacheDir(options.cacheDir, root);
    this.shaping = memoryOptions(options);
  }

  /** The options given, with those left out taken from what the saved memory was read with. */
  private remember(saved: Partial<MemoryOptions> | undefined): void {
    const o = this.options;
    const list = (v: unknown): string[] | undefined => Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    const num = (v: unknown): number | undefined => typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
    this.shaping = memoryOptions({
      include: o.include ?? list(saved?.include),
      exclude: o.exclude ?? list(saved?.exclude),
      maxFileBytes: o.maxFileBytes ?? num(saved?.maxFileBytes),
      maxProseBytes: o.maxProseBytes ?? num(saved?.maxProseBytes),
    });
  }

  get isReading(): boolean {
    return this.running !== undefined;
  }

  /** What a saved memory must have been made with: the model and the version of its reading. */
  private get identity(): { modelId: string; modelVersion: string; root: string } {
    const c = this.model.config;
    return { modelId: c.id, modelVersion: memoryVersionOf(c), root: this.root };
  }

  /** Loads the saved memory; a damaged or foreign one is reported, deleted and rebuilt. */
  async open(): Promise<void> {
    this.memory = new WorkspaceMemory(this.model.config);
    try {
      const { header, sections } = await readSnapshot(this.cachePath, this.identity);
      const meta = (header.meta ?? {}) as SavedMeta;
      const c = this.model.config;
      if (meta.keyDim !== c.keyDim || meta.memorySize !== c.memorySize || meta.dModel !== c.dModel) {
        throw new CacheError('foreign', `its shapes (K=${meta.keyDim}, M=${meta.memorySize}, D=${meta.dModel}) are not the model's`);
      }
      try {
        this.memory = WorkspaceMemory.deserialize(c, sections);
      } catch (e) {
        throw new CacheError('corrupt', (e as Error).message);
      }
      this.structure = loadStructureSection(sections, this.logger);
      this.units = loadUnitsSection(sections, this.model.config.keyDim, this.logger);
      this.tokensTotal = meta.tokensTotal ?? this.memory.tokensKnown;
      this.lastReadAt = meta.lastReadAt;
      this.remember(meta.options);
      this.lastSkipped = parseSkipCounts(meta.skipped);
      this.diskBytes = await snapshotBytes(this.cachePath);
      this.logger.info(`Loaded the saved memory of ${this.root}: ${this.memory.fileCount} files, ${this.memory.tokensRead} tokens, ${this.diskBytes} bytes (${this.cachePath}).`);
      await this.openLexical(sections[LEXICAL_SECTION]);
      await this.openUnits();
    } catch (e) {
      if (!(e instanceof CacheError)) throw e;
      if (e.kind === 'missing') {
        this.logger.info(`No saved memory for ${this.root} yet; the first read builds it in ${this.cachePath}.`);
        return;
      }
      this.logger.warn(`The saved memory in ${this.cachePath} cannot be used (${e.kind}: ${e.message}). It was deleted; the next read rebuilds it from the files.`);
      await deleteSnapshot(this.cachePath);
      this.memory = new WorkspaceMemory(this.model.config);
      this.structure = new StructureIndex();
      this.lexical = LexicalIndex.empty();
      this.units = new UnitIndex(this.model.config.keyDim);
    }
  }

  /** How definition units are keyed: by the model's static keys, when it has them. */
  private get unitKeyer(): UnitKeyer {
    const keys = this.model.staticKeys;
    return keys ? (text) => keys.key(text) : undefined;
  }

  /**
   * Builds the definition units a loaded snapshot lacks (one saved before units existed, or a
   * damaged section) from the files on disk, and saves them, so that questions asked before the
   * next read already cite functions.
   */
  private async openUnits(): Promise<void> {
    for (const [path] of [...this.units.entries()]) if (!this.memory.get(path)) this.units.remove(path);
    const built = await catchUpUnits(this.units, this.structure, this.memory.entries(), this.root, { maxFileBytes: this.options.maxFileBytes, logger: this.logger, keyOf: this.unitKeyer });
    if (built === 0) return;
    try {
      await this.save();
    } catch (e) {
      this.logger.warn(`The rebuilt definition units could not be saved (${(e as Error).message}); they will be rebuilt next time too.`);
    }
  }

  /**
   * Loads the saved lexical index and checks it against the memory file by file; a missing or
   * damaged section, or a file whose segments or content hash differ, is indexed again from the
   * file on disk. Never trusted blindly: a wrong index would cite the wrong lines.
   */
  private async openLexical(section: Uint8Array | undefined): Promise<void> {
    let stale: FileMemory[];
    try {
      if (!section) throw new Error('the snapshot has no lexical index');
      this.lexical = LexicalIndex.deserialize(section);
      for (const path of [...this.lexical.paths()]) if (!this.memory.get(path)) this.lexical.removeFile(path);
      stale = [...this.memory.entries()].filter((f) => {
        const s = this.lexical.fileState(f.path);
        return f.segmentsRead > 0 && (!s || s.segments !== f.segmentsRead || s.sha1 !== f.sha1);
      });
    } catch (e) {
      this.logger.warn(`The saved lexical index cannot be used (${(e as Error).message}); it is rebuilt from the files.`);
      this.lexical = LexicalIndex.empty();
      stale = [...this.memory.entries()].filter((f) => f.segmentsRead > 0);
    }
    if (stale.length === 0) return;
    const started = performance.now();
    const indexed = await this.reindex(stale);
    this.logger.info(`Indexed ${indexed} of ${stale.length} files again for the lexical index in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
    try {
      await this.save();
    } catch (e) {
      this.logger.warn(`The rebuilt lexical index could not be saved (${(e as Error).message}); it will be rebuilt next time too.`);
    }
  }

  /**
   * Indexes stored files again from disk, as reading indexed them (indexTexts). A file whose bytes
   * changed since it was read is left out and marked changed: the next read catches up on it.
   */
  private async reindex(files: readonly FileMemory[]): Promise<number> {
    let done = 0;
    for (const f of files) {
      this.lexical.removeFile(f.path);
      try {
        const texts = await this.indexTexts(await resolveInside(this.root, f.path), f);
        if (!texts) { this.changed.add(f.path); continue; }
        this.lexical.addSegments(f.path, f.sha1, 0, texts);
        done++;
      } catch (e) {
        this.logger.debug(`${f.path}: not indexed again (${(e as Error).message}).`);
        this.changed.add(f.path);
      }
    }
    return done;
  }

  /**
   * The indexed text of a file's segments read so far, as the reader gave it to the index (see
   * prepare): the decoded ids of a streamed file, with words cut by a segment boundary carried
   * whole, else the segments' whole lines; undefined when the file's bytes are no longer the ones
   * read (a streamed file is hashed by the pass that streams it, not read whole first).
   */
  private async indexTexts(abs: string, f: FileMemory): Promise<string[] | undefined> {
    if (isStreamed(f.path, f.size)) {
      const streamed = await streamText(abs, this.model.tokenizer, this.model.config.segmentLength);
      if (streamed.ok === false) return undefined;
      if (streamed.ok === true) {
        if (streamed.sha1 !== f.sha1 || streamed.source.count < f.segmentsRead) return undefined;
        const indexText = streamedIndexText();
        const texts: string[] = [];
        for (let i = 0; i < f.segmentsRead; i++) texts.push(indexText(i, this.model.tokenizer.segmentText(await streamed.source.at(i))));
        return texts;
      }
    }
    if (createHash('sha1').update(await readFile(abs)).digest('hex') !== f.sha1) return undefined;
    const loaded = await loadText(abs, { maxFileBytes: this.options.maxFileBytes });
    if (!loaded.ok) return undefined;
    const lines = loaded.text.split('\n');
    if (!indexedByTokens(lines)) return segmentTexts(lines, f.startLines, f.endLines, f.segmentsRead);
    const whole = this.model.tokenizer.segment(this.model.tokenizer.tokenizeLines(loaded.text), this.model.config.segmentLength);
    const indexText = streamedIndexText();
    return whole.slice(0, f.segmentsRead).map((seg, i) => indexText(i, this.model.tokenizer.segmentText(seg)));
  }

  /** Indexes the segments of a file in flight that the reader has stored since last time. */
  private syncLexical(path: string): void {
    const p = this.pending.get(path);
    if (!p || this.memory.get(path) !== p.entry) return;
    const n = p.entry.segmentsRead;
    const have = this.lexical.fileState(path);
    const from = have && have.sha1 === p.entry.sha1 && have.segments <= n ? have.segments : 0;
    if (from === 0) this.lexical.removeFile(path);
    if (n > from) {
      this.lexical.addSegments(path, p.entry.sha1, from, p.texts.slice(from, n).map((t) => t ?? ''));
      p.texts.fill(undefined, from, n); // indexed: a long book's text is not kept twice
    }
  }

  private syncAllLexical(): void {
    for (const path of this.pending.keys()) this.syncLexical(path);
  }

  /** Drops a file from memory, the lexical index and the structure together. */
  private removeFile(path: string): void {
    this.memory.remove(path);
    this.lexical.removeFile(path);
    this.structure.remove(path);
    this.units.remove(path);
    this.pending.delete(path);
  }

  /** A read asked for while one runs joins it (and its progress callback is not called). */
  read(options?: ReadOptions): Promise<ReadResult> {
    if (!this.running) {
      this.running = this.readOnce(options).finally(() => { this.running = undefined; this.progress = undefined; });
    }
    return this.running;
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.paused = true;
    this.logger.info('Reading paused.');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.logger.info('Reading resumed.');
    for (const w of this.resumeWaiters.splice(0)) w();
  }

  notifyChanged(paths: readonly string[]): void {
    for (const p of paths) this.changed.add(p.replace(/\\/g, '/'));
  }

  private async readOnce(options: ReadOptions | undefined): Promise<ReadResult> {
    const started = performance.now();
    const c = this.model.config;
    const cancel = new AbortController();
    this.cancelRead = cancel;
    const signal = options?.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
    const device = this.model.runtime.device;
    let phase: ReadProgress['phase'] = 'scanning';
    let filesRead = 0;
    let filesReused = 0;
    let filesRemoved = 0;
    let sessionTokens = 0;
    let baseTokens = 0;
    let tokensKnown = 0; // exact tokens of files reused or tokenized
    let bytesPending = 0; // bytes of files not tokenized yet
    let bytesTokenized = 0;
    let tokensTokenized = 0;
    let readingMs = 0;
    let readingSince = 0;
    let lastProgress = 0;
    let lastCheckpoint = performance.now();
    let tokensAtCheckpoint = 0;
    let checkpointGapMs = MIN_CHECKPOINT_GAP_MS;
    let filesTotal = 0;
    let currentFile: string | undefined;
    const skipped: SkippedFile[] = [];

    const total = (): number => Math.round(tokensKnown + bytesPending * (bytesTokenized > 0 ? tokensTokenized / bytesTokenized : DEFAULT_TOKENS_PER_BYTE));
    const report = (force = false): void => {
      const now = performance.now();
      if (!force && now - lastProgress < PROGRESS_MS) return;
      lastProgress = now;
      const ms = readingMs + (readingSince ? now - readingSince : 0);
      const rate = ms > 0 ? sessionTokens / (ms / 1000) : 0;
      const tokensTotal = total();
      const read = baseTokens + sessionTokens;
      this.progress = {
        phase: this.paused && phase === 'reading' ? 'paused' : phase,
        tokensRead: read, tokensTotal, filesRead: filesReused + filesRead, filesTotal,
        // The first batches include model warm-up: no estimate until the rate is measured over a few seconds.
        tokensPerSecond: rate, etaSeconds: rate > 0 && sessionTokens > 0 && ms >= ETA_AFTER_MS ? Math.max(0, tokensTotal - read) / rate : undefined,
        device, currentFile,
      };
      this.tokensTotal = Math.max(tokensTotal, read);
      try { options?.onProgress?.(this.progress); } catch { /* a listener's failure must not stop reading */ }
    };

    try {
      report(true);
      // One read of a workspace at a time, across processes: a second waits for the first to
      // save, then loads what it saved and finds little or nothing left to read.
      let waited = false;
      this.lock = await lockCache(this.cachePath, {
        signal,
        onWait: (holder) => {
          waited = true;
          this.logger.warn(`Another Mnemo process (pid ${holder?.pid ?? 'unknown'}) is reading ${this.root}; waiting for it to finish, then using what it read.`);
        },
      });
      if (waited) await this.open();
      this.logger.info(`Scanning ${this.root}.`);
      const o = this.shaping;
      const exclude = o.exclude.length > 0 ? [...DEFAULT_EXCLUDES, ...o.exclude] : undefined;
      const scan = await scanWorkspace(this.root, {
        include: o.include, exclude, maxFileBytes: o.maxFileBytes, maxProseBytes: o.maxProseBytes, signal, logger: this.logger,
      });
      skipped.push(...scan.skipped);
      filesTotal = scan.files.length;
      const present = new Set(scan.files.map((f) => f.path));
      for (const path of this.memory.paths()) {
        if (!present.has(path)) { this.removeFile(path); filesRemoved++; }
      }

      // Unchanged files (same size and mtime, not reported changed) keep their memory untouched;
      // the others are hashed when prepared, and reused if their bytes did not change either.
      const queue: ScannedFile[] = [];
      for (const f of scan.files) {
        const old = this.memory.get(f.path);
        const complete = old !== undefined && old.segmentsRead >= old.segmentsTotal;
        if (old && complete && old.size === f.size && old.mtimeMs === f.mtimeMs && !this.changed.has(f.path)) {
          filesReused++;
          tokensKnown += old.tokens;
          baseTokens += old.tokens;
        } else {
          queue.push(f);
          bytesPending += f.size;
        }
      }
      this.changed.clear();
      // Longest first: a long file occupies one row for its whole length, so it starts early
      // while the other rows work through the short files.
      queue.sort((a, b) => b.size - a.size);
      this.logger.info(`${scan.files.length} files: ${filesReused} unchanged, ${queue.length} to check or read, ${filesRemoved} removed, ${scan.skipped.length} skipped.`);

      phase = 'reading';
      readingSince = performance.now();
      let next = 0;
      const result = await readAll(this.model, this.memory, {
        signal,
        next: async () => {
          while (next < queue.length) {
            const f = queue[next++]!;
            bytesPending -= f.size;
            const prepared = await this.prepare(f, skipped, signal);
            if (prepared === 'reused') {
              const e = this.memory.get(f.path)!;
              filesReused++;
              tokensKnown += e.tokens;
              baseTokens += e.tokens;
              continue;
            }
            if (prepared === undefined) continue;
            const e = prepared.entry;
            bytesTokenized += f.size;
            tokensTokenized += e.tokens;
            tokensKnown += e.tokens;
            baseTokens += tokensRead(e, c.segmentLength);
            currentFile = f.path;
            return prepared;
          }
          return undefined;
        },
        onTokens: (tokens, file) => {
          this.syncAllLexical();
          sessionTokens += tokens;
          if (file) currentFile = file;
          report();
        },
        onFileDone: (entry) => {
          this.syncLexical(entry.path);
          this.pending.delete(entry.path);
          filesRead++;
        },
        gate: async (publish) => {
          if (this.paused) {
            readingMs += performance.now() - readingSince;
            readingSince = 0;
            report(true);
            await new Promise<void>((r) => this.resumeWaiters.push(r));
            readingSince = performance.now();
          }
          const since = performance.now() - lastCheckpoint;
          const due = since >= CHECKPOINT_MS || sessionTokens - tokensAtCheckpoint >= CHECKPOINT_TOKENS;
          if (due && since >= checkpointGapMs) {
            const t0 = performance.now();
            publish();
            this.lastSkipped = countSkips(skipped);
            await this.save();
            const cost = performance.now() - t0;
            checkpointGapMs = Math.max(MIN_CHECKPOINT_GAP_MS, CHECKPOINT_COST_FACTOR * cost);
            this.logger.debug(`Checkpoint: ${this.memory.tokensRead} tokens in memory saved in ${cost.toFixed(0)} ms.`);
            lastCheckpoint = performance.now();
            tokensAtCheckpoint = sessionTokens;
          }
        },
      }, BATCH_ROWS);
      readingMs += readingSince ? performance.now() - readingSince : 0;
      readingSince = 0;
      // Files whose memory is current but whose structure is not (an older snapshot, a damaged
      // section) are parsed from disk; the model does not read them again.
      await catchUpStructure(this.structure, this.memory.entries(), this.root, { maxFileBytes: this.options.maxFileBytes, signal, logger: this.logger });
      await catchUpUnits(this.units, this.structure, this.memory.entries(), this.root, { maxFileBytes: this.options.maxFileBytes, signal, logger: this.logger, keyOf: this.unitKeyer });
      // Files a cancel cut off keep what was read of them, in the index too.
      this.syncAllLexical();
      this.pending.clear();

      if (result.cancelled) {
        // Files cut off mid-way were kept by the reader as partly read; they count as read.
        filesRead += result.partialFiles;
        phase = 'cancelled';
        this.logger.info(`Reading cancelled after ${sessionTokens} tokens; what was read is kept and the next read continues from there.`);
      }
      this.lastReadAt = new Date().toISOString();
      this.lastSkipped = countSkips(skipped);
      const finalPhase = phase === 'cancelled' ? 'cancelled' : 'done';
      phase = 'saving';
      report(true);
      await this.save();
      phase = finalPhase;
      report(true);
      const seconds = (performance.now() - started) / 1000;
      const rate = readingMs > 0 ? Math.round(sessionTokens / (readingMs / 1000)) : 0;
      this.logger.info(
        `Read ${filesRead} files (${sessionTokens} tokens, ${rate} tokens/s on ${device}), reused ${filesReused}, removed ${filesRemoved}, skipped ${skipped.length}; ` +
        `saved ${this.diskBytes} bytes in ${seconds.toFixed(1)} s.`,
      );
      return {
        filesRead, filesReused, filesSkipped: skipped, filesRemoved, tokensRead: sessionTokens,
        tokensTotal: this.tokensTotal, seconds, cancelled: result.cancelled,
      };
    } catch (e) {
      const aborted = (e as Error).name === 'AbortError';
      phase = aborted ? 'cancelled' : 'failed';
      report(true);
      if (aborted) {
        // Cancelled while scanning: nothing new was read, the saved memory stands.
        return { filesRead: 0, filesReused, filesSkipped: skipped, filesRemoved: 0, tokensRead: 0, tokensTotal: this.tokensTotal, seconds: (performance.now() - started) / 1000, cancelled: true };
      }
      this.logger.error(`Reading ${this.root} failed: ${(e as Error).message}`);
      throw e;
    } finally {
      this.pending.clear();
      this.cancelRead = undefined;
      if (this.paused) this.resume();
      await this.lock?.release();
      this.lock = undefined;
    }
  }

  /**
   * Hashes, loads and tokenizes a file. 'reused' when its bytes match the saved memory (only its
   * stat changed), undefined when it cannot be read (added to `skipped`). Files of STREAM_BYTES
   * or more are streamed (streamedText.ts): their tokens are never all in memory at once.
   */
  private async prepare(f: ScannedFile, skipped: SkippedFile[], signal: AbortSignal): Promise<PreparedFile | 'reused' | undefined> {
    const c = this.model.config;
    const unreadable = (e: unknown): undefined => {
      skipped.push({ path: f.path, kind: 'unreadable', reason: `cannot be read: ${(e as Error).message}` });
      this.removeFile(f.path);
      return undefined;
    };
    const large = f.size >= STREAM_BYTES;
    let sha1: string;
    try {
      sha1 = large ? await hashFile(f.absPath) : createHash('sha1').update(await readFile(f.absPath)).digest('hex');
    } catch (e) {
      return unreadable(e);
    }
    const old = this.memory.get(f.path);
    if (old && old.sha1 === sha1 && old.segmentsRead >= old.segmentsTotal) {
      old.size = f.size;
      old.mtimeMs = f.mtimeMs;
      return 'reused';
    }
    let segments: PreparedFile['segments'] | undefined;
    let tokenCount = 0;
    let lines: string[] | undefined; // the whole text's lines, for a file loaded whole
    let whole: Segment[] | undefined; // its segments
    if (isStreamed(f.path, f.size)) {
      let streamed;
      try {
        streamed = await streamText(f.absPath, this.model.tokenizer, c.segmentLength, signal);
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        return unreadable(e);
      }
      if (streamed.ok === false) {
        skipped.push({ path: f.path, kind: streamed.kind, reason: streamed.reason });
        this.removeFile(f.path);
        return undefined;
      }
      if (streamed.ok === true) {
        segments = streamed.source;
        tokenCount = streamed.tokens;
        sha1 = streamed.sha1; // the bytes tokenized, should the file have changed since it was hashed
        if (f.size <= STRUCTURE_MAX_BYTES) {
          // Structure (definitions, a book's chapters) needs the whole text once; its tokens do not.
          const loaded = await loadText(f.absPath, this.shaping);
          if (loaded.ok) await this.updateStructure(f.path, loaded.text, sha1);
        } else {
          this.structure.remove(f.path);
          this.units.remove(f.path);
        }
      }
    }
    if (!segments) {
      const loaded = await loadText(f.absPath, this.shaping);
      if (!loaded.ok) {
        const { ok: _, ...why } = loaded;
        skipped.push({ path: f.path, ...why });
        this.removeFile(f.path);
        return undefined;
      }
      for (const w of loaded.warnings) this.logger.debug(`${f.path}: ${w}`);
      await this.updateStructure(f.path, loaded.text, sha1);
      const tokens = this.model.tokenizer.tokenizeLines(loaded.text);
      whole = this.model.tokenizer.segment(tokens, c.segmentLength);
      segments = arraySource(whole);
      lines = loaded.text.split('\n');
      tokenCount = tokens.ids.length;
    }
    const K = c.keyDim;
    const count = segments.count;
    const entry: FileMemory = {
      path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha1, tokens: tokenCount,
      segmentsRead: 0, segmentsTotal: count,
      keys: new Int8Array(count * K), startLines: new Uint32Array(count), endLines: new Uint32Array(count),
      memory: undefined,
    };
    // Only a file loaded whole can be resumed after an edit at its end (resume.ts): a streamed
    // one (STREAM_BYTES or more) has its segments produced from disk one at a time, so its
    // prefix is never at hand to hash, and it is read again from the start.
    if (whole && keepsTail(count, c.segmentLength)) entry.prefixHash = prefixHash(whole, count - 1);
    let memory: Float32Array = this.model.memoryInit.slice();
    // The lexical index gets each segment's text as the reader takes it (see syncLexical): the
    // lines of a file loaded whole, the decoded ids of a streamed one; no file is read twice.
    const texts: (string | undefined)[] = [];
    const linesOf = (seg: Segment): string => lines!.slice(seg.startLine - 1, seg.endLine).join('\n');
    // A file loaded whole with a line of a book's length is indexed as a streamed one is (lexicalIndex.ts LONG_LINE_CHARS).
    const byLines = lines !== undefined && !indexedByTokens(lines);
    const keep = (from: FileMemory, n: number): void => {
      entry.segmentsRead = n;
      entry.keys.set(from.keys.subarray(0, n * K));
      entry.startLines.set(from.startLines.subarray(0, n));
      entry.endLines.set(from.endLines.subarray(0, n));
    };
    // A streamed segment's decoded ids can end inside a line, even inside a word ("Violet" | "ta
    // went back to the cellar."): the line's start is carried into the next segment's indexed
    // text, so that the index holds the line whole, as a whole file's segments (their whole lines)
    // do. Without the word, a planted "Violetta" line of the 1M-token bAbI haystack could not be
    // found by her name; without the line, "the wool cloak" of a planted line cut between its two
    // words was found in neither half (lexicalIndex.ts streamedIndexText).
    const indexText = streamedIndexText();
    const resumed = whole && old?.sha1 !== sha1 ? resumeAt(old, whole) : undefined;
    if (old && old.sha1 === sha1 && old.memory && old.segmentsTotal === count && old.segmentsRead > 0) {
      // A file a cancelled or killed read stopped in the middle of continues where it stopped. A
      // streamed one first takes up the word its last read segment left unfinished, as a read
      // from the start would.
      keep(old, old.segmentsRead);
      memory = halfArrayToFloat(old.memory);
      if (!byLines) indexText(old.segmentsRead - 1, this.model.tokenizer.segmentText(await segments.at(old.segmentsRead - 1)));
      this.logger.debug(`${f.path}: continuing at segment ${old.segmentsRead} of ${count}.`);
    } else if (old && whole && resumed !== undefined) {
      // Changed only in its last segment or after it: the same keys, lines and memory as a full
      // read up to there. The index drops the file's old version (another sha1) and takes the
      // new one from its first segment, so the segments not read again get their text here.
      keep(old, resumed);
      memory = old.tailMemory!.slice();
      for (let i = 0; i < resumed; i++) texts[i] = byLines ? linesOf(whole[i]!) : indexText(i, this.model.tokenizer.segmentText(whole[i]!));
      this.logger.debug(`${f.path}: resumed at segment ${resumed} of ${count}.`);
    }
    const source = segments;
    const recorded: SegmentSource = {
      count: source.count,
      at: async (index) => {
        const seg = await source.at(index);
        if (byLines) {
          texts[index] = linesOf(seg);
          return seg;
        }
        // A streamed file's text (or a long-lined one's) is its decoded ids, which the reader keys it by too: decoded once.
        const text = this.model.tokenizer.segmentText(seg);
        texts[index] = indexText(index, text);
        return { ...seg, text };
      },
    };
    this.pending.set(f.path, { entry, texts });
    return { entry, segments: recorded, memory };
  }

  /** Parses a file's structure and indexes its definition units; a file the parser cannot handle is still read as text. */
  private async updateStructure(path: string, text: string, sha1: string): Promise<void> {
    try {
      await this.structure.update(path, text, sha1);
    } catch (e) {
      this.structure.remove(path);
      this.logger.debug(`${path}: no code structure (${(e as Error).message}).`);
    }
    updateUnits(this.units, this.structure, path, text, sha1, this.unitKeyer);
  }

  private async save(): Promise<void> {
    this.syncAllLexical();
    const { sections, meta } = this.memory.serialize();
    sections[LEXICAL_SECTION] = this.lexical.serialize();
    const { bytes } = await writeSnapshot(this.cachePath, {
      ...this.identity,
      meta: { ...meta, tokensTotal: this.tokensTotal, lastReadAt: this.lastReadAt, options: this.shaping, skipped: this.lastSkipped },
    }, { ...sections, [STRUCTURE_SECTION]: this.structure.serialize(), [UNITS_SECTION]: this.units.serialize() }, { lock: this.lock });
    this.diskBytes = bytes;
    this.logger.debug(`Saved ${bytes} bytes to ${this.cachePath}.`);
  }

  private coverage(): number {
    const read = this.memory.tokensRead;
    const total = Math.max(this.tokensTotal, this.memory.tokensKnown, read);
    return total > 0 ? read / total : 0;
  }

  private get queryContext(): queries.QueryContext {
    return {
      model: this.model, memory: this.memory, lexical: this.lexical, units: this.units, root: this.root, logger: this.logger,
      coverage: () => this.coverage(), maxFileBytes: this.shaping.maxFileBytes, maxProseBytes: this.shaping.maxProseBytes, textCache: this.textCache,
    };
  }

  private async answering<T extends Answer>(what: string, options: QueryOptions | undefined, run: () => Promise<T>): Promise<T> {
    try {
      if (this.memory.segmentCount === 0) throw new NothingReadError(this.root);
      return await run();
    } catch (e) {
      const message = `${what} failed: ${(e as Error).message}`;
      this.logger.error(message);
      try { options?.onEvent?.({ type: 'error', message }); } catch { /* ignore */ }
      throw e;
    }
  }

  ask(question: string, options?: QueryOptions): Promise<Answer> {
    return this.answering('Asking', options, () => queries.ask(this.queryContext, checkQuestion(question), options));
  }

  private get structureContext(): StructureContext {
    const files = new Map<string, number>();
    for (const f of this.memory.entries()) files.set(f.path, f.tokens);
    return { root: this.root, structure: this.structure, files, coverage: this.coverage(), maxFileBytes: this.options.maxFileBytes };
  }

  /** From the structure (a cited map of sources) when it covers the target; from the model otherwise. */
  summarize(target: SummaryTarget, options?: QueryOptions): Promise<Answer> {
    return this.answering('Summarizing', options, () => {
      const ctx = this.structureContext;
      return structureCovers(ctx, target) ? summaryAnswer(ctx, target, options) : queries.summarize(this.queryContext, target, options);
    });
  }

  /** From the parsed definitions of the whole workspace when it defines the symbol; from the model otherwise. */
  explain(query: SymbolQuery, options?: QueryOptions): Promise<Explanation> {
    return this.answering('Explaining', options, async () =>
      (await structureExplanation(this.structureContext, query, options)) ?? queries.explain(this.queryContext, query, options));
  }

  status(): MemoryStatus {
    const c = this.model.config;
    return {
      root: this.root, modelId: c.id, modelVersion: c.version, memoryVersion: this.identity.modelVersion, device: this.model.runtime.device,
      files: this.memory.fileCount, segments: this.memory.segmentCount, tokens: this.memory.tokensRead,
      diskBytes: this.diskBytes, cachePath: this.cachePath, lastReadAt: this.lastReadAt, reading: this.progress,
      options: this.shaping, skipped: this.lastSkipped,
    };
  }

  async forget(): Promise<void> {
    if (this.running) {
      this.cancelRead?.abort();
      await this.running.catch(() => undefined);
    }
    await deleteSnapshot(this.cachePath);
    this.memory = new WorkspaceMemory(this.model.config);
    this.structure = new StructureIndex();
    this.lexical = LexicalIndex.empty();
    this.units = new UnitIndex(this.model.config.keyDim);
    this.pending.clear();
    this.diskBytes = 0;
    this.tokensTotal = 0;
    this.lastReadAt = undefined;
    this.logger.info(`Forgot the memory of ${this.root} (${this.cachePath} deleted).`);
  }

  async dispose(): Promise<void> {
    if (this.running) {
      this.cancelRead?.abort();
      await this.running.catch(() => undefined);
    }
    await this.model.runtime.dispose();
  }
}
