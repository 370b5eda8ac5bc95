// What an agent's model is told about each tool: when to call it and what comes back. The MCP
// server uses these as they are; package.json's `languageModelTools` repeats them for VS Code
// (a manifest cannot import), and test/mcp checks the two stay the same.

export const SEARCH_TOOL = 'mnemo_search';
export const SUMMARY_TOOL = 'mnemo_summary';
export const STATUS_TOOL = 'mnemo_status';

export const SEARCH_DESCRIPTION =
  'Search the whole folder by meaning and by keyword with Mnemo, which has read every file of it (code, docs and books) '
  + 'into a local memory. Give a question or a description in words ("where is the cache written to disk?", '
  + '"function that splits a command line like a shell"). Returns the best passages, best first: the file path '
  + '(relative to the folder), the line range, the lines themselves, and which retrieval found each one. '
  + 'Use it before grepping or opening files one by one when you do not know where something lives. While Mnemo '
  + 'is still reading, the result says how much of the folder it covers.';

export const SEARCH_QUESTION_DESCRIPTION =
  'What to find, in words: a question, a behaviour, or a description of the code or text you need. Identifiers help.';

export const SEARCH_MAX_PASSAGES_DESCRIPTION = 'Most passages to return (1 to 10); fewer passages keep the result shorter.';

export const SUMMARY_DESCRIPTION =
  'Map of a folder or a file in the folder Mnemo has read: for a folder, the subfolders (with their files and sizes) '
  + 'and files it holds, and its most typical passages; for a file, how it begins. Use it to get your bearings '
  + 'in an unfamiliar part of the codebase before reading files.';

export const SUMMARY_PATH_DESCRIPTION =
  'Folder or file to map, relative to the folder\'s root with forward slashes (e.g. "src", "src/core/engine.ts"); '
  + 'omit it or pass "." for the whole folder.';

export const STATUS_DESCRIPTION =
  'What Mnemo holds for this folder: files and tokens read, the model, when it last read, and whether it is reading now '
  + '(with progress and time left). Call it when a search says the memory is incomplete.';
