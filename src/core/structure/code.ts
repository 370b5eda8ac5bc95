// Definitions, doc comments and name uses of one source file, from its tree-sitter tree. One
// pass with a cursor: every node is visited once, and only definitions become Node objects.
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { cleanComment, cleanDocstring, isBoilerplate } from './docText';
import { parserFor } from './grammars';
import { LANGUAGES, type LanguageSpec } from './languages';
import { MAX_SIGNATURE, type Definition, type DefinitionKind, type DocText, type FileStructure } from './types';

/** Files longer than this are not parsed (generated bundles, data): they stay plain text. */
export const MAX_PARSE_CHARS = 2_000_000;
/** A parse that takes longer than this gives up (pathological input); the file stays text. */
const PARSE_TIMEOUT_MS = 3_000;

/** The structure of a source file in `language` (a key of LANGUAGES); undefined if it cannot be parsed. */
export async function codeStructure(language: string, text: string): Promise<FileStructure | undefined> {
  const spec = LANGUAGES[language];
  if (!spec || text.length > MAX_PARSE_CHARS) return undefined;
  const parser = await parserFor(spec.grammar);
  const deadline = performance.now() + PARSE_TIMEOUT_MS;
  const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
  if (!tree) return undefined;
  try {
    return extract(spec, language, tree, text);
  } finally {
    tree.delete();
  }
}

/** Methods count only in a class or interface body, not in an object literal. */
const MEMBER_TYPES = new Set(['method_definition', 'method_signature', 'abstract_method_signature']);
const MEMBER_PARENTS = new Set(['class_body', 'interface_body', 'object_type']);

interface Open {
  readonly depth: number;
  readonly qualifiedName: string;
  readonly kind: DefinitionKind | 'container';
}

function extract(spec: LanguageSpec, language: string, tree: Tree, text: string): FileStructure {
  const lines = text.split('\n');
  const identifiers = new Set(spec.identifiers);
  const counts = new Map<string, { count: number; first: number }>();
  const definitions: Definition[] = [];
  const open: Open[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      const depth = cursor.currentDepth;
      while (open.length > 0 && open[open.length - 1]!.depth >= depth) open.pop();
      const type = cursor.nodeType;
      if (identifiers.has(type)) {
        const name = cursor.nodeText;
        if (name.length >= 2 && name.length <= 100) {
          const seen = counts.get(name);
          if (seen) seen.count++;
          else counts.set(name, { count: 1, first: cursor.startPosition.row + 1 });
        }
      } else {
        const enclosing = open[open.length - 1];
        // Helpers inside a function or a variable's value are its own business, not the file's.
        const insideFunction = enclosing !== undefined && (enclosing.kind === 'function' || enclosing.kind === 'method' || enclosing.kind === 'variable');
        const kind = spec.definitions[type];
        const container = spec.containers?.[type];
        if (kind && !insideFunction && (!MEMBER_TYPES.has(type) || MEMBER_PARENTS.has(cursor.currentNode.parent?.type ?? ''))) {
          const def = definition(spec, cursor.currentNode, kind, enclosing, text);
          if (def) {
            definitions.push(def);
            open.push({ depth, qualifiedName: def.qualifiedName, kind: def.kind });
          }
        } else if (container && !insideFunction) {
          const name = cursor.currentNode.childForFieldName(container)?.text;
          if (name) open.push({ depth, qualifiedName: qualify(enclosing, name), kind: 'container' });
        } else if (!insideFunction && depth <= 3 && spec.topLevelVariables?.[type]) {
          const def = topLevelVariable(spec, cursor.currentNode, spec.topLevelVariables[type]!, depth, lines, text);
          if (def) {
            definitions.push(def);
            open.push({ depth, qualifiedName: def.qualifiedName, kind: def.kind === 'class' ? 'class' : 'variable' });
          }
        }
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          const refs = [...counts.entries()];
          return {
            language, lines: lines.length, doc: moduleDoc(spec, tree.rootNode, lines, text), definitions,
            references: { names: refs.map(([n]) => n), counts: refs.map(([, c]) => c.count), firstLines: refs.map(([, c]) => c.first) },
          };
        }
      }
    }
  } finally {
    cursor.delete();
  }
}

function qualify(enclosing: Open | undefined, name: string): string {
  return enclosing ? `${enclosing.qualifiedName}.${name}` : name;
}

function definition(spec: LanguageSpec, node: Node, kind: DefinitionKind, enclosing: Open | undefined, source: string): Definition | undefined {
  const name = node.childForFieldName('name')?.text;
  if (!name) return undefined;
  const inType = enclosing !== undefined && enclosing.kind !== 'module' && enclosing.kind !== 'function' && enclosing.kind !== 'method';
  const finalKind: DefinitionKind = kind === 'function' && inType ? 'method' : kind;
  // The span starts at the wrapper (decorators, `export`), which also carries the doc comment.
  let outer = node;
  while (outer.parent && spec.wrappers.includes(outer.parent.type)) outer = outer.parent;
  const doc = spec.doc === 'docstring' ? docstringOf(node) : commentAbove(spec, outer, source);
  return {
    kind: finalKind, name, qualifiedName: qualify(enclosing, name),
    startLine: Math.min(outer.startPosition.row, doc?.startLine !== undefined ? doc.startLine - 1 : Infinity) + 1,
    endLine: outer.endPosition.row + 1,
    signature: signatureOf(node, source), signatureLine: node.startPosition.row + 1,
    ...(doc ? { doc } : {}),
  };
}

