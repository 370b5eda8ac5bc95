// Builds the VSIX for one platform: production bundles, the shipped model, and onnxruntime-node
// with only that platform's native library.
//
//   node scripts/package.mjs                       # linux-x64 -> build/mnemo-linux-x64-<version>.vsix
//   node scripts/package.mjs --target darwin-arm64
//   node scripts/package.mjs --target win32-x64 --out my.vsix
//
// Other platforms are built from this same checkout on any machine: onnxruntime-node's npm
// package carries every platform's binaries (bin/napi-v6/<os>/<cpu>), so no cross-compiling is
// needed, only a different --target. onnxruntime-node 1.30 ships linux-x64, linux-arm64,
// darwin-arm64, win32-x64 and win32-arm64; it has no darwin-x64 (Intel Mac) binaries, so that
// target is refused here rather than producing a VSIX that cannot load the runtime.
//
// The last line printed is the VSIX path. Exits non-zero, saying why, when anything is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL_DIR = 'models/mnemo-m2';
const NAPI = 'node_modules/onnxruntime-node/bin/napi-v6';

/** VS Code target -> onnxruntime-node's native folder below bin/napi-v6. */
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

function fail(message) {
  console.error(`package: error: ${message}`);
  process.exit(1);
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = process.argv[i + 1];
  if (!value || value.startsWith('--')) fail(`${name} needs a value`);
  return value;
}

function run(command, args) {
  console.log(`package: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} exited with ${result.status}`);
}

/** File names in a ZIP's central directory (a VSIX is a ZIP). */
function zipEntries(file) {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) fail(`${file} is not a ZIP file`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) fail(`${file}: damaged central directory`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

const target = option('--target', 'linux-x64');
const native = TARGETS[target];
if (!native) {
  fail(`unsupported target "${target}"; onnxruntime-node ships binaries for ${Object.keys(TARGETS).join(', ')}`
    + (target === 'darwin-x64' ? ' (none for Intel Macs)' : ''));
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const out = option('--out', `build/${manifest.name}-${target}-${manifest.version}.vsix`);

const nativeDir = join(ROOT, NAPI, native);
if (!existsSync(join(nativeDir, 'onnxruntime_binding.node'))) {
  fail(`${relative(ROOT, nativeDir)}/onnxruntime_binding.node is missing; run \`ONNXRUNTIME_NODE_INSTALL=skip npm ci\` first`);
}
if (!existsSync(join(ROOT, MODEL_DIR, 'model.json'))) {
  fail(`${MODEL_DIR}/model.json is missing: the VSIX must ship a trained model (see docs/MODEL_CONTRACT.md)`);
}

run(process.execPath, ['esbuild.config.mjs', '--production']);
for (const bundle of ['dist/extension.js', 'dist/engineWorker.js', 'dist/webview.js', 'dist/cli.js']) {
  if (!existsSync(join(ROOT, bundle))) fail(`the build did not produce ${bundle}`);
}

// The committed .vscodeignore plus this target's native folder.
mkdirSync(join(ROOT, 'build'), { recursive: true });
const ignoreFile = join(ROOT, 'build', `vscodeignore-${target}`);
writeFileSync(ignoreFile, `${readFileSync(join(ROOT, '.vscodeignore'), 'utf8')}\n!${NAPI}/${native}/*\n`);

mkdirSync(dirname(join(ROOT, out)), { recursive: true });
run(join(ROOT, 'node_modules/.bin/vsce'), [
  'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out,
  // There is no public repository yet; vsce would otherwise stop to ask, and it cannot turn
  // README.md's relative links (docs/...) into repository URLs, so they are left as written.
  '--allow-missing-repository', '--no-rewrite-relative-links',
]);

// Check what actually went in, not what was meant to. (vsce stores LICENSE as LICENSE.txt.)
const names = zipEntries(join(ROOT, out)).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
const problems = [];
const need = [
  'package.json', 'LICENSE.txt', 'dist/extension.js', 'dist/engineWorker.js', 'dist/webview.js', 'dist/cli.js', `${MODEL_DIR}/model.json`,
  'node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/dist/cjs/index.js',
  `${NAPI}/${native}/onnxruntime_binding.node`,
];
for (const file of need) if (!names.includes(file)) problems.push(`missing ${file}`);
const modelFiles = readdirSync(join(ROOT, MODEL_DIR)).filter((f) => statSync(join(ROOT, MODEL_DIR, f)).isFile());
for (const f of modelFiles) if (!names.includes(`${MODEL_DIR}/${f}`)) problems.push(`missing ${MODEL_DIR}/${f}`);
for (const n of names) {
  if (n.startsWith(`${NAPI}/`) && !n.startsWith(`${NAPI}/${native}/`)) problems.push(`another platform's binary: ${n}`);
  else if (/\.(ts|map|py|pt|ckpt)$/.test(n) && !n.endsWith('.d.ts')) problems.push(`source or checkpoint: ${n}`);
  else if (n.startsWith('models/') && !n.startsWith(`${MODEL_DIR}/`)) problems.push(`not the shipped model: ${n}`);
  else if (n.startsWith(`${MODEL_DIR}/fixtures/`)) problems.push(`test fixture: ${n}`);
  // test/ holds the e2e probe extension (test/e2e/probe), which must never ship inside Mnemo.
  else if (n.startsWith('test/')) problems.push(`test file: ${n}`);
}
if (problems.length) fail(`${out} is wrong:\n  ${problems.join('\n  ')}`);

const megabytes = (statSync(join(ROOT, out)).size / 1024 / 1024).toFixed(1);
console.log(`package: ${out}: ${names.length} files, ${megabytes} MiB, target ${target}`);
console.log(out);
