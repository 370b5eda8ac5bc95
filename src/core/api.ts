// The surface of the core that front ends (the VS Code extension, the CLI, the benchmarks)
// use. Nothing here imports `vscode`; editors adapt to these types, not the other way round.

/** A place in the workspace an answer rests on. Lines are 1-based and inclusive. */
export interface Citation {
  /** Workspace-relative path with forward slashes. */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Retrieval score (dot product of query and segment keys); higher is better. */
  readonly score: number;
}

export type ReadPhase = 'idle' | 'scanning' | 'reading' | 'saving' | 'paused' | 'done' | 'cancelled' | 'failed';

export interface ReadProgress {
  readonly phase: ReadPhase;
  readonly tokensRead: number;
  /** Estimated from file sizes while scanning, exact once every file is tokenized. */
  readonly tokensTotal: number;
  readonly filesRead: number;
  readonly filesTotal: number;
  readonly tokensPerSecond: number;
  /** Seconds left, undefined until the rate is known. */
  readonly etaSeconds: number | undefined;
  /** The execution provider in use, e.g. "cpu" or "webgpu". */
  readonly device: string;
  readonly currentFile?: string;
}

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface ReadResult {
  readonly filesRead: number;
  /** Files whose memory was reused from the cache. */
  readonly filesReused: number;
  readonly filesSkipped: readonly SkippedFile[];
  readonly filesRemoved: number;
  readonly tokensRead: number;
  readonly tokensTotal: number;
  readonly seconds: number;
  readonly cancelled: boolean;
}

export interface MemoryStatus {
  readonly root: string;
  readonly modelId: string;
  readonly modelVersion: string;
  readonly device: string;
  readonly files: number;
  readonly segments: number;
  readonly tokens: number;
  /** Bytes of the saved memory on disk. */
  readonly diskBytes: number;
  readonly cachePath: string;
  readonly lastReadAt: string | undefined;
  readonly reading: ReadProgress | undefined;
}

/** What a summary is about. Paths are workspace-relative. */
export type SummaryTarget =
  | { readonly kind: 'workspace' }
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'selection'; readonly path: string; readonly startLine: number; readonly endLine: number; readonly text: string };

export interface SymbolQuery {
  readonly path: string;
  /** 1-based line and 0-based character of the cursor. */
  readonly line: number;
  readonly character: number;
  readonly symbol: string;
}

/** Streamed pieces of an answer; the stream always ends with `done` or `error`. */
export type AnswerEvent =
  | { readonly type: 'citations'; readonly citations: readonly Citation[] }
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'done'; readonly answer: Answer }
  | { readonly type: 'error'; readonly message: string };

export interface Answer {
  readonly text: string;
  readonly citations: readonly Citation[];
  /** Fraction of the workspace's tokens read when the answer was made (1 when complete). */
  readonly coverage: number;
  readonly millisecondsToFirstToken: number;
  /** Things the user should know about the sources, e.g. a cited file changed since it was read. */
  readonly warnings?: readonly string[];
  /**
   * Summaries of a workspace or folder: the map as a Markdown document to keep, its links
   * relative to the workspace folder (src/core/summary).
   */
  readonly document?: string;
}

/** What the parser knows about an explained symbol (src/core/structure). */
export interface SymbolDetail {
  /** 'class', 'function', 'method', 'interface', 'type', 'enum', 'variable', 'module'. */
  readonly kind: string;
  readonly qualifiedName: string;
  /** The definition's opening as written, e.g. `def dump(obj, fp, *, indent=None):`. */
  readonly signature: string;
  /** Its docstring or doc comment (first paragraphs), markers removed. */
  readonly doc?: string;
  /** Other definitions of the same name elsewhere in the workspace. */
  readonly alternatives: readonly Citation[];
}

export interface Explanation extends Answer {
  readonly definition: Citation | undefined;
  readonly uses: readonly Citation[];
  /** Present when the definition came from the parsed structure of the workspace. */
  readonly symbol?: SymbolDetail;
}

export interface QueryOptions {
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: AnswerEvent) => void;
  /** Upper bound on generated tokens. */
  readonly maxTokens?: number;
  /** Hover mode: a small retrieval and at most 24 generated tokens, to answer within ~300 ms. */
  readonly fast?: boolean;
  /**
   * How segments are found: the model's keys re-ranked by BM25 ('hybrid', the default), the
   * model's keys alone ('model'), or BM25 alone over every segment's text ('bm25', a baseline).
   */
  readonly retrieval?: 'model' | 'bm25' | 'hybrid';
}

export interface ReadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReadProgress) => void;
}

/** Leveled logging that front ends route to an Output channel or stderr. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export type DevicePreference = 'auto' | 'cpu' | 'webgpu' | 'cuda';

export interface EngineOptions {
  /** Absolute path of the workspace folder to read. */
  readonly root: string;
  /** Absolute path of a model folder (see docs/MODEL_CONTRACT.md). */
  readonly modelDir: string;
  /** Folder where this workspace's memory is saved (one subfolder per workspace). */
  readonly cacheDir: string;
  readonly device?: DevicePreference;
  /** Glob patterns (gitignore syntax) to read even if nothing else includes them; empty = everything. */
  readonly include?: readonly string[];
  /** Glob patterns (gitignore syntax) never to read, on top of .gitignore files. */
  readonly exclude?: readonly string[];
  /** Files larger than this are skipped with a logged reason. */
  readonly maxFileBytes?: number;
  readonly logger?: Logger;
}

/**
 * One workspace's memory. Created by `openEngine` in `src/core/engine.ts`.
 * Methods that answer work from whatever has been read so far.
 */
export interface Engine {
  readonly root: string;
  read(options?: ReadOptions): Promise<ReadResult>;
  /** Pauses a read in progress; `resume` continues it. */
  pause(): void;
  resume(): void;
  readonly isReading: boolean;
  /** Marks files as changed or deleted; the next `read` catches up on them alone. */
  notifyChanged(paths: readonly string[]): void;
  ask(question: string, options?: QueryOptions): Promise<Answer>;
  summarize(target: SummaryTarget, options?: QueryOptions): Promise<Answer>;
  explain(query: SymbolQuery, options?: QueryOptions): Promise<Explanation>;
  status(): MemoryStatus;
  /** Deletes this workspace's saved memory. */
  forget(): Promise<void>;
  dispose(): Promise<void>;
}
