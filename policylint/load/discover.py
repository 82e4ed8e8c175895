"""Expand command-line paths into the files to read.

Directories are walked recursively in sorted order. Files ending in ``.json``,
``.yaml`` or ``.yml`` are read; every other file met while walking is listed
as skipped with its reason, as are hidden folders (``.git``, ``.venv``) and
``__pycache__`` and ``node_modules`` folders, which are not entered. A file named explicitly is always read, whatever its name
(CLI outputs are often saved without an extension).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["Discovery", "POLICY_EXTENSIONS", "discover"]

POLICY_EXTENSIONS = (".json", ".yaml", ".yml")

#: Folders of tools' caches and dependencies, never policies of the project.
_NOT_ENTERED = frozenset(("__pycache__", "node_modules"))


@dataclass
class Discovery:
    """Files to read, things skipped, and arguments that do not exist.

    Attributes:
        files: (file system path, display path) pairs, in a stable order.
        skipped: (display path, reason) for files and folders not read.
        missing: command-line paths that do not exist.
    """

    files: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def discover(paths: list[str]) -> Discovery:
    """Expand ``paths`` (files and folders) into files to read.

    A file reached twice (named twice, or through a folder and by name) is read once.
    """
    d = Discovery()
    seen: set[str] = set()

    def add(fs: str, shown: str) -> None:
        key = os.path.normcase(os.path.abspath(fs))
        if key not in seen:
            seen.add(key)
            d.files.append((fs, shown))

    for arg in paths:
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg, onerror=lambda e: d.skipped.append((e.filename, f"cannot list folder: {e.strerror}"))):
                for h in sorted(x for x in dirs if x.startswith(".") or x in _NOT_ENTERED):
                    why = "hidden folder, not entered" if h.startswith(".") else f"{h} folder, not entered"
                    d.skipped.append((os.path.normpath(os.path.join(root, h)), why))
                dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x not in _NOT_ENTERED)
                for name in sorted(files):
                    fs = os.path.normpath(os.path.join(root, name))
                    if name.lower().endswith(POLICY_EXTENSIONS):
                        add(fs, fs)
                    else:
                        d.skipped.append((fs, "not a .json, .yaml or .yml file"))
        elif os.path.isfile(arg):
            add(arg, arg)
        elif os.path.exists(arg):
            d.skipped.append((arg, "not a regular file or folder"))
        else:
            d.missing.append(arg)
    return d
