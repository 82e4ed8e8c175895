"""PL503 ineffective-null-check."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._hygiene import clause_operator, never_true_when_absent


class IneffectiveNullCheck(Rule):
    """A ``Null`` condition that cannot work as written.

    What it does:
        Reports three shapes (``NullIfExists`` itself is not an operator and
        is reported by PL203):

        * ``ForAllValues:Null`` and ``ForAnyValue:Null``: a set qualifier on
          ``Null``;
        * ``Null`` listing both ``"true"`` and ``"false"`` for one key;
        * ``Null: {"k": "true"}`` (the key must be absent) in the same
          statement as another condition on ``k`` that is false when ``k`` is
          absent (a positive operator without ``IfExists``, or
          ``ForAnyValue``): the two can never hold together.

    Why it matters:
        IAM Access Analyzer warns that ``ForAllValues:Null`` is always true and
        ``ForAnyValue:Null`` always false; values for one key are ORed, so
        ``["true", "false"]`` is always true; and contradictory conditions
        make the statement apply to no request, so an Allow grants nothing
        and a Deny denies nothing.

    Example:
        ``"Condition": {"Null": {"aws:TokenIssueTime": "true"},
        "DateGreaterThan": {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}}``

    Instead:
        Keep one of the two tests, or use ``DateGreaterThanIfExists`` when the
        date test should apply only to requests that carry the key.
    """

    code = "PL503"
    name = "ineffective-null-check"
    summary = "a Null condition with a set qualifier, both values, or contradicting another condition on its key"
    severity = Severity.WARNING
    tags = ("condition", "hygiene")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            nulls = [(c, op) for c in stmt.condition if (op := clause_operator(c.operator)) is not None and op.base == "Null"]
            if not nulls:
                continue
            for clause, op in nulls:
                key = clip(clause.key)
                wants = {v.strip().lower() for v in clause.values}
                if op.set_qualifier:
                    always = "always true" if op.set_qualifier == "ForAllValues" else "always false"
                    yield ctx.finding(
                        self,
                        f'{stmt.label}: {clause.operator} on "{key}" is {always}, whatever the request; Null takes no '
                        'set qualifier: use "Null" alone',
                        stmt.path + ("Condition", clause.operator),
                        key=True,
                    )
                    continue
                if {"true", "false"} <= wants:
                    yield ctx.finding(
                        self,
                        f'{stmt.label}: Null lists both "true" and "false" for "{key}"; values are ORed, so the '
                        "condition is always true and restricts nothing",
                        stmt.condition_path(clause),
                        key=True,
                    )
                    continue
                if wants != {"true"}:
                    continue
                for other in stmt.condition:
                    if other is clause or other.key.lower() != clause.key.lower():
                        continue
                    oop = clause_operator(other.operator)
                    if oop is None or oop.base == "Null" or not never_true_when_absent(oop, other.values):
                        continue
                    yield ctx.finding(
                        self,
                        f'{stmt.label}: Null "true" requires "{key}" to be absent, but {other.operator} on it is '
                        f"false when the key is absent: the conditions never hold together, so the statement "
                        f"{'grants' if stmt.effect == 'Allow' else 'denies'} nothing",
                        stmt.condition_path(clause),
                        key=True,
                    )
                    break
