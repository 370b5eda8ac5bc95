// Large UTF-8 text files (a book of tens of megabytes) read as a stream, so that memory use
// stays flat however long the file: the file is cut into pieces of about PIECE_BYTES at line
// breaks, a first pass tokenizes every piece to count segments (keeping only one small index
// entry per piece), and the reader then pulls segments, each piece tokenized again when it is
// reached. Tokenizing twice costs a few percent of a read: the tokenizer runs ~200k tokens/s
// here, the model a few thousand. Files this module cannot stream (not UTF-8, UTF-16, HTML,
// PDF) are loaded whole by text.ts instead.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { SkipKind } from './api';
import { throwIfAborted } from './fsutil';
import { guessUtf16, kindOfPath, looksBinary, normalizeNewlines } from './text';
import type { MnemoTokenizer, Segment, SegmentSource } from './tokenizer';

/** Files at least this large are streamed (smaller ones are tokenized whole, in one go). */
export const STREAM_BYTES = 1024 * 1024;
/** Bytes read from disk at a time. */
const BLOCK_BYTES = 1024 * 1024;
/** A piece ends at the first good line break after this many bytes. */
const PIECE_BYTES = 256 * 1024;
/** A piece with no good line break is cut at any line break after this, or anywhere ASCII after twice this. */
const FORCE_CUT_BYTES = 4 * PIECE_BYTES;

/**
 * Whether a file is read piece by piece (this module) rather than loaded whole: STREAM_BYTES
 * or more, unless HTML or PDF, whose text needs the whole file.
 */
export function isStreamed(path: string, size: number): boolean {
  const kind = kindOfPath(path);
  return size >= STREAM_BYTES && kind !== 'html' && kind !== 'pdf';
}

/** Where a piece starts: its byte offset, the line it starts on, the tokens before it. */
interface Piece {
  readonly byte: number;
  readonly line: number;
  readonly token: number;
}

export type StreamedText =
  | { readonly ok: true; readonly source: SegmentSource; readonly tokens: number; readonly sha1: string }
  | { readonly ok: false; readonly kind: SkipKind; readonly reason: string }
  /** Not UTF-8 (or UTF-16): load it whole with text.ts, which knows the other encodings. */
  | { readonly ok: 'whole' };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * First pass over a large text file: checks it is UTF-8 text, hashes it and counts its tokens
 * piece by piece. Returns a segment source for the reader.
 */
export async function streamText(absPath: string, tokenizer: MnemoTokenizer, segmentLength: number, signal?: AbortSignal): Promise<StreamedText> {
  const pieces: Piece[] = [];
  const hash = createHash('sha1');
  let tokens = 0;
  let line = 1;
  let start = -1; // byte offset of the first byte of text (after a byte order mark)
  let end = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let invalid = false;
  await forEachPiece(absPath, (bytes, offset, first) => {
    if (first) {
      // UTF-16 (with a byte order mark, or recognisably without): text.ts decodes it whole.
      if (bytes[0] === 0xfe || bytes[0] === 0xff || guessUtf16(bytes.subarray(0, 8192)) !== undefined) { invalid = true; return false; }
      if (looksBinary(bytes.subarray(0, 8192))) { start = -2; return false; }
      start = UTF8_BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
      if (start > 0) { hash.update(bytes.subarray(0, start)); bytes = bytes.subarray(start); offset += start; }
    }
    hash.update(bytes);
    let text: string;
    try { text = decoder.decode(bytes); } catch { invalid = true; return false; }
    text = normalizeNewlines(text);
    pieces.push({ byte: offset, line, token: tokens });
    tokens += tokenizer.tokenizeLines(text, line).ids.length;
    line += countLines(text);
    end = offset + bytes.length;
    return true;
  }, signal);
  if (start === -2) return { ok: false, kind: 'binary', reason: 'binary file' };
  if (invalid) return { ok: 'whole' };
  const count = Math.ceil(tokens / segmentLength);
  return { ok: true, source: new StreamedSegments(absPath, tokenizer, segmentLength, pieces, end, tokens, count), tokens, sha1: hash.digest('hex') };
}

