// A symbol under the cursor, looked up in the structure of the whole workspace: where it is
// defined (the parser's definitions, not a regular expression over the open file), its
// signature and doc comment, and the files that use it most. No model and no file reads, so
// a hover gets it in milliseconds; the index is built once per change of the structure.
import type { DefinitionRef, NameUse, StructureIndex } from './index';

export interface SymbolLookup {
  readonly path: string;
  /** 1-based line of the cursor. */
  readonly line: number;
  readonly symbol: string;
}

export interface SymbolInfo {
  /** Definitions of the symbol, the likeliest meant first. */
  readonly definitions: readonly DefinitionRef[];
  /** Files that use it, most uses first, not counting the definition's own name. */
  readonly uses: readonly NameUse[];
}

/**
 * Ranks the definitions named `symbol`: the one the cursor is on or inside, then one in the
 * same file, then one in a file the cursor's file shares a folder with, then the most used
 * elsewhere. Undefined when the workspace defines no such name.
 */
export function lookupSymbol(index: StructureIndex, query: SymbolLookup): SymbolInfo | undefined {
  const defs = index.definitionsNamed(query.symbol);
  if (defs.length === 0) return undefined;
  const folder = query.path.includes('/') ? query.path.slice(0, query.path.lastIndexOf('/') + 1) : '';
  const users = index.usesOf(query.symbol);
  const usedIn = new Map(users.map((u) => [u.path, u.count]));
  const score = (r: DefinitionRef): number => {
    if (r.path === query.path && r.definition.signatureLine === query.line) return 4;
    if (r.path === query.path) return 3;
    let s = r.path.startsWith(folder) ? 1 : 0;
    // Documented definitions and classes/functions read better than re-assignments.
    if (r.definition.doc) s += 0.5;
    if (r.definition.kind !== 'variable') s += 0.25;
    return s;
  };
  const definitions = [...defs].sort((a, b) => score(b) - score(a) || (usedIn.get(b.path) ?? 0) - (usedIn.get(a.path) ?? 0));
  const best = definitions[0]!;
  const uses = users
    .map((u) => (u.path === best.path ? { ...u, count: u.count - 1 } : u))
    .filter((u) => u.count > 0)
    .sort((a, b) => b.count - a.count);
  return { definitions, uses };
}
