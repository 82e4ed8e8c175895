"""PL121 element-not-allowed."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.model.problems import ProblemKind
from policylint.rules._base import GrammarProblemRule


class ElementNotAllowed(GrammarProblemRule):
    """An element the policy kind does not allow.

    What it does:
        Reports ``Resource``/``NotResource`` in statements of a role trust
        (assume-role) policy, whose resource is always the role itself; and
        in a resource control policy, ``NotPrincipal``, ``NotAction``, a
        ``Principal`` other than ``"*"``, or an ``Allow`` other than the
        ``RCPFullAWSAccess`` one (AWS Organizations User Guide, *RCP syntax*).

    Why it matters:
        IAM rejects the trust policy with "MalformedPolicyDocument: Has
        prohibited field Resource"; it usually means a permissions policy was
        pasted where the trust policy belongs, or the other way round.
        Organizations refuses such an RCP.

    Example:
        ``{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole", "Resource": "*"}``

    Instead:
        Remove ``Resource`` from the trust policy; put permissions in an
        identity-based policy attached to the role.
    """

    code = "PL121"
    name = "element-not-allowed"
    summary = "an element the policy kind does not allow (Resource in a trust policy; NotPrincipal, NotAction, a named Principal or a custom Allow in an RCP)"
    severity = Severity.ERROR
    tags = ("schema",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"
    problem_kind = ProblemKind.ELEMENT_NOT_ALLOWED
