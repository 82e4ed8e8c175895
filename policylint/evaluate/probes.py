"""Probe principals: a finite set of callers that stands for everyone a policy
can treat differently.

``policylint diff`` and ``policylint assert`` (policy files) both reason over
"every principal" by asking the evaluator about a few representative callers.
This module is the one place that chooses them, from the statements of one or
more policies:

* each value of a ``Principal`` or ``NotPrincipal`` element: a user or an
  assumed-role session as named; a role as a session of that role (requests
  come from sessions, and a ``NotPrincipal`` exempts a session only when it
  lists the session too: IAM User Guide, *AWS JSON policy elements:
  NotPrincipal*); a service, federated provider or canonical user as named;
  an account (its ID or root ARN) as its *members*;
* the *members* of an account, one of each kind of principal a condition or a
  ``NotPrincipal`` can tell apart (``aws:PrincipalType`` values ``Account``,
  ``User``, ``AssumedRole``: IAM User Guide, *AWS global condition context
  keys*): its root user, an IAM user, a role session and a federated user;
* the principals that ``aws:PrincipalArn``, ``aws:PrincipalAccount`` and
  ``kms:CallerAccount`` condition values name, in any statement and under any
  operator (an Allow's condition lets them in, a Deny's negated condition
  spares them): wildcards filled so that they match (an account pattern such
  as ``4444*`` with digits, a resource-type wildcard such as ``*/Admin`` as a
  user and as a role), once in an account outside ``avoid`` and once in each
  account the policies mention that the pattern matches;
* the members of the policies' own account (``home``), of every account they
  name, and of one account they do not name (standing for any other account);
* users ``aws:username`` values name, in each of those accounts; services
  ``aws:PrincipalServiceName`` values name, and one service standing for any
  when a statement's Principal is ``"*"`` or a condition reads
  ``aws:PrincipalIsAWSService``; providers ``aws:FederatedProvider`` names;
* anonymous callers.

A value that cannot be a caller (a placeholder such as ``${var.partner}``, a
wildcard in a Principal element, a malformed ARN) is returned as an
:class:`Unbuildable`, never dropped: the caller decides whether that is an
error (``assert``) or an incomplete comparison (``diff``).

:func:`identity_values` gives the context keys a probe's identity carries that
the evaluator does not derive (``aws:userid``) and values for principal tags
read by policy variables, so that ``${aws:userid}`` and
``${aws:PrincipalTag/team}`` can be resolved and told apart.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from policylint.evaluate.arn import parse_arn
from policylint.evaluate.request import Caller, CallerError, parse_caller
from policylint.evaluate.variables import compile_template
from policylint.model.policy import Statement
from policylint.wildcard import compile_glob, has_wildcard

__all__ = ["Probe", "ProbeSet", "Unbuildable", "account_members", "fill_account", "identity_values",
           "named_caller", "outsider_account", "principals_like", "probe_principals", "MEMBER_KINDS", "PRINCIPAL_KEYS"]

#: Name of the user, role and session that stand for "a principal of the account".
PROBE_NAME = "policylint-probe"
SESSION_NAME = "policylint-session"
#: The service principal standing for "any AWS service".
SERVICE_NAME = "policylint-probe.amazonaws.com"
#: The kinds of an account's members, as shown: root user, IAM user, role session, federated user.
MEMBER_KINDS = ("root user", "IAM user", "role session", "federated user")
#: Condition keys whose values name the calling principal (lower case) -> ``arn`` or ``account``.
PRINCIPAL_KEYS = {"aws:principalarn": "arn", "aws:principalaccount": "account", "kms:calleraccount": "account"}

_ACCOUNT = re.compile(r"^[0-9]{12}$")
_ACCOUNT_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Probe:
    """One caller to ask about.

    Attributes:
        caller: the evaluator's caller.
        label: how answers about it are shown: the Principal value that names
            it, ``account A`` (a member of an account a Principal names),
            ``principal of account A`` (a member of an account the policies
            mention, or of their own account), ``principal of account A (named
            by neither policy)``, a condition's principal ARN, ``anonymous callers``.
        account: the caller's account (None: services, anonymous, federated).
        member: for a member of an account, its kind (one of
            :data:`MEMBER_KINDS`); None for a principal named as such.
        path: the data path in its policy of the Principal value that names
            it (for error positions); None when no Principal value does.
        policy: index of the statement list it came from (see
            :func:`probe_principals`), or None.
    """

    caller: Caller
    label: str
    account: str | None = None
    member: str | None = None
    path: tuple | None = None
    policy: int | None = None

    @property
    def shown(self) -> str:
        """The caller as it is reported: its ARN; for a session this module
        made up, its role's ARN (the role a Principal or condition names, or
        the role standing for the account's roles)."""
        if self.caller.kind == "assumed-role" and self.caller.arn.endswith("/" + SESSION_NAME):
            return self.caller.role_arn or self.caller.arn
        return self.caller.arn


