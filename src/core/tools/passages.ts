// The passages an answer rests on: each citation with the cited lines themselves, as the engine
// gives them (`Answer.passages`), and the lines of other citations read through the one path
// check of the core.
import type { Answer, Citation, Passage } from '../api';
import { loadText } from '../text';
import { OutsideWorkspaceError, resolveInside } from '../workspacePath';

export type { Passage, RetrievalSource } from '../api';
/** The answer shape this module reads (kept as a name for its users). */
export type ContractAnswer = Answer;

/** The passages of `answer`, best first: every citation with the lines it cites. */
export async function passagesOf(_root: string, answer: Answer, _maxFileBytes?: number): Promise<Passage[]> {
  return [...answer.passages];
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
