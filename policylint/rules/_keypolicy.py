"""What the KMS key-policy rules (PL300-PL309) share: is this a key policy,
whose key is it, who do its statements name, and do their conditions pin the
caller.

Sources (AWS KMS Developer Guide unless noted):

* *Creating a key policy*, "Elements in a key policy": in a key policy,
  ``"Resource": "*"`` means this KMS key
  (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html);
* *Default key policy*: the statement that gives the account principal
  (``arn:aws:iam::<account>:root`` or the bare account ID) ``kms:*``
  delegates access to IAM policies in that account, and keeps the key
  manageable (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
* *AWS KMS condition keys* (``kms:CallerAccount``, ``kms:ViaService``,
  ``kms:GrantIsForAWSResource``, ``kms:GranteePrincipal``,
  ``kms:GrantOperations``, ``kms:RequestAlias``);
* IAM User Guide, *AWS global condition context keys* (``aws:PrincipalAccount``,
  ``aws:PrincipalOrgID``, ``aws:PrincipalArn``, ``aws:SourceAccount``...) and
  *Condition operators* (a key absent from the request makes ``...IfExists``
  and negated operators true, and ``ForAllValues`` true).

The action sets come from the catalog (:mod:`policylint.catalog`), never
from copied lists: *key actions* are the KMS actions whose resource is a
key; *cryptographic* actions are the key actions of access level Write whose
condition keys include ``kms:RequestAlias`` or an algorithm key
(``kms:EncryptionAlgorithm``, ``kms:SigningAlgorithm``, ``kms:MacAlgorithm``,
``kms:KeyAgreementAlgorithm``...; the KMS Developer Guide says
``kms:RequestAlias`` applies to the cryptographic operations, DescribeKey
and GetPublicKey); *administrative* actions are the other key actions of
access level Write or Permissions management.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from policylint import catalog
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.variables import has_policy_variable
from policylint.evaluate.match import matched_catalog_actions
from policylint.model.policy import ConditionClause, PolicyDocument, PolicyKind, Statement
from policylint.parse.operators import OperatorError, parse_operator
from policylint.wildcard import has_wildcard

__all__ = [
    "PUT_KEY_POLICY",
    "CREATE_GRANT",
    "AccountGuess",
    "PrincipalRef",
    "admin_actions",
    "allows",
    "crypto_actions",
    "grant_limited",
    "account_of",
    "is_account_id",
    "is_aws_managed_key_policy",
    "is_key_policy",
    "key_account",
    "key_actions",
    "matched",
    "parse_arn_with_references",
    "pinned_accounts",
    "pinning",
    "policy_changers",
    "principals",
    "public_allow",
    "short_list",
    "statement_action_path",
]

PUT_KEY_POLICY = "kms:putkeypolicy"
CREATE_GRANT = "kms:creategrant"
_ACCOUNT = re.compile(r"^[0-9]{12}$")


# ---------------------------------------------------------------------------
# Action sets, from the catalog.


@cache
def key_actions() -> frozenset[str]:
    """Lower-case names of the KMS actions that act on a key (resource type ``key``).

    These are the only actions a key policy can grant: the others
    (``kms:CreateKey``, ``kms:ListKeys``...) act on no key."""
    return frozenset(
        a.full_name.lower() for a in catalog.expand("kms:*") if any(r.name == "key" for r in a.resource_types)
    )


@cache
def _iam_only_actions() -> frozenset[str]:
    return frozenset(a.full_name.lower() for a in catalog.expand("kms:*") if not a.resource_types)


def _is_crypto(a: catalog.ActionInfo) -> bool:
    if "Write" not in a.access_level:
        return False
    for k in a.condition_keys:
        low = k.lower()
        if low == "kms:requestalias" or (low.endswith("algorithm") and low != "kms:wrappingalgorithm"):
            return True
    return False


@cache
def crypto_actions() -> frozenset[str]:
    """Lower-case names of the cryptographic KMS actions (Encrypt, Decrypt,
    ReEncrypt*, GenerateDataKey*, Sign, Verify, GenerateMac, VerifyMac,
    DeriveSharedSecret...), derived from the catalog as the module docstring says."""
    keys = key_actions()
    return frozenset(
        a.full_name.lower() for a in catalog.expand("kms:*") if a.full_name.lower() in keys and _is_crypto(a)
    )


@cache
def admin_actions() -> frozenset[str]:
    """Lower-case names of the key-administration actions: key actions of access
    level Write or Permissions management that are not cryptographic
    (PutKeyPolicy, CreateGrant, RevokeGrant, ScheduleKeyDeletion, DisableKey,
    UpdateAlias...). ``kms:RetireGrant`` is left out: the grant, not a policy,
    decides who may retire it."""
    keys, crypto = key_actions(), crypto_actions()
    out = set()
    for a in catalog.expand("kms:*"):
        name = a.full_name.lower()
        if name in keys and name not in crypto and name != "kms:retiregrant" and (
            "Write" in a.access_level or "Permissions management" in a.access_level
        ):
            out.add(name)
    return frozenset(out)


def matched(stmt: Statement, names: frozenset[str]) -> frozenset[str]:
    """The subset of ``names`` (lower-case ``kms:`` actions) the statement's
    Action or NotAction covers."""
    return matched_catalog_actions(stmt, names)


def allows(stmt: Statement, name: str) -> bool:
    """True if the statement's Action/NotAction covers the one action ``name`` (lower case)."""
    return bool(matched_catalog_actions(stmt, frozenset((name,))))


