// Which tree-sitter grammar reads which files, and what a definition, a name and a doc comment
// are in each. The grammars are VS Code's own prebuilt ones (@vscode/tree-sitter-wasm).
import { basename, extname } from 'node:path';
import type { DefinitionKind } from './types';

export type DocStyle =
  /** A string literal as the first statement of the body (PEP 257). */
  | 'docstring'
  /** Comments right above the definition (JSDoc, `///`, `#`, `//`). */
  | 'comment-above';

export interface LanguageSpec {
  /** Name of the grammar, as in `tree-sitter-<grammar>.wasm`. */
  readonly grammar: string;
  /** Node types that define something, and what. 'function' becomes 'method' inside a class. */
  readonly definitions: Readonly<Record<string, DefinitionKind>>;
  /** Node types that enclose definitions and give them a qualifier, without being one (Rust's `impl`). */
  readonly containers?: Readonly<Record<string, string>>;
  /** Node types whose text is a name used in the code. */
  readonly identifiers: readonly string[];
  /** Node types that wrap a definition and so start its span and carry its comment (`export`, decorators). */
  readonly wrappers: readonly string[];
  readonly doc: DocStyle;
  readonly comment: readonly string[];
  /** Top-level variable declarations worth a definition: the node types and how to reach their names. */
  readonly topLevelVariables?: Readonly<Record<string, 'python-assignment' | 'declarator'>>;
}

const JS_DEFINITIONS: Record<string, DefinitionKind> = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  class_declaration: 'class',
  abstract_class_declaration: 'class',
  method_definition: 'function',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
  internal_module: 'module',
  abstract_method_signature: 'function',
  method_signature: 'function',
};

const JS: Omit<LanguageSpec, 'grammar'> = {
  definitions: JS_DEFINITIONS,
  identifiers: ['identifier', 'type_identifier', 'property_identifier', 'shorthand_property_identifier'],
  wrappers: ['export_statement', 'lexical_declaration', 'variable_declaration', 'ambient_declaration'],
  doc: 'comment-above',
  comment: ['comment'],
  topLevelVariables: { variable_declarator: 'declarator' },
};

export const LANGUAGES: Readonly<Record<string, LanguageSpec>> = {
  python: {
    grammar: 'python',
    definitions: { class_definition: 'class', function_definition: 'function' },
    identifiers: ['identifier'],
    wrappers: ['decorated_definition'],
    doc: 'docstring',
    comment: ['comment'],
    topLevelVariables: { expression_statement: 'python-assignment' },
  },
  javascript: { grammar: 'javascript', ...JS },
  typescript: { grammar: 'typescript', ...JS },
  tsx: { grammar: 'tsx', ...JS },
  go: {
    grammar: 'go',
    definitions: { function_declaration: 'function', method_declaration: 'function', type_spec: 'type' },
    identifiers: ['identifier', 'type_identifier', 'field_identifier'],
    wrappers: ['type_declaration'],
    doc: 'comment-above',
    comment: ['comment'],
  },
  rust: {
    grammar: 'rust',
    definitions: {
      function_item: 'function', struct_item: 'class', enum_item: 'enum', trait_item: 'interface',
      mod_item: 'module', type_item: 'type', union_item: 'class', macro_definition: 'function',
    },
    containers: { impl_item: 'type' },
    identifiers: ['identifier', 'type_identifier', 'field_identifier'],
    wrappers: [],
    doc: 'comment-above',
    comment: ['line_comment', 'block_comment'],
  },
  java: {
    grammar: 'java',
    definitions: {
      class_declaration: 'class', interface_declaration: 'interface', enum_declaration: 'enum', record_declaration: 'class',
      method_declaration: 'function', constructor_declaration: 'function', annotation_type_declaration: 'interface',
    },
    identifiers: ['identifier', 'type_identifier'],
    wrappers: [],
    doc: 'comment-above',
    comment: ['block_comment', 'line_comment'],
  },
  csharp: {
    grammar: 'c-sharp',
    definitions: {
      class_declaration: 'class', interface_declaration: 'interface', struct_declaration: 'class', enum_declaration: 'enum',
      record_declaration: 'class', method_declaration: 'function', constructor_declaration: 'function', namespace_declaration: 'module',
    },
    identifiers: ['identifier'],
    wrappers: [],
    doc: 'comment-above',
    comment: ['comment'],
  },
  ruby: {
    grammar: 'ruby',
    definitions: { class: 'class', module: 'module', method: 'function', singleton_method: 'function' },
    identifiers: ['identifier', 'constant'],
    wrappers: [],
    doc: 'comment-above',
    comment: ['comment'],
  },
  php: {
    grammar: 'php',
    definitions: {
      class_declaration: 'class', interface_declaration: 'interface', trait_declaration: 'interface', enum_declaration: 'enum',
      function_definition: 'function', method_declaration: 'function',
    },
    identifiers: ['name'],
    wrappers: [],
    doc: 'comment-above',
    comment: ['comment'],
  },
};

const BY_EXTENSION: Readonly<Record<string, string>> = {
  py: 'python', pyi: 'python', pyw: 'python',
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'tsx',
  go: 'go', rs: 'rust', java: 'java', cs: 'csharp', rb: 'ruby', rake: 'ruby', php: 'php',
};

/** The language whose grammar reads `path`, by its name; undefined when no grammar does. */
export function languageOfPath(path: string): string | undefined {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.min.js')) return undefined; // one enormous line: nothing to find in it
  return BY_EXTENSION[extname(name).slice(1)];
}
