// Evaluation workspaces live at stable paths under the cache, so that the engine's saved memory
// for them (keyed by the workspace's path) is found again on the next run, and are written
// file by file only where their content changed, so that reused memory stays valid cheaply.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Makes `dir` hold exactly `files` (workspace-relative path → content). */
export function syncFolder(dir: string, files: ReadonlyMap<string, string | Buffer>): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of files) {
    const target = join(dir, rel);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    if (existsSync(target) && statSync(target).size === bytes.length && readFileSync(target).equals(bytes)) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  for (const rel of listFiles(dir)) if (!files.has(rel)) rmSync(join(dir, rel), { force: true });
}

/** Every file below `root`, workspace-relative with forward slashes, sorted; `skip` prunes. */
export function listFiles(root: string, skip: (rel: string, isDir: boolean) => boolean = () => false): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full).split(sep).join('/');
      const st = statSync(full);
      if (skip(rel, st.isDirectory())) continue;
      if (st.isDirectory()) visit(full);
      else if (st.isFile()) out.push(rel);
    }
  };
  if (existsSync(root)) visit(root);
  return out;
}
