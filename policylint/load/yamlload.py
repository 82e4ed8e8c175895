"""YAML loading: safe, positions recorded, every scalar kept as written.

PyYAML's parser (libyaml's when available) produces events; this module
builds the data from those events itself, iteratively, instead of using a
PyYAML constructor:

* Only the parser runs, never a constructor, so no YAML tag can create a
  Python object (safe by construction, like ``yaml.safe_load``).
* Scalars stay strings. YAML 1.1 resolution would turn an unquoted
  ``2012-10-17`` into a date, ``012345678901`` into the integer 12345678901
  and ``yes`` into True; IAM policy values are text, so only an empty value,
  ``~`` and ``null`` become None.
* CloudFormation short-form tags (``!Ref x``, ``!Sub ...``, ``!GetAtt a.b``)
  become their long forms (``{"Ref": "x"}``, ``{"Fn::Sub": ...}``), so
  templates load as the JSON CloudFormation itself would see.
* Aliases are expanded under a node budget: a "billion laughs" document is
  refused with a positioned problem instead of exhausting memory.
* Duplicate mapping keys are reported, not silently overwritten.
* Nesting depth is bounded without recursion.

Source: YAML 1.2.2 specification, 10.3 Core Schema (https://yaml.org/spec/1.2.2/);
CloudFormation User Guide, *Intrinsic function reference* (short forms).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from policylint.load.source import DataPath, LoadProblem, LoadProblemKind, SourceText

__all__ = ["YamlLocator", "load_yaml", "ALIAS_NODE_BUDGET", "MAX_DEPTH"]

#: Most nodes that alias expansion may add to one file.
ALIAS_NODE_BUDGET = 100_000
#: Deepest nesting accepted.
MAX_DEPTH = 500

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


@dataclass
class YamlLocator:
    """Positions recorded while building YAML data: path -> (line, column), 1-based."""

    source: SourceText
    values: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DataPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value (or key) at ``path``, or None."""
        if key and path in self.keys:
            return self.keys[path]
        return self.values.get(path)

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        """Not available for YAML (positions are line/column); None."""
        return None


def _count_nodes(value, limit: int) -> int:
    n, stack = 0, [value]
    while stack:
        v = stack.pop()
        n += 1
        if n > limit:
            return n
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return n


def _tagged(tag: str, value):
    """Long form of a CloudFormation short-form tag, or the value for core tags."""
    if tag.startswith("tag:yaml.org,2002:"):
        return value
    name = tag[1:]
    if name == "Ref":
        return {"Ref": value}
    if name == "Condition":
        return {"Condition": value}
    if name == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{name}": value}


