// Turns a file on disk into the text the model reads: refuses binaries, decodes the common
// encodings, keeps one line per editor line, and extracts the visible text of HTML and PDF.
import { isUtf8 } from 'node:buffer';
import { constants as fsConstants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { decodeHTML } from 'entities';
import type { SkipKind, SkipSetting } from './api';
import { describeFsError, errorCode, formatBytes } from './fsutil';
import { sizeLimitFor, type SizeLimits } from './limits';

export type TextKind = 'code' | 'prose' | 'pdf' | 'html';

export type LoadedText =
  | { readonly ok: true; readonly text: string; readonly kind: TextKind; readonly warnings: string[] }
  | { readonly ok: false; readonly kind: SkipKind; readonly reason: string; readonly bytes?: number; readonly limit?: number; readonly setting?: SkipSetting };
/** Binary sniffing looks at this much of the start of a file, as git does. */
const SNIFF_BYTES = 8192;

// ---- what kind of file a path names ------------------------------------------------------

const CODE_EXTENSIONS = new Set(`
  ts tsx mts cts js jsx mjs cjs vue svelte astro coffee
  py pyi pyx pxd ipynb rb rake gemspec go rs java kt kts scala sc groovy gradle clj cljs cljc edn
  c h cc cpp cxx c++ hpp hh hxx h++ inl ipp tpp m mm cs csx fs fsi fsx vb swift dart
  lua pl pm t php phtml r jl hs lhs ml mli elm ex exs erl hrl lisp el scm ss rkt nim zig
  v sv svh vhd vhdl asm s sh bash zsh fish ksh ps1 psm1 psd1 bat cmd awk sed vim tcl
  sql graphql gql proto thrift avsc prisma sol move cairo gleam odin hx cr purs re rei res resi
  d ada adb ads pas pp f f77 f90 f95 f03 for cob cbl lean agda idr
  css scss sass less styl json jsonc json5 jsonl yaml yml toml ini cfg conf properties env
  xml xsd xsl xslt svg plist cmake mk make mak bzl bazel nix tf tfvars hcl dockerfile
  wgsl glsl hlsl vert frag comp geom metal cu cuh cl
  bib sty cls gitignore gitattributes editorconfig npmignore dockerignore
`.trim().split(/\s+/));

const PROSE_EXTENSIONS = new Set(`
  txt text md markdown mdown mkd mdx rst adoc asciidoc asc org tex ltx textile wiki pod rdoc
  srt vtt nfo man
`.trim().split(/\s+/));

const HTML_EXTENSIONS = new Set(['html', 'htm', 'xhtml', 'shtml']);

/** Files without an extension that are code; other extensionless files (README, LICENSE) are prose. */
const CODE_NAMES = new Set([
  'makefile', 'gnumakefile', 'dockerfile', 'containerfile', 'jenkinsfile', 'vagrantfile', 'gemfile',
  'rakefile', 'podfile', 'brewfile', 'procfile', 'justfile', 'cmakelists.txt', 'build', 'workspace',
]);

/**
 * The kind of text a path holds, judged by its name alone; undefined when the name says it is
 * not something Mnemo reads. Names without an extension (README, Makefile, scripts) count as
 * readable: the content check in `loadText` catches the binaries among them.
 */
export function kindOfPath(path: string): TextKind | undefined {
  const name = basename(path).toLowerCase();
  const ext = name.startsWith('.') && name.indexOf('.', 1) < 0 ? name.slice(1) : extname(name).slice(1);
  if (CODE_NAMES.has(name)) return 'code';
  if (name.startsWith('dockerfile') || name.startsWith('makefile')) return 'code';
  if (ext === '') return 'prose';
  if (ext === 'pdf') return 'pdf';
  if (HTML_EXTENSIONS.has(ext)) return 'html';
  if (PROSE_EXTENSIONS.has(ext)) return 'prose';
  if (CODE_EXTENSIONS.has(ext)) return 'code';
  return undefined;
}

// ---- loading ---------------------------------------------------------------------------

/** Loads a whole file as text; size limits by kind as in limits.ts (prose 64 MiB, others 2 MiB by default). */
export async function loadText(absPath: string, options: SizeLimits = {}): Promise<LoadedText> {
  const { limit: max, setting } = sizeLimitFor(kindOfPath(absPath) ?? 'prose', options);
  const tooBig = (size: number): LoadedText => ({ ok: false, kind: 'too-large', reason: tooLargeReason(size, max, setting), bytes: size, limit: max, setting });
  let bytes: Uint8Array;
  try {
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    const before = await stat(absPath);
    if (before.isDirectory()) return fail('it is a folder, not a file', 'special');
    if (!before.isFile()) return fail('not a regular file', 'special');
    if (before.size > max) return tooBig(before.size);
    const flags = process.platform === 'win32' ? fsConstants.O_RDONLY : fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
    const handle = await open(absPath, flags);
    try {
      const st = await handle.stat();
      if (!st.isFile()) return fail('it was replaced by something that is not a file while reading', 'special');
      if (st.size > max) return tooBig(st.size);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    return fail(describeFsError(err), errorCode(err) === 'EISDIR' ? 'special' : 'unreadable');
  }
  if (bytes.length > max) return tooBig(bytes.length);

  const kind = kindOfPath(absPath) ?? 'prose';
  if (kind === 'pdf' || startsWith(bytes, PDF_MAGIC)) return pdfToText(bytes);
  if (looksBinary(bytes)) return fail('binary file', 'binary');
  const { text, warnings } = decodeText(bytes);
  if (kind === 'html') {
    const html = htmlToText(text);
    return { ok: true, text: html.text, kind, warnings: [...warnings, ...html.warnings] };
  }
  return { ok: true, text, kind: kind === 'prose' && text.startsWith('#!') ? 'code' : kind, warnings };
}

function fail(reason: string, kind: SkipKind): LoadedText {
  return { ok: false, kind, reason };
}

/** The core's own words for a file over its limit; front ends name their setting (SkippedFile.setting). */
export function tooLargeReason(bytes: number, limit: number, setting: 'maxFileBytes' | 'maxProseBytes'): string {
  return `${formatBytes(bytes)} is larger than the limit for ${setting === 'maxProseBytes' ? 'prose and documents' : 'code and other files'} (${formatBytes(limit)})`;
}

// ---- binary detection ----------------------------------------------------------------------

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

/** Starts of binary formats that may not hold a NUL byte early on. `-1` matches any byte. */
const MAGIC: readonly (readonly number[])[] = [
  PDF_MAGIC,
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38, -1, 0x61], // GIF8?a
  [0x50, 0x4b, 0x03, 0x04], // zip, jar, docx, epub
  [0x1f, 0x8b], // gzip
  [0x42, 0x5a, 0x68, -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], // bzip2
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], // rar
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0xcf, 0xfa, 0xed, 0xfe], [0xce, 0xfa, 0xed, 0xfe], [0xca, 0xfe, 0xba, 0xbe], // Mach-O, Java class
  [0x00, 0x61, 0x73, 0x6d], // wasm
  [0x49, 0x44, 0x33, -1, -1], // ID3 (mp3)
  [0x4f, 0x67, 0x67, 0x53, 0x00], // Ogg
  [0x52, 0x49, 0x46, 0x46], // RIFF (wav, avi, webp)
  [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74], // SQLite format
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((b, i) => b < 0 || bytes[i] === b);
}

