"""PL305 key-policy-untrusted-account."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import (
    is_account_id,
    is_key_policy,
    key_account,
    key_actions,
    matched,
    pinned_accounts,
    principals,
    short_list,
)


class KeyPolicyUntrustedAccount(Rule):
    """A key policy lets principals of another, untrusted account use the key.

    What it does:
        Infers the key's own account (a key policy does not state it): the
        account whose account principal the policy lets run
        ``kms:PutKeyPolicy`` (the default key policy's delegation to IAM),
        else the account most of the policy's principals belong to. Then
        reports, in Allow statements, each principal of another account (its
        account principal, users, roles, sessions) and each other account
        that a ``"*"`` statement is pinned to by ``kms:CallerAccount``,
        ``aws:PrincipalAccount`` or ``aws:PrincipalArn``, unless the account
        is listed in ``trusted-accounts`` in ``[tool.policylint]``. Nothing is
        reported when the key's account cannot be told.

    Why it matters:
        A key policy that names another account lets that account's
        administrators hand the key's use to any of their principals with
        their own IAM policies, outside your control (KMS Developer Guide,
        *Allowing users in other accounts to use a KMS key*). That is right
        for a partner or a workload account you run, and a leak for an
        account named by mistake (a typo, a former vendor): list the
        accounts you trust so that only the others are reported.

    Example:
        A key policy of account 111122223333 with
        ``"Principal": {"AWS": "arn:aws:iam::999988887777:root"}`` and
        ``"Action": ["kms:Decrypt"]``.

    Instead:
        Remove the account, or trust it:
        ``[tool.policylint] trusted-accounts = ["999988887777"]``.
    """

    code = "PL305"
    name = "key-policy-untrusted-account"
    summary = "a key policy lets principals of an account other than the key's own and the trusted accounts use the key"
    severity = Severity.WARNING
    tags = ("kms", "key-policy", "cross-account")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        guess = key_account(ctx)
        own = guess.account
        if own is None:
            return
        trusted = set(ctx.settings.trusted_accounts) | {own}
        for stmt in ctx.document.statements:
            if stmt.effect != "Allow":
                continue
            acts = matched(stmt, key_actions())
            if not acts:
                continue
            what = short_list(acts, 3)
            hint_for = lambda acct: (  # noqa: E731
                f"the key's account is {own}, inferred as {guess.why.split(' (')[0]}; if you trust {acct}, "
                f'add "{acct}" to trusted-accounts in [tool.policylint]'
            )
            refs = principals(ctx, stmt)
            for p in refs:
                if is_account_id(p.account) and p.account not in trusted:
                    whom = f"account {p.account}" if p.root else f"{p.value} of account {p.account}"
                    yield ctx.finding(
                        self,
                        f"{stmt.label} lets {whom} call {what} on this key: {hint_for(p.account)}",
                        p.path,
                    )
            if any(p.everyone for p in refs):
                for clause, i, acct in pinned_accounts(stmt):
                    if acct not in trusted:
                        by_arn = clause.key.lower() == "aws:principalarn"
                        whom = (f"principal {clause.values[i]} of account {acct}" if by_arn
                                else f"every principal of account {acct}")
                        yield ctx.finding(
                            self,
                            f"{stmt.label} lets {whom} (Principal \"*\" with {clause.key}) call {what} "
                            f"on this key: {hint_for(acct)}",
                            stmt.condition_path(clause, i),
                        )