def load_yaml(source: SourceText) -> tuple[list[object], list[YamlLocator], list[LoadProblem]]:
    """Parse ``source.text`` as one or more YAML documents.

    Returns:
        (documents, locators, problems): one data value and one
        :class:`YamlLocator` per document. On a syntax error or a limit the
        documents list is empty and ``problems`` holds one positioned problem.
        Duplicate keys give DUPLICATE_KEY problems (the last value is kept).
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[object] = []
    locators: list[YamlLocator] = []
    problems: list[LoadProblem] = []
    anchors: dict[str, object] = {}
    budget = ALIAS_NODE_BUDGET

    def pos(mark) -> tuple[int, int]:
        return (mark.line + 1, mark.column + 1)

    # Stack frames: [container, path, pending_key, pending_key_pos, anchor]
    stack: list[list] = []
    loc: YamlLocator | None = None
    root_set = False
    root = None
    try:
        for ev in yaml.parse(source.text, Loader=loader):
            kind = type(ev).__name__
            if kind == "DocumentStartEvent":
                loc = YamlLocator(source)
                anchors = {}
                root_set, root = False, None
                continue
            if kind == "DocumentEndEvent":
                docs.append(root)
                locators.append(loc)  # type: ignore[arg-type]
                continue
            if kind in ("StreamStartEvent", "StreamEndEvent"):
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                if frame[4]:
                    anchors[frame[4]] = frame[0]
                continue
            # A node: scalar, alias, or the start of a collection.
            start = pos(ev.start_mark)
            if kind == "ScalarEvent":
                value: object = ev.value
                if not ev.style and ev.tag is None and ev.value in _NULLS:  # plain scalar
                    value = None
                if ev.tag and ev.tag != "!":
                    value = _tagged(ev.tag, value)
                if ev.anchor:
                    anchors[ev.anchor] = value
            elif kind == "AliasEvent":
                if ev.anchor not in anchors:
                    raise yaml.YAMLError(f"found undefined alias {ev.anchor!r}")
                target = anchors[ev.anchor]
                n = _count_nodes(target, budget + 1)
                budget -= n
                if budget < 0:
                    problems.append(
                        LoadProblem(
                            LoadProblemKind.LIMIT,
                            f"YAML aliases expand to more than {ALIAS_NODE_BUDGET:,} nodes "
                            "(a 'billion laughs' document?); refusing to expand them",
                            *start,
                        )
                    )
                    return [], [], problems
                value = copy.deepcopy(target) if isinstance(target, (dict, list)) else target
            elif kind == "MappingStartEvent":
                value = {}
            elif kind == "SequenceStartEvent":
                value = []
            else:  # pragma: no cover - PyYAML has no other node events
                continue
            # A tagged collection (!Join [...], !If [...]) is placed in its long
            # form; its items are built inside the wrapper.
            inner = value
            inner_step: tuple = ()
            if kind in ("MappingStartEvent", "SequenceStartEvent") and ev.tag and ev.tag != "!":
                value = _tagged(ev.tag, inner)
                if isinstance(value, dict) and value is not inner:
                    inner_step = (next(iter(value)),)

            # Place the node in its parent.
            if not stack:
                path: DataPath = ()
                root, root_set = value, True
                loc.values[()] = start  # type: ignore[union-attr]
            else:
                frame = stack[-1]
                parent = frame[0]
                if isinstance(parent, dict):
                    if frame[2] is None:  # this node is a key
                        if isinstance(value, (dict, list)):
                            problems.append(
                                LoadProblem(
                                    LoadProblemKind.SYNTAX,
                                    "a mapping key must be a plain value, not a mapping or a sequence",
                                    *start,
                                    frame[1],
                                )
                            )
                            return [], [], problems
                        frame[2] = "" if value is None else str(value)
                        frame[3] = start
                        continue
                    key = frame[2]
                    path = frame[1] + (key,)
                    if key in parent:
                        problems.append(
                            LoadProblem(
                                LoadProblemKind.DUPLICATE_KEY,
                                f'duplicate key "{key}" (first at line {loc.keys[path][0]}); '  # type: ignore[union-attr]
                                "the last value would silently win",
                                *frame[3],
                                path,
                            )
                        )
                    parent[key] = value
                    loc.keys[path] = frame[3]  # type: ignore[union-attr]
                    frame[2] = None
                else:
                    path = frame[1] + (len(parent),)
                    parent.append(value)
                loc.values[path] = start  # type: ignore[union-attr]
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                if len(stack) >= MAX_DEPTH:
                    problems.append(
                        LoadProblem(
                            LoadProblemKind.LIMIT,
                            f"YAML nesting is deeper than this reader's limit of {MAX_DEPTH} levels",
                            *start,
                        )
                    )
                    return [], [], problems
                stack.append([inner, path + inner_step, None, None, ev.anchor])
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = e.problem or str(e)
        if "maximum nesting depth" in what:  # libyaml's own limit
            problems.append(LoadProblem(LoadProblemKind.LIMIT, f"YAML nesting is deeper than the parser's limit ({what})", line, col))
            return [], [], problems
        if e.context:
            what = f"{e.context}: {what}"
        problems.append(LoadProblem(LoadProblemKind.SYNTAX, f"invalid YAML: {what}", line, col))
        return [], [], problems
    except yaml.YAMLError as e:
        problems.append(LoadProblem(LoadProblemKind.SYNTAX, f"invalid YAML: {e}", 1, 1))
        return [], [], problems
    if not docs:
        problems.append(LoadProblem(LoadProblemKind.SYNTAX, "file is empty: expected a YAML document", 1, 1))
    return docs, locators, problems
