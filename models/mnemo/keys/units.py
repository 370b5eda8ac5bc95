"""Code units (functions, methods, class headers) with their docstrings, and prose sections.

Shared by the pair builder (training) and the evaluation (whole-repository candidates), so the
two cut code the same way. A unit's `code` has its own docstrings (and JSDoc blocks) removed:
the evaluation's candidates must not contain the query.
"""
import ast
import re
from dataclasses import dataclass
from typing import List, Optional


@dataclass
class Unit:
    path: str
    name: str
    kind: str          # 'function' | 'class'
    start: int         # 1-based first line
    end: int           # 1-based last line (inclusive)
    doc: Optional[str]  # the docstring / JSDoc text, or None
    code: str          # source lines of the unit, docstrings removed


def first_sentence(doc: str) -> str:
    """The first sentence of the first paragraph, one line; '' when there is none."""
    para = []
    for line in doc.strip().splitlines():
        line = line.strip()
        if not line:
            if para:
                break
            continue
        if line.startswith('@') or line.startswith(':param') or line.startswith('>>>'):
            break
        para.append(line)
    text = ' '.join(para)
    m = re.search(r'(?<=[a-z0-9)\]`\'"])[.!?](\s|$)', text)
    if m:
        text = text[:m.start() + 1]
    return text.strip()


# ---------------------------------------------------------------- Python

def _docstring_lines(tree) -> set:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = getattr(node, 'body', [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def python_units(path: str, source: str) -> List[Unit]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    lines = source.splitlines()
    skip = _docstring_lines(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        end = node.end_lineno
        kind = 'class' if isinstance(node, ast.ClassDef) else 'function'
        if kind == 'class':
            # A class header and its attributes; its methods are units of their own.
            inner = [c.lineno for c in node.body if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            inner += [d.lineno for c in node.body if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for d in c.decorator_list]
            if inner:
                end = min(inner) - 1
        code = '\n'.join(lines[i - 1] for i in range(start, end + 1) if i not in skip and i - 1 < len(lines))
        out.append(Unit(path, node.name, kind, start, end, ast.get_docstring(node), code))
    return out


# ---------------------------------------------------------------- JavaScript / TypeScript

_JS_DECL = [
    re.compile(r'^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[(<]'),
    re.compile(r'^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)'),
    re.compile(r'^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)'),
    re.compile(r'^\s*(?:[A-Za-z_$][\w$]*\.)+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)'),
    re.compile(r'^\s*([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?function\b'),
    re.compile(r'^\s*(?:(?:public|private|protected|static|readonly|async|override|get|set)\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\([^;]*\)\s*(?::[^{;]*)?\{\s*$'),
]
_JS_KEYWORDS = {'if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'with', 'else', 'do', 'try', 'new', 'typeof', 'constructor'}
_JSDOC = re.compile(r'/\*\*(?!/)(.*?)\*/', re.S)


def _clean_jsdoc(raw: str) -> str:
    lines = []
    for line in raw.splitlines():
        line = re.sub(r'^\s*\*\s?', '', line).rstrip()
        lines.append(line)
    return '\n'.join(lines).strip()


def _block_end(lines: List[str], start: int) -> int:
    """0-based last line of the brace block opened on or after line `start` (strings ignored roughly)."""
    depth, opened = 0, False
    for i in range(start, min(len(lines), start + 400)):
        s = re.sub(r'(["\'`])(?:\\.|(?!\1).)*\1', '', lines[i])
        s = s.split('//')[0]
        for ch in s:
            if ch == '{':
                depth += 1
                opened = True
            elif ch == '}':
                depth -= 1
        if opened and depth <= 0:
            return i
        if not opened and i > start + 3:
            return start
    return min(len(lines) - 1, start + 400 - 1)


def js_units(path: str, source: str) -> List[Unit]:
    lines = source.split('\n')
    # JSDoc blocks: their lines, and the docstring each one gives to the declaration below it
    doc_lines, doc_for = set(), {}
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    import bisect
    for m in _JSDOC.finditer(source):
        a = bisect.bisect_right(offsets, m.start()) - 1
        b = bisect.bisect_right(offsets, m.end() - 1) - 1
        doc_lines.update(range(a, b + 1))
        nxt = b + 1
        while nxt < len(lines) and (not lines[nxt].strip() or lines[nxt].strip().startswith('@')):
            nxt += 1
        doc_for[nxt] = _clean_jsdoc(m.group(1))
    out = []
    starts = []
    for i, line in enumerate(lines):
        if i in doc_lines or len(line) > 400:
            continue
        for k, pat in enumerate(_JS_DECL):
            m = pat.match(line)
            if m and m.group(1) not in _JS_KEYWORDS:
                starts.append((i, m.group(1), 'class' if k == 1 else 'function'))
                break
    start_set = {s for s, _, _ in starts}
    for i, name, kind in starts:
        end = _block_end(lines, i)
        if kind == 'class':
            inner = [s for s in start_set if i < s <= end]
            if inner:
                end = min(inner) - 1
        code = '\n'.join(lines[j] for j in range(i, end + 1) if j not in doc_lines)
        out.append(Unit(path, name, kind, i + 1, end + 1, doc_for.get(i), code))
    return out


def code_units(path: str, source: str) -> List[Unit]:
    if path.endswith('.py'):
        return python_units(path, source)
    if path.endswith(('.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx')) and not path.endswith('.d.ts'):
        return js_units(path, source)
    return []


# ---------------------------------------------------------------- prose

_RST_UNDER = re.compile(r'^([=\-~^*#"+])\1{2,}\s*$')
_MD_HEAD = re.compile(r'^#{1,6}\s+(.+?)\s*#*\s*$')


def sections(source: str):
    """(heading, body) pairs of a Markdown or reStructuredText document."""
    lines = source.split('\n')
    heads = []
    for i, line in enumerate(lines):
        m = _MD_HEAD.match(line)
        if m:
            heads.append((i, i + 1, m.group(1)))
        elif i > 0 and _RST_UNDER.match(line) and lines[i - 1].strip() and len(line.strip()) >= len(lines[i - 1].strip()) \
                and not _RST_UNDER.match(lines[i - 1]):
            heads.append((i - 1, i + 1, lines[i - 1].strip()))
    out = []
    for k, (h, body_start, title) in enumerate(heads):
        body_end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        body = '\n'.join(lines[body_start:body_end]).strip()
        if body:
            out.append((title, body))
    return out
