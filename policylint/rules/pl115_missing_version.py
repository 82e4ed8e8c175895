"""PL115 missing-version."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class MissingVersion(GrammarProblemRule):
    """The policy has no ``Version`` element.

    What it does:
        Reports policies without ``Version``.

    Why it matters:
        Without it, AWS evaluates the policy under the 2008-10-17 language,
        where policy variables such as ``${aws:username}`` are literal text
        and newer features are unavailable. AWS recommends always stating
        ``2012-10-17``.

    Example:
        ``{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}``

    Instead:
        ``{"Version": "2012-10-17", "Statement": [...]}``
    """

    code = "PL115"
    name = "missing-version"
    summary = "the policy has no Version, so AWS uses 2008-10-17"
    severity = Severity.WARNING
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
    problem_kind = ProblemKind.MISSING_VERSION