def statement_action_path(stmt: Statement, name: str | None = None):
    """Path of the Action value that grants ``name`` (lower case), or of the
    whole Action/NotAction element when no single value does (NotAction)."""
    if stmt.action is not None:
        for i, v in enumerate(stmt.action):
            names = catalog.expand_names(v)
            if names is None or name is None and _covers_all_key_actions(v) or name is not None and name in names:
                return stmt.value_path("Action", i)
        return stmt.path + ("Action",)
    return stmt.path + ("NotAction",)


@cache
def _covers_all_key_actions(pattern: str) -> bool:
    names = catalog.expand_names(pattern)
    return names is None or key_actions() <= names


def short_list(names, limit: int = 4) -> str:
    """``kms:A, kms:B, kms:C and 5 more`` with catalog spelling, sorted."""
    spelled = []
    for n in sorted(names):
        info = catalog.action(n)
        spelled.append(info.full_name if info else n)
    if len(spelled) <= limit:
        return ", ".join(spelled)
    return ", ".join(spelled[:limit]) + f" and {len(spelled) - limit} more"


# ---------------------------------------------------------------------------
# Is this a key policy?


def _raw_actions(stmt: Statement) -> tuple[str, ...]:
    return stmt.action if stmt.action is not None else (stmt.not_action or ())


def _names_many_keys(doc: PolicyDocument) -> bool:
    """A policy that governs several keys (a VPC endpoint policy, an RCP...):
    a Resource that is a KMS ARN pattern with a wildcard, or IAM-only KMS
    actions (ListKeys, CreateKey...) named next to a key ARN."""
    iam_only = _iam_only_actions()
    named_iam_only = any(
        v.lower() in iam_only for s in doc.statements for v in _raw_actions(s) if not has_wildcard(v)
    )
    for s in doc.statements:
        for r in (s.resource or ()) + (s.not_resource or ()):
            arn = parse_arn(r)
            if arn is None or arn.service != "kms":
                continue
            if has_wildcard(r) or named_iam_only:
                return True
    return False


def is_key_policy(ctx) -> bool:
    """True when the policy is a KMS key policy.

    It is one when the file says so (``aws kms get-key-policy`` output), or
    when it is a resource-based policy every statement of which names only
    ``kms:`` actions or ``*`` wildcards, with at least one ``kms:`` action
    (a policy of ``"Action": "*"`` alone is also the default VPC endpoint
    policy, so it needs the file's word, e.g. ``get-key-policy`` output), unless
    it governs several keys (see :func:`_names_many_keys`: then it is a VPC
    endpoint policy or similar, where key ARNs in Resource are right)."""
    if ctx.document is None:
        return False
    if ctx.source.key_policy:
        return True
    if ctx.kind is not PolicyKind.RESOURCE:
        return False

    def compute():
        doc = ctx.document
        seen_kms = False
        for s in doc.statements:
            for a in _raw_actions(s):
                low = a.lower()
                if low.startswith("kms:"):
                    seen_kms = True
                elif not all(c == "*" for c in a):
                    return False
        return seen_kms and not _names_many_keys(doc)

    return ctx.memo("keypolicy.is", compute)


