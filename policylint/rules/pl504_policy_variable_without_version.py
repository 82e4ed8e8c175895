"""PL504 policy-variable-without-version."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.evaluate.variables import has_policy_variable
from policylint.load.source import clip


class PolicyVariableWithoutVersion(Rule):
    """A policy variable in a policy whose language version does not support them.

    What it does:
        When the policy's ``Version`` is ``2008-10-17`` or missing (AWS then
        uses ``2008-10-17``), reports every ``Resource``, ``NotResource`` and
        condition value that holds a policy variable (``${aws:username}``,
        ``${aws:PrincipalTag/team}``, ``${*}``...; CloudFormation
        substitutions such as ``${AWS::Region}`` are not variables). A file that holds only
        statements is checked as a ``2012-10-17`` policy and never fires.

    Why it matters:
        Policy variables were introduced with version ``2012-10-17``. Under the
        older version ``${aws:username}`` is the literal text
        "${aws:username}": a Resource ``arn:aws:s3:::home/${aws:username}/*``
        matches no real object, so the Allow grants nothing (and a Deny
        denies nothing).

    Example:
        ``{"Version": "2008-10-17", "Statement": [{"Effect": "Allow",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}``

    Instead:
        ``"Version": "2012-10-17"``
    """

    code = "PL504"
    name = "policy-variable-without-version"
    summary = 'a ${...} policy variable in a policy without "Version": "2012-10-17", where it is literal text'
    severity = Severity.WARNING
    tags = ("hygiene",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or doc.version == "2012-10-17" or ctx.source.fragment:
            return
        if doc.version is None and isinstance(ctx.source.document, dict) and "Version" in ctx.source.document:
            return  # a Version that is not a valid string: PL110/PL114 report it
        why = 'the policy has "Version": "2008-10-17"' if doc.version else "the policy has no Version (so 2008-10-17 applies)"
        for stmt in doc.statements:
            for element, values in (("Resource", stmt.resource), ("NotResource", stmt.not_resource)):
                for i, value in enumerate(values or ()):
                    if has_policy_variable(value):
                        yield ctx.finding(self, _message(stmt.label, element, value, why), stmt.value_path(element, i))
            for clause in stmt.condition:
                for i, value in enumerate(clause.values):
                    if has_policy_variable(value):
                        yield ctx.finding(
                            self, _message(stmt.label, f'condition "{clip(clause.key)}"', value, why),
                            stmt.condition_path(clause, i),
                        )


def _message(label: str, where: str, value: str, why: str) -> str:
    return (f'{label}: {where} value "{clip(value)}" holds a policy variable, but {why}: the variable is literal '
            'text and matches nothing; add "Version": "2012-10-17"')
