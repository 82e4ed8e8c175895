"""Authorize one request the way AWS does, and say why.

``Authorizer(policies)`` prepares a :class:`PolicySet` once (statements are
compiled and indexed by action); ``authorizer.authorize(request)`` then
decides each request. This is the only place in policylint that decides
allow or deny.

Sources (IAM User Guide unless noted):

* *Policy evaluation logic* and *How AWS enforcement code logic evaluates
  requests to allow or deny access*: an explicit Deny in any policy wins; RCPs
  and SCPs must allow at every level; then a resource-based policy or an
  identity-based policy must allow; a permissions boundary and a session
  policy limit identity-based permissions;
* the same page, on resource-based policies: within one account, a
  resource-based policy that names an IAM user or a role session allows on
  its own, even when a boundary or session policy does not (an implicit deny
  there does not block); one that names a role is limited by the role's
  boundary and session policy; one that names the account delegates to the
  account's IAM policies;
* *Cross-account policy evaluation logic*: across accounts both the
  resource-based policy and the caller's identity-based policy must allow;
* KMS Developer Guide, *Key policies in AWS KMS* and *Allowing users in other
  accounts to use a KMS key*: for a KMS key, IAM policies count only when the
  key policy allows the caller's account; a key policy that names the caller
  allows on its own; across accounts only the operations documented as
  cross-account work. Role trust policies follow the same rule (the policy
  must name the principal or its account);
* KMS Developer Guide, *Grants in AWS KMS*: a grant allows its operations to
  its grantee on its key, under its encryption-context constraints; grants
  never deny, and explicit denies, SCPs and RCPs still apply;
* AWS Organizations User Guide, *Service control policies* (SCPs do not
  restrict service principals) and *Resource control policies* (RCPs do not
  apply to AWS managed KMS keys).

Missing context: a condition on a key the request did not supply is
uncertain. ``authorize`` answers as AWS would with those keys absent and,
unless asked to be strict, reports for each uncertain statement the outcome
its conditions would bring (``Decision.alternatives``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable

from policylint.evaluate.arn import arn_like, parse_arn
from policylint.evaluate.conditions import compile_clause, describe_clause
from policylint.evaluate.policyset import NamedPolicy, PolicySet, PolicyType
from policylint.evaluate.principals import match_principal
from policylint.evaluate.request import Request
from policylint.evaluate.variables import Unresolved, compile_template, has_variables
from policylint.model.grant import Grant
from policylint.model.policy import PolicyKind, Principal, Statement
from policylint.wildcard import compile_glob, escape

__all__ = ["Alternative", "Authorizer", "Decision", "KMS_CROSS_ACCOUNT", "Outcome", "StatementRef", "Step", "authorize"]


class Outcome(StrEnum):
    """The three answers."""

    ALLOWED = "Allowed"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


#: KMS operations that work across accounts (KMS Developer Guide, *Allowing
#: users in other accounts to use a KMS key*, and each operation's
#: "Cross-account use" line in the KMS API Reference). Any other permission
#: granted to another account has no effect.
KMS_CROSS_ACCOUNT = frozenset(
    a.lower()
    for a in (
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:Sign", "kms:Verify", "kms:GenerateMac", "kms:VerifyMac", "kms:DeriveSharedSecret", "kms:DescribeKey",
        "kms:GetPublicKey", "kms:GetKeyRotationStatus", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant",
        "kms:RetireGrant",
    )
)


@dataclass(frozen=True)
class StatementRef:
    """Where a statement (or grant) that took part in a decision is.

    Attributes:
        policy: the policy's name.
        policy_type: its place in the evaluation.
        sid: the statement's Sid (a grant's name), or None.
        index: 0-based position in its policy's Statement list (grants: in the list).
        file, line, column: where it is written, when known.
    """

    policy: str
    policy_type: PolicyType
    sid: str | None
    index: int
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def label(self) -> str:
        """``identity-based policy app.json, Sid "UseKey" (app.json:4:5)``."""
        if self.sid:
            what = f'Sid "{self.sid}"'
        else:
            what = f"entry {self.index + 1}" if self.policy_type is PolicyType.GRANT else f"statement {self.index + 1}"
        where = ""
        if self.file and self.line:
            where = f" ({self.file}:{self.line}:{self.column})"
        elif self.file:
            where = f" ({self.file})"
        return f"{self.policy_type} {self.policy}, {what}{where}"

    def as_dict(self) -> dict:
        return {
            "policy": self.policy, "policy_type": str(self.policy_type), "sid": self.sid, "index": self.index,
            "file": self.file, "line": self.line, "column": self.column,
        }


@dataclass
class Step:
    """One line of the explanation: what one policy type said."""

    policy_type: PolicyType | None
    text: str
    refs: tuple[StatementRef, ...] = ()


@dataclass
class Alternative:
    """What the answer would be if uncertain conditions went the other way.

    Attributes:
        outcome: the answer then.
        when: readable conditions (all must hold), e.g. ``aws:SourceIp is in 10.0.0.0/8``.
        refs: the statements (or grants) whose conditions they are.
    """

    outcome: Outcome
    when: tuple[str, ...]
    refs: tuple[StatementRef, ...]


@dataclass
class Decision:
    """The answer to one request.

    Attributes:
        outcome: Allowed, ExplicitDeny or ImplicitDeny, as AWS decides with the
            context given (keys not given are absent).
        decided_by: the policy type that decided (for an implicit deny: the
            one where no allow was found), or None.
        determining: the statements that decided: the denying statements for
            an explicit deny, the allowing ones for Allowed.
        steps: the explanation, one line per policy type looked at.
        missing_keys: context keys that conditions read but the request did
            not supply (spelled as in the policy).
        alternatives: answers that supplying those keys could bring.
    """

    outcome: Outcome
    decided_by: PolicyType | None = None
    determining: tuple[StatementRef, ...] = ()
    steps: list[Step] = field(default_factory=list)
    missing_keys: tuple[str, ...] = ()
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "decision": str(self.outcome),
            "decided_by": str(self.decided_by) if self.decided_by else None,
            "determining_statements": [r.as_dict() for r in self.determining],
            "explanation": [
                {
                    "policy_type": str(s.policy_type) if s.policy_type else None,
                    "text": s.text,
                    "statements": [r.as_dict() for r in s.refs],
                }
                for s in self.steps
            ],
            "missing_context_keys": list(self.missing_keys),
            "would_change": [
                {"decision": str(a.outcome), "when": list(a.when), "statements": [r.as_dict() for r in a.refs]}
                for a in self.alternatives
            ],
        }


# ---------------------------------------------------------------------------
# Compiled statements.


class _Compiled:
    """A statement ready to test against requests."""

    __slots__ = ("stmt", "ref", "allow", "actions", "not_actions", "resources", "not_resources", "clauses", "trust")

    def __init__(self, stmt: Statement, ref: StatementRef, variables: bool, trust: bool) -> None:
        self.stmt = stmt
        self.ref = ref
        self.allow = stmt.effect == "Allow"
        self.trust = trust
        self.actions = [compile_glob(a, True) for a in stmt.action] if stmt.action is not None else None
        self.not_actions = [compile_glob(a, True) for a in stmt.not_action] if stmt.not_action is not None else None
        self.resources = self._patterns(stmt.resource, variables)
        self.not_resources = self._patterns(stmt.not_resource, variables)
        self.clauses = [compile_clause(c, variables) for c in stmt.condition]

    @staticmethod
    def _patterns(values, variables: bool):
        if values is None:
            return None
        return [compile_template(v) if variables and has_variables(v) else v for v in values]

    def action_matches(self, action: str) -> bool:
        if self.actions is not None:
            return any(g.match(action) for g in self.actions)
        if self.not_actions is not None:
            return not any(g.match(action) for g in self.not_actions)
        return False

    def _resource_hit(self, patterns, request: Request) -> bool:
        res = request.resource
        for p in patterns:
            if not isinstance(p, str):
                p = p.resolve(request.context, escape)  # may raise Unresolved
            if res == "*":
                if p == "*" or _account_scope(p, request):
                    return True
            elif arn_like(p, res):
                return True
        return False

    def resource_matches(self, request: Request) -> bool:
        """Resource/NotResource against the request's resource. Only a trust
        policy statement may have neither: its resource is the role itself.

        Raises:
            Unresolved: a policy variable in the element has no value.
        """
        if self.resources is not None:
            return self._resource_hit(self.resources, request)
        if self.not_resources is not None:
            return not self._resource_hit(self.not_resources, request)
        return self.trust


def _account_scope(pattern: str, request: Request) -> bool:
    """For actions without a resource (``kms:ListKeys``), an ARN pattern with
    a wildcard resource part scoped to the caller's account and Region
    (``arn:aws:kms:*:111122223333:*``) applies too (KMS Developer Guide,
    *AWS KMS permissions*)."""
    arn = parse_arn(pattern)
    if arn is None or arn.resource.strip("*") != "":
        return False
    caller = request.caller
    if not compile_glob(arn.service, True).match(request.service):
        return False
    if caller.account and not compile_glob(arn.account).match(caller.account):
        return False
    region = request.context.get("aws:requestedregion")
    return not (region and not compile_glob(arn.region).match(region[0]))


class _PreparedPolicy:
    """A policy's statements compiled, indexed by the action they name."""

    def __init__(self, named: NamedPolicy, kind: PolicyType) -> None:
        self.named = named
        self.kind = kind
        doc = named.document
        variables = doc.version == "2012-10-17"
        trust = doc.kind is PolicyKind.TRUST
        self.statements: list[_Compiled] = []
        for s in doc.statements:
            line = col = None
            if named.locate is not None:
                pos = named.locate(s.path)
                if pos:
                    line, col = pos
            ref = StatementRef(named.name, kind, s.sid, s.index, named.file, line, col)
            self.statements.append(_Compiled(s, ref, variables, trust))
        self._by_action: dict[str, list[_Compiled]] = {}

    def candidates(self, action: str) -> list[_Compiled]:
        """Statements whose Action/NotAction matches ``action`` (cached per action)."""
        key = action.lower()
        hit = self._by_action.get(key)
        if hit is None:
            hit = [c for c in self.statements if c.action_matches(key)]
            self._by_action[key] = hit
        return hit


