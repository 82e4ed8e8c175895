"""Policy diff: the access a NEW policy grants that an OLD one did not.

"New access" is what IAM Access Analyzer's *CheckNoNewAccess* API (IAM Access
Analyzer API Reference) checks: whether an updated policy allows access the
existing policy does not (result PASS when it allows none, FAIL when it
may); for an identity-based policy the access of its principal, for a
resource-based policy also who the principals are. policylint answers the
same question offline, and every answer comes from its evaluator
(:class:`~policylint.evaluate.authorize.Authorizer`, which decides requests
as the IAM User Guide's *Policy evaluation logic* says): the policies are
never compared as text.

Method: a finite set of *probe* requests that can tell the two policies
apart, each decided with OLD and with NEW (AWS's answer, absent keys absent).
A probe NEW allows and OLD does not is new access. The probes are every
combination of:

* actions: every catalog action an Action pattern of either policy matches;
  every action of each service either policy names (in Action, NotAction,
  Resource or NotResource), so NotAction and ``*`` are covered where the
  patterns differ; and, when a policy reaches services neither names
  (``*``, NotAction), one action standing for each such service (no pattern
  tells its actions apart). Only actions some Allow statement of NEW
  matches are asked: NEW denies the others;
* resources: for each action, an ARN of each of its resource types (from the
  Service Authorization Reference, ids filled with ``other9``: outside every
  pattern that names a resource; in us-east-1 and the policies' account, and,
  when conditions read ``aws:RequestedRegion`` or ``aws:ResourceAccount``,
  in each Region or account they name and one they do not), ``*`` when the
  action needs no resource, and every Resource/NotResource pattern of either
  policy made concrete twice: ``*`` filled with ``other9`` and with nothing
  (``a?*`` and ``a*`` differ on ``a``), ``?`` with ``x``, a wildcard account
  with digits, a wildcard Region with ``zz-other-1`` (kept only as an ARN
  of one of the action's resource types, a path added when that makes one),
  a wildcard partition
  as ``aws`` and, for identity-based policies, ``aws-us-gov`` (asked by a
  caller of that partition); patterns with policy variables resolved for
  each probe principal first;
* principals (resource-based policies): the probe principals of
  :func:`policylint.evaluate.probes.probe_principals` (shared with
  ``policylint assert``): each principal either policy names, one of each
  type (root user, IAM user, role session, federated user) of each account
  they name, of the policy's own account and of one they do not name, the
  principals ``aws:PrincipalArn``/``aws:PrincipalAccount``/``kms:CallerAccount``
  and ``aws:username`` conditions name, anonymous callers; the root user is
  not asked about ``sts:AssumeRole*``. The policy's own account is never
  taken from its principals (a trust policy naming another account's root
  is a cross-account trust): it is the one account a key policy delegates to
  (an Allow of ``kms:PutKeyPolicy`` to an account root, as PL305 infers a
  key's account), else the account a Resource ARN names, else an account
  neither policy names. A caller of another account than the resource's is
  given an identity-based policy and a session policy that allow everything
  (what its own account may grant: across accounts both must allow); a
  caller of the resource's account is decided with the resource-based policy
  alone, and then also with such policies (a removed Deny, a key policy's
  delegation: new access labelled "if its IAM policies allow it"); a
  resource ARN without an account, such as an S3 object's, is the policy's
  account's. When only some types of an account's principals gain a group's
  access while others asked the same request do not, the group names them
  (``NewAccess.principal_kinds``).
  Identity-based policies are held by an IAM user of the resource's account,
  and also by a role session when a condition or a variable reads a key that
  tells them apart; the principals the conditions name in that account are
  asked too. A KMS key is given the default key policy (delegation to the
  account);
* identity values: each probe principal carries ``aws:userid`` and a value
  per principal tag a policy variable reads
  (:func:`policylint.evaluate.probes.identity_values`), so that
  ``${aws:username}``, ``${aws:userid}`` and ``${aws:PrincipalTag/team}``
  resolve to different texts;
* request contexts: no key; each condition key alone with each sample value
  (each policy value; ``Like`` patterns filled with ``other9``, with nothing
  and, for values with colons, across a colon; values with policy variables
  as a user and a role session of the account resolve them; a case variant
  of string values; numbers one above and below; dates one second before
  and after; the first and last address of a CIDR and the addresses just
  outside it; a value matching none, except for Bool keys);
  ``aws:ViaAWSService`` is false unless a sample sets it (it is in every
  request), ``aws:FederatedProvider`` is given to role sessions only, and
  ``aws:RequestedRegion`` to requests for resources without a Region (not
  to global services, whose requests carry their endpoint's Region);
  for keys under ``ForAllValues``/``ForAnyValue``, several values (a known
  value with an unknown one, two known ones); for each statement with
  conditions, values that satisfy all its clauses, then each of its own keys
  changed to each of its samples (a weaker condition is found where the
  stronger one's values are not met), a multivalued key also to its mixed
  values; the same again with values that keep each conditional Deny from
  applying (one of its clauses made false); then those values with keys of other
  statements that can change the answer (Deny statements, clauses that may
  hold without their key), up to 2000 contexts.

Keys AWS derives from the caller and the resource (``aws:PrincipalArn``,
``aws:ResourceAccount``, ...; not ``aws:userid``, which the evaluator does
not derive and is sampled) are never set by hand: they vary with the
probe's principal and resource, so that no probe is an impossible request.

Limits: wildcards are filled a few ways only, so two patterns that overlap
only in texts the fillers never make (``*a*`` against ``*b*``) may hide a
difference; only the sample values above are tried for condition keys; a
StringLike ``*`` spanning ARN fields is tried only for ``aws:PrincipalArn``
and for values with colons; the principal tags a variable reads get one
value each (never absent, never equal to the user name). What was not compared at all makes the result ``INCOMPLETE``, never
``PASS`` (``DiffResult.gaps``): the context limit reached, a principal that
cannot be built as a caller (a placeholder such as ``${var.partner}``, a
wildcard ARN).
"""

