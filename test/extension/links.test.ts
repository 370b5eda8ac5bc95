import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citationCommandUri, citationLink, escapeMarkdown, parseCitationTarget, safeRelativePath } from '../../src/extension/links';

const target = { folder: 'file:///work/app', citation: { path: 'src/a (copy).ts', startLine: 12, endLine: 20 } };

test('escapeMarkdown leaves no live Markdown, HTML, links or icons', () => {
  const escaped = escapeMarkdown('<script>alert(1)</script> [click](command:workbench.action.quit) $(zap) *x* `y` https://e.com');
  assert.ok(!/(^|[^\\])</.test(escaped), 'every < is escaped');
  assert.ok(!escaped.includes('](command:'));
  assert.ok(escaped.includes('\\$\\(zap\\)'));
  assert.ok(escaped.includes('https\\://'), 'no autolink');
  assert.equal(escapeMarkdown('a\nb'), 'a  \nb', 'single line breaks are kept');
  assert.equal(escapeMarkdown('a\n\n\n\nb'), 'a\n\nb');
});

test('citation command URIs carry the target and survive Markdown link syntax', () => {
  const uri = citationCommandUri(target);
  assert.ok(uri.startsWith('command:mnemo.openCitation?'));
  assert.ok(!/[()\s]/.test(uri), 'no characters that end a Markdown link');
  const args = JSON.parse(decodeURIComponent(uri.slice(uri.indexOf('?') + 1)));
  assert.deepEqual(parseCitationTarget(args[0]), target);
  assert.equal(citationLink(target), `[src/a \\(copy\\)\\.ts\\:12\\-20](${uri})`);
});

test('parseCitationTarget refuses malformed and escaping targets', () => {
  assert.equal(parseCitationTarget(undefined), undefined);
  assert.equal(parseCitationTarget({ folder: 'f', citation: { path: 'a', startLine: 0, endLine: 1 } }), undefined);
  assert.equal(parseCitationTarget({ folder: 'f', citation: { path: 'a', startLine: 5, endLine: 4 } }), undefined);
  assert.equal(parseCitationTarget({ folder: 'f', citation: { path: '../etc/passwd', startLine: 1, endLine: 1 } }), undefined);
  assert.deepEqual(parseCitationTarget({ folder: 'f', citation: { path: 'a', startLine: 1, endLine: 1, score: 3 } }),
    { folder: 'f', citation: { path: 'a', startLine: 1, endLine: 1 } });
});

test('safeRelativePath keeps citations inside their folder', () => {
  assert.deepEqual(safeRelativePath('src/core/engine.ts'), ['src', 'core', 'engine.ts']);
  for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', 'C:/x', 'a\\b', './a']) {
    assert.equal(safeRelativePath(bad), undefined, bad);
  }
});
