"""The principal graph of a snapshot, and the questions asked over it.

Nodes are IAM users, groups and roles, KMS keys, accounts (``arn:...:root``)
and service principals. Edges (a :class:`networkx.MultiDiGraph`, attribute
``kind``):

* ``member-of``: a user to its group;
* ``can-assume``: a caller to a role, when the role's trust policy *and* the
  caller's own permissions (identity-based policies, boundary, SCPs) allow
  ``sts:AssumeRole`` (``AssumeRoleWithWebIdentity``/``WithSAML`` for federated
  principals), decided by the evaluator; conditions it cannot decide are kept
  on the edge (``conditions``);
* ``grant``: a grantee to a key, one edge per KMS grant (``passes_on`` when the
  grant includes ``CreateGrant``);
* ``escalation``: a documented privilege-escalation path (``iam:PassRole`` to a
  service that runs code, ``iam:CreatePolicyVersion``,
  ``iam:SetDefaultPolicyVersion``, ``iam:Attach*Policy``, ``iam:Put*Policy``,
  ``iam:UpdateAssumeRolePolicy``, ``iam:CreateAccessKey``,
  ``iam:CreateLoginProfile``/``UpdateLoginProfile``, ``iam:AddUserToGroup``,
  ``kms:PutKeyPolicy``, ``kms:CreateGrant``), each citing the statements that
  allow it. ``gains`` says what the caller gets: ``identity`` (it acts as the
  target), ``any`` (it can give the target any permission), ``group`` (it
  joins the group).

Every edge carries ``label``, ``conditions`` and ``statements``.

Sources: IAM User Guide, *Policy evaluation logic*, *Cross-account policy
evaluation logic*, *Methods to assume a role*, *Grant a user permissions to
pass a role to an AWS service*; KMS Developer Guide, *Grants in AWS KMS*;
the privilege-escalation methods documented by Rhino Security Labs
(*AWS IAM Privilege Escalation – Methods and Mitigation*).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from policylint import catalog
from policylint.evaluate.authorize import Outcome
from policylint.evaluate.candidates import Allows, resource_naming
from policylint.evaluate.snapshot import ALLOW_ALL, InputError, OWN_GRANT, OWN_KEY_POLICY, Answer, SnapshotEvaluator
from policylint.gcpause import paused_gc
from policylint.model.policy import PolicyKind
from policylint.model.snapshot import Snapshot
from policylint.wildcard import compile_glob, has_wildcard

__all__ = ["Hop", "PathAnswer", "PrincipalGraph", "build_graph"]

#: Services that run code as a role passed to them, and the action that
#: starts the code (Rhino Security Labs methods 3-6, 15-18; IAM User Guide,
#: *Grant a user permissions to pass a role to an AWS service*).
CODE_RUNNERS = {
    "lambda.amazonaws.com": "lambda:CreateFunction",
    "ec2.amazonaws.com": "ec2:RunInstances",
    "cloudformation.amazonaws.com": "cloudformation:CreateStack",
    "glue.amazonaws.com": "glue:CreateDevEndpoint",
    "ecs-tasks.amazonaws.com": "ecs:RunTask",
    "codebuild.amazonaws.com": "codebuild:CreateProject",
    "sagemaker.amazonaws.com": "sagemaker:CreateNotebookInstance",
    "datapipeline.amazonaws.com": "datapipeline:CreatePipeline",
}

#: The service principal whose role a code-running action runs.
CODE_RUNNER_OF = {action: service for service, action in CODE_RUNNERS.items()}

#: (action, target type, what the caller gains).
_ESCALATIONS = (
    ("iam:AttachRolePolicy", "role", "any"), ("iam:PutRolePolicy", "role", "any"),
    ("iam:UpdateAssumeRolePolicy", "role", "identity"),
    ("iam:AttachUserPolicy", "user", "any"), ("iam:PutUserPolicy", "user", "any"),
    ("iam:CreateAccessKey", "user", "identity"), ("iam:CreateLoginProfile", "user", "identity"),
    ("iam:UpdateLoginProfile", "user", "identity"),
    ("iam:AttachGroupPolicy", "group", "any"), ("iam:PutGroupPolicy", "group", "any"),
    ("iam:AddUserToGroup", "group", "group"),
    ("iam:CreatePolicyVersion", "policy", "any"), ("iam:SetDefaultPolicyVersion", "policy", "any"),
    ("kms:PutKeyPolicy", "key", "any"), ("kms:CreateGrant", "key", "any"),
)

#: The stand-in caller for ``Principal: "*"`` in who-can: a principal of an
#: account that is in no snapshot (its own policies are then a condition).
ANY_ACCOUNT = "arn:aws:iam::000000000000:root"

#: ``can --all-paths`` stops after this many paths (a dense graph has millions).
MAX_PATHS = 100

#: Above this many targets of one type in one account, a wildcard escalation
#: becomes one edge to the account node ("every role of account A").
COLLAPSE_AFTER = 25


@dataclass
class Hop:
    """One step of a path: ``source`` reaches ``target`` by ``kind`` (an edge
    kind), because of ``statements``, if ``conditions`` hold."""

    source: str
    target: str
    kind: str
    label: str
    conditions: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    gains: str | None = None

    def as_dict(self) -> dict:
        return {"from": self.source, "to": self.target, "kind": self.kind, "label": self.label,
                "conditions": list(self.conditions), "statements": list(self.statements)}


@dataclass
class PathAnswer:
    """An answer of ``can`` or ``who-can``: the final decision (by the last
    principal of the path) and the hops that lead there (empty: direct access).

    ``status`` is ``allowed``, ``allowed-if`` (every condition in
    :attr:`conditions` must hold) or the denial of the direct request."""

    principal: str
    answer: Answer
    hops: list[Hop] = field(default_factory=list)
    via_escalation: str | None = None

    @property
    def conditions(self) -> tuple[str, ...]:
        out = [c for h in self.hops for c in h.conditions] + list(self.answer.conditions)
        return tuple(dict.fromkeys(out))

    @property
    def status(self) -> str:
        if not self.answer.possible and self.via_escalation is None:
            return self.answer.status
        return "allowed-if" if self.conditions else "allowed"

    def as_dict(self) -> dict:
        return {"principal": self.principal, "status": self.status, "conditions": list(self.conditions),
                "path": [h.as_dict() for h in self.hops], "via_escalation": self.via_escalation,
                "acting_as": self.answer.principal, "decision": str(self.answer.outcome),
                "statements": list(self.answer.statements),
                "explanation": [s.text for s in self.answer.decision.steps] if self.answer.decision else []}


class PrincipalGraph:
    """The graph (:attr:`graph`) and the queries over it; build with :func:`build_graph`."""

    def __init__(self, snapshot: Snapshot, evaluator: SnapshotEvaluator, graph: nx.MultiDiGraph,
                 allows: dict | None = None, trusting: dict[str, list[str]] | None = None) -> None:
        self.snapshot = snapshot
        self.evaluator = evaluator
        self.graph = graph
        self._allows = allows or {}
        #: account -> roles of that account whose trust policy trusts some account (or anyone)
        self._trusting = trusting or {}
        self._lazy: dict[tuple[str, str, str], Hop | None] = {}
        self._lazy_denied: set[tuple] = set()
        #: set when ``can --all-paths`` stopped at :data:`MAX_PATHS`
        self.truncated = False
        self._trust_text: dict[str, str] = {}

    # -- can -------------------------------------------------------------------

    def can(self, principal: str, action: str, resource: str, context: dict[str, list[str]] | None = None,
            max_hops: int = 5, all_paths: bool = False) -> list[PathAnswer]:
        """Can ``principal`` do ``action`` on ``resource``, directly or through the graph?

        Returns:
            With ``all_paths`` False: one answer, the direct decision when it
            allows (or allows if ...), else the shortest path that leads to a
            principal who may, else the direct denial. With ``all_paths``: the
            direct answer first, then every path of at most ``max_hops`` hops.

        Raises:
            InputError: a malformed principal, action or resource.
        """
        direct = self.evaluator.decide(principal, action, resource, context)
        out = [PathAnswer(principal, direct)]
        if direct.possible and not all_paths:
            return out
        found = []
        for pa in self._paths(principal, action, resource, context, max_hops, all_paths):
            found.append(pa)
            if len(found) >= MAX_PATHS:
                self.truncated = True
                break
        if not all_paths:
            return [found[0]] if found else out
        return out + found

    def _paths(self, start: str, action: str, resource: str, context, max_hops: int, every: bool) -> Iterable[PathAnswer]:
        """Paths from ``start`` (breadth first: shortest first) to a principal
        who may do the request, directly or by an escalation of its own.
        The start's own escalations come first (zero hops)."""
        own = self.own_escalation(start, action, resource, context)
        if own is not None:
            yield own
            if not every:
                return
        queue = deque([(start, [])])
        best_seen: dict[str, int] = {start: 0}
        while queue:
            node, hops = queue.popleft()
            if len(hops) >= max_hops:
                continue
            for hop in self._hops_from(node, context):
                target = hop.target
                if target == start or any(h.source == target for h in hops):
                    continue  # no cycles
                if not every and best_seen.get(target, max_hops + 1) <= len(hops) + 1:
                    continue
                best_seen[target] = len(hops) + 1
                path = hops + [hop]
                answer = self.evaluator.decide(target, action, resource, context, trusted=True)
                if answer.possible:
                    yield PathAnswer(start, answer, path)
                    if not every:
                        return
                else:
                    esc = self.own_escalation(target, action, resource, context)
                    if esc is not None:
                        yield PathAnswer(start, esc.answer, path + esc.hops, esc.via_escalation)
                        if not every:
                            return
                queue.append((target, path))

    def own_escalation(self, who: str, action: str, resource: str, context=None) -> PathAnswer | None:
        """``who`` can give itself the permission: it can write its own
        policies (or those of a group it is in), rewrite the key's policy or
        grant itself on the key, or add itself to a group that has it.
        None when it cannot (or the result would still not allow the request)."""
        if who not in self.graph or who not in self._callers:
            return None
        member_of = {t for _, t, d in self.graph.out_edges(who, data=True) if d["kind"] == "member-of"}
        for _, target, data in sorted(self.graph.out_edges(who, data=True), key=lambda e: e[1]):
            if data["kind"] != "escalation":
                continue
            gains = data.get("gains")
            hop = Hop(who, target, "escalation", data["label"], tuple(data["conditions"]), tuple(data["statements"]), gains)
            on_key = target == resource or (data.get("collapsed") == "key" and resource in self.snapshot.keys
                                            and self.snapshot.keys[resource].account == data.get("account"))
            if gains == "any" and on_key:
                extra = (OWN_KEY_POLICY,) if "kms:PutKeyPolicy" in data["label"] else (OWN_GRANT,)
                if data.get("collapsed"):
                    # "on every key of account A": decided for this key now.
                    ask = "kms:PutKeyPolicy" if extra == (OWN_KEY_POLICY,) else "kms:CreateGrant"
                    if not self.evaluator.decide(who, ask, resource, context, trusted=True).possible:
                        continue
                text = f"{who} can use {data['label']} on the key to allow itself {action}"
                answer = self.evaluator.decide(who, action, resource, context, extra, trusted=True)
            elif gains == "any" and (target == who or target in member_of):
                whose = "its own policies" if target == who else f"the policies of its group {target}"
                text = f"{who} can use {data['label']} to change {whose} and allow itself {action}"
                answer = self.evaluator.decide(who, action, resource, context, (ALLOW_ALL,), trusted=True)
            elif gains == "group" and who in self.snapshot.users and target in self.snapshot.groups:
                text = f"{who} can add itself to {target} ({data['label']})"
                answer = self.evaluator.decide(who, action, resource, context, (target,), trusted=True)
            else:
                continue
            if answer.possible:
                return PathAnswer(who, answer, [hop], text)
        return None

    @property
    def _callers(self) -> set[str]:
        hit = self.__dict__.get("_caller_set")
        if hit is None:
            hit = self.__dict__["_caller_set"] = set(self.snapshot.users) | set(self.snapshot.roles)
        return hit

    def _collapsed_sources(self) -> list[tuple[str, dict]]:
        """(source, edge data) of every collapsed edge a caller follows to
        become another principal (can-assume, or an escalation that gives its identity)."""
        hit = self.__dict__.get("_collapsed_list")
        if hit is None:
            hit = self.__dict__["_collapsed_list"] = sorted(
                ((s, d) for s, _, d in self.graph.edges(data=True) if d.get("collapsed") and s in self._callers
                 and (d["kind"] == "can-assume" or d.get("gains") == "identity")), key=lambda e: e[0])
        return hit

    def _collapsed_set(self, source: str, data: dict) -> set[str]:
        """The principals a collapsed edge of ``source`` may lead to, before the
        evaluator decides each: for can-assume, the account's roles that trust
        an account and that the source's Allow statements name (cached per set
        of statements); for escalations, every principal of the type."""
        cache = self.__dict__.setdefault("_collapsed_sets", {})
        if data["kind"] == "can-assume":
            allows = self._allows.get(source)
            key = ("assume", data["account"], allows.signature if allows is not None else source)
            if key not in cache:
                roles = self._trusting_sorted(data["account"])
                cache[key] = set(allows.matching("sts:assumerole", roles)) if allows is not None else set(roles)
        elif data.get("runners"):
            key = ("runners", data["account"], tuple(data["runners"]))
            if key not in cache:
                cache[key] = {r for r in self._of_type("role", data["account"])
                              if set(self._runner_services(r)) & set(data["runners"])}
        else:
            key = ("type", data["account"], data["collapsed"])
            if key not in cache:
                cache[key] = set(self._of_type(data["collapsed"], data["account"]))
        return cache[key]

    def _trusting_sorted(self, account: str) -> list[str]:
        """The roles of ``account`` that trust an account (or anyone), sorted (cached)."""
        cache = self.__dict__.setdefault("_trusting_lists", {})
        if account not in cache:
            cache[account] = sorted(self._trusting.get(account, ()))
        return cache[account]

    def _runner_answer(self, source: str, runner: str) -> Answer:
        """``source``'s answer for a code-running action on ``"*"`` (cached)."""
        cache = self.__dict__.setdefault("_runner_answers", {})
        if (source, runner) not in cache:
            cache[(source, runner)] = self.evaluator.decide(source, runner, "*", trusted=True)
        return cache[(source, runner)]

    def _runner_services(self, role_arn: str) -> list[str]:
        return runner_services(self.evaluator, role_arn)

    def _with_context(self, hop: Hop, context) -> Hop | None:
        """``hop`` decided again with the question's context (the edge was
        decided without any), or without its conditions in strict mode; None
        when it no longer allows."""
        if not context and not self.evaluator.strict:
            return hop
        if hop.kind == "can-assume":
            actions = [hop.label if hop.label.startswith("sts:") else "sts:AssumeRole"]
        elif hop.kind == "escalation" and "+" not in hop.label:
            actions = [a.split(" on ")[0].strip() for a in hop.label.split(",")]
        else:
            return None if (self.evaluator.strict and hop.conditions) else hop
        for action in actions:
            a = self.evaluator.decide(hop.source, action, hop.target, context, trusted=True)
            if a.possible:
                return Hop(hop.source, hop.target, hop.kind, hop.label, a.conditions, a.statements or hop.statements,
                           hop.gains)
        return None

    def _hops_from(self, node: str, context=None) -> list[Hop]:
        """Edges along which ``node`` becomes another principal (assumes a
        role, or gets its credentials or trust): not the policy-writing ones,
        which :meth:`own_escalation` weighs."""
        return [h for h in (self._with_context(h, context) for h in self._raw_hops_from(node)) if h is not None]

    def _raw_hops_from(self, node: str) -> list[Hop]:
        out: list[Hop] = []
        if node not in self.graph:
            return out
        for _, target, data in self.graph.out_edges(node, data=True):
            kind = data["kind"]
            if kind != "can-assume" and not (kind == "escalation" and data.get("gains") == "identity"):
                continue
            if data.get("collapsed"):
                # "every role (user) of account A": each one decided now.
                for t in self._collapsed_targets(node, data):
                    hop = self._collapsed_hop(node, data, t)
                    if hop is not None:
                        out.append(hop)
                continue
            if target != node:
                out.append(Hop(node, target, kind, data["label"], tuple(data["conditions"]), tuple(data["statements"]),
                               data.get("gains")))
        return sorted(out, key=lambda h: (h.kind != "can-assume", h.target))

    def _collapsed_targets(self, source: str, data: dict) -> list[str]:
        if data["kind"] == "can-assume":
            allows = self._allows.get(source)
            return [r for r in self._trusting.get(data["account"], ()) if r != source
                    and (allows is None or allows.may("sts:assumerole", r))]
        return sorted(t for t in self._collapsed_set(source, data) if t != source)

    def _collapsed_hop(self, source: str, data: dict, target: str) -> Hop | None:
        """The hop a collapsed edge gives from ``source`` to ``target``, decided
        by the evaluator (cached), or None when it does not allow it."""
        key = (source, target, data["label"])
        if key in self._lazy:
            return self._lazy[key]
        shape = self._assume_shape(source, target) if data["kind"] == "can-assume" else None
        if shape is not None and shape in self._lazy_denied:
            # Same caller, same trust policy text, same identity statements
            # matching the role's ARN: the evaluator's answer cannot differ.
            self._lazy[key] = None
            return None
        hop = None
        for action in data.get("actions") or ["sts:AssumeRole"]:
            if "+" in action:
                # iam:PassRole on the role, and the service's action that runs code with it.
                pass_role, runner = action.split("+", 1)
                if CODE_RUNNER_OF.get(runner) not in self._runner_services(target):
                    continue
                b = self._runner_answer(source, runner)
                if not b.possible:
                    continue  # the same for every role: the service's action is not allowed at all
                a = self.evaluator.decide(source, pass_role, target, trusted=True)
                if a.possible:
                    hop = Hop(source, target, "escalation", f"{pass_role} + {runner}",
                              tuple(dict.fromkeys(a.conditions + b.conditions)), a.statements + b.statements, "identity")
                    break
                continue
            a = self.evaluator.decide(source, action, target, trusted=True)
            if a.possible:
                label = "sts:AssumeRole" if data["kind"] == "can-assume" else action
                hop = Hop(source, target, data["kind"], label, a.conditions, a.statements, data.get("gains"))
                break
        self._lazy[key] = hop
        if hop is None and shape is not None:
            self._lazy_denied.add(shape)
        return hop

    def _assume_shape(self, source: str, role: str) -> tuple | None:
        """What a can-assume decision of ``source`` on ``role`` depends on: the
        caller, the role's account and trust policy text, and which of the
        caller's Allow statements match the role's ARN."""
        allows = self._allows.get(source)
        r = self.snapshot.roles.get(role)
        if allows is None or r is None or r.trust is None:
            return None
        text = self._trust_text.get(role)
        if text is None:
            import json

            text = self._trust_text[role] = json.dumps(r.trust.document, sort_keys=True)
        hits = tuple(i for i, (acts, res) in enumerate(allows.rules)
                     if any(a.match("sts:assumerole") for a in acts) and (res is None or any(g.match(role) for g in res)))
        return source, r.account, text, hits

    def _of_type(self, kind: str, account: str) -> list[str]:
        table = {"role": self.snapshot.roles, "user": self.snapshot.users, "group": self.snapshot.groups}[kind]
        return sorted(a for a, p in table.items() if p.account == account)

    # -- who-can ---------------------------------------------------------------

    @paused_gc()
    def who_can(self, action: str, resource: str, context: dict[str, list[str]] | None = None,
                max_hops: int = 5) -> list[PathAnswer]:
        """Every principal that can do ``action`` (wildcards allowed: each
        matching catalog action is asked) on ``resource``: directly (the
        snapshot's users and roles, principals the key policy or a grant
        names), through a role chain, or through an escalation.

        Returns:
            One :class:`PathAnswer` per (principal, action), sorted by
            principal; direct answers have no hops.
        """
        actions = _actions(action, resource)
        out: list[PathAnswer] = []
        for act in actions:
            direct: dict[str, PathAnswer] = {}
            candidates = self._candidates(resource)
            checked = False
            named, anyone = resource_naming(self.evaluator, resource)
            low = act.lower()
            for who in candidates:
                if checked and not anyone and who not in named:
                    allows = self._allows.get(who)
                    if allows is not None and not (allows.may(low, resource) if resource != "*" else allows.has_action(low)):
                        continue  # neither its own policies nor the resource's can allow it
                try:
                    answer = self.evaluator.decide(who, act, resource, context, trusted=checked)
                except InputError:
                    if not checked:
                        raise  # the action or context is wrong: say so
                    continue  # a principal named by a policy that is not a caller (left out)
                checked = checked or who in self._callers
                if answer.possible:
                    direct[who] = PathAnswer(who, answer)
            for who in self.evaluator.callers():
                if who not in direct:
                    esc = self.own_escalation(who, act, resource, context)
                    if esc is not None:
                        direct[who] = esc
            # Reverse breadth-first search, one layer at a time (shortest paths
            # first): whoever can become a principal with access.
            reached = dict(direct)
            frontier = [(who, pa) for who, pa in sorted(direct.items()) if who in self._callers]
            # A PassRole edge whose code-running actions are all denied leads nowhere: drop it once.
            pending = [(src, d) for src, d in self._collapsed_sources()
                       if not all("+" in a for a in d.get("actions") or ["-"])
                       or any(self._runner_answer(src, a.split("+", 1)[1]).possible for a in d["actions"])]
            depth = 0
            while frontier and depth < max_hops:
                depth += 1
                nxt: list[tuple[str, PathAnswer]] = []

                def reach(source: str, hop: Hop, final: PathAnswer) -> None:
                    pa = PathAnswer(source, final.answer, [hop] + final.hops, final.via_escalation)
                    reached[source] = pa
                    nxt.append((source, pa))

                for node, final in frontier:
                    for source, _, data in self.graph.in_edges(node, data=True):
                        kind = data["kind"]
                        if kind != "can-assume" and not (kind == "escalation" and data.get("gains") == "identity"):
                            continue
                        if source in reached or source not in self._callers:
                            continue
                        hop = self._with_context(Hop(source, node, kind, data["label"], tuple(data["conditions"]),
                                                     tuple(data["statements"]), data.get("gains")), context)
                        if hop is not None:
                            reach(source, hop, final)
                # Collapsed edges ("the roles of account A"): each source that is
                # still unreached tries the principals of this layer it may reach.
                layer = {node: final for node, final in frontier}
                pending = [(src, d) for src, d in pending if src not in reached]
                for source, data in pending:
                    if source in reached:
                        continue
                    targets = self._collapsed_set(source, data)
                    hits = targets & layer.keys() if len(layer) < len(targets) else {t for t in targets if t in layer}
                    for node in sorted(hits):
                        if node == source:
                            continue
                        hop = self._collapsed_hop(source, data, node)
                        hop = self._with_context(hop, context) if hop is not None else None
                        if hop is not None:
                            reach(source, hop, layer[node])
                            break
                frontier = nxt
            for pa in reached.values():
                pa.answer.action = act
            out.extend(sorted(reached.values(), key=lambda p: p.principal))
        return out

    #: The key actions :meth:`reaching` asks about.
    KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:DescribeKey",
                   "kms:CreateGrant", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")

    def reaching(self, resource: str) -> nx.MultiDiGraph:
        """The part of the graph that reaches ``resource`` (a key): every
        principal that can do one of :data:`KEY_ACTIONS` on it, the hops of
        their paths, and an ``access`` edge from each principal that acts on
        the key itself, labelled with the actions."""
        sub = nx.MultiDiGraph()
        direct: dict[str, list[str]] = {}
        conds: dict[str, list[str]] = {}
        stmts: dict[str, list[str]] = {}
        for act in self.KEY_ACTIONS:
            for pa in self.who_can(act, resource):
                for h in pa.hops:
                    for n in (h.source, h.target):
                        if n not in sub:
                            sub.add_node(n, **self.graph.nodes[n]) if n in self.graph else sub.add_node(
                                n, kind="principal", label=n, account=None, highlight=False)
                    if not sub.has_edge(h.source, h.target):
                        sub.add_edge(h.source, h.target, kind=h.kind, label=h.label, conditions=list(h.conditions),
                                     statements=list(h.statements))
                final = pa.answer.principal
                if not pa.via_escalation:
                    direct.setdefault(final, []).append(act)
                    conds.setdefault(final, []).extend(pa.answer.conditions)
                    stmts.setdefault(final, []).extend(pa.answer.statements)
        if resource in self.graph:
            sub.add_node(resource, **{**self.graph.nodes[resource], "highlight": True})
        for who, acts in sorted(direct.items()):
            if who not in sub:
                attrs = self.graph.nodes[who] if who in self.graph else {"kind": "principal", "label": who, "account": None}
                sub.add_node(who, **{**attrs, "highlight": False})
            sub.add_edge(who, resource, kind="access", label=", ".join(dict.fromkeys(acts)),
                         conditions=list(dict.fromkeys(conds[who])), statements=list(dict.fromkeys(stmts[who])))
        for source, target, data in self.graph.in_edges(resource, data=True):
            if data["kind"] == "grant" and source in sub:
                sub.add_edge(source, target, **data)
        return sub

    def _candidates(self, resource: str) -> list[str]:
        """The snapshot's users and roles, and principals outside it that the
        resource's policy or grants name (other accounts, their roles, services)."""
        out = list(self.evaluator.callers())
        seen = set(out)

        def add(who: str) -> None:
            if who not in seen:
                seen.add(who)
                out.append(who)

        if resource in self.graph:
            for source, _, data in self.graph.in_edges(resource, data=True):
                if data["kind"] == "grant":
                    add(source)
        key = self.snapshot.keys.get(resource)
        role = self.snapshot.roles.get(resource)
        if key is not None:
            doc = self.evaluator.named(key.policy, PolicyKind.RESOURCE)
        else:
            doc = self.evaluator.named(role.trust, PolicyKind.TRUST) if role is not None else None
        for st in doc.document.statements if doc is not None else ():
            if st.effect != "Allow" or st.principal is None:
                continue
            for v in st.principal.aws:
                if v == "*" or self.evaluator.principal(v) is not None:
                    continue
                account = v if v.isdigit() else (v.split(":")[4] if v.count(":") >= 5 else "")
                if account in self.snapshot.accounts:
                    continue  # the account's own principals are asked one by one
                add(f"arn:aws:iam::{v}:root" if v.isdigit() else v)
            for v in st.principal.service:
                add(v)
            for v in st.principal.federated:
                add(f"federated:{v}")
            if st.principal.all or "*" in st.principal.aws:
                add(ANY_ACCOUNT)  # "anyone": asked as a principal of an account outside the snapshot
        return out

    # -- what-can --------------------------------------------------------------

    @paused_gc()
    def what_can(self, principal: str, service: str | None = "kms",
                 context: dict[str, list[str]] | None = None, max_hops: int = 5) -> dict[str, list[Answer]]:
        """What ``principal`` can do: resource ARN -> the allowed (or allowed
        if ...) actions. With ``service="kms"`` (the default) every key of the
        snapshot is asked about every KMS action that acts on keys, and the
        actions without a resource about ``"*"``; for another service, every
        action of it on ``"*"``. The roles it can become (role chains,
        escalations that give an identity, up to ``max_hops``) are listed with
        their conditions, and what it can do as them, each answer's ``via``
        naming the roles of the path."""
        service = (service or "kms").lower()
        out: dict[str, list[Answer]] = {}
        infos = list(catalog.actions_for_service(service).values())
        keyed = [i for i in infos if i.resource_types]
        unscoped = [i for i in infos if not i.resource_types]
        if service == "kms":
            for key in sorted(self.snapshot.keys):
                got = [a for a in (self.evaluator.decide(principal, i.full_name, key, context) for i in keyed
                                   if any(r.name == "key" for r in i.resource_types)) if a.possible]
                if got:
                    out[key] = got
            rest = unscoped
        else:
            rest = infos
        got = [a for a in (self.evaluator.decide(principal, i.full_name, "*", context) for i in rest) if a.possible]
        if got:
            out["*"] = got
        # What it can do as the roles it can become (role chains, escalations that give an identity).
        seen = {principal}
        frontier: list[tuple[str, list[Hop]]] = [(principal, [])]
        for _depth in range(max_hops):
            nxt = []
            for node, path in frontier:
                for hop in self._hops_from(node, context):
                    if hop.target in seen or hop.target not in self._callers:
                        continue
                    seen.add(hop.target)
                    route = path + [hop]
                    conds = tuple(dict.fromkeys(c for h in route for c in h.conditions))
                    out.setdefault(hop.target, []).append(
                        Answer(principal, hop.label, hop.target, Outcome.ALLOWED if not conds else Outcome.IMPLICIT_DENY,
                               conds, hop.statements, via=tuple(h.target for h in route[:-1])))
                    for res, answers in self.what_can(hop.target, service, context, max_hops=0).items():
                        have = {a.action for a in out.get(res, ()) if not a.via}
                        for a in answers:
                            if a.action in have or a.action.startswith("sts:AssumeRole"):
                                continue
                            allc = tuple(dict.fromkeys(conds + a.conditions))
                            out.setdefault(res, []).append(Answer(
                                principal, a.action, res, Outcome.ALLOWED if not allc else Outcome.IMPLICIT_DENY,
                                allc, a.statements, via=tuple(h.target for h in route)))
                    nxt.append((hop.target, route))
            frontier = nxt
        return out


