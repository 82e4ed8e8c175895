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
    if arn == "arn:aws:iam::000000000000:root":
        return 'anyone (Principal "*"), from any account'
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
    if not decided.possible and decided.decision is not None:
        for step in decided.decision.steps:
            lines.append(f"{indent}   {step.policy_type or 'evaluation'}: {step.text}")
    return lines


def render_paths_text(answers: list[PathAnswer], question: str) -> str:
    """``can``/``who-can`` answers as text: one block per answer, each hop
    with the statements that allow it. When the answers are for several
    actions (a wildcard), one line per principal and way of access lists the
    actions instead (``--format json`` has every path)."""
    out = [safe(question)]
    if not answers:
        out.append("  nobody")
    if len({pa.answer.action for pa in answers}) > 1:
        return "\n".join(out + _grouped(answers)) + "\n"
    for pa in answers:
        head = _STATUS[pa.status]
        cond = f" {' and '.join(pa.conditions)}" if pa.status == "allowed-if" else ""
        how = "directly" if not pa.hops else (
            f"through {len([h for h in pa.hops if h.kind != 'escalation' or pa.via_escalation is None or h is not pa.hops[-1]])} hop(s)"
            if not pa.via_escalation else f"by privilege escalation, {len(pa.hops)} step(s)")
        if pa.status in ("explicit-deny", "implicit-deny"):
            how = "directly" if len(answers) > 1 else "directly, and no path of the graph leads to access"
        out.append(f"{short(pa.principal)}: {head}{cond} ({how})")
        out.extend(safe(line) for line in _answer_lines(pa))
    return "\n".join(out) + "\n"


def _grouped(answers: list[PathAnswer]) -> list[str]:
    groups: dict[tuple, list[str]] = {}
    for pa in answers:
        route = " -> ".join(short(h.target) for h in pa.hops)
        how = ("by privilege escalation via " + route) if pa.via_escalation else (f"via {route}" if route else "directly")
        key = (short(pa.principal), _STATUS[pa.status], " and ".join(pa.conditions), how)
        groups.setdefault(key, []).append(pa.answer.action)
    lines = []
    for (who, status, cond, how), acts in sorted(groups.items()):
        lines.append(safe(f"{who}: {status}{' ' + cond if cond else ''} ({how}): {', '.join(sorted(set(acts)))}"))
    return lines


def render_paths_json(answers: list[PathAnswer], query: dict) -> str:
    """``can``/``who-can`` answers as JSON: ``{"query": ..., "answers": [...]}``."""
    return json.dumps({"query": query, "answers": [pa.as_dict() for pa in answers]}, indent=2) + "\n"


def render_what_can_text(principal: str, found: dict[str, list[Answer]]) -> str:
    """``what-can``: per resource, the actions allowed (or allowed if ...)."""
    out = [f"what {short(principal)} can do:"]
    if not found:
        out.append("  nothing found")
    for resource in sorted(found):
        shown = short(resource) if resource != "*" else '* (Resource "*")'
        out.append(f"  {shown}:")
        for a in found[resource]:
            cond = f" if {' and '.join(a.conditions)}" if a.conditions else ""
            via = f" (via {' -> '.join(short(v) for v in a.via)})" if a.via else ""
            out.append(f"    {a.action}{cond}{via}")
    return "\n".join(safe(line) for line in out) + "\n"


def render_what_can_json(principal: str, found: dict[str, list[Answer]]) -> str:
    """``what-can`` as JSON: ``{"principal", "resources": {ARN: [{"action", "status", "conditions", "statements"}]}}``."""
    return json.dumps({"principal": principal, "resources": {
        r: [{"action": a.action, "status": a.status, "conditions": list(a.conditions), "statements": list(a.statements),
             "via": list(a.via)} for a in answers] for r, answers in sorted(found.items())}}, indent=2) + "\n"


def render_problems_text(snapshot: Snapshot) -> list[str]:
    """The snapshot's missing pieces as ``policylint: SEVERITY: file:line:col: message`` lines."""
    out = []
    for p in snapshot.problems:
        where = p.file + (f":{p.line}:{p.column}" if p.line else "")
        out.append(f"policylint: {'note' if p.severity == 'info' else p.severity}: {where}: {p.message}")
    return out
