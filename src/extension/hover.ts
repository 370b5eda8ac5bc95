// Hovers explained from memory: the word under the cursor goes to `engine.explain`, with the
// hover's cancellation passed on as an AbortSignal. Only an engine that is already open is
// used, so hovering never loads a model; results are cached per document version.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Explanation } from '../core/api';
import type { Memories } from './memories';
import { hoverMarkdown, isHoverableWord } from './hoverText';
import { OPEN_CITATION } from './links';
import { folderSettings } from './settings';

const DEBOUNCE_MS = 250;
const HOVER_MAX_TOKENS = 96;
const CACHE_SIZE = 64;

export class MemoryHoverProvider implements vscode.HoverProvider {
  private readonly cache = new Map<string, Explanation>();

  constructor(private readonly memories: Memories, private readonly log: vscode.LogOutputChannel) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const memory = this.memories.forUri(document.uri);
    if (!memory || !folderSettings(memory.folder).hoverEnabled) return undefined;
    const engine = memory.openEngineOrUndefined();
    if (!engine || (memory.status()?.files ?? 0) === 0) return undefined;
    const range = document.getWordRangeAtPosition(position);
    if (!range) return undefined;
    const symbol = document.getText(range);
    if (!isHoverableWord(symbol)) return undefined;

    const relative = path.relative(memory.folder.uri.fsPath, document.uri.fsPath).split(path.sep).join('/');
    const key = `${document.uri.toString()}@${document.version}:${position.line}:${symbol}`;
    let explanation = this.cache.get(key);
    if (!explanation) {
      if (!(await delay(DEBOUNCE_MS, token))) return undefined;
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      try {
        explanation = await engine.explain(
          { path: relative, line: position.line + 1, character: position.character, symbol },
          { signal: controller.signal, maxTokens: HOVER_MAX_TOKENS },
        );
      } catch (error) {
        if (!controller.signal.aborted) this.log.debug(`hover for ${symbol}: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      } finally {
        subscription.dispose();
      }
      if (token.isCancellationRequested) return undefined;
      this.remember(key, explanation);
    }

    const markdown = hoverMarkdown(memory.folder.uri.toString(), symbol, explanation);
    if (!markdown) return undefined;
    const content = new vscode.MarkdownString(markdown);
    content.isTrusted = { enabledCommands: [OPEN_CITATION] };
    content.supportHtml = false;
    content.supportThemeIcons = false;
    return new vscode.Hover(content, range);
  }

  private remember(key: string, explanation: Explanation): void {
    this.cache.delete(key);
    this.cache.set(key, explanation);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Memory changed under the cache (a read finished, memory forgotten). */
  clearCache(): void {
    this.cache.clear();
  }
}

/** Waits, unless the hover is cancelled first; true if it was not cancelled. */
function delay(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { subscription.dispose(); resolve(!token.isCancellationRequested); }, ms);
    const subscription = token.onCancellationRequested(() => { clearTimeout(timer); subscription.dispose(); resolve(false); });
  });
}
