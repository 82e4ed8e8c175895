"""JSON loading with duplicate-key detection and lazy positions.

Parsing uses the standard library's C decoder (the fast path). Positions are
not recorded while parsing: :class:`JsonLocator` finds them only when a
finding needs one, by scanning just the containers on the requested path and
caching the start offset of every member it passes. A clean file therefore
costs one ``json.loads``; a file with findings costs a few container scans.

RFC 8259 says object names "SHOULD be unique" and leaves duplicates to the
implementation; IAM's parser rejects them. The decoder here records every
object that has a repeated name, so the checker can report each duplicate
instead of silently keeping the last value.
"""

from __future__ import annotations

import json
import re
import sys
from json.decoder import scanstring
from json.scanner import make_scanner

from policylint.load.source import DataPath, LoadProblem, LoadProblemKind, SourceText

__all__ = ["JsonLocator", "load_json"]

_WS = re.compile(r"[ \t\n\r]*")
_scan_once = make_scanner(json.JSONDecoder())


_LONG_INT = re.compile(r"-?[0-9]{%d,}" % (sys.get_int_max_str_digits() + 1)) if sys.get_int_max_str_digits() else re.compile(r"(?!)")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class _Dup(Exception):
    pass


def load_json(source: SourceText) -> tuple[object, list[LoadProblem]]:
    """Parse ``source.text`` as JSON.

    Returns:
        (data, problems). ``data`` is None when the text is not valid JSON;
        then ``problems`` holds one SYNTAX or LIMIT problem with its position.
        Duplicate object keys give one DUPLICATE_KEY problem per repeated key
        (the last value is kept in ``data``, and the problem says so). Text
        nested more than :data:`MAX_DEPTH` levels gives a LIMIT problem.
    """
    text = source.text
    if not text.strip():
        return None, [LoadProblem(LoadProblemKind.SYNTAX, "file is empty: expected a JSON document", 1, 1)]
    dup_seen = False

    def pairs_hook(pairs):
        nonlocal dup_seen
        d = dict(pairs)
        if len(d) != len(pairs):
            dup_seen = True
        return d

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        msg = e.msg
        if msg.startswith("Unterminated string"):
            msg = "a string starting here is never closed (the JSON is truncated, or a quote is missing)"
        elif e.pos >= len(text.rstrip()):
            msg = f"unexpected end of file ({e.msg[0].lower() + e.msg[1:]}): the JSON is truncated"
        line, col = source.line_col(e.pos)
        return None, [LoadProblem(LoadProblemKind.SYNTAX, f"invalid JSON: {msg}", line, col)]
    except ValueError as e:  # NaN, Infinity, -Infinity; integers too long to convert
        long_number = _LONG_INT.search(text) if "digits" in str(e) else None
        if long_number is not None:
            line, col = source.line_col(long_number.start())
            limit = sys.get_int_max_str_digits()
            return None, [LoadProblem(LoadProblemKind.LIMIT, f"a number with more than {limit} digits: longer than this reader reads", line, col)]
        off = _constant_offset(text)
        line, col = source.line_col(off)
        return None, [LoadProblem(LoadProblemKind.SYNTAX, f"invalid JSON: {e}", line, col)]
    except RecursionError:
        off = _too_deep_offset(text, MAX_DEPTH)
        line, col = source.line_col(off)
        return None, [
            LoadProblem(
                LoadProblemKind.LIMIT,
                f"JSON nesting is deeper than this reader's limit of {MAX_DEPTH} levels",
                line,
                col,
            )
        ]
    problems: list[LoadProblem] = []
    # Cheap first: a text with fewer brackets than the limit cannot nest that deep.
    if text.count("[") + text.count("{") >= MAX_DEPTH and _nests_deeper(text, MAX_DEPTH):
        off = _too_deep_offset(text, MAX_DEPTH)
        line, col = source.line_col(off)
        return None, [LoadProblem(LoadProblemKind.LIMIT, f"JSON nesting is deeper than this reader's limit of {MAX_DEPTH} levels", line, col)]
    if dup_seen:
        problems = JsonLocator(source).duplicate_keys()
    return data, problems


