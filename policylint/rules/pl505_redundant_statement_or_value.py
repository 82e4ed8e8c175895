"""PL505 redundant-statement-or-value."""

from __future__ import annotations

from bisect import bisect_left
from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.model.policy import Statement
from policylint.rules._hygiene import action_covers, resource_covers
from policylint.wildcard import has_wildcard


#: Statements sharing effect, principal and conditions compared pairwise at most
#: (more than any policy within AWS's size quotas holds; PL506 reports larger ones).
MAX_GROUP = 300
#: Pattern-against-value tests per list at most (a hostile list stops there).
COMPARISONS = 100_000


class RedundantStatementOrValue(Rule):
    """A value or a statement that changes nothing, because another one already covers it.

    What it does:
        Within one statement, reports an ``Action``/``NotAction`` value covered
        by another value of the same list (``kms:Decrypt`` beside ``kms:*``, or
        written twice; case-insensitive), and a ``Resource``/``NotResource``
        value covered by another (``arn:aws:s3:::b/x`` beside
        ``arn:aws:s3:::b/*``; case-sensitive, field by field). Across
        statements, reports a statement whose actions and resources are all
        covered by another statement with the same effect, the same principal
        and exactly the same conditions. Coverage is wildcard inclusion: a
        pattern covers another when every name the second matches, the first
        matches too. Bounded work: at most 300 comparable statements are
        compared pairwise and 100,000 pattern tests are made per list, so a
        hostile document cannot stall the run.

    Why it matters:
        Redundant entries do not change what the policy allows, but they make
        it longer (size quotas count every character) and harder to review: a
        reader who removes ``kms:*`` expecting ``kms:Decrypt`` to remain, or
        edits one of two overlapping statements, gets a surprise.

    Example:
        ``"Action": ["kms:*", "kms:Decrypt"]``

    Instead:
        ``"Action": "kms:*"``, or, better, only the actions needed.
    """

    code = "PL505"
    name = "redundant-statement-or-value"
    summary = "an action, resource or whole statement already covered by another one (wildcards included)"
    severity = Severity.INFO
    tags = ("hygiene",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        statements = ctx.document.statements
        # Values the catalog does not resolve are PL200-PL202's; a redundancy among them is noise.
        unresolved = {(stmt.index, element, i) for stmt, element, i, _v, _s in ctx.unresolved_actions()}
        for stmt in statements:
            for element, values, covers, fold in (
                ("Action", stmt.action, action_covers, True),
                ("NotAction", stmt.not_action, action_covers, True),
                ("Resource", stmt.resource, resource_covers, False),
                ("NotResource", stmt.not_resource, resource_covers, False),
            ):
                if values and len(values) > 1:
                    for i, j in _redundant_values(values, covers, fold, element.endswith("Action")):
                        if (stmt.index, element, i) in unresolved or (stmt.index, element, j) in unresolved:
                            continue
                        same = (values[i].lower() == values[j].lower()) if fold else values[i] == values[j]
                        what = "repeats" if same else "is already covered by"
                        yield ctx.finding(
                            self,
                            f'{stmt.label}: {element} "{clip(values[i])}" {what} "{clip(values[j])}" in the same list; '
                            "remove it",
                            stmt.value_path(element, i),
                        )
        if len(statements) > 1:
            yield from self._statements(ctx, statements)

    def _statements(self, ctx: PolicyContext, statements) -> Iterable[Finding]:
        groups: dict[tuple, list[Statement]] = {}
        for stmt in statements:
            if stmt.action is None or (stmt.resource is None and stmt.not_resource is not None):
                continue  # NotAction / NotResource statements: coverage is not judged
            groups.setdefault(_signature(stmt), []).append(stmt)
        for group in groups.values():
            if len(group) < 2 or len(group) > MAX_GROUP:
                continue
            reported: set[int] = set()
            index: dict = {}
            for s in group:
                for t in group:
                    if s is t or t.index in reported:
                        continue
                    if not _covers(t, s, index):
                        continue
                    if _covers(s, t, index) and s.index < t.index:
                        continue  # identical coverage: report the later statement only
                    reported.add(s.index)
                    yield ctx.finding(
                        self,
                        f"{s.label} is redundant: {t.label} already {'allows' if s.effect == 'Allow' else 'denies'} "
                        "every action on every resource it names, for the same principals and conditions",
                        s.path,
                    )
                    break


def _redundant_values(values, covers, fold: bool, actions: bool) -> list[tuple[int, int]]:
    """(i, j) pairs where value i is redundant because of value j (i is reported).

    A pattern can only cover values that start with its literal head (the text
    before its first wildcard), so each pattern is tested only against the
    values in that range of the sorted list.
    """
    keyed = [v.lower() if fold else v for v in values]
    found: dict[int, int] = {}
    first: dict[str, int] = {}
    for i, k in enumerate(keyed):
        if k in first:
            found[i] = first[k]
        else:
            first[k] = i
    wild = [(j, values[j]) for j in first.values() if has_wildcard(values[j]) and "${" not in values[j]]
    budget = COMPARISONS
    if wild:
        order = sorted(first.items())
        keys = [k for k, _ in order]
        by_field = _by_resource_field(first) if not actions else {}
        for j, w in wild:
            kw = keyed[j]
            cut = min(x for x in (kw.find("*"), kw.find("?")) if x >= 0)
            head, pos_keys, pos_order = kw[:cut], keys, order
            narrower = _resource_field_candidates(kw, by_field) if by_field else None
            if narrower is not None:
                # A six-field ARN pattern whose service is literal covers only
                # ARNs of that service whose resource field starts with the
                # pattern's literal resource head (a wildcard never crosses ":").
                head, pos_keys, pos_order = narrower
            for pos in range(bisect_left(pos_keys, head), len(pos_keys)):
                if not pos_keys[pos].startswith(head):
                    break
                i = pos_order[pos][1]
                if i == j or i in found:
                    continue
                budget -= 1
                if budget < 0:
                    return sorted(found.items())  # hostile list: stop, what was found stands
                if covers(w, values[i]) and not (covers(values[i], w) and j > i):
                    found[i] = j
    return sorted(found.items())


def _by_resource_field(first: dict[str, int]) -> dict[tuple[str, str], tuple[list[str], list[tuple[str, int]]]]:
    """Six-field ARNs grouped by (partition, service), each group sorted by
    resource field: (resource fields, [(resource field, index)])."""
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for k, i in first.items():
        parts = k.split(":", 5)
        if len(parts) == 6:
            groups.setdefault((parts[1], parts[2]), []).append((parts[5], i))
    out = {}
    for g, items in groups.items():
        items.sort()
        out[g] = ([f for f, _ in items], items)
    return out


def _resource_field_candidates(pattern: str, by_field: dict):
    """(head, sorted resource fields, [(field, index)]) to search for the
    values ARN ``pattern`` can cover, or None when the pattern's partition or
    service holds a wildcard (or it is not six fields): then every value with
    its literal head is a candidate."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or has_wildcard(parts[1]) or has_wildcard(parts[2]):
        return None
    fields, items = by_field.get((parts[1], parts[2]), ([], []))
    field = parts[5]
    cuts = [x for x in (field.find("*"), field.find("?")) if x >= 0]
    return field[: min(cuts)] if cuts else field, fields, items


def _signature(stmt: Statement) -> tuple:
    cond = tuple(sorted((c.operator, c.key.lower(), tuple(sorted(c.values))) for c in stmt.condition))
    return (stmt.effect, stmt.principal, stmt.not_principal, cond, stmt.resource is None)


class _Index:
    """A statement's actions and resources, split into exact values (a set
    lookup) and wildcard patterns (tested one by one)."""

    __slots__ = ("actions", "action_globs", "resources", "resource_globs")

    def __init__(self, stmt: Statement) -> None:
        acts = stmt.action or ()
        self.actions = {a.lower() for a in acts if not has_wildcard(a)}
        self.action_globs = [a for a in acts if has_wildcard(a)]
        res = stmt.resource or ()
        self.resources = {r for r in res if not has_wildcard(r)}
        self.resource_globs = [r for r in res if has_wildcard(r) and "${" not in r]

    def covers_action(self, a: str) -> bool:
        return a.lower() in self.actions or any(action_covers(b, a) for b in self.action_globs)

    def covers_resource(self, r: str) -> bool:
        return r in self.resources or any(resource_covers(b, r) for b in self.resource_globs)


def _covers(t: Statement, s: Statement, index: dict) -> bool:
    """Statement t covers statement s: every action and resource of s is covered by one of t."""
    if "*" not in t.action_services and not s.action_services <= t.action_services:
        return False
    it = index.get(t.index)
    if it is None:
        it = index[t.index] = _Index(t)
    if s.resource is None:
        if t.resource is not None:
            return False
    elif not all(it.covers_resource(r) for r in s.resource):
        return False
    return all(it.covers_action(a) for a in s.action or ())
