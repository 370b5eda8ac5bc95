// Runs inside desktop VS Code (started by test/desktop/runTest.run.ts): the extension
// activates, the Read command reads the fixture workspace, and memory is saved to disk.
// test-electron calls `run`; a rejected promise fails the test.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const extension = vscode.extensions.getExtension(id);
  assert.ok(extension, `extension ${id} is not loaded`);
  await extension.activate();
  assert.ok(extension.isActive, `extension ${id} did not activate`);

  const commands = await vscode.commands.getCommands(true);
  for (const command of ['mnemo.readWorkspace', 'mnemo.ask', 'mnemo.summarizeFile', 'mnemo.showStatus']) {
    assert.ok(commands.includes(command), `command ${command} is not registered`);
  }

  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  await vscode.commands.executeCommand('mnemo.readWorkspace');

  // The memory is saved under the extension's global storage in the test's user data folder.
  const storage = join(process.env.MNEMO_TEST_USER_DATA ?? '', 'User', 'globalStorage', id);
  assert.ok(existsSync(storage) && readdirSync(storage).length > 0, `no memory was saved under ${storage} after reading`);
  console.log(`desktop suite: read ${folder.uri.fsPath}; memory saved under ${storage}`);
}

