"""Definitions and docstrings of Python files, as JSON, for the question-answering evaluation.

Run by bench/qa/definitions.ts with Debian's /usr/bin/python3 (any Python >= 3.8 works: it needs
`end_lineno`):  python3 bench/qa/pydefs.py FILE...
Prints one JSON object: {"files": {FILE: {"defs": [...], "docstrings": [[start, end], ...]}}}.
- defs: every function, method and class with a docstring: kind, name, the line of `def`/`class`
  (decorators excluded), its last line, the line before its first nested def/class (for a class,
  the part that is its own), the docstring's lines, whether the docstring shares a line with
  other code (then it cannot be removed by whole lines), and the cleaned docstring text.
- docstrings: the line ranges of every docstring in the file (module ones too), so the
  evaluation copy can drop them all.
A file that does not parse is reported with "error" and no definitions.
"""
import ast
import json
import sys


def docstring_node(node):
    body = getattr(node, "body", None)
    if not body:
        return None
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def shares_line(lines, doc, owner):
    # Code before the docstring on its first line (e.g. `def f(): """x"""`) or after it on its last.
    before = lines[doc.lineno - 1][: doc.col_offset] if doc.lineno - 1 < len(lines) else ""
    if before.strip() != "" or (owner is not None and doc.lineno == owner.lineno):
        return True
    last = lines[doc.end_lineno - 1].encode("utf-8")[doc.end_col_offset:].decode("utf-8", "replace")
    rest = last.strip()
    return rest != "" and not rest.startswith("#")


def describe(path):
    with open(path, "rb") as f:
        source = f.read().decode("utf-8", "replace")
    lines = source.split("\n")
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as e:
        return {"error": str(e), "defs": [], "docstrings": []}
    defs = []
    docstrings = []
    module_doc = docstring_node(tree)
    if module_doc is not None and not shares_line(lines, module_doc, None):
        docstrings.append([module_doc.lineno, module_doc.end_lineno])
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        doc = docstring_node(node)
        if doc is None:
            continue
        inline = shares_line(lines, doc, node)
        if not inline:
            docstrings.append([doc.lineno, doc.end_lineno])
        nested = [n.lineno for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        own_end = node.end_lineno
        if isinstance(node, ast.ClassDef) and nested:
            first = min(n.lineno if not getattr(n, "decorator_list", None) else min(d.lineno for d in n.decorator_list) for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
            own_end = max(node.lineno, first - 1)
        defs.append({
            "kind": "class" if isinstance(node, ast.ClassDef) else "function",
            "name": node.name,
            "line": node.lineno,
            "endLine": node.end_lineno,
            "ownEndLine": own_end,
            "docStart": doc.lineno,
            "docEnd": doc.end_lineno,
            "inline": inline,
            "doc": ast.get_docstring(node) or "",
        })
    return {"defs": defs, "docstrings": docstrings}


def main():
    out = {"files": {}}
    for path in sys.argv[1:]:
        out["files"][path] = describe(path)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
