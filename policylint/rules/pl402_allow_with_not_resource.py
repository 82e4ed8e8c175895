"""PL402 allow-with-not-resource."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.model.policy import PolicyKind
from policylint.rules._iam import (all_of_type, facts, finding, narrowing_keys, plural, resource_formats, sample,
                                   statement_names)


def _types_left(names: frozenset[str], excluded: tuple[str, ...]) -> tuple[list[str], int, bool]:
    """(resource types of ``names`` that no NotResource value covers, how many
    types in all, whether some action takes only ``"*"``)."""
    types: dict[tuple[str, str], tuple[str, ...]] = {}
    star_only = False
    for n in names:
        f = facts(n)
        if f is None:
            continue
        svc = n.partition(":")[0]
        if not f[1]:
            star_only = True
        for rt, _ in f[1]:
            types.setdefault((svc, rt), resource_formats(svc, rt))
    star_only = star_only and "*" not in excluded
    comparisons = sum(len(f) for f in types.values()) * len(excluded)
    if comparisons > _MAX_COMPARISONS:
        return [], 0, star_only  # too many to compare cheaply: say only what is allowed
    several = len({s for s, _ in types}) > 1
    left = []
    for (svc, rt), formats in sorted(types.items()):
        if not formats or not all(any(all_of_type(v, fmt) for v in excluded) for fmt in formats):
            left.append(f"{svc}:{rt}" if several else rt)
    return left, len(types), star_only


#: Most ARN-format comparisons made for one statement; a statement needing
#: more (hundreds of wildcard NotResource values against every resource type)
#: is reported without the count of types left, rather than slowly.
_MAX_COMPARISONS = 5_000


class AllowWithNotResource(Rule):
    """An Allow statement with ``NotResource`` grants its actions on every resource it does not list.

    What it does:
        In identity-based policies, reports every ``"Effect": "Allow"``
        statement that uses ``NotResource``, and says how much is left: of the
        resource types the statement's actions act on (from the catalog), how
        many no ``NotResource`` value excludes, with examples. The finding is a
        warning when no condition narrows the statement, and info otherwise.

    Why it matters:
        ``NotResource`` with ``Allow`` means "every resource except these", in
        every account and Region, including resources created later and
        resource types the author did not think of. The IAM User Guide warns
        that it can grant more than intended.

    Example:
        ``{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::payroll/*"}``

    Instead:
        List the resources in ``Resource``. To keep a few resources out of a
        broad grant, add a ``Deny`` statement for them.
    """

    code = "PL402"
    name = "allow-with-not-resource"
    summary = "an Allow statement uses NotResource: it grants its actions on every resource it does not list"
    severity = Severity.WARNING
    tags = ("iam", "least-privilege")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY:
            return
        for stmt in doc.statements:
            if stmt.effect != "Allow" or stmt.not_resource is None:
                continue
            names = statement_names(stmt)
            if stmt.action is not None:
                what = sample([f'"{clip(a)}"' for a in stmt.action])
            else:
                what = "every action but those NotAction lists"
            left, n_types, star_only = _types_left(names, stmt.not_resource)
            if n_types:
                rest = (f": {len(left):,} of the {plural(n_types, 'resource type')} these actions act on are not "
                        "excluded" + (f" ({sample(left)})" if left else ""))
            else:
                rest = ""
            if star_only:
                rest += ", and actions that take only \"*\" are allowed too"
            keys = narrowing_keys(stmt)
            cond = f"; only a Condition on {sample(keys)} narrows it" if keys else ""
            n_excl = len(stmt.not_resource)
            yield finding(
                ctx, self,
                f"{stmt.label} allows {what} ({plural(len(names), 'action')}) on every resource in every account "
                f"but the {plural(n_excl, 'pattern')} NotResource lists{rest}{cond}",
                stmt.path + ("NotResource",),
                narrower=bool(keys),
                key=True,
            )
