// ONNX Runtime sessions for the graphs of a model folder (four always, the span and rerank graphs
// when the folder has them), and typed calls into them.
// This is the only module that imports onnxruntime-node. Memory goes in and comes out of every
// call explicitly; nothing here keeps state between calls except the loaded sessions.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DevicePreference, Logger } from './api';

export type Device = 'cpu' | 'webgpu' | 'cuda';
/** The graphs every model folder has. */
export type CoreGraphName = 'reader' | 'query' | 'decoderPrefill' | 'decoderStep';
/**
 * Optional graphs: `span` (answer spans copied from a passage) and `rerank` (how well a passage
 * answers a question, reading the two together); older folders lack them.
 */
export type OptionalGraphName = 'span' | 'rerank';
export type GraphName = CoreGraphName | OptionalGraphName;
export type GraphFiles = Record<CoreGraphName, string> & { readonly [G in OptionalGraphName]?: string };

/** Shapes the wrappers need; they come from model.json. */
export interface RuntimeShapes {
  readonly segmentLength: number;
  readonly memorySize: number;
  readonly dModel: number;
  readonly keyDim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly vocabSize: number;
}

/** The decoder's key/value cache, `[L, B, H, P, D/H]` each, carried by the caller. */
export interface KvCache {
  readonly keys: Float32Array;
  readonly values: Float32Array;
  readonly dims: readonly number[];
  /** P: positions held, memory included. */
  readonly length: number;
}

/** Span graph output for B rows of T positions. */
export interface SpanLogits {
  /** `[B, T]`: the answer starts at this token. */
  readonly start: Float32Array;
  /** `[B, T]`: the answer ends at this token (inclusive). */
  readonly end: Float32Array;
  /** `[B]`: the row's passage holds the answer (a logit). */
  readonly hasAnswer: Float32Array;
  /**
   * `[B, T, width]`, when the graph has the optional `end_given_start` output: `[b, t, j]` scores
   * the answer ending at token t + j given that it starts at t.
   */
  readonly endGivenStart?: { readonly data: Float32Array; readonly width: number };
}

export interface DecoderOutput {
  /** Logits for the token after the last input position, `[V]`. */
  readonly logits: Float32Array;
  readonly cache: KvCache;
}

/** Input and output names one session declares. */
export interface GraphSignature {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

const DEVICE_ORDER: readonly Device[] = ['cuda', 'webgpu', 'cpu'];

// ORT's own logger would print every failed provider probe to stderr; failures reach callers as
// exceptions, and we log them with the reason and what to do.
ort.env.logLevel = 'fatal';

/**
 * `spin`: whether idle intra-op threads wait busily for the next piece of work (ORT's default).
 * The reader keeps it: it runs batch after batch. The graphs run once per question on small
 * inputs (span head, query, decoder) do not: beside another busy process (a build, a training
 * job) a spinning thread takes turns on the core with the thread it waits for. The span head over
 * five passages of 160 tokens took 33–37 ms with spinning and 17–18 ms without, outputs
 * bit-identical (two threads, load ~3.5 on 2 cores; see BENCHMARKS.md, query latency).
 */
function sessionOptions(device: Device, spin = true): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [device],
    intraOpNumThreads: availableParallelism(),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // A provider that cannot load is reported by us, with the reason; keep ORT's own log quiet.
    logSeverityLevel: device === 'cpu' ? 3 : 4,
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

/**
 * WebGPU on Linux runs on Vulkan; without the Vulkan loader, Dawn prints its own warning on
 * every attempt, so that case is recognised here and passed over with a reason.
 */
function webgpuUnavailable(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dirs = [...(process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))
    ? undefined
    : 'the Vulkan loader (libvulkan.so.1) is not installed; install libvulkan1 and a GPU driver to use it';
}

/** One session whose feeds are checked against the graph's own input names before each run. */
class Graph {
  constructor(readonly name: GraphName, readonly file: string, private readonly session: ort.InferenceSession) {}

  get signature(): GraphSignature {
    return { inputNames: this.session.inputNames, outputNames: this.session.outputNames };
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    const valid = this.session.inputNames;
    const given = Object.keys(feeds);
    const unknown = given.filter((n) => !valid.includes(n));
    const missing = valid.filter((n) => !given.includes(n));
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(
        `Graph ${this.name} (${this.file}) was fed [${given.join(', ')}] but takes [${valid.join(', ')}]` +
          (unknown.length ? `; unknown: ${unknown.join(', ')}` : '') +
          (missing.length ? `; missing: ${missing.join(', ')}` : '') +
          '. The model folder does not match docs/MODEL_CONTRACT.md; re-export it.',
      );
    }
    return (await this.session.run(feeds)) as Record<string, ort.Tensor>;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

function output(result: Record<string, ort.Tensor>, name: string, graph: GraphName): ort.Tensor {
  const t = result[name];
  if (!t) throw new Error(`Graph ${graph} returned no output "${name}" (it returned ${Object.keys(result).join(', ')}).`);
  return t;
}

function f32(t: ort.Tensor): Float32Array {
  return t.data as Float32Array;
}

async function createSession(file: string, device: Device, spin = true): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, sessionOptions(device, spin));
}

