"""PL601 kms-console-management-minimum."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._console import MANAGEMENT, allows_any, browses_keys, management_actions, missing


class KmsConsoleManagementMinimum(Rule):
    """An identity policy lets its principal manage KMS keys but lacks the console's create/manage permissions.

    What it does:
        For identity-based policies of KMS console users (that browse keys,
        see PL600) that also allow a key-management action (those
        of the console's default key-administrator statement: ``kms:Create*``,
        ``kms:Put*``, ``kms:Update*``, ``kms:Enable*``, ``kms:Disable*``,
        ``kms:Delete*``, tagging and key deletion, but not grants), checks the
        create/manage permissions of ``AWSKeyManagementServicePowerUser``, the
        managed policy AWS documents for managing keys in the console:
        ``kms:CreateKey``, ``kms:CreateAlias``, ``kms:DeleteAlias`` on
        ``"*"`` and ``kms:TagResource``,
        ``kms:UntagResource`` on every key. The read-only part of the console
        minimum is PL600's. (The power-user policy also allows
        ``iam:ListGroups`` and ``kms:GenerateRandom``; the console's key pages
        need neither, since IAM groups cannot be key policy principals.) Severity is info: an administrator who never
        creates keys in the console does not need all of this.

    Why it matters:
        The Create key wizard calls ``CreateKey``, ``CreateAlias`` and
        ``TagResource`` (tags given at creation need ``kms:TagResource`` in an
        IAM policy, not in the new key's policy).

    Example:
        A key administrator's policy with ``kms:PutKeyPolicy``,
        ``kms:ScheduleKeyDeletion`` and ``kms:Describe*`` only.

    Instead:
        Attach ``AWSKeyManagementServicePowerUser`` and allow
        ``tag:GetResources``, or add the missing actions.
    """

    code = "PL601"
    name = "kms-console-management-minimum"
    summary = "a KMS administrator's policy lacks the console's create/manage permissions"
    severity = Severity.INFO
    tags = ("kms", "console")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY or ctx.cli_sdk_only():
            return
        if not allows_any(doc, management_actions()) or not ctx.memo("browses_keys", lambda: browses_keys(doc)):
            return
        lacking = missing(doc, MANAGEMENT)
        if not lacking:
            return
        parts = [f"{n.action} ({n.scope_text}; for {n.breaks})" for n in lacking]
        yield ctx.finding(
            self,
            "allows KMS key management but lacks the console's create/manage permissions "
            "(AWSKeyManagementServicePowerUser): " + "; ".join(parts),
            (),
        )