from __future__ import annotations

import ipaddress
import re
from itertools import product
from types import SimpleNamespace
from dataclasses import dataclass, field

from policylint import catalog
from policylint.evaluate.arn import arn_like, parse_arn
from policylint.evaluate.authorize import Authorizer, Outcome, StatementRef
from policylint.evaluate.conditions import describe_clause, format_date, parse_date, parse_number
from policylint.evaluate.inputs import InputError, read_policies
from policylint.evaluate.match import matched_catalog_actions
from policylint.evaluate.policyset import NamedPolicy, PolicySet, PolicyType
from policylint.evaluate.probes import (MEMBER_KINDS, PRINCIPAL_KEYS, Probe, account_members, fill_account,
                                        identity_values, outsider_account, probe_principals, variable_keys)
from policylint.evaluate.request import CALLER_KEYS, GLOBAL_SERVICES, Request, derived_keys
from policylint.evaluate.variables import Unresolved, compile_template
from policylint.model.policy import PolicyKind, Statement
from policylint.model.validate import build_policy
from policylint.parse.operators import OperatorError, parse_operator
from policylint.wildcard import compile_glob, has_wildcard

__all__ = ["DiffResult", "NewAccess", "diff_policies", "read_diff_policy", "FILLER"]

#: What a ``*`` of a pattern is filled with (``?``: ``x``).
FILLER = "other9"
_REGION_FILLER = "zz-other-1"
_NONE_VALUE = "policylint-matches-none"
_DEFAULT_ACCOUNT = "111122223333"
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_MAX_CONTEXTS = 2000
_NO_ARN = parse_arn("arn:aws:none:::none")

#: Context keys AWS sets from the caller or the resource (IAM User Guide,
#: *AWS global condition context keys*): set by the probe, never by hand.
#: aws:FederatedProvider is sampled instead (role sessions may carry it).
_DERIVED = (CALLER_KEYS - {"aws:federatedprovider"}) | {"aws:resourceaccount", "aws:requestedregion"}
#: Actions only a web identity or SAML user calls (unsigned requests).
_FEDERATED_ONLY = frozenset(("sts:assumerolewithwebidentity", "sts:assumerolewithsaml"))


@dataclass
class NewAccess:
    """One group of new access: requests NEW allows and OLD denies, with one
    principal, resource pattern, condition and allowing statements.

    Attributes:
        actions: ``service:Action`` names, sorted (the actions of a service
            that neither policy names stand as ``service:*``, or ``service:*
            (the actions not listed)`` when some were asked one by one).
        resource_patterns: NEW's Resource values that match (``*``; for
            NotResource, ``NotResource a, b``).
        example_resource: one resource ARN (or ``*``) of the group.
        principal: for resource-based policies, who gains access (an ARN, an
            account, a service principal, or ``principal of account ...``); None
            for identity-based policies.
        conditions: NEW's conditions on those requests (readable, all must
            hold); empty: none.
        example_context: the condition keys of one such request (key -> value).
        statements: NEW's statements that allow them.
        old_denied_by: OLD's Deny statements that denied some of these
            requests (a Deny removed or narrowed); empty: OLD denied them
            implicitly.
        principal_kinds: when only some kinds of an account's principals gain
            the access, which (of ``root user``, ``IAM user``, ``role
            session``; also appended to ``principal``); empty: every kind
            (or a principal named as such).
    """

    actions: list[str]
    resource_patterns: tuple[str, ...]
    example_resource: str
    principal: str | None
    conditions: tuple[str, ...]
    example_context: dict[str, str]
    statements: tuple[StatementRef, ...]
    principal_kinds: tuple[str, ...] = ()
    old_denied_by: tuple[StatementRef, ...] = ()

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "actions": list(self.actions),
            "resources": list(self.resource_patterns),
            "example_resource": self.example_resource,
            "principal": self.principal,
            "conditions": list(self.conditions),
            "example_context": dict(self.example_context),
            "statements": [r.as_dict() for r in self.statements],
            "principal_kinds": list(self.principal_kinds),
            "no_longer_denied_by": [r.as_dict() for r in self.old_denied_by],
        }


@dataclass
class DiffResult:
    """What NEW allows that OLD does not.

    Attributes:
        old, new: the two policies.
        kind: ``identity`` or ``resource`` (the probes include principals).
        groups: the new access, grouped (empty: no new access).
        probes: how many requests were decided with each policy.
        notes: what the probes could not cover (limits of the method).
        gaps: what was not compared at all (a search cut short, a principal
            that cannot be built): the result is ``INCOMPLETE``, not ``PASS``.
    """

    old: NamedPolicy
    new: NamedPolicy
    kind: str
    groups: list[NewAccess] = field(default_factory=list)
    probes: int = 0
    notes: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """False when some requests could not be compared (``gaps``): no new
        access found is then not a PASS."""
        return not self.gaps

    @property
    def result(self) -> str:
        """``FAIL`` (new access), ``INCOMPLETE`` (none found, but some was not
        compared: see ``gaps``) or ``PASS``."""
        return "FAIL" if self.groups else "PASS" if self.complete else "INCOMPLETE"

    @property
    def new_access(self) -> bool:
        """True when NEW allows something OLD does not (CheckNoNewAccess: FAIL)."""
        return bool(self.groups)


# ---------------------------------------------------------------------------
# Reading.


def read_diff_policy(path: str, display: str | None = None) -> NamedPolicy:
    """The one policy of a file, for a diff.

    Args:
        path: the file to read (any file ``policylint lint`` reads).
        display: the name to give it in messages and output (``REV:PATH`` for
            a file read from git), default ``path``.

    Raises:
        InputError: the file cannot be read, holds no policy or more than one,
            or a statement is unusable (message with file, line and column).
    """
    shown = display or path
    try:
        policies = read_policies(path)
    except InputError as e:
        raise InputError(str(e).replace(path, shown)) from None
    if len(policies) != 1:
        raise InputError(f"{shown}: holds {len(policies)} policies; policylint diff compares one policy with one policy")
    p = policies[0]
    return NamedPolicy(shown if p.name == path else p.name, p.document, shown, p.locate)


