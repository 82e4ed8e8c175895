"""PL302 key-policy-full-access."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import (
    is_key_policy,
    key_actions,
    matched,
    principals,
    public_allow,
    statement_action_path,
)


class KeyPolicyFullAccess(Rule):
    """A key policy gives a user, role or service every KMS permission on the key.

    What it does:
        In KMS key policies, reports Allow statements whose Action or
        NotAction covers every KMS action that acts on a key (``kms:*``,
        ``*``, ``km?:*``, a NotAction that spares all of them) for
        principals other than an account principal: IAM users, roles,
        assumed-role sessions, service principals, or ``"*"`` pinned to an
        account by a condition. The account principal
        (``arn:aws:iam::111122223333:root`` or ``"111122223333"``) is the
        documented way to delegate the key to IAM policies and is not
        reported; ``"*"`` with no pinning condition is PL300's.

    Why it matters:
        ``kms:*`` holds ``kms:PutKeyPolicy``, ``kms:CreateGrant`` and
        ``kms:ScheduleKeyDeletion`` next to every cryptographic operation: the
        principal can rewrite the policy, give anyone any use of the key and
        destroy it, and a stolen session of that role takes the key with it.
        The console's default key policy splits key administrators (no
        cryptographic use) from key users (no administration) for this
        reason (KMS Developer Guide, *Default key policy*). Conditions limit
        when the statement applies, not what it grants.

    Example:
        ``{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
        "Action": "kms:*", "Resource": "*"}``

    Instead:
        Give the role only what it calls, e.g. ``["kms:Encrypt", "kms:Decrypt",
        "kms:GenerateDataKey*", "kms:DescribeKey"]``, and keep administration
        for a separate key-administrator role.
    """

    code = "PL302"
    name = "key-policy-full-access"
    summary = "a key policy allows kms:* (every KMS action) to a principal other than the account principal"
    severity = Severity.WARNING
    tags = ("kms", "key-policy", "least-privilege")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        every = key_actions()
        for stmt in ctx.document.statements:
            if stmt.effect != "Allow" or matched(stmt, every) != every or public_allow(ctx, stmt) is not None:
                continue
            refs = principals(ctx, stmt) if stmt.not_principal is None else ()
            named = [p for p in refs if not p.root]
            if not named:
                continue
            who = ", ".join(p.text for p in named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
            cond = " (its conditions limit when, not what)" if stmt.condition else ""
            yield ctx.finding(
                self,
                f"{stmt.label} gives {who} every KMS action on this key{cond}, including kms:PutKeyPolicy, "
                "kms:CreateGrant and kms:ScheduleKeyDeletion: list only the actions the principal calls "
                "(only the account principal should get kms:*, to delegate to IAM policies)",
                statement_action_path(stmt),
            )
