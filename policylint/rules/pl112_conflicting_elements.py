"""PL112 conflicting-elements."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class ConflictingElements(GrammarProblemRule):
    """A statement has both an element and its ``Not`` form.

    What it does:
        Reports statements with both ``Action`` and ``NotAction``, both
        ``Resource`` and ``NotResource``, or both ``Principal`` and
        ``NotPrincipal``.

    Why it matters:
        The grammar allows exactly one of each pair; IAM rejects the document.

    Example:
        ``{"Effect": "Deny", "Action": "kms:*", "NotAction": "kms:Describe*", "Resource": "*"}``

    Instead:
        Keep one of the two, e.g. ``"NotAction": ["kms:Describe*", ...]`` alone.
    """

    code = "PL112"
    name = "conflicting-elements"
    summary = "a statement uses an element together with its Not form"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    problem_kind = ProblemKind.CONFLICTING_ELEMENTS