# ---------------------------------------------------------------------------
# Probes.


def _statements(*policies: NamedPolicy) -> list[Statement]:
    return [s for p in policies for s in p.document.statements]


def _fill(text: str, filler: str) -> str:
    return text.replace("*", filler).replace("?", "x")


def _fill_account(text: str) -> str:
    """A 12-digit account a wildcard account field matches (its text when none can)."""
    found = fill_account(text)
    return found[0] if found else _fill(text, "9")


def _sample_of_pattern(pattern: str, service: str, filler: str = FILLER, partition: str = "aws") -> str | None:
    """An ARN that ``pattern`` matches, for an action of ``service``, with
    the wildcards of its resource part filled (``*`` with ``filler``, which
    may be empty); None when the pattern cannot name a resource of
    ``service``, holds a policy variable, or the fill leaves no resource name."""
    if "${" in pattern or pattern == "*":
        return None
    arn = parse_arn(pattern)
    if arn is None:
        return None
    if has_wildcard(arn.service):
        if not compile_glob(arn.service, True).match(service):
            return None
        svc = service
    elif arn.service.lower() != service:
        return None
    else:
        svc = arn.service
    if has_wildcard(arn.partition):
        if not compile_glob(arn.partition, False).match(partition):
            return None
    elif partition != "aws":
        return None  # (a named partition is sampled as written once)
    else:
        partition = arn.partition
    region = _fill(arn.region, _REGION_FILLER) if has_wildcard(arn.region) else arn.region
    resource = _fill(arn.resource, filler)
    if not resource or resource.endswith(("/", ":")) and not arn.resource.endswith(("/", ":")):
        return None
    return f"arn:{partition}:{svc}:{region}:{_fill_account(arn.account)}:{resource}"


def _sample_of_format(fmt: str, account: str, region: str = "us-east-1") -> str:
    """An ARN of a Service Authorization Reference template (``arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}``)."""
    out = re.sub(r"\$\{Partition\}", "aws", fmt, flags=re.I)
    out = re.sub(r"\$\{Region\}", region, out, flags=re.I)
    out = re.sub(r"\$\{Account(Id)?\}", account, out, flags=re.I)
    return re.sub(r"\$\{[^}]*\}", FILLER, out)


