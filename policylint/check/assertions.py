"""Check access assertions (``grammars/assert.lark``) with policylint's evaluator.

Every answer comes from :class:`policylint.evaluate.authorize.Authorizer`
(policy files) or from :meth:`PrincipalGraph.who_can` / :meth:`PrincipalGraph.can`
(an account snapshot); nothing here decides a request itself.

With policy files, the principals that ``no principal outside account A`` and
``only P`` reason over are the probe principals of the key policy
(:func:`policylint.evaluate.probes.probe_principals`, the set ``policylint
diff`` uses too) and the grantees and retiring principals of the grants: each principal a Principal
or NotPrincipal names; one of each type (root user, role session, IAM user,
federated user, named ``any-principal-of-the-account``) of each account the
key policy names or mentions, of ``--account`` and of an account it does not
name (``000000000000``: any other account), asked in that order and reported
once per account; the principals that ``aws:PrincipalArn`` /
``aws:PrincipalAccount`` / ``kms:CallerAccount`` / ``aws:username`` condition
values name, wildcards filled; anonymous callers. Their own IAM policies are
not known: each is decided with the key policy, grants and RCPs alone, and,
if that denies, again with IAM policies (and a session policy) that allow
everything; an allow then is reported as "allowed if its account's IAM
policies allow it" (KMS Developer Guide, *Allowing users in other accounts to
use a KMS key*: the key policy and the caller's IAM policies must both allow
cross-account use; *Key policies*: the account principal delegates to IAM
policies). Service principals are not in an account: ``outside account``
leaves them out, ``only`` and ``no principal can`` count them.

Safety assertions are checked now and at each later moment a condition on
``aws:CurrentTime``/``aws:EpochTime`` names (:func:`_later_times`): access that
starts at a later date fails them today.

A safety assertion (``no principal``, ``only``, ``cannot``) fails on an allow
and on an "allowed if ..." (the conditions are reported); ``must be able to``
holds only on an allow with the context given.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from policylint import catalog
from policylint.errors import PolicylintError
from policylint.wildcard import has_wildcard
from policylint.evaluate.conditions import format_date, parse_date
from policylint.evaluate.authorize import Authorizer, Decision, Outcome, StatementRef
from policylint.evaluate.inputs import InputError, PolicyInputs, build_policy_set, build_request, check_roles
from policylint.evaluate.policyset import NamedPolicy, PolicySet, PolicyType
from policylint.evaluate.probes import MEMBER_KINDS, Probe, named_caller, probe_principals
from policylint.evaluate.request import Caller, CallerError, parse_caller
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy
from policylint.parse.assertions import ALL_KEYS, Assertion, parse_assertion_line, parse_assertions

__all__ = ["AssertionCheckError", "AssertionResult", "Violation", "assertions_from_settings", "check_with_files",
           "check_with_snapshot", "read_assertions"]

#: The account that stands for "any other AWS account" (as in the snapshot graph).
ANY_ACCOUNT = "000000000000"
#: Name of the role and user that stand for "any role / user of an account" when its root is denied.
_STAND_IN = "any-principal-of-the-account"
_UNKNOWN_IAM = "its account's IAM policies (unknown: taken as allowing everything)"
#: An action used only to read a principal name (any well-formed action would do).
_PROBE = "sts:GetCallerIdentity"


class AssertionCheckError(PolicylintError):
    """An assertion that cannot be checked (unknown principal or key, bad
    policy file...); the message names the assertion's file and line."""


class KeyPolicyError(InputError):
    """A key policy value that cannot be used (reported against the key policy file, not the assertion)."""


@dataclass(frozen=True)
class Violation:
    """One request that breaks an assertion.

    Attributes:
        principal: who (an ARN; an account root ARN stands for any principal of the account).
        action, resource: the request (resource as an ARN).
        status: ``allowed``, ``allowed-if``, ``implicit-deny`` or ``explicit-deny``.
        conditions: for ``allowed-if``, what must hold.
        statements: the statements that allow it (or, for a denial, deny it),
            ``... (file:line:col)``.
        path: with a snapshot, the hops (``from -> to: label``) that lead to it.
    """

    principal: str
    action: str
    resource: str
    status: str
    conditions: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    path: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"principal": self.principal, "action": self.action, "resource": self.resource, "status": self.status,
                "conditions": list(self.conditions), "statements": list(self.statements), "path": list(self.path)}


