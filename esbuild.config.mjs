// Builds every bundle: the extension, the CLI, the webview, the tests and the benchmarks.
// `node esbuild.config.mjs [--watch] [--production]`
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Every `*.test.ts` (or `*.ts` for benches) below `dir`, recursively. */
function entries(dir, suffix) {
  let found = [];
  let names;
  try { names = readdirSync(dir); } catch { return found; }
  for (const name of names) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found = found.concat(entries(full, suffix));
    else if (name.endsWith(suffix)) found.push(full);
  }
  return found;
}

// onnxruntime-node loads a native addon from its own folder, so it stays a real module.
const nodeExternal = ['vscode', 'onnxruntime-node', 'playwright-core', '@vscode/test-electron'];
const node = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs',
  sourcemap: !production, minify: production, external: nodeExternal, logLevel: 'warning',
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts', cli: 'src/cli/main.ts', engineWorker: 'src/core/host/worker.ts' }, outdir: 'dist' },
  {
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife',
    sourcemap: !production, minify: production, logLevel: 'warning',
    entryPoints: { webview: 'src/webview/main.ts' }, outdir: 'dist',
  },
  { ...node, entryPoints: entries('test', '.test.ts'), outdir: 'out/test', outbase: 'test' },
  { ...node, entryPoints: entries('test', '.run.ts'), outdir: 'out/test', outbase: 'test' },
  { ...node, entryPoints: entries('bench', '.ts'), outdir: 'out/bench', outbase: 'bench' },
].filter((b) => Object.keys(b.entryPoints).length > 0);

for (const options of builds) {
  if (watch) await (await esbuild.context(options)).watch();
  else await esbuild.build(options);
}