@dataclass(frozen=True)
class Unbuildable:
    """A Principal value that cannot be a caller (placeholder, wildcard, malformed).

    Attributes:
        value: the value as written.
        path: its data path in its policy (None when not known).
        policy: index of its statement list (see :func:`probe_principals`).
        reason: why (from :class:`CallerError`, or "a wildcard or placeholder").
    """

    value: str
    path: tuple | None
    policy: int | None
    reason: str


@dataclass
class ProbeSet:
    """The probes of some policies.

    Attributes:
        probes: in order: named principals, condition principals, the home
            account's members, the members of every account named, the
            outsider's members, anonymous; each caller once.
        unbuildable: Principal values that could not be made callers.
        outsider: the account standing for "any account the policies do not name".
    """

    probes: list[Probe] = field(default_factory=list)
    unbuildable: list[Unbuildable] = field(default_factory=list)
    outsider: str = ""


# ---------------------------------------------------------------------------
# Building blocks.


def fill_account(pattern: str, avoid=(), mentioned=()) -> list[str]:
    """12-digit account IDs that the IAM wildcard ``pattern`` (``*``, ``?``)
    matches: one not in ``avoid`` when the pattern allows it (digits 9, 0, 8,
    ... tried in turn), then each account of ``mentioned`` it matches.

    Args:
        pattern: an account ID or a pattern such as ``4444*``, ``11112222333?``, ``*``.
        avoid: account IDs the first fill should not be.
        mentioned: account IDs to include when the pattern matches them.

    Returns:
        The accounts, without repeats; empty when no 12-digit ID matches
        (``12345*6789012345``) or the value is not an account pattern.
    """
    if not pattern or "${" in pattern:
        return []
    mentioned = [m for m in mentioned if _ACCOUNT.match(m)]
    if not has_wildcard(pattern):
        return [pattern] if _ACCOUNT.match(pattern) else []
    glob = compile_glob(pattern, False)
    fixed = len(pattern) - pattern.count("*")
    chosen: str | None = None
    for digit in "9081726354" if fixed <= 12 else "":
        stars = iter([digit * (12 - fixed)])
        cand = "".join(next(stars, "") if c == "*" else digit if c == "?" else c for c in pattern)
        if _ACCOUNT.match(cand) and glob.match(cand):
            if chosen is None:
                chosen = cand  # the fallback when every fill is avoided
            if cand not in avoid:
                chosen = cand
                break
    out = [chosen] if chosen else []
    return list(dict.fromkeys(out + [m for m in mentioned if glob.match(m)]))


def account_members(account: str, partition: str = "aws", name: str = PROBE_NAME) -> list[tuple[Caller, str]]:
    """(caller, kind) of one member of ``account`` of each kind: the root
    user, an IAM user, a role session and a federated user
    (``sts:GetFederationToken``) (``aws:PrincipalType`` ``Account``,
    ``User``, ``AssumedRole``, ``FederatedUser``), named ``name``.

    Raises:
        CallerError: ``account`` is not a 12-digit account ID.
    """
    if not _ACCOUNT.match(account):
        raise CallerError(f"{account!r} is not a 12-digit account ID")
    return [
        (parse_caller(f"arn:{partition}:iam::{account}:root"), MEMBER_KINDS[0]),
        (parse_caller(f"arn:{partition}:iam::{account}:user/{name}"), MEMBER_KINDS[1]),
        (_session(f"arn:{partition}:iam::{account}:role/{name}"), MEMBER_KINDS[2]),
        (parse_caller(f"arn:{partition}:sts::{account}:federated-user/{name}"), MEMBER_KINDS[3]),
    ]


