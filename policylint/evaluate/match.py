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
from policylint.wildcard import compile_glob

__all__ = ["arn_fields", "matched_catalog_actions", "statement_matches_action", "statement_matches_resource"]


def statement_matches_action(stmt: Statement, action: str) -> bool:
    """True if the statement's ``Action`` matches ``action`` (``service:Name``),
    or its ``NotAction`` does not; False when it has neither."""
    if stmt.action is not None:
        return any(compile_glob(p, True).match(action) for p in stmt.action)
    if stmt.not_action is not None:
        return not any(compile_glob(p, True).match(action) for p in stmt.not_action)
    return False


def matched_catalog_actions(stmt: Statement, candidates: frozenset[str]) -> frozenset[str]:
    """The subset of ``candidates`` (lower-case ``service:name`` of catalog
    actions) that the statement's Action/NotAction matches.

    Equivalent to :func:`statement_matches_action` on each candidate, but
    computed with cached per-pattern expansions, and skipping patterns whose
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


def statement_matches_resource(stmt: Statement, arn: str) -> bool:
    """True if the statement's ``Resource`` matches the resource ``arn`` (or
    ``"*"`` for actions without resource types), or its ``NotResource`` does
    not. A statement with neither matches nothing, except in a trust policy,
    whose resource is the role itself."""
    if stmt.resource is not None:
        return any(compile_glob(p).match(arn) for p in stmt.resource)
    if stmt.not_resource is not None:
        return not any(compile_glob(p).match(arn) for p in stmt.not_resource)
    return False


def arn_fields(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """Split ``arn:partition:service:region:account:resource`` (the resource may
    contain colons); None if there are fewer than six fields."""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
