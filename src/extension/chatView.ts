// The chat view (`mnemo.chat`): hosts the webview, checks every message it sends, and
// connects it to the ChatSession. What to do with a question is the owner's business
// (`ChatHandlers`), so this file is only about the webview.

import * as vscode from 'vscode';
import type { FromWebview, MemorySummary, ToWebview } from '../shared/protocol';
import { isFromWebview } from '../shared/protocol';
import type { ChatSession } from './chatSession';
import { chatHtml, makeNonce } from './html';

export interface ChatHandlers {
  ask(id: string, question: string): void;
  openCitation(message: Extract<FromWebview, { type: 'openCitation' }>): void;
  showLogs(): void;
  memory(): MemorySummary;
}

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'mnemo.chat';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** Focus the question box once the page says `ready`. */
  private focusPending = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ChatSession,
    private readonly handlers: ChatHandlers,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    view.webview.html = chatHtml({
      cspSource: view.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css')).toString(),
    });
    const subscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      // Without retainContextWhenHidden the page is rebuilt when shown again and says `ready`.
      view.onDidChangeVisibility(() => { if (!view.visible) this.detach(); }),
      view.onDidDispose(() => {
        this.detach();
        this.view = undefined;
        vscode.Disposable.from(...subscriptions).dispose();
      }),
    ];
  }

  private detach(): void {
    this.ready = false;
    this.session.detach();
  }

  private receive(message: unknown): void {
    if (!isFromWebview(message)) {
      this.log.warn(`chat view: ignored a malformed message: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.session.attach((m) => this.post(m), (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
        this.post({ type: 'memory', memory: this.handlers.memory() });
        if (this.focusPending) { this.focusPending = false; this.post({ type: 'focusInput' }); }
        return;
      case 'ask':
        this.handlers.ask(message.id, message.question.trim());
        return;
      case 'cancel':
        this.session.cancel(message.id);
        return;
      case 'openCitation':
        this.handlers.openCitation(message);
        return;
      case 'copy': {
        const text = this.session.textOf(message.id);
        if (text !== undefined) {
          void vscode.env.clipboard.writeText(text).then(() => vscode.window.setStatusBarMessage('Mnemo: answer copied', 2000));
        }
        return;
      }
      case 'clear':
        this.session.clear();
        return;
      case 'showLogs':
        this.handlers.showLogs();
        return;
    }
  }

  private post(message: ToWebview): void {
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(message);
  }

  /** The memory line above the transcript changed. */
  updateMemory(): void {
    this.post({ type: 'memory', memory: this.handlers.memory() });
  }

  /** Shows the view; `focusInput` puts the cursor in the question box. */
  async reveal(focusInput: boolean): Promise<void> {
    if (this.view) this.view.show(!focusInput);
    else await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    if (focusInput) {
      if (this.ready) this.post({ type: 'focusInput' });
      else this.focusPending = true;
    }
  }

  dispose(): void {
    this.detach();
  }
}
