"""PL306 key-policy-resource-not-star."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.cfn import has_template_reference
from policylint.load.source import clip
from policylint.rules._keypolicy import is_key_policy, parse_arn_with_references
from policylint.wildcard import has_wildcard


def _why(value: str, deny: bool) -> str:
    nothing = "this Deny protects nothing" if deny else "the statement applies to nothing"
    arn = parse_arn_with_references(value)
    if arn is None:
        return f"it is not an ARN, so it names no key and {nothing}"
    if arn.service == "kms" and arn.resource.startswith("alias/"):
        return f"an alias ARN never identifies a KMS key in a Resource element, so {nothing}"
    if arn.service == "kms" and arn.resource.startswith("key/") and has_wildcard(value.replace("${", "")):
        return ("a key ARN pattern matches this key only while the key's account, Region and ID fit it, and says "
                "nothing more than \"*\" does")
    if arn.service == "kms" and arn.resource.startswith("key/"):
        return ("a key ARN matches only while the policy stays on that very key: a copy on another key or on a "
                "multi-Region replica (its own ARN) silently stops applying")
    return f"an ARN of {arn.service or 'no service'} never names a KMS key, so {nothing}"


class KeyPolicyResourceNotStar(Rule):
    """A key policy statement's Resource is not ``"*"``.

    What it does:
        In KMS key policies (files of loose key-policy statements included),
        reports every ``Resource`` value other than ``"*"`` and every
        ``NotResource``, in Allow and Deny statements, saying what the value
        does: a key ARN applies only on that one key, an alias ARN or
        another service's ARN makes the statement apply to nothing. Policies
        that govern several keys (a KMS ARN with wildcards, or IAM-only
        actions such as ``kms:ListKeys`` next to a key ARN: VPC endpoint
        policies) are not key policies to this rule. ``"Resource": "*"`` is
        never reported, by this rule or any other, in a key policy.

    Why it matters:
        AWS documents ``"*"`` as the Resource of key policy statements: in a
        key policy it means "this KMS key", the key the policy is attached to
        (KMS Developer Guide, *Creating a key policy*, "Elements in a key
        policy"). Any other value makes the statement depend on which key it
        sits on. A Deny with such a Resource protects nothing, and an Allow
        grants nothing, without KMS complaining.

    Example:
        ``"Resource": "arn:aws:kms:us-east-1:111122223333:alias/payments"``
        in a key policy statement.

    Instead:
        ``"Resource": "*"``.
    """

    code = "PL306"
    name = "key-policy-resource-not-star"
    summary = 'a key policy statement\'s Resource is not "*" (which means this key)'
    severity = Severity.WARNING
    tags = ("kms", "key-policy")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if not is_key_policy(ctx):
            return
        for stmt in ctx.document.statements:
            for i, value in enumerate(stmt.resource or ()):
                if value == "*" or (value.startswith("${") and value.endswith("}") and value.count("${") == 1
                                    and has_template_reference(value)):
                    continue  # a whole value only known when deployed (a template or Terraform reference)
                yield ctx.finding(
                    self,
                    f'{stmt.label} has Resource "{clip(value)}": in a key policy, Resource "*" means this key; '
                    f'{_why(value, stmt.effect == "Deny")}; use "*"',
                    stmt.value_path("Resource", i),
                )
            if stmt.not_resource is not None:
                yield ctx.finding(
                    self,
                    f'{stmt.label} uses NotResource: in a key policy the only resource is the key itself, written '
                    'Resource "*"; NotResource either matches this key or matches nothing',
                    stmt.path + ("NotResource",),
                )
