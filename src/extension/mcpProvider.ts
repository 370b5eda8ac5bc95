// Offers `mnemo mcp` for each workspace folder to VS Code's MCP support (stable since 1.101), so
// any MCP-capable chat in the editor gets Mnemo's tools with no hand-written mcp.json. Registered
// only where the API exists: on older versions (the e2e's 1.100.3) the language-model tools and
// the chat participant still offer the same memory.
//
// The server runs the bundled CLI with the folder's own settings (model, device, include,
// exclude, size limit) and the extension's cache folder, so it reads exactly what the extension
// reads and shares its saved memory; the store's lock keeps their writes apart.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { EngineOptions } from '../core/api';

// The API as of VS Code 1.101; @types/vscode stays at the engine's minimum (1.100), which lacks it.
interface McpStdioServerDefinitionCtor {
  new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string): unknown;
}
interface McpServerDefinitionProvider {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<unknown[]>;
}
interface McpApi {
  registerMcpServerDefinitionProvider?(id: string, provider: McpServerDefinitionProvider): vscode.Disposable;
}

export const MCP_PROVIDER_ID = 'mnemo.mcp';

export interface McpProviderEnv {
  readonly extensionUri: vscode.Uri;
  readonly version: string;
  /** The engine options of each folder the extension reads. */
  folders(): { name: string; options: EngineOptions }[];
  isTrusted(): boolean;
  /** Fires when folders, settings or trust change. */
  readonly onDidChange: vscode.Event<void>;
}

/** Registers the provider if this VS Code has the API; undefined (and a log line) otherwise. */
export function registerMcpProvider(env: McpProviderEnv, log: vscode.LogOutputChannel): vscode.Disposable | undefined {
  const lm = vscode.lm as unknown as McpApi;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioServerDefinitionCtor }).McpStdioServerDefinition;
  if (typeof lm.registerMcpServerDefinitionProvider !== 'function' || typeof Definition !== 'function') {
    log.info(`VS Code ${vscode.version} has no MCP server definition API (1.101+); Mnemo's tools are offered as language-model tools only.`);
    return undefined;
  }
  const cli = vscode.Uri.joinPath(env.extensionUri, 'dist', 'cli.js').fsPath;
  if (!existsSync(cli)) {
    log.warn(`${cli} is missing from this install, so no MCP server is offered; the language-model tools still work.`);
    return undefined;
  }
  // VS Code 1.100 already has the function as a preview that wants another contribution point
  // and throws; the stable API (contributes.mcpServerDefinitionProviders) is 1.101's. A failure
  // here must never stop activation: the language-model tools and @mnemo work without it.
  if (!atLeast(vscode.version, 1, 101)) {
    log.info(`VS Code ${vscode.version} predates the stable MCP server definition API (1.101); Mnemo's tools are offered as language-model tools only.`);
    return undefined;
  }
  try {
    return registerDefinitions(lm.registerMcpServerDefinitionProvider.bind(lm), Definition, cli, env);
  } catch (e) {
    log.warn(`Offering Mnemo as an MCP server failed (${(e as Error).message}); the language-model tools still work.`);
    return undefined;
  }
}

/** True when `version` ("1.101.2") is at least major.minor. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((x) => Number.parseInt(x, 10));
  return a > major || (a === major && b >= minor);
}

function registerDefinitions(
  register: NonNullable<McpApi['registerMcpServerDefinitionProvider']>, Definition: McpStdioServerDefinitionCtor, cli: string, env: McpProviderEnv,
): vscode.Disposable {
  return register(MCP_PROVIDER_ID, {
    onDidChangeMcpServerDefinitions: env.onDidChange,
    provideMcpServerDefinitions: () => {
      // In Restricted Mode Mnemo reads nothing, and a server would read on start.
      if (!env.isTrusted()) return [];
      return env.folders().map(({ name, options }) => new Definition(
        `Mnemo: ${name}`,
        process.execPath,
        [cli, 'mcp', options.root, ...mcpArgs(options)],
        // The extension host's executable is Electron on the desktop; this makes it run as Node.
        { ELECTRON_RUN_AS_NODE: '1' },
        env.version,
      ));
    },
  });
}

/** The CLI flags that make `mnemo mcp` read a folder as the extension does. */
export function mcpArgs(options: EngineOptions): string[] {
  const args = ['--model', options.modelDir, '--cache', options.cacheDir, '--device', options.device ?? 'auto'];
  if (options.maxFileBytes !== undefined) args.push('--max-file-bytes', String(options.maxFileBytes));
  if (options.maxProseBytes !== undefined) args.push('--max-prose-bytes', String(options.maxProseBytes));
  for (const p of options.include ?? []) args.push('--include', p);
  for (const p of options.exclude ?? []) args.push('--exclude', p);
  return args;
}
