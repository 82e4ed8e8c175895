"""Decisions over an account snapshot: the policy set of each request, built
from what the snapshot says about the caller and the resource.

For a caller (an IAM user or role of the snapshot) the identity-based
policies are its inline and attached managed policies, and for a user those
of its groups; its permissions boundary; the SCPs of every level from the
organization root down to its account (none for the management account).
For the resource: a KMS key's key policy and grants, a role's trust policy
(for ``sts:AssumeRole*``), and the RCPs of the resource's account.

Sources: IAM User Guide, *Policy evaluation logic* and *Cross-account policy
evaluation logic*; *Permissions boundaries for IAM entities*; AWS
Organizations User Guide, *SCP evaluation*; KMS Developer Guide, *KMS key
access and permissions* and *Grants in AWS KMS*.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from policylint.evaluate.authorize import Authorizer, Decision, Outcome, StatementRef
from policylint.evaluate.inputs import InputError, _ambient, build_request
from policylint.evaluate.request import Request, parse_caller
from policylint.evaluate.policyset import NamedPolicy, PolicySet, PolicyType
from policylint.model.grant import GRANT_OPERATIONS, Grant
from policylint.model.policy import PolicyKind
from policylint.model.snapshot import IamRole, IamUser, Snapshot, SnapshotPolicy
from policylint.model.validate import build_policy

__all__ = ["ALLOW_ALL", "EXTERNAL_IDENTITY", "OWN_GRANT", "OWN_KEY_POLICY", "Answer", "InputError", "SnapshotEvaluator",
           "check_applies", "question_notes", "resolve_principal", "resolve_resource"]

#: The name of the stand-in identity policy of a principal outside the
#: snapshot: its own account's policies are unknown, so the answer says
#: "if its own account's IAM policies allow it".
EXTERNAL_IDENTITY = "its own account's IAM policies (not in the snapshot)"

_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")


@dataclass
class Answer:
    """One decision over the snapshot, reduced to what queries report.

    Attributes:
        principal: the caller's ARN (or service name).
        action, resource: the request.
        outcome: AWS's answer with the context given (keys not given are absent).
        conditions: when ``outcome`` is not Allowed but supplying context could
            make it Allowed: the readable conditions of that ("allowed if ...");
            empty otherwise.
        statements: where the statements that decided are (``file:line:col Sid``).
        decision: the full evaluator decision (for explanations).
        via: for ``what-can``, the roles the principal acts as to get it (empty: itself).
    """

    principal: str
    action: str
    resource: str
    outcome: Outcome
    conditions: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    decision: Decision | None = field(default=None, repr=False)
    via: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """Allowed with the context given."""
        return self.outcome is Outcome.ALLOWED

    @property
    def possible(self) -> bool:
        """Allowed, or allowed if the conditions in :attr:`conditions` hold."""
        return self.allowed or bool(self.conditions)

    @property
    def status(self) -> str:
        """``allowed``, ``allowed-if``, ``explicit-deny`` or ``implicit-deny``."""
        if self.allowed:
            return "allowed"
        if self.conditions:
            return "allowed-if"
        return "explicit-deny" if self.outcome is Outcome.EXPLICIT_DENY else "implicit-deny"


class SnapshotEvaluator:
    """Answers requests over a :class:`Snapshot` with the one evaluator.

    Policy documents are modelled once and reused; an :class:`Authorizer` is
    prepared once per (caller, resource policy) pair.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snap = snapshot
        self._named: dict[int, NamedPolicy | None] = {}
        self._identity: dict[str, list[NamedPolicy]] = {}
        self._authorizers: dict[tuple, Authorizer] = {}
        self._prepared: dict = {}
        self._caller_sides: dict[tuple, dict] = {}
        #: AWS's answer only (keys not given are absent), without "allowed if ...".
        self.strict = False
        self._levels: dict[tuple[str, str], list[list[NamedPolicy]]] = {}
        self._roles_by_name: dict[tuple[str, str], IamRole] = {(r.account, r.name): r for r in snapshot.roles.values()}

    # -- policies --------------------------------------------------------------

    def named(self, sp: SnapshotPolicy | None, kind: PolicyKind) -> NamedPolicy | None:
        """The evaluator's model of a snapshot policy (None when it cannot be modelled)."""
        if sp is None:
            return None
        key = id(sp)
        if key not in self._named:
            doc, _problems = build_policy(sp.document, kind)
            self._named[key] = None if doc is None else NamedPolicy(sp.name, doc, sp.file, _locator(sp))
        return self._named[key]

    def principal(self, arn: str) -> IamUser | IamRole | None:
        """The user or role of the snapshot with this ARN (a role also by its ARN without path)."""
        hit = self.snap.users.get(arn) or self.snap.roles.get(arn)
        if hit is None and ":role/" in arn:
            account = arn.split(":")[4]
            hit = self._roles_by_name.get((account, arn.rsplit("/", 1)[-1]))
        return hit

    def identity_policies(self, who: IamUser | IamRole) -> list[NamedPolicy]:
        """Inline and attached managed policies of ``who`` (and of a user's groups)."""
        hit = self._identity.get(who.arn)
        if hit is not None:
            return hit
        out: list[NamedPolicy] = []
        holders = [who]
        if isinstance(who, IamUser):
            holders += [g for g in (self.snap.group(who.account, name) for name in who.groups) if g is not None]
        for h in holders:
            for sp in h.inline:
                n = self.named(sp, PolicyKind.IDENTITY)
                if n is not None:
                    out.append(n)
            for arn in h.attached:
                mp = self.snap.policies.get(arn)
                n = self.named(mp.policy if mp else None, PolicyKind.IDENTITY)
                if n is not None:
                    out.append(n)
        self._identity[who.arn] = out
        return out

    def boundary(self, who: IamUser | IamRole) -> tuple[bool, NamedPolicy | None]:
        """(has a boundary, its policy or None when it is missing from the snapshot)."""
        if not who.boundary:
            return False, None
        mp = self.snap.policies.get(who.boundary)
        return True, self.named(mp.policy if mp else None, PolicyKind.IDENTITY)

    def org_levels(self, account: str, kind: str) -> list[list[NamedPolicy]]:
        """SCPs (``kind="scp"``) or RCPs of each level from the root down to ``account``."""
        key = (account, kind)
        if key in self._levels:
            return self._levels[key]
        levels: list[list[NamedPolicy]] = []
        if self.snap.org_read and account != self.snap.management_account:
            pk = PolicyKind.SCP if kind == "scp" else PolicyKind.RCP
            for node in self.snap.org_levels(account):
                attached = [self.named(p.policy, pk) if p.policy is not None else _unreadable_org_policy(p.name, pk)
                            for p in self.snap.org_policies.values() if p.kind == kind and node in p.targets]
                attached = [a for a in attached if a is not None]
                if kind == "rcp" and not attached:
                    continue  # a level with no RCP attached restricts nothing (RCPFullAWSAccess is implicit)
                levels.append(attached)
        self._levels[key] = levels
        return levels

    def policy_set(self, caller: str, resource: str, extra: tuple[str, ...] = ()) -> PolicySet:
        """Every policy that takes part when ``caller`` (an ARN) acts on ``resource``.

        ``extra`` adds identity-based policies the caller could give itself:
        :data:`ALLOW_ALL` (any permission), or a group ARN (that group's policies).
        """
        ps = PolicySet()
        who = self.principal(caller)
        caller_account = caller.split(":")[4] if caller.startswith("arn:") and caller.count(":") >= 5 else None
        if who is not None:
            ps.identity = list(self.identity_policies(who))
            has_boundary, b = self.boundary(who)
            if has_boundary:
                # A boundary missing from the snapshot: allow nothing rather than guess.
                ps.boundary = b if b is not None else _EMPTY_BOUNDARY
            ps.scps = self.org_levels(who.account, "scp")
        elif caller_account and caller_account not in self.snap.accounts:
            ps.identity = [_external_identity()]
        for x in extra:
            if x == ALLOW_ALL:
                ps.identity.append(_GIVEN_ALL)
            elif x in self.snap.groups:
                ps.identity.extend(self.identity_policies(self.snap.groups[x]))
        key = self.snap.keys.get(resource)
        if key is not None:
            ps.resource = self.named(key.policy, PolicyKind.RESOURCE)
            ps.grants = list(key.grants)
            if OWN_KEY_POLICY in extra:
                ps.resource = _own_key_policy(caller)
            if OWN_GRANT in extra:
                ps.grants.append(Grant(KeyId=key.arn, GrantId="", Name="a grant it can create for itself",
                                       GranteePrincipal=caller, Operations=tuple(sorted(GRANT_OPERATIONS))))
            ps.grants_truncated = key.grants_truncated
            ps.grants_file = key.grants_file
            ps.resource_arn = key.arn
            ps.rcps = self.org_levels(key.account, "rcp")
        else:
            role = self.snap.roles.get(resource)
            if role is not None:
                ps.resource = self.named(role.trust, PolicyKind.TRUST)
                ps.resource_arn = role.arn
                ps.rcps = self.org_levels(role.account, "rcp")
        return ps

    def authorizer(self, caller: str, resource: str, extra: tuple[str, ...] = ()) -> Authorizer:
        """A prepared :class:`Authorizer` for ``caller`` acting on ``resource``."""
        key = (caller, resource if resource in self.snap.keys or resource in self.snap.roles else "*", extra)
        hit = self._authorizers.get(key)
        if hit is None:
            # One caller side per caller and extra policies: the same identity-based
            # policies, boundary and SCPs whatever the resource.
            side = self._caller_sides.setdefault((caller, extra), {})
            hit = self._authorizers[key] = Authorizer(self.policy_set(caller, resource, extra), self._prepared, side)
        return hit

    # -- decisions -------------------------------------------------------------

    def decide(self, caller: str, action: str, resource: str, context: dict[str, list[str]] | None = None,
               extra: tuple[str, ...] = (), trusted: bool = False) -> Answer:
        """Decide one request.

        Args:
            caller: a user or role ARN of the snapshot, or another principal
                (an account ID or root ARN, a service principal, a principal of
                another account: its own identity-based policies are unknown).
            action: ``service:Action``; resource: an ARN or ``*``.
            context: request context keys given by the user.
            extra: identity-based policies the caller could give itself (see :meth:`policy_set`).
            trusted: skip validating the request (the caller and resource come
                from the snapshot, the action and context were validated before).

        Raises:
            InputError: the request cannot be built (bad principal, action or resource).
        """
        if trusted:
            # A principal and resource of the snapshot, and an action (and context)
            # validated by an earlier request of the same question.
            ctx = dict(_AMBIENT)
            for k, v in (context or {}).items():
                ctx[k] = tuple(v)
            request = Request(parse_caller(caller), action, resource, ctx)
        else:
            request = build_request(caller, action, resource, context or {}, now=_NOW)
        decision = self.authorizer(caller, resource, extra).authorize(request, strict=self.strict)
        conditions: tuple[str, ...] = ()
        refs = decision.determining
        if not decision.allowed:
            for alt in decision.alternatives:
                if alt.outcome is Outcome.ALLOWED:
                    conditions = alt.when
                    refs = alt.refs + self._allowing_with(caller, resource, extra, request, alt.refs)
                    break
        if (action.lower() == "kms:creategrant" and decision.allowed and refs
                and all(r.policy_type is PolicyType.GRANT for r in refs)):
            conditions = self._grant_passing_conditions(resource, refs)
            if conditions and not self.strict:
                return Answer(caller, action, resource, Outcome.IMPLICIT_DENY, conditions, self.where(refs), decision)
        external = self._external_account(caller)
        if decision.allowed and external:
            # The snapshot does not hold that account's IAM policies: they must allow it too.
            conditions = (f"the IAM policies of account {external} (not in the snapshot) allow it",) if external != "000000000000" \
                else ("the IAM policies of the caller's own account (any AWS account) allow it",)
            return Answer(caller, action, resource, Outcome.IMPLICIT_DENY, conditions, self.where(refs), decision)
        return Answer(caller, action, resource, decision.outcome, conditions, self.where(refs), decision)

    def _allowing_with(self, caller: str, resource: str, extra: tuple[str, ...], request, refs) -> tuple:
        """The other statements that allow ``request`` once the conditions of
        ``refs`` hold (an "allowed if" answer names every statement it needs,
        not only the conditional one)."""
        from policylint.evaluate.authorize import _Eval

        other = self.authorizer(caller, resource, extra)._decide(_Eval(request, set(refs)))
        return tuple(r for r in other.determining if r not in refs) if other.allowed else ()

    def _grant_passing_conditions(self, resource: str, refs) -> tuple[str, ...]:
        """What a grant made with a grant's CreateGrant must keep: its
        operations and encryption-context constraint (KMS Developer Guide,
        *Grants in AWS KMS*: a derived grant is at most as permissive)."""
        key = self.snap.keys.get(resource)
        out = []
        for r in refs:
            g = key.grants[r.index] if key is not None and 0 <= r.index < len(key.grants) else None
            if g is None:
                continue
            c = g.constraints
            keep = []
            if c is not None and c.encryption_context_equals:
                keep.append("exactly " + ", ".join(f"{k}={v}" for k, v in sorted(c.encryption_context_equals.items())))
            if c is not None and c.encryption_context_subset:
                keep.append("at least " + ", ".join(f"{k}={v}" for k, v in sorted(c.encryption_context_subset.items())))
            ops = ", ".join(o for o in g.operations)
            out.append(f"the new grant's operations are among {ops}"
                       + (f" and its encryption-context constraint requires {' and '.join(keep)}" if keep else ""))
        return tuple(out)

    def _external_account(self, caller: str) -> str | None:
        """The account of a caller outside the snapshot's accounts, else None."""
        if self.principal(caller) is not None:
            return None
        account = caller if caller.isdigit() else (caller.split(":")[4] if caller.startswith("arn:") and caller.count(":") >= 5 else None)
        return account if account and account not in self.snap.accounts else None

    def where(self, refs: tuple[StatementRef, ...]) -> tuple[str, ...]:
        """``file:line:col Sid "X"`` (or the policy name) of each statement or grant."""
        return tuple(dict.fromkeys(r.label for r in refs))

    def callers(self) -> list[str]:
        """Every user and role of the snapshot (service-linked roles included)."""
        return sorted(self.snap.users) + sorted(self.snap.roles)


