// End-to-end: the packaged extension in a real VS Code (code-server 4.100.3) in a real browser
// (Debian's chromium driven by playwright-core), checked the way a user would see it.
//
//   npm run test:e2e                      # builds, packages, installs, runs every step
//   MNEMO_E2E_VSIX=build/x.vsix ...       # use this VSIX instead of packaging one
//   MNEMO_E2E_TIMEOUT_SCALE=2 ...         # slower machine: every wait twice as long
//
// Needs scripts/code-server.sh (run here; instant once installed) and models/mnemo-m2.
// Also packages test/e2e/probe, a test-only extension installed beside Mnemo that calls Mnemo's
// language-model tools through `vscode.lm.invokeTool` (only an extension host can).
// Writes a screenshot per step, code-server's log and the extension's log to test-results/e2e/.
// Prints "e2e: N passed, M failed" last and exits 1 if any step failed.

/* eslint-disable @typescript-eslint/no-explicit-any */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Dialog, type Frame, type Locator, type Page } from 'playwright-core';
import { PROBE_COMMAND, packageProbe, readReport, toolPassages, writeCalls, type ProbeCall, type ProbeResult, type ToolPassage } from './probe';
import { ensureCodeServer, installExtensions, startCodeServer, type CodeServer } from './server';
import { Workbench, exactly, initScript } from './workbench';

const REPO = join(__dirname, '../../..');
const RESULTS = join(REPO, 'test-results/e2e');
const FIXTURE = join(REPO, 'test/fixtures/e2e-workspace');
const CHROMIUM = process.env.MNEMO_E2E_CHROMIUM ?? '/usr/bin/chromium';
const SCALE = Number(process.env.MNEMO_E2E_TIMEOUT_SCALE ?? '1') || 1;
const PAYLOAD = '<img src=x onerror=alert(1)><script>window.__pwned=1</script>';

/** What the status bar item shows while reading and once done (src/extension/format.ts). */
const STATUS_READING = /Mnemo.*\d[\d.]*[kMB]?\/[1-9][\d.]*[kMB]? tok/;
const STATUS_DONE = /Mnemo\s*✓/;
/** A citation's label in the chat: "src/a.ts:12" or "src/a.ts:12-20" (src/shared/chat.ts). */
const CITATION_LABEL = /^\s*([\w.@/-]+\.\w+):(\d+)(?:-(\d+))?\s*$/;

interface StepResult { name: string; ok: boolean; seconds: number; error?: string; skipped?: boolean }

