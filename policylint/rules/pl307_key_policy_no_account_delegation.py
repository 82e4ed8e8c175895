"""PL307 key-policy-no-account-delegation."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.rules._keypolicy import is_aws_managed_key_policy, is_key_policy, key_account, policy_changers


class KeyPolicyNoAccountDelegation(Rule):
    """Only named principals can change the key policy; the account principal cannot.

    What it does:
        For a whole KMS key policy that some principal can still change (PL301
        covers the case where none can), checks whether the account principal
        (``arn:aws:iam::<account>:root`` or the bare account ID) is among those
        allowed ``kms:PutKeyPolicy``. When only named users or roles are,
        reports it as information, naming them. AWS managed key policies are
        not checked.

    Why it matters:
        The default key policy allows the account principal ``kms:*`` so that
        the key never becomes unmanageable: the account cannot be deleted,
        while users and roles can. If the named key administrators are
        deleted or lose their credentials, only AWS Support can restore
        access to the key (KMS Developer Guide, *Default key policy*,
        "Allows access to the AWS account and enables IAM policies"). Some
        teams leave the statement out on purpose, to keep IAM policies from
        granting access to the key; that is a trade-off, hence information
        rather than a warning.

    Example:
        A key policy whose only administrators are
        ``arn:aws:iam::111122223333:role/KMSAdminRole``, with no statement for
        ``arn:aws:iam::111122223333:root``.

    Instead:
        Add ``{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action":
        "kms:*", "Resource": "*"}``, or keep at least two administrators and
        accept the risk.
    """

    code = "PL307"
    name = "key-policy-no-account-delegation"
    summary = "only named principals, not the account principal, can change the key policy (recoverability)"
    severity = Severity.INFO
    tags = ("kms", "key-policy", "lockout")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.source.fragment or not is_key_policy(ctx) or not ctx.document.statements:
            return
        if is_aws_managed_key_policy(ctx):
            return
        left, _ = policy_changers(ctx)
        if not left or any(key.startswith("account:") or key == "AWS:*" for key, _ in left):
            return
        own = key_account(ctx).account
        root = f"arn:aws:iam::{own}:root" if own else "arn:aws:iam::<account>:root"
        names = ", ".join(text for _, text in left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
        yield ctx.finding(
            self,
            f"only {names} can change this key policy, not the account principal ({root}): if "
            f"{'they are' if len(left) > 1 else 'it is'} deleted, only AWS Support can restore access to the key; "
            f"the default key policy allows {root} kms:* to keep the key manageable",
            ("Statement",),
        )