# ---------------------------------------------------------------------------
# Per-request state.


class _Eval:
    """Per-request state: which statements are uncertain, which keys are missing."""

    def __init__(self, request: Request, flip: set[StatementRef] | None = None) -> None:
        self.request = request
        # Statements (and grants) whose outcome depends on missing keys, with
        # the clauses (or texts) that do.
        self.uncertain: dict[StatementRef, list] = {}
        self.missing: list[str] = []
        # Statements whose outcome is reversed, to explore alternatives.
        self.flip: set[StatementRef] = flip or set()
        self.needs_key_policy = False

    def statement_applies(self, c: _Compiled) -> bool:
        """Whether the statement applies (AWS's answer with absent keys;
        reversed for statements in ``flip``)."""
        result = self._applies(c)
        return (not result) if c.ref in self.flip else result

    def _applies(self, c: _Compiled) -> bool:
        req = self.request
        try:
            if not c.resource_matches(req):
                return False
        except Unresolved as u:
            self.note_missing(u.key)
            self.uncertain.setdefault(c.ref, [])
            return False
        result = True
        unsure = []
        for cc in c.clauses:
            lenient = cc.evaluate(req.context, strict=False)
            if lenient is None:
                unsure.append(cc)
                for k in cc.missing_keys(req.context):
                    self.note_missing(k)
                if not cc.evaluate(req.context, strict=True):
                    result = False
            elif not lenient:
                return False  # false whatever the missing keys are
        if unsure:
            self.uncertain[c.ref] = unsure
        return result

    def note_missing(self, key: str) -> None:
        if key.lower() not in {k.lower() for k in self.missing}:
            self.missing.append(key)


