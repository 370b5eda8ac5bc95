// How a read is shown: a cancellable progress notification with tokens and ETA. Reads that
// the user did not ask for (on open, catch-up after edits) show it only if they take a
// while, so an up-to-date memory opens without a popup; the status bar shows every read.

import * as vscode from 'vscode';
import type { ReadResult } from '../core/api';
import type { FolderMemory } from './folderMemory';
import { messageOf } from './folderMemory';
import { ProgressIncrements, formatTokens, progressMessage } from './format';

export type ReadReason = 'command' | 'open' | 'trust' | 'settings' | 'catchUp';

const NOTIFY_AFTER_MS: Record<ReadReason, number> = {
  command: 0,
  trust: 0,
  open: 1500,
  settings: 1500,
  catchUp: 8000,
};

export interface ReadingUiEnv {
  showError(message: string, error?: unknown): void;
}

export class ReadingUi {
  /** Folders whose read already has a notification. */
  private readonly notified = new Set<FolderMemory>();

  constructor(private readonly env: ReadingUiEnv) {}

  /** Starts (or joins) a read of the folder and shows it. */
  read(memory: FolderMemory, reason: ReadReason): Promise<ReadResult | undefined> {
    const promise = memory.read();
    if (!memory.isReading) return promise;
    const delay = NOTIFY_AFTER_MS[reason];
    if (delay === 0) this.notify(memory);
    else {
      const timer = setTimeout(() => { if (memory.readPromise === promise) this.notify(memory); }, delay);
      void promise.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
    return promise.then(
      (result) => {
        if (result && !result.cancelled && reason === 'command') {
          void vscode.window.showInformationMessage(
            `Mnemo: ${memory.name} is in memory (${formatTokens(result.tokensTotal)} tokens; ${result.filesRead} files read, ${result.filesReused} unchanged).`,
          );
        }
        return result;
      },
      (error: unknown) => {
        this.env.showError(`Mnemo could not read ${memory.name}: ${messageOf(error)}`, error);
        return undefined;
      },
    );
  }

  /** The notification for a running read; cancelling it stops the read. */
  private notify(memory: FolderMemory): void {
    const running = memory.readPromise;
    if (!running || this.notified.has(memory)) return;
    this.notified.add(memory);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Mnemo: reading ${memory.name}`, cancellable: true },
      async (progress, token) => {
        const increments = new ProgressIncrements();
        const update = () => {
          const p = memory.lastProgress;
          if (!p) return;
          const message = memory.isPaused ? `Paused · ${progressMessage(p)}` : progressMessage(p);
          progress.report({ message, increment: increments.next(p) });
        };
        const subscriptions = [
          memory.onDidChange(update),
          token.onCancellationRequested(() => memory.cancelRead()),
        ];
        update();
        try {
          await running.catch(() => undefined);
        } finally {
          vscode.Disposable.from(...subscriptions).dispose();
          this.notified.delete(memory);
        }
      },
    );
  }
}