/**
 * Picks the execution provider and opens the first graph with it. 'auto' tries cuda, then
 * webgpu, then cpu, logging why each one was passed over; a forced device fails with a reason.
 */
async function openFirst(file: string, preference: DevicePreference, logger: Logger): Promise<{ device: Device; session: ort.InferenceSession }> {
  const listed = ort.listSupportedBackends().map((b) => b.name);
  const wanted: readonly Device[] = preference === 'auto' ? DEVICE_ORDER : [preference];
  const reasons: string[] = [];
  for (const device of wanted) {
    if (!listed.includes(device)) {
      const why = `${device}: this onnxruntime-node build does not include it (it has ${listed.join(', ')})`;
      reasons.push(why);
      if (preference === 'auto') logger.info(`Device ${why}; trying the next one.`);
      continue;
    }
    const missing = device === 'webgpu' ? webgpuUnavailable() : undefined;
    if (missing) {
      reasons.push(`${device}: ${missing}`);
      if (preference === 'auto') logger.info(`Device ${device}: ${missing}; trying the next one.`);
      continue;
    }
    try {
      const session = await createSession(file, device);
      return { device, session };
    } catch (e) {
      const why = `${device}: creating a session failed: ${(e as Error).message.split('\n')[0]}`;
      reasons.push(why);
      if (preference === 'auto') logger.info(`Device ${why}; trying the next one.`);
    }
  }
  if (preference === 'auto') throw new Error(`No execution provider could run ${file}: ${reasons.join('; ')}.`);
  throw new Error(`The device "${preference}" is not available (${reasons.join('; ')}). Set the device to "auto" or "cpu".`);
}

/** The inputs of a graph that reads B rows of `[bos] question [sep] passage [eos]` (span, rerank). */
function pairFeeds(ids: BigInt64Array, mask: BigInt64Array, batch: number, what: string): Record<string, ort.Tensor> {
  const T = ids.length / batch;
  if (!Number.isInteger(T) || mask.length !== ids.length) {
    throw new Error(`${what}: shapes disagree (ids ${ids.length}, mask ${mask.length}, batch ${batch}).`);
  }
  return { input_ids: new ort.Tensor('int64', ids, [batch, T]), attention_mask: new ort.Tensor('int64', mask, [batch, T]) };
}

/** The graphs of one model folder on one device. */
export class ModelRuntime {
  private constructor(
    readonly device: Device,
    private readonly shapes: RuntimeShapes,
    private readonly graphs: Record<CoreGraphName, Graph> & { [G in OptionalGraphName]?: Graph },
  ) {}

  static async open(files: GraphFiles, shapes: RuntimeShapes, preference: DevicePreference, logger: Logger): Promise<ModelRuntime> {
    const first = await openFirst(files.reader, preference, logger);
    const graphs: Partial<Record<GraphName, Graph>> = { reader: new Graph('reader', files.reader, first.session) };
    try {
      for (const name of ['query', 'decoderPrefill', 'decoderStep', 'span', 'rerank'] as const) {
        const file = files[name];
        if (file !== undefined) graphs[name] = new Graph(name, file, await createSession(file, first.device, false));
      }
    } catch (e) {
      for (const g of Object.values(graphs)) await g.dispose();
      throw new Error(`Cannot open a graph of the model on ${first.device}: ${(e as Error).message}`);
    }
    logger.info(`ONNX Runtime: ${first.device}, ${availableParallelism()} intra-op threads.`);
    return new ModelRuntime(first.device, shapes, graphs as Record<CoreGraphName, Graph> & { [G in OptionalGraphName]?: Graph });
  }

  /** Whether the folder has the span graph (`spanLogits` works). */
  get hasSpan(): boolean {
    return this.graphs.span !== undefined;
  }

  /** Whether the folder has the rerank graph (`relevance` works). */
  get hasRerank(): boolean {
    return this.graphs.rerank !== undefined;
  }

  signature(name: GraphName): GraphSignature {
    const g = this.graphs[name];
    if (!g) throw new Error(`This model folder has no ${name} graph.`);
    return g.signature;
  }

  /**
   * Reads one segment for each of B rows. ids and mask `[B, S]`, memory `[B, M, D]` →
   * memory `[B, M, D]` and keys `[B, K]`.
   */
  async readSegments(ids: BigInt64Array, mask: BigInt64Array, memory: Float32Array): Promise<{ memory: Float32Array; keys: Float32Array }> {
    const { segmentLength: S, memorySize: M, dModel: D } = this.shapes;
    const B = ids.length / S;
    if (!Number.isInteger(B) || mask.length !== ids.length || memory.length !== B * M * D) {
      throw new Error(`readSegments: shapes disagree (ids ${ids.length}, mask ${mask.length}, memory ${memory.length}; S=${S}, M=${M}, D=${D}).`);
    }
    const out = await this.graphs.reader.run({
      input_ids: new ort.Tensor('int64', ids, [B, S]),
      attention_mask: new ort.Tensor('int64', mask, [B, S]),
      memory: new ort.Tensor('float32', memory, [B, M, D]),
    });
    return { memory: f32(output(out, 'memory_out', 'reader')), keys: f32(output(out, 'key', 'reader')) };
  }

