"""PL508 malformed-arn."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._hygiene import arn_problem, clause_operator


class MalformedArn(Rule):
    """An ARN that does not have the shape AWS gives ARNs.

    What it does:
        Checks ``Resource`` and ``NotResource`` values, ``Principal`` and
        ``NotPrincipal`` ``AWS`` values written as ARNs, and ``Arn*``
        condition values written as six-field ARNs (other values there are
        PL500's): a value must be ``*`` or
        ``arn:partition:service:region:account-id:resource`` with a known
        partition, a lower-case service, a Region field only where the
        service's ARNs have one (and one where they always do), and an
        account field that is 12 digits, ``aws`` (AWS managed policies) or
        empty. Fields holding ``*``, ``?`` or a policy variable are not
        judged, nor are values with fewer fields that hold a wildcard. The
        Region and account rules come from the ARN formats of every resource
        type in the catalog.

    Why it matters:
        A malformed ARN matches no resource: in an Allow it grants nothing, in
        a Deny it protects nothing, and IAM rejects some forms outright
        ("Resource must be in ARN format"). Placeholders left from
        documentation (``arn:aws:iam::account-id:role/x``) are a common case.

    Example:
        ``"Resource": "arn:aws:iam:us-east-1:111122223333:role/app"``,
        ``"Resource": "arn:aws:s3::my-bucket"``

    Instead:
        ``"Resource": "arn:aws:iam::111122223333:role/app"``,
        ``"Resource": "arn:aws:s3:::my-bucket"``
    """

    code = "PL508"
    name = "malformed-arn"
    summary = "a Resource, principal or Arn* condition value that is not a well-formed ARN"
    severity = Severity.WARNING
    tags = ("hygiene",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            for element, values in (("Resource", stmt.resource), ("NotResource", stmt.not_resource)):
                for i, value in enumerate(values or ()):
                    why = arn_problem(value)
                    if why is not None:
                        yield ctx.finding(self, f'{stmt.label}: {element} "{clip(value)}" {why}', stmt.value_path(element, i))
            for element, principal in (("Principal", stmt.principal), ("NotPrincipal", stmt.not_principal)):
                if principal is None:
                    continue
                single = len(principal.aws) == 1 and _single(ctx, stmt.path + (element, "AWS"))
                for i, value in enumerate(principal.aws):
                    if not value.lower().startswith("arn"):
                        continue
                    why = arn_problem(value, principal=True)
                    if why is not None:
                        path = stmt.path + (element, "AWS") + (() if single else (i,))
                        yield ctx.finding(self, f'{stmt.label}: {element} AWS "{clip(value)}" {why}', path)
            for clause in stmt.condition:
                op = clause_operator(clause.operator)
                if op is None or op.family != "Arn":
                    continue
                for i, value in enumerate(clause.values):
                    if value.count(":") < 5 or not value.lower().startswith("arn"):
                        continue
                    why = arn_problem(value)
                    if why is not None:
                        yield ctx.finding(
                            self, f'{stmt.label}: {clause.operator} value "{clip(value)}" for "{clip(clause.key)}" {why}',
                            stmt.condition_path(clause, i),
                        )


def _single(ctx: PolicyContext, path) -> bool:
    """True when the principal list at ``path`` was written as one string."""
    node = ctx.source.document
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return False
    return isinstance(node, str)
