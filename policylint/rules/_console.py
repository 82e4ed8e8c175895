"""What the AWS KMS console needs, and whether one policy grants it.

The permission sets are the documented ones (not catalog data):

* read-only use: KMS Developer Guide, *IAM policy examples*, section "Allow a
  user to view KMS keys in the AWS KMS console", and *Permissions required to
  use the AWS KMS console*
  (https://docs.aws.amazon.com/kms/latest/developerguide/customer-managed-policies.html);
* creating and managing keys: the AWS managed policy
  ``AWSKeyManagementServicePowerUser`` that page recommends, plus
  ``tag:GetResources``, which AWS says power users need from another policy
  (KMS Developer Guide, *AWS managed policy for power users*).

Each required action has a resource scope: ``"*"`` for actions that act on no
particular resource, "every key" (``arn:aws:kms:*:<account>:key/*``) for
key-level reads, and "either" for ``tag:GetResources``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from policylint import catalog
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.match import matched_catalog_actions
from policylint.model.policy import PolicyDocument, Statement
from policylint.wildcard import compile_glob

__all__ = ["BROWSES_KEYS", "DETAIL_TABS", "EITHER", "LIST_PAGES", "MANAGEMENT", "Need", "READ_ONLY",
           "allows_any", "browses_keys", "management_actions", "missing"]

STAR, KEYS, EITHER = "*", "keys", "either"
_SCOPE_TEXT = {STAR: 'Resource "*"', KEYS: "every key (arn:aws:kms:*:<account>:key/*)", EITHER: 'Resource "*"'}


@dataclass(frozen=True)
class Need:
    """One console requirement: an action, its resource scope, and what breaks without it."""

    action: str
    scope: str
    breaks: str

    @property
    def scope_text(self) -> str:
        return _SCOPE_TEXT[self.scope]


#: What the key list pages and the key policy's default view call.
LIST_PAGES: tuple[Need, ...] = (
    Need("kms:ListKeys", STAR, "the AWS managed keys and Customer managed keys pages"),
    Need("kms:ListAliases", STAR, "the key list pages (alias column) and alias lookups"),
    Need("tag:GetResources", EITHER, "the key list pages, even when no key has tags"),
    Need("iam:ListUsers", STAR, "the key policy's default view, which lists IAM users"),
    Need("iam:ListRoles", STAR, "the key policy's default view, which lists IAM roles"),
)

#: What the key detail pages call.
DETAIL_TABS: tuple[Need, ...] = (
    Need("kms:DescribeKey", KEYS, "the key detail pages and optional table columns"),
    Need("kms:GetKeyPolicy", KEYS, "the Key policy tab"),
    Need("kms:ListKeyPolicies", KEYS, "the Key policy tab"),
    Need("kms:GetKeyRotationStatus", KEYS, "the Key rotation tab"),
    Need("kms:ListResourceTags", KEYS, "the Tags tab"),
    Need("kms:GetPublicKey", KEYS, "the Public key tab of asymmetric keys"),
)

READ_ONLY: tuple[Need, ...] = LIST_PAGES + DETAIL_TABS

#: A policy that grants these browses keys in the KMS console: it lists keys
#: and aliases and reads key policies, which only the KMS console's pages need
#: together (other services' consoles list aliases for a key picker, and
#: services read key metadata, but neither reads every key's policy).
BROWSES_KEYS: tuple[Need, ...] = (
    Need("kms:ListKeys", STAR, ""),
    Need("kms:ListAliases", STAR, ""),
    Need("kms:GetKeyPolicy", KEYS, ""),
)

MANAGEMENT: tuple[Need, ...] = (
    Need("kms:CreateKey", STAR, "the Create key wizard"),
    Need("kms:CreateAlias", STAR, "the Create key wizard's alias step and the Aliases tab"),
    Need("kms:DeleteAlias", STAR, "removing aliases on the Aliases tab"),
    Need("kms:TagResource", KEYS, "the Create key wizard's tags step and the Tags tab"),
    Need("kms:UntagResource", KEYS, "removing tags on the Tags tab"),
)

# Key-management actions: the console's default key-administrator statement
# (KMS Developer Guide, *Default key policy*, "Allows key administrators to
# administer the KMS key") without its read-only and grant parts, plus key creation.
_ADMIN_PATTERNS = ("kms:Create*", "kms:Enable*", "kms:Put*", "kms:Update*", "kms:Disable*", "kms:Delete*",
                   "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion")
_NOT_ADMIN = frozenset(("kms:creategrant", "kms:createcustomkeystore"))

_SAMPLE_KEY_IDS = ("key/1234abcd-12ab-34cd-56ef-1234567890ab", "key/mrk-1234abcd12ab34cd56ef1234567890ab")


@cache
def management_actions() -> frozenset[str]:
    """Lower-case full names of the key-management actions, expanded through the catalog."""
    out = {a.full_name.lower() for p in _ADMIN_PATTERNS for a in catalog.expand(p)}
    return frozenset(out - _NOT_ADMIN)


def _pattern_covers(pattern: str, scope: str, service: str) -> bool:
    if all(c == "*" for c in pattern):
        return True
    arn = parse_arn(pattern)
    if arn is None:
        return False
    partition, svc, resource = arn.partition, arn.service, arn.resource
    if not compile_glob(partition).match("aws") and not compile_glob(partition).match("aws-cn") and not compile_glob(
        partition
    ).match("aws-us-gov"):
        return False
    if scope == STAR:
        # Account- or Region-scoped service ARNs with a wildcard resource
        # (arn:aws:kms:*:111122223333:*) cover the actions that take "*".
        return service == "kms" and compile_glob(svc).match("kms") and all(c == "*" for c in resource)
    return compile_glob(svc).match("kms") and all(compile_glob(resource).match(k) for k in _SAMPLE_KEY_IDS)


def _statement_covers(stmt: Statement, scope: str, service: str) -> bool:
    scopes = (STAR, KEYS) if scope == EITHER else (scope,)
    if stmt.resource is not None:
        return any(_pattern_covers(p, s, service) for p in stmt.resource for s in scopes)
    if stmt.not_resource is not None:
        # NotResource applies to everything it does not list; it covers the
        # scope unless a listed pattern takes in the whole scope.
        return not all(any(_pattern_covers(p, s, service) for p in stmt.not_resource) for s in scopes)
    return False


def missing(doc: PolicyDocument, needs: tuple[Need, ...]) -> list[Need]:
    """The needs this policy does not meet on its own.

    A need is met when some Allow statement matches the action and covers the
    scope (a conditional Allow counts: the condition may well hold for the
    console user), and no Deny statement without a condition matches it.
    """
    out = []
    wanted = frozenset(n.action.lower() for n in needs)
    matched = [(stmt, matched_catalog_actions(stmt, wanted)) for stmt in doc.statements]
    for need in needs:
        service = need.action.split(":", 1)[0]
        allowed = denied = False
        for stmt, acts in matched:
            if need.action.lower() not in acts or not _statement_covers(stmt, need.scope, service):
                continue
            if stmt.effect == "Deny" and not stmt.condition:
                denied = True
            elif stmt.effect == "Allow":
                allowed = True
        if denied or not allowed:
            out.append(need)
    return out


def browses_keys(doc: PolicyDocument) -> bool:
    """True if the policy on its own lets its principal list keys and aliases
    and read every key's policy: the sign of a KMS console user."""
    if not any(s.effect == "Allow" and matched_catalog_actions(s, _LIST_KEYS) for s in doc.statements):
        return False  # the quick, common answer
    return not missing(doc, BROWSES_KEYS)


_LIST_KEYS = frozenset({"kms:listkeys"})


def allows_any(doc: PolicyDocument, actions: frozenset[str]) -> bool:
    """True if some Allow statement matches at least one of ``actions`` (lower-case full names)."""
    return any(s.effect == "Allow" and matched_catalog_actions(s, actions) for s in doc.statements)


@cache
def kms_actions() -> frozenset[str]:
    """Every KMS action (lower-case full names), from the catalog."""
    return frozenset(a.full_name.lower() for a in catalog.actions_for_service("kms").values())