def _nests_deeper(text: str, limit: int) -> bool:
    """True if the containers of a valid JSON ``text`` nest ``limit`` or more
    levels deep. Works on the text with regular expressions (C speed): strings
    are dropped, then only brackets kept, then innermost ``{}``/``[]`` pairs
    removed once per level; whatever is left after ``limit - 1`` rounds nests
    deeper."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit - 1):
        if not brackets:
            return False
        brackets = _INNERMOST.sub("", brackets)
    return bool(brackets)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\{\}|\[\]")


#: Deepest nesting reported as such. Python's decoder itself stops near the
#: interpreter's recursion limit (about 1,000 levels), and no policy nests
#: deeper than about 10.
MAX_DEPTH = 500


def _too_deep_offset(text: str, limit: int) -> int:
    """Offset of the first bracket opening nesting level ``limit`` (strings
    skipped), or 0 when the text never nests that deep."""
    depth = 0
    for m in _TOKENS.finditer(text):
        c = m.group()[0]
        if c in "[{":
            depth += 1
            if depth >= limit:
                return m.start()
        elif c in "]}":
            depth -= 1
    return 0


def _constant_offset(text: str) -> int:
    """Offset of the first NaN/Infinity outside strings (0 if none is found)."""
    for m in _TOKENS.finditer(text):
        if m.group()[0] in "-NI":
            return m.start()
    return 0


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?Infinity|NaN')


class JsonLocator:
    """Positions of keys and values in a JSON text, found on demand.

    ``offset(path)`` returns the character offset where the value at ``path``
    starts (or its key, with ``key=True``); ``locate(path)`` converts that to
    a 1-based (line, column). Each container on a requested path is scanned
    once; its members' offsets are cached.

    For a repeated key, positions refer to its last occurrence (the value the
    parser kept).
    """

    def __init__(self, source: SourceText, text: str | None = None) -> None:
        self.source = source
        self.text = source.text if text is None else text
        self._objects: dict[int, dict[str, tuple[int, int]]] = {}
        self._arrays: dict[int, list[int]] = {}
        self._root = _WS.match(self.text, 0).end()

    # -- scanning ---------------------------------------------------------
    def _scan_object(self, start: int) -> dict[str, tuple[int, int]]:
        hit = self._objects.get(start)
        if hit is not None:
            return hit
        text, ws = self.text, _WS.match
        members: dict[str, tuple[int, int]] = {}
        i = ws(text, start + 1).end()
        if text[i] != "}":
            while True:
                key_off = i
                key, i = scanstring(text, i + 1)
                i = ws(text, i).end() + 1  # past ':'
                i = ws(text, i).end()
                members[key] = (key_off, i)
                _, i = _scan_once(text, i)
                i = ws(text, i).end()
                if text[i] == "}":
                    break
                i = ws(text, i + 1).end()  # past ','
        self._objects[start] = members
        return members

    def _scan_array(self, start: int) -> list[int]:
        hit = self._arrays.get(start)
        if hit is not None:
            return hit
        text, ws = self.text, _WS.match
        items: list[int] = []
        i = ws(text, start + 1).end()
        if text[i] != "]":
            while True:
                items.append(i)
                _, i = _scan_once(text, i)
                i = ws(text, i).end()
                if text[i] == "]":
                    break
                i = ws(text, i + 1).end()
        self._arrays[start] = items
        return items

    # -- public -----------------------------------------------------------
    def offset(self, path: DataPath, key: bool = False) -> int | None:
        """Offset of the value (or key) at ``path`` in this locator's text, or None."""
        off = self._root
        key_off = None
        text = self.text
        for step in path:
            if off >= len(text):
                return None
            c = text[off]
            if c == "{" and isinstance(step, str):
                hit = self._scan_object(off).get(step)
                if hit is None:
                    return None
                key_off, off = hit
            elif c == "[" and isinstance(step, int):
                items = self._scan_array(off)
                if not 0 <= step < len(items):
                    return None
                key_off, off = None, items[step]
            else:
                return None
        if key and key_off is not None:
            return key_off
        return off

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value (or key) at ``path``, or None."""
        off = self.offset(path, key)
        return None if off is None else self.source.line_col(off)

    def duplicate_keys(self) -> list[LoadProblem]:
        """Every repeated object key in the text, with the position of each repeat.

        Walks the whole document iteratively (no recursion), so it is safe on
        deeply nested input. Called only when the parser saw a duplicate.
        """
        text, ws = self.text, _WS.match
        out: list[LoadProblem] = []
        stack: list[tuple[int, DataPath]] = [(self._root, ())]
        while stack:
            start, path = stack.pop()
            c = text[start]
            if c == "{":
                seen: dict[str, int] = {}
                i = ws(text, start + 1).end()
                if text[i] == "}":
                    continue
                while True:
                    key_off = i
                    key, i = scanstring(text, i + 1)
                    i = ws(text, ws(text, i).end() + 1).end()
                    if key in seen:
                        line, col = self.source.line_col(key_off)
                        first_line, _ = self.source.line_col(seen[key])
                        out.append(
                            LoadProblem(
                                LoadProblemKind.DUPLICATE_KEY,
                                f'duplicate key "{key}" (first at line {first_line}); '
                                "JSON parsers disagree on which value wins, and IAM rejects the document",
                                line,
                                col,
                                path + (key,),
                            )
                        )
                    seen[key] = key_off
                    if text[i] in "{[":
                        stack.append((i, path + (key,)))
                    _, i = _scan_once(text, i)
                    i = ws(text, i).end()
                    if text[i] == "}":
                        break
                    i = ws(text, i + 1).end()
            elif c == "[":
                i = ws(text, start + 1).end()
                n = 0
                if text[i] == "]":
                    continue
                while True:
                    if text[i] in "{[":
                        stack.append((i, path + (n,)))
                    _, i = _scan_once(text, i)
                    n += 1
                    i = ws(text, i).end()
                    if text[i] == "]":
                        break
                    i = ws(text, i + 1).end()
        out.sort(key=lambda p: (p.line or 0, p.column or 0))
        return out