class _Probes:
    """The probe sets of one diff (see the module docstring)."""

    def __init__(self, old: NamedPolicy, new: NamedPolicy, kind: str) -> None:
        self.old, self.new, self.kind = old, new, kind
        stmts = _statements(old, new)
        self.stmts = stmts
        self.notes: list[str] = []
        #: What was not compared: the result is incomplete (never PASS).
        self.gaps: list[str] = []
        self.patterns = sorted({p for s in stmts for p in (s.resource or ()) + (s.not_resource or ()) if p != "*"})
        self.home = self._home_account()
        #: Keys policy variables read that no caller or resource gives: the probes give them values.
        self.variable_keys = {k for k in variable_keys(stmts) if k not in _DERIVED and k != "aws:userid"}
        read = {c.key.lower() for s in stmts for c in s.condition} | variable_keys(stmts)
        #: Whether a condition or a policy variable reads a key that tells principals apart.
        self.caller_sensitive = any(k in _DERIVED or k in ("aws:userid", "aws:federatedprovider") for k in read)
        self.probe_set = probe_principals([old.document.statements, new.document.statements], self.home)
        self.clauses = [(s, c) for s in stmts for c in s.condition]
        # aws:RequestedRegion and aws:ResourceAccount come from the resource:
        # conditions on them make resources of their values, and of others.
        self.regions = ["us-east-1"] + self._derived_values("aws:requestedregion", _REGION_FILLER)
        self.accounts = [self.home] + [a for a in self._derived_values("aws:resourceaccount", outsider_account({self.home}))
                                       if _ACCOUNT.match(a)]
        self._resource_cache: dict[str, list[str]] = {}
        self._resolved: list[str] | None = None

    def _derived_values(self, key: str, other: str) -> list[str]:
        """Values of conditions on ``key`` (patterns filled), then ``other``; none without such conditions."""
        values = [_fill(v, FILLER) for _, c in self.clauses if c.key.lower() == key for v in c.values if "${" not in v]
        return list(dict.fromkeys(values + [other])) if values else []

    def _home_account(self) -> str:
        """The account the policies are about (the resource's account).

        Never taken from a principal: a principal of another account (a
        cross-account trust) is probed as that account's. For a
        resource-based policy, the one account whose root an Allow of
        ``kms:PutKeyPolicy`` names (a key policy's delegation to the key's
        account, as PL305 infers it); else the first account a Resource
        ARN names; else an account neither policy names (unknown)."""
        delegated: set[str] = set()
        named: set[str] = set()
        for s in self.stmts:
            for pr in (s.principal, s.not_principal):
                if pr is None:
                    continue
                for v in pr.aws:
                    acct = v if _ACCOUNT.match(v) else (parse_arn(v).account if parse_arn(v) else "")
                    if _ACCOUNT.match(acct or ""):
                        named.add(acct)
                        if (pr is s.principal and s.effect == "Allow" and (_ACCOUNT.match(v) or v.endswith(":root"))
                                and matched_catalog_actions(s, frozenset(("kms:putkeypolicy",)))):
                            delegated.add(acct)
        if len(delegated) == 1:
            return next(iter(delegated))
        for v in (p for s in self.stmts for p in (s.resource or ()) + (s.not_resource or ())):
            arn = parse_arn(v)
            if arn is not None and _ACCOUNT.match(arn.account):
                return arn.account
        if self.kind != "resource":
            return _DEFAULT_ACCOUNT
        for c in self.stmts:
            for cl in c.condition:
                if cl.key.lower() in PRINCIPAL_KEYS:
                    named.update(v for v in cl.values if _ACCOUNT.match(v))
                    named.update(a.account for a in map(parse_arn, cl.values) if a is not None and a.account)
        for candidate in (_DEFAULT_ACCOUNT, "123456789012", "210987654321"):
            if candidate not in named:
                return candidate
        return outsider_account(named | {"999999999999"})

    # -- actions ------------------------------------------------------------
    def actions(self) -> tuple[list[str], dict[str, str]]:
        """(lower-case catalog actions to ask, action -> the service it stands
        for when it represents a service neither policy names)."""
        named: set[str] = set()
        found: set[str] = set()
        reach_all = False
        for s in self.stmts:
            for p in s.action or ():
                names = catalog.expand_names(p)
                if names is None:
                    reach_all = True
                else:
                    found |= names
                svc = p.partition(":")[0].lower()
                if svc and not has_wildcard(svc):
                    named.add(svc)
            if s.not_action is not None:
                reach_all = True
                for p in s.not_action:
                    svc = p.partition(":")[0].lower()
                    if svc and not has_wildcard(svc):
                        named.add(svc)
                    else:
                        found |= catalog.expand_names(p) or frozenset()
            for p in (s.resource or ()) + (s.not_resource or ()):
                arn = parse_arn(p)
                if arn is not None and not has_wildcard(arn.service):
                    named.add(arn.service.lower())
        unknown = sorted({p for s in self.stmts for p in (s.action or ()) + (s.not_action or ())
                          if catalog.check_action(p) in ("unknown-service", "unknown-action", "malformed")})
        if unknown:
            self.notes.append("not in the catalog, so not compared: " + ", ".join(unknown))
        named &= catalog.services()
        for svc in named:
            found |= catalog.expand_names(f"{svc}:*") or frozenset()
        stands: dict[str, str] = {}
        if reach_all:
            # The actions of a service neither policy names that no pattern
            # with a wildcard service matched: no pattern tells them apart.
            for svc in sorted(catalog.services() - named):
                rest = sorted((catalog.expand_names(f"{svc}:*") or frozenset()) - found)
                if rest:
                    found.add(rest[0])
                    partial = len(rest) < len(catalog.expand_names(f"{svc}:*") or ())
                    stands[rest[0]] = f"{svc}:* (the actions not listed)" if partial else f"{svc}:*"
        # Only what some Allow statement of NEW can allow.
        candidates = frozenset(found)
        allowed: set[str] = set()
        for s in self.new.document.statements:
            if s.effect == "Allow":
                allowed |= matched_catalog_actions(s, candidates)
        return sorted(allowed), stands

    # -- resources ----------------------------------------------------------
    def resources(self, action: str) -> list[str]:
        """Resource samples for one action (cached per action)."""
        hit = self._resource_cache.get(action)
        if hit is not None:
            return hit
        svc = action.split(":", 1)[0]
        info = catalog.action(action)
        out: list[str] = []
        if info is None or not any(rt.required for rt in info.resource_types):
            out.append("*")
        shapes = []
        for rt in info.resource_types if info else ():
            t = catalog.resource_type(svc, rt.name)
            for fmt in t.arn_formats if t else ():
                shapes.append(compile_glob(re.sub(r"\$\{[^}]*\}", "*", fmt), False))
                for account in self.accounts:
                    for region in self.regions:
                        out.append(_sample_of_format(fmt, account, region))

        def fit(pattern: str, sample: str) -> str | None:
            """The sample as an ARN of one of the action's resource types: as
            is, or with a path added (``secret*`` also names objects of
            bucket ``secretother9``); None when it cannot be one (s3:GetObject
            on a bucket ARN is a request AWS never sees)."""
            if not shapes or any(g.match(sample) for g in shapes):
                return sample
            longer = f"{sample}/{FILLER}"
            if any(g.match(longer) for g in shapes) and arn_like(pattern, longer):
                return longer
            return None

        for p in self.patterns:
            for filler in (FILLER, ""):
                # A wildcard partition (arn:*:...) also in another partition,
                # for identity-based policies (a caller of that partition).
                for partition in ("aws", "aws-us-gov") if self.kind == "identity" else ("aws",):
                    sample = _sample_of_pattern(p, svc, filler, partition)
                    if sample is not None and (sample := fit(p, sample)) is not None:
                        out.append(sample)
        for p in self.resolved_patterns():
            for filler in (FILLER, ""):
                sample = _sample_of_pattern(p, svc, filler)
                if sample is not None and (sample := fit(p, sample)) is not None:
                    out.append(sample)
        # ARNs first, so that a group's example names a resource when it can.
        out = sorted(dict.fromkeys(out), key=lambda r: r == "*")
        self._resource_cache[action] = out
        return out

    def resolved_patterns(self) -> list[str]:
        """Resource patterns with policy variables, resolved for each probe
        caller (the values :func:`identity_values` gives it): the resources
        of ``${aws:username}`` and ``${aws:userid}`` are told apart."""
        if self._resolved is None:
            callers = [c for c, _ in account_members(self.home)]
            if self.kind == "resource":
                callers += [p.caller for p in self.probe_set.probes if p.member is None]
            self._resolved = self._resolve(self.patterns, callers)
        return self._resolved

    def resolved_values(self, values) -> list[str]:
        """Condition values with policy variables, resolved for a user and a
        role session of the policies' account (the values
        :func:`identity_values` gives them); values that do not resolve are left out."""
        return self._resolve(values, [c for c, _ in account_members(self.home)])

    def _resolve(self, texts, callers) -> list[str]:
        """Each text with policy variables, resolved for each caller's
        :meth:`variable_contexts` (those that do not resolve left out)."""
        contexts = self.variable_contexts(callers)
        out: list[str] = []
        for text in texts:
            if "${" not in text:
                continue
            t = compile_template(text)
            for ctx in contexts:
                try:
                    out.append(t.resolve(ctx))
                except Unresolved:
                    continue
        return list(dict.fromkeys(out))

    # -- principals ---------------------------------------------------------
    def principals(self) -> list[Probe]:
        """The principals to ask about (resource-based policies): see
        :func:`policylint.evaluate.probes.probe_principals`. A Principal value
        that cannot be a caller makes the result incomplete."""
        found = self.probe_set
        for u in found.unbuildable:
            what = "(a wildcard or placeholder)" if has_wildcard(u.value) or "${" in u.value else "(malformed)"
            self.gaps.append(f"principal {u.value!r} {what} cannot be built as a caller: its access was not compared")
        return found.probes

    def identity_callers(self, account: str, partition: str = "aws") -> list[Probe]:
        """The principals an identity-based policy's holder may be, in
        ``account``: an IAM user and a role session (not the root user: no
        policy is attached to it, and it has every permission its account can
        give), and the principals of that account the conditions name."""
        members = account_members(account, partition)[1:]
        if not self.caller_sensitive:
            members = members[:1]  # nothing reads what tells a user from a role session
        out = [Probe(c, "", account, kind) for c, kind in members]
        out += [Probe(p.caller, "", account) for p in self.probe_set.probes
                if p.account == account and p.member is None and p.caller.partition == partition]
        return out

    def variable_contexts(self, callers) -> list[dict]:
        """The contexts policy variables are resolved from: each caller's
        derived keys and identity values (with and without its principal
        tags: a variable's default is used when the tag is absent)."""
        out = []
        for c in callers:
            derived = {low: v for low, _, v in derived_keys(c, "", None)}
            for identity in self.identity_variants(c):
                out.append({**derived, **identity})
        return out

    def identity_variants(self, caller) -> list[dict]:
        """The identity values a probe caller is asked with: with a value for
        each principal tag a policy variable reads and, when there are such
        tags, without them (``${aws:PrincipalTag/team, 'common'}`` then
        resolves to its default)."""
        full = identity_values(caller, self.variable_keys)
        if not self.variable_keys:
            return [full]
        return [full, {k: v for k, v in full.items() if k not in self.variable_keys}]

    def request_regions(self, resource: str, service: str) -> list[str | None]:
        """Values of ``aws:RequestedRegion`` to give a request: none (the
        resource ARN's Region sets it) unless conditions read the key and the
        resource has no Region (``*``, an S3 bucket): then each Region the
        conditions name and one they do not. A global service's requests
        carry its endpoint's Region (us-east-1 for IAM), which the request
        derives (:data:`policylint.evaluate.request.GLOBAL_SERVICES`)."""
        if len(self.regions) < 2 or service in GLOBAL_SERVICES:
            return [None]  # (a global service's requests carry its endpoint's Region: derived)
        arn = parse_arn(resource)
        if arn is not None and arn.region:
            return [None]
        return list(self.regions)

    # -- contexts -----------------------------------------------------------
    def key_values(self) -> dict[str, tuple[str, list[str]]]:
        """lower-case key -> (spelling, sample values) for every condition key
        that is not derived from the caller or the resource."""
        out: dict[str, tuple[str, list[str]]] = {}
        for _, c in self.clauses:
            low = c.key.lower()
            if low in _DERIVED:
                continue
            name, values = out.setdefault(low, (c.key, []))
            values.extend(_samples(c))
            if any("${" in v for v in c.values):
                # Values with policy variables: as the probe principals resolve them.
                values.extend(_samples(SimpleNamespace(operator=c.operator, values=self.resolved_values(c.values))))
        boolean = {c.key.lower() for _, c in self.clauses if c.operator.split(":")[-1].lower().startswith("bool")}
        other = {c.key.lower() for _, c in self.clauses if not c.operator.split(":")[-1].lower().startswith("bool")}
        for low, (name, values) in out.items():
            if not (low in boolean and low not in other):
                values.append(_NONE_VALUE)  # (a Bool key holds true or false, nothing else)
            out[low] = (name, list(dict.fromkeys(values)))
        return out

    def contexts(self) -> list[dict[str, str]]:
        """The request contexts to try (key spelling -> one value).

        First (always all tried): no key, each key alone with each sample,
        and per statement the values that satisfy it with each of its own
        keys changed in turn (what finds new access in that statement).
        Then combinations of a statement's values with keys of other
        statements that can change the answer there: keys of Deny
        statements and of clauses that may hold without the key (negated
        operators, ``...IfExists``, ``Null``); up to a limit, past which
        the result is incomplete."""
        kv = self.key_values()
        first: list[dict] = [{}]
        for low, (name, values) in kv.items():
            first += [{name: v} for v in values]
        # Multivalued keys (ForAllValues/ForAnyValue): a known value with an
        # unknown one, and two known ones.
        for _, c in self.clauses:
            low = c.key.lower()
            if low not in kv or not c.operator.lower().startswith(("forallvalues:", "foranyvalue:")):
                continue
            name, values = kv[low]
            known = [v for v in values if v != _NONE_VALUE]
            first += [{name: (v, _NONE_VALUE)} for v in known]
            if len(known) > 1:
                first.append({name: tuple(known[:2])})
        multivalued: dict[str, list[tuple]] = {}
        for _, c in self.clauses:
            low = c.key.lower()
            if low in kv and c.operator.lower().startswith(("forallvalues:", "foranyvalue:")):
                known = [v for v in kv[low][1] if v != _NONE_VALUE]
                multivalued[low] = [(v, _NONE_VALUE) for v in known] + ([tuple(known[:2])] if len(known) > 1 else [])
        mixing = {c.key.lower() for s in self.stmts for c in s.condition
                  if s.effect == "Deny" or _may_hold_absent(c)}
        # Values that keep each conditional Deny from applying (one clause
        # made false), so that an Allow's values are also tried past the
        # Denies that guard it (a Deny on aws:SecureTransport false).
        spare: dict[str, str] = {}
        for s in self.stmts:
            if s.effect != "Deny" or not s.condition:
                continue
            for c in s.condition:
                name = kv.get(c.key.lower(), (None,))[0]
                off = _violating(c)
                if name is not None and off is not None and name not in spare:
                    spare[name] = off
                    break
        later: list[dict[str, str]] = []
        for s in self.stmts:
            base: dict[str, str] = {}
            own: set[str] = set()
            for c in s.condition:
                low = c.key.lower()
                if low not in kv:
                    continue
                own.add(low)
                want = _satisfying(c)
                if want is None:
                    continue
                if want == "":
                    base.pop(kv[low][0], None)
                else:
                    base[kv[low][0]] = want
            if not base:
                continue
            bases = [base]
            guarded = {**{k: v for k, v in spare.items() if k.lower() not in own}, **base}
            if guarded != base:
                bases.append(guarded)
            for b in bases:
                first.append(dict(b))
                for low, (name, values) in kv.items():
                    if low in own:
                        first += [{**b, name: v} for v in values]
                        # a multivalued key: a known value with an unknown one, two known ones
                        first += [{**b, name: mv} for mv in multivalued.get(low, ())]
                    elif low in mixing:
                        later += [{**b, name: v} for v in values]
        unique: dict[tuple, dict[str, str]] = {}
        for ctx in first:
            unique.setdefault(_ctx_key(ctx), ctx)
        ctxs = list(unique.values())
        extra: dict[tuple, dict[str, str]] = {}
        for ctx in later:
            k = _ctx_key(ctx)
            if k not in unique:
                extra.setdefault(k, ctx)
        room = max(0, _MAX_CONTEXTS - len(ctxs))
        if len(extra) > room:
            self.gaps.append(f"{len(ctxs) + len(extra)} condition contexts: only {len(ctxs) + room} were tried "
                             "(combinations of conditions of different statements cut short)")
        ctxs += list(extra.values())[:room]
        return ctxs


