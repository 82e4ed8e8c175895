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
* Aliases are expanded under a budget of nodes and characters: a "billion
  laughs" document is refused with a positioned problem instead of
  exhausting memory. Merge keys (``<<: *defaults``) are applied.
* Tags other than YAML's core ones and CloudFormation's short forms
  (``!!python/object``, tags declared with ``%TAG``) are refused.
* Duplicate mapping keys are reported, not silently overwritten.
* Nesting depth is bounded without recursion.

Source: YAML 1.2.2 specification, 10.3 Core Schema (https://yaml.org/spec/1.2.2/);
CloudFormation User Guide, *Intrinsic function reference* (short forms).
"""

from __future__ import annotations

import re

import copy
from dataclasses import dataclass, field

from policylint.load.source import DataPath, LoadProblem, LoadProblemKind, SourceText

__all__ = ["ALIAS_CHAR_BUDGET", "ALIAS_NODE_BUDGET", "CFN_TAGS", "MAX_DEPTH", "YamlLocator", "load_yaml"]

#: Most nodes, and characters of text, that alias expansion may add to one file.
ALIAS_NODE_BUDGET = 100_000
ALIAS_CHAR_BUDGET = 10_000_000
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


def _weigh(value, node_limit: int, char_limit: int) -> tuple[int, int]:
    """(nodes, characters of text) in ``value``, counting stops past the limits."""
    nodes = chars = 0
    stack = [value]
    while stack:
        v = stack.pop()
        nodes += 1
        if isinstance(v, str):
            chars += len(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
            chars += sum(len(k) for k in v)
        elif isinstance(v, list):
            stack.extend(v)
        if nodes > node_limit or chars > char_limit:
            break
    return nodes, chars


#: CloudFormation's intrinsic functions and condition functions, the only
#: local tags a template may use (CloudFormation User Guide, *Intrinsic
#: function reference*).
CFN_TAGS = frozenset((
    "Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "And", "Or", "Not",
    "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "ToJsonString", "Length", "ForEach",
))
_CORE = "tag:yaml.org,2002:"
_CORE_TAGS = frozenset(("str", "int", "float", "bool", "null", "seq", "map", "binary", "timestamp"))


class _Refused(Exception):
    def __init__(self, kind: LoadProblemKind, message: str, mark) -> None:
        super().__init__(message)
        self.kind, self.message, self.mark = kind, message, mark


#: Tags of template tools that pre-process CloudFormation (``!Rain::Embed``, ``!Rain::S3``).
_TOOL_TAG = re.compile(r"!\w+::\w+\Z")


def _tagged(tag: str | None, value, mark):
    """Apply a node's tag: core tags keep the text, CloudFormation short forms
    become their long forms, a template tool's ``!Tool::Function`` an
    unknown function (CloudFormation Rain, *Rain template directives*), anything else (``!!python/...``, ``%TAG``-defined
    tags) is refused: a policy file holds plain values only."""
    if tag is None or tag == "!":
        return value
    if tag.startswith(_CORE):
        if tag[len(_CORE):] in _CORE_TAGS:
            return value
        raise _Refused(LoadProblemKind.SYNTAX, f"unsupported YAML tag !!{tag[len(_CORE):]}: policy files hold plain values", mark)
    if tag.startswith("!") and tag[1:] in CFN_TAGS:
        name = tag[1:]
        if name in ("Ref", "Condition"):
            return {name: value}
        if name == "GetAtt" and isinstance(value, str):
            return {"Fn::GetAtt": value.split(".", 1)}
        return {f"Fn::{name}": value}
    if _TOOL_TAG.match(tag):
        # A template tool's own function (``!Rain::Embed``, run before deployment):
        # an unknown intrinsic, so its value is a placeholder, not a refused file.
        return {f"Fn::{tag[1:]}": value}
    raise _Refused(LoadProblemKind.SYNTAX, f"unsupported YAML tag {tag}: only CloudFormation's short forms (!Ref, !Sub, ...) are known", mark)


def load_yaml(source: SourceText) -> tuple[list[object], list[YamlLocator], list[LoadProblem]]:
    """Parse ``source.text`` as one or more YAML documents.

    Returns:
        (documents, locators, problems): one data value and one
        :class:`YamlLocator` per document. On a syntax error, an unsupported
        tag or a limit, the documents list is empty and ``problems`` holds one
        positioned problem. A file with no document at all gives no documents
        and no problem. Duplicate keys give DUPLICATE_KEY problems (the last
        value is kept). Merge keys (``<<: *defaults``) are applied.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[object] = []
    locators: list[YamlLocator] = []
    problems: list[LoadProblem] = []
    anchors: dict[str, object] = {}
    nodes_left, chars_left = ALIAS_NODE_BUDGET, ALIAS_CHAR_BUDGET

    def pos(mark) -> tuple[int, int]:
        return (mark.line + 1, mark.column + 1)

    # Frames: [container, path, pending_key, pending_key_pos, anchor, merges, key_is_merge]
    stack: list[list] = []
    loc = YamlLocator(source)
    root = None
    try:
        for ev in yaml.parse(source.text, Loader=loader):
            kind = type(ev).__name__
            if kind == "DocumentStartEvent":
                loc = YamlLocator(source)
                anchors = {}
                root = None
                continue
            if kind == "DocumentEndEvent":
                docs.append(root)
                locators.append(loc)
                continue
            if kind in ("StreamStartEvent", "StreamEndEvent"):
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                for src, src_pos in frame[5]:
                    for k, v in src.items():
                        if k not in frame[0]:
                            frame[0][k] = v
                            loc.keys[frame[1] + (k,)] = src_pos
                            loc.values[frame[1] + (k,)] = src_pos
                if frame[4]:
                    anchors[frame[4]] = frame[0]
                continue
            # A node: scalar, alias, or the start of a collection.
            start = pos(ev.start_mark)
            is_key = bool(stack) and isinstance(stack[-1][0], dict) and stack[-1][2] is None
            if kind == "ScalarEvent":
                value: object = ev.value
                if not is_key and not ev.style and ev.tag is None and ev.value in _NULLS:  # plain null
                    value = None
                value = _tagged(ev.tag, value, ev.start_mark)
                if ev.anchor:
                    anchors[ev.anchor] = value
            elif kind == "AliasEvent":
                if ev.anchor not in anchors:
                    raise _Refused(LoadProblemKind.SYNTAX, f"invalid YAML: alias *{ev.anchor} refers to no anchor defined before it", ev.start_mark)
                target = anchors[ev.anchor]
                n, c = _weigh(target, nodes_left + 1, chars_left + 1)
                nodes_left -= n
                chars_left -= c
                if nodes_left < 0 or chars_left < 0:
                    raise _Refused(
                        LoadProblemKind.LIMIT,
                        f"YAML aliases expand to more than {ALIAS_NODE_BUDGET:,} nodes or {ALIAS_CHAR_BUDGET:,} "
                        "characters (a 'billion laughs' document?); refusing to expand them",
                        ev.start_mark,
                    )
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
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                value = _tagged(ev.tag, inner, ev.start_mark)
                if isinstance(value, dict) and value is not inner:
                    inner_step = (next(iter(value)),)

            # Place the node in its parent.
            if not stack:
                path: DataPath = ()
                root = value
                loc.values[()] = start
            else:
                frame = stack[-1]
                parent = frame[0]
                if isinstance(parent, dict):
                    if frame[2] is None:  # this node is a key
                        if isinstance(value, (dict, list)):
                            raise _Refused(LoadProblemKind.SYNTAX, "a mapping key must be a plain value, not a mapping or a sequence", ev.start_mark)
                        frame[2] = "" if value is None else str(value)
                        frame[3] = start
                        frame[6] = kind == "ScalarEvent" and not ev.style and ev.value == "<<"
                        continue
                    key = frame[2]
                    path = frame[1] + (key,)
                    if frame[6]:  # a merge key: merged at the end of the mapping
                        sources = value if isinstance(value, list) else [value]
                        if not all(isinstance(x, dict) for x in sources):
                            raise _Refused(LoadProblemKind.SYNTAX, "invalid YAML: a merge key (<<) needs a mapping or a list of mappings", ev.start_mark)
                        frame[5].extend((x, frame[3]) for x in sources)
                        frame[2] = None
                        if kind in ("MappingStartEvent", "SequenceStartEvent"):
                            stack.append([inner, path + inner_step, None, None, ev.anchor, [], False])
                        continue
                    if key in parent:
                        problems.append(
                            LoadProblem(
                                LoadProblemKind.DUPLICATE_KEY,
                                f'duplicate key "{key}" (first at line {loc.keys[path][0]}); '
                                "the last value would silently win",
                                *frame[3],
                                path,
                            )
                        )
                    parent[key] = value
                    loc.keys[path] = frame[3]
                    frame[2] = None
                else:
                    path = frame[1] + (len(parent),)
                    parent.append(value)
                loc.values[path] = start
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(LoadProblemKind.LIMIT, f"YAML nesting is deeper than this reader's limit of {MAX_DEPTH} levels", ev.start_mark)
                stack.append([inner, path + inner_step, None, None, ev.anchor, [], False])
    except _Refused as r:
        problems.append(LoadProblem(r.kind, r.message, *pos(r.mark)))
        return [], [], problems
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
    return docs, locators, problems