@dataclass
class AssertionResult:
    """The outcome of one assertion: ``holds``, and the requests that break it
    (:attr:`violations`); :attr:`checked` counts the requests decided."""

    assertion: Assertion
    violations: list[Violation] = field(default_factory=list)
    checked: int = 0

    @property
    def holds(self) -> bool:
        return not self.violations


# ---------------------------------------------------------------------------
# Reading assertions.


def read_assertions(path: str) -> list[Assertion]:
    """The assertions of a file (UTF-8 text, one per line).

    Raises:
        AssertionSyntaxError: a line that does not parse (file:line:column).
        AssertionCheckError: the file cannot be read.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise AssertionCheckError(f"{path}: cannot read: {e.strerror or e}") from None
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + skip
        line_start = data.rfind(b"\n", 0, at) + 1
        line = data.count(b"\n", 0, at) + 1
        prefix = data[max(line_start, skip):at].decode("utf-8", "replace")
        raise AssertionCheckError(f"{path}:{line}:{len(prefix) + 1}: not UTF-8 text: {e.reason} "
                                  f"(byte 0x{data[at]:02x})") from None
    return parse_assertions(text, path)


def assertions_from_settings(settings) -> list[Assertion]:
    """The assertions of the configuration's ``assertions`` key: a list of
    assertion strings (positions are those of the strings in the file), or
    the path of an assertions file (relative to the configuration's folder).

    Raises:
        AssertionSyntaxError, AssertionCheckError: as :func:`read_assertions`.
    """
    value = settings.assertions
    if value is None:
        return []
    origin = _shown(settings.origin or "configuration")
    if isinstance(value, str):
        return read_assertions(_shown(value if os.path.isabs(value) else os.path.join(settings.root, value)))
    try:
        source = Path(settings.origin or "").read_text("utf-8")
    except OSError:
        source = ""
    out, pos = [], 0
    for text in value:
        line, offset = 1, 0
        for quote in ('"', "'"):
            hit = source.find(quote + text + quote, pos)
            if hit >= 0:
                pos = hit + len(text) + 2
                line = source.count("\n", 0, hit) + 1
                offset = hit - (source.rfind("\n", 0, hit) + 1) + 1
                break
        a = parse_assertion_line(text, origin, line, offset)
        if a is not None:
            out.append(a)
    return out


def _where(a: Assertion, message: str) -> str:
    """``file:line:column`` of the word of ``a`` that an error message quotes (``file:line`` if none)."""
    col = a.column_of(message)
    return f"{a.where}:{col}" if col else a.where


def _shown(path: str) -> str:
    """``path`` relative to the current folder when it is below it, else absolute."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


# ---------------------------------------------------------------------------
# Policy files.


def _allow_all() -> NamedPolicy:
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                          PolicyKind.IDENTITY)
    return NamedPolicy(_UNKNOWN_IAM, doc)


def _label(ref: StatementRef) -> str:
    return ref.describe("key policy" if ref.policy_type is PolicyType.RESOURCE else None)


def _account_of(principal: str) -> str | None:
    if principal.isdigit():
        return principal
    parts = principal.split(":")
    if principal.startswith("arn:") and len(parts) >= 6 and parts[2] in ("iam", "sts"):
        return parts[4] or None
    return None


#: Accounts a probe for "any other account" may stand in (the first one not excluded is used).
_OTHER_ACCOUNTS = (ANY_ACCOUNT, "999999999999", "123456789012", "210987654321")





#: 9999-12-31T23:59:59Z, the last moment an ISO 8601 date can name.
_LAST_DATE = 253402300799


def _later_times(policies: PolicySet, now: float) -> list[float]:
    """Epoch seconds after ``now`` at which a condition on ``aws:CurrentTime``
    or ``aws:EpochTime`` in ``policies`` can change (each date value, and one
    second after it), sorted."""
    out: set[float] = set()
    docs = [p.document for p in (policies.identity or [])]
    docs += [p.document for p in (policies.resource, policies.boundary, policies.session) if p is not None]
    docs += [p.document for level in (policies.scps or []) + (policies.rcps or []) for p in level]
    for doc in docs:
        for st in doc.statements:
            for c in st.condition:
                if c.key.lower() not in ("aws:currenttime", "aws:epochtime"):
                    continue
                for v in c.values:
                    t = parse_date(v)
                    if t is not None and t + 1 > now:
                        out.update(x for x in (t, t + 1) if x > now and x <= _LAST_DATE)
    return sorted(out)


