"""PL204 unknown-condition-key."""

from __future__ import annotations

from typing import Iterable

from policylint import catalog
from policylint.load.cfn import has_template_reference
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip


class UnknownConditionKey(Rule):
    """A condition key that no AWS service and no global key list defines.

    What it does:
        Checks every condition key against the global condition keys
        (``aws:...`` and the cross-service keys) and the condition keys of
        every service in the catalog, case-insensitively. Keys named after a
        web identity provider (``token.actions.githubusercontent.com:sub``,
        ``oidc.eks.<region>.amazonaws.com/id/<id>:aud``) are accepted, since
        any OIDC provider may be registered.

    Why it matters:
        A condition on a key that is never in the request context never
        matches: an Allow with it grants nothing, and a Deny with it (unless
        it uses ``...IfExists`` or a negated operator) denies nothing.

    Example:
        ``"Condition": {"StringEquals": {"aws:PrincipalOrgId2": "o-a1b2c3d4e5"}}``

    Instead:
        ``"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}``
    """

    code = "PL204"
    name = "unknown-condition-key"
    summary = "a condition key is neither global nor defined by any service"
    severity = Severity.WARNING
    tags = ("catalog", "condition")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            for clause in stmt.condition:
                if catalog.is_known_condition_key(clause.key) or has_template_reference(clause.key):
                    continue  # a template reference (``${OidcProvider}:sub``) is not known until deployed
                yield ctx.finding(self, _message(clause.key), stmt.condition_path(clause), key=True)


def _message(key: str) -> str:
    prefix, sep, _ = key.partition(":")
    shown, prefix_shown = clip(key), clip(prefix, 40)
    if not sep:
        return f'condition key "{shown}" has no service prefix (expected "aws:..." or "<service>:...")'
    hit = catalog.suggest_condition_key(key)
    hint = f' (did you mean "{hit}"?)' if hit else ""
    if prefix.lower() == "aws":
        return f'"{shown}" is not a global condition key{hint}'
    if catalog.service_exists(prefix):
        return f'{catalog.service_name(prefix) or prefix_shown} defines no condition key "{shown}"{hint}'
    return f'condition key "{shown}": unknown service prefix "{prefix_shown}"'
