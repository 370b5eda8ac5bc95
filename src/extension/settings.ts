// Reads the `mnemo.*` settings for one workspace folder. The only module that knows
// their names and defaults besides package.json.

import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DevicePreference, EngineOptions, Logger, RetrievalMode } from '../core/api';
import { filesExcludePatterns, stringList } from './globs';

export const DEFAULT_MAX_FILE_BYTES = 2_097_152;
export const DEFAULT_MAX_PROSE_BYTES = 67_108_864;
export const DEFAULT_MAX_ANSWER_TOKENS = 256;

/** Settings whose change means the engine must be opened again. */
const ENGINE_SETTINGS = ['mnemo.modelPath', 'mnemo.device', 'mnemo.include', 'mnemo.exclude', 'mnemo.maxFileBytes', 'mnemo.maxProseBytes', 'files.exclude'];

const DEVICES: readonly DevicePreference[] = ['auto', 'cpu', 'webgpu', 'cuda'];
const RETRIEVALS: readonly RetrievalMode[] = ['auto', 'lexical', 'model'];

export interface FolderSettings {
  readonly readOnOpen: boolean;
  readonly readOnChange: boolean;
  readonly hoverEnabled: boolean;
  readonly maxAnswerTokens: number;
  /** `@mnemo` has the user's chat model write answers from Mnemo's passages. */
  readonly useLanguageModel: boolean;
  /** How passages are found (read on every question, so a change applies at once). */
  readonly retrieval: RetrievalMode;
}

export function folderSettings(folder: vscode.WorkspaceFolder | undefined): FolderSettings {
  const config = vscode.workspace.getConfiguration('mnemo', folder);
  return {
    readOnOpen: config.get<boolean>('readOnOpen', true),
    readOnChange: config.get<boolean>('readOnChange', true),
    hoverEnabled: config.get<boolean>('hover.enabled', true),
    maxAnswerTokens: clampInt(config.get<number>('maxAnswerTokens'), 16, 1024, DEFAULT_MAX_ANSWER_TOKENS),
    useLanguageModel: config.get<boolean>('chat.useLanguageModel', false),
    retrieval: RETRIEVALS.find((r) => r === config.get<string>('retrieval')) ?? 'auto',
  };
}

/** Everything `openEngine` needs for a folder. */
export function engineOptions(
  folder: vscode.WorkspaceFolder,
  extensionUri: vscode.Uri,
  cacheDir: string,
  logger: Logger,
): EngineOptions {
  const config = vscode.workspace.getConfiguration('mnemo', folder);
  const device = config.get<string>('device', 'auto');
  return {
    root: folder.uri.fsPath,
    modelDir: modelDir(config.get<string>('modelPath', ''), folder, extensionUri),
    cacheDir,
    device: DEVICES.includes(device as DevicePreference) ? (device as DevicePreference) : 'auto',
    include: stringList(config.get('include')),
    exclude: [
      ...stringList(config.get('exclude')),
      ...filesExcludePatterns(vscode.workspace.getConfiguration('files', folder).get('exclude')),
    ],
    maxFileBytes: clampInt(config.get<number>('maxFileBytes'), 1024, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_FILE_BYTES),
    maxProseBytes: clampInt(config.get<number>('maxProseBytes'), 1024, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_PROSE_BYTES),
    logger,
  };
}

/**
 * The model folder: the bundled `models/mnemo-m2` when the setting is empty; `~` is the
 * home folder; a relative path is taken from the workspace folder.
 */
function modelDir(setting: string, folder: vscode.WorkspaceFolder, extensionUri: vscode.Uri): string {
  const value = setting.trim();
  if (value === '') return vscode.Uri.joinPath(extensionUri, 'models', 'mnemo-m2').fsPath;
  const expanded = value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
  return path.isAbsolute(expanded) ? expanded : path.join(folder.uri.fsPath, expanded);
}

export function affectsEngine(event: vscode.ConfigurationChangeEvent, folder: vscode.WorkspaceFolder): boolean {
  return ENGINE_SETTINGS.some((key) => event.affectsConfiguration(key, folder));
}

function clampInt(value: number | undefined, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}