#: Evaluation time used for every snapshot decision: fixed per process so
#: that answers do not change between two queries of one run.
_NOW = time.time()
_AMBIENT = {k: (v,) for k, v in _ambient(_NOW).items()}


def _locator(sp: SnapshotPolicy):
    return sp.locate


def _external_identity() -> NamedPolicy:
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                          PolicyKind.IDENTITY)
    return NamedPolicy(EXTERNAL_IDENTITY, doc)


def _empty_boundary() -> NamedPolicy:
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": []}, PolicyKind.IDENTITY)
    return NamedPolicy("permissions boundary missing from the snapshot (allows nothing)", doc)


_EMPTY_BOUNDARY = _empty_boundary()

#: ``extra`` tokens: a policy allowing everything, that the caller could write
#: for itself; a key policy it could put on the key (kms:PutKeyPolicy); a grant
#: of every operation it could create for itself (kms:CreateGrant).
ALLOW_ALL, OWN_KEY_POLICY, OWN_GRANT = "allow-all", "own-key-policy", "own-grant"


def _unreadable_org_policy(name: str, kind: PolicyKind) -> NamedPolicy:
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
                          kind)
    return NamedPolicy(f"{kind.value.upper()} {name} (unreadable in the snapshot: taken as denying everything)", doc)


