"""PL118 invalid-effect."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class InvalidEffect(GrammarProblemRule):
    """``Effect`` is not exactly ``Allow`` or ``Deny``.

    What it does:
        Reports any other value, including a different case (``allow``).

    Why it matters:
        The value is case-sensitive; IAM rejects the document, and the
        statement is left out of every other check and of evaluation.

    Example:
        ``"Effect": "allow"``

    Instead:
        ``"Effect": "Allow"``
    """

    code = "PL118"
    name = "invalid-effect"
    summary = "Effect is not exactly Allow or Deny"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html"
    problem_kind = ProblemKind.INVALID_EFFECT
