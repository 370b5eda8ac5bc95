// Summaries and symbol explanations from structure, in the shapes front ends already show:
// an Answer (kind 'passages': every line a quoted source, nothing generated) and an
// Explanation. The engine calls these before, or instead of, its model-based paths.
import { basename } from 'node:path';
import type { Answer, AnswerEvent, Citation, Explanation, QueryOptions, SummaryTarget, SymbolQuery } from '../api';
import type { StructureIndex } from '../structure/index';
import { lookupSymbol } from '../structure/lookup';
import { summarizeStructure } from './summarize';
import { readCitedLines } from '../tools/passages';

/** How many files that use a symbol an explanation cites. */
const USES = 5;
/** Lines of a definition an explanation quotes (its citation still spans the whole definition). */
const DEFINITION_LINES = 40;

export interface StructureContext {
  readonly root: string;
  readonly structure: StructureIndex;
  /** Tokens of every file in memory, by path. */
  readonly files: ReadonlyMap<string, number>;
  readonly coverage: number;
  readonly maxFileBytes?: number;
}

function emit(options: QueryOptions | undefined, event: AnswerEvent): void {
  try { options?.onEvent?.(event); } catch { /* a listener's failure must not break the answer */ }
}

/** Whether the structure can summarise `target`: something under it has structure. */
export function structureCovers(ctx: StructureContext, target: SummaryTarget): boolean {
  if (ctx.structure.size === 0) return false;
  if (target.kind === 'workspace' || target.kind === 'selection') return true;
  if (target.kind === 'file') return ctx.structure.get(target.path) !== undefined;
  const prefix = `${target.path.replace(/\/+$/, '')}/`;
  for (const f of ctx.structure.entries()) if (f.path.startsWith(prefix)) return true;
  return false;
}

export async function summaryAnswer(ctx: StructureContext, target: SummaryTarget, options?: QueryOptions): Promise<Answer> {
  const started = performance.now();
  const s = await summarizeStructure({
    root: ctx.root, title: basename(ctx.root), structure: ctx.structure, files: ctx.files, maxFileBytes: ctx.maxFileBytes, signal: options?.signal,
  }, target);
  emit(options, { type: 'citations', citations: s.citations });
  emit(options, { type: 'token', text: s.text });
  const answer = {
    text: s.text, citations: s.citations, coverage: ctx.coverage, millisecondsToFirstToken: performance.now() - started,
    warnings: s.warnings, kind: 'passages' as const, passages: s.passages,
    ...(target.kind === 'workspace' || target.kind === 'folder' ? { document: s.document } : {}),
  };
  emit(options, { type: 'done', answer });
  return answer;
}

/**
 * The symbol's definition (from the parser, anywhere in the workspace), signature, doc and the
 * files that use it most; undefined when the workspace defines no such name.
 */
export async function structureExplanation(ctx: StructureContext, query: SymbolQuery, options?: QueryOptions): Promise<Explanation | undefined> {
  const started = performance.now();
  const info = lookupSymbol(ctx.structure, query);
  if (!info) return undefined;
  const cite = (path: string, startLine: number, endLine: number): Citation => {
    const c = { path, startLine, endLine, score: 1, sources: [] as const };
    return c;
  };
  const [best, ...others] = info.definitions;
  const d = best!.definition;
  // From the line that names it (not its decorators or doc comment) to its end.
  const definition = cite(best!.path, d.signatureLine, d.endLine);
  const uses = info.uses.slice(0, USES).map((u) => cite(u.path, u.firstLine, u.firstLine));
  const text = d.doc?.text ?? '';
  // The quoted passages: the definition's opening lines and each use's line, as on disk.
  const quotedDefinition = cite(definition.path, definition.startLine, Math.min(definition.endLine, definition.startLine + DEFINITION_LINES - 1));
  const passages = (await readCitedLines(ctx.root, [quotedDefinition, ...uses], ctx.maxFileBytes)).filter((p) => p.text !== '');
  const explanation = {
    text, citations: [definition, ...uses], coverage: ctx.coverage, millisecondsToFirstToken: performance.now() - started,
    kind: 'passages' as const, passages, definition, uses,
    symbol: {
      kind: d.kind, qualifiedName: d.qualifiedName, signature: d.signature, ...(d.doc ? { doc: d.doc.text } : {}),
      alternatives: others.slice(0, 4).map((r) => cite(r.path, r.definition.startLine, r.definition.endLine)),
    },
  };
  emit(options, { type: 'citations', citations: explanation.citations });
  emit(options, { type: 'done', answer: explanation });
  return explanation;
}
