// What a user does and sees in the VS Code workbench, through Playwright: the command
// palette, Quick Open, the status bar, editor tabs, hovers and the Mnemo chat webview.
//
// The root tsconfig has no DOM types (it checks Node code), so code that runs in the page
// reaches browser globals through `globalThis as any`.
/* eslint-disable @typescript-eslint/no-explicit-any */

import type { Frame, Locator, Page } from 'playwright-core';

/**
 * Injected into every frame before its own scripts. In the top window it records every text
 * the Mnemo status bar item shows (a read can pass through its states faster than a test
 * polls); in every frame it counts dialogs, so a script that ran anywhere is caught even if
 * the dialog event were missed.
 */
export function initScript(): void {
  const w = globalThis as any;
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    const original = w[name];
    w[name] = function (...args: unknown[]) {
      w.__mnemoE2eDialogs = (w.__mnemoE2eDialogs ?? 0) + 1;
      return typeof original === 'function' ? original.apply(w, args) : undefined;
    };
  }
  if (w.top !== w) return;
  w.__mnemoE2eStatus = [] as { at: number; text: string }[];
  setInterval(() => {
    const items = Array.from(w.document?.querySelectorAll('.statusbar-item') ?? []) as any[];
    const text = items.map((e) => (e.textContent ?? '').trim()).filter((t) => /Mnemo/.test(t)).join(' | ');
    const log = w.__mnemoE2eStatus as { at: number; text: string }[];
    if (text !== '' && (log.length === 0 || log[log.length - 1]!.text !== text)) log.push({ at: Date.now(), text });
  }, 50);
}

export class Workbench {
  constructor(readonly page: Page, private readonly scale: number) {}

  ms(seconds: number): number {
    return Math.round(seconds * 1000 * this.scale);
  }

