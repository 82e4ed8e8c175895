"""PL117 duplicate-sid."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class DuplicateSid(GrammarProblemRule):
    """Two statements in one policy have the same ``Sid``.

    What it does:
        Reports the second and later statements that reuse a ``Sid``.

    Why it matters:
        IAM requires ``Sid`` values to be unique within a policy and rejects
        duplicates; tools that address statements by ``Sid`` (suppressions,
        diffs, reviews) become ambiguous.

    Example:
        Two statements with ``"Sid": "AllowKeyUse"``.

    Instead:
        Give each statement its own ``Sid``.
    """

    code = "PL117"
    name = "duplicate-sid"
    summary = "two statements share a Sid"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"
    problem_kind = ProblemKind.DUPLICATE_SID
