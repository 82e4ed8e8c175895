"""Expand command-line paths into the files to read.

Directories are walked recursively in sorted order, following links to
folders (a folder reached twice, through a link loop or two links, is walked
once). Files ending in ``.json``, ``.yaml``, ``.yml`` or ``.tf`` (Terraform) are read; every other
file met while walking is listed as skipped with its reason, as are things
that are not regular files (FIFOs, devices, sockets: reading them could block
or never end), hidden folders (``.git``, ``.venv``) and ``__pycache__`` and
``node_modules`` folders, which are not entered. A regular file named
explicitly is always read, whatever its name (CLI outputs are often saved
without an extension). A file reached twice (named twice, or through a folder
and a link) is read once.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

__all__ = ["Discovery", "POLICY_EXTENSIONS", "discover"]

POLICY_EXTENSIONS = (".json", ".yaml", ".yml", ".tf")

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


def _kind(st: os.stat_result) -> str:
    mode = st.st_mode
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def discover(paths: list[str]) -> Discovery:
    """Expand ``paths`` (files and folders) into files to read."""
    d = Discovery()
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def add(fs: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            d.files.append((fs, fs))

    for arg in paths:
        try:
            st = os.stat(arg)
        except FileNotFoundError:
            d.missing.append(arg)
            continue
        except OSError as e:  # a link loop, a name too long, no permission on a folder above
            d.skipped.append((arg, f"cannot open: {e.strerror}"))
            continue
        if stat.S_ISREG(st.st_mode):
            add(arg, st)
        elif stat.S_ISDIR(st.st_mode):
            _walk(arg, st, d, add, seen_dirs)
        else:
            d.skipped.append((arg, f"{_kind(st)}, not read"))
    return d


def _walk(top: str, top_st: os.stat_result, d: Discovery, add, seen_dirs: set) -> None:
    seen_dirs.add((top_st.st_dev, top_st.st_ino))
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            d.skipped.append((folder, f"cannot list folder: {e.strerror}"))
            continue
        subfolders = []
        for entry in entries:
            shown = os.path.normpath(os.path.join(folder, entry.name))
            try:
                st = entry.stat()  # follows links
            except OSError as e:
                d.skipped.append((shown, f"cannot open: {e.strerror or e}"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name.startswith(".") or entry.name in _NOT_ENTERED:
                    why = "hidden folder, not entered" if entry.name.startswith(".") else f"{entry.name} folder, not entered"
                    d.skipped.append((shown, why))
                elif (st.st_dev, st.st_ino) in seen_dirs:
                    d.skipped.append((shown, "folder already walked (a link to it, or a link loop)"))
                else:
                    seen_dirs.add((st.st_dev, st.st_ino))
                    subfolders.append(shown)
            elif not stat.S_ISREG(st.st_mode):
                d.skipped.append((shown, f"{_kind(st)}, not read"))
            elif entry.name.lower().endswith(POLICY_EXTENSIONS):
                add(shown, st)
            else:
                d.skipped.append((shown, "not a .json, .yaml, .yml or .tf file"))
        stack.extend(reversed(subfolders))