def _own_key_policy(caller: str) -> NamedPolicy:
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "kms:*", "Resource": "*"}]}, PolicyKind.RESOURCE)
    return NamedPolicy("a key policy it can put on the key (privilege escalation)", doc)
_GIVEN_ALL = NamedPolicy("a policy it can write for itself (privilege escalation)", _external_identity().document)


def resolve_principal(snapshot: Snapshot, text: str) -> str:
    """The ARN of a principal named in a question: an ARN (a role ARN without
    its path is completed from the snapshot), ``user/NAME``, ``role/NAME``,
    ``role/PATH/NAME``, a 12-digit account ID, or a service principal.

    Raises:
        InputError: a short name the snapshot does not hold, or holds in
            several accounts (then give the ARN).
    """
    t = text.strip()
    if t.startswith("arn:"):
        parts = t.split(":", 5)
        if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith("assumed-role/"):
            # A role session acts with its role's permissions (session policies aside).
            role = parts[5].split("/")[1] if parts[5].count("/") >= 2 else ""
            t = f"arn:{parts[1]}:iam::{parts[4]}:role/{role}"
            parts = t.split(":", 5)
        if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith(("user/", "role/", "group/")):
            kind = parts[5].split("/", 1)[0]
            table = {"user": snapshot.users, "role": snapshot.roles, "group": snapshot.groups}[kind]
            if t in table:
                return t
            name = parts[5].rsplit("/", 1)[-1]
            hits = [p.arn for p in table.values() if p.account == parts[4] and p.name == name]
            if len(hits) == 1:
                return hits[0]  # written without its path
            if parts[4] in snapshot.accounts:
                raise InputError(f"{text!r}: the snapshot's account {parts[4]} has no {kind} named {name!r}")
        return t
    if t.isdigit() or t.endswith(".amazonaws.com") or t.startswith(("federated:", "service:")):
        return t
    kind, _, rest = t.partition("/")
    table = {"user": snapshot.users, "role": snapshot.roles, "group": snapshot.groups}.get(kind)
    if table is None or not rest:
        raise InputError(f"{text!r}: name a principal as user/NAME, role/NAME, an ARN, an account ID or a service principal")
    name = rest.rsplit("/", 1)[-1]
    hits = [p.arn for p in table.values() if p.name == name and (("/" not in rest) or p.path + p.name == "/" + rest)]
    if not hits:
        known = sorted(p.name for p in table.values())
        raise InputError(f"{text!r}: the snapshot has no {kind} named {name!r} ({len(known)} {kind}s: "
                         f"{', '.join(known[:8])}{', ...' if len(known) > 8 else ''})")
    if len(hits) > 1:
        raise InputError(f"{text!r} is in several accounts of the snapshot: give the ARN ({', '.join(sorted(hits))})")
    return hits[0]