/**
 * True when the bytes are not text: a known binary signature, a NUL byte in the first 8 KiB
 * (git's rule), or more than 10% control characters there. Text with a UTF-16 byte order mark,
 * or recognisably UTF-16 without one, is not binary despite its NUL bytes.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  if (bomOf(bytes) !== undefined) return false;
  if (MAGIC.some((m) => startsWith(bytes, m))) return true;
  const sample = bytes.subarray(0, SNIFF_BYTES);
  if (guessUtf16(sample) !== undefined) return false;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    // Tab, LF, VT, FF, CR and ESC (colour codes in logs) are normal in text.
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f) control++;
  }
  return control / sample.length > 0.1;
}

// ---- decoding ----------------------------------------------------------------------------

type Bom = 'utf-8' | 'utf-16le' | 'utf-16be';

function bomOf(bytes: Uint8Array): Bom | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** UTF-16 without a byte order mark shows as mostly-ASCII text with every other byte zero. */
export function guessUtf16(sample: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(sample.length / 2);
  if (pairs < 2) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) zeroEven++;
    if (sample[i + 1] === 0) zeroOdd++;
  }
  if (zeroOdd > pairs * 0.6 && zeroEven < pairs * 0.02) return 'utf-16le';
  if (zeroEven > pairs * 0.6 && zeroOdd < pairs * 0.02) return 'utf-16be';
  return undefined;
}

/**
 * Decodes text whatever its encoding and never throws: UTF-8 (with or without BOM), UTF-16 LE/BE
 * (BOM or recognisable), and for bytes that are mostly not UTF-8, Windows-1252 (a superset of
 * Latin-1). Invalid UTF-8 in an otherwise UTF-8 file becomes U+FFFD, with a warning.
 * CRLF and lone CR become LF, so line N of the text is line N in an editor. VS Code breaks
 * lines only at CR, LF and CRLF, so U+2028 and U+2029 are left alone.
 */