  async waitReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: this.ms(120) });
    await this.page.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: this.ms(60) });
  }

  /** Every text the Mnemo status bar item has shown since the page loaded, oldest first. */
  async statusHistory(): Promise<{ at: number; text: string }[]> {
    return this.page.evaluate(() => (globalThis as any).__mnemoE2eStatus ?? []);
  }

  async statusText(): Promise<string> {
    const history = await this.statusHistory();
    return history.length ? history[history.length - 1]!.text : '';
  }

  /** Runs a command by its palette label ("Mnemo: Summarize File"), as a user would with F1. */
  async runCommand(label: string): Promise<void> {
    await this.escapeToWorkbench();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: this.ms(20) });
    await input.fill(`>${label}`);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: this.ms(30) });
    } catch {
      const offered = await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allTextContents();
      await this.page.keyboard.press('Escape');
      throw new Error(`the command palette has no "${label}"; it offered: ${offered.slice(0, 8).join(' / ') || 'nothing'}`);
    }
    await row.click();
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.escapeToWorkbench();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: this.ms(20) });
    await input.fill(relativePath);
    const name = relativePath.split('/').pop()!;
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: exactly(name) }) }).first();
    await row.waitFor({ state: 'visible', timeout: this.ms(30) });
    await row.click();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: this.ms(30) });
    await this.page.locator('.editor-instance .view-lines').first().waitFor({ timeout: this.ms(30) });
  }

  /** The label of the active editor tab. */
  async activeTabLabel(): Promise<string> {
    const tab = this.page.locator('.editor-group-container.active .tabs-container .tab.active .label-name').first();
    return ((await tab.textContent({ timeout: this.ms(10) })) ?? '').trim();
  }

  /** The cursor's line and the selected line count, from the status bar ("Ln 16, Col 1 (120 selected)"). */
  async cursor(): Promise<{ line: number; column: number; selected: string | undefined }> {
    const item = this.page.locator('#status\\.editor\\.selection');
    const text = ((await item.textContent({ timeout: this.ms(10) })) ?? '').trim();
    const match = /Ln (\d+), Col (\d+)(?: \((.*)\))?/.exec(text);
    if (!match) throw new Error(`the status bar shows no cursor position (it says "${text}")`);
    return { line: Number(match[1]), column: Number(match[2]), selected: match[3] };
  }

  /** Moves the mouse onto the first occurrence of `word` on a 1-based line of the active editor. */
  async hoverWord(line: number, word: string): Promise<Locator> {
    await this.goToLine(line);
    const lineNumber = this.page.locator('.editor-group-container.active .margin-view-overlays .line-numbers', { hasText: exactly(String(line)) }).first();
    // The editor renders its line numbers again after moving to the line: an element found a
    // moment ago can be gone when its box is asked for, so ask until one answers.
    let lineBox: Awaited<ReturnType<Locator['boundingBox']>> = null;
    for (const deadline = Date.now() + this.ms(10); !lineBox && Date.now() < deadline;) {
      await lineNumber.waitFor({ timeout: this.ms(10) });
      lineBox = await lineNumber.boundingBox();
      if (!lineBox) await this.page.waitForTimeout(100);
    }
    if (!lineBox) throw new Error(`line ${line} is not on screen`);
    // Find the word by its characters, not by token spans: until the editor has tokenized the
    // line, the whole line is one span.
    const point = await this.page.evaluate(({ y, word }) => {
      const d = (globalThis as any).document;
      const lines = Array.from(d.querySelectorAll('.editor-group-container.active .view-lines .view-line')) as any[];
      const line = lines.find((l) => { const r = l.getBoundingClientRect(); return Math.abs(r.top + r.height / 2 - y) < r.height / 2; });
      if (!line) return undefined;
      const walker = d.createTreeWalker(line, 4 /* NodeFilter.SHOW_TEXT */);
      const nodes: { node: any; start: number }[] = [];
      let text = '';
      for (let node = walker.nextNode(); node; node = walker.nextNode()) { nodes.push({ node, start: text.length }); text += node.textContent; }
      const at = text.replace(/\u00a0/g, ' ').search(new RegExp(`\\b${word}\\b`));
      if (at < 0) return undefined;
      const locate = (index: number) => {
        const hit = [...nodes].reverse().find((n) => n.start <= index)!;
        return { node: hit.node, offset: index - hit.start };
      };
      const range = d.createRange();
      const from = locate(at);
      const to = locate(at + word.length - 1);
      range.setStart(from.node, from.offset);
      range.setEnd(to.node, to.offset + 1);
      const r = range.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }, { y: lineBox.y + lineBox.height / 2, word });
    if (!point) throw new Error(`"${word}" is not shown on line ${line}`);
    await this.page.mouse.move(point.x, point.y, { steps: 4 });
    return this.page.locator('.monaco-hover:not(.hidden)');
  }

  /** Go to Line (Ctrl+G), so the line is on screen and the cursor on it. */
  async goToLine(line: number): Promise<void> {
    await this.escapeToWorkbench();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: this.ms(20) });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: this.ms(10) });
  }

  /** Closes any open quick input or hover so the next keystroke goes to the workbench. */
  private async escapeToWorkbench(): Promise<void> {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
    await this.page.evaluate(() => {
      const active = (globalThis as any).document?.activeElement;
      // Focus inside a webview iframe keeps keys from the workbench; blur hands them back.
      if (active && active.tagName === 'IFRAME') active.blur();
    });
  }

  /** The frame holding the Mnemo chat page (the inner frame of a webview with its question box). */
  async chatFrame(timeoutMs = this.ms(60)): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if (await frame.locator('textarea#question').count() > 0) return frame;
        } catch {
          // the frame went away while we looked
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error('no webview frame with the Mnemo question box (textarea#question) appeared');
  }

  /** Opens the Mnemo activity bar container, which shows the chat view. */
  async openChat(): Promise<Frame> {
    const item = this.page.locator('.activitybar .action-item a[aria-label^="Mnemo"], .activitybar .action-item[aria-label^="Mnemo"]').first();
    await item.waitFor({ timeout: this.ms(60) });
    const expanded = await this.page.locator('.activitybar .action-item.checked a[aria-label^="Mnemo"], .activitybar .action-item.checked[aria-label^="Mnemo"]').count();
    if (!expanded) await item.click();
    return this.chatFrame();
  }

  /** Names of frames where a script set `window.__pwned` or any dialog was opened. */
  async framesWhereScriptsRan(): Promise<string[]> {
    const found: string[] = [];
    for (const frame of this.page.frames()) {
      try {
        const state = await frame.evaluate(() => {
          const w = globalThis as any;
          return { pwned: typeof w.__pwned !== 'undefined', dialogs: w.__mnemoE2eDialogs ?? 0 };
        });
        if (state.pwned || state.dialogs > 0) {
          found.push(`${frame.url().slice(0, 120)} (${state.pwned ? 'window.__pwned set' : ''}${state.pwned && state.dialogs ? ', ' : ''}${state.dialogs ? `${state.dialogs} dialog(s)` : ''})`);
        }
      } catch {
        // detached frame
      }
    }
    return found;
  }
}

/** A regular expression matching exactly this text, for Playwright's hasText. */
export function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
