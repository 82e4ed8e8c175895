"""PL103 duplicate-key."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.load.source import LoadProblemKind
from policylint.rules._base import LoadProblemRule


class DuplicateKey(LoadProblemRule):
    """An object (mapping) has the same key twice.

    What it does:
        Reports each repeated key in a JSON object or YAML mapping, at the
        repeat, naming the line of the first occurrence.

    Why it matters:
        JSON leaves duplicate names undefined (RFC 8259, section 4): most
        parsers keep the last value silently, so a reviewer may read one
        ``Effect`` or ``Resource`` while the tool deploying the policy uses
        another. IAM rejects such documents.

    Example:
        ``{"Effect": "Deny", "Action": "s3:*", "Effect": "Allow", "Resource": "*"}``

    Instead:
        Keep one occurrence of each key.
    """

    code = "PL103"
    name = "duplicate-key"
    summary = "a JSON object or YAML mapping repeats a key"
    severity = Severity.ERROR
    tags = ("load",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    problem_kind = LoadProblemKind.DUPLICATE_KEY