def _session(role_arn: str) -> Caller:
    """A session of the role ``role_arn``, keeping the role's path in ``role_arn``."""
    role = parse_caller(role_arn)
    return Caller("assumed-role", f"arn:{role.partition}:sts::{role.account}:assumed-role/{role.name}/{SESSION_NAME}",
                  role.account, role.partition, role_arn=role.arn, name=role.name)


def named_caller(value: str) -> Caller | None:
    """The caller a Principal element's AWS value names: a user or session as
    is, a role as a session of it; None for an account (ID or root ARN: its
    members stand for it).

    Raises:
        CallerError: the value is not a principal (placeholder, wildcard, malformed).
    """
    if _ACCOUNT.match(value):
        return None
    if has_wildcard(value) or "${" in value:
        raise CallerError(f"{value!r} is not a principal: a wildcard or placeholder (AWS allows neither in a principal)")
    c = parse_caller(value)
    if c.kind == "root":
        return None
    if c.kind == "role":
        return _session(value)
    return c


def principals_like(pattern: str, avoid=(), mentioned=()) -> list[Caller]:
    """Callers whose ``aws:PrincipalArn`` the ARN pattern matches (one of each
    kind the pattern allows: root, user, role session), with the account
    filled as :func:`fill_account` does.

    A role pattern gives a session of a role it matches (``aws:PrincipalArn``
    of a session is its role's ARN). Wildcards in the name are filled with
    ``x``; a wildcard in the resource-type part (``*/Admin``) is tried as
    ``user/Admin`` and ``role/Admin``. Empty when no principal can match
    (not an IAM ARN).
    """
    if "${" in pattern:
        return []
    out: list[Caller] = []
    if has_wildcard(pattern):
        # StringLike reads the ARN as one string: a '*' can span fields
        # (``arn:aws:iam::*role/App`` matches a role with a path). Fill every
        # '*' with texts that cross fields, keep the principals it matches.
        whole = compile_glob(pattern, False)
        for filler in ("", "x", "999999999999:", "999999999999:role/x", "999999999999:user/x", "999999999999:root"):
            text = pattern.replace("*", filler).replace("?", "x")
            try:
                c = parse_caller(text)
            except CallerError:
                continue
            if c.kind in ("user", "role", "root") and ":" not in c.arn.split(":", 5)[5] and whole.match(c.arn):
                out.append(_session(c.arn) if c.kind == "role" else c)
    arn = parse_arn(pattern)
    if arn is None:
        return out
    if not (has_wildcard(arn.service) or arn.service in ("iam", "sts")):
        return out
    if has_wildcard(arn.service) and not compile_glob(arn.service, False).match("iam"):
        return out
    partition = "aws" if has_wildcard(arn.partition) else arn.partition
    glob = compile_glob(arn.resource, False)
    filled = re.sub(r"[*?]", "x", arn.resource)
    tail = filled.split("/", 1)[1] if "/" in filled else filled
    tail = tail.rstrip("/") or "x"
    names = []
    for text in ("root", f"user/{tail}", f"role/{tail}", filled):
        if text == "root" or text.startswith(("user/", "role/")):
            if glob.match(text):
                names.append(text)
    for account in fill_account(arn.account or "", avoid, mentioned):
        for text in dict.fromkeys(names):
            try:
                c = parse_caller(f"arn:{partition}:iam::{account}:{text}")
            except CallerError:
                continue
            out.append(_session(c.arn) if c.kind == "role" else c)
    return list({(c.arn, c.role_arn): c for c in reversed(out)}.values())[::-1]


