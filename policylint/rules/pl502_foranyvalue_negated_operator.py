"""PL502 foranyvalue-negated-operator."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._hygiene import clause_operator


class ForAnyValueNegatedOperator(Rule):
    """``ForAnyValue`` with a negated operator in an Allow statement.

    What it does:
        Reports ``ForAnyValue:StringNotEquals``, ``ForAnyValue:StringNotLike``,
        ``ForAnyValue:ArnNotLike`` and the other negated operators under
        ``ForAnyValue`` in statements with ``"Effect": "Allow"``. Deny
        statements are not reported: there "deny when any value is outside
        the list" is a common, deliberate guard.

    Why it matters:
        ``ForAnyValue`` with a negated operator is true as soon as one value of
        the request differs from the listed ones. A request with two tag keys,
        one allowed and one not, satisfies it; so the Allow grants what the
        author meant to restrict. The intended test is nearly always
        ``ForAllValues`` with the positive operator ("every value is one of
        these").

    Example:
        ``{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
        "Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}}``

    Instead:
        ``"Condition": {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}``
        (every tag key differs from "secret"), or a Deny statement.
    """

    code = "PL502"
    name = "foranyvalue-negated-operator"
    summary = "ForAnyValue with a negated operator in an Allow: true as soon as one value differs"
    severity = Severity.WARNING
    tags = ("condition", "hygiene")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            if stmt.effect != "Allow":
                continue
            for clause in stmt.condition:
                if not clause.operator.startswith("ForAnyValue:"):
                    continue
                op = clause_operator(clause.operator)
                if op is None or not op.negated:
                    continue
                positive = op.base.replace("Not", "", 1) if op.base != "NotIpAddress" else "IpAddress"
                yield ctx.finding(
                    self,
                    f'{stmt.label}: {clause.operator} on "{clip(clause.key)}" is true as soon as one value of the '
                    f"request is not among {_values(clause.values)}, so the Allow applies to nearly every request; "
                    f"to require that every value avoid them use ForAllValues:{op.base}, to require one of them "
                    f"ForAnyValue:{positive}",
                    stmt.condition_path(clause),
                    key=True,
                )


def _values(values) -> str:
    shown = ", ".join(f'"{clip(v, 40)}"' for v in values[:3])
    return shown + (f" and {len(values) - 3} more" if len(values) > 3 else "")
