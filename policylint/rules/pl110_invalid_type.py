"""PL110 invalid-type."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class InvalidType(GrammarProblemRule):
    """An element has a JSON type the policy grammar does not allow.

    What it does:
        Reports values of the wrong type: a ``Statement`` that is a number, an
        ``Action`` that is an object, a ``Resource`` list holding a number, a
        ``Condition`` value that is an object, a ``Sid`` that is not a string.

    Why it matters:
        IAM rejects the document (MalformedPolicyDocument). Values of the wrong
        type are also a sign that a template or generator produced something
        other than what its author meant.

    Example:
        ``{"Effect": "Allow", "Action": {"kms": "Decrypt"}, "Resource": "*"}``

    Instead:
        ``{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}``
    """

    code = "PL110"
    name = "invalid-type"
    summary = "an element has the wrong JSON type"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    problem_kind = ProblemKind.INVALID_TYPE