def _ctx_key(ctx: dict) -> tuple:
    return tuple(sorted((k, v if isinstance(v, tuple) else (v,)) for k, v in ctx.items()))


def _may_hold_absent(c) -> bool:
    """Whether a clause may hold when its key is absent (negated operators,
    ``...IfExists``, ``Null``): then another statement's key can change it."""
    try:
        op = parse_operator(c.operator)
    except OperatorError:
        return True
    return bool(op.negated or op.base == "Null" or op.if_exists or op.set_qualifier == "ForAllValues")



def _number_text(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def _samples(c) -> list[str]:
    """Sample values of one clause's key: its values (Like patterns filled),
    numbers one above and below, a CIDR's first and last address."""
    try:
        op = parse_operator(c.operator)
    except OperatorError:
        return []
    family = op.family
    out: list[str] = []
    for v in c.values:
        if "${" in v:
            continue
        if family == "Bool":
            out += ["true", "false"]
        elif family == "Numeric":
            n = parse_number(v)
            if n is not None:
                out += [_number_text(n - 1), _number_text(n), _number_text(n + 1)]
        elif family == "Date":
            out.append(v)
            t = parse_date(v)
            if t is not None and v.isdigit():
                out += [str(int(v) - 1), str(int(v) + 1)]
            elif t is not None:
                # One second before and after: what DateLessThan/GreaterThan tell apart.
                for near in (t - 1, t + 1):
                    try:
                        out.append(format_date(near))
                    except ValueError:
                        continue  # (9999-12-31T23:59:59Z has no second after it)
        elif family == "IpAddress":
            try:
                net = ipaddress.ip_network(v, strict=False)
            except ValueError:
                continue
            out += [str(net.network_address), str(net.broadcast_address)]
            # Just outside each end: what a gap between two blocks of a list holds.
            for outside in (int(net.network_address) - 1, int(net.broadcast_address) + 1):
                if 0 <= outside < 2 ** net.max_prefixlen:
                    out.append(str(ipaddress.ip_address(outside) if net.version == 4
                                   else ipaddress.IPv6Address(outside)))
        elif op.base == "Null":
            continue
        else:
            out.append(_fill(v, FILLER) if ("Like" in op.base or family == "Arn") else v)
            if "*" in v and ("Like" in op.base or family == "Arn"):
                # ``*`` also matches nothing, and (in StringLike, not in
                # ArnLike's fields) colons.
                out.append(_fill(v, ""))
                if ":" in v:
                    out.append(_fill(v, FILLER + ":x"))
            if "Like" not in op.base and family != "Arn":
                out.append(v + "-" + FILLER)
            if family == "String" and out[-1].swapcase() != out[-1]:
                # A case variant: what only ...IgnoreCase accepts.
                out.append(_fill(v, FILLER).swapcase())
    if family == "IpAddress":
        out.append("192.0.2.77")
    return out


def _violating(c) -> str | None:
    """A value that makes the clause false (its key present); None when none
    is easy to pick."""
    try:
        op = parse_operator(c.operator)
    except OperatorError:
        return None
    values = [v for v in c.values if "${" not in v]
    if not values or op.base == "Null" or op.set_qualifier:
        return None
    v = values[0]
    if op.family == "Bool":
        return "false" if v.strip().lower() == "true" else "true"
    if op.family in ("String", "Arn"):
        return _fill(v, FILLER) if op.negated else _NONE_VALUE
    if op.family == "IpAddress":
        try:
            net = ipaddress.ip_network(v, strict=False)
        except ValueError:
            return None
        return str(net.network_address) if op.negated else ("192.0.2.77" if not net.overlaps(_DOC_NET) else None)
    if op.family == "Numeric" and not op.negated:
        n = parse_number(v)
        if n is None:
            return None
        return _number_text(n + 1) if "Less" in op.base else _number_text(n - 1) if "Greater" in op.base else None
    return None


_DOC_NET = ipaddress.ip_network("192.0.2.0/24")


def _satisfying(c) -> str | None:
    """A value that makes the clause hold; ``""`` for "leave the key absent";
    None when none is easy to pick."""
    try:
        op = parse_operator(c.operator)
    except OperatorError:
        return None
    if op.base == "Null":
        want = (c.values[0].strip().lower() if c.values else "true") == "true"
        return "" if want else FILLER
    values = [v for v in c.values if "${" not in v]
    if not values:
        return None
    if op.negated:
        return _NONE_VALUE if op.family in ("String", "Arn") else None
    v = values[0]
    if op.family == "IpAddress":
        try:
            return str(ipaddress.ip_network(v, strict=False).network_address)
        except ValueError:
            return None
    if op.family in ("String", "Arn"):
        return _fill(v, FILLER)
    if op.family == "Numeric" and op.base != "NumericEquals":
        n = parse_number(v)
        if n is None:
            return None
        return _number_text(n - 1) if "Less" in op.base else _number_text(n + 1) if "Greater" in op.base else v
    if op.family == "Date" and op.base != "DateEquals":
        # DateLessThan 2030-01-01: a second before it (the date itself does not hold).
        t = parse_date(v)
        if t is None:
            return None
        step = -1 if "Less" in op.base else 1 if "Greater" in op.base else 0
        if v.strip().isdigit():
            return str(int(t) + step)
        try:
            return format_date(t + step)
        except ValueError:
            return None
    return v


# ---------------------------------------------------------------------------
# Deciding.


def _document(data: dict, kind: PolicyKind, name: str) -> NamedPolicy:
    doc, problems = build_policy(data, kind)
    assert doc is not None and not problems, problems
    return NamedPolicy(name, doc)


def _allow_everything() -> NamedPolicy:
    """The principal's own identity-based policy in resource-based diffs:
    whatever its account may grant."""
    return _document({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                     PolicyKind.IDENTITY, "(the principal's own policies: allow everything)")


def _default_key_policy(account: str, partition: str = "aws") -> NamedPolicy:
    """The default key policy (KMS Developer Guide, *Default key policy*): IAM
    policies of the key's account count."""
    return _document({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"}, "Action": "kms:*",
        "Resource": "*"}]},
        PolicyKind.RESOURCE, "(default key policy)")