def _same_principal(a: str, b: str) -> bool:
    """Same principal, a role or user path written on one side only not counting."""
    if a == b:
        return True
    pa, pb = a.split(":", 5), b.split(":", 5)
    if len(pa) != 6 or len(pb) != 6 or pa[4] != pb[4]:
        return False
    ka, kb = pa[5].split("/", 1)[0], pb[5].split("/", 1)[0]
    return ka == kb and ka in ("user", "role") and pa[5].rsplit("/", 1)[-1] == pb[5].rsplit("/", 1)[-1]


def _check_actions(a: Assertion) -> None:
    """Refuse an action the catalog does not know: a misspelled action is denied
    to everyone, so a ``cannot`` or ``no principal`` assertion about it would
    hold whatever the policies say.

    Raises:
        InputError: with a did-you-mean from the catalog.
    """
    for action in a.actions:
        verdict = catalog.check_action(action)
        if verdict in ("known", "all"):
            continue
        service = action.split(":", 1)[0]
        if ":" not in action:
            raise InputError(f"{action!r} is not an action: use service:Action, such as kms:Decrypt")
        if verdict == "unknown-service":
            sugg = catalog.suggest_services(service)
        else:
            sugg = catalog.suggest_actions(action) if not has_wildcard(action) else []
        hint = f" (did you mean {', '.join(sugg)}?)" if sugg else ""
        what = "matches no action" if has_wildcard(action) else "is not an action"
        raise InputError(f"{action} {what} of the Service Authorization Reference{hint}")


def _expanded(actions: tuple[str, ...], resource: str) -> list[str]:
    """The actions of an assertion, wildcards expanded from the catalog (for a
    KMS key, only the actions that act on keys)."""
    out: list[str] = []
    for pattern in actions:
        if not has_wildcard(pattern):
            out.append(pattern)
            continue
        infos = catalog.expand(pattern)
        if resource.startswith("key/") or (":kms:" in resource and ":key/" in resource):
            infos = tuple(i for i in infos if any(r.name == "key" for r in i.resource_types))
        out += [i.full_name for i in infos]
    return list(dict.fromkeys(out))


def _possible(decision: Decision) -> tuple[str, tuple[str, ...], tuple[StatementRef, ...]] | None:
    """(status, conditions, statements) when the decision allows, or allows if
    conditions hold; None otherwise."""
    if decision.allowed:
        return "allowed", (), decision.determining
    for alt in decision.alternatives:
        if alt.outcome is Outcome.ALLOWED:
            return "allowed-if", tuple(alt.when), alt.refs
    return None


