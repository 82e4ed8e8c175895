"""PL205 condition-key-not-supported."""

from __future__ import annotations

from typing import Iterable

from policylint import catalog
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.parse.operators import OperatorError, parse_operator


def _consequence(operator: str) -> str:
    try:
        op = parse_operator(operator)
    except OperatorError:
        return "so this condition cannot be evaluated as intended"
    if op.if_exists or op.negated or op.base == "Null" or op.set_qualifier == "ForAllValues":
        return f"so {operator} on it never restricts anything"
    return f"so {operator} on it is never true"


class ConditionKeyNotSupported(Rule):
    """A condition key of another service that none of the statement's actions supports.

    What it does:
        For statements with an ``Action`` list (not ``NotAction``, not ``*``,
        no wildcard in a service prefix), expands the actions through the
        catalog and reports each condition key that belongs to a service none
        of those actions is part of, and that none of them lists (on the
        action's row, on its resource type's row, or on that resource type in
        the service's resource table). Global keys (``aws:...``, cross-service
        keys) are always accepted. A key of the actions' own service is not
        reported even when the reference does not list it for that action:
        the per-action lists of the Service Authorization Reference are known
        to be incomplete, and AWS's own managed policies rely on such keys.

    Why it matters:
        Requests for those actions never carry the key, so the condition is
        never true: an Allow grants nothing (unless ``...IfExists``), and a
        Deny does not deny. A common case is a key of another service, such as
        ``s3:prefix`` on a ``kms:Decrypt`` statement.

    Example:
        ``{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
        "Condition": {"StringEquals": {"s3:prefix": "home/"}}}``

    Instead:
        Use a key the action supports, e.g. ``kms:EncryptionContext:...`` or
        ``kms:ViaService``, or move the condition to the statement it belongs to.
    """

    code = "PL205"
    name = "condition-key-not-supported"
    summary = "a condition key of another service that no action of the statement supports"
    severity = Severity.WARNING
    tags = ("catalog", "condition")
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        for stmt in ctx.document.statements:
            if not stmt.condition or not stmt.action:
                continue
            if "*" in stmt.action_services or any(catalog.check_action(v) != "known" for v in stmt.action):
                continue  # too broad to judge, or unknown actions (PL200-PL202 report them)
            services = stmt.action_services
            reported: set[str] = set()
            for clause in stmt.condition:
                key = clause.key
                low = key.lower()
                if low in reported or low.partition(":")[0] in services or not catalog.is_known_condition_key(key):
                    continue
                if catalog.global_condition_key(key) is not None:
                    continue
                # Only now, for a key of another service, read the actions' details.
                actions = [a for value in stmt.action for a in catalog.expand(value)]
                if catalog.condition_key_supported(key, actions):
                    continue
                reported.add(low)
                names = sorted({a.full_name for a in actions})
                shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
                yield ctx.finding(
                    self,
                    f'condition key "{clip(key)}" is not supported by {shown}: their requests never carry it, '
                    + _consequence(clause.operator),
                    stmt.condition_path(clause),
                    key=True,
                )