class _Side:
    """One policy prepared for the probes."""

    def __init__(self, policy: NamedPolicy, kind: str) -> None:
        self.policy = policy
        self.kind = kind
        self._auth: dict[str, Authorizer] = {}
        self.ref_type = PolicyType.RESOURCE if kind == "resource" else PolicyType.IDENTITY

    def authorizer(self, account: str) -> Authorizer:
        """The policy's authorizer: for an identity-based policy, with the
        default key policy of ``account``; for a resource-based one, with
        ``account`` ``"cross"``, callers allowed everything by their own
        account (across accounts both sides must allow), else none (within
        the resource's account the resource-based policy alone decides)."""
        hit = self._auth.get(account)
        if hit is None:
            if self.kind == "resource":
                iam = account in ("cross", "same+iam")
                # (a session policy too: a federated user's (GetFederationToken) permissions need one)
                ps = PolicySet(identity=[_allow_everything()] if iam else [], resource=self.policy,
                               session=_allow_everything() if iam else None)
            else:
                partition, _, acct = account.rpartition("/")
                key_policy = _default_key_policy(acct, partition or "aws") if _ACCOUNT.match(acct) else None
                ps = PolicySet(identity=[self.policy], resource=key_policy)
            hit = self._auth[account] = Authorizer(ps)
        return hit

    def decide(self, request: Request, iam: bool = False):
        """The policy's decision; ``iam``: a caller of the resource's account
        whose own IAM policies allow everything (what a key policy's
        delegation to its account lets count)."""
        if self.kind == "resource":
            c, r = request.caller.account, request.resource_account
            account = "cross" if c and r and c != r else "same+iam" if iam else "same"
        else:
            account = request.resource_account or request.caller.account or ""
            if request.caller.partition != "aws":
                account = f"{request.caller.partition}/{account}"
        return self.authorizer(account).authorize(request, strict=True)


