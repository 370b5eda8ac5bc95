// The status bar item ("$(database) Mnemo 123k/1.2M tok · ETA 2m · cpu") and the context
// keys that enable Pause and Resume. Both follow the memories' change event.

import * as vscode from 'vscode';
import { statusBarContent } from './format';
import type { Memories } from './memories';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mnemo.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;
  private keys = { reading: false, paused: false, ready: false };

  constructor(private readonly memories: Memories) {
    this.item.name = 'Mnemo Memory';
    this.item.command = 'mnemo.showStatus';
    this.subscription = memories.onDidChange(() => this.update());
    this.update();
    this.item.show();
  }

  update(): void {
    const views = this.memories.views();
    const content = statusBarContent(views);
    this.item.text = content.text;
    const tooltip = new vscode.MarkdownString(content.tooltip);
    tooltip.isTrusted = false;
    tooltip.supportHtml = false;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = views.length > 0 && views.every((v) => v.state === 'failed')
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : undefined;
    this.setKeys({
      reading: views.some((v) => v.state === 'reading'),
      paused: views.some((v) => v.state === 'paused'),
      ready: views.some((v) => v.state === 'ready' || v.state === 'reading' || v.state === 'paused'),
    });
  }

  private setKeys(keys: { reading: boolean; paused: boolean; ready: boolean }): void {
    for (const name of ['reading', 'paused', 'ready'] as const) {
      if (this.keys[name] !== keys[name]) void vscode.commands.executeCommand('setContext', `mnemo.${name}`, keys[name]);
    }
    this.keys = keys;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