export function decodeText(bytes: Uint8Array): { text: string; warnings: string[] } {
  const warnings: string[] = [];
  const bom = bomOf(bytes);
  let text: string;
  if (bom === 'utf-16le' || bom === 'utf-16be' || (bom === undefined && guessUtf16(bytes.subarray(0, SNIFF_BYTES)))) {
    const big = bom === 'utf-16be' || (bom === undefined && guessUtf16(bytes.subarray(0, SNIFF_BYTES)) === 'utf-16be');
    text = decodeUtf16(bytes.subarray(bom === undefined ? 0 : 2), big, warnings);
  } else {
    const body = bom === 'utf-8' ? bytes.subarray(3) : bytes;
    // Node's native check first: valid UTF-8 (nearly every file) skips the JavaScript walk over
    // every byte, which took ~0.5 s of a 26 MB book's first quote (bench/latency.ts).
    const { invalidBytes, invalidRuns, multibyte } = isUtf8(body) ? VALID_UTF8 : checkUtf8(body);
    if (invalidBytes === 0) {
      text = new TextDecoder('utf-8').decode(body);
    } else if (invalidRuns > multibyte) {
      text = decodeWindows1252(body);
      warnings.push(`not valid UTF-8 (${invalidBytes} of ${body.length} bytes); decoded as Windows-1252`);
    } else {
      text = new TextDecoder('utf-8').decode(body);
      warnings.push(`${invalidBytes} invalid UTF-8 byte${invalidBytes === 1 ? '' : 's'} replaced with U+FFFD`);
    }
  }
  return { text: normalizeNewlines(text), warnings };
}

export function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function decodeUtf16(body: Uint8Array, bigEndian: boolean, warnings: string[]): string {
  let even = body;
  if (body.length % 2 === 1) {
    even = body.subarray(0, body.length - 1);
    warnings.push('UTF-16 text has an odd number of bytes; the last byte was dropped');
  }
  const le = Buffer.from(even); // a copy, so swapping leaves the caller's bytes alone
  if (bigEndian) le.swap16();
  return le.toString('utf16le');
}

const VALID_UTF8 = { invalidBytes: 0, invalidRuns: 0, multibyte: 0 } as const;

/**
 * Validates UTF-8 by the Unicode "maximal subpart" rule (the one TextDecoder uses to place
 * U+FFFD): counts invalid bytes, the runs they form, and valid multi-byte characters.
 */
function checkUtf8(bytes: Uint8Array): { invalidBytes: number; invalidRuns: number; multibyte: number } {
  let invalidBytes = 0;
  let invalidRuns = 0;
  let multibyte = 0;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f; }
    else { invalidBytes++; invalidRuns++; i++; continue; }
    let k = 1;
    for (; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xbf;
    }
    if (k > need) { multibyte++; i += need + 1; }
    else { invalidBytes += k; invalidRuns++; i += k; }
  }
  return { invalidBytes, invalidRuns, multibyte };
}

/** Windows-1252's 0x80-0x9F; the five unassigned bytes map to the C1 controls, as browsers do. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes = Array.from(bytes.subarray(start, start + CHUNK), (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b));
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

// ---- HTML -----------------------------------------------------------------------------

/** Elements whose content is not visible text. */
const HIDDEN_ELEMENTS = new Set(['script', 'style', 'template', 'noscript', 'svg', 'math', 'object', 'iframe']);
/** Elements that separate words; `a<p>b` must not read as "ab". */
const BLOCK_ELEMENTS = new Set(`
  address article aside blockquote br caption dd details dialog div dl dt fieldset figcaption figure
  footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol option p pre section summary table tbody td
  tfoot th thead title tr ul
`.trim().split(/\s+/));
/**
 * Site navigation ("Prev", "Up", "Home", "Next", breadcrumbs, sidebars of links): the same words
 * on every page of a generated book, which keyword search then finds everywhere and the span
 * head copied as answers ("Up Home Next" for "Who founded the Debian project?" over the Debian
 * Administrator's Handbook). `<nav>`, `role="navigation"`, and the navigation classes of
 * DocBook/Publican (navheader, navfooter, docnav), Sphinx (related, sphinxsidebar) and others
 * (breadcrumb) are not text.
 */
const NAVIGATION_CLASS = /\b(?:navheader|navfooter|docnav|breadcrumbs?|sphinxsidebar|related)\b/i;

function isNavigation(name: string, tag: string): boolean {
  if (name === 'nav') return true;
  if (/\brole\s*=\s*["']?navigation\b/i.test(tag)) return true;
  const cls = /\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
  return cls !== null && NAVIGATION_CLASS.test(cls[1] ?? cls[2] ?? '');
}

/** Index just past the tag that closes the `name` element whose start tag ends at `from` (nested ones counted). */
function elementEnd(html: string, name: string, from: number): number {
  const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'ig');
  tags.lastIndex = from;
  let depth = 1;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    if (m[1]) depth--;
    else if (!m[0].endsWith('/>')) depth++;
    if (depth === 0) return m.index + m[0].length;
  }
  return html.length;
}

