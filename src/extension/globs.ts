// Turns VS Code's `files.exclude` into the gitignore-syntax patterns the core takes.
// Pure: no `vscode` import.

/**
 * Patterns for the keys of `files.exclude` whose value is `true`. Conditional entries
 * (`{ "when": "$(basename).ts" }`) depend on sibling files and are left to the core's own
 * rules. Braces are expanded because gitignore has none, and a VS Code glob without a slash
 * matches only at the folder's top, which gitignore says with a leading slash.
 */
export function filesExcludePatterns(setting: unknown): string[] {
  if (typeof setting !== 'object' || setting === null) return [];
  const patterns: string[] = [];
  for (const [glob, value] of Object.entries(setting)) {
    if (value !== true) continue;
    for (const expanded of expandBraces(glob.trim())) {
      const pattern = toGitignore(expanded);
      if (pattern && !patterns.includes(pattern)) patterns.push(pattern);
    }
  }
  return patterns;
}

export function toGitignore(glob: string): string | undefined {
  let pattern = glob.replace(/^\.\//, '');
  if (pattern === '' || pattern === '**' || pattern === '**/*') return undefined;
  if (pattern.startsWith('**/') || pattern.startsWith('/')) return pattern;
  if (pattern.replace(/\/$/, '').includes('/')) return pattern;
  pattern = `/${pattern}`;
  return pattern;
}

/** `**\/{a,b}/*.{js,ts}` -> four globs. Unbalanced braces are left as they are. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) { close = i; break; }
    else if (glob[i] === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [glob];
  const head = glob.slice(0, open);
  const tail = glob.slice(close + 1);
  const bounds = [open, ...commas, close];
  const alternatives: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) alternatives.push(glob.slice(bounds[k] + 1, bounds[k + 1]));
  return alternatives.flatMap((alt) => expandBraces(head + alt + tail));
}

/** The user's include/exclude settings: strings only, blanks dropped. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()) : [];
}
