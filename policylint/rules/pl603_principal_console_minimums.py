"""PL603 principal-console-minimums."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.check.rule import Rule


class PrincipalConsoleMinimums(Rule):
    """A user or role that uses or manages KMS keys lacks the KMS console minimums, all policies counted.

    What it does:
        With ``policylint lint --snapshot DIR``, decides for each IAM user and
        role of the snapshot, with the evaluator, whether it may use or manage
        a KMS key (a key operation on a key of the snapshot, or
        ``kms:ListKeys``), and then whether its effective permissions (own,
        group, attached and inline policies, permissions boundary, SCPs) allow
        what the KMS console's key list pages call on ``"*"``:
        ``kms:ListKeys``, ``kms:ListAliases``, ``tag:GetResources``,
        ``iam:ListUsers``, ``iam:ListRoles``. Each missing action is named with
        why (not allowed, explicitly denied, cut by the boundary). Principals
        marked CLI/SDK-only (``cli-sdk-only`` ARN patterns), service-linked
        roles, and roles that only AWS services or identity providers assume
        are not checked.

    Why it matters:
        A console user without ``iam:ListUsers``/``iam:ListRoles`` gets a
        broken key policy view, and without ``tag:GetResources`` empty key
        lists; per-policy checks cannot see that a group, a boundary or an SCP
        takes the permission away. CLI and SDK users need only the API
        permissions, so mark them CLI/SDK-only instead.

    Example:
        A user whose inline policy allows ``kms:*`` and ``iam:List*`` but
        whose permissions boundary allows only ``kms:*``.

    Instead:
        Allow ``iam:ListUsers``, ``iam:ListRoles`` and ``tag:GetResources`` in
        the boundary too, or list the user under ``cli-sdk-only``.
    """

    code = "PL603"
    name = "principal-console-minimums"
    summary = "a snapshot user or role that uses or manages KMS keys lacks the console minimums, all its policies counted"
    severity = Severity.WARNING
    tags = ("kms", "console", "snapshot")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html"
    scope = "run"

    def check(self, ctx):  # emitted by policylint.check.principals, never run per file
        return ()
