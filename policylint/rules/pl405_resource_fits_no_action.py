"""PL405 resource-fits-no-action."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from policylint import catalog
from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.model.policy import PolicyKind, Statement
from policylint.rules._iam import facts, fits_format, resource_formats, sample, service_types, spelled, statement_names


@lru_cache(maxsize=65536)
def _fits_any(value: str, names: frozenset[str]) -> bool:
    """True if ``value`` fits the ARN format of some resource type that an
    action of ``names`` acts on (only formats of the value's own service are
    tried when its service field is literal)."""
    every, by_service, loose = _format_index(names)
    svc = value.split(":", 3)[2].lower() if value.count(":") >= 3 else "*"
    candidates = every if "*" in svc or "?" in svc else by_service.get(svc, loose)
    return any(fits_format(value, fmt) for fmt in candidates)


@lru_cache(maxsize=8192)
def _format_index(names: frozenset[str]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], tuple[str, ...]]:
    """(every ARN format of ``names``' resource types; the same by the service
    field written in the format; the formats whose service field is not literal,
    which every service's list also holds)."""
    every = tuple(dict.fromkeys(fmt for _, _, fmt in _formats(names)))
    by_service: dict[str, list[str]] = {}
    loose: list[str] = []
    for fmt in every:
        parts = fmt.split(":", 3)
        svc = parts[2].lower() if len(parts) > 3 else ""
        if not svc or "$" in svc or "*" in svc or "?" in svc:
            loose.append(fmt)
        else:
            by_service.setdefault(svc, []).append(fmt)
    return every, {svc: tuple(fmts + loose) for svc, fmts in by_service.items()}, tuple(loose)


@lru_cache(maxsize=8192)
def _formats(names: frozenset[str]) -> tuple[tuple[str, str, str], ...]:
    """(service, resource type, ARN format) of every resource type of ``names``."""
    out = set()
    for n in names:
        f = facts(n)
        if f is None:
            continue
        svc = n.partition(":")[0]
        for rt, _ in f[1]:
            for fmt in resource_formats(svc, rt):
                out.add((svc, rt, fmt))
    return tuple(sorted(out))


def _checkable(stmt: Statement) -> bool:
    """Every Action value names known actions of one named service (no
    ``*`` service, nothing unknown)."""
    if stmt.action is None or stmt.resource is None:
        return False
    for p in stmt.action:
        svc = p.partition(":")[0]
        if "*" in svc or "?" in svc or catalog.check_action(p) != "known":
            return False
    return True


class ResourceFitsNoAction(Rule):
    """A Resource ARN is of a type that none of the statement's actions acts on.

    What it does:
        In identity-based policies, matches each ``Resource`` value (other
        than ``"*"``) against the ARN formats of the resource types that the
        statement's actions act on, as the Service Authorization Reference
        lists them. Placeholders (``${BucketName}``) match any text (bucket
        names and KMS key IDs never hold ``/``), and wildcards in the value
        match when they could name such a resource. A value that fits no
        action is reported, with the types the actions do act on. Statements
        with an unknown action, a service wildcard (``*``, ``*:Get*``) or
        ``NotResource`` are not checked.

    Why it matters:
        IAM silently ignores a resource that no action of the statement can
        apply to: the statement grants nothing on it. The classic cases are
        ``s3:GetObject`` on a bucket ARN (objects are ``bucket/key``),
        ``s3:ListBucket`` on ``bucket/*``, and a KMS key operation on an alias
        ARN (key operations need the key ARN; use ``kms:RequestAlias`` or
        ``kms:ResourceAliases`` to select keys by alias).

    Example:
        ``{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports"}``

    Instead:
        ``{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}``
    """

    code = "PL405"
    name = "resource-fits-no-action"
    summary = "a Resource ARN is of a type none of the statement's actions acts on (s3:GetObject on a bucket, kms:Decrypt on an alias)"
    severity = Severity.ERROR
    tags = ("iam", "catalog", "resource")
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY:
            return
        for stmt in doc.statements:
            # The cheap test first: most statements name only "*".
            if stmt.resource is None or all(v == "*" for v in stmt.resource) or not _checkable(stmt):
                continue
            names = statement_names(stmt)
            dead: list[str] | None = None
            for i, value in enumerate(stmt.resource):
                if value == "*" or _fits_any(value, names):
                    continue
                kinds = identify(value)
                if len(kinds) != 1:
                    continue  # a type the catalog does not know, or a value that fits several types
                if dead is None:
                    dead = [n for n in sorted(names) if _formats(frozenset((n,))) and not any(
                        v == "*" or any(fits_format(v, fmt) for _, _, fmt in _formats(frozenset((n,))))
                        for v in stmt.resource)]
                svc = kinds[0][0]
                own_dead = [n for n in dead if n.startswith(svc + ":")]
                if not own_dead:
                    # Every action of that service is granted on some other
                    # value: this one is a leftover, not a mistaken ARN.
                    continue
                yield ctx.finding(self, self._message(stmt, value, own_dead, kinds), stmt.value_path("Resource", i))

    @staticmethod
    def _message(stmt: Statement, value: str, dead: list[str], kinds) -> str:
        svc = kinds[0][0]
        what = f"{svc}:{kinds[0][1]}"
        acted = sample([f"{rt} ({fmt})" for _, rt, fmt in _formats(frozenset(dead))])
        verb = "acts" if len(dead) == 1 else "act"
        return (f'{stmt.label}: Resource "{clip(value)}" is of type {what}, which {sample([spelled(n) for n in dead])} '
                f"cannot act on, and no other Resource value fits {'it' if len(dead) == 1 else 'them'}: "
                f"the statement grants {'it' if len(dead) == 1 else 'them'} nothing; {'it' if len(dead) == 1 else 'they'} {verb} on {acted}")


@lru_cache(maxsize=16384)
def identify(value: str) -> tuple[tuple[str, str], ...]:
    """(service, resource type) of the catalog types of the ARN's service whose
    format ``value`` fits; empty when the service field has a wildcard, the
    resource field is only wildcards, or the value fits none of its types."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return ()
    svc = parts[2].lower()
    if set(parts[5]) <= {"*", "?"}:
        return ()
    if not svc or "*" in svc or "?" in svc or svc not in catalog.services():
        return ()
    out = []
    for rt, formats in sorted(service_types(svc).items()):
        if any(fits_format(value, fmt) for fmt in formats):
            out.append((svc, rt))
    return tuple(out)
