// Runs every bundled unit and integration test under out/test/{core,cli,mcp,extension,bench}
// with node's test runner. Node 20's runner takes folders but not globs, and fails on a
// folder that does not exist, so the folders are listed here.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const folders = ['core', 'cli', 'mcp', 'extension', 'bench'].map((f) => `out/test/${f}`).filter(existsSync);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...folders, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