class _FileChecker:
    def __init__(self, inputs: PolicyInputs, account: str | None, region: str | None, strict: bool) -> None:
        self.inputs = inputs
        self.account = account
        self.region = region
        self.strict = strict
        self.full = build_policy_set(inputs)
        f = self.full
        unknown = [_allow_all()]
        # The policy sets a principal named by the key policy is decided with:
        # (its account is the key's, so --scp applies; its IAM policies are assumed to allow everything)
        sets = {
            (same, iam): PolicySet(identity=unknown if iam else [], resource=f.resource, rcps=f.rcps, grants=f.grants,
                                   grants_file=f.grants_file, scps=f.scps if same else [],
                                   # a federated user's permissions need a session policy
                                   session=unknown[0] if iam else None)
            for same in (False, True) for iam in (False, True)
        }
        self._authorizers = {k: Authorizer(ps) for k, ps in sets.items()}
        self._full = Authorizer(f)
        self._later = _later_times(f, time.time())

    def resources(self, a: Assertion) -> list[str]:
        if a.resources == ALL_KEYS:
            if self.full.resource is None:
                raise InputError("'on all keys' with policy files needs --key-policy (or use --snapshot)")
            # The key of the grants, when they say (a grant is for one key); else any key with this policy.
            keys = [g.key_id if g.key_id.startswith("arn:") else f"key/{g.key_id}" for g in self.full.grants if g.key_id]
            return list(dict.fromkeys(keys)) or ["key/*"]
        return list(a.resources)

    def refuse(self, value: str, path: tuple | None, message: str, grants: bool = False) -> None:
        """Refuse a principal of the key policy or grants that is not one (AWS
        rejects such a policy), naming the file and the value's position.

        Raises:
            KeyPolicyError: always.
        """
        if grants:
            raise KeyPolicyError(f"{self.full.grants_file or 'grants'}: grantee principal: {message}")
        rp = self.full.resource
        where = (rp.file or rp.name) if rp is not None else "key policy"
        pos = None
        if rp is not None and rp.locate is not None and path is not None:
            for n in range(len(path), 0, -1):
                pos = rp.locate(path[:n])
                if pos:
                    break
        if pos:
            where += f":{pos[0]}:{pos[1]}"
        raise KeyPolicyError(f"{_shown(where) if ':' not in where else where}: key policy principal: {message}")

    def principals(self, avoid, account: str | None) -> list[list[tuple[Caller, str]]]:
        """The principals ``no principal`` and ``only`` reason over, in groups
        of (caller, as shown): a group is one principal, or the members of
        one account (its root user, then a role and a user standing for the
        account's roles and users: conditions on ``aws:PrincipalType`` or
        ``aws:PrincipalArn`` may let in some and not others); a group is
        reported once.

        Raises:
            KeyPolicyError: a Principal value or grantee is not a principal.
        """
        rp = self.full.resource
        found = probe_principals([rp.document.statements] if rp is not None else [[]], account, avoid,
                                 outsiders=_OTHER_ACCOUNTS, name=_STAND_IN)
        for u in found.unbuildable:
            self.refuse(u.value, u.path, u.reason)
        groups: dict[object, list[tuple[Caller, str]]] = {}
        order = {MEMBER_KINDS[0]: 0, MEMBER_KINDS[2]: 1, MEMBER_KINDS[1]: 2, MEMBER_KINDS[3]: 3}
        for p in found.probes:
            key = ("members", p.account) if p.member else ("one", p.caller.arn)
            groups.setdefault(key, []).append((order.get(p.member, 0), p.caller, p.shown))
        for g in self.full.grants:
            # The grantee, and the retiring principal (it may retire the grant).
            for who in (g.grantee_principal, g.retiring_principal):
                if not who:
                    continue
                try:
                    c = named_caller(who) or parse_caller(who)  # a role: a session of it, as in the key policy
                except CallerError as e:
                    self.refuse(who, None, str(e), grants=True)
                members = groups.setdefault(("one", c.arn), [])
                if not any(m[1] == c for m in members):
                    members.append((0, c, Probe(c, who).shown))
        return [[(c, shown) for _, c, shown in sorted(members, key=lambda m: m[0])] for members in groups.values()]

    def enumerated(self, who: Caller, shown: str, action: str, resource: str, ctx, account: str | None,
                   delegated_ok: bool = False) -> Violation | None:
        """Decide a principal of the key policy or grants (its IAM policies
        unknown), now and at each later time the policies' date conditions
        name (see :meth:`times`). ``delegated_ok``: access that needs the
        principal's IAM policies (the key policy delegates to its account) is
        not a violation (``only`` with the account's root allowed)."""
        for now, when in self.times(ctx):
            v = self._enumerated_at(who, shown, action, resource, ctx, account, now, delegated_ok)
            if v is not None:
                if when:
                    v = replace(v, status="allowed-if", conditions=v.conditions + (when,))
                return v
        return None

    def times(self, ctx) -> list[tuple[float | None, str]]:
        """(epoch seconds or None for the clock, how to say it) of the moments
        a safety assertion is checked at: now, then each later moment at which
        a condition on ``aws:CurrentTime`` or ``aws:EpochTime`` of the
        policies changes (a grant that starts in the future fails a safety
        assertion today). Only now when the assertion gives the time itself."""
        if any(k.lower() in ("aws:currenttime", "aws:epochtime") for k in ctx):
            return [(None, "")]
        return [(None, "")] + [(t, f"aws:CurrentTime is {format_date(t)} (a time to come that a date condition names)")
                               for t in self._later]

    def _enumerated_at(self, who: Caller, shown: str, action: str, resource: str, ctx, account: str | None,
                       now: float | None, delegated_ok: bool = False) -> Violation | None:
        request = build_request(who, action, resource, ctx, account, self.region, now)
        same = request.caller.account is not None and request.caller.account == (account or self.account)
        found = _possible(self._authorizers[same, False].authorize(request, strict=self.strict))
        if found is None and not delegated_ok:
            again = _possible(self._authorizers[same, True].authorize(request, strict=self.strict))
            if again is not None:
                status, conds, refs = again
                refs = tuple(r for r in refs if r.policy != _UNKNOWN_IAM)
                acct = request.caller.account
                unknown = f"the IAM policies of account {acct} allow it" if acct else "its own policies allow it"
                found = ("allowed-if", conds + (unknown,), refs)
        if found is None:
            return None
        status, conds, refs = found
        return Violation(shown, action, request.resource, status, conds,
                         tuple(dict.fromkeys(_label(r) for r in refs)))

    def check(self, a: Assertion) -> AssertionResult:
        result = AssertionResult(a)
        _check_actions(a)
        account = self.account or (a.accounts[0] if a.accounts else None)
        resources = self.resources(a)
        if a.kind in ("no-principal", "only"):
            if self.full.resource is None:
                raise InputError("'no principal' and 'only' assertions with policy files reason over the principals "
                                 "the key policy names: give --key-policy (or use --snapshot)")
            allowed = []
            if a.kind == "only":
                for p in a.principals:
                    r = build_request(p, _PROBE, None, {}, account, self.region)
                    allowed.append(str(r.caller))
            for group in self.principals(a.accounts, account):
                acct = group[0][0].account
                if a.kind == "no-principal" and a.accounts and (acct is None or acct in a.accounts):
                    continue
                if a.kind == "only" and any(_same_principal(shown, x) for _, shown in group for x in allowed):
                    # The principal allowed, or the account whose root is allowed.
                    continue
                # The account's root allowed: it stands for the principals the
                # key policy reaches through the account (their IAM policies
                # decide); what the key policy gives them by name is their own.
                delegated_ok = a.kind == "only" and acct is not None and f"arn:aws:iam::{acct}:root" in allowed
                for res in resources:
                    for action in _expanded(a.actions, res):
                        for who, shown in group:
                            result.checked += 1
                            v = self.enumerated(who, shown, action, res, a.context, account, delegated_ok)
                            if v is not None:
                                result.violations.append(v)
                                break
            return result
        check_roles(build_request(a.principals[0], _PROBE, None, {}, account, self.region), self.full)
        f = self.full
        unknown_iam = not f.identity and f.boundary is None and f.session is None
        for res in resources:
            for action in _expanded(a.actions, res):
                request = build_request(a.principals[0], action, res, a.context, account, self.region)
                decision = self._full.authorize(request, strict=self.strict)
                result.checked += 1
                found = _possible(decision)
                if a.kind == "cannot" and found is None:
                    # Also at each later moment a date condition names.
                    for now, when in self.times(a.context)[1:]:
                        later = build_request(a.principals[0], action, res, a.context, account, self.region, now)
                        found = _possible(self._full.authorize(later, strict=self.strict))
                        if found is not None:
                            found = ("allowed-if", found[1] + (when,), found[2])
                            break
                if a.kind == "cannot" and found is None and unknown_iam:
                    # No identity-based policy given: the principal's own
                    # policies are unknown, as for "no principal" and "only".
                    v = self.enumerated(request.caller, str(request.caller), action, res, a.context, account)
                    if v is not None:
                        result.violations.append(v)
                        continue
                if a.kind == "cannot" and found is not None:
                    status, conds, refs = found
                    result.violations.append(Violation(str(request.caller), action, request.resource, status, conds,
                                                       tuple(dict.fromkeys(_label(r) for r in refs))))
                elif a.kind == "must" and not decision.allowed:
                    status = "allowed-if" if found else ("explicit-deny" if decision.outcome is Outcome.EXPLICIT_DENY
                                                         else "implicit-deny")
                    conds, refs = (found[1], found[2]) if found else ((), decision.determining)
                    result.violations.append(Violation(str(request.caller), action, request.resource, status, conds,
                                                       tuple(dict.fromkeys(_label(r) for r in refs))))
        return result


