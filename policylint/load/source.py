"""Source text, positions, and the problems a loader can report.

A :class:`SourceText` is one file's decoded text with a lazily built line
index; a :class:`Locator` turns a path into the parsed data (a tuple of keys
and indexes) into a 1-based line and column in that file. Loaders for JSON
and YAML, and the unwrapping of policies embedded as strings, each provide a
locator, so that every key and value a rule talks about can be traced back to
where it was written.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Sequence, Union

__all__ = [
    "DataPath",
    "LoadProblem",
    "LoadProblemKind",
    "Locator",
    "MappedLocator",
    "SourceText",
    "clip",
    "json_type_name",
    "pointer",
]

#: A path into parsed data: object keys (str) and array indexes (int).
DataPath = tuple[Union[str, int], ...]


def clip(text: str, limit: int = 100) -> str:
    """``text`` shortened to ``limit`` characters (with an ellipsis), for
    quoting user values in messages without letting them flood the report."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def json_type_name(value: object) -> str:
    """A JSON type name for messages: ``an object``, ``a list``, ``a number``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def pointer(path: Sequence[str | int]) -> str:
    """Render a data path as an RFC 6901 JSON pointer (``""`` for the root)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class SourceText:
    """A file's decoded text with offset-to-position conversion.

    Attributes:
        path: the file's display path (as the user gave it, joined with the
            relative path found while walking a directory).
        text: the decoded text, without a byte-order mark.
    """

    __slots__ = ("path", "text", "_starts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._starts: list[int] | None = None

    def offset_of(self, line: int, column: int) -> int:
        """The character offset of a 1-based (line, column); the inverse of :meth:`line_col`."""
        self.line_col(0)  # builds the line index
        starts = self._starts or [0]
        return starts[min(max(line, 1), len(starts)) - 1] + column - 1

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count characters.

        ``\\r\\n``, ``\\n`` and a lone ``\\r`` all end a line, as in JSON and YAML.
        """
        if self._starts is None:
            starts = [0]
            text = self.text
            i = text.find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = text.find("\n", i + 1)
            if "\r" in text:  # old Mac line ends: merge and sort
                j = text.find("\r")
                extra = []
                while j >= 0:
                    if j + 1 >= len(text) or text[j + 1] != "\n":
                        extra.append(j + 1)
                    j = text.find("\r", j + 1)
                if extra:
                    starts = sorted(set(starts) | set(extra))
            self._starts = starts
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


class Locator:
    """Maps a path in parsed data to its place in the source file (an
    interface: the JSON and YAML locators and the wrappers implement it)."""

    source: SourceText

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        """1-based (line, column) of the value at ``path`` (of its key when
        ``key`` is true and the last step is an object key), or None if the
        path does not exist."""
        ...


class MappedLocator:
    """Locator for a document re-parsed from a string inside another document.

    The AWS CLI prints some policies as a JSON string inside JSON (``aws kms
    get-key-policy``) and the IAM API returns URL-encoded documents. The inner
    text is parsed on its own; ``offset_map[i]`` gives the file offset of the
    inner text's character ``i``, so inner positions land on the exact
    characters of the outer file.
    """

    def __init__(self, inner: "Locator", offset_map: Sequence[int], source: SourceText) -> None:
        self._inner = inner
        self._map = offset_map
        self.source = source

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        off = self._inner.offset(path, key)  # type: ignore[attr-defined]
        if off is None:
            return None
        off = self._map[min(off, len(self._map) - 1)] if self._map else 0
        return self.source.line_col(off)

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        """File offset of the value at ``path`` (see :meth:`locate`)."""
        off = self._inner.offset(path, key)  # type: ignore[attr-defined]
        if off is None:
            return None
        return self._map[min(off, len(self._map) - 1)] if self._map else 0


class LoadProblemKind(StrEnum):
    """What went wrong while reading a file; each kind is reported by one rule."""

    UNREADABLE = "unreadable"  # I/O error, permission denied, a directory loop
    NOT_TEXT = "not-text"  # binary content or an undecodable encoding
    SYNTAX = "syntax"  # JSON/YAML syntax error, empty file
    DUPLICATE_KEY = "duplicate-key"
    LIMIT = "limit"  # nesting depth, YAML alias expansion, file size


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A problem found while loading a file.

    Attributes:
        kind: the category, which selects the rule that reports it.
        message: one sentence for the user.
        line, column: 1-based position, or None when the whole file is at fault.
        path: data path of the offending key or value when known.
    """

    kind: LoadProblemKind
    message: str
    line: int | None = None
    column: int | None = None
    path: DataPath = field(default=())
