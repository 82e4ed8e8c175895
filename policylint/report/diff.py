"""Render a policy diff (:class:`~policylint.evaluate.diff.DiffResult`) as text or JSON.

Formatting only: the new access is computed in :mod:`policylint.evaluate.diff`.
The JSON ``result`` is ``PASS`` (no new access) or ``FAIL``, the two results
of IAM Access Analyzer's *CheckNoNewAccess* (IAM Access Analyzer API Reference),
or ``INCOMPLETE`` when no new access was found but some requests could not be
compared (never a PASS).
"""

from __future__ import annotations

import json

from policylint.evaluate.diff import DiffResult
from policylint.report.text import safe

__all__ = ["render_diff_json", "render_diff_text"]

#: Actions listed per group in text; JSON lists them all.
_SHOWN = 12


def _kind_name(kind: str) -> str:
    return "resource-based policies" if kind == "resource" else "identity-based policies"


def render_diff_text(result: DiffResult) -> str:
    """The diff as lines of text: one block per group of new access, then a summary line."""
    old, new = result.old.file or result.old.name, result.new.file or result.new.name
    lines = [f"policylint diff {old} -> {new} ({_kind_name(result.kind)})"]
    if not result.groups and not result.complete:
        lines.append(f"INCOMPLETE: no new access found, but not everything was compared (see the notes): "
                     f"{new} may allow requests that {old} denies.")
    elif not result.groups:
        lines.append(f"No new access: every request {new} allows, {old} allows too.")
    else:
        n = len(result.groups)
        lines.append(f"New access: {new} allows requests that {old} denies, in {n} group{'s' if n != 1 else ''}:")
        for g in result.groups:
            shown = ", ".join(g.actions[:_SHOWN])
            if len(g.actions) > _SHOWN:
                shown += f" and {len(g.actions) - _SHOWN} more"
            lines.append("")
            lines.append(f"  + {shown}")
            example = "" if g.example_resource in g.resource_patterns else f"  (e.g. {g.example_resource})"
            lines.append(f"      on {', '.join(g.resource_patterns)}{example}")
            if g.principal is not None:
                lines.append(f"      to {g.principal}")
            if g.conditions:
                ctx = ", ".join(f"{k} = {v}" for k, v in g.example_context.items())
                lines.append(f"      when {' and '.join(g.conditions)}" + (f"  (e.g. {ctx})" if ctx else ""))
            else:
                lines.append("      with no condition")
            # The resource-based policy of a KMS key is its key policy.
            key = result.kind == "resource" and ":kms:" in g.example_resource and ":key/" in g.example_resource
            for ref in g.statements:
                lines.append(f"      allowed by {ref.describe('key policy' if key else None)}")
            for ref in g.old_denied_by:
                lines.append(f"      no longer denied by {ref.describe('key policy' if key else None)}")
    lines.append("")
    lines.append(f"Decided {result.probes} request{'s' if result.probes != 1 else ''} with each policy.")
    for note in result.notes:
        lines.append(f"note: {note}")
    for gap in result.gaps:
        lines.append(f"note: not compared: {gap}")
    return "\n".join(safe(line) for line in lines) + "\n"


def render_diff_json(result: DiffResult) -> str:
    """The diff as a JSON object: ``old``, ``new``, ``kind``, ``result``
    (PASS/FAIL/INCOMPLETE), ``complete``, ``new_access`` (the groups), ``probes``, ``notes``."""
    data = {
        "old": result.old.file or result.old.name,
        "new": result.new.file or result.new.name,
        "kind": result.kind,
        "result": result.result,
        "new_access": [g.as_dict() for g in result.groups],
        "probes": result.probes,
        "notes": list(result.notes) + [f"not compared: {g}" for g in result.gaps],
        "complete": result.complete,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
