"""PL114 invalid-version."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class InvalidVersion(GrammarProblemRule):
    """``Version`` has a value IAM does not accept.

    What it does:
        Reports a ``Version`` other than ``2012-10-17`` or ``2008-10-17``.

    Why it matters:
        ``Version`` names the policy language version, not a date of your
        choosing; IAM rejects any other value.

    Example:
        ``"Version": "2024-01-01"``

    Instead:
        ``"Version": "2012-10-17"``
    """

    code = "PL114"
    name = "invalid-version"
    summary = "Version is not 2012-10-17 or 2008-10-17"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
    problem_kind = ProblemKind.INVALID_VERSION
