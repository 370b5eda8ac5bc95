import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandBraces, filesExcludePatterns, stringList, toGitignore } from '../../src/extension/globs';

test('files.exclude: true keys only, braces expanded, top-level globs anchored', () => {
  const patterns = filesExcludePatterns({
    '**/.git': true,
    '**/.DS_Store': true,
    '**/{node_modules,out}': true,
    'build': true,
    'docs/*.tmp': true,
    '**/*.js': { when: '$(basename).ts' },
    '**/.svn': false,
  });
  assert.deepEqual(patterns, ['**/.git', '**/.DS_Store', '**/node_modules', '**/out', '/build', 'docs/*.tmp']);
  assert.deepEqual(filesExcludePatterns(undefined), []);
});

test('brace expansion, nested and unbalanced', () => {
  assert.deepEqual(expandBraces('*.{js,ts}'), ['*.js', '*.ts']);
  assert.deepEqual(expandBraces('{a,b{c,d}}/x'), ['a/x', 'bc/x', 'bd/x']);
  assert.deepEqual(expandBraces('a{b'), ['a{b']);
  assert.equal(toGitignore('**'), undefined);
});

test('stringList keeps non-blank strings', () => {
  assert.deepEqual(stringList([' a ', '', 3, 'b']), ['a', 'b']);
  assert.deepEqual(stringList('a'), []);
});