def runner_services(evaluator: SnapshotEvaluator, role_arn: str) -> list[str]:
    """The code-running services (:data:`CODE_RUNNERS`) whose principals the
    role's trust policy allows, sorted; cached on the evaluator."""
    cache = evaluator.__dict__.setdefault("_runner_services", {})
    if role_arn not in cache:
        role = evaluator.snap.roles.get(role_arn)
        trust = evaluator.named(role.trust, _TRUST) if role is not None else None
        services = {sv for st in trust.document.statements if st.effect == "Allow" and st.principal
                    for sv in st.principal.service} if trust is not None else set()
        cache[role_arn] = sorted(services & set(CODE_RUNNERS))
    return cache[role_arn]


def _actions(pattern: str, resource: str = "*") -> list[str]:
    """The catalog spellings of the actions ``pattern`` matches (itself when it
    has no wildcard); for a KMS key ARN, only the actions that act on keys."""
    if not has_wildcard(pattern):
        return [pattern]
    infos = catalog.expand(pattern)
    if ":kms:" in resource and ":key/" in resource:
        infos = tuple(i for i in infos if any(r.name == "key" for r in i.resource_types))
    return [i.full_name for i in infos]


# ---------------------------------------------------------------------------
# Building.


def build_graph(snapshot: Snapshot, evaluator: SnapshotEvaluator | None = None, jobs: int | None = None) -> PrincipalGraph:
    """Build the principal graph of ``snapshot`` (see the module docstring).

    Decisions are the evaluator's; candidates for each edge are found first
    from the policies' Action and Resource patterns (conditions ignored), so
    that the evaluator is asked only about pairs that can be allowed.

    Args:
        jobs: processes: with 2 or more (on Linux), a forked worker finds the
            escalation edges while this process decides the can-assume
            edges; None: 2 when there are two CPUs and at least
            :data:`PARALLEL_MIN_CALLERS` users and roles. The graph is the
            same whatever the number.
    """
    global _FORKED
    with paused_gc():
        ev = evaluator or SnapshotEvaluator(snapshot)
        g = nx.MultiDiGraph()
        b = _Builder(snapshot, ev, g)
        b.nodes()
        b.member_of()
        b.can_assume()
        if jobs is None:
            jobs = min(os.cpu_count() or 1, 2) if len(b.allows) >= PARALLEL_MIN_CALLERS else 1
        pool = None
        if jobs > 1 and sys.platform.startswith("linux"):
            # The escalation edges in a forked worker (it inherits the read
            # snapshot and trust policies), the can-assume decisions here.
            import multiprocessing

            _FORKED = b
            pool = multiprocessing.get_context("fork").Pool(1)
        try:
            pending = pool.apply_async(_escalations_forked) if pool is not None else None
            b.assume_edges()
            b.grants()
            if pending is not None:
                for a, t, kind, label, conditions, statements, extra in pending.get():
                    b.edge(a, t, kind, label, conditions, statements, **extra)
            else:
                b.escalations()
        finally:
            _FORKED = None
            if pool is not None:
                pool.terminate()
                pool.join()
        return PrincipalGraph(snapshot, ev, g, b.allows, b.trusting)


