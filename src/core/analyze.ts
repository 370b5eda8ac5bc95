// How text becomes search terms, for the lexical index and for questions alike: words and
// identifiers are cut out, identifiers are split at camelCase and snake_case joints (the whole
// identifier kept too, so an exact name still matches best), everything is lower-cased, English
// words are stemmed (Porter2, the algorithm of Debian's python3-snowballstemmer used on the
// Python side), stop words are dropped and numbers are kept whole ("3.14", "0x1f", "404").
import stem from 'wink-porter2-stemmer';

// Numbers first, so "3.14" and "0x1F" stay one term; then identifier-like runs.
const TOKEN = /0[xX][0-9a-fA-F]+|\d+(?:\.\d+)*|[\p{L}\p{N}_$]+/gu;
// Joints inside an identifier: underscores and dollars, lower→Upper, the end of an acronym
// ("HTMLParser" → HTML|Parser), letter↔digit.
const JOINT = /[_$]+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)*)$/;
/** Longer runs are data (hashes, base64), not words anyone asks about. */
const MAX_TERM = 40;

// English function words (the Snowball list, trimmed of words that carry meaning in code such
// as "not", "no", "new", "type", "return" is absent from it anyway).
export const STOP_WORDS: ReadonlySet<string> = new Set((
  'a about above after again against all am an and any are as at be because been before being below between both but by ' +
  'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
  'himself his how i if in into is it its itself just me more most my myself nor of off on once only or other ought our ' +
  'ours ourselves out over own same she should so some such than that the their theirs them themselves then there these ' +
  'they this those through to too under until up very was we were what when where which while who whom why will with ' +
  'would you your yours yourself yourselves s t d ll m re ve'
).split(' '));

const stems = new Map<string, string>();
const STEM_CACHE = 200_000;

/** The Porter2 stem of a lower-case word, cached: a workspace repeats its words endlessly. */
function stemmed(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = /^\p{L}+$/u.test(word) ? stem(word) : word;
    if (stems.size >= STEM_CACHE) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/** A single word's term, or undefined for a stop word. */
function term(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (STOP_WORDS.has(lower)) return undefined;
  if (NUMBER.test(lower)) return lower;
  return stemmed(lower);
}

/**
 * The raw pieces of `text` that become terms: words, identifiers and numbers, in order. The
 * index's `tokenize`; `terms` of each piece is its `processTerm`.
 */
export function tokenize(text: string): string[] {
  const out = text.match(TOKEN) ?? [];
  return out.length > 0 && out.some((t) => t.length > MAX_TERM) ? out.filter((t) => t.length <= MAX_TERM) : out;
}

/** The terms of one piece: the identifier whole (lower-cased) and its stemmed parts. */
export function pieceTerms(piece: string): string[] {
  if (NUMBER.test(piece)) return [piece.toLowerCase()];
  const parts = piece.split(JOINT).filter((p) => p.length > 0);
  if (parts.length <= 1) {
    // "__init__" and "$scope" are found by "init" and "scope".
    const t = parts.length === 1 ? term(parts[0]!) : undefined;
    return t === undefined ? [] : [t];
  }
  // A compound keeps its whole spelling, unstemmed: "getUserName" is a name, not a word.
  const out = [piece.toLowerCase().replace(/^[_$]+|[_$]+$/g, '')];
  for (const p of parts) {
    const t = term(p);
    if (t !== undefined && t.length > 0 && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Every term of `text`, in order (a piece's whole identifier before its parts). */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const piece of tokenize(text)) out.push(...pieceTerms(piece));
  return out;
}

/** Words of a workspace path ("src/core/queryKey.ts" → src, core, querykey, query, key, ts). */
export function pathText(path: string): string {
  return path.replace(/[/\\.\-]+/g, ' ');
}
