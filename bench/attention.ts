// The same model reading without recurrence: full attention over the whole input.
//
// FLOPs are counted analytically from model.json (one multiply-add = 2 FLOPs), per layer:
//   dense (Q, K, V, O projections and a 4·D MLP):  24 · T · D²   for T positions
//   causal attention scores and weighted values:      2 · T² · D
// Recurrent reading runs ceil(n / S) segments of T = M + S + M positions (read memory,
// tokens, write memory); full attention runs one sequence of T = n positions.
//
// Time is measured with the model's own decoder_prefill graph, which attends over every
// position it is given (memory included), for growing T up to maxDecoderPositions, against
// the reader graph reading the same tokens as segments one after another. Beyond
// maxDecoderPositions the model has no positions, so larger n are extrapolated at the FLOP
// rate measured at the longest T, and labelled as such wherever they are shown.
import type { ModelConfig } from '../src/core/model';
import type { ModelRuntime } from '../src/core/runtime';

export const FLOP_FORMULA =
  'per layer: 24·T·D² (projections and a 4·D MLP) + 2·T²·D (causal attention); ' +
  'recurrent = ceil(n/S) segments of T = S + 2M, full attention = one sequence of T = n';

function layerFlops(T: number, D: number): number {
  return 24 * T * D * D + 2 * T * T * D;
}

export function recurrentFlops(config: ModelConfig, n: number): number {
  const { segmentLength: S, memorySize: M, dModel: D, nLayers: L } = config;
  return Math.ceil(n / S) * L * layerFlops(S + 2 * M, D);
}

export function fullAttentionFlops(config: ModelConfig, n: number): number {
  return config.nLayers * layerFlops(n, config.dModel);
}

/** FLOPs decoder_prefill spends beyond `fullAttentionFlops`: next-token logits at every position. */
export function logitFlops(config: ModelConfig, T: number): number {
  return 2 * T * config.dModel * config.vocabSize;
}

/** Bytes full attention needs at n positions: fp32 K and V for every layer, plus one head's T×T scores. */
export function fullAttentionBytes(config: ModelConfig, n: number): number {
  return 2 * config.nLayers * n * config.dModel * 4 + n * n * 4;
}

export interface AttentionTiming {
  /** Tokens of text (the memory's M positions come on top for the decoder). */
  readonly tokens: number;
  readonly fullSeconds: number;
  readonly recurrentSeconds: number;
}

async function median(times: number, run: () => Promise<void>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await run();
    seconds.push((performance.now() - t0) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return seconds[Math.floor(seconds.length / 2)]!;
}

/** Times full attention and recurrent reading over the first T of `ids` for each T in `lengths`. */
export async function timeAttention(runtime: ModelRuntime, config: ModelConfig, memoryInit: Float32Array, ids: Int32Array, lengths: readonly number[], repeats: number): Promise<AttentionTiming[]> {
  const { segmentLength: S, memorySize: M, dModel: D } = config;
  const rows: AttentionTiming[] = [];
  // One untimed run of each graph, so that the first row does not pay for warm-up.
  await runtime.prefill(BigInt64Array.from(Array.from(ids.subarray(0, 8), BigInt)), memoryInit);
  for (const T of lengths) {
    const prompt = BigInt64Array.from(Array.from(ids.subarray(0, T), BigInt));
    const fullSeconds = await median(repeats, async () => { await runtime.prefill(prompt, memoryInit); });
    const segments = Math.ceil(T / S);
    const recurrentSeconds = await median(repeats, async () => {
      let memory: Float32Array = memoryInit.slice(0, M * D);
      for (let s = 0; s < segments; s++) {
        const seg = new BigInt64Array(S);
        const mask = new BigInt64Array(S);
        for (let i = 0; i < S && s * S + i < T; i++) { seg[i] = BigInt(ids[s * S + i]!); mask[i] = 1n; }
        memory = (await runtime.readSegments(seg, mask, memory)).memory;
      }
    });
    rows.push({ tokens: T, fullSeconds, recurrentSeconds });
  }
  return rows;
}
