"""PL111 missing-element."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class MissingElement(GrammarProblemRule):
    """A required element is missing from the policy or a statement.

    What it does:
        Reports a policy without ``Statement``, and a statement without
        ``Effect``, without ``Action``/``NotAction``, or without
        ``Resource``/``NotResource`` where the policy kind requires one
        (identity-based policies, SCPs and RCPs; a key policy statement without
        ``Resource`` is accepted by KMS but has no effect). Trust policies need
        no ``Resource``.

    Why it matters:
        IAM rejects the document, or (for key policies) silently ignores the
        statement, so access the author meant to grant or deny does not exist.

    Example:
        ``{"Version": "2012-10-17", "Statement": [{"Action": "kms:Decrypt", "Resource": "*"}]}``

    Instead:
        ``{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}``
    """

    code = "PL111"
    name = "missing-element"
    summary = "a required element is missing"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html"
    problem_kind = ProblemKind.MISSING_ELEMENT