def identity_values(caller: Caller, tag_keys=()) -> dict[str, tuple[str, ...]]:
    """Context keys of ``caller``'s identity that the evaluator does not
    derive from its ARN: ``aws:userid`` (the unique ID: ``AIDA...`` for a
    user, ``AROA...:session`` for a role session, the account ID for the root
    user; IAM User Guide, *IAM identifiers*, "Unique identifiers") and a value
    for each principal tag key of ``tag_keys`` (lower-case context keys such as
    ``aws:principaltag/team``; values differ per key).

    Returns:
        lower-case key -> one value; empty for services and anonymous callers.
    """
    if caller.kind in ("service", "anonymous", "canonical-user", "web-identity", "saml") or not caller.account:
        return {}
    digest = hashlib.sha256(caller.arn.encode("utf-8", "surrogatepass")).hexdigest()[:17].upper()
    if caller.kind == "root":
        userid = caller.account
    elif caller.kind == "user":
        userid = "AIDA" + digest
    elif caller.kind in ("assumed-role", "role"):
        userid = "AROA" + digest + (":" + caller.arn.rsplit("/", 1)[-1] if caller.kind == "assumed-role" else "")
    else:
        userid = f"{caller.account}:{caller.name}"
    out = {"aws:userid": (userid,)}
    for i, key in enumerate(sorted(set(tag_keys))):
        out[key] = (f"v{i}-{key.rsplit('/', 1)[-1]}",)
    return out


def variable_keys(statements) -> set[str]:
    """Lower-case context keys that policy variables in the statements'
    Resource, NotResource and Condition values read."""
    keys: set[str] = set()
    for s in statements:
        values = list(s.resource or ()) + list(s.not_resource or ()) + [v for c in s.condition for v in c.values]
        for v in values:
            if "${" in v:
                keys.update(compile_template(v).keys)
    return keys


def mentioned_accounts(statements) -> list[str]:
    """Account IDs the statements name in a Principal or NotPrincipal value or
    in a condition value, in order of first appearance."""
    out: list[str] = []
    for s in statements:
        for pr in (s.principal, s.not_principal):
            if pr is None:
                continue
            for v in pr.aws:
                acct = v if _ACCOUNT.match(v) else (parse_arn(v).account if parse_arn(v) else "")
                if acct and _ACCOUNT.match(acct):
                    out.append(acct)
        for c in s.condition:
            for v in c.values:
                out += _ACCOUNT_IN_TEXT.findall(v)
    return list(dict.fromkeys(out))


def outsider_account(excluded, candidates=("999999999999",)) -> str:
    """An account ID not in ``excluded``: the first of ``candidates`` that is
    not, else 999999999999 counting down."""
    for a in candidates:
        if a not in excluded:
            return a
    out = "999999999999"
    while out in excluded:
        out = str(int(out) - 1)
    return out


# ---------------------------------------------------------------------------
# The probe set.


