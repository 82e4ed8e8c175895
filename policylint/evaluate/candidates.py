"""Finding which requests may be allowed before asking the evaluator.

The principal graph and its queries would ask the evaluator about every
(caller, action, target) triple of a snapshot: millions on a large account.
Most are denied for a reason visible in the policies' text alone: no Allow
statement of the caller names the action, or none of its Resource patterns
can match the target, and the target's resource-based policy does not name
the caller either. This module finds the candidates from the Action and
Resource patterns (conditions, Deny statements, boundaries and SCPs are
ignored: they can only take permissions away), so the evaluator decides
only requests that could be allowed. A request left out here is implicitly
denied (IAM User Guide, *Policy evaluation logic*: a request is allowed only
by an Allow statement of an identity-based or resource-based policy; KMS
Developer Guide, *Key policies*: a key policy that names only the account
needs an identity-based policy to allow too).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Iterable

from policylint.evaluate.snapshot import SnapshotEvaluator
from policylint.model.policy import PolicyKind
from policylint.model.snapshot import Snapshot
from policylint.wildcard import compile_glob, has_wildcard, literal_head

__all__ = ["Allows", "key_candidates", "resource_naming"]


def key_candidates(evaluator: SnapshotEvaluator, who: str, actions: Iterable[str]) -> list[str]:
    """The snapshot's keys that ``who`` (a user or role ARN) may be allowed one
    of ``actions`` on, found without deciding: keys its identity-based Allow
    statements name (by their Action and Resource patterns), keys whose key
    policy names it, keys with a grant to it. The evaluator decides each
    afterwards; a key left out here cannot be allowed.

    Returns:
        Key ARNs, sorted.
    """
    snap = evaluator.snap
    p = evaluator.principal(who)
    if p is None:
        return []
    keys = sorted(snap.keys)
    allows = Allows(evaluator.identity_policies(p))
    out: set[str] = set()
    lowered = [a.lower() for a in actions]
    for act in lowered:
        if allows.has_action(act):
            out.update(allows.matching(act, keys))
    named, anyone = _keys_naming(evaluator)
    out |= named.get(p.arn, set()) | anyone
    return sorted(out)


def _keys_naming(evaluator: SnapshotEvaluator) -> tuple[dict[str, set[str]], set[str]]:
    """(principal ARN -> keys whose key policy Allow statements or grants name
    it, keys that :func:`resource_naming` says may allow anyone), computed
    once per evaluator."""
    hit = evaluator.__dict__.get("_keys_naming")
    if hit is not None:
        return hit
    named: dict[str, set[str]] = {}
    anyone: set[str] = set()
    for karn in evaluator.snap.keys:
        who, everyone = resource_naming(evaluator, karn)
        if everyone:
            anyone.add(karn)
        for p in who:
            named.setdefault(p, set()).add(karn)
    hit = evaluator.__dict__["_keys_naming"] = (named, anyone)
    return hit


def resource_naming(evaluator: SnapshotEvaluator, resource: str) -> tuple[frozenset[str], bool]:
    """The snapshot's users and roles that the resource-based policy (key
    policy or trust policy) of ``resource`` names in an Allow statement's
    Principal, or a grant of the key names as grantee; and whether it may
    allow others than those and the accounts it names (``Principal: "*"``,
    ``NotPrincipal``, or a principal value that is not a user, role or
    account of the snapshot, such as a session ARN). Cached on the evaluator.

    A caller of the snapshot that is not named and whose own Allow statements
    cannot match the request is implicitly denied: a resource-based policy
    that names only its account needs an identity-based policy to allow too
    (IAM User Guide, *Policy evaluation logic*; KMS Developer Guide,
    *Key policies*).
    """
    cache = evaluator.__dict__.setdefault("_resource_naming", {})
    hit = cache.get(resource)
    if hit is not None:
        return hit
    snap = evaluator.snap
    key, role = snap.keys.get(resource), snap.roles.get(resource)
    named: set[str] = set()
    anyone = False
    if key is not None:
        doc = evaluator.named(key.policy, PolicyKind.RESOURCE)
        for g in key.grants:
            p = evaluator.principal(g.grantee_principal)
            if p is not None:
                named.add(p.arn)
            elif _may_name_a_caller(snap, g.grantee_principal):
                anyone = True
    else:
        doc = evaluator.named(role.trust, PolicyKind.TRUST) if role is not None else None
    for st in doc.document.statements if doc is not None else ():
        if st.effect != "Allow":
            continue
        if st.principal is None:
            anyone = anyone or st.not_principal is not None
            continue
        if st.principal.all:
            anyone = True
        for v in st.principal.aws:
            p = evaluator.principal(v)
            if p is not None:
                named.add(p.arn)
            elif v == "*" or _may_name_a_caller(snap, v):
                anyone = True
    hit = cache[resource] = (frozenset(named), anyone)
    return hit


def _may_name_a_caller(snap: Snapshot, value: str) -> bool:
    """Whether a Principal value that is not a user or role ARN of the
    snapshot may still name one of its callers (a session ARN, a unique ID):
    anything but an account ID, an account root ARN, or an ARN of an account
    outside the snapshot."""
    if value.isdigit() or value.endswith(":root"):
        return False
    if value.startswith("arn:") and value.count(":") >= 5:
        return value.split(":")[4] in snap.accounts
    return True


class PolicyAllows:
    """The Allow statements of one identity-based policy, compiled once and
    shared by every caller that has the policy: (action globs, resource
    globs) pairs, an index of the Action patterns, and answers per action."""

    def __init__(self, policy) -> None:
        self.policy = policy  # kept: the cache that holds this object is keyed by its id
        self.rules: list[tuple[list, list | None]] = []
        for st in policy.document.statements:
            if st.effect != "Allow":
                continue
            if st.action is not None:
                acts = [compile_glob(a, True) for a in st.action]
            else:
                acts = [_ANY_ACTION]  # NotAction: may allow almost anything
            # A policy variable may stand for anything here: "*" over-approximates it.
            res = None if st.resource is None else [compile_glob(_VARIABLE.sub("*", r)) for r in st.resource]
            self.rules.append((acts, res))
        # Action patterns (lower case) by what has_action looks at first:
        # exact names, patterns of one service, patterns whose service part has a wildcard.
        self._exact: set[str] = set()
        self._by_service: dict[str, list[str]] = {}
        self._any_service: list[str] = []
        for acts, _ in self.rules:
            for a in acts:
                pat = a.pattern.lower()
                service, sep, _name = pat.partition(":")
                if not has_wildcard(pat):
                    self._exact.add(pat)
                elif sep and not has_wildcard(service):
                    self._by_service.setdefault(service, []).append(pat)
                else:
                    self._any_service.append(pat)
        self._has: dict[str, bool] = {}
        self._patterns_for: dict[str, frozenset[str] | None] = {}

    def has_action(self, action: str) -> bool:
        hit = self._has.get(action)
        if hit is None:
            hit = action in self._exact
            if not hit:
                same = self._by_service.get(action.partition(":")[0])
                hit = bool(same) and any(_action_glob_matches(p, action) for p in same)
            if not hit and self._any_service:
                hit = any(_action_glob_matches(p, action) for p in self._any_service)
            self._has[action] = hit
        return hit

    def resource_patterns(self, action: str) -> frozenset[str] | None:
        if action in self._patterns_for:
            return self._patterns_for[action]
        out: set[str] | None = set()
        if self.has_action(action):
            for acts, res in self.rules:
                if not any(a.match(action) for a in acts):
                    continue
                if res is None:
                    out = None
                    break
                out.update(g.pattern for g in res)
        hit = self._patterns_for[action] = None if out is None else frozenset(out)
        return hit


class Allows:
    """The Allow statements of a caller's identity-based policies, for
    finding edge candidates (conditions and Deny statements are left to the
    evaluator).

    Args:
        policies: the caller's identity-based policies (``NamedPolicy``).
        shared: a dict shared by every ``Allows`` of one snapshot: each
            policy is compiled once (:class:`PolicyAllows`), and the targets
            a set of Resource patterns matches are found once.
    """

    def __init__(self, policies, shared: dict | None = None) -> None:
        self._shared = shared if shared is not None else {}
        self.parts: list[PolicyAllows] = []
        for p in policies:
            part = self._shared.get(("policy", id(p)))
            if part is None or part.policy is not p:
                part = self._shared[("policy", id(p))] = PolicyAllows(p)
            self.parts.append(part)
        self._has: dict[str, bool] = {}
        self._patterns_for: dict[str, tuple[str, ...] | None] = {}

    @property
    def rules(self) -> list[tuple[list, list | None]]:
        """Every (action globs, resource globs or None for NotResource) pair, in policy order."""
        return [r for part in self.parts for r in part.rules]

    @property
    def signature(self) -> tuple[int, ...]:
        """The policies' identities: callers with the same policies share it."""
        return tuple(id(part) for part in self.parts)

    def has_action(self, action: str) -> bool:
        """Whether some Allow statement's Action patterns match ``action`` (lower case)."""
        hit = self._has.get(action)
        if hit is None:
            hit = self._has[action] = any(part.has_action(action) for part in self.parts)
        return hit

    def resource_patterns(self, action: str) -> tuple[str, ...] | None:
        """The Resource patterns of the Allow statements whose Action matches
        ``action`` (lower case), sorted; None when one of them has NotResource (cached)."""
        if action in self._patterns_for:
            return self._patterns_for[action]
        out: set[str] | None = set()
        for part in self.parts:
            got = part.resource_patterns(action)
            if got is None:
                out = None
                break
            out.update(got)
        hit = self._patterns_for[action] = None if out is None else tuple(sorted(out))
        return hit

    def matching(self, action: str, ordered: list[str]) -> list[str]:
        """The values of the sorted list ``ordered`` (ARNs) that some Allow
        statement naming ``action`` may cover: exact values are looked up,
        patterns searched only where their literal beginning allows (cached
        per set of Resource patterns and list, across callers)."""
        patterns = self.resource_patterns(action) if self.has_action(action) else ()
        if patterns is None:
            return list(ordered)  # NotResource: let the evaluator decide each
        key = (patterns, id(ordered))
        hit = self._shared.get(key)
        if hit is None or hit[0] is not ordered:
            # The list is kept with the answer: while cached, its id cannot be reused.
            out: set[str] = set()
            for pat in patterns:
                out.update(self._pattern_hits(pat, ordered))
            hit = self._shared[key] = (ordered, sorted(out))
        return hit[1]

    def _pattern_hits(self, pattern: str, ordered: list[str]) -> list[str] | tuple[str, ...]:
        key = ("pattern", pattern, id(ordered))
        hit = self._shared.get(key)
        if hit is not None and hit[0] is ordered:
            return hit[1]
        g = compile_glob(pattern)
        if g.literal is not None:
            i = bisect_left(ordered, g.literal)
            found: list[str] | tuple[str, ...] = (g.literal,) if i < len(ordered) and ordered[i] == g.literal else ()
        else:
            head = literal_head(pattern)
            lo = bisect_left(ordered, head)
            hi = bisect_left(ordered, head + "\U0010ffff") if head else len(ordered)
            found = ordered[lo:hi] if g.prefix is not None else [t for t in ordered[lo:hi] if g.match(t)]
        self._shared[key] = (ordered, found)
        return found

    def may(self, action: str, resource: str) -> bool:
        """Whether some Allow statement may cover ``action`` (lower case) on ``resource``."""
        for part in self.parts:
            if not part.has_action(action):
                continue
            for acts, res in part.rules:
                if any(a.match(action) for a in acts) and (res is None or any(r.match(resource) for r in res)):
                    return True
        return False


@lru_cache(maxsize=262144)
def _action_glob_matches(pattern: str, action: str) -> bool:
    """An Action pattern against one lower-case action name (cached: callers share patterns)."""
    return compile_glob(pattern, True).match(action)


_ANY_ACTION = compile_glob("*", True)
_VARIABLE = re.compile(r"\$\{[^}]*\}")
