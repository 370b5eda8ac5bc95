// The memories of all workspace folders: one FolderMemory per folder, kept in step with the
// folders, the settings, workspace trust and file changes on disk.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FolderMemoryEnv } from './folderMemory';
import { FolderMemory } from './folderMemory';
import type { MemoryView } from './format';
import { affectsEngine, folderSettings } from './settings';

export interface MemoriesEvents {
  /** A read that should be shown (on open, after trust, after settings change). */
  startRead(memory: FolderMemory, reason: 'open' | 'trust' | 'settings' | 'catchUp'): void;
}

export class Memories implements vscode.Disposable {
  private readonly byFolder = new Map<string, { memory: FolderMemory; disposables: vscode.Disposable[] }>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Any folder's memory changed (loading, progress, done). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly env: FolderMemoryEnv, private readonly events: MemoriesEvents) {}

  /** Opens memories for the current folders and starts listening. */
  start(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.add(folder, 'open');
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) void this.remove(folder);
        for (const folder of e.added) this.add(folder, 'open');
        this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.env.log.info('workspace trusted: reading is allowed now');
        for (const memory of this.all()) {
          if (folderSettings(memory.folder).readOnOpen) this.events.startRead(memory, 'trust');
        }
        this.changed.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        for (const memory of this.all()) {
          if (affectsEngine(e, memory.folder)) void this.reopen(memory);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.onFileEvent(doc.uri)),
    );
  }

  private add(folder: vscode.WorkspaceFolder, reason: 'open'): void {
    const key = folder.uri.toString();
    if (this.byFolder.has(key)) return;
    if (folder.uri.scheme !== 'file') {
      this.env.log.warn(`[${folder.name}] skipped: Mnemo reads folders on disk, and this one is ${folder.uri.scheme}:`);
      return;
    }
    const memory = new FolderMemory(folder, this.env);
    memory.onCatchUp = () => this.events.startRead(memory, 'catchUp');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
    const disposables: vscode.Disposable[] = [
      memory.onDidChange(() => this.changed.fire()),
      watcher,
      watcher.onDidChange((uri) => this.onFileEvent(uri)),
      watcher.onDidCreate((uri) => this.onFileEvent(uri)),
      watcher.onDidDelete((uri) => this.onFileEvent(uri)),
    ];
    this.byFolder.set(key, { memory, disposables });
    if (folderSettings(folder).readOnOpen && this.env.isTrusted()) this.events.startRead(memory, reason);
  }

  private async remove(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const entry = this.byFolder.get(key);
    if (!entry) return;
    this.byFolder.delete(key);
    vscode.Disposable.from(...entry.disposables).dispose();
    await entry.memory.disposeAsync();
  }

  /** Settings that shape the engine changed: close it, and read again if reading is on. */
  private async reopen(memory: FolderMemory): Promise<void> {
    this.env.log.info(`[${memory.name}] settings changed: reloading`);
    await memory.reset();
    if (folderSettings(memory.folder).readOnOpen && this.env.isTrusted()) this.events.startRead(memory, 'settings');
  }

  /**
   * A save also reaches the watcher; notifying twice is harmless, and the save event covers
   * files the watcher does not see (`files.watcherExclude`).
   */
  private onFileEvent(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const memory = folder && this.byFolder.get(folder.uri.toString())?.memory;
    if (!folder || !memory) return;
    const relative = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/');
    if (relative === '' || relative.startsWith('..') || relative.split('/').includes('.git')) return;
    memory.notifyChanged([relative], folderSettings(folder).readOnChange);
  }

  all(): FolderMemory[] {
    return [...this.byFolder.values()].map((e) => e.memory);
  }

  views(): MemoryView[] {
    return this.all().map((m) => m.view());
  }

  forUri(uri: vscode.Uri): FolderMemory | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.byFolder.get(folder.uri.toString())?.memory : undefined;
  }

  forFolderUri(folder: string): FolderMemory | undefined {
    return this.byFolder.get(folder)?.memory;
  }

  /** The active editor's folder, or the only folder; undefined if there is a choice to make. */
  current(): FolderMemory | undefined {
    const editor = vscode.window.activeTextEditor;
    const fromEditor = editor && this.forUri(editor.document.uri);
    if (fromEditor) return fromEditor;
    const all = this.all();
    return all.length === 1 ? all[0] : undefined;
  }

  /** `current()`, or a quick pick when several folders could be meant. */
  async choose(placeHolder: string): Promise<FolderMemory | undefined> {
    const current = this.current();
    if (current) return current;
    const all = this.all();
    if (all.length === 0) {
      void vscode.window.showInformationMessage('Mnemo: open a folder first; Mnemo reads workspace folders into memory.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      all.map((memory) => ({ label: memory.name, description: memory.folder.uri.fsPath, memory })),
      { placeHolder },
    );
    return picked?.memory;
  }

  async disposeAsync(): Promise<void> {
    vscode.Disposable.from(...this.disposables).dispose();
    const entries = [...this.byFolder.values()];
    this.byFolder.clear();
    for (const entry of entries) vscode.Disposable.from(...entry.disposables).dispose();
    await Promise.all(entries.map((e) => e.memory.disposeAsync()));
  }

  dispose(): void {
    void this.disposeAsync();
  }
}
