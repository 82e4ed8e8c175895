"""PL113 unknown-element."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class UnknownElement(GrammarProblemRule):
    """An element name that the policy grammar does not define.

    What it does:
        Reports unknown keys at the top of a policy (anything but ``Version``,
        ``Id``, ``Statement``), in a statement (anything but ``Sid``, ``Effect``,
        ``Principal``, ``NotPrincipal``, ``Action``, ``NotAction``, ``Resource``,
        ``NotResource``, ``Condition``) and in a principal (anything but
        ``AWS``, ``Service``, ``Federated``, ``CanonicalUser``), suggesting the
        intended name for misspellings and wrong case.

    Why it matters:
        Element names are case-sensitive. IAM rejects unknown elements; a
        generator that writes ``"Actions"`` or ``"condition"`` never restricts
        what its author meant to restrict.

    Example:
        ``{"Effect": "Allow", "Actions": "kms:Decrypt", "Resource": "*"}``

    Instead:
        ``{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}``
    """

    code = "PL113"
    name = "unknown-element"
    summary = "an element name the policy grammar does not define"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html"
    problem_kind = ProblemKind.UNKNOWN_ELEMENT
