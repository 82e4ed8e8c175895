"""PL304 key-policy-unconstrained-grants."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import (
    CREATE_GRANT,
    PUT_KEY_POLICY,
    allows,
    grant_limited,
    is_key_policy,
    principals,
    public_allow,
    statement_action_path,
)


class KeyPolicyUnconstrainedGrants(Rule):
    """A key policy lets a principal create grants for anyone, for any operation.

    What it does:
        In KMS key policies, reports Allow statements that cover
        ``kms:CreateGrant`` (by name or by a wildcard such as ``kms:Create*``)
        with none of these limits: ``"Bool": {"kms:GrantIsForAWSResource":
        "true"}`` (only an integrated AWS service such as EBS or RDS can
        create the grant, for the caller), a ``kms:GranteePrincipal`` (or
        ``kms:GranteeServicePrincipal``) test, a ``kms:GrantOperations`` test,
        or ``kms:ViaService`` (only that service calls, as in AWS managed key
        policies). Principals that can also run ``kms:PutKeyPolicy`` in the
        same policy (key administrators, the account principal's delegation
        to IAM) are not reported: they can already give themselves anything.
        Service principals are not reported either (the service decides
        which grants it makes), and ``"*"`` with no pinning condition is
        PL300's.

    Why it matters:
        A principal allowed ``kms:CreateGrant`` by a policy can create grants
        for any grantee, in any account, and for any grant operation, even
        ones it cannot call itself (KMS Developer Guide, *Grants in AWS KMS*
        and *AWS KMS condition keys*). Grants do not expire and do not show
        in the key policy, so this is a quiet way to pass on decryption
        rights.

    Example:
        ``{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
        "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*"}``

    Instead:
        ``"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}`` on a
        separate statement for ``kms:CreateGrant``, ``kms:ListGrants`` and
        ``kms:RevokeGrant``, as the console's default key policy does.
    """

    code = "PL304"
    name = "key-policy-unconstrained-grants"
    summary = "kms:CreateGrant is allowed without kms:GrantIsForAWSResource, grantee or operation limits"
    severity = Severity.WARNING
    tags = ("kms", "key-policy", "grants")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        stmts = ctx.document.statements
        admins = {
            p.key
            for s in stmts
            if s.effect == "Allow" and allows(s, PUT_KEY_POLICY)
            for p in principals(ctx, s)
        }
        for stmt in stmts:
            if stmt.effect != "Allow" or stmt.not_principal is not None or not allows(stmt, CREATE_GRANT):
                continue
            if grant_limited(stmt) is not None or public_allow(ctx, stmt) is not None:
                continue
            who = [p for p in principals(ctx, stmt) if p.key not in admins and p.type != "Service"]
            if not who:
                continue
            names = ", ".join(p.text for p in who[:3]) + (f" and {len(who) - 3} more" if len(who) > 3 else "")
            yield ctx.finding(
                self,
                f"{stmt.label} lets {names} create grants on this key with no limit on the grantee or its "
                "operations: a grant can give any principal, in any account, Decrypt or any other grant "
                'operation; add "Bool": {"kms:GrantIsForAWSResource": "true"} if only AWS services need '
                "grants, or limit kms:GranteePrincipal and kms:GrantOperations",
                statement_action_path(stmt, CREATE_GRANT),
            )
