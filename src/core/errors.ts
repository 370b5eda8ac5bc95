// Errors the front ends word in their own terms. The core's message is neutral (no CLI command,
// no VS Code command title); a front end that knows the class says what to do in its own words.

/** Asked, summarized or explained before anything of the workspace was read. */
export class NothingReadError extends Error {
  override readonly name = 'NothingReadError';
  constructor(readonly root: string) {
    super(`Nothing of ${root} has been read into memory yet: read it first, then ask again.`);
  }
}

/** A question that cannot be answered as given (empty, or far too long). */
export class QuestionError extends Error {
  override readonly name = 'QuestionError';
}