def _applicable(ev: _Eval, policy: _PreparedPolicy, with_principal: bool):
    """(allowing statements with how they name the caller, denying statements)."""
    allows: list[tuple[_Compiled, str | None]] = []
    denies: list[_Compiled] = []
    caller = ev.request.caller
    for c in policy.candidates(ev.request.action):
        how: str | None = None
        if with_principal:
            s = c.stmt
            if s.principal is not None:
                how = match_principal(s.principal, caller)
                if how is None:
                    continue
            elif s.not_principal is not None:
                if match_principal(s.not_principal, caller) is not None:
                    continue
                how = "wildcard"
            else:
                continue  # a statement without a principal applies to no one
        if not ev.statement_applies(c):
            continue
        if c.allow:
            allows.append((c, how))
        else:
            denies.append(c)
    return allows, denies


def _describe(items: list, applies: bool) -> tuple[str, ...]:
    """Readable conditions for an alternative: what must hold (when the
    statement does not apply now) or what must not (when it does)."""
    out = []
    for item in items:
        text = item if isinstance(item, str) else describe_clause(item.clause)
        out.append(f"not ({text})" if applies else text)
    return tuple(out) or ("the policy variables it uses have values",)


class Authorizer:
    """A :class:`PolicySet` prepared for many requests.

    Bad statements do not raise: a statement that cannot apply simply does
    not (an unknown condition operator never holds, as IAM would have
    refused the policy).
    """

    def __init__(self, policies: PolicySet) -> None:
        self.policies = policies
        self.identity = [_PreparedPolicy(p, PolicyType.IDENTITY) for p in policies.identity]
        self.resource = _PreparedPolicy(policies.resource, PolicyType.RESOURCE) if policies.resource else None
        self.boundary = _PreparedPolicy(policies.boundary, PolicyType.BOUNDARY) if policies.boundary else None
        self.session = _PreparedPolicy(policies.session, PolicyType.SESSION) if policies.session else None
        self.scps = [[_PreparedPolicy(p, PolicyType.SCP) for p in level] for level in policies.scps]
        self.rcps = [[_PreparedPolicy(p, PolicyType.RCP) for p in level] for level in policies.rcps]
        self.grants = list(policies.grants)

    def authorize(self, request: Request, strict: bool = False) -> Decision:
        """Decide ``request``.

        Args:
            request: the request.
            strict: give AWS's answer with absent keys only, without
                exploring what the missing keys could change.

        Returns:
            A :class:`Decision`.
        """
        ev = _Eval(request)
        decision = self._decide(ev)
        decision.missing_keys = tuple(ev.missing)
        if strict:
            return decision
        if ev.needs_key_policy and decision.outcome is Outcome.IMPLICIT_DENY:
            decision.alternatives.append(
                Alternative(
                    Outcome.ALLOWED,
                    (f"the key policy allows account {request.caller.account} (as the default key policy does)",),
                    (),
                )
            )
        for ref, items in list(ev.uncertain.items()):
            other = self._decide(_Eval(request, {ref}))
            if other.outcome != decision.outcome:
                decision.alternatives.append(Alternative(other.outcome, _describe(items, self._applies_now(ref, request)), (ref,)))
        if not decision.alternatives and len(ev.uncertain) > 1:
            other = self._decide(_Eval(request, set(ev.uncertain)))
            if other.outcome != decision.outcome:
                when = tuple(w for ref, items in ev.uncertain.items() for w in _describe(items, self._applies_now(ref, request)))
                decision.alternatives.append(Alternative(other.outcome, when, tuple(ev.uncertain)))
        return decision

    def _applies_now(self, ref: StatementRef, request: Request) -> bool:
        """Whether the statement applies with the missing keys absent (grants: never)."""
        for p in self._all_policies():
            for c in p.statements:
                if c.ref == ref:
                    return _Eval(request)._applies(c)
        return False

    def _all_policies(self) -> Iterable[_PreparedPolicy]:
        yield from self.identity
        for p in (self.resource, self.boundary, self.session):
            if p is not None:
                yield p
        for level in self.scps + self.rcps:
            yield from level

    # -- the combining logic ----------------------------------------------------
    def _decide(self, ev: _Eval) -> Decision:
        req = ev.request
        caller = req.caller
        steps: list[Step] = []
        is_service = caller.kind == "service"
        has_identity = caller.kind not in ("service", "anonymous")
        res_account = req.resource_account
        same_account = res_account is None or res_account == caller.account
        res_arn = parse_arn(req.resource)
        is_kms_key = req.service == "kms" and res_arn is not None and res_arn.resource.startswith("key/")
        is_trust = self.resource is not None and self.resource.named.document.kind is PolicyKind.TRUST
        strict_resource = is_kms_key or is_trust
        scps_apply = bool(self.scps) and not is_service and caller.kind != "anonymous"
        rcps_apply = bool(self.rcps) and not req.aws_managed_key and not is_service
        use_resource_policy = self.resource is not None and req.resource != "*"

        id_allows: list = []
        id_denies: list = []
        if has_identity:
            for p in self.identity:
                a, d = _applicable(ev, p, False)
                id_allows += a
                id_denies += d
        rb_allows, rb_denies = _applicable(ev, self.resource, True) if use_resource_policy else ([], [])
        b_allows, b_denies = _applicable(ev, self.boundary, False) if self.boundary and has_identity else ([], [])
        s_allows, s_denies = _applicable(ev, self.session, False) if self.session and has_identity else ([], [])
        scp_levels = [[_applicable(ev, p, False) for p in level] for level in self.scps] if scps_apply else []
        rcp_levels = [[_applicable(ev, p, True) for p in level] for level in self.rcps] if rcps_apply else []

        # 1. An explicit deny anywhere wins.
        deny_sources = (
            (PolicyType.SCP, [c for level in scp_levels for _, d in level for c in d]),
            (PolicyType.RCP, [c for level in rcp_levels for _, d in level for c in d]),
            (PolicyType.RESOURCE, rb_denies),
            (PolicyType.IDENTITY, id_denies),
            (PolicyType.BOUNDARY, b_denies),
            (PolicyType.SESSION, s_denies),
        )
        denies = [(t, c) for t, cs in deny_sources for c in cs]
        if denies:
            refs = tuple(c.ref for _, c in denies)
            steps.append(Step(denies[0][0], "explicit deny: a Deny statement applies", refs))
            return Decision(Outcome.EXPLICIT_DENY, denies[0][0], refs, steps)

        # 2. RCPs, then SCPs: every level must allow.
        for levels, prepared, kind in ((rcp_levels, self.rcps, PolicyType.RCP), (scp_levels, self.scps, PolicyType.SCP)):
            for n, level in enumerate(levels, 1):
                allowing = tuple(c.ref for a, _ in level for c, _ in a)
                if not allowing:
                    names = ", ".join(p.named.name for p in prepared[n - 1])
                    steps.append(Step(kind, f"level {n} ({names}) does not allow {req.action}: implicit deny"))
                    return Decision(Outcome.IMPLICIT_DENY, kind, (), steps)
                steps.append(Step(kind, f"level {n} allows", allowing[:3]))

        # 3. Identity-based policies, limited by the boundary and the session policy.
        identity_ok = bool(id_allows) or caller.kind == "root"
        boundary_ok = self.boundary is None or bool(b_allows) or not has_identity
        session_ok = self.session is None or bool(s_allows) or not has_identity
        identity_path = has_identity and identity_ok and boundary_ok and session_ok
        id_refs = tuple(c.ref for c, _ in id_allows)
        if has_identity:
            if id_allows:
                steps.append(Step(PolicyType.IDENTITY, f"allows {req.action}", id_refs))
            elif caller.kind == "root":
                steps.append(Step(PolicyType.IDENTITY, "the account root user has every permission its account's policies can give"))
            elif self.identity:
                steps.append(Step(PolicyType.IDENTITY, f"no identity-based policy allows {req.action}"))
            else:
                steps.append(Step(PolicyType.IDENTITY, "no identity-based policy given"))
            if self.boundary is not None:
                text = "allows" if b_allows else f"does not allow {req.action}"
                steps.append(Step(PolicyType.BOUNDARY, text, tuple(c.ref for c, _ in b_allows)))
            if self.session is not None:
                text = "allows" if s_allows else f"does not allow {req.action}"
                steps.append(Step(PolicyType.SESSION, text, tuple(c.ref for c, _ in s_allows)))

        # 4. The resource-based policy.
        rb_kinds = {how for _, how in rb_allows}
        rb_refs = tuple(c.ref for c, _ in rb_allows)
        if use_resource_policy:
            if rb_allows:
                named = "the caller's account" if rb_kinds <= {"account"} else "the caller"
                steps.append(Step(PolicyType.RESOURCE, f"allows {named}", rb_refs))
            else:
                steps.append(Step(PolicyType.RESOURCE, f"neither names the caller nor allows its account for {req.action}"))
        if is_kms_key and not same_account and req.action.lower() not in KMS_CROSS_ACCOUNT:
            steps.append(Step(PolicyType.RESOURCE, f"{req.action} cannot be used across accounts: no key policy or grant can give it to another account"))
            return Decision(Outcome.IMPLICIT_DENY, PolicyType.RESOURCE, (), steps)

        allowed_refs: tuple[StatementRef, ...] | None = None
        decided_by: PolicyType | None = None
        if same_account:
            if rb_kinds & {"direct", "service", "federated", "canonical"}:
                # Named directly (a user, a role session, a service): an implicit
                # deny in a boundary or session policy does not block.
                allowed_refs, decided_by = rb_refs, PolicyType.RESOURCE
            elif rb_kinds & {"role", "wildcard"} and boundary_ok and session_ok:
                allowed_refs, decided_by = rb_refs, PolicyType.RESOURCE
            elif identity_path and (not strict_resource or "account" in rb_kinds):
                allowed_refs, decided_by = id_refs, PolicyType.IDENTITY
            elif identity_path and is_kms_key and self.resource is None:
                ev.needs_key_policy = True
                steps.append(Step(PolicyType.RESOURCE, "no key policy given: identity-based policies count only when the key policy allows the caller's account"))
        elif rb_allows and (identity_path or not has_identity):
            allowed_refs, decided_by = rb_refs + id_refs, PolicyType.RESOURCE
        elif rb_allows:
            steps.append(Step(PolicyType.IDENTITY, "across accounts the caller's own identity-based policy must allow too"))

        if allowed_refs is None and has_identity and identity_ok and not (boundary_ok and session_ok):
            decided_by = PolicyType.BOUNDARY if not boundary_ok else PolicyType.SESSION
            steps.append(Step(decided_by, f"the {decided_by} does not allow {req.action}: implicit deny"))

        # 5. KMS grants.
        if allowed_refs is None and is_kms_key and self.grants:
            grant_refs = self._grants_allowing(ev, identity_path)
            if grant_refs:
                steps.append(Step(PolicyType.GRANT, f"allows {req.action}", grant_refs))
                allowed_refs, decided_by = grant_refs, PolicyType.GRANT

        if allowed_refs is not None:
            return Decision(Outcome.ALLOWED, decided_by, allowed_refs, steps)
        if decided_by is None:
            if strict_resource and id_allows and not rb_allows and self.resource is not None:
                decided_by = PolicyType.RESOURCE
                what = "key policy" if is_kms_key else "trust policy"
                steps.append(
                    Step(PolicyType.RESOURCE, f"an identity-based policy allows, but the {what} neither names the caller nor allows its account, so identity-based policies do not count")
                )
            else:
                decided_by = PolicyType.IDENTITY if has_identity else PolicyType.RESOURCE
        steps.append(Step(decided_by, "no policy allows the request: implicit deny"))
        return Decision(Outcome.IMPLICIT_DENY, decided_by, (), steps)

    def _grants_allowing(self, ev: _Eval, identity_path: bool) -> tuple[StatementRef, ...]:
        """Grants on the key for the caller that cover the operation and whose
        constraints hold. A grant to an account root delegates to the
        account's identity-based policies, like a key policy does."""
        req = ev.request
        op = req.action.split(":", 1)[1].lower()
        refs = []
        for g in self.grants:
            if not _grant_key_matches(g, req.resource) or op not in {o.lower() for o in g.operations}:
                continue
            how = _grantee(g.grantee_principal, req)
            if how is None or (how == "account" and not identity_path):
                continue
            ref = StatementRef(g.label, PolicyType.GRANT, g.name, g.index, self.policies.grants_file)
            ok = _constraints_hold(g, req, ev, ref)
            if ref in ev.flip:
                ok = not ok
            if ok:
                refs.append(ref)
        return tuple(refs)


