"""PL500 condition-value-never-matches."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._hygiene import clause_operator, family_words, type_mismatch, value_problem


class ConditionValueNeverMatches(Rule):
    """A condition value or key that its operator can never compare.

    What it does:
        Parses every condition value the way its operator reads it, with the
        parsers the evaluator uses: ``Numeric*`` values must be numbers,
        ``Date*`` values ISO 8601 dates or epoch seconds, ``Bool`` and
        ``Null`` values ``true`` or ``false``, ``BinaryEquals`` values
        base64, ``IpAddress``/``NotIpAddress`` values IPv4 or IPv6 addresses
        or CIDR ranges, ``Arn*`` values ARNs (or ``*``, or wildcard
        patterns). It also reports an operator of a family that can never
        compare the key's values, by the key's type in the catalog (an
        ``IpAddress`` test of a String key, a ``Bool`` test of an ARN key...).
        ``String*`` operators accept any key, String keys are not judged (the
        catalog types some numeric values as String), and values holding a
        policy variable are skipped.

    Why it matters:
        A value that does not parse never equals a request value: in an
        Allow the condition is never true, so the statement grants nothing;
        in a Deny with a positive operator it denies nothing; with a negated
        operator (``NotIpAddress``, ``NumericNotEquals``...) the value
        excludes nothing. IAM accepts most of these policies without a word.

    Example:
        ``"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "yes"}}``,
        ``"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}``,
        ``"DateLessThan": {"aws:CurrentTime": "31/12/2025"}``

    Instead:
        ``"Bool": {"aws:MultiFactorAuthPresent": "true"}``,
        ``"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}``,
        ``"DateLessThan": {"aws:CurrentTime": "2025-12-31T00:00:00Z"}``
    """

    code = "PL500"
    name = "condition-value-never-matches"
    summary = "a condition value (or key) that its operator can never compare, so it never matches"
    severity = Severity.WARNING
    tags = ("condition", "hygiene")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            for clause in stmt.condition:
                op = clause_operator(clause.operator)
                if op is None or op.family == "String":
                    continue
                effect = "the value excludes nothing" if op.negated else "it never matches"
                mismatch = type_mismatch(op, clause.key)
                if mismatch is not None:
                    outcome = "is always true" if op.negated or op.if_exists or op.set_qualifier == "ForAllValues" else "is never true"
                    yield ctx.finding(
                        self,
                        f'{stmt.label}: "{clip(clause.key)}" holds {mismatch} values but {clause.operator} compares '
                        f"{family_words(op.family)}, so the condition {outcome}",
                        stmt.condition_path(clause),
                        key=True,
                    )
                    continue
                for i, value in enumerate(clause.values):
                    why = value_problem(op, value)
                    if why is None:
                        continue
                    if op.family == "Null":
                        effect = "Null takes \"true\" (key absent) or \"false\" (key present)"
                    yield ctx.finding(
                        self,
                        f'{stmt.label}: {clause.operator} value "{clip(value)}" for "{clip(clause.key)}" {why}: {effect}',
                        stmt.condition_path(clause, i),
                    )
