"""PL116 empty-element."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class EmptyElement(GrammarProblemRule):
    """An element is an empty list or object.

    What it does:
        Reports an empty ``Statement`` list, an empty ``Action``/``Resource``
        list, an empty principal object, a condition operator with no keys,
        and a condition key with an empty list of values.

    Why it matters:
        An empty element matches nothing: the statement (or the whole policy)
        has no effect, which is rarely what was meant and usually a template
        variable that expanded to nothing. IAM rejects most of these.

    Example:
        ``{"Effect": "Allow", "Action": [], "Resource": "*"}``

    Instead:
        List the actions, or remove the statement.
    """

    code = "PL116"
    name = "empty-element"
    summary = "an element is an empty list or object"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    problem_kind = ProblemKind.EMPTY_ELEMENT
