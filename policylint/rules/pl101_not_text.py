"""PL101 not-text."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.load.source import LoadProblemKind
from policylint.rules._base import LoadProblemRule


class NotText(LoadProblemRule):
    """The file is not UTF-8 (or BOM-marked UTF-16/32) text.

    What it does:
        Reports binary files and files in an encoding other than UTF-8, with
        the line and column of the first byte that cannot be decoded. Files
        starting with a UTF-8, UTF-16 or UTF-32 byte-order mark are decoded
        accordingly (Windows PowerShell 5 writes UTF-16 when redirecting
        ``aws`` output).

    Why it matters:
        IAM and KMS accept policy documents as UTF-8 JSON; a file policylint
        cannot decode cannot be checked.

    Example:
        ``policies/logo.json: error PL101 binary file (contains NUL bytes), not JSON or YAML text``

    Instead:
        Save the policy as UTF-8, or leave the file out.
    """

    code = "PL101"
    name = "not-text"
    summary = "the file is binary or not UTF-8 text"
    severity = Severity.ERROR
    tags = ("load",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    input_error = True
    problem_kind = LoadProblemKind.NOT_TEXT