_KIND_PLURALS = {"root user": "the root user", "IAM user": "IAM users", "role session": "role sessions",
                 "federated user": "federated users"}
_IAM_NOTE = " (if its IAM policies allow it)"


def _kinds_label(label: str, kinds: tuple[str, ...]) -> str:
    """``account A (if its IAM policies allow it)`` for some kinds of its
    principals: ``IAM users and role sessions of account A (if their IAM
    policies allow it)``."""
    iam = label.endswith(_IAM_NOTE)
    base = label[: -len(_IAM_NOTE)] if iam else label
    base = base.removeprefix("principal of ")
    names = [_KIND_PLURALS.get(k, k) for k in kinds]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    note = (" (if its IAM policies allow it)" if kinds == ("root user",) else " (if their IAM policies allow it)") if iam else ""
    return f"{who} of {base}{note}"


def _resource_account(resource: str, home: str) -> str:
    arn = parse_arn(resource)
    return arn.account if arn is not None and _ACCOUNT.match(arn.account) else home


def _resource_labels(stmt: Statement, resource: str) -> tuple[str, ...]:
    if stmt.resource is not None:
        hits = tuple(p for p in stmt.resource if p == "*" or (resource != "*" and "${" not in p and arn_like(p, resource)))
        return hits or tuple(stmt.resource)
    if stmt.not_resource is not None:
        return ("NotResource " + ", ".join(stmt.not_resource),)
    return ("*",)


