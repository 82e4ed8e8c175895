"""PL202 action-matches-nothing."""

from __future__ import annotations

from typing import Iterable

from policylint import catalog
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.wildcard import has_wildcard


class ActionMatchesNothing(Rule):
    """An action pattern with wildcards matches no action in the catalog.

    What it does:
        Expands every ``Action``/``NotAction`` value that contains ``*`` or
        ``?`` (in the action name or in the service prefix) against the
        catalog and reports patterns that match nothing.

    Why it matters:
        Such a pattern has no effect: ``kms:Encrypt*`` (there is no
        ``EncryptData``) or ``s3:GetObjectAcl?`` look deliberate but grant or
        deny nothing.

    Example:
        ``"Action": "kms:Decypt*"``

    Instead:
        ``"Action": "kms:Decrypt"``
    """

    code = "PL202"
    name = "action-matches-nothing"
    summary = "an action pattern with wildcards matches no known action"
    severity = Severity.ERROR
    tags = ("catalog",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt, element, i, value, status in ctx.unresolved_actions():
            if status == "no-match":
                svc = value.split(":", 1)[0]
                where = "any service" if has_wildcard(svc) else (catalog.service_name(svc) or clip(svc, 40))
                yield ctx.finding(self, f'{element} "{clip(value)}" matches no action of {where}', stmt.value_path(element, i))
