// The surface of the core that front ends (the VS Code extension, the CLI, the benchmarks)
// use. Nothing here imports `vscode`; editors adapt to these types, not the other way round.

/** A place in the workspace an answer rests on. Lines are 1-based and inclusive. */
export interface Citation {
  /** Workspace-relative path with forward slashes. */
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
  /**
   * The score that ordered the citations, higher is better: the fused score in 'auto', BM25 in
   * 'lexical', the key dot product in 'model'. Comparable within one answer only.
   */
  readonly score: number;
  /** Which retrievers found this place (both, in 'auto', when the two agree). */
  readonly sources: readonly RetrievalSource[];
}

/**
 * How segments are found: 'auto' fuses the lexical index and the model's keys over every stored
 * segment; 'lexical' and 'model' use one side alone (for comparison and evaluation).
 */
export type RetrievalMode = 'auto' | 'lexical' | 'model';
export type RetrievalSource = 'lexical' | 'model';

/** Cited lines, quoted: `text` is exactly lines `citation.startLine..endLine` of the file. */
export interface Passage {
  readonly citation: Citation;
  readonly text: string;
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
  /** Seconds left, undefined until the rate has been measured over a few seconds of reading. */
  readonly etaSeconds: number | undefined;
  /** The execution provider in use, e.g. "cpu" or "webgpu". */
  readonly device: string;
  readonly currentFile?: string;
}

/**
 * Why a file was left out. Front ends word these in their own terms (a CLI option, a VS Code
 * setting); `reason` is the core's own sentence, for logs.
 */
export type SkipKind =
  | 'too-large' // over the size limit for its kind: `setting` says which
  | 'unknown-type' // not a known text, code or document type
  | 'not-included' // include patterns are set and none matches
  | 'ignored' // left out by a .gitignore file or .git/info/exclude
  | 'excluded' // matches an exclude pattern (the front end's or the defaults)
  | 'binary' // its bytes are not text
  | 'no-text' // a document with no text to read (a scanned or encrypted PDF)
  | 'unreadable' // permission denied, vanished, input/output error
  | 'outside-workspace' // a symbolic link that leads out of the workspace
  | 'duplicate' // a symbolic link to a file read under its own path
  | 'special' // not a regular file (FIFO, socket, device)
  | 'bad-name'; // its name holds a line break or another control character

/** The option of EngineOptions that would let a skipped file in. */
export type SkipSetting = 'maxFileBytes' | 'maxProseBytes' | 'include';

export interface SkippedFile {
  readonly path: string;
  readonly kind: SkipKind;
  /** The core's sentence, in neutral words (no front end's setting names). */
  readonly reason: string;
  /** For 'too-large': the file's size and the limit it is over. */
  readonly bytes?: number;
  readonly limit?: number;
  /** What would let it in, when something would. */
  readonly setting?: SkipSetting;
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
  /** The version of reading the saved memory is made with (the model's memoryVersion, else its version). */
  readonly memoryVersion: string;
  readonly device: string;
  readonly files: number;
  readonly segments: number;
  readonly tokens: number;
  /** Bytes of the saved memory on disk. */
  readonly diskBytes: number;
  readonly cachePath: string;
  readonly lastReadAt: string | undefined;
  readonly reading: ReadProgress | undefined;
  /** The options that shape what is read, as in force: given now, or remembered with the memory. */
  readonly options: MemoryOptions;
  /** Files the last read left out, counted by reason (see skips.ts's countSkips). */
  readonly skipped: readonly SkipCount[];
}

/** Skipped files of one kind (and one setting that would let them in). */
export interface SkipCount {
  readonly kind: SkipKind;
  readonly setting?: SkipSetting;
  readonly count: number;
  /** A few of their paths, the largest first for 'too-large'. */
  readonly examples: readonly string[];
  /** For 'too-large': the largest size and the limit in force. */
  readonly largestBytes?: number;
  readonly limit?: number;
}

/** The options that decide which files a memory holds; saved with it, so later commands agree. */
export interface MemoryOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly maxFileBytes: number;
  readonly maxProseBytes: number;
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

/**
 * Streamed pieces of an answer; the stream always ends with `done` or `error`. `citations` comes
 * as soon as retrieval has found them, and may come again before the text when the answer changes
 * them (a confident span narrows one and puts it first): the last one equals `Answer.citations`.
 */
export type AnswerEvent =
  | { readonly type: 'citations'; readonly citations: readonly Citation[] }
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'done'; readonly answer: Answer }
  | { readonly type: 'error'; readonly message: string };

export interface Answer {
  /**
   * What the user reads, as Markdown. Its first paragraph is the answer sentence (the copied
   * span, a plain "not sure", or declared-good generated text); then every passage follows as a
   * `path:start-end` line and a fenced block of the quoted lines. Never a fragment of model output.
   */
  readonly text: string;
  /**
   * 'span': copied from a passage by the model's span head, confident enough; 'passages': no
   * confident answer, the best passages quoted; 'generated': text the model wrote, shown only
   * where model.json declares that kind of text measured good.
   */
  readonly kind: 'span' | 'passages' | 'generated';
  /** The span head's calibrated confidence (0..1), for 'span' answers. */
  readonly confidence?: number;
  /** The quoted passages, ranked; the citations are exactly theirs. */
  readonly passages: readonly Passage[];
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
  /** Upper bound on generated tokens (only where generated text is declared good). */
  readonly maxTokens?: number;
  /** Hover mode: smaller candidate lists and at most 24 generated tokens, to answer within ~300 ms. */
  readonly fast?: boolean;
  /** How segments are found; default 'auto' (fused). */
  readonly retrieval?: RetrievalMode;
  /**
   * Share of the lexical side in the fused score, in [0, 1]; for evaluation and tuning only
   * (front ends never set it). Default: model.json's retrieval.fusionWeight, else 0.9.
   */
  readonly fusionWeight?: number;
  /**
   * Relative BM25 drop, in [0, 1], down to which the fused mode keeps the lexical order at the
   * top; for evaluation and tuning only. Default: model.json's retrieval.lexicalMargin, else 0.1.
   */
  readonly lexicalMargin?: number;
  /**
   * Share of the rerank graph's relevance in the order of the best fused candidates, in [0, 1];
   * 0 keeps the fused order. For evaluation and tuning only. Default: model.json's
   * retrieval.rerankWeight, else 0 (src/core/rerank.ts).
   */
  readonly rerankWeight?: number;
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
  /**
   * Glob patterns (gitignore syntax) to read even if nothing else includes them; empty = everything.
   * Undefined: the patterns the saved memory was read with (see MemoryStatus.options).
   */
  readonly include?: readonly string[];
  /** Glob patterns (gitignore syntax) never to read, on top of .gitignore files. Undefined: as for include. */
  readonly exclude?: readonly string[];
  /**
   * Code, data and other files that are not prose larger than this are skipped (default 2 MiB:
   * bigger ones are almost always generated or minified). Undefined: the value the saved memory
   * was read with, else the default.
   */
  readonly maxFileBytes?: number;
  /**
   * Prose (plain text, Markdown, reStructuredText and the like, HTML, PDF) larger than this is
   * skipped (default 64 MiB: whole books are read). Undefined: as for maxFileBytes.
   */
  readonly maxProseBytes?: number;
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
