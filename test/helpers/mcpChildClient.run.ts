// A separate MCP client process for test/mcp's "killed client" test (kept out of the test
// folders so the test runner does not run it): it starts `mnemo mcp` on a folder,
// waits until the server is reading, prints `READING <server pid>` and then idles until the test
// kills it with SIGKILL, as a crashed editor or agent would die.
// `node out/test/helpers/mcpChildClient.run.js <cli.js> <folder> <cache> <model>`
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

async function main(): Promise<void> {
  const [cli, folder, cache, model] = process.argv.slice(2) as [string, string, string, string];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp', folder, '--cache', cache, '--model', model, '--device', 'cpu'],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'mnemo-test-child', version: '1' });
  await client.connect(transport);
  for (;;) {
    const r = await client.callTool({ name: 'mnemo_status', arguments: {} });
    const text = (r.content as { text: string }[])[0]!.text;
    const m = /still reading this folder: ([\d,]+) of/.exec(text);
    if (m && Number(m[1]!.replace(/,/g, '')) > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(`READING ${transport.pid}\n`);
  setInterval(() => undefined, 60_000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
