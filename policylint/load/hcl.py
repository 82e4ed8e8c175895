"""HCL (Terraform ``.tf``) text -> plain values with positions.

Parsing is python-hcl2's (its lark grammar, built with
``propagate_positions``, so every node knows its line and column); this
module only walks that parse tree. Values follow the HashiCorp
*Configuration Language* pages (Expressions: Types and Values, Strings and
Templates, References to Values, Function Calls):

* strings, numbers, ``true``/``false``/``null``, ``[...]`` tuples and ``{...}``
  objects become their JSON values; ``jsonencode(x)`` becomes ``x``;
* ``$${`` (an escaped interpolation) becomes the literal ``${``; ``%%{`` becomes ``%{``;
* heredocs become their text (``<<-`` with the common indentation removed);
* anything Terraform computes (references such as ``var.x`` or
  ``aws_kms_key.app.arn``, other function calls, conditionals, ``for``
  expressions, template directives) becomes a placeholder ``${...}`` holding
  the reference (``${var.x}``), or ``${name(...)}`` for a function call, or
  ``${expression}``: no colon, so rules never take it for an IAM policy
  variable, and treat it as a value unknown until apply;
* a ``[for x in xs : {...}]`` expression whose body is an object becomes a
  list of that one body, its iterator ``x`` a placeholder (``HclFile.for_bodies``);
* ``format(spec, ...)`` with only ``%s`` verbs is applied (its arguments may be placeholders).

Each value's position (1-based line and column of its first character) is
recorded under its data path, and each object key's too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policylint.load.source import DataPath, LoadProblem, LoadProblemKind, SourceText

__all__ = ["Block", "HclFile", "PositionLocator", "parse_hcl", "is_placeholder"]

_SIMPLE_REF = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+|\[[0-9*]+\]|\[\"[\w-]+\"\]|\.\*)*\Z")


def is_placeholder(value: Any) -> bool:
    """True for a whole value Terraform computes (``"${var.x}"``)."""
    return isinstance(value, str) and value.startswith("${") and value.endswith("}") and value.count("${") == 1


@dataclass
class Block:
    """One HCL block: ``type "label" ... { attributes, blocks }``.

    Attributes:
        type: the block type (``resource``, ``statement``, ``dynamic``...).
        labels: its labels, unquoted.
        attrs: attribute name -> value.
        blocks: nested blocks, in order.
        path: a data path naming the block (``("resource", "aws_kms_key", "app")``).
        line, column: where the block starts.
    """

    type: str
    labels: tuple[str, ...]
    attrs: dict[str, Any]
    blocks: list["Block"]
    path: DataPath
    line: int
    column: int


@dataclass
class HclFile:
    """A parsed ``.tf`` file.

    Attributes:
        blocks: the top-level blocks.
        positions: data path -> (line, column) of each value.
        key_positions: data path -> (line, column) of each attribute or object key.
        heredocs: data path -> file offset of the first character of the text
            of a ``<<`` heredoc (its characters map one to one to the file).
        sources: data path -> the HCL source text of each value Terraform computes.
        for_bodies: data path -> (line, column) of each ``[for ... : {...}]``
            expression read as a one-element list of its body (the body an
            object, such as a policy statement, with the iterator's values unknown).
        problems: a syntax error, if the file does not parse (then ``blocks`` is empty).
    """

    blocks: list[Block] = field(default_factory=list)
    positions: dict = field(default_factory=dict)
    key_positions: dict = field(default_factory=dict)
    heredocs: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    for_bodies: dict = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)


class PositionLocator:
    """A locator over recorded positions: ``prefix + path`` is looked up in
    ``positions`` (values) or ``key_positions`` (keys), or, when absent, its
    nearest recorded parent."""

    def __init__(self, source: SourceText, positions: dict, key_positions: dict, prefix: DataPath = ()) -> None:
        self.source, self.positions, self.key_positions, self.prefix = source, positions, key_positions, prefix

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        full = self.prefix + tuple(path)
        if key and full in self.key_positions:
            return self.key_positions[full]
        return self.positions.get(full)

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        return None


def _unescape(s: str) -> str:
    """HCL quoted-string escapes (``\\n``, ``\\"``, ``\\uNNNN``...)."""
    if "\\" not in s:
        return s
    out, i = [], 0
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n in simple:
                out.append(simple[n])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(n)
            digits = s[i + 2 : i + 2 + width] if width else ""
            if width and len(digits) == width and all(d in "0123456789abcdefABCDEF" for d in digits) \
                    and int(digits, 16) <= 0x10FFFF:
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
        out.append(c)
        i += 1
    return "".join(out)


class _Walker:
    def __init__(self, source: SourceText, out: HclFile) -> None:
        self.text = source.text
        self.out = out

    def src(self, tree) -> str:
        return self.text[tree.meta.start_pos : tree.meta.end_pos]

    def at(self, path: DataPath, tree) -> None:
        if not getattr(tree.meta, "empty", True):
            self.out.positions[path] = (tree.meta.line, tree.meta.column)

    def placeholder(self, tree) -> str:
        s = " ".join(self.src(tree).split())
        if _SIMPLE_REF.match(s):
            return "${" + s + "}"
        node = tree
        while hasattr(node, "data") and node.data == "expr_term" and len(node.children) == 1:
            node = node.children[0]
        if hasattr(node, "data") and node.data == "function_call":
            return "${" + str(node.children[0].children[0]) + "(...)}"
        return "${expression}"

    # --- bodies and blocks -------------------------------------------------
    def body(self, tree, path: DataPath) -> tuple[dict[str, Any], list[Block]]:
        attrs: dict[str, Any] = {}
        blocks: list[Block] = []
        for child in tree.children:
            if not hasattr(child, "data"):
                continue
            if child.data == "attribute":
                name = self.name(child.children[0])
                apath = path + (name,)
                self.out.key_positions[apath] = (child.meta.line, child.meta.column)
                attrs[name] = self.value(child.children[-1], apath)
            elif child.data == "block":
                blocks.append(self.block(child, path, len(blocks)))
        return attrs, blocks

    def name(self, node) -> str:
        if hasattr(node, "children"):
            if node.data == "string":
                return "".join(str(p.children[0]) for p in node.children if hasattr(p, "data"))
            return "".join(self.name(c) for c in node.children)
        return str(node)

    def block(self, tree, parent: DataPath, index: int) -> Block:
        parts = [c for c in tree.children if hasattr(c, "data") and c.data in ("identifier", "keyword", "literal_value", "string")]
        btype = self.name(parts[0])
        labels = tuple(self.name(p) for p in parts[1:])
        body = next(c for c in tree.children if hasattr(c, "data") and c.data == "body")
        path = parent + ((btype,) + labels if not parent else (btype, index))
        self.out.positions[path] = (tree.meta.line, tree.meta.column)
        attrs, blocks = self.body(body, path)
        return Block(btype, labels, attrs, blocks, path, tree.meta.line, tree.meta.column)

    # --- expressions ---------------------------------------------------------
    def value(self, tree, path: DataPath) -> Any:
        self.at(path, tree)
        kind = tree.data
        if kind == "expr_term":
            kids = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
            if len(kids) == 1 and kids[0].data in ("string", "tuple", "object", "int_lit", "float_lit", "literal_value",
                                                     "function_call", "heredoc_template", "heredoc_template_trim",
                                                     "expr_term", "conditional", "binary_op"):
                if kids[0].data in ("expr_term", "conditional", "binary_op"):
                    return self.value(kids[0], path) if kids[0].data == "expr_term" else self.placeholder(kids[0])
                return self.value(kids[0], path)
            if len(kids) == 1 and kids[0].data == "for_tuple_expr":
                body = self.for_body(kids[0])
                if body is not None:
                    self.out.for_bodies[path] = (tree.meta.line, tree.meta.column)
                    return [self.value(body, path + (0,))]
            self.out.sources[path] = self.src(tree)
            return self.placeholder(tree)
        if kind == "string":
            return self.string(tree)
        if kind == "int_lit":
            return int(str(tree.children[0]))
        if kind == "float_lit":
            return float(str(tree.children[0]))
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(tree.children[0])]
        if kind == "tuple":
            items = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
            return [self.value(c, path + (i,)) for i, c in enumerate(items)]
        if kind == "object":
            obj: dict[str, Any] = {}
            for elem in tree.children:
                if not hasattr(elem, "data") or elem.data != "object_elem":
                    continue
                keynode = elem.children[0]
                key = self.key(keynode)
                self.out.key_positions[path + (key,)] = (keynode.meta.line, keynode.meta.column)
                obj[key] = self.value(elem.children[-1], path + (key,))
            return obj
        if kind == "function_call":
            fname = self.name(tree.children[0])
            args = next((c for c in tree.children if hasattr(c, "data") and c.data == "arguments"), None)
            exprs = [c for c in args.children if hasattr(c, "data") and c.data != "new_line_or_comment"] if args else []
            if fname == "jsonencode" and len(exprs) == 1:
                return self.value(exprs[0], path)
            if fname == "format" and exprs:
                spec = self.value(exprs[0], path)
                args = [self.value(e, path + ("format", i)) for i, e in enumerate(exprs[1:])]
                if isinstance(spec, str) and not is_placeholder(spec) and all(isinstance(a, str) for a in args) \
                        and spec.count("%s") == len(args) and spec.count("%") == len(args):
                    return spec.replace("%s", "\0").split("\0")[0] + "".join(
                        a + part for a, part in zip(args, spec.replace("%s", "\0").split("\0")[1:]))
            self.out.sources[path] = self.src(tree)
            return self.placeholder(tree)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(tree, path, trim=kind.endswith("trim"))
        self.out.sources[path] = self.src(tree)
        return self.placeholder(tree)

    @staticmethod
    def for_body(tree):
        """The body of ``[for x in xs : BODY]`` (``if`` filter or not) when it is an object, else None."""
        kids = [c for c in tree.children if hasattr(c, "data") and c.data != "new_line_or_comment"]
        body = next((c for c in kids if c.data not in ("for_intro", "for_cond")), None)
        inner = body
        while hasattr(inner, "data") and inner.data == "expr_term" and len(
                [c for c in inner.children if hasattr(c, "data")]) == 1:
            inner = next(c for c in inner.children if hasattr(c, "data"))
        return body if hasattr(inner, "data") and inner.data == "object" else None

    def key(self, keynode) -> str:
        inner = keynode.children[0]
        while hasattr(inner, "data") and inner.data == "expr_term" and len(inner.children) == 1:
            inner = inner.children[0]
        if hasattr(inner, "data") and inner.data == "string":
            return self.string(inner)
        if hasattr(inner, "data") and inner.data in ("identifier", "keyword"):
            return self.name(inner)
        return self.placeholder(keynode)

    def string(self, tree) -> str:
        out = []
        for part in tree.children:
            if not hasattr(part, "data"):
                continue
            (piece,) = part.children
            if hasattr(piece, "data"):  # interpolation or a template directive
                if piece.data == "interpolation":
                    expr = next(c for c in piece.children if hasattr(c, "data"))
                    out.append(self.placeholder(expr))
                else:
                    out.append("${template-directive}")
                continue
            tok = str(piece)
            if piece.type == "ESCAPED_INTERPOLATION":
                out.append(tok[1:])
            elif piece.type == "ESCAPED_DIRECTIVE":
                out.append(tok[1:])
            else:
                out.append(_unescape(tok))
        return "".join(out)

    def heredoc(self, tree, path: DataPath, trim: bool) -> str:
        tok = tree.children[0]
        raw = str(tok)
        first_nl = raw.index("\n") + 1
        marker = raw[2 + trim : first_nl].strip()
        body = raw[first_nl:].rstrip("\r\n")
        body = body[: len(body) - len(marker)].rstrip(" \t")
        if not trim:
            self.out.heredocs[path] = tok.start_pos + first_nl
            return re.sub(r"\$\$\{", "${", body) if "$${" in body else body
        lines = body.split("\n")
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        return "\n".join(ln[cut:] for ln in lines).replace("$${", "${")


def parse_hcl(source: SourceText) -> HclFile:
    """Parse a ``.tf`` file with python-hcl2 and walk it.

    Returns:
        An :class:`HclFile`; a file that does not parse comes back with one
        SYNTAX problem at the line and column the parser reports (never raises).
    """
    import hcl2
    from lark.exceptions import UnexpectedInput

    out = HclFile()
    try:
        tree = hcl2.parses_to_tree(source.text)
    except UnexpectedInput as e:
        out.problems.append(LoadProblem(LoadProblemKind.SYNTAX, f"HCL syntax error: {str(e).splitlines()[0]}",
                                        getattr(e, "line", None), getattr(e, "column", None)))
        return out
    except Exception as e:  # the library's own errors (e.g. a heredoc it cannot match)
        out.problems.append(LoadProblem(LoadProblemKind.SYNTAX, f"HCL syntax error: {type(e).__name__}: {e}", 1, 1))
        return out
    body = tree.children[0]
    walker = _Walker(source, out)
    try:
        _, out.blocks = walker.body(body, ())
    except RecursionError:
        out.blocks = []
        out.problems.append(LoadProblem(LoadProblemKind.LIMIT, "HCL nested too deeply to read", 1, 1))
    return out
