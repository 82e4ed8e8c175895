"""Render an authorization decision: a short tree in text, or JSON."""

from __future__ import annotations

import json

from policylint.evaluate.authorize import Decision, Outcome
from policylint.evaluate.policyset import PolicyType
from policylint.evaluate.request import Request
from policylint.report.text import safe

__all__ = ["render_decision_json", "render_decision_text"]

_VERB = {Outcome.ALLOWED: "Allowed", Outcome.EXPLICIT_DENY: "Denied (explicit deny)", Outcome.IMPLICIT_DENY: "Denied (implicit deny)"}


def render_decision_text(decision: Decision, request: Request, strict: bool = False) -> str:
    """The decision, the explanation as a tree, missing keys and what would change it."""
    lines = [
        f"{_VERB[decision.outcome]}: {request.caller} {'can' if decision.allowed else 'cannot'} "
        f"{request.action} on {request.resource}",
    ]
    arn = request.resource_arn
    is_key = arn is not None and arn.service == "kms" and arn.resource.startswith("key/")

    def name(policy_type) -> str:
        return "key policy" if is_key and policy_type is PolicyType.RESOURCE else str(policy_type)

    steps = decision.steps
    for i, step in enumerate(steps):
        branch = "└─" if i == len(steps) - 1 else "├─"
        head = f"{name(step.policy_type)}: " if step.policy_type else ""
        lines.append(f"  {branch} {head}{step.text}")
        cont = "   " if i == len(steps) - 1 else "│  "
        for ref in step.refs:
            lines.append(f"  {cont}   {ref.describe(name(ref.policy_type))}")
    if decision.missing_keys:
        lines.append("")
        lines.append("Conditions read context keys the question did not give: " + ", ".join(decision.missing_keys))
        if strict:
            lines.append("(--strict: they are absent, as AWS would see a request without them)")
    for alt in decision.alternatives:
        if alt.example:
            tried = " and ".join(f"{k} = {v}" for k, v in alt.example.items())
            lines.append(f"Would be {alt.outcome} with {tried} (decided again with that context)")
        else:
            lines.append(f"Would be {alt.outcome} if: " + " and ".join(alt.when))
        for ref in alt.refs:
            lines.append(f"    {ref.describe(name(ref.policy_type))}")
        if alt.unchecked:
            lines.append("    not checked: other statements read the same keys and may change it too:")
            for ref in alt.unchecked:
                lines.append(f"      {ref.describe(name(ref.policy_type))}")
    return "\n".join(safe(line) for line in lines) + "\n"


def render_decision_json(decision: Decision, request: Request) -> str:
    """The decision as JSON: the request, ``decision`` (Allowed, ExplicitDeny or
    ImplicitDeny), the determining statements, the explanation, the missing
    context keys and what would change the answer."""
    doc = {
        "request": {
            "principal": str(request.caller),
            "action": request.action,
            "resource": request.resource,
            "context": {request.key_names.get(k, k): list(v) for k, v in sorted(request.context.items())},
        },
        **decision.as_dict(),
    }
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
