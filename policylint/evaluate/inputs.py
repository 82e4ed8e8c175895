"""Read the policy files of one authorization into a :class:`PolicySet`.

Any file ``policylint lint`` reads can be given (bare documents, AWS CLI
outputs, YAML). A file that cannot be read, or whose policy has grammar
errors that make a statement unusable, is an error the caller reports: an
authorization answer over a half-read policy would be wrong.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.request import CallerError, Request, parse_caller, resolve_resource
from policylint.load.reader import read_file
from policylint.model.grant import build_grants
from policylint.model.kinds import detect_kind
from policylint.model.policy import PolicyKind
from policylint.model.problems import ProblemKind
from policylint.model.validate import build_policy

__all__ = ["InputError", "PolicyInputs", "build_policy_set", "build_request", "read_context_file", "read_grants", "read_policies"]

# Grammar problems that leave the policy's meaning intact (it is still evaluated).
_HARMLESS = frozenset((ProblemKind.MISSING_VERSION, ProblemKind.DUPLICATE_SID, ProblemKind.PRINCIPAL_NOT_ALLOWED,
                       ProblemKind.PRINCIPAL_REQUIRED, ProblemKind.ELEMENT_NOT_ALLOWED))


class InputError(Exception):
    """A policy or grants file that cannot be used; the message names the file and position."""


@dataclass
class PolicyInputs:
    """Files for each policy type, as the ``can`` command takes them."""

    identity: list[str] = field(default_factory=list)
    resource: str | None = None
    boundary: str | None = None
    session: str | None = None
    #: one entry per level, from the organization root down: a file, or files separated by commas
    scps: list[str] = field(default_factory=list)
    rcps: list[str] = field(default_factory=list)
    grants: str | None = None


def read_policies(path: str, kind: PolicyKind | None = None) -> list[NamedPolicy]:
    """Every policy in one file, validated.

    Args:
        path: the file.
        kind: the kind to validate against (Principal rules), or None to detect.

    Raises:
        InputError: the file cannot be read or parsed, holds no policy, or a
            policy has a grammar error that changes what it means.
    """
    loaded = read_file(path)
    for p in loaded.problems:
        where = f"{path}:{p.line}:{p.column}" if p.line else path
        raise InputError(f"{where}: {p.message}")
    if not loaded.policies:
        raise InputError(f"{path}: {loaded.skip_reason or 'no policy document found'}")
    out = []
    for i, ps in enumerate(loaded.policies):
        k, _ = detect_kind(ps.document, kind or ps.kind_hint, path)
        doc, problems = build_policy(ps.document, k)
        serious = [p for p in problems if p.kind not in _HARMLESS]
        if doc is None or serious:
            p = serious[0] if serious else problems[0]
            pos = ps.locator.locate(p.path) or (None, None)
            where = f"{path}:{pos[0]}:{pos[1]}" if pos[0] else path
            raise InputError(f"{where}: {p.message} (run policylint lint {path})")
        name = ps.name or (path if len(loaded.policies) == 1 else f"{path} policy {i + 1}")
        out.append(NamedPolicy(name, doc, path, ps.locator.locate))
    return out


def read_grants(path: str):
    """Grants from an ``aws kms list-grants`` output file.

    Raises:
        InputError: the file cannot be read or holds no valid grants list.
    """
    loaded = read_file(path)
    for p in loaded.problems:
        where = f"{path}:{p.line}:{p.column}" if p.line else path
        raise InputError(f"{where}: {p.message}")
    grants, problems = build_grants(loaded.roots[0] if loaded.roots else None)
    if problems:
        raise InputError(f"{path}: {problems[0]}")
    return grants


def build_policy_set(inputs: PolicyInputs) -> PolicySet:
    """Read every file of ``inputs``.

    Raises:
        InputError: for the first file that cannot be used.
    """
    ps = PolicySet()
    for f in inputs.identity:
        ps.identity.extend(read_policies(f, PolicyKind.IDENTITY))
    if inputs.resource:
        docs = read_policies(inputs.resource)
        if len(docs) != 1:
            raise InputError(f"{inputs.resource}: holds {len(docs)} policies; a resource has one resource-based policy")
        if not docs[0].document.kind.takes_principal:
            docs = read_policies(inputs.resource, PolicyKind.RESOURCE)
        ps.resource = docs[0]
    if inputs.boundary:
        ps.boundary = _one(read_policies(inputs.boundary, PolicyKind.IDENTITY), inputs.boundary, "permissions boundary")
    if inputs.session:
        ps.session = _one(read_policies(inputs.session, PolicyKind.IDENTITY), inputs.session, "session policy")
    ps.scps = [_level(entry, PolicyKind.SCP) for entry in inputs.scps]
    ps.rcps = [_level(entry, PolicyKind.RCP) for entry in inputs.rcps]
    if inputs.grants:
        ps.grants = read_grants(inputs.grants)
        ps.grants_file = inputs.grants
    return ps


def _level(entry: str, kind: PolicyKind) -> list[NamedPolicy]:
    """One SCP or RCP level: a file, or several files separated by commas."""
    return [p for f in entry.split(",") if f.strip() for p in read_policies(f.strip(), kind)]


def _one(policies: list[NamedPolicy], path: str, what: str) -> NamedPolicy:
    if len(policies) != 1:
        raise InputError(f"{path}: holds {len(policies)} policies; a {what} is one policy")
    return policies[0]


def read_context_file(path: str) -> dict[str, list[str]]:
    """A ``--context-file``: a JSON object of context key to a string (or
    number or boolean) or a list of them. Booleans become ``true``/``false``.

    Raises:
        InputError: the file cannot be read, is not JSON, or has another shape.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object of context key to string or list of strings")
    out: dict[str, list[str]] = {}
    for k, v in data.items():
        values = v if isinstance(v, list) else [v]
        if not all(isinstance(x, (str, int, float, bool)) for x in values):
            raise InputError(f"{path}: {k}: values must be strings or lists of strings")
        out.setdefault(k, []).extend("true" if x is True else "false" if x is False else str(x) for x in values)
    return out