def diff_policies(old: NamedPolicy, new: NamedPolicy) -> DiffResult:
    """The access ``new`` grants that ``old`` does not.

    Both must be identity-based (no Principal: identity policies, boundaries,
    session policies) or both resource-based (a key policy, a trust policy, a
    bucket policy). See the module docstring for the probes.

    Returns:
        A :class:`DiffResult`; ``groups`` empty means no new access.

    Raises:
        InputError: one policy is identity-based and the other resource-based,
            or a policy is an SCP or RCP (they allow nothing themselves).
    """
    kinds = []
    for p in (old, new):
        k = p.document.kind
        if k in (PolicyKind.SCP, PolicyKind.RCP):
            raise InputError(f"{p.file or p.name}: a {k} grants no access itself; diff compares identity-based or resource-based policies")
        kinds.append("resource" if k.takes_principal else "identity")
    if kinds[0] != kinds[1]:
        raise InputError(f"{old.file or old.name} is {kinds[0]}-based and {new.file or new.name} is {kinds[1]}-based: "
                         "compare two policies of one kind")
    kind = kinds[0]
    probes = _Probes(old, new, kind)
    actions, stands = probes.actions()
    contexts = probes.contexts()
    old_side, new_side = _Side(old, kind), _Side(new, kind)
    principals = probes.principals() if kind == "resource" else None
    conditional = [s for s in probes.stmts if s.condition]
    result = DiffResult(old, new, kind)
    groups: dict[tuple, NewAccess] = {}
    kinds: dict[tuple, set[str]] = {}
    probed: dict[tuple, set[str]] = {}
    gained: dict[tuple, set[str]] = {}
    in_scope: dict[tuple, set[tuple]] = {}
    by_ref = {(s.index): s for s in new.document.statements}
    count = 0
    for action in actions:
        spelled = stands.get(action) or catalog.spelling(action) or action
        cands = frozenset((action,))
        ctxs = contexts if any(matched_catalog_actions(s, cands) for s in conditional) else [{}]
        for resource in probes.resources(action):
            if principals is not None:
                callers = principals
            else:
                # The policy's holder (a user or a role session) in the
                # resource's account, and the principals its conditions name there.
                arn = parse_arn(resource)
                callers = probes.identity_callers(_resource_account(resource, probes.home),
                                                  arn.partition if arn is not None and arn.partition else "aws")
            for probe in callers:
                caller, label = probe.caller, (probe.label or None)
                if probe.member == MEMBER_KINDS[0] and action.startswith("sts:assumerole"):
                    continue  # the root user cannot assume roles (AWS STS API Reference, AssumeRole)
                if action in _FEDERATED_ONLY and caller.kind not in ("web-identity", "saml"):
                    continue  # unsigned calls: the caller is the provider's user (AWS STS API Reference)
                combos = product(ctxs, probes.identity_variants(caller), probes.request_regions(resource, action.split(":", 1)[0]))
                for n_ctx, (ctx, identity, region) in enumerate(combos):
                    scope = (action, resource, n_ctx, label)
                    set_here = {k.lower() for k in ctx}
                    if "aws:federatedprovider" in set_here and caller.kind != "assumed-role":
                        continue  # only a role session assumed through a provider carries it
                    given = {k: v for k, v in identity.items() if k not in set_here}
                    given.update({k: (v if isinstance(v, tuple) else (v,)) for k, v in ctx.items()})
                    if region:
                        given["aws:RequestedRegion"] = (region,)
                    if "aws:viaawsservice" not in set_here:
                        # Present in every request (IAM User Guide, *AWS global
                        # condition context keys*): false unless a sample says true.
                        given["aws:ViaAWSService"] = ("false",)
                    if kind == "resource" and resource != "*" and not (parse_arn(resource) or _NO_ARN).account:
                        # An ARN without an account (S3): the resource is the policy's account's.
                        given["aws:ResourceAccount"] = (probes.home,)
                    req = Request(caller, action, resource, given)
                    count += 1
                    got = new_side.decide(req)
                    was = old_side.decide(req) if got.outcome is Outcome.ALLOWED else None
                    found = was is not None and was.outcome is not Outcome.ALLOWED
                    same = (kind == "resource" and caller.account is not None
                            and caller.account == req.resource_account)
                    if not found and same:
                        # Within the account, also a caller whose IAM policies
                        # allow it (a Deny removed, a key policy's delegation).
                        got = new_side.decide(req, iam=True)
                        was = old_side.decide(req, iam=True) if got.outcome is Outcome.ALLOWED else None
                        found = was is not None and was.outcome is not Outcome.ALLOWED
                        label_here = f"{label} (if its IAM policies allow it)"
                    else:
                        label_here = label
                    if probe.member:
                        probed.setdefault(scope, set()).add(probe.member)
                    if not found:
                        continue
                    refs = tuple(r for r in got.determining if r.policy_type is new_side.ref_type and r.policy == new.name)
                    stmts = [by_ref[r.index] for r in refs if r.index in by_ref]
                    res_labels = tuple(dict.fromkeys(lbl for s in stmts for lbl in _resource_labels(s, resource))) or ("*",)
                    conds = tuple(dict.fromkeys(describe_clause(c) for s in stmts for c in s.condition))
                    key = (label_here, res_labels, conds, refs)
                    g = groups.get(key)
                    if g is None:
                        used = {c.key.lower() for s in stmts for c in s.condition} | variable_keys(stmts)
                        example = {req.key_names.get(k, k): ", ".join(v) for k, v in req.context.items() if k in used and v}
                        g = groups[key] = NewAccess([], res_labels, resource, label_here, conds, example, refs)
                    if spelled not in g.actions:
                        g.actions.append(spelled)
                    if was.outcome is Outcome.EXPLICIT_DENY:
                        # OLD's Deny statements that no longer deny it.
                        g.old_denied_by = tuple(dict.fromkeys(g.old_denied_by + tuple(
                            r for r in was.determining if r.policy == old.name)))
                    if probe.member:
                        kinds.setdefault(key, set()).add(probe.member)
                        gained.setdefault(scope, set()).add(probe.member)
                        in_scope.setdefault(key, set()).add(scope)
    # A group of an account's principals names the kinds that gain it when
    # another kind asked the same request does not (a condition on
    # aws:PrincipalType, a NotPrincipal; the root user, which has its
    # account's access anyway).
    restricted = {key for key, scopes in in_scope.items() if any(gained[sc] != probed[sc] for sc in scopes)}
    for key, g in groups.items():
        g.actions.sort(key=str.lower)
        if key in restricted:
            g.principal_kinds = tuple(k for k in MEMBER_KINDS if k in kinds[key])
            g.principal = _kinds_label(g.principal, g.principal_kinds) if g.principal else None
    result.groups = sorted(groups.values(), key=lambda g: (g.principal or "", g.resource_patterns, g.conditions, g.actions))
    result.probes = count
    result.notes = probes.notes
    result.gaps = probes.gaps
    return result
