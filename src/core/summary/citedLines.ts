// Reads the lines a summary cites, once per file per summary, and checks that they still hold
// the sentence shown for them: a file edited since it was read drops its sentences (with a
// warning) rather than showing words its cited lines no longer hold.
import { loadText } from '../text';
import { linesContainSentence } from '../structure/docText';
import { resolveInside } from '../workspacePath';

export class CitedLines {
  private readonly files = new Map<string, Promise<string[] | undefined>>();
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();

  constructor(private readonly root: string, private readonly maxFileBytes?: number) {}

  lines(path: string): Promise<string[] | undefined> {
    let p = this.files.get(path);
    if (!p) {
      p = this.load(path);
      this.files.set(path, p);
    }
    return p;
  }

  private async load(path: string): Promise<string[] | undefined> {
    try {
      const r = await loadText(await resolveInside(this.root, path), { maxFileBytes: this.maxFileBytes });
      if (r.ok) return r.text.split('\n');
      this.warn(path, `${path} cannot be read again (${r.reason}); its lines are not shown.`);
    } catch (e) {
      this.warn(path, (e as Error).message);
    }
    return undefined;
  }

  /** Lines `start..end` (1-based, inclusive), or undefined when the file cannot be read. */
  async text(path: string, start: number, end: number): Promise<string | undefined> {
    const lines = await this.lines(path);
    return lines ? lines.slice(start - 1, end).join('\n') : undefined;
  }

  /**
   * The narrowest lines within `start..end` of `path` that hold `sentence` now, or undefined
   * (with a warning, once per file) when they no longer do.
   */
  async locate(path: string, start: number, end: number, sentence: string): Promise<{ startLine: number; endLine: number } | undefined> {
    const lines = await this.lines(path);
    if (!lines) return undefined;
    const last = Math.min(end, lines.length);
    for (let e = start; e <= last; e++) {
      if (!linesContainSentence(lines.slice(start - 1, e), sentence)) continue;
      let s = start;
      while (s < e && linesContainSentence(lines.slice(s, e), sentence)) s++;
      return { startLine: s, endLine: e };
    }
    this.warn(path, `${path} changed since it was read; its descriptions are left out until it is read again.`);
    return undefined;
  }

  private warn(path: string, message: string): void {
    if (this.warned.has(path)) return;
    this.warned.add(path);
    this.warnings.push(message);
  }
}
