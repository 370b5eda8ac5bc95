// `mnemo_search` and `mnemo_summary` as VS Code language-model tools, callable by any chat that
// uses tools (Copilot's agent mode, other extensions) through `vscode.lm.invokeTool`.
// Only VS Code's types are imported: the classes the results are built from come in as `VsTypes`,
// so the tools run in plain Node tests against the real engine.
import type * as vscode from 'vscode';
import type { Engine } from '../core/api';
import { ToolInputError } from '../core/tools/coverage';
import { checkQuestion, search } from '../core/tools/search';
import { summary } from '../core/tools/summary';
import { oneLine, percent } from '../core/tools/plainText';

/** The VS Code classes the tools construct. The extension passes `vscode` itself. */
export interface ToolTypes {
  readonly LanguageModelToolResult: typeof vscode.LanguageModelToolResult;
  readonly LanguageModelTextPart: typeof vscode.LanguageModelTextPart;
}

/** One workspace folder's memory, as the tools and the chat participant use it. */
export interface AgentFolder {
  readonly name: string;
  /** Absolute path of the folder on disk. */
  readonly root: string;
  /** The folder's engine, loading the model on first use. */
  engine(): Promise<Engine>;
  /** The engine when already loaded (for messages that must not wait). */
  loadedEngine(): Engine | undefined;
  /** The reader's own scan settings, so maps list what the reader reads. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
}

/** Which folder answers: the active editor's, else the first. Undefined with no folder open. */
export type FolderPicker = () => AgentFolder | undefined;

export interface SearchInput { readonly question: string; readonly max_passages?: number }
export interface SummaryInput { readonly path?: string }

/** An AbortSignal that follows a CancellationToken; `dispose` stops listening. */
export function signalOf(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const listener = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => listener.dispose() };
}

const NO_FOLDER = 'No workspace folder is open, so Mnemo has no memory to search. Open a folder first.';

/** A note on a read in progress, for the progress message while the tool runs. */
function readingNote(folder: AgentFolder): string {
  const reading = folder.loadedEngine()?.status().reading;
  if (!reading || !(reading.tokensTotal > 0)) return '';
  return ` (read so far: ${percent(reading.tokensRead / reading.tokensTotal)})`;
}

export class SearchTool implements vscode.LanguageModelTool<SearchInput> {
  constructor(private readonly vs: ToolTypes, private readonly pick: FolderPicker) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SearchInput>): vscode.PreparedToolInvocation {
    const folder = this.pick();
    const question = typeof options.input?.question === 'string' ? oneLine(options.input.question, 80) : '';
    return {
      invocationMessage: `Searching ${folder ? `the memory of ${folder.name}` : "Mnemo's memory"} for "${question}"${folder ? readingNote(folder) : ''}`,
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SearchInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const folder = this.pick();
    if (!folder) throw new Error(NO_FOLDER);
    const cancel = signalOf(token);
    try {
      const question = checkQuestion(options.input?.question);
      const max = options.input?.max_passages;
      if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10)) throw new ToolInputError('"max_passages" must be a whole number from 1 to 10.');
      const engine = await folder.engine();
      const r = await search(engine, question, { signal: cancel.signal, maxPassages: max, maxFileBytes: folder.maxFileBytes });
      return new this.vs.LanguageModelToolResult([new this.vs.LanguageModelTextPart(r.text)]);
    } finally {
      cancel.dispose();
    }
  }
}

export class SummaryTool implements vscode.LanguageModelTool<SummaryInput> {
  constructor(private readonly vs: ToolTypes, private readonly pick: FolderPicker) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SummaryInput>): vscode.PreparedToolInvocation {
    const folder = this.pick();
    const path = typeof options.input?.path === 'string' && options.input.path.trim() !== '' && options.input.path.trim() !== '.'
      ? oneLine(options.input.path, 80) : folder?.name ?? 'the workspace';
    return { invocationMessage: `Mapping ${path} from Mnemo's memory${folder ? readingNote(folder) : ''}` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SummaryInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const folder = this.pick();
    if (!folder) throw new Error(NO_FOLDER);
    const cancel = signalOf(token);
    try {
      const engine = await folder.engine();
      const r = await summary(engine, options.input?.path, {
        signal: cancel.signal, include: folder.include, exclude: folder.exclude, maxFileBytes: folder.maxFileBytes,
      });
      return new this.vs.LanguageModelToolResult([new this.vs.LanguageModelTextPart(r.text)]);
    } finally {
      cancel.dispose();
    }
  }
}
