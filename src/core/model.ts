// Loads a model folder and refuses it, naming what is missing or wrong, unless it keeps
// docs/MODEL_CONTRACT.md: every file present, model.json complete, graph names as declared.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DevicePreference, Logger } from './api';
import { ANSWER_TYPES, type AnswerType } from './answerType';
import { ModelRuntime, type CoreGraphName, type GraphFiles, type GraphName, type OptionalGraphName, type RuntimeShapes } from './runtime';
import { checkStaticKeysConfig, StaticKeys, type StaticKeysConfig } from './staticKeys';
import { MnemoTokenizer } from './tokenizer';

export interface SpecialTokens {
  readonly pad: number; readonly bos: number; readonly eos: number;
  readonly question: number; readonly answer: number; readonly summary: number;
  readonly explain: number; readonly path: number; readonly sep: number;
}

export interface GraphSpec {
  readonly file: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * model.json "answers": which answers the model's measurements say can be trusted. Absent means
 * no span answers and no generated text.
 */
export interface AnswersConfig {
  /** A span whose calibrated confidence reaches this is given as the answer. */
  readonly spanThreshold: number;
  /**
   * The threshold for questions asking for a kind of answer (answerType.ts), where the dev sets
   * measured that kind apart (`npm run eval:qa -- --tune-span`); spanThreshold for the others.
   */
  readonly spanThresholds?: Partial<Record<AnswerType, number>>;
  /**
   * The threshold for a typed answer that is the only answer of its kind in the sentence that
   * mentions everything the question names (span.ts SpanAnswer.sole), where the dev sets measured
   * such answers apart (`npm run eval:qa -- --tune-span`); it never raises the question's own.
   */
  readonly soleThreshold?: number;
  /** Longest span, in tokens, that is considered (default 24). */
  readonly maxSpanTokens?: number;
  /**
   * Platt scaling fitted on held-out examples: confidence = sigmoid(spanLogProb * spanLogProb'
   * + hasAnswer * hasAnswer' + bias), where spanLogProb is log p(start) + log p(end) of the span
   * and hasAnswer the graph's has-answer logit.
   */
  readonly calibration?: { readonly spanLogProb: number; readonly hasAnswer: number; readonly bias: number };
  /** Kinds of generated text measured better than an extractive baseline on the same inputs. */
  readonly generation?: { readonly ask: boolean; readonly summary: boolean; readonly explain: boolean };
}

/** model.json, checked. */
export interface ModelConfig extends RuntimeShapes {
  readonly format: number;
  readonly id: string;
  readonly version: string;
  /**
   * The version whose saved memories this model reads unchanged (export.py keeps the previous
   * one when only the span head changed); absent = `version`.
   */
  readonly memoryVersion?: string;
  readonly maxDecoderPositions: number;
  readonly maxQueryTokens: number;
  readonly tokenizer: string;
  readonly memoryInit: string;
  readonly specialTokens: SpecialTokens;
  readonly graphs: Record<CoreGraphName, GraphSpec> & { readonly [G in OptionalGraphName]?: GraphSpec };
  /** Retrieval settings measured for this model (on the dev sets of models/heldout.json). */
  readonly retrieval?: {
    /** Share of the lexical side in fused scores, [0, 1]. */
    readonly fusionWeight?: number;
    /** Relative drop of raw BM25 scores, [0, 1], down to which the lexical order is kept at the top (retrieve.ts fuse). */
    readonly lexicalMargin?: number;
    /**
     * Share of the rerank graph's relevance in the final order of the best `rerankCandidates`
     * fused candidates, [0, 1]; 0 or absent: the fused order stands (src/core/rerank.ts).
     */
    readonly rerankWeight?: number;
    /** How many fused candidates the rerank graph reads, an integer ≥ 1. */
    readonly rerankCandidates?: number;
    /**
     * Per language (retrieve.ts fusionLanguage: 'python', 'javascript' for JS and TS, …), the
     * fusion settings that replace the two above for a query about code in that language
     * (retrieve.ts queryLanguage); a language not named, and prose, use the two above.
     */
    readonly languages?: Readonly<Record<string, { readonly fusionWeight?: number; readonly lexicalMargin?: number }>>;
  };
  /** The span head's threshold and calibration, and which kinds of generated text were measured good. */
  readonly answers?: AnswersConfig;
  /** Optional: segment and query keys come from this hashed-feature table instead of the graphs. */
  readonly staticKeys?: StaticKeysConfig;
}

/** The names each graph must take and give, from the contract. */
export const CONTRACT_GRAPHS: Record<CoreGraphName, { inputs: readonly string[]; outputs: readonly string[] }> = {
  reader: { inputs: ['input_ids', 'attention_mask', 'memory'], outputs: ['memory_out', 'key'] },
  query: { inputs: ['input_ids', 'attention_mask'], outputs: ['query_key'] },
  decoderPrefill: { inputs: ['input_ids', 'memory'], outputs: ['logits', 'present_keys', 'present_values'] },
  decoderStep: { inputs: ['input_ids', 'past_keys', 'past_values'], outputs: ['logits', 'present_keys', 'present_values'] },
};

/**
 * Graphs a folder may have; when model.json declares one, it must keep these names. `extraOutputs`
 * may be there as well (span: the end given the start, which src/core/span.ts prefers).
 */
export const OPTIONAL_GRAPHS: Record<Exclude<GraphName, CoreGraphName>, { inputs: readonly string[]; outputs: readonly string[]; extraOutputs: readonly string[] }> = {
  span: { inputs: ['input_ids', 'attention_mask'], outputs: ['start_logits', 'end_logits', 'has_answer'], extraOutputs: ['end_given_start'] },
  rerank: { inputs: ['input_ids', 'attention_mask'], outputs: ['relevance'], extraOutputs: [] },
};

/** The version of reading a saved memory must have been made with: memoryVersion, else version. */
export function memoryVersionOf(config: Pick<ModelConfig, 'version' | 'memoryVersion'>): string {
  return config.memoryVersion ?? config.version;
}

const NUMBER_FIELDS = ['format', 'segmentLength', 'memorySize', 'dModel', 'keyDim', 'nLayers', 'nHeads', 'vocabSize', 'maxDecoderPositions', 'maxQueryTokens'] as const;
const SPECIAL_NAMES = ['pad', 'bos', 'eos', 'question', 'answer', 'summary', 'explain', 'path', 'sep'] as const;

/** A model folder that breaks the contract; `problems` lists every finding. */
export class ModelContractError extends Error {
  constructor(readonly dir: string, readonly problems: readonly string[]) {
    super(`The model folder ${dir} does not keep docs/MODEL_CONTRACT.md:\n  - ${problems.join('\n  - ')}\nRe-export it with models/mnemo/export.py or point the model setting at a complete folder.`);
    this.name = 'ModelContractError';
  }
}

async function exists(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}

/** Parses and checks model.json (without opening graphs). */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, 'model.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelContractError(dir, [code === 'ENOENT' ? 'model.json is missing' : `model.json cannot be parsed: ${(e as Error).message}`]);
  }
  const problems: string[] = [];
  for (const f of NUMBER_FIELDS) {
    if (typeof raw[f] !== 'number' || !Number.isInteger(raw[f]) || (raw[f] as number) <= 0) problems.push(`model.json: "${f}" must be a positive integer (got ${JSON.stringify(raw[f])})`);
  }
  for (const f of ['id', 'version', 'tokenizer', 'memoryInit'] as const) {
    if (typeof raw[f] !== 'string' || raw[f] === '') problems.push(`model.json: "${f}" must be a non-empty string (got ${JSON.stringify(raw[f])})`);
  }
  if (raw['memoryVersion'] !== undefined && (typeof raw['memoryVersion'] !== 'string' || raw['memoryVersion'] === '')) {
    problems.push(`model.json: "memoryVersion" must be a non-empty string when present (got ${JSON.stringify(raw['memoryVersion'])})`);
  }
  if (raw['format'] !== undefined && raw['format'] !== 1) problems.push(`model.json: "format" is ${JSON.stringify(raw['format'])}; this runtime reads format 1`);
  const special = (raw['specialTokens'] ?? {}) as Record<string, unknown>;
  for (const s of SPECIAL_NAMES) {
    if (typeof special[s] !== 'number') problems.push(`model.json: specialTokens.${s} is missing`);
  }
  const graphs = (raw['graphs'] ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const declared = Object.entries(CONTRACT_GRAPHS).concat(Object.entries(OPTIONAL_GRAPHS).filter(([n]) => graphs[n] !== undefined));
  for (const [name, want] of declared) {
    const g = graphs[name];
    if (!g) { problems.push(`model.json: graphs.${name} is missing`); continue; }
    if (typeof g['file'] !== 'string') problems.push(`model.json: graphs.${name}.file is missing`);
    for (const side of ['inputs', 'outputs'] as const) {
      const names = g[side];
      if (!Array.isArray(names)) { problems.push(`model.json: graphs.${name}.${side} is missing`); continue; }
      const absent = want[side].filter((n) => !names.includes(n));
      const allowed = side === 'outputs' ? [...want.outputs, ...((want as { extraOutputs?: readonly string[] }).extraOutputs ?? [])] : want[side];
      const extra = (names as string[]).filter((n) => !allowed.includes(n));
      if (absent.length) problems.push(`model.json: graphs.${name}.${side} lacks ${absent.join(', ')} (the contract names ${want[side].join(', ')})`);
      if (extra.length) problems.push(`model.json: graphs.${name}.${side} has unknown ${extra.join(', ')} (the contract names ${want[side].join(', ')})`);
    }
  }
  if (typeof raw['dModel'] === 'number' && typeof raw['nHeads'] === 'number' && (raw['dModel'] as number) % (raw['nHeads'] as number) !== 0) {
    problems.push('model.json: dModel must be a multiple of nHeads');
  }
  const unit = (v: unknown): boolean => v === undefined || (typeof v === 'number' && v >= 0 && v <= 1);
  const retrieval = raw['retrieval'] as Record<string, unknown> | undefined;
  for (const field of ['fusionWeight', 'lexicalMargin', 'rerankWeight']) {
    if (retrieval !== undefined && !unit(retrieval?.[field])) problems.push(`model.json: retrieval.${field} must be a number in [0, 1]`);
  }
  const languages = retrieval?.['languages'];
  if (languages !== undefined) {
    if (typeof languages !== 'object' || languages === null || Array.isArray(languages)) problems.push('model.json: retrieval.languages must be an object of language name to settings');
    else {
      for (const [language, settings] of Object.entries(languages as Record<string, unknown>)) {
        const o = settings as Record<string, unknown> | null;
        if (typeof o !== 'object' || o === null) { problems.push(`model.json: retrieval.languages.${language} must be an object`); continue; }
        for (const field of ['fusionWeight', 'lexicalMargin']) if (!unit(o[field])) problems.push(`model.json: retrieval.languages.${language}.${field} must be a number in [0, 1]`);
      }
    }
  }
  const rc = retrieval?.['rerankCandidates'];
  if (rc !== undefined && !(typeof rc === 'number' && Number.isInteger(rc) && rc >= 1)) problems.push(`model.json: retrieval.rerankCandidates must be a positive integer (got ${JSON.stringify(rc)})`);
  problems.push(...answersProblems(raw['answers']));
  if (raw['staticKeys'] !== undefined) problems.push(...checkStaticKeysConfig(raw['staticKeys'], raw['keyDim']));
  if (problems.length) throw new ModelContractError(dir, problems);
  return raw as unknown as ModelConfig;
}

