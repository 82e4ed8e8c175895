"""PL404 permissions-management-on-all-resources."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._iam import allowed_at, facts, narrowing_keys, plural, sample, spelled, star_index

LEVEL = "Permissions management"

#: Name prefixes of actions that only read, though the catalog files a few
#: of them (``glue:ListEntities``) under permissions management.
_READS = ("get", "list", "describe", "search", "batchget", "view")


@lru_cache(maxsize=4096)
def scoped_management(names: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """(action, its resource types) for ``names`` (permissions-management
    actions that act on particular resources), without the read actions,
    sorted by action name."""
    out = []
    for n in names:
        if not n.partition(":")[2].startswith(_READS):
            f = facts(n)
            out.append((n, "/".join(rt for rt, _ in f[1][:2]) + ("/..." if len(f[1]) > 2 else "")))
    return tuple(sorted(out))


class PermissionsManagementOnAllResources(Rule):
    """Actions that change who may use a resource are allowed on every resource.

    What it does:
        In identity-based policies (not key policies, where ``"*"`` means the
        key itself), reports once per Allow statement with ``"Resource": "*"``
        and no condition that narrows it the actions of the catalog's
        *Permissions management* access level that support resource-level
        permissions (``s3:PutBucketPolicy``, ``kms:PutKeyPolicy``,
        ``kms:CreateGrant``, ``secretsmanager:PutResourcePolicy``,
        ``iam:PutRolePolicy``...), with their count and the first few.
        Actions that accept only ``"*"`` are not counted, nor the few read
        actions (``Get*``, ``List*``, ``Describe*``) the catalog files under
        that level. The finding is info: a least-privilege hint, since
        full-access and service-role policies use ``"*"`` on purpose.

    Why it matters:
        Permissions-management actions write resource policies, grants and
        IAM policies: on ``"*"`` they let the holder open every bucket, key,
        queue or secret of the account to anyone, or change its own
        permissions. Each of these actions can be limited to named resources,
        so ``"*"`` is a choice, rarely a need. Write actions on ``"*"`` are
        common and often intended, so this rule keeps to the actions that
        decide access.

    Example:
        ``{"Effect": "Allow", "Action": ["s3:PutBucketPolicy", "s3:GetObject"], "Resource": "*"}``

    Instead:
        ``{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::app-logs"}``,
        or a condition on ``aws:ResourceTag/...``.
    """

    code = "PL404"
    name = "permissions-management-on-all-resources"
    summary = 'permissions-management actions (resource policies, grants, IAM policies) are allowed on Resource "*" though they can be limited to named resources'
    severity = Severity.INFO
    tags = ("iam", "least-privilege")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY or ctx.source.key_policy:
            return
        for stmt in doc.statements:
            if stmt.effect != "Allow":
                continue
            i = star_index(stmt)
            if i is None or narrowing_keys(stmt):
                continue
            hits = scoped_management(allowed_at(stmt.action, stmt.not_action, LEVEL))
            if not hits:
                continue
            examples = [f"{spelled(n)} ({rt})" for n, rt in hits]
            yield ctx.finding(
                self,
                f'{stmt.label} allows {plural(len(hits), "permissions-management action")} on Resource "*" that '
                f"can be limited to named resources: {sample(examples)}",
                stmt.value_path("Resource", i),
            )
