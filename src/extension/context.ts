// The one object that owns everything the extension creates: the log, the memories, the
// chat, the hover, the status bar. `activate` builds it; `deactivate` disposes it.

import * as vscode from 'vscode';
import type { Answer, Engine, EngineOptions, Logger, QueryOptions } from '../core/api';
import type { EntryKind } from '../shared/protocol';
import { ChatSession } from './chatSession';
import { ChatViewProvider } from './chatView';
import type { FolderMemory } from './folderMemory';
import { messageOf } from './folderMemory';
import { memorySummary } from './format';
import { MemoryHoverProvider } from './hover';
import { Memories } from './memories';
import { ReadingUi } from './readingUi';
import type { ReadReason } from './readingUi';
import { engineOptions, folderSettings } from './settings';
import { StatusBar } from './statusBar';

export type OpenEngine = (options: EngineOptions) => Promise<Engine>;

export class Ctx {
  readonly log: vscode.LogOutputChannel;
  readonly memories: Memories;
  readonly reading: ReadingUi;
  readonly session: ChatSession;
  readonly chat: ChatViewProvider;
  readonly hover: MemoryHoverProvider;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext, log: vscode.LogOutputChannel, openEngine: OpenEngine) {
    this.log = log;
    const cacheDir = extension.globalStorageUri.fsPath;
    this.reading = new ReadingUi({ showError: (message, error) => this.showError(message, error) });
    this.memories = new Memories(
      {
        log,
        openEngine,
        options: (folder) => engineOptions(folder, extension.extensionUri, cacheDir, folderLogger(log, folder.name)),
        isTrusted: () => vscode.workspace.isTrusted,
      },
      { startRead: (memory, reason) => void this.read(memory, reason) },
    );
    this.session = new ChatSession(extension.workspaceState, (message) => log.error(`answer failed: ${message}`));
    this.chat = new ChatViewProvider(extension.extensionUri, this.session, {
      ask: (id, question) => void this.askIn(this.memories.current() ?? this.memories.all()[0], question, id),
      openCitation: ({ folder, citation }) => void vscode.commands.executeCommand('mnemo.openCitation', { folder, citation }),
      showLogs: () => log.show(),
      memory: () => memorySummary(this.memories.views()),
    }, log);
    this.hover = new MemoryHoverProvider(this.memories, log);
    const statusBar = new StatusBar(this.memories);

    this.push(
      this.memories,
      statusBar,
      this.chat,
      { dispose: () => this.session.dispose() },
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, this.chat),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, this.hover),
      this.memories.onDidChange(() => this.chat.updateMemory()),
    );
  }

  /** Creates the cache folder and starts reading the folders that should be read. */
  async start(): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.extension.globalStorageUri);
    this.memories.start();
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  read(memory: FolderMemory, reason: ReadReason) {
    const promise = this.reading.read(memory, reason);
    void promise.then((result) => { if (result) this.hover.clearCache(); });
    return promise;
  }

  /** Puts a question to a folder's memory; the answer streams into the chat view. */
  async askIn(memory: FolderMemory | undefined, question: string, id?: string): Promise<void> {
    if (!memory) {
      const message = 'Open a folder first: answers come from a workspace folder\'s memory.';
      if (id) await this.session.run({ id, kind: 'ask', prompt: question, folder: '', folderName: '' }, () => Promise.reject(new Error(message)), 0);
      else void vscode.window.showInformationMessage(`Mnemo: ${message}`);
      return;
    }
    await this.answer(memory, 'ask', question, (engine, options) => engine.ask(question, options), id);
  }

  /** Runs an engine query into the chat view, loading the model first if needed. */
  async answer(
    memory: FolderMemory,
    kind: EntryKind,
    prompt: string,
    work: (engine: Engine, options: QueryOptions) => Promise<Answer>,
    id?: string,
  ): Promise<void> {
    void this.chat.reveal(false);
    const { maxAnswerTokens, retrieval } = folderSettings(memory.folder);
    await this.session.run(
      { id, kind, prompt, folder: memory.folder.uri.toString(), folderName: memory.name },
      async (options) => work(await memory.open(), { ...options, retrieval }),
      maxAnswerTokens,
    );
  }

  /** Errors at the UI boundary: logged in full, shown short, with a way to the log. */
  showError(message: string, error?: unknown): void {
    this.log.error(error instanceof Error && error.stack ? `${message}\n${error.stack}` : message);
    void vscode.window.showErrorMessage(message, 'Show Logs').then((choice) => {
      if (choice === 'Show Logs') this.log.show();
    });
  }

  async dispose(): Promise<void> {
    const memories = this.memories;
    for (const d of this.disposables.splice(0).reverse()) {
      if (d === memories) continue;
      try { d.dispose(); } catch (error) { this.log.warn(`dispose: ${messageOf(error)}`); }
    }
    await memories.disposeAsync();
  }
}

/** The core's leveled logger, writing to the Output channel with the folder's name. */
function folderLogger(log: vscode.LogOutputChannel, folderName: string): Logger {
  const tag = (message: string) => `[${folderName}] ${message}`;
  return {
    info: (message) => log.info(tag(message)),
    warn: (message) => log.warn(tag(message)),
    error: (message) => log.error(tag(message)),
    debug: (message) => log.debug(tag(message)),
  };
}