function answersProblems(answers: unknown): string[] {
  if (answers === undefined) return [];
  if (typeof answers !== 'object' || answers === null) return ['model.json: "answers" must be an object'];
  const a = answers as Record<string, unknown>;
  const out: string[] = [];
  const t = a['spanThreshold'];
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) out.push(`model.json: answers.spanThreshold must be a number in [0, 1] (got ${JSON.stringify(t)})`);
  const byType = a['spanThresholds'];
  if (byType !== undefined) {
    if (typeof byType !== 'object' || byType === null) out.push('model.json: answers.spanThresholds must be an object');
    else {
      for (const [k, v] of Object.entries(byType)) {
        if (!(ANSWER_TYPES as readonly string[]).includes(k)) out.push(`model.json: answers.spanThresholds.${k} is no answer type (${ANSWER_TYPES.join(', ')})`);
        else if (typeof v !== 'number' || !(v >= 0 && v <= 1)) out.push(`model.json: answers.spanThresholds.${k} must be a number in [0, 1] (got ${JSON.stringify(v)})`);
      }
    }
  }
  const sole = a['soleThreshold'];
  if (sole !== undefined && (typeof sole !== 'number' || !(sole >= 0 && sole <= 1))) out.push(`model.json: answers.soleThreshold must be a number in [0, 1] (got ${JSON.stringify(sole)})`);
  const m = a['maxSpanTokens'];
  if (m !== undefined && (typeof m !== 'number' || !Number.isInteger(m) || m <= 0)) out.push(`model.json: answers.maxSpanTokens must be a positive integer (got ${JSON.stringify(m)})`);
  const c = a['calibration'] as Record<string, unknown> | undefined;
  if (c !== undefined) {
    for (const f of ['spanLogProb', 'hasAnswer', 'bias']) {
      if (typeof c[f] !== 'number' || !Number.isFinite(c[f])) out.push(`model.json: answers.calibration.${f} must be a finite number`);
    }
  }
  const g = a['generation'] as Record<string, unknown> | undefined;
  if (g !== undefined) {
    for (const f of ['ask', 'summary', 'explain']) {
      if (typeof g[f] !== 'boolean') out.push(`model.json: answers.generation.${f} must be true or false`);
    }
  }
  return out;
}