def probe_principals(statements: list[list[Statement]], home: str | None = None, avoid=(),
                     outsiders=("999999999999",), paths: bool = True, name: str = PROBE_NAME) -> ProbeSet:
    """The probe principals of some policies (see the module docstring).

    Args:
        statements: one list of statements per policy (a Probe's ``policy``
            and an Unbuildable's is the index in this list).
        home: the policies' own account (the resource's), whose members are
            always probed; None when unknown.
        avoid: accounts a wildcard should not be filled with (an assertion's
            "outside account A": a probe for "another account" must not be A).
        outsiders: accounts to try, in order, for "an account the policies do
            not name" (the first one neither named nor in ``avoid``).
        paths: whether to record the data path of each Principal value.
        name: the name of the user, role and session standing for an account's members.

    Returns:
        A :class:`ProbeSet`.
    """
    result = ProbeSet()
    seen: dict[tuple, int] = {}
    everything = [s for stmts in statements for s in stmts]
    mentioned = mentioned_accounts(everything)
    named_accounts: list[str] = []

    def add(caller: Caller, label: str, member: str | None = None, path=None, policy=None) -> None:
        # (a role session's ARN leaves out its role's path: two roles)
        key = (caller.arn, caller.role_arn)
        if key in seen:
            return
        seen[key] = len(result.probes)
        result.probes.append(Probe(caller, label, caller.account, member, path, policy))

    def members(account: str, label: str, policy=None) -> None:
        for caller, kind in account_members(account, name=name):
            add(caller, label, kind, None, policy)

    for n, stmts in enumerate(statements):
        for s in stmts:
            for element_name, pr in (("Principal", s.principal), ("NotPrincipal", s.not_principal)):
                if pr is None:
                    continue
                for i, v in enumerate(pr.aws):
                    path = (s.path + (element_name, "AWS") + (() if len(pr.aws) == 1 else (i,))) if paths else None
                    if v == "*":
                        continue
                    try:
                        caller = named_caller(v)
                    except CallerError as e:
                        result.unbuildable.append(Unbuildable(v, path, n, str(e)))
                        continue
                    if caller is None:
                        root = parse_caller(v)  # an account: its ID or root ARN
                        acct = root.account
                        named_accounts.append(acct)
                        for c, kind in account_members(acct, root.partition, name):
                            add(c, f"account {acct}", kind, path if kind == MEMBER_KINDS[0] else None, n)
                        continue
                    if caller.account:
                        named_accounts.append(caller.account)
                    add(caller, v, None, path, n)
                for v in pr.service:
                    try:
                        add(parse_caller(f"service:{v}"), v, policy=n)
                    except CallerError as e:
                        result.unbuildable.append(Unbuildable(v, None, n, str(e)))
                for v in pr.federated:
                    try:
                        add(parse_caller(f"federated:{v}"), f"federated {v}", policy=n)
                    except CallerError as e:
                        result.unbuildable.append(Unbuildable(v, None, n, str(e)))
                for v in pr.canonical_user:
                    try:
                        add(parse_caller(f"canonical:{v}"), f"canonical user {v}", policy=n)
                    except CallerError as e:
                        result.unbuildable.append(Unbuildable(v, None, n, str(e)))
    excluded = set(avoid) | set(mentioned) | set(named_accounts) | ({home} if home else set())
    for n, stmts in enumerate(statements):
        for s in stmts:
            for c in s.condition:
                low = c.key.lower()
                kind = PRINCIPAL_KEYS.get(low)
                if kind is None:
                    continue
                for v in c.values:
                    # A policy variable (${aws:PrincipalAccount}) can be any value: a wildcard.
                    v = _VARIABLE.sub("*", v)
                    if kind == "arn":
                        for caller in principals_like(v, avoid, mentioned):
                            add(caller, caller.principal_arn, policy=n)
                    else:
                        for acct in fill_account(v, avoid, mentioned):
                            members(acct, f"principal of account {acct}", n)
    if home:
        members(home, f"principal of account {home}")
    for acct in dict.fromkeys(named_accounts + mentioned):
        if acct != home:
            members(acct, f"principal of account {acct}")
    result.outsider = outsider_account(excluded | {p.account for p in result.probes if p.account}, outsiders)
    members(result.outsider, f"principal of account {result.outsider} (named by neither policy)")
    # Principals other condition keys name: users of aws:username in every
    # account probed, services of aws:PrincipalServiceName (and one service
    # when a statement lets in every principal or reads
    # aws:PrincipalIsAWSService), providers of aws:FederatedProvider.
    accounts = list(dict.fromkeys(p.account for p in result.probes if p.member and p.account))
    services = False
    for n, stmts in enumerate(statements):
        for s in stmts:
            if s.principal is not None and s.principal.all:
                services = True
            for c in s.condition:
                low = c.key.lower()
                if c.operator.split(":")[-1].lower().startswith("null"):
                    services = services or low == "aws:principalservicename"
                    continue
                for v in c.values:
                    v = _VARIABLE.sub("x", v)
                    if low == "aws:username":
                        for fill in ("x", ""):
                            user = v.replace("*", fill).replace("?", "x")
                            if re.fullmatch(r"[\w+=,.@-]{1,64}", user):
                                for acct in accounts:
                                    add(parse_caller(f"arn:aws:iam::{acct}:user/{user}"), f"user {user} of account {acct}",
                                        policy=n)
                    elif low == "aws:principalservicename":
                        services = True
                        try:
                            add(parse_caller(f"service:{v.replace('*', 'x').replace('?', 'x')}"), v, policy=n)
                        except CallerError:
                            pass
                    elif low == "aws:principalisawsservice":
                        services = True
                    elif low == "aws:federatedprovider" and v and not has_wildcard(v):
                        add(parse_caller(f"federated:{v}"), f"federated {v}", policy=n)
    if services:
        add(parse_caller(f"service:{SERVICE_NAME}"), "an AWS service principal")
    add(Caller("anonymous", "anonymous"), "anonymous callers")
    return result