/** A module-level `NAME = value` (Python) or `const name = …` (JavaScript): things other files import. */
function topLevelVariable(spec: LanguageSpec, node: Node, how: 'python-assignment' | 'declarator', depth: number, lines: string[], source: string): Definition | undefined {
  let nameNode: Node | null = null;
  let kind: DefinitionKind = 'variable';
  if (how === 'python-assignment') {
    if (depth !== 1) return undefined;
    const assignment = node.firstNamedChild;
    if (assignment?.type !== 'assignment') return undefined;
    nameNode = assignment.childForFieldName('left');
    if (nameNode?.type !== 'identifier') return undefined;
  } else {
    // program > [export_statement >] lexical_declaration > variable_declarator
    const declaration = node.parent;
    const top = declaration?.parent?.type === 'export_statement' ? declaration.parent : declaration;
    if (top?.parent?.type !== 'program') return undefined;
    nameNode = node.childForFieldName('name');
    if (nameNode?.type !== 'identifier') return undefined;
    const value = node.childForFieldName('value')?.type;
    if (value === 'arrow_function' || value === 'function_expression' || value === 'function') kind = 'function';
    else if (value === 'class') kind = 'class';
  }
  let outer = node;
  while (outer.parent && spec.wrappers.includes(outer.parent.type)) outer = outer.parent;
  const doc = spec.doc === 'docstring' ? undefined : commentAbove(spec, outer, source);
  const name = nameNode.text;
  return {
    kind, name, qualifiedName: name,
    startLine: Math.min(outer.startPosition.row, doc ? doc.startLine - 1 : Infinity) + 1,
    endLine: outer.endPosition.row + 1,
    signature: clip((lines[node.startPosition.row] ?? '').trim()), signatureLine: node.startPosition.row + 1,
    ...(doc ? { doc } : {}),
  };
}

/** The text from the definition's start to its body, whitespace collapsed: `def f(a, b) -> int:`. */
function signatureOf(node: Node, source: string): string {
  const body = node.childForFieldName('body');
  const head = body ? source.slice(node.startIndex, body.startIndex) : source.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 400)).split('\n', 1)[0]!;
  return clip(head.replace(/\s+/g, ' ').trim().replace(/\s*\{$/, ''));
}

function clip(s: string): string {
  return s.length <= MAX_SIGNATURE ? s : `${s.slice(0, MAX_SIGNATURE - 1)}…`;
}

/** PEP 257: a string literal as the first statement of the body. */
function docstringOf(node: Node): DocText | undefined {
  const body = node.type === 'module' ? node : node.childForFieldName('body');
  const first = body?.firstNamedChild;
  if (first?.type !== 'expression_statement') return undefined;
  const string = first.firstNamedChild;
  if (string?.type !== 'string' && string?.type !== 'concatenated_string') return undefined;
  const text = cleanDocstring(string.text);
  return text === '' ? undefined : { text, startLine: string.startPosition.row + 1, endLine: string.endPosition.row + 1 };
}

/** The comment block ending on the line above `node` (consecutive line comments, or one block comment). */
function commentAbove(spec: LanguageSpec, node: Node, source: string): DocText | undefined {
  let prev = node.previousNamedSibling;
  let expectRow = node.startPosition.row - 1;
  let start: Node | undefined;
  let end: Node | undefined;
  while (prev && spec.comment.includes(prev.type) && prev.endPosition.row === expectRow) {
    const isBlock = prev.text.startsWith('/*');
    if (isBlock && start) break; // a block comment above line comments is a separate note
    start = prev;
    end ??= prev;
    if (isBlock) break;
    expectRow = prev.startPosition.row - 1;
    prev = prev.previousNamedSibling;
  }
  if (!start || !end) return undefined;
  return commentText(start, end, source);
}

function commentText(start: Node, end: Node, source: string): DocText | undefined {
  const first = start.startPosition.row;
  const last = end.endPosition.row;
  const text = cleanComment(source.slice(start.startIndex, end.endIndex));
  if (text === '' || isBoilerplate(text)) return undefined;
  return { text, startLine: first + 1, endLine: last + 1 };
}

/** What a file says about itself: its docstring, or the first comment block that is not a licence. */
function moduleDoc(spec: LanguageSpec, root: Node, lines: string[], source: string): DocText | undefined {
  if (spec.doc === 'docstring') {
    const doc = docstringOf(root);
    if (doc) return doc;
  }
  let child = root.firstNamedChild;
  while (child) {
    if (!spec.comment.includes(child.type)) {
      // `"use strict";`, a Python coding line or a shebang may come first; a definition ends the search.
      if (child.startPosition.row > 3 || !/^(expression_statement|hash_bang_line|shebang)$/.test(child.type)) return undefined;
      child = child.nextNamedSibling;
      continue;
    }
    let end = child;
    if (!child.text.startsWith('/*')) {
      while (end.nextNamedSibling && spec.comment.includes(end.nextNamedSibling.type) && end.nextNamedSibling.startPosition.row === end.endPosition.row + 1
        && !end.nextNamedSibling.text.startsWith('/*')) end = end.nextNamedSibling;
    }
    const doc = commentText(child, end, source);
    if (doc && !/^#!/.test(lines[child.startPosition.row] ?? '')) return doc;
    child = end.nextNamedSibling;
  }
  return undefined;
}
