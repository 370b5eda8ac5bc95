// Okapi BM25 over a small set of documents (candidate segments), used to re-rank what the
// model retrieved, or alone as a lexical baseline for the benchmarks.

const K1 = 1.2;
const B = 0.75;

/** Lower-cased terms; identifiers are also split at camelCase and snake_case joints. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const lower = word.toLowerCase();
    out.push(lower);
    const parts = word.split(/_+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter((p) => p.length > 0);
    if (parts.length > 1) for (const p of parts) out.push(p.toLowerCase());
  }
  return out;
}

/** BM25 score of every document for `query`, IDF taken over these documents. */
export function bm25Scores(query: string, documents: readonly string[]): Float64Array {
  const q = [...new Set(terms(query))];
  const docs = documents.map((d) => terms(d));
  const n = docs.length;
  const avg = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, n);
  const df = new Map<string, number>();
  const tfs = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of q) if (tf.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
    return tf;
  });
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const len = docs[i]!.length;
    let s = 0;
    for (const t of q) {
      const f = tfs[i]!.get(t);
      if (!f) continue;
      const d = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      s += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * len) / Math.max(1, avg)));
    }
    scores[i] = s;
  }
  return scores;
}

/** Reciprocal-rank fusion of two score lists over the same items; higher is better. */
export function fuseRanks(a: ArrayLike<number>, b: ArrayLike<number>, k = 60): Float64Array {
  const rank = (s: ArrayLike<number>): Int32Array => {
    const order = Array.from({ length: s.length }, (_, i) => i).sort((x, y) => s[y]! - s[x]!);
    const r = new Int32Array(s.length);
    order.forEach((item, i) => { r[item] = i; });
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = 1 / (k + ra[i]!) + 1 / (k + rb[i]!);
  return out;
}
