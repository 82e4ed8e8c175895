"""PL600 kms-console-read-only-minimum."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._console import LIST_PAGES, browses_keys, missing


class KmsConsoleReadOnlyMinimum(Rule):
    """A KMS console user's policy lacks what the console's key lists and key policy view call.

    What it does:
        For identity-based policies that let their principal browse keys in
        the AWS KMS console (they allow ``kms:ListKeys`` and
        ``kms:ListAliases`` on ``"*"`` and ``kms:GetKeyPolicy`` on every key),
        checks the part of the documented read-only console minimum that
        lies outside a single key: ``kms:ListKeys``, ``kms:ListAliases``,
        ``tag:GetResources``, ``iam:ListUsers`` and ``iam:ListRoles``, all on
        ``"*"``. The finding names each missing action, its resource scope and
        the console page that breaks. An unconditional Deny in the same policy
        counts as missing; a conditional Allow counts as granted. The key
        detail reads (``kms:DescribeKey``, ``kms:GetPublicKey``...) are PL602's.

    Why it matters:
        The KMS console calls IAM and the Resource Groups Tagging API, not only
        KMS: without ``iam:ListUsers``/``iam:ListRoles`` the key policy's
        default view fails, and without ``tag:GetResources`` the key lists
        fail, even for a principal allowed to use every key. AWS documents
        the gap for its own ``AWSKeyManagementServicePowerUser`` policy.

        Principals that call KMS only through the CLI or SDKs need none of
        this (KMS Developer Guide, *Permissions required to use the AWS KMS
        console*): list their policy files under ``cli-sdk-only`` in
        ``[tool.policylint]``, or ignore PL600 for them with
        ``per-file-ignores``. A policy that grants only cryptographic use, or
        only the alias list another service's console shows in a key picker,
        is not a KMS console policy and is not checked. Each policy is checked
        on its own: a permission the principal gets from another of its
        policies, or loses to a Deny or a permissions boundary elsewhere, is not
        seen by this rule.

    Example:
        ``{"Effect": "Allow", "Action": ["kms:List*", "kms:Describe*", "kms:Get*"], "Resource": "*"}``
        alone.

    Instead:
        Add ``{"Effect": "Allow", "Action": ["tag:GetResources",
        "iam:ListUsers", "iam:ListRoles"], "Resource": "*"}``.
    """

    code = "PL600"
    name = "kms-console-read-only-minimum"
    summary = "a KMS console user's policy lacks iam:ListUsers, iam:ListRoles, tag:GetResources or the KMS list permissions"
    severity = Severity.WARNING
    tags = ("kms", "console")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY or ctx.cli_sdk_only():
            return
        if not ctx.memo("browses_keys", lambda: browses_keys(doc)):
            return
        lacking = missing(doc, LIST_PAGES)
        if not lacking:
            return
        parts = [f"{n.action} ({n.scope_text}) for {n.breaks}" for n in lacking]
        yield ctx.finding(
            self,
            "lets its principal browse KMS keys but lacks what the KMS console calls outside the key: "
            + "; ".join(parts)
            + " (if only the CLI or SDKs use this policy, list it under cli-sdk-only in [tool.policylint])",
            (),
        )
