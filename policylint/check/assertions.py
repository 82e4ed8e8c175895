"""Check access assertions (``grammars/assert.lark``) with policylint's evaluator.

Every answer comes from :class:`policylint.evaluate.authorize.Authorizer`
(policy files) or from :meth:`PrincipalGraph.who_can` / :meth:`PrincipalGraph.can`
(an account snapshot); nothing here decides a request itself.

With policy files, the principals that ``no principal outside account A`` and
``only P`` reason over are those the key policy's ``Allow`` statements and the
grants name: each named user or role; for an account (its ID or root ARN) the
account's root ARN, standing for any principal of that account; for ``"*"`` a
principal of each account the key policy mentions (in a Principal or a
condition value) and of account ``000000000000`` (any other account), plus the
principals its ``aws:PrincipalArn`` / ``aws:PrincipalAccount`` /
``kms:CallerAccount`` conditions let in, wildcards filled
(:func:`_condition_principals`); for an Allow with ``NotPrincipal``, the root of
an account the list does not name. Their own
IAM policies are not known: each is decided with the key policy, grants and
RCPs alone, and, if that denies, again with IAM policies that allow everything;
an allow then is reported as "allowed if its account's IAM policies allow it"
(KMS Developer Guide, *Allowing users in other accounts to use a KMS key*: the
key policy and the caller's IAM policies must both allow cross-account use;
*Key policies*: the account principal delegates to IAM policies). Service
principals are not in an account: ``outside account`` leaves them out, ``only``
and ``no principal can`` count them.

A safety assertion (``no principal``, ``only``, ``cannot``) fails on an allow
and on an "allowed if ..." (the conditions are reported); ``must be able to``
holds only on an allow with the context given.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from policylint import catalog
from policylint.errors import PolicylintError
from policylint.wildcard import has_wildcard
from policylint.evaluate.authorize import Authorizer, Decision, Outcome, StatementRef
from policylint.evaluate.inputs import InputError, PolicyInputs, build_policy_set, build_request, check_roles
from policylint.evaluate.policyset import NamedPolicy, PolicySet, PolicyType
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
_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


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
#: Condition keys whose values name the calling principal (lower case) -> "arn" or "account".
_PRINCIPAL_KEYS = {"aws:principalarn": "arn", "aws:principalaccount": "account", "kms:calleraccount": "account"}


#: The "data path" of a principal named by a grant (see :func:`_named_principals_at`).
_GRANTS = ("<grants>",)


def _other_account(excluded) -> str:
    """An account ID standing for "any other account", not one of ``excluded``."""
    return next((a for a in _OTHER_ACCOUNTS if a not in excluded), ANY_ACCOUNT)


def _glob(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.S)


def _fill_account(pattern: str, avoid) -> str | None:
    """A 12-digit account ID matching the IAM wildcard ``pattern`` (``*``, ``?``),
    preferably not one of ``avoid``; None when no account matches."""
    if not has_wildcard(pattern):
        return pattern if pattern.isascii() and pattern.isdigit() and len(pattern) == 12 else None
    rx = _glob(pattern)
    found = None
    for d in "0987654321":
        fixed = sum(1 for c in pattern if c not in "*")
        stars = pattern.count("*")
        if fixed > 12:
            return None
        out, first = [], True
        for c in pattern:
            if c == "*":
                out.append(d * (12 - fixed) if first else "")
                first = False
            elif c == "?":
                out.append(d)
            else:
                out.append(c)
        cand = "".join(out)
        if not stars and len(cand) != 12:
            return None
        if rx.fullmatch(cand) and cand.isdigit() and len(cand) == 12:
            if cand not in avoid:
                return cand
            found = found or cand
    return found


def _fill_accounts(pattern: str, avoid, mentioned) -> list[str]:
    """Accounts matching ``pattern``: one outside ``avoid`` when it allows (see
    :func:`_fill_account`), and each account of ``mentioned`` it matches."""
    first = _fill_account(pattern, avoid)
    rx = _glob(pattern)
    return list(dict.fromkeys(([first] if first else []) + [m for m in mentioned if rx.fullmatch(m)]))


def _fill_arn(pattern: str, avoid, mentioned=()) -> list[str]:
    """Principal ARNs matching the ``aws:PrincipalArn`` pattern: wildcards
    filled, the account outside ``avoid`` when the pattern allows, and in each
    account of ``mentioned`` it matches (none if no principal can match)."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] not in ("arn", "*"):
        return []
    partition = "aws" if has_wildcard(parts[1]) else parts[1]
    service = parts[2] if parts[2] in ("iam", "sts") else ("iam" if has_wildcard(parts[2]) else None)
    if service is None:
        return []
    rest = parts[5]
    if rest in ("*", "?") or not rest:
        rest = "root"
    else:
        rest = re.sub(r"[*?]", "x", rest)
        if "/" in rest and rest.endswith("/"):
            rest += "x"
    return [f"arn:{partition}:{service}::{a}:{rest}" for a in _fill_accounts(parts[4] or "", avoid, mentioned)]


