// Loads the tree-sitter runtime and its grammars once per process, lazily: a workspace of
// Markdown never pays for a parser. The runtime and grammars are VS Code's prebuilt WebAssembly
// (@vscode/tree-sitter-wasm), one package whose runtime and grammar ABI versions match.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser } from '@vscode/tree-sitter-wasm';

let runtime: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();
/** One parser per grammar, reused: parsing is synchronous, so no two calls share one at a time. */
const parsers = new Map<string, Parser>();

/**
 * The folder holding the `.wasm` files: the package's own `wasm/` folder, found by walking up
 * from this bundle (dist/, out/test/…) to the node_modules beside it, as the VSIX lays it out
 * too (.vscodeignore lets those files in). MNEMO_TREE_SITTER_WASM overrides it.
 */
export function wasmDir(): string {
  const fromEnv = process.env.MNEMO_TREE_SITTER_WASM;
  if (fromEnv) return fromEnv;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@vscode', 'tree-sitter-wasm', 'wasm');
    if (existsSync(join(candidate, 'tree-sitter.wasm'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`The tree-sitter grammars (@vscode/tree-sitter-wasm) were not found in any node_modules above ${__dirname}.`);
  }
}

function init(): Promise<void> {
  runtime ??= Parser.init({ locateFile: (file: string) => join(wasmDir(), file) }).catch((e: unknown) => {
    runtime = undefined;
    throw new Error(`The tree-sitter runtime did not load from ${wasmDir()}: ${(e as Error).message}`);
  });
  return runtime;
}

/** The parser for `grammar` (e.g. 'python'); shared, so use it without awaiting in between. */
export async function parserFor(grammar: string): Promise<Parser> {
  const ready = parsers.get(grammar);
  if (ready) return ready;
  await init();
  let language = languages.get(grammar);
  if (!language) {
    const file = join(wasmDir(), `tree-sitter-${grammar}.wasm`);
    language = Language.load(file).catch((e: unknown) => {
      languages.delete(grammar);
      throw new Error(`The ${grammar} grammar did not load from ${file}: ${(e as Error).message}`);
    });
    languages.set(grammar, language);
  }
  const loaded = await language;
  const existing = parsers.get(grammar);
  if (existing) return existing;
  const parser = new Parser();
  parser.setLanguage(loaded);
  parsers.set(grammar, parser);
  return parser;
}
