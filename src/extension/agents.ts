// Mnemo's memory for the AI tools in VS Code: the language-model tools, the `@mnemo` chat
// participant and the MCP server definitions. Each lives in its own file; this one connects
// them to the folder memories and settings.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/api';
import { SEARCH_TOOL, SUMMARY_TOOL } from '../core/tools/descriptions';
import { SearchTool, SummaryTool, type AgentFolder } from './agentTools';
import { createChatHandler, followups, PARTICIPANT_ID, type EditorPlace, type MnemoChatResult } from './chatParticipant';
import type { Ctx } from './context';
import type { FolderMemory } from './folderMemory';
import { registerMcpProvider } from './mcpProvider';
import { engineOptions, folderSettings } from './settings';

const silent: Logger = { info() {}, warn() {}, error() {}, debug() {} };

export function registerAgents(ctx: Ctx): vscode.Disposable[] {
  const { extension, log } = ctx;
  const cacheDir = extension.globalStorageUri.fsPath;
  const options = (memory: FolderMemory) => engineOptions(memory.folder, extension.extensionUri, cacheDir, silent);

  const agentFolder = (memory: FolderMemory): AgentFolder => {
    const o = options(memory);
    return {
      name: memory.name, root: memory.folder.uri.fsPath,
      engine: () => memory.open(), loadedEngine: () => memory.openEngineOrUndefined(),
      include: o.include, exclude: o.exclude, maxFileBytes: o.maxFileBytes,
    };
  };
  const pick = (): AgentFolder | undefined => {
    const memory = ctx.memories.current() ?? ctx.memories.all()[0];
    return memory && agentFolder(memory);
  };

  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, createChatHandler(vscode, {
    pick,
    useLanguageModel: (folder) => folderSettings(vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === folder.root)).useLanguageModel,
    chatModel: async (request) => request.model ?? (await vscode.lm.selectChatModels())[0],
    editor: (folder) => editorPlace(folder),
    log: (message) => log.warn(message),
  }));
  participant.iconPath = vscode.Uri.joinPath(extension.extensionUri, 'media', 'icon.png');
  participant.followupProvider = { provideFollowups: (result) => followups(result as MnemoChatResult) };

  const mcpChanged = new vscode.EventEmitter<void>();
  const disposables: vscode.Disposable[] = [
    vscode.lm.registerTool(SEARCH_TOOL, new SearchTool(vscode, pick)),
    vscode.lm.registerTool(SUMMARY_TOOL, new SummaryTool(vscode, pick)),
    participant,
    mcpChanged,
    vscode.workspace.onDidChangeWorkspaceFolders(() => mcpChanged.fire()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => mcpChanged.fire()),
    vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('mnemo') || e.affectsConfiguration('files.exclude')) mcpChanged.fire(); }),
  ];
  const mcp = registerMcpProvider({
    extensionUri: extension.extensionUri,
    version: String(extension.extension.packageJSON.version ?? '0.0.0'),
    folders: () => ctx.memories.all().map((memory) => ({ name: memory.name, options: options(memory) })),
    isTrusted: () => vscode.workspace.isTrusted,
    onDidChange: mcpChanged.event,
  }, log);
  if (mcp) disposables.push(mcp);
  return disposables;
}

/** The active editor's place in `folder`: cursor line and the selected text or word under it. */
function editorPlace(folder: AgentFolder): EditorPlace | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') return undefined;
  const relative = path.relative(folder.root, editor.document.uri.fsPath);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const at = editor.selection.active;
  const range = editor.selection.isEmpty ? editor.document.getWordRangeAtPosition(at) : editor.selection;
  const word = range ? editor.document.getText(range).trim() : undefined;
  return { path: relative.split(path.sep).join('/'), line: at.line + 1, character: at.character, word: word || undefined };
}