# ---------------------------------------------------------------------------
# Principals.


@dataclass(frozen=True)
class PrincipalRef:
    """One principal named by a statement.

    Attributes:
        type: ``"*"`` (the bare ``"*"``), ``AWS``, ``Service``, ``Federated`` or ``CanonicalUser``.
        value: as written.
        path: data path of the value in the document.
        account: the 12-digit account it belongs to, or None (``*``, services,
            unique IDs of deleted principals).
        root: True for the account principal (``arn:aws:iam::<account>:root``
            or the bare account ID), which stands for the whole account.
    """

    type: str
    value: str
    path: tuple
    account: str | None
    root: bool

    @property
    def everyone(self) -> bool:
        """True for ``"*"`` and ``{"AWS": "*"}``."""
        return self.value == "*" and self.type in ("*", "AWS")

    @property
    def key(self) -> str:
        """A normalized identity: the account principal's two spellings are one."""
        if self.root and self.account:
            return f"account:{self.account}"
        return f"{self.type}:{self.value}"

    @property
    def text(self) -> str:
        """How messages name it."""
        if self.everyone:
            return 'everyone (Principal "*")'
        if self.root:
            return f"account {self.account} ({self.value})"
        return self.value


def account_of(value: str) -> tuple[str | None, bool]:
    """(account, is the account principal) of an ``AWS`` principal value.

    The account is a 12-digit ID, or the CloudFormation reference written in
    its place (``arn:${AWS::Partition}:iam::${AWS::AccountId}:root`` is the
    template's own account principal), or a placeholder written there
    (``arn:aws:iam::ACCOUNT_ID:root``); None for ``*``, unique IDs and other
    values whose account cannot be read. Only 12-digit IDs are ever reported
    as another account (:func:`is_account_id`)."""
    if _ACCOUNT.match(value) or value == "${AWS::AccountId}":
        return value, True
    arn = parse_arn_with_references(value)
    if arn is None or arn.service not in ("iam", "sts") or not arn.account or has_wildcard(arn.account):
        return None, False
    return arn.account, arn.service == "iam" and arn.resource == "root"


def parse_arn_with_references(value: str):
    """:func:`parse_arn`, which reads ``${...}`` references (that may hold
    ``::``, as ``${AWS::Partition}`` does) as opaque text."""
    return parse_arn(value)


def is_account_id(text: str | None) -> bool:
    """True for a literal 12-digit account ID (not a template reference)."""
    return bool(text and _ACCOUNT.match(text))


