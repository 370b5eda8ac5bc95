// Loading files as text: encodings, line endings, binaries, HTML and PDF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeText, htmlToText, kindOfPath, loadText, looksBinary } from '../../src/core/text';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mnemo-text-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A real two-page PDF with Helvetica text, its cross-reference table computed here. */
function makePdf(pages: string[][]): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  pages.forEach((lines, i) => {
    const stream = ['BT', '/F1 18 Tf', '72 720 Td', '22 TL',
      ...lines.map((line) => `(${line.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj T*`), 'ET'].join('\n');
    objects[pageIds[i]!] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
  });
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1');
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

test('plain UTF-8 code loads with its kind', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.ts'), 'export const π = 3.14; // ünïcödé ✓\n');
  const r = await loadText(join(dir, 'a.ts'));
  assert.deepEqual(r, { ok: true, text: 'export const π = 3.14; // ünïcödé ✓\n', kind: 'code', warnings: [] });
});

test('CRLF and lone CR become LF, one line per editor line', () => {
  const { text, warnings } = decodeText(Buffer.from('one\r\ntwo\rthree\n\r\nfive\u2028same line'));
  assert.equal(text, 'one\ntwo\nthree\n\nfive\u2028same line');
  assert.equal(text.split('\n').length, 5);
  assert.deepEqual(warnings, []);
});

test('UTF-8 BOM is dropped', () => {
  assert.equal(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69])).text, 'hi');
});

test('UTF-16 LE and BE with BOM, and LE without BOM, decode and are not binary', async (t) => {
  const s = 'Grüße\r\nline two — ok\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]);
  const bare = Buffer.from('plain ascii text in utf-16\n'.repeat(4), 'utf16le');
  for (const bytes of [le, be]) {
    assert.equal(looksBinary(bytes), false);
    assert.deepEqual(decodeText(bytes), { text: 'Grüße\nline two — ok\n', warnings: [] });
  }
  assert.equal(looksBinary(bare), false);
  assert.equal(decodeText(bare).text, 'plain ascii text in utf-16\n'.repeat(4));
  const dir = await tempDir(t);
  await writeFile(join(dir, 'notes.txt'), be);
  const r = await loadText(join(dir, 'notes.txt'));
  assert.ok(r.ok);
  assert.equal(r.text, 'Grüße\nline two — ok\n');
  assert.equal(r.kind, 'prose');
});

test('a few invalid UTF-8 bytes are replaced and counted in a warning', () => {
  const bytes = Buffer.concat([Buffer.from('héllo wörld ✓ '), Buffer.from([0xff, 0xc3]), Buffer.from(' end')]);
  const { text, warnings } = decodeText(bytes);
  assert.equal(text, 'héllo wörld ✓ \ufffd\ufffd end');
  assert.deepEqual(warnings, ['2 invalid UTF-8 bytes replaced with U+FFFD']);
});

test('mostly-invalid UTF-8 falls back to Windows-1252', () => {
  const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x94, 0x20, 0x80, 0x35, 0x0a]); // café “q” €5
  const { text, warnings } = decodeText(bytes);
  assert.equal(text, 'café \u201cq\u201d \u20ac5\n');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /not valid UTF-8 \(4 of 12 bytes\); decoded as Windows-1252/);
});

test('binary content is refused: NUL bytes, control characters, magic numbers', async (t) => {
  assert.equal(looksBinary(Buffer.from('hello\0world')), true);
  assert.equal(looksBinary(Buffer.from([1, 2, 3, 4, 5, 6, 0x41, 0x42])), true);
  assert.equal(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x41])), true);
  assert.equal(looksBinary(Buffer.from([0x1f, 0x8b, 0x08, 0x41, 0x42])), true);
  assert.equal(looksBinary(Buffer.from('\x1b[31mred\x1b[0m log line\n\tindented\f\n')), false);
  assert.equal(looksBinary(new Uint8Array(0)), false);
  const dir = await tempDir(t);
  const bin = Buffer.alloc(4096);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 7) & 0xff;
  await writeFile(join(dir, 'data.ts'), bin);
  assert.deepEqual(await loadText(join(dir, 'data.ts')), { ok: false, kind: 'binary', reason: 'binary file' });
});

test('files over the limit, vanished files, folders and FIFOs are refused with a reason', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'big.md'), 'x'.repeat(5000));
  const big = await loadText(join(dir, 'big.md'), { maxProseBytes: 4096 });
  assert.deepEqual(big, { ok: false, kind: 'too-large', reason: '4.9 KiB is larger than the limit for prose and documents (4 KiB)', bytes: 5000, limit: 4096, setting: 'maxProseBytes' });
  // The code limit does not apply to prose, and the other way round.
  assert.equal((await loadText(join(dir, 'big.md'), { maxFileBytes: 4096 })).ok, true);
  await writeFile(join(dir, 'big.py'), 'x'.repeat(5000));
  assert.equal((await loadText(join(dir, 'big.py'), { maxFileBytes: 4096 })).ok, false);
  const gone = await loadText(join(dir, 'never-there.md'));
  assert.deepEqual(gone, { ok: false, kind: 'unreadable', reason: 'it vanished before it could be read' });
  await mkdir(join(dir, 'folder.md'));
  assert.deepEqual(await loadText(join(dir, 'folder.md')), { ok: false, kind: 'special', reason: 'it is a folder, not a file' });
  if (process.platform !== 'win32') {
    execFileSync('mkfifo', [join(dir, 'pipe.txt')]);
    assert.deepEqual(await loadText(join(dir, 'pipe.txt')), { ok: false, kind: 'special', reason: 'not a regular file' });
  }
});

