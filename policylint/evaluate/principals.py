"""Does a ``Principal`` element name the caller, and how?

Source: IAM User Guide, *AWS JSON policy elements: Principal*: ``"*"`` and
``{"AWS": "*"}`` name everyone; an account ID or ``arn:aws:iam::ID:root``
names the account (delegating to its IAM policies); a user or role ARN names
that user or role, and a role ARN also covers the role's sessions
(``arn:aws:sts::ID:assumed-role/NAME/SESSION``); an assumed-role session ARN
names that session; ``Service`` names an AWS service principal;
``Federated`` an identity provider; ``CanonicalUser`` an S3 canonical user.
Wildcards other than a lone ``*`` are not allowed in principals.
"""

from __future__ import annotations

from policylint.evaluate.arn import parse_arn
from policylint.evaluate.request import Caller
from policylint.model.policy import Principal

__all__ = ["match_principal", "not_principal_exempts", "MATCH_KINDS"]

#: How a principal element can name the caller, from the most to the least specific.
MATCH_KINDS = ("direct", "role", "account", "wildcard", "service", "federated", "canonical")


def _same_name(policy_arn: str, caller_arn: str | None, kind: str) -> bool:
    """Same account and same user/role name (IAM names are unique in an account,
    so a path given on one side only does not matter)."""
    if caller_arn is None:
        return False
    a, b = parse_arn(policy_arn), parse_arn(caller_arn)
    if a is None or b is None or a.account != b.account or a.partition != b.partition:
        return False
    if not (a.resource.startswith(kind + "/") and b.resource.startswith(kind + "/")):
        return False
    return a.resource.rsplit("/", 1)[-1] == b.resource.rsplit("/", 1)[-1]


def _aws_value(value: str, caller: Caller) -> str | None:
    if value == "*":
        return "wildcard" if caller.kind not in ("anonymous", "service") else None
    if caller.kind in ("anonymous", "service", "canonical-user"):
        return None
    if value.isascii() and value.isdigit() and len(value) == 12:
        return "account" if value == caller.account else None
    arn = parse_arn(value)
    if arn is None:
        return None
    if arn.service == "iam" and arn.resource == "root":
        return "account" if arn.account == caller.account and arn.partition == caller.partition else None
    if arn.service == "iam" and arn.resource.startswith("user/"):
        return "direct" if caller.kind == "user" and _same_name(value, caller.arn, "user") else None
    if arn.service == "iam" and arn.resource.startswith("role/"):
        if caller.kind in ("role", "assumed-role") and _same_name(value, caller.role_arn, "role"):
            return "role"
        return None
    if arn.service == "sts" and arn.resource.startswith("assumed-role/"):
        return "direct" if caller.kind == "assumed-role" and value == caller.arn else None
    if arn.service == "sts" and arn.resource.startswith("federated-user/"):
        return "direct" if caller.kind == "federated-user" and value == caller.arn else None
    return None


def match_principal(element: Principal, caller: Caller) -> str | None:
    """How ``element`` names ``caller``: one of :data:`MATCH_KINDS`, or None.

    The most specific match wins (a statement naming both the account and
    the user matches as ``direct``).
    """
    if element.all:
        return "wildcard"
    found: list[str] = []
    for value in element.aws:
        hit = _aws_value(value, caller)
        if hit:
            found.append(hit)
    if caller.kind == "service" and caller.arn in element.service:
        found.append("service")
    if caller.kind in ("web-identity", "saml") and caller.provider and caller.provider in element.federated:
        found.append("federated")
    if caller.kind == "canonical-user" and caller.arn in element.canonical_user:
        found.append("canonical")
    if caller.kind == "anonymous" and "*" in element.aws:
        found.append("wildcard")
    if not found:
        return None
    return min(found, key=MATCH_KINDS.index)


def _identity_chain(caller: Caller) -> list[str] | None:
    """The identities AWS checks a NotPrincipal against, from the account down:
    the account, then the user; or the account, the role and the role
    session. None for callers NotPrincipal cannot exempt by ARN."""
    if caller.kind in ("service", "anonymous", "web-identity", "saml", "canonical-user") or not caller.account:
        return None
    account = f"arn:{caller.partition}:iam::{caller.account}:root"
    if caller.kind == "root":
        return [account]
    if caller.kind == "assumed-role":
        return [account, caller.role_arn or "", caller.arn]
    return [account, caller.arn]


def not_principal_exempts(element: Principal, caller: Caller) -> bool:
    """Whether a ``NotPrincipal`` element exempts ``caller`` from its Deny.

    Source: IAM User Guide, *AWS JSON policy elements: NotPrincipal*: AWS may
    check the account first, then the user (for a role session: the account,
    the role, then the session), so every one of them must be listed: the
    account ARN (or ID) with the user ARN, or the account, the role ARN and the
    assumed-role session ARN. Listing only the account does not exempt the
    users and roles in it. A service principal is exempt when listed under
    ``Service``.
    """
    if element.all:
        return True
    if caller.kind == "service":
        return caller.arn in element.service
    if caller.kind in ("web-identity", "saml"):
        return bool(caller.provider) and caller.provider in element.federated
    if caller.kind == "canonical-user":
        return caller.arn in element.canonical_user
    chain = _identity_chain(caller)
    if not chain:
        return "*" in element.aws
    listed = element.aws
    if "*" in listed:
        return True
    for identity in chain:
        if identity.endswith(":root"):
            ok = any(v == caller.account or v == identity for v in listed)
        elif ":assumed-role/" in identity or ":federated-user/" in identity:
            ok = identity in listed
        else:
            kind = "user" if ":user/" in identity else "role"
            ok = any(_same_name(v, identity, kind) for v in listed if v.startswith("arn:"))
        if not ok:
            return False
    return True
