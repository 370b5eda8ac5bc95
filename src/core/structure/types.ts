// What the structure of one file is, as the parser (or, for prose, the heading reader) found it.
// Lines are 1-based and inclusive, the same as citations, so any of these opens in the editor.

export type DefinitionKind =
  | 'class' | 'function' | 'method' | 'interface' | 'type' | 'enum' | 'variable' | 'module' | 'heading';

/** A comment or docstring, cleaned of its markers; `startLine..endLine` hold it in the file. */
export interface DocText {
  readonly text: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface Definition {
  readonly kind: DefinitionKind;
  readonly name: string;
  /** Names of the enclosing definitions and this one, joined by dots (`Class.method`). */
  readonly qualifiedName: string;
  /** The whole definition, decorators and body included. */
  readonly startLine: number;
  readonly endLine: number;
  /** The line that introduces it (`def f(x):`, `export class A {`, `## Heading`), trimmed and capped. */
  readonly signature: string;
  readonly signatureLine: number;
  /** Its docstring or doc comment; for a heading, the paragraph that opens the section. */
  readonly doc?: DocText;
  /** Headings only: 1 for a chapter, 2 for a section, and so on. */
  readonly level?: number;
}

/**
 * Identifier occurrences, one row per distinct name: how often the file uses it and the first
 * line it does. Enough to rank definitions by use and to point at the places that use one most,
 * at a fraction of the size of every occurrence.
 */
export interface References {
  readonly names: readonly string[];
  readonly counts: readonly number[];
  readonly firstLines: readonly number[];
}

export interface FileStructure {
  /** The grammar or reader that produced it: 'python', 'typescript', 'markdown', 'rst', 'text'… */
  readonly language: string;
  readonly lines: number;
  /** What the file says about itself: module docstring, leading comment, first paragraph. */
  readonly doc?: DocText;
  readonly definitions: readonly Definition[];
  readonly references: References;
}

export const EMPTY_REFERENCES: References = { names: [], counts: [], firstLines: [] };

/** Longest signature kept; a signature is a glance, the citation opens the rest. */
export const MAX_SIGNATURE = 200;
/** Longest doc text kept: its first paragraphs, enough for a hover and a one-line description. */
export const MAX_DOC = 800;
