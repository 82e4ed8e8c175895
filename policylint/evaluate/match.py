"""Statement matching: does a statement's Action/Resource cover a request?

Sources: IAM User Guide, *IAM JSON policy elements: Action* and *NotAction*
(action names and service prefixes are case-insensitive; ``*`` and ``?``
wildcards), *IAM JSON policy elements: Resource* and *NotResource* (ARNs are
case-sensitive; wildcards in any segment), *Amazon Resource Names (ARNs)*.
"""

from __future__ import annotations

from functools import lru_cache

from policylint import catalog
from policylint.model.policy import Statement

__all__ = ["matched_catalog_actions"]


def matched_catalog_actions(stmt: Statement, candidates: frozenset[str]) -> frozenset[str]:
    """The subset of ``candidates`` (lower-case ``service:name`` of catalog
    actions) that the statement's Action/NotAction matches.

    Computed with cached per-pattern expansions, skipping patterns whose
    service prefix cannot match any candidate's, so it is cheap to ask about
    many actions of a few services at once.
    """
    services = _services_of(candidates)
    patterns = stmt.action if stmt.action is not None else stmt.not_action
    if patterns is None:
        return frozenset()
    if "*" not in stmt.action_services and stmt.action_services.isdisjoint(services):
        return frozenset() if stmt.action is not None else candidates
    hit: set[str] = set()
    for p in patterns:
        svc = p.partition(":")[0].lower()
        if svc not in services and "*" not in svc and "?" not in svc:
            continue
        names = catalog.expand_names(p)
        if names is None:  # "*"
            if stmt.action is not None:
                return candidates
            return frozenset()
        hit |= names & candidates
    return frozenset(hit) if stmt.action is not None else candidates - hit


@lru_cache(maxsize=256)
def _services_of(candidates: frozenset[str]) -> frozenset[str]:
    return frozenset(c.partition(":")[0] for c in candidates)
