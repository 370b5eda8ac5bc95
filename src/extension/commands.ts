// Every `mnemo.*` command. They are registered before the model loads and work (or say
// clearly why they cannot) whatever state the engine is in.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from './context';
import type { FolderMemory } from './folderMemory';
import { describe, formatTokens, skipHints, userMessage } from './format';
import { OPEN_CITATION, parseCitationTarget, safeRelativePath } from './links';

/** Longest selection sent for a summary; the model reads segments, not whole books. */
const MAX_SELECTION_CHARS = 32_000;

type Handler = (...args: unknown[]) => unknown;

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  const commands: Record<string, Handler> = {
    'mnemo.readWorkspace': () => readWorkspace(ctx),
    'mnemo.ask': (question) => ask(ctx, typeof question === 'string' ? question : undefined),
    'mnemo.summarizeWorkspace': () => summarizeWorkspace(ctx),
    'mnemo.summarizeFile': (uri) => summarizeFile(ctx, uri instanceof vscode.Uri ? uri : undefined),
    'mnemo.summarizeSelection': () => summarizeSelection(ctx),
    'mnemo.pauseReading': () => forReading(ctx, (m) => m.pause(), 'Nothing is being read.'),
    'mnemo.resumeReading': () => forReading(ctx, (m) => m.resume(), 'Nothing is paused.'),
    'mnemo.forgetMemory': () => forget(ctx),
    'mnemo.showStatus': () => showStatus(ctx),
    'mnemo.showLogs': () => ctx.log.show(),
    'mnemo.focusChat': () => ctx.chat.reveal(true),
    'mnemo.clearChat': () => ctx.session.clear(),
    [OPEN_CITATION]: (target) => openCitation(ctx, target),
  };
  return Object.entries(commands).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        ctx.showError(`Mnemo: ${userMessage(error)}`, error);
        return undefined;
      }
    }),
  );
}

async function readWorkspace(ctx: Ctx): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const choice = await vscode.window.showWarningMessage(
      'Mnemo reads a workspace only after you trust it. Answers from memory saved earlier still work.',
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const memories = ctx.memories.all();
  if (memories.length === 0) {
    void vscode.window.showInformationMessage('Mnemo: open a folder first; Mnemo reads workspace folders into memory.');
    return;
  }
  await Promise.all(memories.map((memory) => {
    memory.retryOpen();
    return ctx.read(memory, 'command');
  }));
}

async function ask(ctx: Ctx, given: string | undefined): Promise<void> {
  const memory = await ctx.memories.choose('Which folder should answer?');
  if (!memory) return;
  const question = given ?? await vscode.window.showInputBox({
    title: 'Ask Mnemo',
    prompt: `Ask about ${memory.name}; the answer appears in the Mnemo chat with citations.`,
    placeHolder: 'Where is the memory saved after reading?',
    ignoreFocusOut: true,
    validateInput: (value) => (value.length > 4000 ? 'Keep the question under 4,000 characters.' : undefined),
  });
  if (!question?.trim()) return;
  await ctx.askIn(memory, question.trim());
}

async function summarizeWorkspace(ctx: Ctx): Promise<void> {
  const memory = await ctx.memories.choose('Which folder should be summarised?');
  if (!memory) return;
  let document: string | undefined;
  await ctx.answer(memory, 'summary', `Summary of ${memory.name}`, async (engine, options) => {
    const answer = await engine.summarize({ kind: 'workspace' }, options);
    document = answer.document;
    return answer;
  });
  if (document) void offerDocument(memory.name, document);
}

/** Offers the workspace map as an untitled Markdown document the user can keep (save it in the folder for its links to open). */
async function offerDocument(name: string, content: string): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`Mnemo: the map of ${name} is in the chat.`, 'Open as Document');
  if (choice !== 'Open as Document') return;
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(document, { preview: false });
}

async function summarizeFile(ctx: Ctx, given: vscode.Uri | undefined): Promise<void> {
  const uri = given ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showInformationMessage('Mnemo: open a file (or pick one in the Explorer) to summarise it.');
    return;
  }
  const located = locate(ctx, uri);
  if (!located) return;
  const { memory, relative } = located;
  const isFolder = given ? (await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory : 0;
  if (relative === '') {
    await summarizeWorkspace(ctx);
    return;
  }
  await ctx.answer(memory, 'summary', `Summary of ${relative}`, (engine, options) =>
    engine.summarize(isFolder ? { kind: 'folder', path: relative } : { kind: 'file', path: relative }, options));
}

async function summarizeSelection(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage('Mnemo: select some text to summarise.');
    return;
  }
  const located = locate(ctx, editor.document.uri);
  if (!located) return;
  const { memory, relative } = located;
  const selection = editor.selection;
  const startLine = selection.start.line + 1;
  // A selection that ends at column 0 does not include that line.
  const endLine = Math.max(startLine, selection.end.character === 0 ? selection.end.line : selection.end.line + 1);
  const text = editor.document.getText(selection).slice(0, MAX_SELECTION_CHARS);
  const lines = endLine > startLine ? `${startLine}-${endLine}` : `${startLine}`;
  await ctx.answer(memory, 'summary', `Summary of ${relative}:${lines}`, (engine, options) =>
    engine.summarize({ kind: 'selection', path: relative, startLine, endLine, text }, options));
}

