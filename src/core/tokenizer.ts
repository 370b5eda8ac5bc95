// The model's tokenizer, and how text is cut into the fixed-length segments the reader eats.
// This is the only module that imports @huggingface/tokenizers.
import { readFile } from 'node:fs/promises';
import { BPE, Tokenizer } from '@huggingface/tokenizers';

/** Token ids of one text, each token tagged with the 1-based lines it starts and ends on. */
export interface TokenizedText {
  readonly ids: Int32Array;
  /** Line of the token's first character that is not a line break. */
  readonly startLines: Int32Array;
  /** Line of the token's last character (a line break belongs to the line it ends). */
  readonly endLines: Int32Array;
}

/** Token ids of one text with the characters each token covers: `text.slice(starts[i], ends[i])`. */
export interface OffsetText {
  readonly ids: number[];
  /** UTF-16 offset of the first character the token's bytes touch. */
  readonly starts: number[];
  /** UTF-16 offset just after the last character the token's bytes touch. */
  readonly ends: number[];
}

/** One reader segment: exactly `segmentLength` ids, the tail padded, and the lines it covers. */
export interface Segment {
  readonly ids: Int32Array;
  /** Real (unpadded) tokens at the front of `ids`. */
  readonly length: number;
  readonly startLine: number;
  readonly endLine: number;
  /**
   * The real ids decoded (`decode(ids.subarray(0, length))`), when whoever produced the segment
   * decoded it already: the reader keys a segment by this text and need not decode it again.
   */
  readonly text?: string;
}

// Byte-level BPE writes the byte 0x0A as this character (GPT-2's printable byte alphabet).
const BYTE_LEVEL_NEWLINE = '\u010a';
// Pieces of text are tokenized separately, cut only after a line break with no white space on
// either side ("x\ny"): byte-level pre-tokenizers make that break a piece of its own either way,
// so the ids are the same as for the whole text, and no single call sees megabytes.
const CHUNK_CHARS = 16_384;

/** Words whose BPE pieces are remembered (a few MB); the library's own cache holds 10,000. */
const WORD_PIECES = 50_000;

/**
 * The BPE model's memo of word → pieces, in place of the library's LRU cache. That cache moves
 * every hit to the back of its Map (has, get, delete, set: four Map operations a word), which
 * was a fifth of the time tokenizing a million tokens of code took; here a hit is one lookup and
 * a full memo starts again empty. The pieces of a word do not depend on what is remembered, so
 * the ids are the same.
 */
class WordPieces {
  private readonly map = new Map<string, string[]>();
  constructor(private readonly capacity: number) {}
  get(word: string): string[] | undefined {
    return this.map.get(word);
  }
  put(word: string, pieces: string[]): void {
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(word, pieces);
  }
  clear(): void {
    this.map.clear();
  }
}

