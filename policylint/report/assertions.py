"""Render the results of ``policylint assert``: text or JSON. Formatting only."""

from __future__ import annotations

import json

from policylint.check.assertions import AssertionResult, Violation
from policylint.report.text import safe

__all__ = ["render_assertions_json", "render_assertions_text"]

_STATUS = {
    "allowed": "is allowed",
    "allowed-if": "is allowed if",
    "implicit-deny": "is denied (implicit deny)",
    "explicit-deny": "is denied (explicit deny)",
}


def _violation_lines(v: Violation) -> list[str]:
    head = f"  {v.principal} {_STATUS.get(v.status, v.status)}"
    if v.status == "allowed-if":
        head += " " + " and ".join(v.conditions)
    lines = [f"{head}: {v.action} on {v.resource}"]
    for hop in v.path:
        lines.append(f"    via {hop}")
    for st in v.statements:
        lines.append(f"    {st}")
    return lines


def render_assertions_text(results: list[AssertionResult]) -> str:
    """One ``PASS``/``FAIL source:line: assertion`` line per assertion; under
    each failure, one line per breaking request (principal, status, action,
    resource), its path and the statements (file:line:col); then a summary."""
    lines: list[str] = []
    for r in results:
        a = r.assertion
        lines.append(f"{'PASS' if r.holds else 'FAIL'} {a.where}: {a.text}")
        for v in r.violations:
            lines.extend(_violation_lines(v))
    failed = sum(1 for r in results if not r.holds)
    lines.append("")
    lines.append(f"{len(results)} assertion(s): {len(results) - failed} hold, {failed} fail.")
    return "\n".join(safe(line) for line in lines) + "\n"


def render_assertions_json(results: list[AssertionResult]) -> str:
    """``{"assertions": [{"assertion", "kind", "file", "line", "holds",
    "requests_checked", "violations": [{"principal", "action", "resource",
    "status", "conditions", "statements", "path"}]}], "summary": {...}}``."""
    doc = {
        "assertions": [
            {
                "assertion": r.assertion.text,
                "kind": r.assertion.kind,
                "file": r.assertion.source,
                "line": r.assertion.line,
                "holds": r.holds,
                "requests_checked": r.checked,
                "violations": [v.as_dict() for v in r.violations],
            }
            for r in results
        ],
        "summary": {"assertions": len(results), "hold": sum(r.holds for r in results),
                    "fail": sum(not r.holds for r in results)},
    }
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
