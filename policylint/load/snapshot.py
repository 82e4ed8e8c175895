"""Read the files of an account snapshot (a folder, or files, of AWS CLI JSON
outputs): each file read, decoded and parsed, with its problems. What the files
mean is :func:`policylint.model.snapshot.build_snapshot`'s; the layout README
documents is in :mod:`policylint.model.snapshot`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from policylint.load.discover import discover
from policylint.load.reader import LoadedFile, read_file

__all__ = ["SnapshotFiles", "read_snapshot_files"]


@dataclass
class SnapshotFiles:
    """The files of a snapshot.

    Attributes:
        files: (file system path, display path, the loaded file), in a stable order.
        missing: paths given that do not exist.
        skipped: (display path, reason) of files not read (not JSON or YAML, links already walked).
    """

    files: list[tuple[str, str, LoadedFile]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_snapshot_files(paths: list[str], progress: bool | None = None) -> SnapshotFiles:
    """Read every file under ``paths``; never raises for bad content.

    Args:
        paths: snapshot folders and/or files.
        progress: show a progress bar on stderr; None means "when stderr is a
            terminal and there are more than 20 files".
    """
    disc = discover(paths)
    out = SnapshotFiles(missing=list(disc.missing), skipped=list(disc.skipped))
    show = progress if progress is not None else (sys.stderr.isatty() and len(disc.files) > 20)
    if show:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("reading snapshot", total=len(disc.files))
            for path, shown in disc.files:
                out.files.append((path, shown, read_file(path, shown)))
                bar.advance(task)
    else:
        out.files.extend((path, shown, read_file(path, shown)) for path, shown in disc.files)
    return out
