"""PL120 principal-required."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class PrincipalRequired(GrammarProblemRule):
    """A statement of a resource-based policy (a KMS key policy), a trust
    policy or an RCP has no ``Principal``/``NotPrincipal``.

    What it does:
        Reports statements without a principal in policies that need one.

    Why it matters:
        KMS requires every key policy statement to name at least one
        principal (KMS API Reference, *PutKeyPolicy*), as do IAM for trust
        policies and Organizations for RCPs; the call fails.

    Example:
        A key policy statement ``{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}``.

    Instead:
        ``"Principal": {"AWS": "arn:aws:iam::111122223333:root"}``
    """

    code = "PL120"
    name = "principal-required"
    summary = "a resource-based or trust policy statement without Principal"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html"
    problem_kind = ProblemKind.PRINCIPAL_REQUIRED
