// The chat webview's HTML. Pure: no `vscode` import, so the content security policy is
// unit-tested. Scripts run only with the per-load nonce; styles come only from our files.

import { randomBytes } from 'node:crypto';

export interface ChatHtmlOptions {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function chatHtml(o: ChatHtmlOptions): string {
  const attr = escapeAttribute;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>Mnemo</title>
</head>
<body>
<div id="memory" class="memory" role="status"></div>
<main id="transcript" class="transcript" role="log" aria-live="polite" aria-relevant="additions text" aria-label="Answers"></main>
<form id="composer" class="composer">
<label for="question" class="visually-hidden">Ask about this workspace</label>
<textarea id="question" rows="3" placeholder="Ask about this workspace (Enter to send, Shift+Enter for a new line)" aria-label="Ask about this workspace"></textarea>
<div class="actions">
<button type="button" id="clear" class="secondary" aria-label="Clear the conversation">Clear</button>
<button type="submit" id="send" aria-label="Send the question">Send</button>
<button type="button" id="stop" aria-label="Stop the answer" hidden>Stop</button>
</div>
</form>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
