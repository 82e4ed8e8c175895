"""Findings about a snapshot's principals (``policylint lint --snapshot``):
console minimums decided on each user's and role's effective permissions,
and the snapshot's missing pieces.

A principal is checked when it can use or manage KMS keys (the evaluator
allows it some key operation on a key of the snapshot, or ``kms:ListKeys``)
and is not CLI/SDK-only (configuration ``cli-sdk-only`` ARN patterns, a role
only AWS services or identity providers assume, a service-linked role). Its
effective permissions are the evaluator's: own, group, managed and inline
policies, permissions boundary and SCPs.

Sources: KMS Developer Guide, *Permissions required to use the AWS KMS
console* and *AWS managed policy for power users*; IAM User Guide, *Policy
evaluation logic*.
"""

from __future__ import annotations

from functools import lru_cache

from policylint.check.finding import Finding, Location, Severity
from policylint.check.registry import registry
from policylint.config import Settings
from policylint.evaluate.candidates import key_candidates
from policylint.evaluate.snapshot import SnapshotEvaluator
from policylint.model.policy import PolicyKind
from policylint.model.snapshot import IamRole, IamUser, Snapshot
from policylint.rules._console import EITHER, LIST_PAGES

__all__ = ["snapshot_findings", "USES_KEYS"]

#: Key operations that make a principal a KMS user or manager.
USES_KEYS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:PutKeyPolicy",
             "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation")


def snapshot_findings(snapshot: Snapshot, settings: Settings) -> list[Finding]:
    """PL610 for every missing piece, PL603 for every principal that uses or
    manages keys without the console minimums (unless CLI/SDK-only)."""
    _locator.cache_clear()  # files are read afresh by each run
    reg = registry()
    overrides = settings.severity_overrides()
    out: list[Finding] = []
    incomplete = reg.get("PL610")
    if settings.rule_enabled("PL610"):
        for p in snapshot.problems:
            sev = Severity.parse(p.severity) if "PL610" not in overrides else overrides["PL610"]
            out.append(Finding("PL610", incomplete.name, sev, p.message, Location(p.file, p.line, p.column)))
    if not settings.rule_enabled("PL603"):
        return out
    rule = reg.get("PL603")
    sev = overrides.get("PL603", rule.severity)
    ev = SnapshotEvaluator(snapshot)
    for who in [*snapshot.users.values(), *snapshot.roles.values()]:
        if _not_console(who, settings, ev):
            continue
        if not _uses_keys(who, snapshot, ev):
            continue
        lacking = []
        own_keys = {k for k, key in snapshot.keys.items() if key.account == who.account}
        for need in LIST_PAGES:
            a = ev.decide(who.arn, need.action, "*")
            if not a.allowed and need.scope == EITHER:
                # The documented console policy grants tag:GetResources on the
                # account's keys: either scope is accepted (see PL600). IAM
                # alone authorizes it, so one key its statements name decides.
                named = [k for k in key_candidates(ev, who.arn, (need.action,)) if k in own_keys][:1]
                a = next((b for b in (ev.decide(who.arn, need.action, k) for k in named) if b.allowed), a)
            if not a.allowed:
                lacking.append((need, a))
        if not lacking:
            continue
        kind = "user" if isinstance(who, IamUser) else "role"
        label = f"{kind}{who.path}{who.name}"
        parts = []
        for need, a in lacking:
            why = "explicitly denied" if a.status == "explicit-deny" else (
                "not allowed by the permissions boundary" if _boundary_blocks(a) else "not allowed")
            parts.append(f"{need.action} ({why}; without it: {need.breaks})")
        pos = _position(who)
        out.append(Finding("PL603", rule.name, sev,
                           f"{label} can use or manage KMS keys but lacks the KMS console minimums: "
                           + "; ".join(parts) + ". Grant them, or mark the principal CLI/SDK-only (cli-sdk-only)",
                           Location(who.file, pos[0], pos[1], who.pointer, label)))
    return out


def _not_console(who, settings: Settings, ev: SnapshotEvaluator) -> bool:
    if settings.is_cli_sdk_only_principal(who.arn):
        return True
    if isinstance(who, IamRole):
        if who.service_linked or who.trust is None:
            return True
        trust = ev.named(who.trust, _TRUST)
        if trust is None:
            return True
        # A role that only services or identity providers assume has no console user.
        return not any(st.effect == "Allow" and st.principal is not None and (st.principal.aws or st.principal.all)
                       for st in trust.document.statements)
    return False


def _uses_keys(who, snapshot: Snapshot, ev: SnapshotEvaluator) -> bool:
    """It may list keys, or use or manage some key (allowed, or allowed if
    conditions hold: a user whose key use needs MFA is still a key user)."""
    if ev.decide(who.arn, "kms:ListKeys", "*").possible:
        return True
    # Only the keys its policies, key policies or grants could allow are decided.
    for act in USES_KEYS:
        if any(ev.decide(who.arn, act, key).possible for key in key_candidates(ev, who.arn, (act,))):
            return True
    return False


def _boundary_blocks(answer) -> bool:
    d = answer.decision
    return d is not None and d.decided_by is not None and str(d.decided_by) == "permissions boundary"


def _position(who) -> tuple[int | None, int | None]:
    locator = _locator(who.file) if who.file else None
    if locator is None:
        return None, None
    path = tuple(int(p) if p.isdigit() else p for p in who.pointer.strip("/").split("/"))
    return locator.locate(path) or (None, None)


@lru_cache(maxsize=16)
def _locator(file: str):
    """A JSON locator for ``file`` (read once per run), or None when it is not JSON."""
    from policylint.load.jsonload import JsonLocator
    from policylint.load.reader import read_file

    loaded = read_file(file)
    return JsonLocator(loaded.source) if loaded.source is not None and loaded.format == "json" else None


_TRUST = PolicyKind.TRUST
