"""Read one file as it was at a git revision (``git show REV:PATH``).

The file is looked up relative to the folder that holds ``path`` (``git show
REV:./NAME`` run there), so a path works from any working directory inside
or outside the repository. Source: git documentation, *git-show* and
*gitrevisions* ("<rev>:<path>"; a path starting with ``./`` is relative to
the current working directory).
"""

from __future__ import annotations

import os
import subprocess

__all__ = ["GitError", "git_show"]


class GitError(Exception):
    """git could not give the file: the message is git's own, with the revision and path."""


def git_show(rev: str, path: str) -> bytes:
    """The bytes of ``path`` at revision ``rev``.

    Args:
        rev: any revision git understands (``HEAD``, ``main~2``, a commit id).
        path: the file, as it is named in the working tree.

    Raises:
        GitError: git is not installed, ``path`` is not in a git working tree,
            the revision is unknown or the file does not exist there (git's
            message is kept).
    """
    if rev.startswith("-"):
        raise GitError(f"--git {rev!r}: a revision cannot start with '-'")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise GitError(f"{path}: no such folder {folder}")
    name = os.path.basename(path)
    try:
        done = subprocess.run(["git", "show", f"{rev}:./{name}"], cwd=folder, capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (needed by --git)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git show {rev}:{path} took more than 60 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"git show exited with code {done.returncode}"
        raise GitError(f"--git {rev} {path}: {message}")
    return done.stdout
