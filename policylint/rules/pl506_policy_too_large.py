"""PL506 policy-too-large."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._hygiene import compact_text, raw_text, without_white_space

#: IAM and AWS STS quotas (IAM User Guide, *IAM and AWS STS quotas*); white space not counted.
MANAGED = 6_144
INLINE = {"user": 2_048, "group": 5_120, "role": 10_240}
TRUST, TRUST_MAX = 2_048, 4_096
#: AWS Organizations *Quotas*: SCPs and RCPs, every character counted, white space included.
ORGANIZATIONS = 5_120
#: AWS KMS *Resource quotas*: key policy document size.
KEY_POLICY = 32_768


class PolicyTooLarge(Rule):
    """A policy document larger than AWS accepts for where it goes.

    What it does:
        Measures the document the way AWS counts it and compares it with the
        quota of its kind:

        * IAM identity policies, white space not counted: 6,144 characters
          for a customer managed policy; inline policies are limited per user
          (2,048), group (5,120) and role (10,240) in total, so a single
          inline policy is reported when it alone is over its entity's quota,
          and an ``get-account-authorization-details`` export, which holds
          every inline policy of an entity, is also checked for their total.
          A document whose placement is unknown (a bare file) is reported
          only above 10,240, the most any customer identity policy can hold,
          and names the other quotas;
        * role trust policies, white space not counted: 2,048 characters by
          default, 4,096 at most after a quota increase;
        * SCPs and RCPs: 5,120 characters, white space included; the document
          is measured as written when the file holds its text (a bare JSON
          file, or the ``Content`` string of ``describe-policy``), and without
          white space between tokens otherwise;
        * KMS key policies: 32,768 bytes, measured as compact JSON (UTF-8), a
          lower bound of what KMS counts.

        White space "not counted" is every white-space character of the
        compact JSON form, so the measure never exceeds what AWS counts.

    Why it matters:
        IAM, Organizations and KMS reject a policy over its quota
        (``LimitExceeded``, ``MalformedPolicyDocument``); a deployment
        pipeline fails at apply time. AWS managed policies are exempt, so
        some of them are larger than any customer policy can be: copying
        one into a customer managed policy fails.

    Example:
        An SCP of 6,000 characters that lists hundreds of actions one by one.

    Instead:
        Split the policy into several policies, use wildcards where the
        actions share a prefix (``ec2:Describe*``), or move permissions to
        another attachment point; for KMS, use grants.
    """

    code = "PL506"
    name = "policy-too-large"
    summary = "the document is larger than the AWS quota for its kind (counted as AWS counts)"
    severity = Severity.ERROR
    tags = ("hygiene", "limits")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None or ctx.source.fragment or ctx.source.aws_managed:
            return  # AWS managed policies are not held to the customer quotas
        doc = ctx.source.document
        kind = ctx.kind
        compact = compact_text(doc)
        if ctx.source.key_policy or (kind is PolicyKind.RESOURCE and _kms_only(ctx)):
            size = len(compact.encode("utf-8"))
            if size > KEY_POLICY:
                yield ctx.finding(
                    self, f"the key policy is {size:,} bytes even without white space; KMS accepts at most "
                    f"{KEY_POLICY:,} bytes (32 KB): move access to grants or IAM policies", ())
            return
        if kind in (PolicyKind.SCP, PolicyKind.RCP):
            what = "service control policy" if kind is PolicyKind.SCP else "resource control policy"
            raw = raw_text(ctx)
            if len(compact) > ORGANIZATIONS:
                yield ctx.finding(
                    self, f"the {what} is {len(compact):,} characters even without white space between tokens; "
                    f"AWS Organizations accepts at most {ORGANIZATIONS:,}: split it into several policies", ())
            elif raw is not None and len(raw) > ORGANIZATIONS:
                yield ctx.finding(
                    self, f"the {what} is {len(raw):,} characters as written, and Organizations counts white space "
                    f"(at most {ORGANIZATIONS:,}); without white space outside strings it is {len(compact):,}: "
                    "minify it before upload", ())
            return
        size = len(without_white_space(compact))
        if kind is PolicyKind.TRUST:
            if size > TRUST:
                beyond = (f"over even the {TRUST_MAX:,} a quota increase allows" if size > TRUST_MAX
                          else f"accepted only after a quota increase (to at most {TRUST_MAX:,})")
                yield ctx.finding(
                    self, f"the trust policy is {size:,} characters without white space; the default quota is "
                    f"{TRUST:,}: {beyond}", ())
            return
        if kind is not PolicyKind.IDENTITY:
            return
        entity, managed = _placement(ctx)
        if entity is not None:
            if size > INLINE[entity]:
                yield ctx.finding(
                    self, f"this inline policy alone is {size:,} characters without white space; the inline policies "
                    f"of a {entity} may total at most {INLINE[entity]:,}", ())
                return
            # IAM counts a user's, group's or role's inline policies together:
            # said once, on the entity's first inline policy in the file.
            who = (ctx.source.name or "").partition(" inline policy ")[0]
            mine = [ps for ps in ctx.file.policies if (ps.name or "").startswith(who + " inline policy ")]
            if len(mine) > 1 and mine[0] is ctx.source:
                total = sum(len(without_white_space(compact_text(ps.document))) for ps in mine)
                if total > INLINE[entity]:
                    yield ctx.finding(
                        self, f"the {len(mine)} inline policies of {who} total {total:,} characters without white "
                        f"space; the inline policies of a {entity} may total at most {INLINE[entity]:,}", ())
        elif managed:
            if size > MANAGED:
                yield ctx.finding(
                    self, f"the managed policy is {size:,} characters without white space; a customer managed policy "
                    f"holds at most {MANAGED:,} (AWS managed policies are exempt)", ())
        elif size > INLINE["role"]:
            yield ctx.finding(
                self, f"the policy is {size:,} characters without white space: more than any customer identity policy "
                f"may hold (managed {MANAGED:,}; inline, per user {INLINE['user']:,}, group {INLINE['group']:,}, role "
                f"{INLINE['role']:,}); split it (AWS managed policies are exempt)", ())


def _placement(ctx: PolicyContext) -> tuple[str | None, bool]:
    """(user/group/role for an inline policy, True for a managed policy) from the CLI output shape."""
    name = ctx.source.name or ""
    origin = ctx.source.origin
    if " inline policy " in f" {name} ":
        head = name.partition("/")[0]
        if head in INLINE:
            return head, False
    if origin == "aws iam get-policy-version output" or name.startswith("managed policy "):
        return None, True
    return None, False


def _kms_only(ctx: PolicyContext) -> bool:
    """A resource policy whose every action is a kms: action (a key policy by its content)."""
    stmts = ctx.document.statements if ctx.document else ()
    return bool(stmts) and all(s.action_services == frozenset({"kms"}) for s in stmts)
