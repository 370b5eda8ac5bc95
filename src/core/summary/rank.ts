// How important each file and definition is: PageRank over the graph of files, where file A
// points at file B as often as A uses names that B defines (aider's repository map does the
// same over tree-sitter references), plus plain size. Computed from the structure index in one
// pass over every file's name uses; a million tokens of code rank in well under a second.
import type { DefinitionRef, StructureIndex } from '../structure/index';

export interface Ranking {
  /** PageRank of each file, summing to 1 over the files in the structure index. */
  readonly fileRank: ReadonlyMap<string, number>;
  /** Weighted uses of each definition from other files (by the using file's rank). */
  readonly definitionScore: ReadonlyMap<DefinitionRef['definition'], number>;
  /** Uses of each definition's name in other files, counted plainly. */
  readonly usesElsewhere: ReadonlyMap<DefinitionRef['definition'], number>;
  /** For each file, the files that use its definitions, with how much. */
  readonly usedBy: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** A name defined in more files than this is too common (`run`, `get`) to say who is meant. */
const MAX_DEFINERS = 6;
const DAMPING = 0.85;
const ITERATIONS = 30;

function linkable(name: string): boolean {
  return name.length >= 3 && !/^__\w+__$/.test(name);
}

export function rankStructure(index: StructureIndex): Ranking {
  const paths = [...index.entries()].map((f) => f.path);
  const at = new Map(paths.map((p, i) => [p, i]));
  const n = paths.length;
  // Sparse out-edges: from file i, weight to file j; and the definitions each weight lands on.
  const out: Map<number, number>[] = paths.map(() => new Map());
  const defEdges: { from: number; def: DefinitionRef['definition']; weight: number; count: number }[] = [];
  for (const file of index.entries()) {
    const from = at.get(file.path)!;
    const { names, counts } = file.references;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      if (!linkable(name)) continue;
      const defs = index.definitionsNamed(name);
      if (defs.length === 0) continue;
      const elsewhere = defs.filter((d) => d.path !== file.path);
      if (elsewhere.length === 0 || new Set(elsewhere.map((d) => d.path)).size > MAX_DEFINERS) continue;
      // Many uses count, with diminishing weight; a name defined in several files splits it.
      const weight = Math.sqrt(counts[k]!) / elsewhere.length;
      for (const d of elsewhere) {
        const to = at.get(d.path)!;
        out[from]!.set(to, (out[from]!.get(to) ?? 0) + weight);
        defEdges.push({ from, def: d.definition, weight, count: counts[k]! });
      }
    }
  }
  const outWeight = out.map((edges) => [...edges.values()].reduce((a, b) => a + b, 0));

  let rank = new Float64Array(n).fill(n > 0 ? 1 / n : 0);
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(n);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      if (outWeight[i] === 0) { dangling += rank[i]!; continue; }
      for (const [j, w] of out[i]!) next[j]! += DAMPING * rank[i]! * w / outWeight[i]!;
    }
    const base = (1 - DAMPING) / n + DAMPING * dangling / n;
    for (let i = 0; i < n; i++) next[i]! += base;
    rank = next;
  }

  const definitionScore = new Map<DefinitionRef['definition'], number>();
  const usesElsewhere = new Map<DefinitionRef['definition'], number>();
  for (const e of defEdges) {
    definitionScore.set(e.def, (definitionScore.get(e.def) ?? 0) + rank[e.from]! * e.weight / outWeight[e.from]!);
    usesElsewhere.set(e.def, (usesElsewhere.get(e.def) ?? 0) + e.count);
  }
  const usedBy = new Map<string, Map<string, number>>();
  out.forEach((edges, i) => {
    for (const [j, w] of edges) {
      const by = usedBy.get(paths[j]!) ?? new Map<string, number>();
      by.set(paths[i]!, (by.get(paths[i]!) ?? 0) + w);
      usedBy.set(paths[j]!, by);
    }
  });
  return { fileRank: new Map(paths.map((p, i) => [p, rank[i]!])), definitionScore, usesElsewhere, usedBy };
}
