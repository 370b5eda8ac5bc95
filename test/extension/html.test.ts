import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatHtml, contentSecurityPolicy, makeNonce } from '../../src/extension/html';

test('the CSP allows only our nonce for scripts and our origin for styles', () => {
  assert.equal(
    contentSecurityPolicy('vscode-resource:', 'abc'),
    "default-src 'none'; script-src 'nonce-abc'; style-src vscode-resource:; img-src vscode-resource: data:; font-src vscode-resource:",
  );
});

test('the page has one script, with the nonce, and no inline code or styles', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(nonce, makeNonce());
  const html = chatHtml({ cspSource: 'https://x', nonce, scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/chat.css?a="b"' });
  const scripts = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script nonce="${nonce}" src="https://x/dist/webview.js">`]);
  assert.ok(!/<style/.test(html) && !/ style=/.test(html) && !/ on\w+=/.test(html));
  assert.ok(html.includes('href="https://x/media/chat.css?a=&quot;b&quot;"'));
  assert.ok(html.includes('role="log"') && html.includes('aria-live="polite"'));
});
