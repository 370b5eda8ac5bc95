// What the bench adds to an engine answer to a bAbI question (bench/qa/babi.ts): a "latest
// mention" baseline made from the engine's own citations, and what the first citation holds.
// The baseline is not the product's: it shows what retrieval plus recency would give, i.e.
// bAbI's rules replayed over the cited lines only, in file order (QA1: the location of the cited
// line latest in the file that moves the person; QA2: the same for the object's last cited
// holder, at its last cited take or drop).
import { parseSentence, replay, type StoryEvent } from './babi';
import { overlaps, type Question } from './questions';

export interface CitedLines {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

/**
 * What the first citation holds: the deciding sentence; another sentence of the question's own
 * story (an earlier move, the object's take or drop); a sentence of another story; or book text only.
 */
export type FirstCited = 'deciding' | 'same story' | 'other story' | 'book text' | 'none';

export interface BabiExtra {
  /** The baseline's answer (undefined when the cited lines do not say) and whether it is the value. */
  readonly latestMentionAnswer?: string;
  readonly latestMention: boolean;
  readonly firstCited: FirstCited;
}

/** The baseline and the first citation's content for `question`; `lineText` gives a file's lines. */
export function babiExtra(question: Question, citations: readonly CitedLines[], lineText: (path: string) => readonly string[]): BabiExtra {
  const events = new Map<number, StoryEvent>(); // by line, so overlapping citations count once
  const storyLines = (c: CitedLines): number[] => {
    const file = lineText(c.path);
    const out: number[] = [];
    for (let line = c.startLine; line <= c.endLine; line++) {
      const e = parseSentence(file[line - 1] ?? '');
      if (e) { events.set(line, e); out.push(line); }
    }
    return out;
  };
  const path = question.answers[0]?.path;
  let firstCited: FirstCited = 'none';
  citations.forEach((c, i) => {
    const lines = c.path === path ? storyLines(c) : [];
    if (i > 0) return;
    const inStory = (line: number): boolean => (question.story ?? []).some((p) => p.startLine === line);
    firstCited = question.answers.some((a) => overlaps(c, a)) ? 'deciding'
      : lines.some(inStory) ? 'same story' : lines.length ? 'other story' : 'book text';
  });
  const ordered = [...events.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  const subject = question.subject ?? '';
  const label = replay(ordered, question.kind === 'qa2' ? { object: subject } : { person: subject });
  return { latestMentionAnswer: label?.answer, latestMention: label?.answer === question.value, firstCited };
}
