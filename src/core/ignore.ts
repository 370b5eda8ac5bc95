// Which workspace paths to read: .gitignore files at every level, .git/info/exclude, and the
// caller's include/exclude patterns. Matching is done by the `ignore` package, which follows
// git's rules (negation, anchoring, `dir/` patterns, a file in an excluded folder cannot be
// re-included). Every path handed in here is workspace-relative with forward slashes; folders
// end with `/`.
import ignore, { type Ignore } from 'ignore';

/** Git on Linux matches case-sensitively; macOS and Windows file systems fold case. */
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

function newMatcher(): Ignore {
  return ignore({ ignorecase: IGNORE_CASE });
}

/**
 * Turns one caller pattern into gitignore lines. Callers pass both gitignore patterns and VS
 * Code globs (`files.exclude`: `**\/.git`, `**\/*.{js,map}`); the two agree except for braces,
 * which gitignore lacks, so braces are expanded. Matching follows gitignore: a pattern without
 * a slash (`*.log`) matches at any depth, one with a slash is anchored at the workspace root.
 */
export function toGitignorePatterns(pattern: string): string[] {
  let p = pattern.trim();
  if (p === '' || p.startsWith('#')) return [];
  const negated = p.startsWith('!');
  if (negated) p = p.slice(1);
  if (p.startsWith('./')) p = p.slice(2);
  return expandBraces(p).map((x) => (negated ? `!${x}` : x));
}

/** `a{b,c{d,e}}f` -> abf, acdf, acef. Unbalanced braces are kept literally. */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '{') { if (depth++ === 0) open = i; }
    else if (ch === '}' && depth > 0 && --depth === 0) {
      const before = pattern.slice(0, open);
      const after = pattern.slice(i + 1);
      const options = splitTopLevel(pattern.slice(open + 1, i));
      if (options.length < 2) return expandBraces(before + '\\{' + pattern.slice(open + 1, i) + '\\}' + after);
      return options.flatMap((opt) => expandBraces(before + opt + after));
    }
  }
  return [pattern];
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\') { i++; continue; }
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ',' && depth === 0) { parts.push(body.slice(start, i)); start = i + 1; }
  }
  parts.push(body.slice(start));
  return parts;
}

/** A set of caller patterns; `matches` is true when the last pattern that applies is positive. */
export class PatternSet {
  private readonly matcher = newMatcher();
  readonly size: number;

  constructor(patterns: readonly string[]) {
    const lines = patterns.flatMap(toGitignorePatterns);
    this.matcher.add(lines);
    this.size = lines.length;
  }

  matches(relPath: string): boolean {
    return this.size > 0 && this.matcher.ignores(relPath);
  }
}

/** The rules of one ignore file, applied to paths below the folder that holds it. */
interface IgnoreLayer {
  /** Workspace-relative folder with a trailing slash, '' for the root. */
  readonly base: string;
  readonly matcher: Ignore;
  /** Where the rules came from, for skip reasons. */
  readonly source: string;
}

/**
 * The ignore files that apply inside one folder, outermost first. Immutable: a subfolder with
 * its own .gitignore gets a new chain that shares the parent's layers.
 */
export class IgnoreChain {
  private constructor(private readonly layers: readonly IgnoreLayer[]) {}

  static empty(): IgnoreChain {
    return new IgnoreChain([]);
  }

  /** Adds the rules in `content`, read from `source`, for paths below folder `base`. */
  with(base: string, content: string, source: string): IgnoreChain {
    const matcher = newMatcher().add(content);
    return new IgnoreChain([...this.layers, { base, matcher, source }]);
  }

  /**
   * The ignore file that excludes `relPath` (a folder if it ends with `/`), or undefined if it is
   * not ignored. Deeper files override shallower ones and within a file the last matching line
   * wins, as in git.
   */
  ignoredBy(relPath: string): string | undefined {
    let by: string | undefined;
    for (const layer of this.layers) {
      if (!relPath.startsWith(layer.base)) continue;
      const result = layer.matcher.test(relPath.slice(layer.base.length));
      if (result.ignored) by = layer.source;
      else if (result.unignored) by = undefined;
    }
    return by;
  }
}
