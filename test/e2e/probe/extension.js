// Test-only extension for the end-to-end suite (test/e2e/codeServer.run.ts packages it with vsce
// and installs it beside Mnemo; .vscodeignore and scripts/package.mjs keep it out of Mnemo's VSIX).
//
// Only the extension host can call `vscode.lm.invokeTool`, so this probe does what another
// extension or a chat does with Mnemo's language-model tools: it finds them in `vscode.lm.tools`
// and invokes them with a real input and a CancellationToken. The suite writes the calls to make
// to calls.json in this extension's global storage, runs the command "Mnemo Probe: Invoke Mnemo's
// Language-Model Tools" from the palette, and reads results.json from the same folder. The probe
// decides nothing about right answers: the suite checks them.
//
// calls.json:   { "readyTimeoutSeconds": 300,
//                 "calls": [{ "id": "...", "tool": "mnemo_search", "input": {...}, "cancelAfterMs": 0 }] }
// results.json: { "ok": true, "tools": [...], "chatModels": ["vendor/id"], "ready": {...}, "results": [...] }
//               or { "ok": false, "error": "..." } when the probe itself could not run.
'use strict';

const vscode = require('vscode');
const fs = require('node:fs/promises');
const path = require('node:path');

const MNEMO = 'mnemo.mnemo';
const TOOLS = ['mnemo_search', 'mnemo_summary'];

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('mnemoProbe.invokeTools', () => run(context.globalStorageUri.fsPath)));
}

async function run(dir) {
  const out = path.join(dir, 'results.json');
  let report;
  try {
    const request = JSON.parse(await fs.readFile(path.join(dir, 'calls.json'), 'utf8'));
    report = await invokeAll(request);
  } catch (error) {
    report = { ok: false, error: error instanceof Error ? error.stack || error.message : String(error) };
  }
  // Written whole and then renamed, so the suite never reads half a file.
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(`${out}.tmp`, JSON.stringify(report, null, 2));
  await fs.rename(`${out}.tmp`, out);
}

async function invokeAll(request) {
  const mnemo = vscode.extensions.getExtension(MNEMO);
  if (!mnemo) throw new Error(`${MNEMO} is not installed`);
  await mnemo.activate();
  const tools = await waitForTools(60_000);
  const ready = await waitForMemory(request.readyTimeoutSeconds * 1000 || 300_000);
  const results = [];
  for (const call of request.calls) results.push(await invoke(call));
  // What a chat participant could write with here (none is expected in code-server).
  const chatModels = (await vscode.lm.selectChatModels()).map((m) => `${m.vendor}/${m.id}`);
  return { ok: true, vscodeVersion: vscode.version, tools, ready, chatModels, results };
}

/** Mnemo's tools as `vscode.lm.tools` lists them, once both are there (the list fills in after activation). */
async function waitForTools(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = vscode.lm.tools.filter((t) => TOOLS.includes(t.name));
    if (found.length === TOOLS.length || Date.now() > deadline) {
      return found.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema, tags: t.tags }));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Every tool result begins with how much of the folder Mnemo has read ("Memory of this folder:
 * 5 files, … tokens read (all of it)."), followed by a line while reading goes on. Waits, through
 * the tool itself, until the whole folder is read and no read is running.
 */
async function waitForMemory(timeoutMs) {
  const started = Date.now();
  let first = '';
  while (Date.now() - started < timeoutMs) {
    const r = await invoke({ id: 'ready', tool: 'mnemo_search', input: { question: 'ready', max_passages: 1 } });
    const lines = (r.text[0] || r.error?.message || '').split('\n');
    first = lines.slice(0, 2).join(' / ');
    if (r.ok && /\(all of it\)\.$/.test(lines[0]) && !/^(Mnemo is|Reading of)/.test(lines[1] || '')) {
      return { seconds: (Date.now() - started) / 1000, line: lines[0] };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`Mnemo's memory was not complete after ${timeoutMs / 1000}s; the search tool last said: ${first}`);
}

/** One `vscode.lm.invokeTool` with a token of its own, cancelled `cancelAfterMs` after the call when given. */
async function invoke(call) {
  const source = new vscode.CancellationTokenSource();
  const timer = typeof call.cancelAfterMs === 'number' ? setTimeout(() => source.cancel(), call.cancelAfterMs) : undefined;
  const started = Date.now();
  try {
    const result = await vscode.lm.invokeTool(call.tool, { input: call.input, toolInvocationToken: undefined }, source.token);
    const text = result.content.filter((p) => p instanceof vscode.LanguageModelTextPart).map((p) => p.value);
    const other = result.content.filter((p) => !(p instanceof vscode.LanguageModelTextPart)).map((p) => (p && p.constructor ? p.constructor.name : typeof p));
    return { id: call.id, tool: call.tool, ok: true, seconds: (Date.now() - started) / 1000, text, other };
  } catch (error) {
    const e = error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) };
    return { id: call.id, tool: call.tool, ok: false, seconds: (Date.now() - started) / 1000, text: [], other: [], error: e };
  } finally {
    clearTimeout(timer);
    source.dispose();
  }
}

function deactivate() {}

module.exports = { activate, deactivate };
