// Entry point: build one context, register everything, start reading. Commands are
// registered before anything can fail, so each of them exists even when the model does not
// load; if activation itself fails we say so, because VS Code would stay silent.

import * as vscode from 'vscode';
import { openEngineInWorker } from '../core/host/remoteEngine';
import { registerAgents } from './agents';
import { registerCommands } from './commands';
import { Ctx } from './context';
import { messageOf } from './folderMemory';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Mnemo', { log: true });
  context.subscriptions.push(log);
  try {
    // The engine (reading, onnxruntime, answering) runs in a worker thread: the extension host
    // is shared with every other extension and must never wait on the model.
    ctx = new Ctx(context, log, (options) => openEngineInWorker(options));
    ctx.push(...registerCommands(ctx));
    ctx.push(...registerAgents(ctx));
    await ctx.start();
    log.info(`Mnemo ${context.extension.packageJSON.version} activated; memory is saved in ${context.globalStorageUri.fsPath}`);
  } catch (error) {
    log.error(`activation failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    void vscode.window.showErrorMessage(`Mnemo failed to start: ${messageOf(error)}`, 'Show Logs').then((choice) => {
      if (choice) log.show();
    });
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