#: Keys every real request carries, given a value when the question does not.
#: IAM User Guide, *AWS global condition context keys*: aws:CurrentTime and
#: aws:EpochTime are always present; aws:SecureTransport is present on every
#: request (AWS APIs are called over TLS).
def _ambient(now: float) -> dict[str, str]:
    return {
        "aws:CurrentTime": datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now)),
        "aws:SecureTransport": "true",
    }


def build_request(principal: str, action: str, resource: str | None, context: dict[str, list[str]],
                  account: str | None = None, region: str | None = None, now: float | None = None) -> Request:
    """The :class:`Request` of a ``can`` question.

    Args:
        principal: an ARN, an account ID, a service principal or a short form
            (see :func:`parse_caller`).
        action: ``service:Action``.
        resource: an ARN, ``*``, or a short form (see :func:`resolve_resource`); None for ``*``.
        context: key -> values as given (a key given twice has several values).
        account: account ID for short forms (default: the principal's account, for the resource).
        region: Region for ``key/`` and ``alias/`` short forms.
        now: epoch seconds for aws:CurrentTime/aws:EpochTime (default: the clock).

    Raises:
        InputError: the principal, action or resource cannot be understood.
    """
    try:
        caller = parse_caller(principal, account)
        res = resolve_resource(resource or "*", account or caller.account, region, caller.partition)
    except CallerError as e:
        raise InputError(str(e)) from None
    if ":" not in action or not all(action.split(":", 1)):
        raise InputError(f"{action!r} is not an action: use service:Action, such as kms:Decrypt")
    ctx = {k: list(v) for k, v in context.items()}
    given = {k.lower() for k in ctx}
    for key, value in _ambient(time.time() if now is None else now).items():
        if key.lower() not in given:
            ctx[key] = [value]
    return Request(caller, action, res, {k: tuple(v) for k, v in ctx.items()})
