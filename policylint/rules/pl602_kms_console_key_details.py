"""PL602 kms-console-key-details."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._console import DETAIL_TABS, browses_keys, missing


class KmsConsoleKeyDetails(Rule):
    """A KMS console user's policy lacks some key-level reads the key detail pages call.

    What it does:
        For identity-based policies that let their principal browse keys in
        the AWS KMS console (see PL600), checks the key-level part of the
        documented read-only minimum on every key of the account
        (``arn:aws:kms:*:<account>:key/*``): ``kms:DescribeKey``,
        ``kms:GetKeyPolicy``, ``kms:ListKeyPolicies``,
        ``kms:GetKeyRotationStatus``, ``kms:ListResourceTags`` and
        ``kms:GetPublicKey``, naming the tab that fails without each.

    Why it matters:
        The console still lists the keys, but detail pages show errors on the
        tabs whose calls are denied. Severity is info: a narrower view can be
        deliberate.

    Example:
        A policy with ``kms:ListKeys``, ``kms:ListAliases``,
        ``kms:GetKeyPolicy`` and the tagging and IAM list actions, but no
        ``kms:GetKeyRotationStatus``.

    Instead:
        Allow the six reads on ``arn:aws:kms:*:111122223333:key/*``.
    """

    code = "PL602"
    name = "kms-console-key-details"
    summary = "a KMS console user's policy lacks key-level reads the key detail pages call"
    severity = Severity.INFO
    tags = ("kms", "console")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY or ctx.cli_sdk_only():
            return
        if not ctx.memo("browses_keys", lambda: browses_keys(doc)):
            return
        lacking = missing(doc, DETAIL_TABS)
        if not lacking:
            return
        parts = [f"{n.action} for {n.breaks}" for n in lacking]
        yield ctx.finding(
            self,
            "lets its principal browse KMS keys but not read every key's details "
            "(arn:aws:kms:*:<account>:key/*): " + "; ".join(parts),
            (),
        )