def resolve_resource(snapshot: Snapshot, text: str) -> str:
    """The ARN of a resource named in a question: an ARN, ``*``, ``key/ID``,
    ``alias/NAME`` (the key it points to), ``role/NAME`` or ``user/NAME``.

    Raises:
        InputError: a short name the snapshot does not hold.
    """
    t = text.strip()
    if t == "*":
        return t
    if t.startswith("arn:"):
        parts = t.split(":", 5)
        if len(parts) == 6 and parts[2] == "kms" and parts[5].startswith(("alias/", "key/")):
            region, account, rest = parts[3], parts[4], parts[5]
            hits = [k.arn for k in snapshot.keys.values() if k.region == region and k.account == account
                    and (rest in k.aliases if rest.startswith("alias/") else k.key_id == rest[4:])]
            if len(hits) == 1:
                return hits[0]
            if account in snapshot.accounts:
                raise InputError(f"{text!r}: the snapshot has no such key in account {account}, Region {region}")
            return t
        if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith(("user/", "role/")):
            return resolve_principal(snapshot, t)
        return t
    if t.startswith("key/"):
        hits = [k.arn for k in snapshot.keys.values() if k.key_id == t[4:]]
    elif t.startswith("alias/"):
        hits = [k.arn for k in snapshot.keys.values() if t in k.aliases]
    elif t.startswith(("role/", "user/")):
        return resolve_principal(snapshot, t)
    else:
        raise InputError(f"{text!r}: name the resource as an ARN, key/ID, alias/NAME, role/NAME or *")
    if not hits:
        raise InputError(f"{text!r}: the snapshot has no such key")
    if len(hits) > 1:
        raise InputError(f"{text!r} names several keys of the snapshot (Regions or accounts): give the ARN "
                         f"({', '.join(sorted(hits))})")
    return hits[0]