def _condition_principals(st, avoid, mentioned=(), negated: bool = False) -> list[str]:
    """Principals that the conditions of a statement name: each
    ``aws:PrincipalArn`` / ``aws:PrincipalAccount`` / ``kms:CallerAccount``
    value of a positive string or ARN operator (of a negated one with
    ``negated``: the principals a Deny spares), wildcards filled so that its
    account is outside ``avoid`` when the pattern allows (and also, for each
    account of ``mentioned`` the pattern matches, in that account)."""
    out: list[str] = []
    for clause in st.condition:
        kind = _PRINCIPAL_KEYS.get(clause.key.lower())
        op = clause.operator.split(":")[-1].lower()
        if kind is None or ("not" in op) != negated or not (op.startswith("string") or op.startswith("arn")):
            continue
        for v in clause.values:
            if kind == "arn":
                out += _fill_arn(v, avoid, mentioned)
            else:
                out += [f"arn:aws:iam::{a}:root" for a in _fill_accounts(v, avoid, mentioned)]
    return out


def _named_principals(policies: PolicySet, avoid=()) -> list[str]:
    """Who the key policy's Allow statements and the grants name, as callers
    (see the module docstring), in order of first appearance.

    ``avoid``: accounts a probe standing for "another account" should not be in
    (those of ``outside account``)."""
    return [who for who, _ in _named_principals_at(policies, avoid)]


