"""PL501 forallvalues-single-valued-key."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._hygiene import clause_operator, key_type


class ForAllValuesSingleValuedKey(Rule):
    """``ForAllValues`` on a condition key that carries a single value.

    What it does:
        Reports every ``ForAllValues:`` operator whose key the catalog types
        as single-valued: a global key not marked multivalued, or a service
        key whose type does not start with ``ArrayOf``. Keys the catalog does
        not know are left to PL204.

    Why it matters:
        ``ForAllValues`` is true when every value of the request's key is in
        the policy's set, and also when the request has no such key at all
        (there is no value that fails). On a single-valued key it adds nothing
        but that vacuous truth: ``ForAllValues:StringEquals`` on
        ``aws:PrincipalOrgID`` in an Allow also allows requests that carry no
        organization at all. AWS KMS rejects such conditions on
        ``kms:EncryptionContext:*`` and ``aws:RequestTag/*``
        (``OverlyPermissiveCondition``); IAM accepts them.

    Example:
        ``"Condition": {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}``

    Instead:
        ``"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}``
    """

    code = "PL501"
    name = "forallvalues-single-valued-key"
    summary = "ForAllValues on a single-valued key: also true when the request lacks the key"
    severity = Severity.WARNING
    tags = ("condition", "hygiene")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            for clause in stmt.condition:
                if not clause.operator.startswith("ForAllValues:"):
                    continue
                op = clause_operator(clause.operator)
                if op is None or op.family == "Null":
                    continue  # unknown operators: PL203; ForAllValues:Null: PL503
                kt = key_type(clause.key)
                if kt is None or kt[1]:
                    continue
                plain = clause.operator.removeprefix("ForAllValues:")
                yield ctx.finding(
                    self,
                    f'{stmt.label}: "{clip(clause.key)}" is single-valued; {clause.operator} on it is also true when '
                    f'the request has no such key, which {"allows" if stmt.effect == "Allow" else "matches"} more than '
                    f'{plain} would; use {plain}',
                    stmt.condition_path(clause),
                    key=True,
                )