test('HTML gives its visible text on the source lines', async (t) => {
  const html = [
    '<!doctype html>',
    '<html><head><title>Guide</title>',
    '<style>',
    'body { color: red }',
    '</style></head>',
    '<body>',
    '<h1>Caf&eacute; &amp; Tea</h1>',
    '<!-- a comment',
    'over lines -->',
    '<p>First<br>second &lt;tag&gt; <a href="x>y">link</a></p>',
    '<script>',
    'if (a < b) { alert("</p>") }',
    '</script>',
    '<p>Last&nbsp;line &#x2713; 1 < 2</p>',
    '</body></html>',
  ].join('\r\n');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'page.html'), html);
  const r = await loadText(join(dir, 'page.html'));
  assert.ok(r.ok);
  assert.equal(r.kind, 'html');
  const lines = r.text.split('\n');
  assert.equal(lines.length, 15, 'one text line per source line');
  assert.equal(lines[1], 'Guide');
  assert.equal(lines[3], '', 'style content is not text');
  assert.equal(lines[6], 'Café & Tea');
  assert.equal(lines[9], 'First second <tag> link');
  assert.equal(lines[11], '', 'script content is not text');
  assert.equal(lines[13], 'Last line ✓ 1 < 2');
  assert.deepEqual(r.warnings, []);
});

test('minified HTML breaks at block elements and says line numbers are of the text', () => {
  const html = `<div>${'<p>word word word</p>'.repeat(200)}</div>`;
  const { text, warnings } = htmlToText(html);
  assert.equal(text.split('\n').filter((l) => l === 'word word word').length, 200);
  assert.match(warnings[0]!, /minified HTML/);
});

test('kinds by name: code, prose, html, pdf, unknown', () => {
  assert.equal(kindOfPath('src/a.rs'), 'code');
  assert.equal(kindOfPath('Makefile'), 'code');
  assert.equal(kindOfPath('docs/README'), 'prose');
  assert.equal(kindOfPath('book/ch1.md'), 'prose');
  assert.equal(kindOfPath('site/index.HTM'), 'html');
  assert.equal(kindOfPath('papers/x.pdf'), 'pdf');
  assert.equal(kindOfPath('.gitignore'), 'code');
  assert.equal(kindOfPath('image.png'), undefined);
  assert.equal(kindOfPath('data.parquet'), undefined);
});

test('PDF text is extracted page by page', async (t) => {
  const dir = await tempDir(t);
  const pdf = makePdf([['Hello from Mnemo', 'Recurrent memory (page one)'], ['Second page text']]);
  await writeFile(join(dir, 'paper.pdf'), pdf);
  const r = await loadText(join(dir, 'paper.pdf'));
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.equal(r.kind, 'pdf');
  const pages = r.text.split('\n\f\n');
  assert.equal(pages.length, 2);
  assert.match(pages[0]!, /Hello from Mnemo/);
  assert.match(pages[0]!, /Recurrent memory \(page one\)/);
  assert.match(pages[1]!, /Second page text/);
  assert.deepEqual(r.warnings, []);
});

test('a damaged PDF is refused with a reason, not a crash', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'broken.pdf'), Buffer.from('%PDF-1.4\nthis is not really a pdf\n'));
  const r = await loadText(join(dir, 'broken.pdf'));
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /PDF/);
});

const SYSTEM_PDF = '/usr/share/doc/libtasn1-doc/libtasn1.pdf';
test('a real-world PDF from this machine yields its text', { skip: !existsSync(SYSTEM_PDF) && 'no system PDF here' }, async () => {
  const r = await loadText(SYSTEM_PDF, { maxFileBytes: 50 * 1024 * 1024 });
  assert.ok(r.ok, r.ok ? '' : r.reason);
  assert.match(r.text, /Libtasn1/);
  assert.ok(r.text.split('\f').length > 10, 'many pages');
});

test('site navigation is not text: <nav>, role="navigation" and the navigation classes of generated books', () => {
  const html = [
    '<html><body><div class="navheader"><div>Prev</div><div>Up Home</div></div>',
    '<p>Ian Murdock founded Debian.</p>',
    '<nav><ul><li>Home</li>',
    '<li>Next</li></ul></nav><div role="navigation">Index</div>',
    '<ul class="docnav top"><li class="previous">Prev Chapter 6</li><li>Next</li></ul><p>The end.</p>',
    '</body></html>',
  ].join('\n');
  const lines = htmlToText(html).text.split('\n');
  assert.deepEqual(lines, ['', 'Ian Murdock founded Debian.', '', '', 'The end.', '']);
});
