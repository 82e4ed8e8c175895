"""PL119 principal-not-allowed."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class PrincipalNotAllowed(GrammarProblemRule):
    """``Principal`` or ``NotPrincipal`` in an identity-based policy or an SCP.

    What it does:
        Reports the element in policies that apply to whoever they are
        attached to. The policy kind is detected from content and folder names
        or given with ``--kind``; a key policy saved without any hint that
        nevertheless lacks principals is an identity policy to this check.

    Why it matters:
        IAM rejects identity-based policies with a principal ("Policy document
        should not specify a principal"); the author probably meant a
        resource-based policy such as a key policy.

    Example:
        An IAM policy with ``"Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}``.

    Instead:
        Remove the element and attach the policy to the principal, or use it
        as the resource's policy (``--kind resource``).
    """

    code = "PL119"
    name = "principal-not-allowed"
    summary = "Principal in a policy kind that cannot name principals"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
    problem_kind = ProblemKind.PRINCIPAL_NOT_ALLOWED
