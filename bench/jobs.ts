// The jobs bench/main.ts hands to bench/child.ts, and what comes back: plain data, JSON both ways.
import type { AttentionTiming } from './attention';
import type { Needle } from './needles';

export interface ReadJob {
  readonly task: 'read';
  readonly out: string;
  readonly root: string;
  readonly cacheDir: string;
  readonly modelDir: string;
  /** 'cpu' for the table's main rows; 'auto' picks a GPU provider when one works. */
  readonly device: 'cpu' | 'auto';
  /** Only for the workspace where answers are measured. */
  readonly focus?: {
    readonly needles: readonly Needle[];
    readonly latencyRepeats: number;
    /** Workspace-relative file that gets one line appended for the catch-up. */
    readonly editFile: string;
  };
}

export interface AttentionJob {
  readonly task: 'attention';
  readonly out: string;
  readonly modelDir: string;
  /** A text file whose tokens are fed to both graphs. */
  readonly textFile: string;
  readonly lengths: readonly number[];
  readonly repeats: number;
}

export type Job = ReadJob | AttentionJob;

export const METHODS = ['model', 'lexical', 'auto'] as const;
export type Method = (typeof METHODS)[number];

/** Whether the first citation answered the needle, for each retrieval method. */
export interface NeedleResult {
  readonly kind: Needle['kind'];
  readonly top1: Record<Method, boolean>;
}

export interface ReadOutcome {
  readonly device: string;
  readonly files: number;
  readonly filesSkipped: number;
  readonly tokens: number;
  readonly seconds: number;
  /** CPU seconds (user + system) of this process during the read: less sensitive to other load. */
  readonly cpuSeconds: number;
  /** One-minute load average at the end of the read. */
  readonly loadAverage: number;
  readonly diskBytes: number;
  /** ru_maxrss in KiB after the engine opened (model loaded), and after the read. */
  readonly maxRssOpenKiB: number;
  readonly maxRssKiB: number;
  /** Where memory is at the end of the read, to tell the JS heap from native allocations. */
  readonly memoryAtEnd?: { readonly rssMiB: number; readonly heapUsedMiB: number; readonly arrayBuffersMiB: number };
  readonly focus?: {
    readonly askFirstTokenMs: number[];
    readonly hoverMs: number[];
    readonly needles: NeedleResult[];
    /** Answers that failed, by message, with how often; they are left out of the latencies. */
    readonly failures: string[];
    readonly catchUp: { readonly seconds: number; readonly tokensRead: number; readonly filesRead: number };
  };
}

export interface AttentionOutcome {
  readonly device: string;
  readonly rows: AttentionTiming[];
}
