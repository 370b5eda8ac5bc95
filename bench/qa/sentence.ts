// The first sentence of a docstring: what a developer would type to find the function, and
// what the reworded questions are made from.

// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'mr', 'mrs', 'dr', 'no', 'approx', 'incl', 'resp']);

/** Most words a query keeps; longer first sentences are cut (a search box is not a paragraph). */
export const MAX_QUERY_WORDS = 40;
/** Fewer words than this say too little to find one definition ("Constructor.", "Helper"). */
export const MIN_QUERY_WORDS = 4;

/**
 * The first sentence of the first paragraph, whitespace collapsed; undefined when it is too
 * short to be a question or is not prose (doctest, directive, parameter list).
 */
export function firstSentence(doc: string): string | undefined {
  const paragraph = doc.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ').trim();
  if (!paragraph || /^(>>>|\.\.|:|@|-)/.test(paragraph)) return undefined;
  let sentence = paragraph;
  for (const m of paragraph.matchAll(/[.!?](?=\s|$)/g)) {
    const before = paragraph.slice(0, m.index);
    const word = /([A-Za-z.]+)$/.exec(before)?.[1]?.toLowerCase() ?? '';
    if (m[0] === '.' && (ABBREVIATIONS.has(word) || ABBREVIATIONS.has(word.replace(/\.$/, '')) || /^[a-z]$/.test(word))) continue;
    sentence = paragraph.slice(0, m.index! + 1);
    break;
  }
  const words = sentence.split(' ');
  if (words.length < MIN_QUERY_WORDS) return undefined;
  return words.length > MAX_QUERY_WORDS ? words.slice(0, MAX_QUERY_WORDS).join(' ') : sentence;
}
