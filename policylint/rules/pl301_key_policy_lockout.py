"""PL301 key-policy-lockout."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import (
    PUT_KEY_POLICY,
    is_aws_managed_key_policy,
    is_key_policy,
    key_account,
    policy_changers,
    statement_action_path,
)


class KeyPolicyLockout(Rule):
    """Nobody can change this key policy again.

    What it does:
        For a whole KMS key policy (not a file of loose statements), works
        out who can still run ``kms:PutKeyPolicy``: the AWS principals (the
        account principal, users, roles, or ``"*"``) that an Allow statement
        names for ``kms:PutKeyPolicy``, ``kms:Put*``, ``kms:*`` or ``*``,
        minus those an unconditional Deny takes it away from. Principals of
        another account do not count (``PutKeyPolicy`` does not work across
        accounts). Reports the policy when nobody is left, naming the Deny
        that removed the last of them. AWS managed key policies (everyone
        through one service of one account, the account only reading) are
        not reported: AWS maintains them.

    Why it matters:
        Once such a policy is in force, no principal, not even the account's
        root user, can change it, delete the Deny or schedule the key's
        deletion through a policy; the only way back is AWS Support. KMS
        refuses such a policy at ``CreateKey``/``PutKeyPolicy`` unless the
        caller sets ``BypassPolicyLockoutSafetyCheck`` (KMS API Reference,
        *PutKeyPolicy*), so finding it before deployment matters.

    Example:
        A key policy whose only statement allows
        ``arn:aws:iam::111122223333:role/App`` ``kms:Decrypt``.

    Instead:
        Keep the default key policy's statement that allows the account
        principal ``kms:*`` (``{"AWS": "arn:aws:iam::111122223333:root"}``),
        or allow named key administrators ``kms:PutKeyPolicy``.
    """

    code = "PL301"
    name = "key-policy-lockout"
    summary = "no principal can run kms:PutKeyPolicy under this key policy: the key becomes unmanageable"
    severity = Severity.ERROR
    tags = ("kms", "key-policy", "lockout")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.source.fragment or not is_key_policy(ctx) or not ctx.document.statements:
            return
        if is_aws_managed_key_policy(ctx):
            return
        left, blockers = policy_changers(ctx)
        if left:
            return
        tail = ("nobody, not even the account's root user, can then change the policy or schedule the key's "
                "deletion; only AWS Support can restore access (KMS refuses it unless "
                "BypassPolicyLockoutSafetyCheck is set)")
        if blockers:
            s = blockers[-1]
            yield ctx.finding(
                self,
                f"{s.label} denies kms:PutKeyPolicy to every principal with no condition: {tail}; "
                "add a condition that exempts the key administrators (aws:PrincipalArn) or remove the action",
                statement_action_path(s, PUT_KEY_POLICY),
            )
            return
        own = key_account(ctx).account
        acct = f"arn:aws:iam::{own}:root" if own else "the account principal (arn:aws:iam::<account>:root)"
        yield ctx.finding(
            self,
            f"no Allow statement lets an AWS principal of the key's account run kms:PutKeyPolicy: {tail}; "
            f"allow {acct} kms:* as the default key policy does, or allow named key administrators kms:PutKeyPolicy",
            ("Statement",),
        )
