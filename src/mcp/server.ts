// The MCP tools over one folder's memory: `mnemo_search`, `mnemo_summary` and `mnemo_status`,
// each a thin wrapper on src/core/tools. Transport-free, so the stdio entry point and tests
// connect it the same way.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine } from '../core/api';
import { statusText, ToolInputError } from '../core/tools/coverage';
import * as text from '../core/tools/descriptions';
import { MAX_QUESTION_CHARS, search } from '../core/tools/search';
import { summary } from '../core/tools/summary';

export interface ServedFolder {
  /** The folder's engine, once the model has loaded; rejects with the reason it could not. */
  engine(): Promise<Engine>;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

export function createMcpServer(folder: ServedFolder, version: string): McpServer {
  const server = new McpServer(
    { name: 'mnemo', title: 'Mnemo', version },
    {
      instructions: 'Mnemo has read every file of this folder into a local memory and keeps it current. '
        + `Call ${text.SEARCH_TOOL} to find where something is by meaning or keyword, ${text.SUMMARY_TOOL} for the map of a folder or file, `
        + `${text.STATUS_TOOL} to see how much has been read.`,
    },
  );

  server.registerTool(text.SEARCH_TOOL, {
    title: 'Search the folder\'s memory',
    description: text.SEARCH_DESCRIPTION,
    inputSchema: {
      question: z.string({ error: '"question" must be a string: what you want to find, in words.' })
        .trim()
        .min(1, '"question" is empty: say what you want to find, e.g. "where are settings saved?".')
        .max(MAX_QUESTION_CHARS, `"question" is too long; keep it under ${MAX_QUESTION_CHARS} characters.`)
        .describe(text.SEARCH_QUESTION_DESCRIPTION),
      max_passages: z.number({ error: '"max_passages" must be a whole number from 1 to 10.' })
        .int('"max_passages" must be a whole number from 1 to 10.')
        .min(1, '"max_passages" must be at least 1.')
        .max(10, '"max_passages" must be at most 10.')
        .optional()
        .describe(text.SEARCH_MAX_PASSAGES_DESCRIPTION),
    },
    annotations: { title: 'Search the folder\'s memory', ...READ_ONLY },
  }, (args, extra) => answer(async () => {
    const engine = await folder.engine();
    const r = await search(engine, args.question, { signal: extra.signal, maxPassages: args.max_passages, maxFileBytes: folder.maxFileBytes });
    return r.text;
  }));

  server.registerTool(text.SUMMARY_TOOL, {
    title: 'Map of a folder or file',
    description: text.SUMMARY_DESCRIPTION,
    inputSchema: {
      path: z.string({ error: '"path" must be a string, relative to the folder\'s root (e.g. "src"), or "." for the whole folder.' })
        .max(1000, '"path" is too long.')
        .optional()
        .describe(text.SUMMARY_PATH_DESCRIPTION),
    },
    annotations: { title: 'Map of a folder or file', ...READ_ONLY },
  }, (args, extra) => answer(async () => {
    const engine = await folder.engine();
    const r = await summary(engine, args.path, {
      signal: extra.signal, include: folder.include, exclude: folder.exclude, maxFileBytes: folder.maxFileBytes,
    });
    return r.text;
  }));

  server.registerTool(text.STATUS_TOOL, {
    title: 'Mnemo memory status',
    description: text.STATUS_DESCRIPTION,
    annotations: { title: 'Mnemo memory status', ...READ_ONLY },
  }, () => answer(async () => statusText(await folder.engine())));

  return server;
}

/**
 * A tool's text as a result. A caller's mistake comes back as an error result with its message
 * (the agent can correct itself); anything else is thrown on, and the SDK reports it the same way.
 */
async function answer(run: () => Promise<string>): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: await run() }] };
  } catch (e) {
    if (e instanceof ToolInputError) return { content: [{ type: 'text', text: e.message }], isError: true };
    throw e;
  }
}