export class MnemoTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly byteLevel: boolean;
  private readonly specialIds: ReadonlySet<number>;
  readonly vocabSize: number;

  private constructor(json: Record<string, unknown>, readonly padId: number) {
    // tokenizer_config.json is optional for our models; these are the only fields that matter:
    // keep decoded text byte-exact (no "clean up" of spaces before punctuation).
    this.tokenizer = new Tokenizer(json, { clean_up_tokenization_spaces: false });
    const model = this.tokenizer.model;
    if (model instanceof BPE) model.cache = new WordPieces(WORD_PIECES) as unknown as BPE['cache'];
    this.byteLevel = JSON.stringify(json['pre_tokenizer'] ?? null).includes('"ByteLevel"');
    this.vocabSize = this.tokenizer.get_vocab(true).size;
    const added = (json['added_tokens'] ?? []) as { id: number }[];
    this.specialIds = new Set(added.map((t) => t.id));
  }

  /** Loads a Hugging Face `tokenizer.json`; errors name the file and what to do. */
  static async load(path: string, padId: number): Promise<MnemoTokenizer> {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`Cannot read the tokenizer ${path}: ${(e as Error).message}. Re-export the model folder.`);
    }
    try {
      return new MnemoTokenizer(json, padId);
    } catch (e) {
      throw new Error(`The tokenizer ${path} is not a tokenizer.json that @huggingface/tokenizers can load: ${(e as Error).message}`);
    }
  }

  /** Ids of `text` without any special tokens added. */
  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of `ids`; special tokens are dropped. */
  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return ''; // the library refuses an empty list
    return this.tokenizer.decode(Array.from(ids), { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  }

  /** A segment's text: its real ids decoded, or what whoever produced it decoded already (Segment.text). */
  segmentText(seg: Segment): string {
    return seg.text ?? this.decode(seg.ids.subarray(0, seg.length));
  }

  /**
   * Ids of `text` (no special tokens added) with the character range of each token, so a span of
   * tokens maps back to the text it came from. A character whose UTF-8 bytes are split between
   * tokens belongs to each of them. Needs a byte-level tokenizer (every model of ours has one).
   */
  encodeWithOffsets(text: string): OffsetText {
    if (!this.byteLevel) throw new Error('Character offsets need a byte-level tokenizer; this tokenizer.json is not one.');
    if (text.length === 0) return { ids: [], starts: [], ends: [] };
    // byteStart[k]: UTF-16 offset of the character holding byte k of the UTF-8 text
    const byteStart: number[] = [];
    for (let i = 0; i < text.length;) {
      const cp = text.codePointAt(i)!;
      const units = cp > 0xffff ? 2 : 1;
      const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (let b = 0; b < bytes; b++) byteStart.push(i);
      i += units;
    }
    const charEnd = (byte: number): number => {
      // end of the character holding byte `byte - 1`
      const at = byteStart[byte - 1]!;
      return at + ((text.codePointAt(at)! > 0xffff) ? 2 : 1);
    };
    const enc = this.tokenizer.encode(text, { add_special_tokens: false });
    const starts: number[] = [];
    const ends: number[] = [];
    let byte = 0;
    for (let i = 0; i < enc.ids.length; i++) {
      const token = enc.tokens[i]!;
      // a byte-level token has one character per byte; a special token stands for its own text
      const n = this.specialIds.has(enc.ids[i]!) ? utf8Length(token) : token.length;
      starts.push(byteStart[Math.min(byte, byteStart.length - 1)]!);
      ends.push(n > 0 ? charEnd(Math.min(byte + n, byteStart.length)) : starts[i]!);
      byte += n;
    }
    return { ids: enc.ids, starts, ends };
  }

  /**
   * Tokenizes text, tracking the line of every token; `firstLine` is the line the text starts on
   * (a piece of a large file, see streamedText.ts).
   */
  tokenizeLines(text: string, firstLine = 1): TokenizedText {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    if (this.byteLevel) {
      let line = firstLine;
      for (const chunk of chunks(text)) {
        const enc = this.tokenizer.encode(chunk, { add_special_tokens: false });
        for (let i = 0; i < enc.ids.length; i++) {
          const token = enc.tokens[i]!;
          // Leading line breaks belong to the previous line; the token "starts" after them.
          let j = 0;
          let lead = 0;
          while (j < token.length && (token[j] === BYTE_LEVEL_NEWLINE || token[j] === '\n')) { j++; lead++; }
          let total = lead;
          for (; j < token.length; j++) if (token[j] === BYTE_LEVEL_NEWLINE || token[j] === '\n') total++;
          const endsWithBreak = token.length > 0 && (token[token.length - 1] === BYTE_LEVEL_NEWLINE || token[token.length - 1] === '\n');
          ids.push(enc.ids[i]!);
          starts.push(lead === token.length ? line : line + lead);
          // A token that ends in a break ends on the line that break closes.
          ends.push(endsWithBreak ? line + total - 1 : line + total);
          line += total;
        }
      }
    } else {
      // Not byte-level: encode line by line, so every token is on exactly one line.
      const lines = text.split('\n');
      for (let l = 0; l < lines.length; l++) {
        const piece = l < lines.length - 1 ? lines[l] + '\n' : lines[l]!;
        for (const id of this.encode(piece)) { ids.push(id); starts.push(l + firstLine); ends.push(l + firstLine); }
      }
    }
    return { ids: Int32Array.from(ids), startLines: Int32Array.from(starts), endLines: Int32Array.from(ends) };
  }

  /** Cuts tokenized text into segments of exactly `segmentLength` ids, the last one padded. */
  segment(tokens: TokenizedText, segmentLength: number, fromSegment = 0): Segment[] {
    const out: Segment[] = [];
    const n = tokens.ids.length;
    for (let start = fromSegment * segmentLength; start < n; start += segmentLength) {
      const end = Math.min(n, start + segmentLength);
      const ids = new Int32Array(segmentLength).fill(this.padId);
      ids.set(tokens.ids.subarray(start, end));
      const startLine = tokens.startLines[start]!;
      let endLine = tokens.endLines[end - 1]!;
      if (endLine < startLine) endLine = startLine;
      out.push({ ids, length: end - start, startLine, endLine });
    }
    return out;
  }
}

/**
 * A file's segments, produced in order: from an array for a file tokenized whole, or streamed
 * from disk for a large one (streamedText.ts), so a book's tokens never sit in memory at once.
 */
export interface SegmentSource {
  /** Segments in the whole file. */
  readonly count: number;
  /** Segment `index`; calls come in increasing order, and may start anywhere (a resumed file). */
  at(index: number): Promise<Segment>;
}

export function arraySource(segments: readonly Segment[]): SegmentSource {
  return { count: segments.length, at: (index) => Promise.resolve(segments[index]!) };
}

function* chunks(text: string): Generator<string> {
  let from = 0;
  while (text.length - from > CHUNK_CHARS) {
    let cut = -1;
    let at = from + CHUNK_CHARS;
    while (cut < 0) {
      const nl = text.indexOf('\n', at);
      if (nl < 0 || nl + 1 >= text.length) break;
      const prev = nl > 0 ? text.charCodeAt(nl - 1) : 0;
      const next = text.charCodeAt(nl + 1);
      if (!isSpace(prev) && !isSpace(next)) cut = nl + 1;
      else at = nl + 1;
    }
    if (cut < 0) break;
    yield text.slice(from, cut);
    from = cut;
  }
  if (from < text.length) yield text.slice(from);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function isSpace(code: number): boolean {
  // space, tab, LF, VT, FF, CR, and anything non-ASCII (which may be Unicode white space)
  return code === 32 || (code >= 9 && code <= 13) || code > 127;
}
