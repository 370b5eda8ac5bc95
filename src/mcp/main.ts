// `mnemo mcp [dir]`: serves a folder's memory to MCP clients (Claude Code, Cursor, Continue,
// VS Code) over stdio. The protocol answers at once; the model loads and the memory catches up
// in the background, and results say how much has been read. stdout carries only the protocol;
// logs go to stderr, which MCP clients show in their server logs.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { DevicePreference, Engine, Logger } from '../core/api';
import { openEngine } from '../core/engine';
import { KeepCurrent } from './keepCurrent';
import { createMcpServer } from './server';

export interface McpOptions {
  readonly root: string;
  readonly modelDir: string;
  readonly cacheDir: string;
  readonly device: DevicePreference;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly maxFileBytes?: number;
  readonly maxProseBytes?: number;
  /** Seconds between checks for changed files (0: catch up once on start only). */
  readonly rescanSeconds: number;
  readonly verbose: boolean;
  readonly version: string;
}

/** Default seconds between re-scans. */
export const DEFAULT_RESCAN_SECONDS = 10;

function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (m: string) => { process.stderr.write(`mnemo mcp ${level}: ${m}\n`); };
  const quiet = () => undefined;
  return { info: verbose ? write('info') : quiet, debug: verbose ? write('debug') : quiet, warn: write('warning'), error: write('error') };
}

/** Serves until the client goes away (stdin closes) or a signal asks to stop; resolves the exit code. */
export async function runMcpServer(options: McpOptions): Promise<number> {
  const logger = stderrLogger(options.verbose);
  let keeper: KeepCurrent | undefined;
  const opening: Promise<Engine> = openEngine({
    root: options.root, modelDir: options.modelDir, cacheDir: options.cacheDir, device: options.device,
    include: options.include, exclude: options.exclude, maxFileBytes: options.maxFileBytes, maxProseBytes: options.maxProseBytes, logger,
  });
  opening.then((engine) => {
    keeper = new KeepCurrent(engine, {
      rescanSeconds: options.rescanSeconds, logger,
    });
    keeper.start();
  }, (e: unknown) => logger.error(`The memory could not be opened: ${(e as Error).message}`));

  const server = createMcpServer({
    engine: () => opening, include: options.include, exclude: options.exclude, maxFileBytes: options.maxFileBytes,
  }, options.version);
  const transport = new StdioServerTransport();
  let closing: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    const shutdown = (why: string): void => {
      if (closing) return;
      logger.info(`Stopping (${why}); saving what was read.`);
      closing = (async () => {
        await keeper?.dispose();
        const engine = await opening.catch(() => undefined);
        await engine?.dispose();
        await server.close().catch(() => undefined);
      })().finally(resolve);
    };
    transport.onclose = () => shutdown('the client closed the connection');
    // A client that dies leaves stdin at end-of-file; the transport itself does not notice.
    process.stdin.once('end', () => shutdown('stdin closed'));
    process.stdin.once('close', () => shutdown('stdin closed'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  await server.connect(transport);
  logger.info(`Serving the memory of ${options.root} over stdio.`);
  await done;
  return 0;
}
