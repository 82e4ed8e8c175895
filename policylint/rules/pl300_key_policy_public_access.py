"""PL300 key-policy-public-access."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.rules._keypolicy import is_key_policy, key_actions, matched, pinning, public_allow, short_list


class KeyPolicyPublicAccess(Rule):
    """A key policy statement lets every AWS principal use the key.

    What it does:
        In KMS key policies, reports Allow statements whose principal is
        ``"*"`` or ``{"AWS": "*"}`` (alone or in a list), or that use
        ``NotPrincipal``, unless a condition really pins the caller: a
        positive String or ARN test (no ``IfExists``, no ``ForAllValues``)
        of ``kms:CallerAccount``, ``aws:PrincipalAccount``,
        ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``, ``aws:PrincipalArn``,
        ``aws:SourceAccount``, ``aws:SourceArn``, ``aws:SourceOrgID``,
        ``aws:SourceOrgPaths``, ``aws:userid`` or ``aws:PrincipalServiceName``
        whose values name a particular account, organization, principal or
        service (``"*"``, ``arn:aws:iam::*:role/x`` or a policy variable do
        not). ``kms:ViaService`` alone does not pin: principals of every
        account can call KMS through the service. So the AWS managed key
        pattern (``{"AWS": "*"}`` with ``kms:ViaService`` and
        ``kms:CallerAccount``) passes. Deny statements are never reported.
        Named principals of other accounts are PL305's.

    Why it matters:
        With a principal of ``"*"`` the key policy allows every identity in
        every AWS account; a stranger needs only an IAM policy in their own
        account, which they control (KMS Developer Guide, *Key policies*,
        and *AWS KMS condition keys*, ``kms:CallerAccount``). Conditions that
        look restrictive but are true when a key is missing (``...IfExists``,
        ``StringNotEquals``) or that take any value do not close that door.

    Example:
        ``{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService":
        "s3.us-east-1.amazonaws.com"}}}``

    Instead:
        Name the principals, or pin the caller:
        ``"Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com",
        "kms:CallerAccount": "111122223333"}}``.
    """

    code = "PL300"
    name = "key-policy-public-access"
    summary = "a key policy Allow statement opens the key to every AWS principal (no condition pins the caller)"
    severity = Severity.ERROR
    tags = ("kms", "key-policy", "public")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        for stmt in ctx.document.statements:
            anyone = public_allow(ctx, stmt)
            if anyone is None:
                continue
            acts = matched(stmt, key_actions())
            if not acts:
                continue
            who = ("everyone except the NotPrincipal list (Allow with NotPrincipal)" if anyone.type == "NotPrincipal"
                   else 'everyone (Principal "*")')
            weak = pinning(stmt).weak
            if weak:
                why = "; ".join(reason for _, reason in weak[:2])
                cond = f"its condition does not pin the caller ({clip(why, 200)})"
            elif stmt.condition:
                keys = ", ".join(dict.fromkeys(c.key for c in stmt.condition))
                cond = f"its conditions ({clip(keys, 120)}) do not limit which account's principals call"
                if any(c.key.lower() == "kms:viaservice" for c in stmt.condition):
                    cond += " (kms:ViaService only says through which service: principals of any account can use it)"
            else:
                cond = "it has no condition"
            yield ctx.finding(
                self,
                f"{stmt.label} allows {who} to call {short_list(acts)} on this key and {cond}: any AWS "
                "account's principals can use the key with only their own IAM permission; name the principals "
                "or pin the caller with kms:CallerAccount, aws:PrincipalOrgID or aws:PrincipalArn",
                anyone.path,
            )