#: Snapshots with fewer users and roles than this are built in one process:
#: forking a worker costs more than it saves.
PARALLEL_MIN_CALLERS = 1000

#: The builder a forked worker works on (set just before forking).
_FORKED: "_Builder | None" = None


def _escalations_forked() -> list[tuple]:
    """In a forked worker: the escalation edges of the inherited builder."""
    assert _FORKED is not None
    _FORKED.recording = []
    _FORKED.escalations()
    return _FORKED.recording


class _Builder:
    def __init__(self, snap: Snapshot, ev: SnapshotEvaluator, g: nx.MultiDiGraph) -> None:
        self.snap, self.ev, self.g = snap, ev, g
        #: When a list, edges are recorded there instead of added (in a forked worker).
        self.recording: list[tuple] | None = None
        #: (caller, role, action) can-assume requests waiting for a decision,
        #: and (caller, account) collapsed can-assume edges (see :meth:`assume_edges`)
        self.assume_requests: list[tuple[str, str, str]] = []
        self.collapsed_assume: list[tuple[str, str]] = []
        self._keys = 0
        # Callers with the same policies share one Allows (and its caches).
        shared: dict[tuple[int, ...], Allows] = {}
        #: The targets each set of Resource patterns matches, for every Allows.
        self.matches: dict = {}
        self.allows: dict[str, Allows] = {}
        for who, p in (*snap.users.items(), *snap.roles.items()):
            policies = ev.identity_policies(p)
            key = tuple(id(n) for n in policies)
            if key not in shared:
                shared[key] = Allows(policies, self.matches)
            self.allows[who] = shared[key]
        self.trusting: dict[str, list[str]] = {}

    def node(self, nid: str, kind: str, label: str, account: str | None = None, **extra) -> None:
        if nid not in self.g:
            self.g.add_node(nid, kind=kind, label=label, account=account, highlight=False, **extra)

    def edge(self, a: str, b: str, kind: str, label: str, conditions=(), statements=(), **extra) -> None:
        if self.recording is not None:
            self.recording.append((a, b, kind, label, list(conditions), list(statements), extra))
            return
        # An explicit key: networkx would otherwise search for a free one on every edge.
        self._keys += 1
        self.g.add_edge(a, b, key=self._keys, kind=kind, label=label, conditions=list(conditions),
                        statements=list(statements), **extra)

    def nodes(self) -> None:
        s = self.snap
        for acct in s.accounts:
            self.node(f"arn:aws:iam::{acct}:root", "account", f"account {acct}", acct)
        for arn, u in s.users.items():
            self.node(arn, "user", f"user/{u.name}", u.account)
        for arn, gr in s.groups.items():
            self.node(arn, "group", f"group/{gr.name}", gr.account)
        for arn, r in s.roles.items():
            self.node(arn, "role", f"role{r.path}{r.name}", r.account)
        for arn, k in s.keys.items():
            self.node(arn, "key", k.label, k.account)

    def member_of(self) -> None:
        for arn, u in self.snap.users.items():
            for name in u.groups:
                gr = self.snap.group(u.account, name)
                if gr is not None:
                    self.edge(arn, gr.arn, "member-of", "member of")

    def _external(self, value: str) -> str | None:
        """A node for a principal outside the snapshot named by a policy or grant."""
        if value.endswith(".amazonaws.com") or value.endswith(".amazonaws.com.cn"):
            self.node(value, "service", value)
            return value
        if value.isdigit() and len(value) == 12:
            value = f"arn:aws:iam::{value}:root"
        if value.startswith("arn:") and value.count(":") >= 5:
            account = value.split(":")[4]
            if value in self.g:
                return value
            if value.endswith(":root"):
                self.node(value, "account", f"account {account}", account, external=account not in self.snap.accounts)
            else:
                self.node(value, "principal", value.split(":", 5)[5], account)
            return value
        return None

    def can_assume(self) -> None:
        snap, ev = self.snap, self.ev
        # Who each role's trust policy names: callers, accounts, anyone; services,
        # federated and outside principals are decided at once.
        trusts: dict[str, tuple[set[str], set[str], bool]] = {}
        for rarn, role in snap.roles.items():
            trust = ev.named(role.trust, _TRUST)
            if trust is None:
                continue
            named, accounts, anyone = set(), set(), False
            for st in trust.document.statements:
                if st.effect != "Allow" or st.principal is None:
                    continue
                if st.principal.all:
                    anyone = True
                for v in st.principal.aws:
                    if v == "*":
                        anyone = True
                    elif v.isdigit() or v.endswith(":root"):
                        accounts.add(v if v.isdigit() else v.split(":")[4])
                    else:
                        named.add(v)
                for v in st.principal.service:
                    node = self._external(v)
                    if node:
                        self._queue_assume(node, rarn)
                for v in st.principal.federated:
                    self.node(f"federated:{v}", "principal", f"federated {v}")
                    self._queue_assume(f"federated:{v}", rarn, action="sts:AssumeRoleWithWebIdentity"
                                        if "saml-provider/" not in v else "sts:AssumeRoleWithSAML")
            callers: set[str] = set()
            for v in named:
                p = ev.principal(v)
                if p is not None:
                    callers.add(p.arn)
                else:
                    node = self._external(v)
                    if node:
                        self._queue_assume(node, rarn)
            if anyone or accounts:
                self.trusting.setdefault(role.account, []).append(rarn)
            for acct in accounts - set(snap.accounts):
                self._queue_assume(self._external(acct), rarn)  # type: ignore[arg-type]
            trusts[rarn] = (callers, accounts, anyone)

        # Role -> the callers whose identity-based policies may allow sts:AssumeRole
        # on it and whose account the role trusts. A caller allowed on many roles
        # gets one collapsed edge per account instead, decided when a question
        # follows it; which accounts is worked out once per set of Resource
        # patterns and caller account.
        roles = sorted(snap.roles)
        allowed_on: dict[str, set[str]] = {}
        collapsed: set[tuple[str, str]] = set()
        wide_accounts: dict[tuple, list[str]] = {}
        for who, allows in self.allows.items():
            if not allows.has_action("sts:assumerole"):
                continue
            hits = allows.matching("sts:assumerole", roles)
            account = ev.principal(who).account  # type: ignore[union-attr]
            if len(hits) > COLLAPSE_AFTER:
                key = (allows.resource_patterns("sts:assumerole"), account)
                accts = wide_accounts.get(key)
                if accts is None:
                    accts = wide_accounts[key] = sorted({
                        snap.roles[r].account for r in hits
                        if r in trusts and (trusts[r][2] or account in trusts[r][1])})
                collapsed.update((who, a) for a in accts)
                continue
            for rarn in hits:
                t = trusts.get(rarn)
                if t is not None and (t[2] or account in t[1]):
                    allowed_on.setdefault(rarn, set()).add(who)
        for rarn, (callers, _accounts, _anyone) in trusts.items():
            for who in sorted((callers | allowed_on.get(rarn, set())) - {rarn}):
                self._queue_assume(who, rarn)
        self.collapsed_assume = sorted(collapsed)

    def _queue_assume(self, who: str, role: str, action: str = "sts:AssumeRole") -> None:
        """Queue one can-assume decision (made by :meth:`assume_edges`)."""
        self.assume_requests.append((who, role, action))

    def assume_edges(self) -> None:
        """Decide the queued can-assume requests and add an edge for each one
        that may be allowed, in the order queued; then the collapsed edges."""
        requests, self.assume_requests = self.assume_requests, []
        for who, role, action in requests:
            try:
                a = self.ev.decide(who, action, role, trusted=who in self.allows)
            except Exception:  # noqa: BLE001 - a principal the request builder refuses: no edge
                continue
            if a.possible:
                self.edge(who, role, "can-assume", action, a.conditions, a.statements)
        collapsed, self.collapsed_assume = self.collapsed_assume, []
        for who, acct in collapsed:
            self.edge(who, f"arn:aws:iam::{acct}:root", "can-assume",
                      f"sts:AssumeRole on the roles of account {acct} that trust an account (each decided when asked)",
                      collapsed="role", account=acct)

    def grants(self) -> None:
        for karn, key in self.snap.keys.items():
            for gr in key.grants:
                who = gr.grantee_principal
                node = who if who in self.g else self._external(who)
                if node is None:
                    continue
                conds = []
                if gr.constraints is not None:
                    if gr.constraints.encryption_context_equals:
                        conds.append("the encryption context is exactly " + ", ".join(
                            f"{k}={v}" for k, v in sorted(gr.constraints.encryption_context_equals.items())))
                    if gr.constraints.encryption_context_subset:
                        conds.append("the encryption context includes " + ", ".join(
                            f"{k}={v}" for k, v in sorted(gr.constraints.encryption_context_subset.items())))
                passes_on = "CreateGrant" in gr.operations
                label = f"grant {gr.name or gr.grant_id[:12]}: {', '.join(gr.operations)}"
                where = f"{key.grants_file}: grant {gr.name or gr.grant_id}" if key.grants_file else label
                self.edge(node, karn, "grant", label + (" (can pass them on)" if passes_on else ""), conds, [where],
                          passes_on=passes_on)

    def escalations(self) -> None:
        snap = self.snap
        targets = {
            "role": {a: r.account for a, r in snap.roles.items()},
            "user": {a: u.account for a, u in snap.users.items()},
            "group": {a: gr.account for a, gr in snap.groups.items()},
            "key": {a: k.account for a, k in snap.keys.items()},
            "policy": {a: a.split(":")[4] for a in snap.policies if a.split(":")[4] != "aws"},
        }
        ordered = {t: sorted(v) for t, v in targets.items()}
        holders: dict[str, list[str]] = {}
        for who in (*snap.users.values(), *snap.groups.values(), *snap.roles.values()):
            for pa in who.attached:
                holders.setdefault(pa, []).append(who.arn)
        named = self._named_by_key_policies()
        escalations = [(action, action.lower(), ttype, gains) for action, ttype, gains in _ESCALATIONS]
        for who, allows in self.allows.items():
            found: dict[str, dict] = {}  # target -> actions, gains, conditions, statements
            for action, low, ttype, gains in escalations:
                hits = allows.matching(low, ordered[ttype]) if allows.has_action(low) else []
                if ttype == "key" and (who, low) in named:
                    hits = sorted(set(hits) | named[(who, low)])
                if hits:
                    self._escalation_hits(who, action, ttype, gains, hits, targets[ttype], holders, found)
            for target, info in found.items():
                self.edge(who, target.partition("|")[0], "escalation", ", ".join(info["actions"]), list(info["conditions"]),
                          list(info["statements"]),
                          gains=info["gains"], **info["extra"])
            if allows.has_action("iam:passrole"):
                self._pass_role(who, allows, ordered["role"])

    def _named_by_key_policies(self) -> dict[tuple[str, str], set[str]]:
        """(caller, escalation action) -> keys whose key policy names the caller
        itself for that action (no identity-based permission is needed then)."""
        out: dict[tuple[str, str], set[str]] = {}
        actions = [a.lower() for a, ttype, _ in _ESCALATIONS if ttype == "key"]
        for karn, key in self.snap.keys.items():
            doc = self.ev.named(key.policy, _RESOURCE)
            if doc is None:
                continue
            for st in doc.document.statements:
                if st.effect != "Allow" or st.principal is None or st.action is None:
                    continue
                globs = [compile_glob(a, True) for a in st.action]
                for v in st.principal.aws:
                    p = self.ev.principal(v)
                    if p is None:
                        continue
                    for act in actions:
                        if any(g.match(act) for g in globs):
                            out.setdefault((p.arn, act), set()).add(karn)
        return out

    def _escalation_hits(self, who: str, action: str, ttype: str, gains: str, hits: list[str],
                         all_targets: dict[str, str], holders: dict[str, list[str]], found: dict) -> None:
        def note(target: str, label: str, a: Answer, extra: dict | None = None) -> None:
            info = found.get(target)
            if info is None:
                # conditions and statements: dicts used as ordered sets
                info = found[target] = {"actions": [], "gains": gains, "conditions": {}, "statements": {},
                                        "extra": extra or {}}
            info["actions"].append(label)
            if _GAIN_ORDER[gains] > _GAIN_ORDER[info["gains"]]:
                info["gains"] = gains
            info["conditions"].update(dict.fromkeys(a.conditions))
            info["statements"].update(dict.fromkeys(a.statements))

        # Targets by account; lists from matching() are shared by callers: grouped once.
        cached = self.matches.get(("by-account", id(hits)))
        if cached is not None and cached[0] is hits:
            by_account = cached[1]
        else:
            by_account = {}
            for t in hits:
                by_account.setdefault(all_targets[t], []).append(t)
            self.matches[("by-account", id(hits))] = (hits, by_account)
        for acct, ts in by_account.items():
            if len(ts) > COLLAPSE_AFTER and ttype in ("role", "user", "group", "key"):
                a = self._try(who, action, ts[0])
                if a is not None:
                    slot = f"arn:aws:iam::{acct}:root|{ttype}"  # one collapsed edge per target type
                    note(slot, f"{action} on every {ttype}", a, {"collapsed": ttype, "account": acct, "actions": []})
                    found[slot]["extra"]["actions"].append(action)
                continue
            for t in ts:
                a = self._try(who, action, t)
                if a is None:
                    continue
                if ttype == "policy":
                    for holder in holders.get(t, []):
                        note(holder, f"{action} on {t.split('/')[-1]}", a)
                else:
                    note(t, action, a)

    def _pass_role(self, who: str, allows: "Allows", roles: list[str]) -> None:
        runners = [r for r in CODE_RUNNERS.values() if allows.has_action(r.lower())]
        if not runners:
            return
        wanted = {CODE_RUNNER_OF[r] for r in runners}
        # The roles those services may assume and the caller may pass (once per
        # set of Resource patterns and services).
        key = ("passrole", allows.resource_patterns("iam:passrole"), frozenset(wanted))
        by_account = self.matches.get(key)
        if by_account is None:
            by_account = {}
            for r in allows.matching("iam:passrole", roles):
                if not wanted.isdisjoint(self._runner_services(r)):
                    by_account.setdefault(self.snap.roles[r].account, []).append(r)
            self.matches[key] = by_account
        by_account = {acct: [r for r in targets if r != who] for acct, targets in by_account.items()}
        for acct, targets in by_account.items():
            if len(targets) > COLLAPSE_AFTER:
                # Decided for each role when a question follows the edge.
                self.edge(who, f"arn:aws:iam::{acct}:root", "escalation",
                          "iam:PassRole + a service that runs code, on every role such a service assumes",
                          gains="identity", collapsed="role", account=acct, runners=sorted(wanted),
                          actions=[f"iam:PassRole+{r}" for r in runners])
                continue
            for rarn in targets:
                for service in self._runner_services(rarn):
                    runner = CODE_RUNNERS[service]
                    if runner not in runners:
                        continue
                    a = self._try(who, "iam:PassRole", rarn)
                    b = self._try(who, runner, "*") if a is not None else None
                    if a is not None and b is not None:
                        self.edge(who, rarn, "escalation", f"iam:PassRole + {runner}", a.conditions + b.conditions,
                                  a.statements + b.statements, gains="identity")
                        break

    def _runner_services(self, role_arn: str) -> list[str]:
        return runner_services(self.ev, role_arn)

    def _try(self, who: str, action: str, resource: str) -> Answer | None:
        try:
            a = self.ev.decide(who, action, resource, trusted=True)
        except Exception:  # noqa: BLE001 - a request the builder refuses: no edge
            return None
        if not a.possible:
            return None
        if action == "kms:CreateGrant" and any("GrantIsForAWSResource" in c for c in a.conditions):
            return None  # grants only for AWS services acting on the caller's behalf: not an escalation
        return a


_TRUST, _RESOURCE = PolicyKind.TRUST, PolicyKind.RESOURCE
#: When several escalations reach one target, the edge says the most they give.
_GAIN_ORDER = {"group": 0, "identity": 1, "any": 2}