def question_notes(action: str, context: dict[str, list[str]] | None = None) -> list[str]:
    """Likely mistakes in a snapshot question (an action or context key the
    catalog does not know, with did-you-mean), as for ``can`` with policy files
    (:func:`policylint.evaluate.inputs.request_notes`); wildcard actions that
    match no catalog action are noted too."""
    from policylint import catalog
    from policylint.evaluate.inputs import request_notes

    if "*" in action or "?" in action:
        return [] if catalog.check_action(action) in ("known", "all") else [
            f"{action} matches no action of the Service Authorization Reference"]
    request = build_request("111111111111", action, "*", {}, now=_NOW)
    return request_notes(request, context or {}, PolicySet())


def check_applies(snapshot: Snapshot, action: str, resource: str) -> None:
    """Refuse a question whose action does not act on that kind of resource
    (``kms:CreateKey`` on a key, ``kms:Decrypt`` on a user): AWS would answer
    for ``*`` only, and a yes on the resource would mislead.

    Raises:
        InputError: naming the resource types the action does act on.
    """
    from policylint import catalog

    if resource == "*" or "*" in action or "?" in action:
        return
    kind = "key" if resource in snapshot.keys else "role" if resource in snapshot.roles else (
        "user" if resource in snapshot.users else None)
    info = catalog.action(action)
    if kind is None or info is None:
        return
    types = [rt.name for rt in info.resource_types]
    services = ("kms",) if kind == "key" else ("iam", "sts")
    if info.service not in services or kind not in types:
        acts_on = ", ".join(f"{info.service} {t}" for t in types) if types else 'no particular resource (ask about "*")'
        raise InputError(f"{info.full_name} does not act on {'a KMS key' if kind == 'key' else 'an IAM ' + kind}: "
                         f"it acts on {acts_on}")