  /** ids and mask `[B, Q]` → query keys `[B, K]`. */
  async encodeQuery(ids: BigInt64Array, mask: BigInt64Array, batch = 1): Promise<Float32Array> {
    const Q = ids.length / batch;
    const out = await this.graphs.query.run({
      input_ids: new ort.Tensor('int64', ids, [batch, Q]),
      attention_mask: new ort.Tensor('int64', mask, [batch, Q]),
    });
    return f32(output(out, 'query_key', 'query'));
  }

  /**
   * Runs the span graph on B rows `[bos] question [sep] passage [eos]`, padded at the end to one
   * length T: ids and mask `[B, T]` → start and end logits `[B, T]`, has-answer logits `[B]`
   * and, where the graph has it, the end given the start `[B, T, width]`.
   */
  async spanLogits(ids: BigInt64Array, mask: BigInt64Array, batch: number): Promise<SpanLogits> {
    const g = this.graphs.span;
    if (!g) throw new Error('This model folder has no span graph (span.onnx); answers cannot be copied from passages with it.');
    const out = await g.run(pairFeeds(ids, mask, batch, 'spanLogits'));
    const pairs = out.end_given_start;
    return {
      start: f32(output(out, 'start_logits', 'span')),
      end: f32(output(out, 'end_logits', 'span')),
      hasAnswer: f32(output(out, 'has_answer', 'span')),
      ...(pairs ? { endGivenStart: { data: f32(pairs), width: pairs.dims[2]! } } : {}),
    };
  }

  /**
   * Runs the rerank graph on B rows `[bos] question [sep] passage [eos]`, padded at the end to one
   * length T: ids and mask `[B, T]` → one relevance logit per row `[B]`.
   */
  async relevance(ids: BigInt64Array, mask: BigInt64Array, batch: number): Promise<Float32Array> {
    const g = this.graphs.rerank;
    if (!g) throw new Error('This model folder has no rerank graph (rerank.onnx); candidates cannot be re-ordered with it.');
    const out = await g.run(pairFeeds(ids, mask, batch, 'relevance'));
    return f32(output(out, 'relevance', 'rerank'));
  }

  /** Runs a prompt `[1, T]` after `memory` `[1, M, D]`; returns the last position's logits and the cache. */
  async prefill(ids: BigInt64Array, memory: Float32Array): Promise<DecoderOutput> {
    const { memorySize: M, dModel: D } = this.shapes;
    const out = await this.graphs.decoderPrefill.run({
      input_ids: new ort.Tensor('int64', ids, [1, ids.length]),
      memory: new ort.Tensor('float32', memory, [1, M, D]),
    });
    return this.decoderOutput(out, 'decoderPrefill');
  }

  /** Feeds one token against the cache; returns its logits and the grown cache. */
  async step(id: number, cache: KvCache): Promise<DecoderOutput> {
    const out = await this.graphs.decoderStep.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(id)), [1, 1]),
      past_keys: new ort.Tensor('float32', cache.keys, cache.dims),
      past_values: new ort.Tensor('float32', cache.values, cache.dims),
    });
    return this.decoderOutput(out, 'decoderStep');
  }

  /** Like `prefill` but returns every position's logits `[T, V]` (parity tests). */
  async prefillAll(ids: BigInt64Array, memory: Float32Array): Promise<{ logits: Float32Array; cache: KvCache }> {
    const { memorySize: M, dModel: D } = this.shapes;
    const out = await this.graphs.decoderPrefill.run({
      input_ids: new ort.Tensor('int64', ids, [1, ids.length]),
      memory: new ort.Tensor('float32', memory, [1, M, D]),
    });
    const keys = output(out, 'present_keys', 'decoderPrefill');
    return { logits: f32(output(out, 'logits', 'decoderPrefill')), cache: this.cache(keys, output(out, 'present_values', 'decoderPrefill')) };
  }

  private decoderOutput(out: Record<string, ort.Tensor>, graph: GraphName): DecoderOutput {
    const V = this.shapes.vocabSize;
    const logits = f32(output(out, 'logits', graph));
    const last = logits.subarray(logits.length - V);
    return { logits: last, cache: this.cache(output(out, 'present_keys', graph), output(out, 'present_values', graph)) };
  }

  private cache(keys: ort.Tensor, values: ort.Tensor): KvCache {
    const dims = keys.dims;
    return { keys: f32(keys), values: f32(values), dims, length: dims[3] ?? 0 };
  }

  async dispose(): Promise<void> {
    for (const g of Object.values(this.graphs) as Graph[]) await g.dispose();
  }
}
