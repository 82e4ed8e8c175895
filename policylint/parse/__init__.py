"""Parsers built from the lark grammars in ``grammars/``.

The grammars live at the repository root (``grammars/``) and ship inside the
wheel as ``policylint/grammars/`` (hatch ``force-include``); :func:`grammar_text`
finds them in either place. Parsers are built once per process and cached.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["grammar_text", "lark_parser"]


def grammar_text(name: str) -> str:
    """The text of ``grammars/<name>``, from the installed package or the source tree.

    Raises:
        FileNotFoundError: when the grammar is in neither place.
    """
    from importlib import resources

    packaged = resources.files("policylint").joinpath("grammars", name)
    if packaged.is_file():
        return packaged.read_text("utf-8")
    source_tree = Path(__file__).resolve().parents[2] / "grammars" / name
    if source_tree.is_file():
        return source_tree.read_text("utf-8")
    raise FileNotFoundError(f"grammar {name!r} not found in the policylint package or the source tree")


@cache
def lark_parser(name: str, start: str = "start"):
    """A LALR parser for ``grammars/<name>``, built once and cached."""
    from lark import Lark

    return Lark(grammar_text(name), start=start, parser="lalr", propagate_positions=True)
