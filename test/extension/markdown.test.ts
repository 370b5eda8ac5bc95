import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlineText, parseInline, parseMarkdown } from '../../src/shared/markdown';

test('HTML in an answer stays text', () => {
  const blocks = parseMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">');
  assert.deepEqual(blocks, [
    { kind: 'paragraph', inlines: [{ kind: 'text', text: '<script>alert(1)</script>' }] },
    { kind: 'paragraph', inlines: [{ kind: 'text', text: '<img src=x onerror="alert(2)">' }] },
  ]);
});

test('blocks: headings, lists, quotes, fenced code (closed or still streaming)', () => {
  const blocks = parseMarkdown('# Title\n\nSome text\ncontinues.\n\n- one\n- two\n  wrapped\n\n1. first\n2) second\n\n> quoted\n\n```ts\nconst a = 1;\n```\n\n```\nopen');
  assert.deepEqual(blocks.map((b) => b.kind), ['heading', 'paragraph', 'list', 'list', 'quote', 'code', 'code']);
  assert.deepEqual(blocks[1], { kind: 'paragraph', inlines: [{ kind: 'text', text: 'Some text continues.' }] });
  const bullets = blocks[2];
  assert.ok(bullets.kind === 'list' && !bullets.ordered && bullets.items.length === 2);
  assert.equal(inlineText(bullets.items[1]), 'two wrapped');
  assert.ok(blocks[3].kind === 'list' && blocks[3].ordered);
  assert.deepEqual(blocks[5], { kind: 'code', language: 'ts', text: 'const a = 1;' });
  assert.deepEqual(blocks[6], { kind: 'code', language: '', text: 'open' });
});

test('inline code, bold, italics; snake_case is not emphasis', () => {
  assert.deepEqual(parseInline('call `read(<b>)` **now** and *then*'), [
    { kind: 'text', text: 'call ' },
    { kind: 'code', text: 'read(<b>)' },
    { kind: 'text', text: ' ' },
    { kind: 'strong', children: [{ kind: 'text', text: 'now' }] },
    { kind: 'text', text: ' and ' },
    { kind: 'em', children: [{ kind: 'text', text: 'then' }] },
  ]);
  assert.deepEqual(parseInline('max_file_bytes and 2 * 3 * 4'), [{ kind: 'text', text: 'max_file_bytes and 2 * 3 * 4' }]);
  assert.deepEqual(parseInline('unclosed `code and **bold'), [{ kind: 'text', text: 'unclosed `code and **bold' }]);
  assert.deepEqual(parseInline('\\*not em\\*'), [{ kind: 'text', text: '*not em*' }]);
});