/** Hex SHA-1 of a file, read a block at a time. */
export async function hashFile(absPath: string): Promise<string> {
  const hash = createHash('sha1');
  const handle = await open(absPath, 'r');
  try {
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(block.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const NL = 0x0a;
const CR = 0x0d;

/** White space, or not ASCII (which might be white space): no cut next to it. */
function isSpaceByte(b: number | undefined): boolean {
  return b === undefined || b === 0x20 || (b >= 0x09 && b <= 0x0d) || b > 0x7f;
}

/**
 * Where to cut `bytes` (an index just after a line break), or -1. A good cut is a line break
 * with no white space on either side ("x\ny", or "x\r\ny"): the byte-level tokenizer makes such
 * a break a piece of its own, so pieces tokenize exactly as the whole text would (the same rule
 * as tokenizer.ts's chunks). Past FORCE_CUT_BYTES any line break will do, then any ASCII byte.
 */
function cutPoint(bytes: Uint8Array): number {
  for (let i = PIECE_BYTES; i + 1 < bytes.length; i++) {
    if (bytes[i] !== NL) continue;
    const prev = bytes[i - 1] === CR ? bytes[i - 2] : bytes[i - 1];
    if (!isSpaceByte(prev) && !isSpaceByte(bytes[i + 1])) return i + 1;
  }
  if (bytes.length < FORCE_CUT_BYTES) return -1;
  const nl = bytes.indexOf(NL, PIECE_BYTES);
  if (nl >= 0 && nl + 1 < bytes.length) return nl + 1;
  if (bytes.length < 2 * FORCE_CUT_BYTES) return -1;
  // No line break in megabytes: cut before an ASCII byte, which is never inside a UTF-8 character.
  for (let i = bytes.length - 1; i > 0; i--) if (bytes[i]! < 0x80 && bytes[i] !== NL && bytes[i - 1] !== CR) return i;
  return bytes.length;
}

/**
 * Calls `each` with the file's pieces in order until it returns false or the file ends, and
 * yields to the event loop between pieces. `first` marks the file's first piece.
 */
async function forEachPiece(
  absPath: string,
  each: (bytes: Uint8Array, offset: number, first: boolean) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const handle = await open(absPath, 'r');
  try {
    let pending: Buffer = Buffer.alloc(0);
    let pendingAt = 0;
    let position = 0;
    let eof = false;
    let first = true;
    while (!eof || pending.length > 0) {
      throwIfAborted(signal);
      const cut = eof ? pending.length : cutPoint(pending);
      if (cut < 0) {
        const block = Buffer.allocUnsafe(BLOCK_BYTES);
        const { bytesRead } = await handle.read(block, 0, BLOCK_BYTES, position);
        position += bytesRead;
        if (bytesRead === 0) eof = true;
        else pending = pending.length === 0 ? block.subarray(0, bytesRead) : Buffer.concat([pending, block.subarray(0, bytesRead)]);
        continue;
      }
      const piece = pending.subarray(0, cut);
      pending = pending.subarray(cut);
      const keepGoing = each(piece, pendingAt, first);
      first = false;
      pendingAt += cut;
      if (!keepGoing) return;
      await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    await handle.close();
  }
}

/** The second pass: segments made as the reader asks for them, one piece in memory at a time. */
class StreamedSegments implements SegmentSource {
  /** Tokens of the pieces loaded and not yet consumed, from `offset` on. */
  private ids: Int32Array = new Int32Array(0);
  private starts: Int32Array = new Int32Array(0);
  private ends: Int32Array = new Int32Array(0);
  private offset = 0;
  /** Index of the next piece to load. */
  private nextPiece = 0;
  /** Index of the segment the buffered tokens start. */
  private nextSegment = -1;

  constructor(
    private readonly absPath: string,
    private readonly tokenizer: MnemoTokenizer,
    private readonly segmentLength: number,
    private readonly pieces: readonly Piece[],
    private readonly endByte: number,
    private readonly tokens: number,
    readonly count: number,
  ) {}

  async at(index: number): Promise<Segment> {
    const S = this.segmentLength;
    if (index !== this.nextSegment) await this.seek(index);
    const want = Math.min(S, this.tokens - index * S);
    while (this.ids.length - this.offset < want && this.nextPiece < this.pieces.length) await this.loadPiece();
    const have = Math.min(want, this.ids.length - this.offset);
    const ids = new Int32Array(S).fill(this.tokenizer.padId);
    let segment: Segment;
    if (have <= 0) {
      // The file shrank since it was counted: a one-token stand-in keeps the count the reader was promised.
      segment = { ids, length: 1, startLine: 1, endLine: 1 };
    } else {
      const o = this.offset;
      ids.set(this.ids.subarray(o, o + have));
      const startLine = this.starts[o]!;
      segment = { ids, length: have, startLine, endLine: Math.max(startLine, this.ends[o + have - 1]!) };
      this.offset += have;
    }
    this.nextSegment = index + 1;
    if (this.offset > 4 * S && this.offset > this.ids.length / 2) this.compact();
    return segment;
  }

  /** Positions the buffer at the first token of segment `index`. */
  private async seek(index: number): Promise<void> {
    const token = index * this.segmentLength;
    let p = 0;
    while (p + 1 < this.pieces.length && this.pieces[p + 1]!.token <= token) p++;
    this.ids = new Int32Array(0);
    this.starts = new Int32Array(0);
    this.ends = new Int32Array(0);
    this.offset = 0;
    this.nextPiece = p;
    await this.loadPiece();
    this.offset = Math.min(this.ids.length, token - this.pieces[p]!.token);
    this.nextSegment = index;
  }

  private async loadPiece(): Promise<void> {
    const p = this.pieces[this.nextPiece]!;
    const end = this.nextPiece + 1 < this.pieces.length ? this.pieces[this.nextPiece + 1]!.byte : this.endByte;
    this.nextPiece++;
    const bytes = Buffer.allocUnsafe(end - p.byte);
    const handle = await open(this.absPath, 'r');
    let got = 0;
    try {
      while (got < bytes.length) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, p.byte + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } finally {
      await handle.close();
    }
    const text = normalizeNewlines(new TextDecoder('utf-8').decode(bytes.subarray(0, got)));
    const t = this.tokenizer.tokenizeLines(text, p.line);
    const rest = this.ids.length - this.offset;
    const join = (old: Int32Array, add: Int32Array): Int32Array => {
      const out = new Int32Array(rest + add.length);
      out.set(old.subarray(this.offset));
      out.set(add, rest);
      return out;
    };
    this.ids = join(this.ids, t.ids);
    this.starts = join(this.starts, t.startLines);
    this.ends = join(this.ends, t.endLines);
    this.offset = 0;
  }

  private compact(): void {
    this.ids = this.ids.slice(this.offset);
    this.starts = this.starts.slice(this.offset);
    this.ends = this.ends.slice(this.offset);
    this.offset = 0;
  }
}
