// One measurement in a process of its own, so that peak resident memory belongs to it alone.
// `node out/bench/child.js <job.json>`: reads the job, writes the result JSON to job.out.
// bench/main.ts starts it; it is not meant to be run by hand.
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Citation, Logger, QueryOptions } from '../src/core/api';
import { openEngine } from '../src/core/engine';
import { loadModel } from '../src/core/model';
import { timeAttention } from './attention';
import { METHODS, type AttentionJob, type AttentionOutcome, type Job, type Method, type NeedleResult, type ReadJob, type ReadOutcome } from './jobs';
import { answers } from './needles';

const quiet: Logger = { info() {}, debug() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };

function maxRssKiB(): number {
  return process.resourceUsage().maxRSS;
}

function memoryAtEnd(): ReadOutcome['memoryAtEnd'] {
  const m = process.memoryUsage();
  const mib = (b: number): number => Math.round(b / 2 ** 20);
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), arrayBuffersMiB: mib(m.arrayBuffers) };
}

async function read(job: ReadJob): Promise<ReadOutcome> {
  const engine = await openEngine({ root: job.root, modelDir: job.modelDir, cacheDir: job.cacheDir, device: job.device, logger: quiet });
  try {
    const maxRssOpenKiB = maxRssKiB();
    const cpu = process.cpuUsage();
    const result = await engine.read();
    const used = process.cpuUsage(cpu);
    const status = engine.status();
    const outcome: ReadOutcome = {
      device: status.device,
      files: result.filesRead,
      filesSkipped: result.filesSkipped.length,
      tokens: result.tokensRead,
      seconds: result.seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      loadAverage: loadavg()[0]!,
      diskBytes: status.diskBytes,
      maxRssOpenKiB,
      maxRssKiB: maxRssKiB(),
      memoryAtEnd: memoryAtEnd(),
    };
    if (!job.focus) return outcome;
    const { needles, latencyRepeats, editFile } = job.focus;

    // A failed answer must not end the measurement: citations arrive as an event before
    // generation starts, so retrieval is scored even when generating fails; failures are counted.
    const failures = new Map<string, number>();
    const fail = (what: string, e: unknown): void => {
      const key = `${what}: ${(e as Error).message.split('\n')[0]}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    };
    const ask = async (question: string, options: QueryOptions): Promise<{ citations: readonly Citation[]; firstTokenMs?: number }> => {
      let citations: readonly Citation[] = [];
      try {
        const answer = await engine.ask(question, { ...options, onEvent: (e) => { if (e.type === 'citations') citations = e.citations; } });
        return { citations: answer.citations, firstTokenMs: answer.millisecondsToFirstToken };
      } catch (e) {
        fail(`ask (${options.retrieval ?? 'default retrieval'})`, e);
        return { citations };
      }
    };

    // Answer latency: time to the first answer token of ask, and a whole hover (explain).
    const askFirstTokenMs: number[] = [];
    const hoverMs: number[] = [];
    const names = needles.filter((n) => n.kind === 'name');
    for (let i = 0; i < latencyRepeats; i++) {
      const q = needles[i % needles.length]!;
      const asked = await ask(q.question, { maxTokens: 16 });
      if (asked.firstTokenMs !== undefined) askFirstTokenMs.push(asked.firstTokenMs);
      const n = names[i % Math.max(1, names.length)] ?? q;
      const symbol = /interface (\S+) defined/.exec(n.question)?.[1] ?? 'read';
      const t0 = performance.now();
      try {
        await engine.explain({ path: n.path, line: n.startLine, character: 0, symbol }, { fast: true });
        hoverMs.push(performance.now() - t0);
      } catch (e) {
        fail('explain (fast)', e);
      }
    }

    // Retrieval: is the first citation the needle's place? Model keys alone, the lexical index
    // alone over the same stored segments, and the engine's default (the two fused).
    const results: NeedleResult[] = [];
    for (const needle of needles) {
      const top1 = {} as Record<Method, boolean>;
      for (const retrieval of METHODS) {
        const asked = await ask(needle.question, { maxTokens: 1, retrieval });
        top1[retrieval] = answers(asked.citations[0], needle);
      }
      results.push({ kind: needle.kind, top1 });
    }

    // Catch-up: one line appended to one file, then read again.
    appendFileSync(join(job.root, editFile), '\n// one more line, edited after the first read\n');
    engine.notifyChanged([editFile]);
    const again = await engine.read();
    return {
      ...outcome,
      focus: { askFirstTokenMs, hoverMs, needles: results, failures: [...failures].map(([m, n]) => `${m} (${n}×)`), catchUp: { seconds: again.seconds, tokensRead: again.tokensRead, filesRead: again.filesRead } },
    };
  } finally {
    await engine.dispose();
  }
}

async function attention(job: AttentionJob): Promise<AttentionOutcome> {
  const model = await loadModel(job.modelDir, 'cpu', quiet);
  try {
    const text = readFileSync(job.textFile, 'utf8');
    const ids = Int32Array.from(model.tokenizer.encode(text));
    const rows = await timeAttention(model.runtime, model.config, model.memoryInit, ids, job.lengths, job.repeats);
    return { device: model.runtime.device, rows };
  } finally {
    await model.runtime.dispose();
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
  const result = job.task === 'read' ? await read(job) : await attention(job);
  writeFileSync(job.out, JSON.stringify(result));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