def check_with_files(assertions: list[Assertion], inputs: PolicyInputs, account: str | None = None,
                     region: str | None = None, strict: bool = False) -> list[AssertionResult]:
    """Check assertions against policy files (the options of ``policylint can``).

    Args:
        assertions: parsed assertions.
        inputs: the policy files; ``--identity-policy``, ``--boundary`` and
            ``--session-policy`` are those of the principal a ``must``/``cannot``
            assertion names; ``--scp`` those of the account ``account``.
        account: the account of short names (``role/NAME``, ``key/ID``);
            default: the first account of an ``outside account`` assertion.
        region: the Region of ``key/ID`` names.
        strict: AWS's answers with missing context keys absent (no "allowed if").

    Raises:
        AssertionCheckError: a policy file that cannot be used, or an assertion
            naming a principal, action or resource that cannot be understood
            (the message names the assertion's file and line).
    """
    try:
        checker = _FileChecker(inputs, account, region, strict)
    except InputError as e:
        raise AssertionCheckError(str(e)) from None
    out = []
    for a in assertions:
        try:
            out.append(checker.check(a))
        except KeyPolicyError as e:
            raise AssertionCheckError(str(e)) from None
        except InputError as e:
            raise AssertionCheckError(f"{_where(a, str(e))}: {e}") from None
    return out