def _grant_key_matches(g: Grant, resource: str) -> bool:
    if not g.key_id or g.key_id == resource:
        return True
    arn = parse_arn(resource)
    return arn is not None and arn.resource == f"key/{g.key_id.rsplit('/', 1)[-1]}"


def _grantee(grantee: str, req: Request) -> str | None:
    if grantee.endswith(".amazonaws.com"):
        return "service" if req.caller.kind == "service" and req.caller.arn == grantee else None
    return match_principal(Principal(aws=(grantee,)), req.caller)


def _constraints_hold(g: Grant, req: Request, ev: _Eval, ref: StatementRef) -> bool:
    """Encryption-context constraints against the request's encryption context,
    given as ``kms:EncryptionContext:<key>`` context keys. The encryption
    context is case-sensitive (KMS Developer Guide, *Encryption context*), so
    the keys' spelling as given is used."""
    c = g.constraints
    if c is None or (c.encryption_context_equals is None and c.encryption_context_subset is None):
        return True
    prefix = "kms:encryptioncontext:"
    given = {req.key_names.get(k, k)[len(prefix):]: v[0] for k, v in req.context.items() if k.startswith(prefix) and v}
    pairs = c.encryption_context_equals if c.encryption_context_equals is not None else c.encryption_context_subset
    if not given:
        # With no context the constraint fails, but the caller may simply not
        # have said which encryption context the request carries.
        for name in pairs or {}:
            ev.note_missing(f"kms:EncryptionContext:{name}")
        kind = "is exactly" if c.encryption_context_equals is not None else "includes"
        ev.uncertain.setdefault(ref, [f"the encryption context {kind} {pairs}"])
        return False
    if c.encryption_context_equals is not None:
        return given == c.encryption_context_equals
    return all(given.get(k) == v for k, v in (pairs or {}).items())


def authorize(request: Request, policies: PolicySet, strict: bool = False) -> Decision:
    """Decide one request (prepares the policies; use :class:`Authorizer` for many)."""
    return Authorizer(policies).authorize(request, strict)
