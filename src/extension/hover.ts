// Hovers explained from memory: the word under the cursor goes to `engine.explain` (the parsed
// structure of the whole workspace, else the model), with the hover's cancellation passed on as
// an AbortSignal; a language server that answers within 150 ms supplies the definition and uses.
// Only an engine that is already open is used, so hovering never loads a model; results are
// cached per document version.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Citation, Explanation } from '../core/api';
import type { Memories } from './memories';
import { hoverMarkdown, isHoverableWord } from './hoverText';
import { OPEN_CITATION } from './links';
import { folderSettings } from './settings';

const DEBOUNCE_MS = 250;
const HOVER_MAX_TOKENS = 96;
const CACHE_SIZE = 64;
/** How long a language server may take to say where a symbol is defined and used before Mnemo's own structure answers. */
const LANGUAGE_SERVER_MS = 150;

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
        // The language server (when one answers quickly) knows definitions precisely; Mnemo's
        // structure of the whole workspace answers otherwise. Both are asked at once.
        const [fromEngine, fromServer] = await Promise.all([
          engine.explain(
            { path: relative, line: position.line + 1, character: position.character, symbol },
            { signal: controller.signal, maxTokens: HOVER_MAX_TOKENS },
          ),
          languageServerPlaces(document.uri, position, memory.folder.uri, LANGUAGE_SERVER_MS),
        ]);
        explanation = fromServer ? {
          ...fromEngine,
          definition: fromServer.definition ?? fromEngine.definition,
          uses: fromServer.uses.length > 0 ? fromServer.uses : fromEngine.uses,
        } : fromEngine;
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

/**
 * Where VS Code's definition and reference providers (language servers) place the symbol, as
 * citations inside `folder`; undefined when none answers within `ms` or none is installed.
 * Uses are grouped by file, the files with the most references first, one citation each.
 */
async function languageServerPlaces(uri: vscode.Uri, position: vscode.Position, folder: vscode.Uri, ms: number): Promise<{ definition?: Citation; uses: Citation[] } | undefined> {
  const within = <T>(p: Thenable<T>): Promise<T | undefined> =>
    Promise.race([Promise.resolve(p).catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
  const [definitions, references] = await Promise.all([
    within(vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, position)),
    within(vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', uri, position)),
  ]);
  const cite = (target: vscode.Uri, range: vscode.Range): Citation | undefined => {
    const rel = path.relative(folder.fsPath, target.fsPath);
    if (target.scheme !== 'file' || rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return { path: rel.split(path.sep).join('/'), startLine: range.start.line + 1, endLine: range.end.line + 1, score: 1, sources: [] };
  };
  const first = definitions?.[0];
  const definition = first ? ('targetUri' in first ? cite(first.targetUri, first.targetRange) : cite(first.uri, first.range)) : undefined;
  const byFile = new Map<string, Citation[]>();
  for (const r of references ?? []) {
    const c = cite(r.uri, r.range);
    if (!c || (definition && c.path === definition.path && c.startLine >= definition.startLine && c.startLine <= definition.endLine)) continue;
    byFile.set(c.path, [...(byFile.get(c.path) ?? []), c]);
  }
  const uses = [...byFile.values()].sort((a, b) => b.length - a.length).map((list) => list[0]!);
  return definition || uses.length > 0 ? { definition, uses } : undefined;
}

/** Waits, unless the hover is cancelled first; true if it was not cancelled. */
function delay(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { subscription.dispose(); resolve(!token.isCancellationRequested); }, ms);
    const subscription = token.onCancellationRequested(() => { clearTimeout(timer); subscription.dispose(); resolve(false); });
  });
}
