"""PL100 unreadable-file."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.load.source import LoadProblemKind
from policylint.rules._base import LoadProblemRule


class UnreadableFile(LoadProblemRule):
    """The file could not be opened or read.

    What it does:
        Reports files that exist but cannot be read: permission denied, an
        I/O error, a folder that cannot be listed.

    Why it matters:
        A policy that is not read is not checked; the run says so instead of
        skipping it silently, and exits with code 2.

    Example:
        ``secret/key-policy.json: error PL100 cannot read file: Permission denied``

    Instead:
        Fix the file's permissions, or leave it out of the paths given.
    """

    code = "PL100"
    name = "unreadable-file"
    summary = "the file cannot be opened or read"
    severity = Severity.ERROR
    tags = ("load",)
    input_error = True
    problem_kind = LoadProblemKind.UNREADABLE