def _named_principals_at(policies: PolicySet, avoid=()) -> list[tuple[str, tuple | None]]:
    """:func:`_named_principals` with, for each, the data path in the key policy
    of the value that names it (None for grants and derived principals)."""
    out: list[tuple[str, tuple | None]] = []
    rp = policies.resource
    mentioned: list[str] = []
    excluded: set[str] = set(avoid)
    derived: list[str] = []
    anyone = False
    statements = rp.document.statements if rp is not None else ()
    known = list(dict.fromkeys(
        [a for st in statements for c in st.condition for v in c.values for a in _ACCOUNT_ID.findall(v)]
        + [a for st in statements if st.principal is not None for a in (_account_of(v) for v in st.principal.aws)
           if a and not has_wildcard(a)]))
    for st in statements:
        for clause in st.condition:
            for v in clause.values:
                mentioned += _ACCOUNT_ID.findall(v)
        if st.effect != "Allow":
            # A principal a Deny's condition names (ArnNotLike aws:PrincipalArn ...) may escape it.
            derived += _condition_principals(st, avoid, known, negated=True)
            continue
        if st.not_principal is not None:
            # "everyone except ...": a principal of an account the list does not name
            anyone = True
            np_ = st.not_principal
            excluded.update(a for a in (_account_of(v) for v in np_.aws) if a)
            continue
        if st.principal is None:
            continue
        p = st.principal
        if p.all or "*" in p.aws:
            anyone = True
        # Conditions naming principals (aws:PrincipalArn, ...) let in those principals,
        # whether the Principal is "*" or an account.
        derived += _condition_principals(st, avoid, known)
        for i, v in enumerate(p.aws):
            path = st.path + ("Principal", "AWS") + (() if len(p.aws) == 1 else (i,))
            if v == "*":
                continue
            if v.isdigit():
                out.append((f"arn:aws:iam::{v}:root", path))
            else:
                out.append((v, path))
                if _account_of(v):
                    mentioned.append(_account_of(v))
        out += [(v, None) for v in p.service]
        out += [(f"federated:{v}", None) for v in p.federated]
    for g in policies.grants:
        out.append((f"arn:aws:iam::{g.grantee_principal}:root" if g.grantee_principal.isdigit() else g.grantee_principal,
                    _GRANTS))
    if anyone:
        accts = [a for a in dict.fromkeys(mentioned) if not has_wildcard(a)] + [_other_account(excluded)]
        out += [(f"arn:aws:iam::{a}:root", None) for a in dict.fromkeys(accts)]
    out += [(d, None) for d in derived]
    seen: dict[str, tuple | None] = {}
    for who, path in out:
        seen.setdefault(who, path)
    return list(seen.items())


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
                                   grants_file=f.grants_file, scps=f.scps if same else [])
            for same in (False, True) for iam in (False, True)
        }
        self._authorizers = {k: Authorizer(ps) for k, ps in sets.items()}
        self._full = Authorizer(f)

    def resources(self, a: Assertion) -> list[str]:
        if a.resources == ALL_KEYS:
            if self.full.resource is None:
                raise InputError("'on all keys' with policy files needs --key-policy (or use --snapshot)")
            # The key of the grants, when they say (a grant is for one key); else any key with this policy.
            keys = [g.key_id if g.key_id.startswith("arn:") else f"key/{g.key_id}" for g in self.full.grants if g.key_id]
            return list(dict.fromkeys(keys)) or ["key/*"]
        return list(a.resources)

    def principal_ok(self, who: str, path: tuple | None, account: str | None) -> None:
        """Refuse a principal of the key policy that is not one (AWS rejects such
        a policy), naming the key policy file and the value's position.

        Raises:
            KeyPolicyError: the principal cannot be understood.
        """
        try:
            build_request(who, _PROBE, None, {}, account, self.region)
        except InputError as e:
            if path == _GRANTS:
                raise KeyPolicyError(f"{self.full.grants_file or 'grants'}: grantee principal: {e}") from None
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
            raise KeyPolicyError(f"{_shown(where) if ':' not in where else where}: key policy principal: {e}") from None

    def enumerated(self, who: str, action: str, resource: str, ctx, account: str | None) -> Violation | None:
        """Decide a principal named by the key policy or grants (its IAM policies unknown)."""
        request = build_request(who, action, resource, ctx, account, self.region)
        same = request.caller.account is not None and request.caller.account == (account or self.account)
        found = _possible(self._authorizers[same, False].authorize(request, strict=self.strict))
        if found is None:
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
        return Violation(str(request.caller), action, request.resource, status, conds,
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
            for who, path in _named_principals_at(self.full, a.accounts):
                self.principal_ok(who, path, account)
                acct = _account_of(who)
                if a.kind == "no-principal" and a.accounts and (acct is None or acct in a.accounts):
                    continue
                if a.kind == "only" and any(_same_principal(who, x) for x in allowed):
                    continue
                for res in resources:
                    for action in _expanded(a.actions, res):
                        result.checked += 1
                        v = self.enumerated(who, action, res, a.context, account)
                        if v is None and acct is not None and who == f"arn:aws:iam::{acct}:root":
                            # The root stands for the account; conditions (aws:PrincipalType,
                            # aws:PrincipalArn) may still let its roles or users in.
                            for stand_in in (f"arn:aws:iam::{acct}:role/{_STAND_IN}", f"arn:aws:iam::{acct}:user/{_STAND_IN}"):
                                result.checked += 1
                                v = self.enumerated(stand_in, action, res, a.context, account)
                                if v is not None:
                                    break
                        if v is not None:
                            result.violations.append(v)
            return result
        check_roles(build_request(a.principals[0], _PROBE, None, {}, account, self.region), self.full)
        for res in resources:
            for action in _expanded(a.actions, res):
                request = build_request(a.principals[0], action, res, a.context, account, self.region)
                decision = self._full.authorize(request, strict=self.strict)
                result.checked += 1
                found = _possible(decision)
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