async function main(): Promise<number> {
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const results: StepResult[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'mnemo-e2e-'));
  const workspace = join(scratch, 'workspace');
  cpSync(FIXTURE, workspace, { recursive: true });

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let wb: Workbench | undefined;
  const dialogs: string[] = [];
  let stepNumber = 0;
  let aborted: string | undefined;

  /** Runs one check; a failure is recorded with a screenshot. `critical` ones stop the run. */
  async function step(name: string, run: () => Promise<void>, critical = false): Promise<void> {
    const label = `${String(++stepNumber).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    if (aborted) {
      results.push({ name, ok: false, seconds: 0, skipped: true, error: `not run: "${aborted}" failed` });
      console.log(`e2e: SKIP ${name}`);
      return;
    }
    console.log(`e2e: ... ${name}`);
    const started = Date.now();
    const dialogsBefore = dialogs.length;
    let error: string | undefined;
    try {
      await run();
      if (wb) {
        // Every step ends by looking for a script that ran, in every frame of the window.
        const ran = await wb.framesWhereScriptsRan();
        const opened = dialogs.slice(dialogsBefore).map((d) => `dialog "${d}"`);
        if (ran.length || opened.length) throw new Error(`a script from workspace content ran: ${[...ran, ...opened].join('; ')}`);
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const seconds = (Date.now() - started) / 1000;
    if (page) await page.screenshot({ path: join(RESULTS, `${label}${error ? '-FAILED' : ''}.png`) }).catch(() => undefined);
    results.push({ name, ok: !error, seconds, error });
    console.log(`e2e: ${error ? 'FAIL' : 'ok  '} ${name} (${seconds.toFixed(1)}s)${error ? `\n      ${error.replace(/\n/g, '\n      ')}` : ''}`);
    if (error && critical) aborted = name;
  }

  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const label = (command: string) => commandLabel(manifest, command);

  try {
    let entry = '';
    let vsix = '';
    let probeVsix = '';
    await step('set up: code-server and the VSIX', async () => {
      entry = ensureCodeServer(REPO);
      vsix = process.env.MNEMO_E2E_VSIX ?? packageVsix();
      probeVsix = packageProbe(REPO, scratch);
      if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}; run scripts/code-server.sh (it installs chromium)`);
    }, true);

    await step('install the VSIX (and the test probe) with code-server --install-extension', async () => {
      const dirs = installExtensions(entry, { repo: REPO, scratch, logFile: join(RESULTS, 'code-server.log') }, [vsix, probeVsix]);
      server = await startCodeServer(entry, { repo: REPO, scratch, logFile: join(RESULTS, 'code-server.log') }, dirs);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript(initScript);
      page = await context.newPage();
      page.on('dialog', (dialog: Dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
      wb = new Workbench(page, SCALE);
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await wb.waitReady();
    }, true);

    await step('control: the harness notices a script that runs', async () => {
      // The same payload, deliberately run in a scratch page: if this is not caught, the
      // "never runs" checks below would prove nothing.
      const control = await context!.newPage();
      let dialogEvents = 0;
      control.on('dialog', (dialog: Dialog) => { dialogEvents++; void dialog.dismiss(); });
      await control.goto('data:text/html,<div id="x"></div>');
      await control.evaluate((payload) => {
        const w = globalThis as any;
        w.document.getElementById('x').innerHTML = payload;
        w.__pwned = 1;
      }, PAYLOAD);
      await control.waitForFunction(() => ((globalThis as any).__mnemoE2eDialogs ?? 0) > 0, undefined, { timeout: 10_000 });
      const caught = await new Workbench(control, SCALE).framesWhereScriptsRan();
      await control.close();
      if (dialogEvents === 0 || caught.length === 0) throw new Error(`the harness missed it: ${dialogEvents} dialog events, frames flagged: ${caught.length}`);
    }, true);

    await step('reading starts; the status bar shows progress, then completion', async () => {
      const w = wb!;
      // Reading starts by itself when a folder opens; if not, the user runs the Read command.
      let seen = await waitForStatus(w, (t) => STATUS_READING.test(t) || STATUS_DONE.test(t), w.ms(90)).catch(() => undefined);
      if (!seen) {
        await w.runCommand(label('mnemo.readWorkspace'));
        seen = await waitForStatus(w, (t) => STATUS_READING.test(t) || STATUS_DONE.test(t), w.ms(90));
      }
      await waitForStatus(w, (t) => STATUS_DONE.test(t), w.ms(900));
      const history = (await w.statusHistory()).map((h) => h.text);
      const firstProgress = history.findIndex((t) => STATUS_READING.test(t));
      const firstDone = history.findIndex((t) => STATUS_DONE.test(t));
      if (firstProgress < 0 || firstProgress > firstDone) {
        throw new Error(`the status bar never showed reading progress before completion; it showed: ${history.join(' → ')}`);
      }
      console.log(`      status bar: ${history.join(' → ')}`);
    }, true);

    await step("another extension calls Mnemo's tools through vscode.lm.invokeTool and gets the right passages", async () => {
      const w = wb!;
      const calls: ProbeCall[] = [
        // Ruth 1:1: "a certain man of Bethlehemjudah went to sojourn in the country of Moab".
        { id: 'fact', tool: 'mnemo_search', input: { question: 'Where did Elimelech and his family go to sojourn?', max_passages: 3 } },
        { id: 'code', tool: 'mnemo_search', input: { question: 'function that escapes the characters HTML treats specially', max_passages: 3 } },
        { id: 'file', tool: 'mnemo_summary', input: { path: 'texts/ruth-1.txt' } },
        { id: 'folder', tool: 'mnemo_summary', input: {} },
        { id: 'empty', tool: 'mnemo_search', input: { question: '   ' } },
        { id: 'outside', tool: 'mnemo_summary', input: { path: '../..' } },
        // Cancelled as soon as the call has gone out: the caller gets a cancellation, not a result,
        // and the tool answers the next call. (On this small folder a tool call takes ~0.1 s, too
        // short to cancel reliably inside Mnemo's own work; test/extension/agents.test.ts checks
        // that Mnemo's tool stops on a cancelled token.)
        { id: 'cancelled', tool: 'mnemo_summary', input: { path: '.' }, cancelAfterMs: 0 },
        { id: 'after', tool: 'mnemo_search', input: { question: 'Who was the wife of Elimelech?', max_passages: 1 } },
      ];
      writeCalls(server!.userDataDir, calls, 300 * SCALE);
      await w.runCommand(PROBE_COMMAND);
      const report = await readReport(server!.userDataDir, w.ms(420));
      console.log(`      VS Code ${report.vscodeVersion}; vscode.lm.tools lists ${report.tools.map((t) => t.name).join(', ') || 'none of them'}; memory complete after ${report.ready.seconds.toFixed(1)}s ("${report.ready.line}"); chat models: ${report.chatModels.join(', ') || 'none'}`);
      checkToolListing(manifest, report.tools);
      const result = (id: string): ProbeResult => report.results.find((r) => r.id === id)!;
      for (const r of report.results) {
        console.log(`      ${r.id}: ${r.tool} ${r.ok ? `${toolPassages(r.text.join('\n')).map((p) => `${p.path}:${p.start}-${p.end}`).join(', ') || oneLine(r.text.join(' '), 80)}` : `rejected: ${r.error?.name}: ${oneLine(r.error?.message ?? '', 120)}`} (${r.seconds.toFixed(1)}s)`);
      }

      const ruth = join(workspace, 'texts/ruth-1.txt');
      const fact = toolText(result('fact'));
      const factPassages = toolPassages(fact);
      const moab = lineOf(ruth, 'went to sojourn in the country of Moab');
      const top = factPassages[0];
      if (!top || top.path !== 'texts/ruth-1.txt' || top.start > moab || top.end < moab) {
        throw new Error(`mnemo_search's first passage should be texts/ruth-1.txt around line ${moab}; it is ${top ? `${top.path}:${top.start}-${top.end}` : 'missing'}:\n${fact}`);
      }
      if (factPassages.length > 3) throw new Error(`max_passages 3 was asked; the result has ${factPassages.length} passages`);
      if (!/^Memory of this folder: .* \(all of it\)\.$/m.test(fact)) throw new Error(`the result does not say the whole folder was searched:\n${fact}`);
      if (!/\(found by (keyword search|Mnemo's memory model)/.test(top.note)) throw new Error(`the passage does not say which retrieval found it: "${top.note}"`);
      for (const r of report.results.filter((x) => x.ok)) {
        if (toolText(r).includes(workspace)) throw new Error(`${r.id}: a tool result names the workspace's absolute path`);
        for (const p of toolPassages(toolText(r)).filter((x) => !x.note.includes('quote shortened'))) expectFileLines(workspace, p, r.id);
      }

      const code = toolPassages(toolText(result('code')))[0];
      const escapeHtml = lineOf(join(workspace, 'src/banner.js'), 'function escapeHtml(');
      if (!code || code.path !== 'src/banner.js' || code.start > escapeHtml || code.end < escapeHtml) {
        throw new Error(`the search for the HTML-escaping function should find src/banner.js line ${escapeHtml} first; it found ${code ? `${code.path}:${code.start}-${code.end}` : 'nothing'}`);
      }

      const file = toolText(result('file'));
      const opening = toolPassages(file)[0];
      if (!file.includes('Map of file texts/ruth-1.txt:') || opening?.path !== 'texts/ruth-1.txt' || opening.start !== 1 || !opening.lines.includes('THE BOOK OF RUTH, CHAPTER 1')) {
        throw new Error(`mnemo_summary of texts/ruth-1.txt should quote how it begins (line 1):\n${file}`);
      }
      const folder = toolText(result('folder'));
      for (const line of [/^ {2}lib\/ {2}2 files, /m, /^ {2}texts\/ {2}1 files, /m, /^ {2}src\/ {2}1 files, /m]) {
        if (!line.test(folder)) throw new Error(`mnemo_summary of the whole folder should list ${line.source}:\n${folder}`);
      }

      expectRejected(result('empty'), /"question" is empty/);
      expectRejected(result('outside'), /no "\.\."/);
      expectRejected(result('cancelled'), /\b(Canceled|AbortError)\b/);
      const after = toolPassages(toolText(result('after')))[0];
      if (after?.path !== 'texts/ruth-1.txt') throw new Error(`after a cancelled call, mnemo_search should still find texts/ruth-1.txt; it found ${after ? after.path : 'nothing'}`);
    }, false);

    await step('a question in the chat gets the right passage quoted and cited; the citation opens that file at that line', async () => {
      const w = wb!;
      const chat = await w.openChat();
      // Ruth 1:1-2: Elimelech of Bethlehemjudah went to sojourn in the country of Moab.
      const answer = await ask(w, chat, 'Where did Elimelech and his family go to sojourn?');
      console.log(`      answer: ${oneLine(answer.answer, 200)}`);
      const first = await firstPassage(answer);
      if (first.citation?.path !== 'texts/ruth-1.txt' || !/\bMoab\b/.test(first.text)) {
        throw new Error(`the first quoted passage should be from texts/ruth-1.txt and name Moab; it is ${first.citation?.label ?? 'uncited'}: "${oneLine(first.text, 200)}"`);
      }
      const citation = first.citation;
      const link = answer.article.locator('button.citation', { hasText: exactly(citation.label) }).first();
      await link.click();
      // Clicked, hovered and focused, a citation stays a link: no button fill behind its text.
      await link.hover();
      const fill = await link.evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor);
      if (!/^(transparent|rgba\(0, 0, 0, 0\))$/.test(fill)) throw new Error(`a hovered, clicked citation is filled (${fill}); it must stay a link`);
      const name = basename(citation.path);
      await w.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name }).waitFor({ timeout: w.ms(30) });
      const tab = await w.activeTabLabel();
      if (tab !== name) throw new Error(`the citation ${citation.label} opened "${tab}", not ${name}`);
      const cursor = await waitForCursor(w, citation.start, citation.end);
      console.log(`      clicked ${citation.label}: tab "${tab}", Ln ${cursor.line}${cursor.selected ? ` (${cursor.selected})` : ''}`);
      // The quote is the cited lines themselves.
      const lines = readFileSync(join(workspace, citation.path), 'utf8').split('\n').slice(citation.start - 1, citation.end).join('\n');
      if (first.text.trim() !== lines.trim()) throw new Error(`the passage quoted under ${citation.label} is not those lines: "${oneLine(first.text, 120)}"`);
    }, false);

    await step('HTML and script in a question show as text in the chat and never run', async () => {
      const w = wb!;
      const chat = await w.chatFrame();
      const entry = await ask(w, chat, `What does this comment in src/banner.js do? ${PAYLOAD}`);
      const prompt = await entry.article.locator('.prompt-text').innerText();
      if (!prompt.includes(PAYLOAD)) throw new Error(`the question's HTML is not shown literally in the chat; it shows "${prompt}"`);
      const injected = await chat.evaluate(() => {
        const d = (globalThis as any).document;
        return { img: d.querySelectorAll('#transcript img[src="x"]').length, script: Array.from(d.querySelectorAll('script')).filter((s: any) => /__pwned/.test(s.textContent ?? '')).length };
      });
      if (injected.img || injected.script) throw new Error(`the chat turned text into elements: ${injected.img} <img src=x>, ${injected.script} <script>`);
    });

    await step('Summarize File from the command palette shows a summary', async () => {
      const w = wb!;
      await w.openFile('texts/ruth-1.txt');
      await w.runCommand(label('mnemo.summarizeFile'));
      const frame = await w.chatFrame();
      const entry = await waitForEntry(w, frame, 'Summary of texts/ruth-1.txt');
      console.log(`      summary: ${oneLine(entry.answer, 200)}`);
      // Until a summary model is measured good, a summary quotes the file: first its opening.
      const first = await firstPassage(entry);
      if (first.citation?.path !== 'texts/ruth-1.txt' || !first.text.includes('THE BOOK OF RUTH, CHAPTER 1')) {
        throw new Error(`the summary should quote the opening of texts/ruth-1.txt first; it quotes ${first.citation?.label ?? 'nothing'}: "${oneLine(first.text, 120)}"`);
      }
    });

    await step("hovering a symbol shows Mnemo's hover, and the payload in its doc comment stays text", async () => {
      const w = wb!;
      await w.openFile('src/banner.js');
      const line = lineOf(join(workspace, 'src/banner.js'), 'function renderBanner(');
      // A hover that never opened (the editor was still settling) is retried; one that is
      // open and loading is left alone, since moving away would cancel Mnemo's answer.
      let hover = await w.hoverWord(line, 'renderBanner');
      for (let attempt = 1; attempt < 4 && !(await hover.first().isVisible()); attempt++) {
        await hover.first().waitFor({ timeout: w.ms(10) }).catch(() => undefined);
        if (await hover.first().isVisible()) break;
        await w.page.mouse.move(5, 5);
        hover = await w.hoverWord(line, 'renderBanner');
      }
      // The hover also holds other providers' parts (the JavaScript service's); Mnemo's is its own.
      const mnemo = hover.locator('.hover-contents', { hasText: /Mnemo\s*·\s*renderBanner/ }).first();
      await mnemo.waitFor({ timeout: w.ms(180) });
      const text = await mnemo.innerText();
      const injected = await mnemo.evaluate((el: any) => el.querySelectorAll('img, script, iframe').length);
      if (injected) throw new Error(`Mnemo's hover holds ${injected} <img>/<script>/<iframe> element(s) made from workspace text`);
      console.log(`      hover: ${oneLine(text, 200)}`);
      await w.page.mouse.move(5, 5);
    });

    await step('reloading the window reuses the saved memory', async () => {
      const w = wb!;
      const before = Date.now();
      await w.page.reload();
      await w.waitReady();
      let read = await waitForReadLog(server!.userDataDir, before, w.ms(120)).catch(() => undefined);
      if (!read) {
        await w.runCommand(label('mnemo.readWorkspace'));
        read = await waitForReadLog(server!.userDataDir, before, w.ms(300));
      }
      await waitForStatus(w, (t) => STATUS_DONE.test(t), w.ms(120));
      await w.runCommand(label('mnemo.showLogs'));
      // What the user sees: the Output channel "Mnemo" shows the same line.
      const shown = `${read.filesRead} files read, ${read.filesReused} reused`;
      const output = w.page.locator('.part.panel .view-lines').first();
      const deadline = Date.now() + w.ms(20);
      let text = '';
      while (Date.now() < deadline && !text.includes(shown)) {
        text = ((await output.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
        if (!text.includes(shown)) await w.page.waitForTimeout(250);
      }
      if (!text.includes(shown)) throw new Error(`the Output channel "Mnemo" does not show "${shown}"`);
      if (read.filesRead !== 0 || read.filesReused === 0) {
        throw new Error(`after the reload ${read.filesRead} files were read again and ${read.filesReused} reused: "${read.line}"`);
      }
      console.log(`      log: ${read.line.trim()}`);
      // The chat keeps its conversation across the reload: the first question and its quoted answer.
      const chat = await w.openChat();
      const earlier = chat.locator('article.entry', { hasText: 'Where did Elimelech and his family go to sojourn?' }).first();
      await earlier.waitFor({ timeout: w.ms(30) }).catch(() => undefined);
      const kept = await earlier.locator('figure.passage pre').first().innerText().catch(() => '');
      if (!/\bMoab\b/.test(kept)) throw new Error(`after the reload the chat does not show the earlier answer quoting Moab (it shows "${oneLine(kept, 120)}")`);
    });
  } finally {
    if (server) copyLogs(server.userDataDir);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log('');
  for (const r of results) console.log(`e2e: ${r.ok ? 'PASS' : r.skipped ? 'SKIP' : 'FAIL'} ${r.name}${r.error ? ` — ${r.error.split('\n')[0]}` : ''}`);
  const notRun = results.filter((r) => r.skipped).length;
  console.log(`e2e: ${passed} passed, ${failed} failed${notRun ? ` (${notRun} of them not run)` : ''} (screenshots and logs in ${relative(REPO, RESULTS)}/)`);
  return failed === 0 ? 0 : 1;
}

/** `vscode.lm.tools` lists both tools with the descriptions and schemas package.json contributes. */
function checkToolListing(manifest: any, listed: { name: string; description: string; inputSchema?: any }[]): void {
  for (const contributed of manifest.contributes.languageModelTools as any[]) {
    const tool = listed.find((t) => t.name === contributed.name);
    if (!tool) throw new Error(`vscode.lm.tools does not list ${contributed.name}; it lists ${listed.map((t) => t.name).join(', ') || 'none of them'}`);
    if (tool.description !== contributed.modelDescription) throw new Error(`vscode.lm.tools gives ${tool.name} the description "${oneLine(tool.description, 120)}"`);
    if (JSON.stringify(tool.inputSchema) !== JSON.stringify(contributed.inputSchema)) throw new Error(`vscode.lm.tools gives ${tool.name} the input schema ${JSON.stringify(tool.inputSchema)}`);
  }
}

/** A successful tool result's text, or the step fails saying why the call was refused. */
function toolText(r: ProbeResult): string {
  if (!r.ok) throw new Error(`${r.id}: ${r.tool} was refused: ${r.error?.name}: ${r.error?.message}`);
  if (r.text.length !== 1 || r.other.length > 0) throw new Error(`${r.id}: ${r.tool} returned ${r.text.length} text parts and [${r.other.join(', ')}]; one text part was expected`);
  return r.text[0]!;
}

function expectRejected(r: ProbeResult, message: RegExp): void {
  if (r.ok) throw new Error(`${r.id}: ${r.tool} should have been refused; it returned:\n${r.text.join('\n')}`);
  if (!message.test(`${r.error?.name}: ${r.error?.message}`)) throw new Error(`${r.id}: ${r.tool} was refused with "${r.error?.name}: ${r.error?.message}", which does not match ${message}`);
}

/** A quoted passage is exactly the cited lines of that file (trailing spaces aside). */
function expectFileLines(workspace: string, p: ToolPassage, id: string): void {
  const lines = readFileSync(join(workspace, p.path), 'utf8').split('\n').slice(p.start - 1, p.end).map((l) => l.trimEnd()).join('\n');
  if (p.lines.split('\n').map((l) => l.trimEnd()).join('\n') !== lines) {
    throw new Error(`${id}: the passage quoted under ${p.path}:${p.start}-${p.end} is not those lines:\n${p.lines}\n--- the file has:\n${lines}`);
  }
}

function packageVsix(): string {
  const result = spawnSync(process.execPath, [join(REPO, 'scripts/package.mjs'), '--target', 'linux-x64'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(result.stdout ?? '');
  if (result.status !== 0) throw new Error(`scripts/package.mjs failed (exit ${result.status}); see its output above`);
  return join(REPO, result.stdout.trim().split('\n').pop()!);
}

/** "Mnemo: Summarize File", as the palette shows a contributed command. */
function commandLabel(manifest: any, id: string): string {
  const command = (manifest.contributes?.commands ?? []).find((c: any) => c.command === id);
  if (!command) throw new Error(`package.json contributes no command ${id}`);
  return command.category ? `${command.category}: ${command.title}` : command.title;
}

async function waitForStatus(w: Workbench, accept: (text: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await w.statusText();
    if (accept(text)) return text;
    await w.page.waitForTimeout(200);
  }
  throw new Error(`the Mnemo status bar item did not reach the expected state within ${timeoutMs / 1000}s; it shows "${await w.statusText()}"`);
}

interface Cited { label: string; path: string; start: number; end: number }

interface Entry { answer: string; citations: Cited[]; article: Locator }

/** Asks in the chat webview, as a user types and presses Enter, and waits for the finished answer. */
async function ask(w: Workbench, chat: Frame, question: string): Promise<Entry> {
  const box = chat.locator('textarea#question');
  await box.click();
  await box.fill(question);
  await box.press('Enter');
  return waitForEntry(w, chat, question);
}

/**
 * Waits for the chat entry whose prompt is `prompt` (src/webview/main.ts renders each as
 * `article.entry.is-<state>` with `.prompt-text`, `.answer` and `button.citation`s) to finish,
 * and returns its answer text and citations. An entry that ends in an error fails the step.
 */
async function waitForEntry(w: Workbench, chat: Frame, prompt: string): Promise<Entry> {
  const article = chat.locator('#transcript article.entry').filter({ has: chat.locator('.prompt-text', { hasText: exactly(prompt) }) }).last();
  await article.waitFor({ timeout: w.ms(60) });
  const limit = w.ms(300);
  const deadline = Date.now() + limit;
  let state = '';
  while (Date.now() < deadline) {
    state = /\bis-(\w+)/.exec((await article.getAttribute('class')) ?? '')?.[1] ?? '';
    if (state !== 'streaming') break;
    await w.page.waitForTimeout(250);
  }
  if (state === 'streaming') throw new Error(`the answer to "${prompt.slice(0, 60)}" was still streaming after ${limit / 1000}s`);
  if (state !== 'done') {
    const error = await article.locator('.error, .note').allInnerTexts();
    throw new Error(`the answer to "${prompt.slice(0, 60)}" ended as "${state}": ${error.join(' ') || 'no message'}`);
  }
  const answer = await article.locator('.answer').innerText();
  const labels = await article.locator('button.citation').allInnerTexts();
  const citations = labels.map((l) => CITATION_LABEL.exec(l)).filter((m): m is RegExpExecArray => m !== null).map((m) => ({
    label: m[0].trim(), path: m[1]!, start: Number(m[2]), end: Number(m[3] ?? m[2]),
  }));
  return { answer, citations, article };
}

async function waitForCursor(w: Workbench, start: number, end: number): Promise<{ line: number; selected: string | undefined }> {
  const deadline = Date.now() + w.ms(15);
  let cursor = await w.cursor();
  while (Date.now() < deadline && (cursor.line < start || cursor.line > end + 1)) {
    await w.page.waitForTimeout(200);
    cursor = await w.cursor();
  }
  if (cursor.line < start || cursor.line > end + 1) throw new Error(`the cursor is on line ${cursor.line}, outside the cited lines ${start}-${end}`);
  return cursor;
}

/** The newest "N files read, M reused" line the extension logged after `since`. */
async function waitForReadLog(userDataDir: string, since: number, timeoutMs: number): Promise<{ line: string; filesRead: number; filesReused: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const logs = listFiles(join(userDataDir, 'logs')).filter((f) => /Mnemo\.log$/.test(f))
      .map((f) => join(userDataDir, 'logs', f)).filter((f) => statSync(f).mtimeMs >= since);
    for (const file of logs) {
      // Only lines logged after the reload ("2026-11-22 06:42:24.743 [info] ..." in local time).
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => /files read, \d+ reused/.test(l))
        .filter((l) => Date.parse(l.slice(0, 23).replace(' ', 'T')) >= since - 1000);
      const last = lines[lines.length - 1];
      const match = last && /(\d+) files read, (\d+) reused/.exec(last);
      if (match) return { line: last!, filesRead: Number(match[1]), filesReused: Number(match[2]) };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the Mnemo log shows no finished read within ${timeoutMs / 1000}s of the reload`);
}

function copyLogs(userDataDir: string): void {
  for (const file of listFiles(join(userDataDir, 'logs')).filter((f) => /Mnemo\.log$|exthost\.log$|remoteagent\.log$/.test(f))) {
    copyFileSync(join(userDataDir, 'logs', file), join(RESULTS, file.replace(/[\\/]/g, '_')));
  }
}

/**
 * The first quoted passage of an answer (src/webview/main.ts renders each as
 * `figure.passage` with its citation button and a `pre` of the lines), or fails the step.
 */
async function firstPassage(entry: Entry): Promise<{ citation: Cited | undefined; text: string }> {
  const figure = entry.article.locator('.answer figure.passage').first();
  if ((await figure.count()) === 0) throw new Error(`the answer quotes no passage: "${oneLine(entry.answer, 200)}"`);
  const label = (await figure.locator('button.citation').innerText()).trim();
  const m = CITATION_LABEL.exec(label);
  const citation = m ? { label: m[0].trim(), path: m[1]!, start: Number(m[2]), end: Number(m[3] ?? m[2]) } : undefined;
  return { citation, text: await figure.locator('pre').innerText() };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${file} has no "${text}"`);
  return index + 1;
}

/** Relative paths (forward slashes) of every file below `dir`; empty if it does not exist. */
function listFiles(dir: string, prefix = ''): string[] {
  let names: string[];
  try { names = readdirSync(join(dir, prefix)); } catch { return []; }
  return names.flatMap((name) => {
    const path = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, path)).isDirectory() ? listFiles(dir, path) : [path];
  });
}

main().then((code) => process.exit(code), (error) => {
  console.error(`e2e: harness error: ${error instanceof Error ? error.stack : String(error)}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