/** Above this average line length the HTML is minified and its source lines mean nothing. */
const MINIFIED_LINE_CHARS = 1000;

/**
 * The visible text of an HTML document. Line numbers match the source: every tag, comment
 * and hidden element is replaced by the line breaks it contained (plus a space where a block
 * element separated words), so a citation of line N points at line N of the .html file. Columns
 * do not match, and markup-only lines become blank. The exception is minified HTML (very long
 * lines), where source lines carry no meaning: there block elements start new lines, and a
 * warning says the line numbers refer to the extracted text.
 */
export function htmlToText(html: string): { text: string; warnings: string[] } {
  const lines = html.split('\n').length;
  const minified = html.length / lines > MINIFIED_LINE_CHARS;
  const out: string[] = [];
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) { out.push(decodeHTML(html.slice(i))); break; }
    out.push(decodeHTML(html.slice(i, lt)));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      const stop = end < 0 ? n : end + 3;
      out.push(newlinesIn(html, lt, stop));
      i = stop;
      continue;
    }
    if (!/[a-zA-Z/!?]/.test(html[lt + 1] ?? '')) { out.push('<'); i = lt + 1; continue; }
    const close = tagEnd(html, lt);
    const tag = html.slice(lt, close);
    const name = /^<\/?([a-zA-Z][\w:-]*)/.exec(tag)?.[1]?.toLowerCase() ?? '';
    out.push(newlinesIn(html, lt, close));
    if (BLOCK_ELEMENTS.has(name)) out.push(minified ? '\n' : ' ');
    i = close;
    if (!tag.startsWith('</') && !tag.endsWith('/>') && isNavigation(name, tag)) {
      const stop = elementEnd(html, name, i);
      out.push(newlinesIn(html, i, stop));
      i = stop;
      continue;
    }
    if (HIDDEN_ELEMENTS.has(name) && !tag.startsWith('</') && !tag.endsWith('/>')) {
      const endTag = new RegExp(`</${name}\\s*>`, 'ig');
      endTag.lastIndex = i;
      const m = endTag.exec(html);
      const stop = m ? m.index + m[0].length : n;
      out.push(newlinesIn(html, i, stop));
      i = stop;
    }
  }
  let text = out.join('').split('\n').map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim()).join('\n');
  const warnings: string[] = [];
  if (minified) {
    text = text.replace(/\n{3,}/g, '\n\n').trim();
    warnings.push('minified HTML: line numbers refer to the extracted text, not the source');
  }
  return { text, warnings };
}

/** Index just past the `>` that closes the tag opened at `lt`, skipping quoted attribute values. */
function tagEnd(html: string, lt: number): number {
  let quote: string | undefined;
  for (let j = lt + 1; j < html.length; j++) {
    const ch = html[j];
    if (quote !== undefined) { if (ch === quote) quote = undefined; }
    else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return j + 1;
  }
  return html.length;
}

function newlinesIn(s: string, start: number, end: number): string {
  let count = 0;
  for (let j = s.indexOf('\n', start); j >= 0 && j < end; j = s.indexOf('\n', j + 1)) count++;
  return '\n'.repeat(count);
}

// ---- PDF --------------------------------------------------------------------------------

/**
 * The text of a PDF, page by page. Pages are separated by a line holding only a form feed
 * (`\f`), as pdftotext does, so a cited line can be mapped to its page by counting them.
 * PDF.js (through unpdf's Node build, no worker) is loaded on first use: it is large.
 */
async function pdfToText(bytes: Uint8Array): Promise<LoadedText> {
  const { getDocumentProxy, extractText } = await import('unpdf');
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // PDF.js may take ownership of the buffer it is given; it gets a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (err) {
    const name = (err as { name?: string } | null)?.name;
    if (name === 'PasswordException') return fail('the PDF is encrypted with a password', 'no-text');
    return fail(`not a readable PDF: ${err instanceof Error ? err.message : String(err)}`, 'no-text');
  }
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    const pages = text.map((page) => normalizeNewlines(page).replace(/\0/g, '').replace(/[ \t]+$/gm, ''));
    const empty = pages.filter((page) => page.trim() === '').length;
    if (totalPages > 0 && empty === totalPages) {
      return fail('the PDF has no text layer (scanned pages?); Mnemo does not run OCR', 'no-text');
    }
    const warnings = empty > 0 ? [`${empty} of ${totalPages} PDF pages have no text layer (scanned?) and were left empty`] : [];
    return { ok: true, text: pages.join('\n\f\n'), kind: 'pdf', warnings };
  } catch (err) {
    return fail(`text could not be extracted from the PDF: ${err instanceof Error ? err.message : String(err)}`, 'no-text');
  } finally {
    await pdf.destroy();
  }
}
