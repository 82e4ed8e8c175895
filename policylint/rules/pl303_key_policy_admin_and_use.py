"""PL303 key-policy-admin-and-use."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import (
    admin_actions,
    crypto_actions,
    is_key_policy,
    key_actions,
    matched,
    principals,
    short_list,
)

_GRANT_CALLS = frozenset(("kms:creategrant", "kms:revokegrant"))


class KeyPolicyAdminAndUse(Rule):
    """One principal both administers the key and uses it (no separation of duties).

    What it does:
        Across the Allow statements of a KMS key policy, collects for each
        named principal (user, role, session, service) the key
        administration actions it gets (key actions of access level Write or
        Permissions management in the catalog that are not cryptographic:
        ``kms:PutKeyPolicy``, ``kms:ScheduleKeyDeletion``, ``kms:DisableKey``,
        ``kms:UpdateAlias``...) and the cryptographic
        operations it gets (``kms:Encrypt``, ``kms:Decrypt``,
        ``kms:GenerateDataKey*``, ``kms:Sign``, ``kms:GenerateMac``...), and
        reports principals that get both. The account principal (the
        delegation to IAM) and ``"*"`` are not principals in this sense.
        Grant calls (``kms:CreateGrant``, ``kms:RevokeGrant``) do not count
        as administration here: the console gives them to key users for AWS
        services ("Allow attachment of persistent resources"), and
        unconstrained ``kms:CreateGrant`` is PL304's. A statement that grants
        every KMS action is left to PL302.

    Why it matters:
        The console's default key policy gives key administrators no
        cryptographic use and key users no administration (KMS Developer
        Guide, *Default key policy*). A principal with both can decrypt the
        data and also change who else can, or destroy the key, and a single
        stolen session is enough for all of it. This is advice, not an
        error: small teams may accept it.

    Example:
        ``role/Ops`` allowed ``["kms:Create*", "kms:Put*", "kms:ScheduleKeyDeletion"]``
        in one statement and ``["kms:Decrypt"]`` in another.

    Instead:
        Give administration and use to different roles.
    """

    code = "PL303"
    name = "key-policy-admin-and-use"
    summary = "a principal gets both key administration and cryptographic use in one key policy"
    severity = Severity.INFO
    tags = ("kms", "key-policy", "separation-of-duties")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        admin_set, crypto_set, every = admin_actions() - _GRANT_CALLS, crypto_actions(), key_actions()
        seen: dict[str, dict] = {}
        for stmt in ctx.document.statements:
            if stmt.effect != "Allow" or stmt.not_principal is not None or matched(stmt, every) == every:
                continue  # kms:* to one principal is PL302's
            admin = matched(stmt, admin_set)
            crypto = matched(stmt, crypto_set)
            if not admin and not crypto:
                continue
            for p in principals(ctx, stmt):
                if p.root or p.everyone:
                    continue
                entry = seen.setdefault(p.key, {"ref": p, "admin": {}, "crypto": {}})
                for bucket, acts in (("admin", admin), ("crypto", crypto)):
                    if acts:
                        entry[bucket].setdefault(stmt.label, set()).update(acts)
                        if bucket == "admin" and "path" not in entry:
                            entry["path"] = p.path
        for entry in seen.values():
            if not entry["admin"] or not entry["crypto"]:
                continue
            admin_all = set().union(*entry["admin"].values())
            crypto_all = set().union(*entry["crypto"].values())
            yield ctx.finding(
                self,
                f"{entry['ref'].text} can both administer this key ({short_list(admin_all, 3)}, from "
                f"{', '.join(entry['admin'])}) and use it ({short_list(crypto_all, 3)}, from "
                f"{', '.join(entry['crypto'])}): give key administration and cryptographic use to different principals",
                entry["path"],
            )