# ---------------------------------------------------------------------------
# Snapshots.


def _from_path_answer(pa, resource: str) -> Violation:
    statements = [s for h in pa.hops for s in h.statements] + list(pa.answer.statements)
    path = tuple(f"{h.source} -> {h.target}: {h.label}" for h in pa.hops)
    if pa.via_escalation:
        path += (f"escalation: {pa.via_escalation}",)
    return Violation(pa.principal, pa.answer.action, resource, pa.status, tuple(pa.conditions),
                     tuple(dict.fromkeys(statements)), path)


def check_with_snapshot(assertions: list[Assertion], graph, max_hops: int = 5) -> list[AssertionResult]:
    """Check assertions over an account snapshot's principal graph
    (:func:`policylint.evaluate.graph.build_graph`): ``no principal`` and
    ``only`` ask :meth:`PrincipalGraph.who_can` (every user and role of the
    snapshot, and the principals the key policy and grants name, directly, by
    role chains, grants or escalation); ``must`` and ``cannot`` ask
    :meth:`PrincipalGraph.can` (the principal itself or a path from it).

    Raises:
        AssertionCheckError: an unknown principal or key (naming the assertion's file and line).
    """
    from policylint.evaluate.snapshot import InputError as SnapshotInputError
    from policylint.evaluate.snapshot import check_applies, resolve_principal, resolve_resource

    snap = graph.snapshot
    out = []
    for a in assertions:
        result = AssertionResult(a)
        try:
            _check_actions(a)
            keys = sorted(snap.keys) if a.resources == ALL_KEYS else [resolve_resource(snap, r) for r in a.resources]
            for action in a.actions:
                for res in keys:
                    check_applies(snap, action, res)
            if a.kind in ("no-principal", "only"):
                allowed = [resolve_principal(snap, p) for p in a.principals]
                for action in a.actions:
                    for res in keys:
                        for pa in graph.who_can(action, res, a.context, max_hops=max_hops):
                            result.checked += 1
                            if pa.status not in ("allowed", "allowed-if"):
                                continue
                            acct = _account_of(pa.principal)
                            if a.kind == "no-principal" and a.accounts and (acct is None or acct in a.accounts):
                                continue
                            if a.kind == "only" and any(_same_principal(pa.principal, x) for x in allowed):
                                continue
                            result.violations.append(_from_path_answer(pa, res))
            else:
                who = resolve_principal(snap, a.principals[0])
                for action in a.actions:
                    for res in keys:
                        (pa,) = graph.can(who, action, res, a.context, max_hops=max_hops)[:1]
                        result.checked += 1
                        ok = pa.status in ("allowed", "allowed-if")
                        if a.kind == "cannot" and ok:
                            result.violations.append(_from_path_answer(pa, res))
                        elif a.kind == "must" and pa.status != "allowed":
                            result.violations.append(_from_path_answer(pa, res))
        except (SnapshotInputError, InputError) as e:
            raise AssertionCheckError(f"{_where(a, str(e))}: {e}") from None
        out.append(result)
    return out
