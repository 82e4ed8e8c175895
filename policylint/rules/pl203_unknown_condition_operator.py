"""PL203 unknown-condition-operator."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.parse.operators import OperatorError, parse_operator


class UnknownConditionOperator(Rule):
    """A condition operator that IAM does not define.

    What it does:
        Parses every operator of every ``Condition`` block with the grammar in
        ``grammars/condition_operator.lark``: an optional ``ForAllValues:`` or
        ``ForAnyValue:`` qualifier, one of the base operators (``String*``,
        ``Numeric*``, ``Date*``, ``Bool``, ``BinaryEquals``, ``IpAddress``,
        ``NotIpAddress``, ``Arn*``, ``Null``) and an optional ``IfExists``
        suffix (not for ``Null``). Names are case-sensitive.

    Why it matters:
        IAM rejects unknown operators ("Invalid Condition type"); in services
        that store resource policies without full validation, a misspelled
        operator can leave a condition that never matches.

    Example:
        ``"Condition": {"StringEqual": {"kms:CallerAccount": "111122223333"}}``

    Instead:
        ``"Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}``
    """

    code = "PL203"
    name = "unknown-condition-operator"
    summary = "a Condition uses an operator IAM does not define"
    severity = Severity.ERROR
    tags = ("catalog", "condition")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            seen: set[str] = set()
            for clause in stmt.condition:
                op = clause.operator
                if op in seen:
                    continue
                seen.add(op)
                try:
                    parse_operator(op)
                except OperatorError as e:
                    yield ctx.finding(self, str(e), stmt.path + ("Condition", op), key=True)
