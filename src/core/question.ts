// What a question may be before it reaches retrieval: not empty, not a pasted file, and free of
// control characters (which could pass for other lines where the question is shown or logged).
import { QuestionError } from './errors';

/** Longer questions are refused: the query encoder reads 64 tokens, and a pasted file is not a question. */
export const MAX_QUESTION_CHARS = 2000;

/** The question with control characters turned into spaces; throws QuestionError when it is empty or too long. */
export function checkQuestion(question: string): string {
  const text = String(question ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/[ \t\r\n]+/g, ' ').trim();
  if (text.length === 0) throw new QuestionError('The question is empty: ask about something in the folder, e.g. "Where is the configuration parsed?".');
  if (text.length > MAX_QUESTION_CHARS) {
    throw new QuestionError(
      `The question is ${text.length.toLocaleString('en-US')} characters long; Mnemo takes questions of up to ${MAX_QUESTION_CHARS.toLocaleString('en-US')}. ` +
      'Ask about one thing in a sentence or two; to ask about a file, summarize it instead.',
    );
  }
  return text;
}