/** A loaded, checked model: config, tokenizer, initial memory and the graphs (four, or five with span). */
export interface LoadedModel {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly tokenizer: MnemoTokenizer;
  /** `[M, D]` float32. */
  readonly memoryInit: Float32Array;
  readonly runtime: ModelRuntime;
  /** Present when model.json has a staticKeys block: the source of every stored and query key. */
  readonly staticKeys?: StaticKeys;
}

export async function loadModel(dir: string, device: DevicePreference, logger: Logger): Promise<LoadedModel> {
  const config = await readModelConfig(dir);
  const problems: string[] = [];
  // Graphs may keep their weights in one shared external-data file ("weights" in model.json).
  const weights = (config as { weights?: unknown }).weights;
  const files = [config.tokenizer, config.memoryInit, ...Object.values(config.graphs).map((g) => g.file), ...(typeof weights === 'string' ? [weights] : []),
    ...(config.staticKeys ? [config.staticKeys.file] : [])];
  for (const f of files) if (!(await exists(join(dir, f)))) problems.push(`${f} is missing`);
  if (problems.length) throw new ModelContractError(dir, problems);

  const bytes = await readFile(join(dir, config.memoryInit));
  const expected = config.memorySize * config.dModel * 4;
  if (bytes.byteLength !== expected) {
    throw new ModelContractError(dir, [`${config.memoryInit} has ${bytes.byteLength} bytes; [memorySize=${config.memorySize}, dModel=${config.dModel}] float32 needs ${expected}`]);
  }
  const memoryInit = new Float32Array(expected / 4);
  new Uint8Array(memoryInit.buffer).set(bytes);

  let staticKeys: StaticKeys | undefined;
  if (config.staticKeys) {
    try {
      staticKeys = await StaticKeys.load(dir, config.staticKeys);
    } catch (e) {
      throw new ModelContractError(dir, [(e as Error).message]);
    }
  }
  const tokenizer = await MnemoTokenizer.load(join(dir, config.tokenizer), config.specialTokens.pad);
  const graphFiles = Object.fromEntries(Object.entries(config.graphs).map(([k, g]) => [k, join(dir, g.file)])) as GraphFiles;
  let runtime: ModelRuntime;
  try {
    runtime = await ModelRuntime.open(graphFiles, config, device, logger);
  } catch (e) {
    throw new Error(`Cannot open the graphs of the model folder ${dir}: ${(e as Error).message}`);
  }
  // The graphs themselves must declare what model.json (and the contract) say they do.
  const known = [...Object.keys(CONTRACT_GRAPHS), ...Object.keys(OPTIONAL_GRAPHS)] as GraphName[];
  for (const name of known) {
    const spec = config.graphs[name];
    if (!spec) continue;
    const sig = runtime.signature(name);
    for (const side of ['inputs', 'outputs'] as const) {
      const actual = side === 'inputs' ? sig.inputNames : sig.outputNames;
      const absent = spec[side].filter((n) => !actual.includes(n));
      const extra = actual.filter((n) => !spec[side].includes(n));
      if (absent.length || extra.length) {
        problems.push(`${spec.file} ${side} are [${actual.join(', ')}] but model.json says [${spec[side].join(', ')}]`);
      }
    }
  }
  if (problems.length) {
    await runtime.dispose();
    throw new ModelContractError(dir, problems);
  }
  logger.info(`Model ${config.id} ${config.version} from ${dir}: S=${config.segmentLength}, M=${config.memorySize}, D=${config.dModel}, K=${config.keyDim}${staticKeys ? ` (static keys, ${config.staticKeys!.buckets} buckets)` : ''}, on ${runtime.device}.`);
  return { dir, config, tokenizer, memoryInit, runtime, ...(staticKeys ? { staticKeys } : {}) };
}
