"""Text and JSON for the snapshot questions: ``can --snapshot``, ``who-can``,
``what-can`` and the snapshot's missing pieces."""

from __future__ import annotations

import json

from policylint.evaluate.graph import PathAnswer
from policylint.evaluate.snapshot import Answer
from policylint.model.snapshot import Snapshot
from policylint.report.text import safe

__all__ = ["render_paths_json", "render_paths_text", "render_problems_text", "render_what_can_json",
           "render_what_can_text", "short"]

_STATUS = {"allowed": "ALLOWED", "allowed-if": "ALLOWED IF", "explicit-deny": "DENIED (explicit deny)",
           "implicit-deny": "DENIED (implicit deny)"}


def short(arn: str) -> str:
    """``user/alice``, ``role/app/Name``, ``key/ID`` from an ARN; other text unchanged."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        return f"account {parts[4]}" if parts[5] == "root" else parts[5]
    return arn


def _answer_lines(pa: PathAnswer, indent: str = "  ") -> list[str]:
    lines = []
    for i, h in enumerate(pa.hops, 1):
        cond = f" if {' and '.join(h.conditions)}" if h.conditions else ""
        lines.append(f"{indent}{i}. {short(h.source)} -> {short(h.target)}: {h.label}{cond}")
        for s in h.statements:
            lines.append(f"{indent}     by {s}")
    if pa.via_escalation:
        lines.append(f"{indent}escalation: {pa.via_escalation}")
    decided = pa.answer
    who = short(decided.principal)
    word = "allowed" if decided.status == "allowed-if" else decided.status
    lines.append(f"{indent}{who} {decided.action} on {short(decided.resource)}: {word}"
                 + (f" if {' and '.join(decided.conditions)}" if decided.conditions else ""))
    for s in decided.statements:
        lines.append(f"{indent}   by {s}")
    return lines


def render_paths_text(answers: list[PathAnswer], question: str) -> str:
    """``can``/``who-can`` answers as text: one block per answer, each hop
    with the statements that allow it."""
    out = [safe(question)]
    if not answers:
        out.append("  nobody")
    for pa in answers:
        head = _STATUS[pa.status]
        cond = f" {' and '.join(pa.conditions)}" if pa.status == "allowed-if" else ""
        how = "directly" if not pa.hops else (
            f"through {len([h for h in pa.hops if h.kind != 'escalation' or pa.via_escalation is None or h is not pa.hops[-1]])} hop(s)"
            if not pa.via_escalation else f"by privilege escalation, {len(pa.hops)} step(s)")
        if pa.status in ("explicit-deny", "implicit-deny"):
            how = "directly, and no path of the graph leads to access"
        out.append(f"{short(pa.principal)}: {head}{cond} ({how})")
        out.extend(safe(line) for line in _answer_lines(pa))
    return "\n".join(out) + "\n"


def render_paths_json(answers: list[PathAnswer], query: dict) -> str:
    """``can``/``who-can`` answers as JSON: ``{"query": ..., "answers": [...]}``."""
    return json.dumps({"query": query, "answers": [pa.as_dict() for pa in answers]}, indent=2) + "\n"


def render_what_can_text(principal: str, found: dict[str, list[Answer]]) -> str:
    """``what-can``: per resource, the actions allowed (or allowed if ...)."""
    out = [f"what {short(principal)} can do:"]
    if not found:
        out.append("  nothing found")
    for resource in sorted(found):
        out.append(f"  {short(resource) if resource != '*' else '* (actions without a resource)'}:")
        for a in found[resource]:
            cond = f" if {' and '.join(a.conditions)}" if a.conditions else ""
            out.append(f"    {a.action}{cond}")
    return "\n".join(safe(line) for line in out) + "\n"


def render_what_can_json(principal: str, found: dict[str, list[Answer]]) -> str:
    """``what-can`` as JSON: ``{"principal", "resources": {ARN: [{"action", "status", "conditions", "statements"}]}}``."""
    return json.dumps({"principal": principal, "resources": {
        r: [{"action": a.action, "status": a.status, "conditions": list(a.conditions), "statements": list(a.statements)}
            for a in answers] for r, answers in sorted(found.items())}}, indent=2) + "\n"


def render_problems_text(snapshot: Snapshot) -> list[str]:
    """The snapshot's missing pieces as ``policylint: SEVERITY: file:line:col: message`` lines."""
    out = []
    for p in snapshot.problems:
        where = p.file + (f":{p.line}:{p.column}" if p.line else "")
        out.append(f"policylint: {'note' if p.severity == 'info' else p.severity}: {where}: {p.message}")
    return out