/** The folder memory and folder-relative path of a file, or a message saying why not. */
function locate(ctx: Ctx, uri: vscode.Uri): { memory: FolderMemory; relative: string } | undefined {
  const memory = ctx.memories.forUri(uri);
  if (!memory || uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('Mnemo: this file is not inside a workspace folder, so it is not in memory.');
    return undefined;
  }
  const relative = path.relative(memory.folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
  return { memory, relative };
}

function forReading(ctx: Ctx, action: (memory: FolderMemory) => void, nothing: string): void {
  const reading = ctx.memories.all().filter((m) => m.isReading);
  if (reading.length === 0) {
    void vscode.window.showInformationMessage(`Mnemo: ${nothing}`);
    return;
  }
  reading.forEach(action);
}

async function forget(ctx: Ctx): Promise<void> {
  const memory = await ctx.memories.choose('Which folder\'s memory should be forgotten?');
  if (!memory) return;
  const choice = await vscode.window.showWarningMessage(
    `Forget everything Mnemo has read from ${memory.name}?`,
    { modal: true, detail: 'The saved memory is deleted from disk. Reading the workspace again builds it anew; your files are not touched.' },
    'Forget',
  );
  if (choice !== 'Forget') return;
  await memory.forget();
  ctx.hover.clearCache();
  void vscode.window.showInformationMessage(`Mnemo: the memory of ${memory.name} is forgotten.`);
}

async function showStatus(ctx: Ctx): Promise<void> {
  type Item = vscode.QuickPickItem & { run?: () => unknown };
  const now = Date.now();
  const memories = ctx.memories.all();
  const items: Item[] = [];
  for (const memory of memories) {
    const view = memory.view();
    const status = memory.status();
    const details: string[] = [];
    if (status) {
      details.push(`model ${status.modelId} ${status.modelVersion}`, `device ${view.device ?? status.device}`, `${status.segments} segments`);
      details.push(`cache ${status.cachePath}`);
      details.push(...skipHints(status.skipped));
    }
    items.push({
      label: `$(database) ${memory.name}`,
      description: view.state === 'ready' && view.tokens > 0 ? `${formatTokens(view.tokens)} tokens · ${view.files} files` : undefined,
      detail: [describe(view, now), ...details].join(' · '),
      run: status ? () => vscode.env.clipboard.writeText(status.cachePath) : undefined,
    });
  }
  if (memories.length === 0) items.push({ label: 'No workspace folder is open.' });
  const anyReading = memories.some((m) => m.isReading && !m.isPaused);
  const anyPaused = memories.some((m) => m.isPaused);
  items.push({ label: 'Actions', kind: vscode.QuickPickItemKind.Separator });
  if (!anyReading && !anyPaused) items.push({ label: '$(sync) Read Workspace into Memory', run: () => vscode.commands.executeCommand('mnemo.readWorkspace') });
  if (anyReading) items.push({ label: '$(debug-pause) Pause Reading', run: () => vscode.commands.executeCommand('mnemo.pauseReading') });
  if (anyPaused) items.push({ label: '$(debug-continue) Resume Reading', run: () => vscode.commands.executeCommand('mnemo.resumeReading') });
  items.push(
    { label: '$(comment-discussion) Ask…', run: () => vscode.commands.executeCommand('mnemo.ask') },
    { label: '$(output) Show Logs', run: () => ctx.log.show() },
    { label: '$(trash) Forget This Workspace\'s Memory', run: () => vscode.commands.executeCommand('mnemo.forgetMemory') },
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Mnemo Memory Status',
    placeHolder: 'Pick a folder to copy its cache path, or an action',
    matchOnDetail: true,
  });
  await picked?.run?.();
}

async function openCitation(ctx: Ctx, value: unknown): Promise<void> {
  const target = parseCitationTarget(value);
  if (!target) {
    ctx.log.warn(`openCitation: ignored a malformed target: ${JSON.stringify(value)?.slice(0, 200)}`);
    return;
  }
  // Only folders of this window, and only paths inside them.
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === target.folder);
  const segments = safeRelativePath(target.citation.path);
  if (!folder || !segments) {
    void vscode.window.showWarningMessage(`Mnemo: ${target.citation.path} is not in an open workspace folder.`);
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, ...segments);
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(uri);
  } catch {
    // Not text (a PDF, say): let VS Code open it with whatever editor it has.
    await vscode.commands.executeCommand('vscode.open', uri);
    return;
  }
  const last = Math.max(0, document.lineCount - 1);
  const start = Math.min(target.citation.startLine - 1, last);
  const end = Math.min(target.citation.endLine - 1, last);
  const range = new vscode.Range(start, 0, end, document.lineAt(end).range.end.character);
  const editor = await vscode.window.showTextDocument(document, { selection: range, preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
