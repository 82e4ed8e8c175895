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
from policylint.evaluate.principals import match_principal, not_principal_exempts
from policylint.evaluate.request import CALLER_KEYS, Request
from policylint.evaluate.variables import Unresolved, compile_template, has_variables
from policylint.model.grant import Grant
from policylint.model.policy import PolicyKind, Principal, Statement
from policylint.wildcard import compile_glob, escape, has_wildcard

__all__ = ["Alternative", "Authorizer", "Decision", "KMS_CROSS_ACCOUNT", "Outcome", "RCP_SERVICES", "StatementRef", "Step", "authorize"]


class Outcome(StrEnum):
    """The three answers."""

    ALLOWED = "Allowed"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


#: Services whose resources RCPs apply to (AWS Organizations User Guide,
#: *Resource control policies*, "List of AWS services that support RCPs"):
#: the five of the launch (S3, STS, KMS, SQS, Secrets Manager) and those
#: added in 2025 (ECR, OpenSearch Serverless, Cognito user pools, CloudWatch
#: Logs, DynamoDB). An RCP has no effect on requests to other services.
RCP_SERVICES = frozenset(("s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"))

_ALLOWED, _EXPLICIT_DENY, _IMPLICIT_DENY = Outcome.ALLOWED, Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY
_IDENTITY, _RESOURCE, _BOUNDARY, _SESSION = PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.BOUNDARY, PolicyType.SESSION
_SCP, _RCP, _GRANT = PolicyType.SCP, PolicyType.RCP, PolicyType.GRANT
_DENY_ORDER = {_SCP: 0, _RCP: 1, _RESOURCE: 2, _IDENTITY: 3, _BOUNDARY: 4, _SESSION: 5}
_NO_KINDS: frozenset[str] = frozenset()
_NO_IDENTITY = frozenset({"service", "anonymous", "web-identity", "saml", "canonical-user"})
_ACCOUNT_ONLY = frozenset({"account"})
_NAMED_DIRECTLY = frozenset({"direct", "service", "federated", "canonical"})
_NAMED_ROLE = frozenset({"role", "wildcard"})
#: Of the keys AWS sets from the caller (``CALLER_KEYS``: absent means absent
#: for this caller in AWS too, never "allowed if" them; IAM User Guide, *AWS
#: global condition context keys*, "Availability"), the keys a role session may carry without policylint knowing:
#: aws:FederatedProvider is set on sessions of roles assumed through an
#: OIDC or SAML provider (IAM User Guide, *AWS global condition context keys*).
_SESSION_UNKNOWN = frozenset(("aws:federatedprovider",))

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
    _line: int | None = field(default=None, compare=False)
    _column: int | None = field(default=None, compare=False)
    #: (locate, data path): the position is looked up when first read, so
    #: that compiling many policies (an account snapshot) does not scan files.
    _where: tuple | None = field(default=None, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        # Refs are dictionary keys on every decision: hash once. A statement
        # is one (policy, type, Sid, index, file): its position adds nothing.
        object.__setattr__(self, "_hash", hash((self.policy, self.policy_type, self.sid, self.index, self.file)))

    def __hash__(self) -> int:
        return self._hash

    def _resolve(self) -> None:
        if self._where is not None:
            locate, path = self._where
            pos = locate(path)
            object.__setattr__(self, "_where", None)
            if pos:
                object.__setattr__(self, "_line", pos[0])
                object.__setattr__(self, "_column", pos[1])

    @property
    def line(self) -> int | None:
        """1-based line in :attr:`file`, or None."""
        self._resolve()
        return self._line

    @property
    def column(self) -> int | None:
        """1-based column in :attr:`file`, or None."""
        self._resolve()
        return self._column

    @property
    def label(self) -> str:
        """``identity-based policy app.json, Sid "UseKey" (app.json:4:5)``."""
        return self.describe()

    def describe(self, type_name: str | None = None) -> str:
        """:attr:`label`, naming the policy type ``type_name`` when given
        (``key policy`` for the resource-based policy of a KMS key)."""
        if self.policy_type is PolicyType.GRANT:
            where = f"{self.file}, " if self.file else ""
            return f'KMS grant "{self.sid or self.policy}" ({where}grant {self.index + 1})'
        if self.sid:
            what = f'Sid "{self.sid}"'
        else:
            what = f"entry {self.index + 1}" if self.policy_type is PolicyType.GRANT else f"statement {self.index + 1}"
        where = ""
        if self.file and self.line:
            where = f" ({self.file}:{self.line}:{self.column})"
        elif self.file:
            where = f" ({self.file})"
        if self.file and self.policy == self.file:
            return f"{type_name or self.policy_type} {what}{where}"  # named after its file: say it once
        return f"{type_name or self.policy_type} {self.policy}, {what}{where}"

    def as_dict(self) -> dict:
        return {
            "policy": self.policy, "policy_type": str(self.policy_type), "sid": self.sid, "index": self.index,
            "file": self.file, "line": self.line, "column": self.column,
        }


@dataclass(slots=True)
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
        example: context values that were tried and give ``outcome`` (the
            answer was decided again with them), or None.
        unchecked: other statements that read the same keys, when no example
            could be tried: they may change the answer too.
    """

    outcome: Outcome
    when: tuple[str, ...]
    refs: tuple[StatementRef, ...]
    example: dict[str, str] | None = None
    unchecked: tuple[StatementRef, ...] = ()


class _Trace(list):
    """Explanation lines as ``(policy_type, template, refs, args)``; the text
    is formatted only when someone reads :attr:`Decision.steps`."""

    __slots__ = ()

    def add(self, policy_type: PolicyType | None, template: str, refs: tuple | list = (), *args) -> None:
        """``refs``: statement refs, or a list of (statement, how) pairs to take them from."""
        self.append((policy_type, template, refs, args))


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
    trace: list = field(default_factory=list, repr=False)
    missing_keys: tuple[str, ...] = ()
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED

    @property
    def steps(self) -> list[Step]:
        """The explanation, one :class:`Step` per policy type looked at."""
        return [
            Step(kind, template.format(*args) if args else template,
                 refs if type(refs) is tuple else tuple([c.ref for c, _ in refs]))
            for kind, template, refs, args in self.trace
        ]

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
                {
                    "decision": str(a.outcome),
                    "when": list(a.when),
                    "statements": [r.as_dict() for r in a.refs],
                    "tried_context": a.example,
                    "unchecked_statements": [r.as_dict() for r in a.unchecked],
                }
                for a in self.alternatives
            ],
        }


# ---------------------------------------------------------------------------
# Compiled statements.


class _Compiled:
    """A statement ready to test against requests."""

    __slots__ = ("stmt", "ref", "allow", "actions", "not_actions", "resources", "not_resources", "clauses", "trust",
                 "_resource_cache", "_principal_cache", "fast", "_var_keys", "_var_cache", "_by_service")

    def __init__(self, stmt: Statement, ref: StatementRef, variables: bool, trust: bool) -> None:
        self.stmt = stmt
        self.ref = ref
        self.allow = stmt.effect == "Allow"
        self.trust = trust
        self.actions = [compile_glob(a, True) for a in stmt.action] if stmt.action is not None else None
        self.not_actions = [compile_glob(a, True) for a in stmt.not_action] if stmt.not_action is not None else None
        # Long Action/NotAction lists (ReadOnlyAccess lists thousands): the
        # patterns by their service prefix, so an action is tried against
        # its service's patterns and those with a wildcard service only.
        listed = stmt.action if stmt.action is not None else stmt.not_action
        globs = self.actions if self.actions is not None else self.not_actions
        self._by_service: dict[str, tuple] | None = None
        if listed is not None and len(listed) > 16:
            by: dict[str, list] = {}
            anywhere: list = []
            for text, g in zip(listed, globs):
                svc, sep, _ = text.partition(":")
                if sep and not has_wildcard(svc):
                    by.setdefault(svc.lower(), []).append(g)
                else:
                    anywhere.append(g)
            self._by_service = {svc: tuple(gs + anywhere) for svc, gs in by.items()}
            self._by_service[""] = tuple(anywhere)
        self.resources = self._patterns(stmt.resource, variables)
        self.not_resources = self._patterns(stmt.not_resource, variables)
        self.clauses = [compile_clause(c, variables) for c in stmt.condition]
        # (key, test) for every clause when all have a fixed test, else None.
        tests = [(cc.key, cc.test) for cc in self.clauses]
        self.fast = tests if all(t is not None for _, t in tests) else None
        # Resource elements without policy variables give the same answer for
        # the same resource; principal elements for the same caller.
        patterns = self.resources or self.not_resources or ()
        fixed = all(isinstance(p, str) for p in patterns)
        self._resource_cache: dict[str, bool] | None = {} if fixed else None
        # With policy variables: the answer is cached per resource and values
        # of the keys the variables read (a key name when one has no value).
        self._var_keys = tuple(sorted({k for p in patterns if not isinstance(p, str) for k in p.keys}))
        self._var_cache: dict[tuple, bool | str] = {}
        self._principal_cache: dict[str, str | None] = {}

    @staticmethod
    def _patterns(values, variables: bool):
        if values is None:
            return None
        return [compile_template(v) if variables and has_variables(v) else v for v in values]

    def action_matches(self, action: str) -> bool:
        """Whether Action (or NotAction) lets ``action`` (lower case) in."""
        globs = self.actions if self.actions is not None else self.not_actions
        if globs is None:
            return False
        if self._by_service is not None:
            svc = action.partition(":")[0]
            globs = self._by_service.get(svc, self._by_service[""])
        hit = any(g.match(action) for g in globs)
        return hit if self.actions is not None else not hit

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
        cache = self._resource_cache
        if cache is None:
            return self._match_with_variables(request)
        if request.resource == "*":
            return self._match_resource(request)  # depends on the caller's account and Region
        hit = cache.get(request.resource)
        if hit is None:
            hit = self._match_resource(request)
            if len(cache) > 4096:
                cache.clear()
            cache[request.resource] = hit
        return hit

    def _match_with_variables(self, request: Request) -> bool:
        """Resource matching with policy variables, cached per resource, caller
        account, Region and values of the keys the variables read (an
        unresolved key is cached as its name).

        Raises:
            Unresolved: a policy variable in the element has no value.
        """
        ctx = request.context
        key = (request.resource, request.caller.account, ctx.get("aws:requestedregion"), tuple([ctx.get(k) for k in self._var_keys]))
        found = self._var_cache.get(key)
        if found is None:
            try:
                found = self._match_resource(request)
            except Unresolved as u:
                found = u.key
            if len(self._var_cache) > 4096:
                self._var_cache.clear()
            self._var_cache[key] = found
        if isinstance(found, str):
            raise Unresolved(found)
        return found

    def _match_resource(self, request: Request) -> bool:
        if self.resources is not None:
            hit = self._resource_hit(self.resources, request)
        elif self.not_resources is not None:
            hit = not self._resource_hit(self.not_resources, request)
        else:
            hit = self.trust
        return hit

    def principal_match(self, caller) -> str | None:
        """How the Principal / NotPrincipal element names ``caller`` (see
        :func:`match_principal`; ``"wildcard"`` for a NotPrincipal that does not
        name it), or None. Cached per caller ARN."""
        key = caller.arn
        cache = self._principal_cache
        if key in cache:
            return cache[key]
        s = self.stmt
        if s.principal is not None:
            how = match_principal(s.principal, caller)
        elif s.not_principal is not None:
            how = None if not_principal_exempts(s.not_principal, caller) else "wildcard"
        else:
            how = None  # a statement without a principal applies to no one
        if len(cache) > 4096:
            cache.clear()
        cache[key] = how
        return how


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
            where = (named.locate, s.path) if named.locate is not None else None
            ref = StatementRef(named.name, kind, s.sid, s.index, named.file, None, None, where)
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
        self._missing_lower: set[str] = set()
        # Statements whose outcome is reversed, to explore alternatives.
        self.flip: set[StatementRef] = flip or set()
        self.needs_key_policy = False

    def _applies(self, c: _Compiled, resource_known: bool = False) -> bool:
        """Whether the statement's resource and conditions hold, with absent
        keys absent; records the missing keys and, when the answer depends on
        them, the statement as uncertain. ``resource_known``: the resource
        is already known to match."""
        req = self.request
        if not resource_known:
            try:
                if not c.resource_matches(req):
                    return False
            except Unresolved as u:
                if u.key.lower() in CALLER_KEYS:
                    return False  # ${aws:username} of a role session: never resolves
                self.note_missing(u.key)
                self.uncertain.setdefault(c.ref, [])
                return False
        ctx = req.context
        for k in c._var_keys:
            if k not in ctx:
                # A variable with a default: the statement used the default,
                # but the key was not given.
                self.note_missing(req.key_names.get(k, k))
        if not c.clauses:
            return True
        result = True
        unsure = None
        for cc in c.clauses:
            if cc._templates:
                for k in cc.missing_keys(ctx):
                    self.note_missing(k)
            if cc.operator is not None and cc.key not in ctx and cc.key in CALLER_KEYS and not (
                    cc.key in _SESSION_UNKNOWN and req.caller.kind == "assumed-role"):
                # Absent for this caller in AWS too: the absent rule, for good.
                if not cc._absent:
                    return False
                continue
            if cc.operator is not None and cc.key not in ctx:
                # Absent key: AWS's answer is the operator's absent rule; the
                # outcome may change once the key is given.
                if unsure is None:
                    unsure = [cc]
                else:
                    unsure.append(cc)
                if cc.key not in self._missing_lower:
                    self._missing_lower.add(cc.key)
                    self.missing.append(cc.clause.key)
                if cc._templates:
                    for k in cc.missing_keys(ctx):
                        self.note_missing(k)
                if not cc._absent:
                    result = False
                continue
            lenient = cc.evaluate(ctx, strict=False)
            if lenient is None:
                if unsure is None:
                    unsure = [cc]
                else:
                    unsure.append(cc)
                for k in cc.missing_keys(ctx):
                    self.note_missing(k)
                if not cc.evaluate(ctx, strict=True):
                    result = False
            elif not lenient:
                return False  # false whatever the missing keys are
        if unsure:
            self.uncertain[c.ref] = unsure
        return result

    def note_missing(self, key: str) -> None:
        low = key.lower()
        if low not in self._missing_lower:
            self._missing_lower.add(low)
            self.missing.append(key)


# Slots of a plan: identity, resource, boundary, session, then one per SCP
# level and one per RCP level.
_SLOT_IDENTITY, _SLOT_RESOURCE, _SLOT_BOUNDARY, _SLOT_SESSION, _SLOT_SCP0 = 0, 1, 2, 3, 4


def _evaluate(ev: _Eval, entries: list, nslots: int):
    """Evaluate the statements of a request's shape (see :meth:`Authorizer._shape`).

    Returns:
        (allows, denies): per slot, the allowing statements with how their
        Principal names the caller; the applying Deny statements as (slot, statement).
    """
    allows: list[list] = [[] for _ in range(nslots)]
    denies: list = []
    ctx = ev.request.context
    flip = ev.flip
    for slot, c, how, known, fast in entries:
        ok = None
        if fast is not None:
            # Resource known to match; every key present: decide here; otherwise the full path notes
            # the missing keys.
            ok = True
            for key, test in fast:
                values = ctx.get(key)
                if not values:
                    ok = None
                    break
                if not test(values):
                    ok = False
                    break
        if ok is None:
            ok = ev._applies(c, known)
        if flip and c.ref in flip:
            ok = not ok
        if ok:
            if c.allow:
                allows[slot].append((c, how))
            else:
                denies.append((slot, c))
    return allows, denies


def _keys_of(items: list) -> set[str]:
    """Context keys (lower case) that uncertain clauses read."""
    out: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            out.add(item.key)
            out.update(k for t in (item._templates or ()) if not isinstance(t, str) for k in t.keys)
    return out


# Operators for which the first policy value is a request value that makes
# the clause hold.
_EXAMPLE_OPERATORS = frozenset(("StringEquals", "StringEqualsIgnoreCase", "StringLike", "Bool", "ArnEquals", "ArnLike",
                                "NumericEquals", "DateEquals", "IpAddress", "BinaryEquals"))


def _example(items: list) -> dict[str, str] | None:
    """Context values that make every uncertain clause hold, when the clauses
    are simple enough to pick one (a positive operator, a policy value without
    variables; ``*`` and ``?`` of a pattern filled in); else None."""
    out: dict[str, str] = {}
    for item in items:
        if isinstance(item, str):
            return None
        op = item.operator
        if op is None or op.base not in _EXAMPLE_OPERATORS or op.set_qualifier == "ForAllValues" or item._templates:
            return None
        value = item.clause.values[0] if item.clause.values else None
        if value is None:
            return None
        if "Like" in op.base:
            value = value.replace("*", "").replace("?", "a")  # a text the pattern matches
        if op.base == "IpAddress":
            value = value.split("/", 1)[0]
        if item.clause.key in out and out[item.clause.key] != value:
            return None
        out[item.clause.key] = value
    return out or None


def _with_context(request: Request, extra: dict[str, str]) -> Request:
    """``request`` with more context values (one each)."""
    context = dict(request.context)
    for k, v in extra.items():
        context[k.lower()] = (v,)
    names = dict(request.key_names)
    for k in extra:
        names.setdefault(k.lower(), k)
    return Request(request.caller, request.action, request.resource, context, names, request.aws_managed_key)


def _describe(items: list, applies: bool) -> tuple[str, ...]:
    """Readable conditions for an alternative: what must hold (when the
    statement does not apply now) or what must not (when it does)."""
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(f"not ({item})" if applies else item)
        else:
            out.append(describe_clause(item.clause, negate=applies))
    return tuple(out) or ("the policy variables it uses have values",)


class Authorizer:
    """A :class:`PolicySet` prepared for many requests.

    Bad statements do not raise: a statement that cannot apply simply does
    not (an unknown condition operator never holds, as IAM would have
    refused the policy).
    """

    def __init__(self, policies: PolicySet, prepared: dict | None = None, caller_side: dict | None = None) -> None:
        """Args:
            policies: the policy set.
            prepared: a dict to share compiled policies between authorizers
                (many callers over one snapshot share their managed policies,
                SCPs and key policies); compiled statements hold no request state.
            caller_side: a dict to share the caller's side (identity-based
                policies, boundary, session policy, SCPs, and their statements
                per action) between authorizers of one caller and different
                resources. The caller must pass it only with policy sets whose
                caller side is the same.
        """
        self.policies = policies

        def prep(p: NamedPolicy, kind: PolicyType) -> _PreparedPolicy:
            if prepared is None:
                return _PreparedPolicy(p, kind)
            hit = prepared.get((id(p), kind))
            if hit is None or hit.named is not p:
                hit = prepared[(id(p), kind)] = _PreparedPolicy(p, kind)
            return hit

        side = caller_side if caller_side is not None else {}
        if "identity" not in side:
            side["identity"] = [prep(p, PolicyType.IDENTITY) for p in policies.identity]
            side["boundary"] = prep(policies.boundary, PolicyType.BOUNDARY) if policies.boundary else None
            side["session"] = prep(policies.session, PolicyType.SESSION) if policies.session else None
            side["scps"] = [[prep(p, PolicyType.SCP) for p in level] for level in policies.scps]
            side["plans"] = {}
        self.identity = side["identity"]
        self.resource = prep(policies.resource, PolicyType.RESOURCE) if policies.resource else None
        self.boundary = side["boundary"]
        self.session = side["session"]
        self.scps = side["scps"]
        #: action -> (identity entries, boundary/session/SCP entries) of the plan
        self._caller_plans: dict[str, tuple[list, list]] = side["plans"]
        self.rcps = [[prep(p, PolicyType.RCP) for p in level] for level in policies.rcps]
        self.grants = list(policies.grants)
        self.is_trust = self.resource is not None and self.resource.named.document.kind is PolicyKind.TRUST
        self._plans: dict[str, list] = {}
        self._shapes: dict[tuple, list] = {}
        self._nslots = _SLOT_SCP0 + len(self.scps) + len(self.rcps)
        # Policy type of each slot, and the order in which explicit denies are reported.
        self._slot_types = [_IDENTITY, _RESOURCE, _BOUNDARY, _SESSION] + [_SCP] * len(self.scps) + [_RCP] * len(self.rcps)

    def _plan(self, action: str) -> list:
        """The statements whose Action/NotAction match ``action`` (lower case),
        as ``(slot, statement, with_principal)`` entries (see :func:`_evaluate`).
        Cached per action."""
        plan = self._plans.get(action)
        if plan is None:
            head = self._caller_plans.get(action)
            if head is None:
                ident = [(_SLOT_IDENTITY, c, False) for p in self.identity for c in p.candidates(action)]
                rest = []
                if self.boundary:
                    rest += [(_SLOT_BOUNDARY, c, False) for c in self.boundary.candidates(action)]
                if self.session:
                    rest += [(_SLOT_SESSION, c, False) for c in self.session.candidates(action)]
                for n, level in enumerate(self.scps):
                    rest += [(_SLOT_SCP0 + n, c, False) for p in level for c in p.candidates(action)]
                if len(self._caller_plans) > 8192:
                    self._caller_plans.clear()
                head = self._caller_plans[action] = (ident, rest)
            plan = list(head[0])
            if self.resource:
                plan += [(_SLOT_RESOURCE, c, True) for c in self.resource.candidates(action)]
            plan += head[1]
            first_rcp = _SLOT_SCP0 + len(self.scps)
            for n, level in enumerate(self.rcps):
                plan += [(first_rcp + n, c, True) for p in level for c in p.candidates(action)]
            if len(self._plans) > 8192:
                self._plans.clear()
            self._plans[action] = plan
        return plan

    def _shape(self, req: Request, has_identity: bool, use_resource_policy: bool, scps_apply: bool, rcps_apply: bool) -> list:
        """The statements that can take part in requests of this caller, action
        and resource, with what does not depend on the request context worked
        out once: ``(slot, statement, how the Principal names the caller,
        resource known to match, and its fast condition tests when it is)``. Statements whose
        Principal or fixed Resource rule them out are left out. Cached."""
        key = (req.action_lower, req.resource, req.caller.arn, has_identity, use_resource_policy, scps_apply, rcps_apply)
        shape = self._shapes.get(key)
        if shape is not None:
            return shape
        active = (has_identity, use_resource_policy, has_identity, has_identity) + (scps_apply,) * len(self.scps) + (rcps_apply,) * len(self.rcps)
        shape = []
        caller = req.caller
        for slot, c, with_principal in self._plan(req.action_lower):
            if not active[slot]:
                continue
            how = None
            if with_principal:
                how = c.principal_match(caller)
                if how is None and not (self.boundary is not None and c.stmt.not_principal is not None and not c.allow):
                    continue
                if how is None:
                    # A NotPrincipal Deny always denies a principal that has a
                    # permissions boundary (IAM User Guide, *NotPrincipal*).
                    how = "wildcard"
            known = False
            if c._resource_cache is not None and req.resource != "*":
                if not c.resource_matches(req):
                    continue
                known = True
            shape.append((slot, c, how, known, c.fast if known else None))
        if len(self._shapes) > 16384:
            self._shapes.clear()
        self._shapes[key] = shape
        return shape

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
            if other.outcome == decision.outcome:
                continue
            applies = self._applies_now(ref, request)
            alt = Alternative(other.outcome, _describe(items, applies), (ref,))
            keys = _keys_of(items)
            sharing = tuple(r for r, its in ev.uncertain.items() if r != ref and keys & _keys_of(its))
            if sharing:
                # Other statements read the same keys: flipping this one alone
                # may not be what any value of them does. Try a value.
                example = None if applies else _example(items)
                if example is None:
                    alt.unchecked = sharing
                else:
                    tried = self._decide(_Eval(_with_context(request, example)))
                    if tried.outcome == decision.outcome:
                        continue  # the other statements undo it
                    refs = tuple(dict.fromkeys((ref,) + tried.determining))
                    alt = Alternative(tried.outcome, alt.when, refs, example)
            decision.alternatives.append(alt)
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
        kind_ = caller.kind
        steps = _Trace()
        is_service = kind_ == "service"
        # Service principals, anonymous callers and web identity / SAML users
        # (before they assume a role) have no identity-based policies.
        has_identity = kind_ not in _NO_IDENTITY
        res_account = req.resource_account
        same_account = res_account is None or res_account == caller.account
        res_arn = req.resource_arn
        is_kms_key = req.service == "kms" and res_arn is not None and res_arn.resource.startswith("key/")
        strict_resource = is_kms_key or self.is_trust
        # SCPs do not restrict service-linked roles (AWS Organizations User
        # Guide, *Service control policies*, "Tasks and entities not restricted by SCPs").
        scps_apply = has_identity and bool(self.scps) and ":role/aws-service-role/" not in (caller.role_arn or "")
        retire = is_kms_key and req.action_lower == "kms:retiregrant"
        # RCPs do not apply to AWS managed keys, to service principals, nor to
        # kms:RetireGrant (KMS Developer Guide, *Resource control policies in
        # AWS KMS*), nor to services that do not support them.
        rcps_apply = (bool(self.rcps) and not req.aws_managed_key and not is_service and not retire
                      and req.service in RCP_SERVICES)
        own = self.policies.resource_arn
        use_resource_policy = self.resource is not None and req.resource != "*" and (own is None or own == req.resource)
        action = req.action

        if req.action_lower == "sts:getcalleridentity":
            # AWS STS API Reference, *GetCallerIdentity*: no permission is
            # needed, and a policy that denies it does not stop the call.
            steps.add(None, "sts:GetCallerIdentity needs no permission, and no policy can deny it")
            return Decision(_ALLOWED, None, (), steps)
        if kind_ == "root" and req.action_lower.startswith("sts:assumerole"):
            # AWS STS API Reference, *AssumeRole*: the root user cannot assume roles.
            steps.add(None, "the account root user cannot assume roles (AWS answers: Roles may not be assumed by root accounts)")
            return Decision(_IMPLICIT_DENY, _RESOURCE, (), steps)
        nscp = len(self.scps)
        allows, denies = _evaluate(ev, self._shape(req, has_identity, use_resource_policy, scps_apply, rcps_apply), self._nslots)
        id_allows, rb_allows, b_allows, s_allows = allows[0], allows[1], allows[2], allows[3]
        scp_levels = allows[_SLOT_SCP0:_SLOT_SCP0 + nscp] if scps_apply else ()
        rcp_levels = allows[_SLOT_SCP0 + nscp:] if rcps_apply else ()

        # 1. An explicit deny anywhere wins.
        if denies:
            types = self._slot_types
            denies.sort(key=lambda d: _DENY_ORDER[types[d[0]]])
            first = types[denies[0][0]]
            refs = tuple([c.ref for _, c in denies])
            steps.add(first, "explicit deny: a Deny statement applies", refs)
            return Decision(_EXPLICIT_DENY, first, refs, steps)

        # 2. RCPs, then SCPs: every level must allow.
        for levels, prepared, kind in ((rcp_levels, self.rcps, _RCP), (scp_levels, self.scps, _SCP)):
            for n, level_allows in enumerate(levels, 1):
                if not level_allows:
                    names = ", ".join(p.named.name for p in prepared[n - 1])
                    steps.add(kind, "level {} ({}) does not allow {}: implicit deny (a level allows only what one of "
                              "its policies allows, such as {})", (), n, names, action,
                              "RCPFullAWSAccess" if kind is _RCP else "FullAWSAccess")
                    return Decision(_IMPLICIT_DENY, kind, (), steps)
                steps.add(kind, "level {} allows", level_allows[:3], n)

        # 3. Identity-based policies, limited by the boundary and the session policy.
        identity_ok = bool(id_allows) or kind_ == "root"
        boundary_ok = self.boundary is None or bool(b_allows) or not has_identity
        # A GetFederationToken session without a session policy has no
        # identity-based permissions (IAM User Guide, *Permissions for
        # GetFederationToken*).
        if kind_ == "federated-user" and self.session is None:
            session_ok = False
        else:
            session_ok = self.session is None or bool(s_allows) or not has_identity
        identity_path = has_identity and identity_ok and boundary_ok and session_ok
        id_refs = tuple([c.ref for c, _ in id_allows])
        if has_identity:
            if id_allows:
                steps.add(_IDENTITY, "allows {}", id_refs, action)
            elif kind_ == "root":
                steps.add(_IDENTITY, "the account root user has every permission its account's policies can give")
            elif self.identity:
                steps.add(_IDENTITY, "no identity-based policy allows {}", (), action)
            else:
                steps.add(_IDENTITY, "no identity-based policy given")
            if self.boundary is not None:
                if b_allows:
                    steps.add(_BOUNDARY, "allows", b_allows)
                else:
                    steps.add(_BOUNDARY, "does not allow {}", (), action)
            if self.session is not None:
                if s_allows:
                    steps.add(_SESSION, "allows", s_allows)
                else:
                    steps.add(_SESSION, "does not allow {}", (), action)

        if retire:
            return self._decide_retire(ev, steps, identity_path, bool(id_allows or rb_allows))

        # 4. The resource-based policy.
        rb_kinds = {how for _, how in rb_allows} if rb_allows else _NO_KINDS
        named_refs = tuple([c.ref for c, how in rb_allows if how != "account"])
        account_refs = tuple([c.ref for c, how in rb_allows if how == "account"])
        if use_resource_policy:
            if account_refs:
                steps.add(_RESOURCE, "allows the caller's account: identity-based policies decide", account_refs)
            if named_refs:
                steps.add(_RESOURCE, "names the caller for {}", named_refs, action)
            if not rb_allows:
                steps.add(_RESOURCE, "no statement allows {} to the caller (none names it or its account, or their "
                          "conditions do not hold)", (), action)
        if is_kms_key and not same_account and req.action_lower not in KMS_CROSS_ACCOUNT:
            steps.add(_RESOURCE, "{} cannot be used across accounts: no key policy or grant can give it to another account", (), action)
            return Decision(_IMPLICIT_DENY, _RESOURCE, (), steps)

        allowed_refs: tuple[StatementRef, ...] | None = None
        decided_by: PolicyType | None = None
        if same_account:
            if rb_kinds & _NAMED_DIRECTLY:
                # Named directly (a user, a role session, a service): an implicit
                # deny in a boundary or session policy does not block.
                allowed_refs, decided_by = named_refs, _RESOURCE
            elif rb_kinds & _NAMED_ROLE and boundary_ok and session_ok:
                allowed_refs, decided_by = named_refs, _RESOURCE
            elif identity_path and (not strict_resource or "account" in rb_kinds):
                # For a key or a role, the resource policy statement that
                # trusts the account is part of the reason (the root user has
                # no identity statement at all).
                allowed_refs, decided_by = id_refs + (account_refs if strict_resource else ()), _IDENTITY
            elif identity_path and is_kms_key and self.resource is None:
                ev.needs_key_policy = True
                decided_by = _RESOURCE
                steps.add(_RESOURCE, "no key policy given: identity-based policies count only when the key policy allows "
                          "the caller's account")
        elif rb_allows and (identity_path or not has_identity):
            allowed_refs, decided_by = (named_refs or account_refs) + id_refs, _RESOURCE
        elif rb_allows:
            decided_by = _IDENTITY
            steps.add(_IDENTITY, "across accounts the caller's own identity-based policy must allow too")

        if allowed_refs is None and decided_by is None and has_identity and not (boundary_ok and session_ok) and (
            identity_ok or (same_account and rb_kinds & _NAMED_ROLE)
        ):
            decided_by = _BOUNDARY if not boundary_ok else _SESSION
            if kind_ == "federated-user" and self.session is None:
                steps.add(_SESSION, "a federated user session (GetFederationToken) has no permissions without a session "
                          "policy, except what resource-based policies give its ARN: implicit deny")
            else:
                steps.add(decided_by, "the {} does not allow {}: implicit deny", (), decided_by, action)

        # 5. KMS grants.
        if allowed_refs is None and is_kms_key and self.grants:
            grant_refs = self._grants_allowing(ev, identity_path)
            if grant_refs:
                steps.add(_GRANT, "allows {}", grant_refs, action)
                allowed_refs, decided_by = grant_refs, _GRANT
            else:
                steps.add(_GRANT, "no grant on the key gives the caller {} with its constraints met", (), action)

        if allowed_refs is not None:
            return Decision(_ALLOWED, decided_by, allowed_refs, steps)
        if decided_by is None:
            if strict_resource and id_allows and not rb_allows and self.resource is not None:
                decided_by = _RESOURCE
                steps.add(_RESOURCE, "an identity-based policy allows, but the {} neither names the caller nor allows its "
                          "account, so identity-based policies do not count: implicit deny", (), "key policy" if is_kms_key else "trust policy")
            else:
                # Nothing allows: for a key (or a role) the resource policy is
                # the primary control; otherwise the caller's own policies.
                decided_by = _RESOURCE if (strict_resource and use_resource_policy) or not has_identity else _IDENTITY
                steps.add(None, "implicit deny: no policy allows {} to this caller", (), action)
        return Decision(_IMPLICIT_DENY, decided_by, (), steps)

    def _decide_retire(self, ev: _Eval, steps: _Trace, identity_path: bool, policy_allows: bool) -> Decision:
        """``kms:RetireGrant``: the grant decides who may retire it (KMS
        Developer Guide, *Retiring and revoking grants*): its retiring
        principal, its grantee when it lists the RetireGrant operation, and the
        account where it was created. Where the grant names an account, the
        account's identity-based policies delegate ``kms:RetireGrant`` to its
        users and roles. A ``kms:RetireGrant`` allow in a policy alone retires
        nothing, and in a key policy it has no effect."""
        req = ev.request
        refs = []
        for g in self.grants:
            if not _grant_key_matches(g, req.resource):
                continue
            named = []
            if g.retiring_principal:
                named.append(("retiring principal", _grantee(g.retiring_principal, req)))
            if "retiregrant" in {o.lower() for o in g.operations}:
                named.append(("grantee with the RetireGrant operation", _grantee(g.grantee_principal, req)))
            if g.issuing_account:
                named.append(("account that created it", _grantee(g.issuing_account, req)))
            for role, how in named:
                if how is None or (how == "account" and not identity_path):
                    continue
                ref = StatementRef(g.label, PolicyType.GRANT, g.name, g.index, self.policies.grants_file)
                refs.append(ref)
                via = " (delegated by an identity-based policy)" if how == "account" and req.caller.kind != "root" else ""
                steps.add(_GRANT, "the caller is the {} of {}{}", (ref,), role, g.label, via)
                break
        if refs:
            return Decision(Outcome.ALLOWED, PolicyType.GRANT, tuple(refs), steps)
        text = ("kms:RetireGrant is decided by the grants: no grant on this key names the caller (or, with an "
                "identity-based policy allowing kms:RetireGrant, its account) as retiring principal, as grantee "
                "with the RetireGrant operation, or as the account that created it")
        if policy_allows:
            text += "; a kms:RetireGrant allow in a policy alone retires no grant"
        steps.add(_GRANT, text)
        return Decision(Outcome.IMPLICIT_DENY, PolicyType.GRANT, (), steps)

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
            ok = _constraints_hold(g, req, ev, ref) and _passes_on(g, req, op)
            if ref in ev.flip:
                ok = not ok
            if ok:
                refs.append(ref)
        return tuple(refs)


def _grant_key_matches(g: Grant, resource: str) -> bool:
    """A grant is for exactly one key: by ARN when ListGrants gives one (the
    related multi-Region keys in other Regions have their own grants), by key
    ID otherwise (KMS Developer Guide, *Grants in AWS KMS*)."""
    if not g.key_id:
        return True
    if g.key_id.startswith("arn:"):
        return g.key_id == resource
    arn = parse_arn(resource)
    return arn is not None and arn.resource == f"key/{g.key_id.rsplit('/', 1)[-1]}"


def _grantee(grantee: str, req: Request) -> str | None:
    if grantee.endswith(".amazonaws.com"):
        return "service" if req.caller.kind == "service" and req.caller.arn == grantee else None
    return match_principal(Principal(aws=(grantee,)), req.caller)


def _passes_on(g: Grant, req: Request, op: str) -> bool:
    """A principal that has CreateGrant from a grant can create grants only
    for operations that grant allows (KMS Developer Guide, *Grants in AWS
    KMS*, "CreateGrant"). The requested operations are the request's
    ``kms:GrantOperations`` values; when they are not given, nothing limits."""
    if op != "creategrant":
        return True
    wanted = req.context.get("kms:grantoperations")
    if not wanted:
        return True
    allowed = {o.lower() for o in g.operations}
    return all(w.lower() in allowed for w in wanted)


#: Grant operations that take an encryption context: the only ones grant
#: constraints apply to (with a symmetric encryption key).
_EC_OPERATIONS = frozenset((
    "encrypt", "decrypt", "reencryptfrom", "reencryptto", "generatedatakey", "generatedatakeywithoutplaintext",
    "generatedatakeypair", "generatedatakeypairwithoutplaintext",
))


def _constraints_hold(g: Grant, req: Request, ev: _Eval, ref: StatementRef) -> bool:
    """Encryption-context constraints against the request's encryption context,
    given as ``kms:EncryptionContext:<key>`` context keys.

    Source: KMS API Reference, *GrantConstraints*: constraints apply only to
    cryptographic operations that support an encryption context (operations
    with a symmetric encryption key), not to DescribeKey, RetireGrant or
    operations with asymmetric keys (``kms:KeySpec`` other than
    ``SYMMETRIC_DEFAULT``, when the request says); in a constraint the key of
    each pair is not case sensitive, the value is.
    """
    c = g.constraints
    if c is None or (c.encryption_context_equals is None and c.encryption_context_subset is None):
        return True
    if req.action_lower.split(":", 1)[1] not in _EC_OPERATIONS:
        return True
    spec = req.context.get("kms:keyspec")
    if spec and spec[0] != "SYMMETRIC_DEFAULT":
        return True
    prefix = "kms:encryptioncontext:"
    given = {k[len(prefix):]: v[0] for k, v in req.context.items() if k.startswith(prefix) and v}
    pairs = c.encryption_context_equals if c.encryption_context_equals is not None else c.encryption_context_subset
    if not given:
        # With no context the constraint fails, but the caller may simply not
        # have said which encryption context the request carries.
        for name in pairs or {}:
            ev.note_missing(f"kms:EncryptionContext:{name}")
        kind = "is exactly" if c.encryption_context_equals is not None else "includes"
        shown = ", ".join(f"{k}={v}" for k, v in (pairs or {}).items())
        ev.uncertain.setdefault(ref, [f"the encryption context {kind} {shown}"])
        return False
    wanted = {k.lower(): v for k, v in (pairs or {}).items()}
    if c.encryption_context_equals is not None:
        return given == wanted
    return all(given.get(k) == v for k, v in wanted.items())


def authorize(request: Request, policies: PolicySet, strict: bool = False) -> Decision:
    """Decide one request (prepares the policies; use :class:`Authorizer` for many)."""
    return Authorizer(policies).authorize(request, strict)