def _raw_at(doc: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(step, int) and isinstance(doc, list) and 0 <= step < len(doc):
            doc = doc[step]
        elif isinstance(step, str) and isinstance(doc, dict) and step in doc:
            doc = doc[step]
        else:
            return None
    return doc


_TYPES = (("AWS", "aws"), ("Service", "service"), ("Federated", "federated"), ("CanonicalUser", "canonical_user"))


def principals(ctx, stmt: Statement, element: str = "Principal") -> tuple[PrincipalRef, ...]:
    """Every principal of the statement's ``Principal`` (or ``NotPrincipal``),
    with the data path of each value as written in the file."""
    p = stmt.principal if element == "Principal" else stmt.not_principal
    if p is None:
        return ()
    return ctx.memo(f"keypolicy.principals.{stmt.index}.{element}", lambda: _principals(ctx, stmt, element, p))


def _principals(ctx, stmt: Statement, element: str, p) -> tuple[PrincipalRef, ...]:
    base = stmt.path + (element,)
    out: list[PrincipalRef] = []
    if p.all:
        out.append(PrincipalRef("*", "*", base, None, False))
    raw = _raw_at(ctx.source.document, base)
    for type_, attr in _TYPES:
        values = getattr(p, attr)
        listed = isinstance(_raw_at(raw, (type_,)), list) if isinstance(raw, dict) else True
        for i, v in enumerate(values):
            path = base + ((type_, i) if listed else (type_,))
            acct, root = account_of(v) if type_ == "AWS" else (None, False)
            out.append(PrincipalRef(type_, v, path, acct, root))
    return tuple(out)


# ---------------------------------------------------------------------------
# The key's account.


@dataclass(frozen=True)
class AccountGuess:
    """The key's own account as inferred from its policy.

    Attributes:
        account: 12-digit account ID (or the template reference or
            placeholder written in its place), or None when it cannot be told.
        why: how it was inferred, for messages.
    """

    account: str | None
    why: str


def _delegation(ctx, stmt: Statement) -> list[str]:
    """Accounts whose account principal this Allow statement lets change the
    key policy (``kms:*``, ``kms:Put*``, ``*``...): the delegation to IAM."""
    if stmt.effect != "Allow" or not allows(stmt, PUT_KEY_POLICY):
        return []
    return [p.account for p in principals(ctx, stmt) if p.root and p.account]


def key_account(ctx) -> AccountGuess:
    """The key's own account (memoized per policy).

    The account whose account principal the policy lets manage the key (the
    default key policy's "Enable IAM User Permissions" statement); else the
    account most AWS principals of the policy belong to; else unknown (a tie
    is unknown too)."""

    def compute():
        doc = ctx.document
        delegated = Counter()
        for s in doc.statements:
            delegated.update(_delegation(ctx, s))
        everyone = Counter(p.account for s in doc.statements for p in principals(ctx, s) if p.account)
        if len(delegated) == 1:
            acct = next(iter(delegated))
            return AccountGuess(acct, f"the account the key policy delegates to ({acct})")
        pool = Counter({a: everyone[a] for a in delegated}) if delegated else everyone
        top = pool.most_common(2)
        if not top or (len(top) == 2 and top[0][1] == top[1][1]):
            return AccountGuess(None, "unknown")
        acct = top[0][0]
        return AccountGuess(acct, f"the account most of the key policy's principals belong to ({acct})")

    return ctx.memo("keypolicy.account", compute)


# ---------------------------------------------------------------------------
# Conditions that pin the caller.

#: Condition keys that identify the caller (or the resource a service acts
#: for), by the kind of value they hold.
CALLER_KEYS: dict[str, str] = {
    "kms:calleraccount": "account",
    "aws:principalaccount": "account",
    "aws:sourceaccount": "account",
    "aws:principalorgid": "org",
    "aws:sourceorgid": "org",
    "aws:principalorgpaths": "orgpath",
    "aws:sourceorgpaths": "orgpath",
    "aws:principalarn": "arn",
    "aws:sourcearn": "arn",
    "aws:userid": "userid",
    "aws:principalservicename": "service",
}


def _value_pins(kind: str, value: str) -> bool:
    """Whether one condition value restricts the key to callers of a known
    account, organization, principal or service (a value that a stranger's
    request can also match does not)."""
    if has_policy_variable(value, literals=False) or all(c in "*?" for c in value):
        return False
    if kind == "account":
        return not has_wildcard(value)
    if kind == "org":
        return not has_wildcard(value)
    if kind == "orgpath":
        first = value.split("/", 1)[0]
        return bool(first) and not has_wildcard(first)
    if kind == "userid":
        cut = min([i for i in (value.find("*"), value.find("?")) if i >= 0] or [len(value)])
        return cut >= 12
    if kind == "service":
        return not has_wildcard(value)
    if kind == "arn":
        arn = parse_arn_with_references(value)
        if arn is None:
            return True  # never matches an ARN: the statement applies to nobody
        if arn.account:
            return not has_wildcard(arn.account)
        return not all(c in "*?/" for c in arn.resource) and not has_wildcard(arn.service)
    return False


@dataclass(frozen=True)
class Pinning:
    """How a statement's conditions restrict its callers.

    Attributes:
        pins: True when at least one condition clause really pins the caller.
        clauses: the clauses that pin.
        weak: (clause, reason) for caller-key clauses that look like a pin
            but are not (IfExists, negated, ForAllValues, wildcard values).
    """

    pins: bool
    clauses: tuple[ConditionClause, ...]
    weak: tuple[tuple[ConditionClause, str], ...]


def pinning(stmt: Statement) -> Pinning:
    """Judge whether the statement's conditions pin the caller.

    A clause pins when its key identifies the caller (:data:`CALLER_KEYS`),
    its operator is a positive String or ARN test without ``IfExists`` and
    without ``ForAllValues`` (a missing key would make those true), and every
    value names a particular account, organization, principal or service.
    ``kms:ViaService`` never pins: principals of every account can call
    through the service."""
    pins: list[ConditionClause] = []
    weak: list[tuple[ConditionClause, str]] = []
    for c in stmt.condition:
        kind = CALLER_KEYS.get(c.key.lower())
        if kind is None:
            continue
        try:
            op = parse_operator(c.operator)
        except OperatorError:
            continue
        if op.family not in ("String", "Arn"):
            continue
        if op.negated:
            weak.append((c, f"{c.operator} excludes some callers but lets every other account's principals in"))
        elif op.if_exists:
            weak.append((c, f"{c.operator} is true when the request lacks {c.key}"))
        elif op.set_qualifier == "ForAllValues":
            weak.append((c, f"ForAllValues is true when the request lacks {c.key}"))
        elif not c.values or not all(_value_pins(kind, v) for v in c.values):
            bad = next((v for v in c.values if not _value_pins(kind, v)), "")
            weak.append((c, f'{c.key} value "{bad}" matches callers of any account'))
        else:
            pins.append(c)
    return Pinning(bool(pins), tuple(pins), tuple(weak))


def pinned_accounts(stmt: Statement) -> list[tuple[ConditionClause, int, str]]:
    """(clause, value index, account) for the accounts a pinning condition of
    the statement names (``kms:CallerAccount``, ``aws:PrincipalAccount``, or
    the account of an ``aws:PrincipalArn`` ARN when no account key pins)."""
    pin = pinning(stmt)
    out = []
    account_keys = [c for c in pin.clauses if c.key.lower() in ("kms:calleraccount", "aws:principalaccount")]
    for c in account_keys:
        out += [(c, i, v) for i, v in enumerate(c.values) if _ACCOUNT.match(v)]
    if not account_keys:
        for c in pin.clauses:
            if c.key.lower() == "aws:principalarn":
                for i, v in enumerate(c.values):
                    arn = parse_arn(v)
                    if arn is not None and _ACCOUNT.match(arn.account):
                        out.append((c, i, arn.account))
    return out


def public_allow(ctx, stmt: Statement) -> PrincipalRef | None:
    """The principal that opens an Allow statement to everyone (``"*"``,
    ``{"AWS": "*"}``, or an Allow with NotPrincipal) when no condition pins
    the caller; None otherwise."""
    if stmt.effect != "Allow":
        return None
    if stmt.not_principal is not None:
        anyone = PrincipalRef("NotPrincipal", "NotPrincipal", stmt.path + ("NotPrincipal",), None, False)
    else:
        anyone = next((p for p in principals(ctx, stmt) if p.everyone), None)
    if anyone is None or pinning(stmt).pins:
        return None
    return anyone


# ---------------------------------------------------------------------------
# Who can change the policy.


def policy_changers(ctx) -> tuple[list, list]:
    """(principals that can still run kms:PutKeyPolicy, as (key, text) pairs;
    unconditional Deny statements that took it away from everyone) for a key
    policy (memoized).

    A principal can when an Allow statement (conditions assumed to hold)
    names it for ``kms:PutKeyPolicy`` and no Deny without a condition takes
    it away: a Deny naming ``"*"`` removes everyone, one naming principals
    removes them, one with ``NotPrincipal`` removes everyone it does not
    list. Only AWS principals count (services do not change key policies),
    and not those of another account than the key's: ``PutKeyPolicy`` is
    not a cross-account operation (KMS Developer Guide, *Allowing users in
    other accounts to use a KMS key*)."""

    def compute():
        own = key_account(ctx).account
        allowed = {}
        for s in ctx.document.statements:
            if s.effect != "Allow" or not allows(s, PUT_KEY_POLICY):
                continue
            if s.not_principal is not None:
                allowed.setdefault("AWS:*", ("AWS:*", 'everyone but the NotPrincipal list'))
                continue
            for p in principals(ctx, s):
                if p.type not in ("*", "AWS") or (own and p.account and p.account != own):
                    continue
                key = "AWS:*" if p.everyone else p.key
                allowed.setdefault(key, (key, p.text))
        blockers = []
        for s in ctx.document.statements:
            if s.effect != "Deny" or s.condition or not allows(s, PUT_KEY_POLICY):
                continue
            if s.not_principal is not None:
                spared = {p.key for p in principals(ctx, s, "NotPrincipal")}
                gone = [k for k in allowed if k not in spared]
            else:
                refs = principals(ctx, s)
                if any(p.everyone for p in refs):
                    gone = list(allowed)
                else:
                    named = {p.key for p in refs}
                    gone = [k for k in allowed if k in named]
            if gone and len(gone) == len(allowed):
                blockers.append(s)
            for k in gone:
                allowed.pop(k, None)
        return list(allowed.values()), blockers

    return ctx.memo("keypolicy.changers", compute)


# ---------------------------------------------------------------------------
# Grants.


def _positive(c: ConditionClause):
    try:
        op = parse_operator(c.operator)
    except OperatorError:
        return None
    if op.negated or op.if_exists:
        return None
    return op


def grant_limited(stmt: Statement) -> ConditionClause | None:
    """The condition clause that limits the grants the statement allows, or None.

    Limits: ``Bool kms:GrantIsForAWSResource true`` (only an integrated AWS
    service can create the grant), a positive ``kms:GranteePrincipal`` or
    ``kms:GranteeServicePrincipal`` test with a specific value, any positive
    ``kms:GrantOperations`` test, or a positive ``kms:ViaService`` test (only
    that service can make the call, as in AWS managed key policies)."""
    for c in stmt.condition:
        key = c.key.lower()
        op = _positive(c)
        if op is None:
            continue
        if key == "kms:grantisforawsresource":
            if op.base == "Bool" and c.values and all(v.lower() == "true" for v in c.values):
                return c
        elif key in ("kms:granteeprincipal", "kms:granteeserviceprincipal"):
            if op.family in ("String", "Arn") and c.values and not any(all(ch in "*?" for ch in v) for v in c.values):
                return c
        elif key == "kms:grantoperations":
            if op.family == "String" and c.values:
                return c
        elif key == "kms:viaservice":
            if op.family == "String" and op.set_qualifier != "ForAllValues" and c.values and not any(
                all(ch in "*?" for ch in v) for v in c.values
            ):
                return c
    return None


# ---------------------------------------------------------------------------
# AWS managed keys.


def _via_service(stmt: Statement) -> bool:
    return any(c.key.lower() == "kms:viaservice" and _positive(c) is not None for c in stmt.condition)


def is_aws_managed_key_policy(ctx) -> bool:
    """True for the shape of an AWS managed key's policy (``aws/ebs``,
    ``aws/s3``...): statements that let everyone use the key only through one
    service and only from one account (``kms:ViaService`` and
    ``kms:CallerAccount``), plus the account principal allowed only to read
    key metadata and revoke grants. AWS writes and maintains these policies;
    nobody can change them, by design (KMS Developer Guide, *AWS managed keys*)."""

    def compute():
        doc = ctx.document
        service_statement = False
        admin = admin_actions() - {"kms:revokegrant"}
        for s in doc.statements:
            if s.effect != "Allow":
                return False
            refs = principals(ctx, s)
            if any(p.everyone for p in refs):
                if not (_via_service(s) and any(c.key.lower() == "kms:calleraccount" for c in pinning(s).clauses)):
                    return False
                service_statement = True
            elif refs and all(p.root for p in refs):
                if matched(s, admin) or matched(s, crypto_actions()):
                    return False
            else:
                return False
        return service_statement

    return ctx.memo("keypolicy.aws_managed", compute)
