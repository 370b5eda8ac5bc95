// The passages an answer rests on: each citation with the cited lines themselves. The engine
// branch of this round gives them as `Answer.passages` (see the interface contract); until it is
// merged, `passagesOf` reads the cited lines here, through the one path check of the core.
import type { Answer, Citation } from '../api';
import { loadText } from '../text';
import { OutsideWorkspaceError, resolveInside } from '../workspacePath';

// Contract shapes that api.ts gains with the engine branch. When it lands, these three become
// `import type { Passage, RetrievalSource } from '../api'` and nothing else here changes.
export type RetrievalSource = 'lexical' | 'model';
export interface SourcedCitation extends Citation {
  /** Which retrievers found it; absent from engines older than the contract. */
  readonly sources?: readonly RetrievalSource[];
}
export interface Passage {
  readonly citation: SourcedCitation;
  readonly text: string;
}

/** The fields of the contract's Answer this module reads, all optional until the engine branch lands. */
export interface ContractAnswer extends Answer {
  readonly kind?: 'span' | 'passages' | 'generated';
  readonly confidence?: number;
  readonly passages?: readonly Passage[];
}

/**
 * The passages of `answer`, best first. The one place that knows the engine does not give them
 * yet: when `Answer.passages` is merged, this returns `answer.passages` and the fallback goes.
 */
export async function passagesOf(root: string, answer: ContractAnswer, maxFileBytes?: number): Promise<Passage[]> {
  if (answer.passages) return [...answer.passages];
  return readCitedLines(root, answer.citations, maxFileBytes);
}

/**
 * Reads the lines each citation names, once per file. A citation whose file is outside the
 * workspace, gone or unreadable keeps an empty text rather than failing the whole result.
 */
export async function readCitedLines(root: string, citations: readonly Citation[], maxFileBytes?: number): Promise<Passage[]> {
  const files = new Map<string, Promise<string[] | undefined>>();
  const linesOf = (path: string): Promise<string[] | undefined> => {
    let p = files.get(path);
    if (!p) {
      p = loadLines(root, path, maxFileBytes);
      files.set(path, p);
    }
    return p;
  };
  return Promise.all(citations.map(async (citation) => {
    const lines = await linesOf(citation.path);
    const text = lines ? lines.slice(Math.max(0, citation.startLine - 1), citation.endLine).join('\n') : '';
    return { citation, text };
  }));
}

async function loadLines(root: string, path: string, maxFileBytes: number | undefined): Promise<string[] | undefined> {
  let abs: string;
  try {
    abs = await resolveInside(root, path);
  } catch (e) {
    if (e instanceof OutsideWorkspaceError) return undefined;
    throw e;
  }
  const loaded = await loadText(abs, { maxFileBytes });
  return loaded.ok ? loaded.text.split('\n') : undefined;
}
