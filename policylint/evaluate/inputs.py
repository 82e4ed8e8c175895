"""Read the policy files of one authorization into a :class:`PolicySet`.

Any file ``policylint lint`` reads can be given (bare documents, AWS CLI
outputs, YAML). A file that cannot be read, or whose policy has grammar
errors that make a statement unusable, is an error the caller reports: an
authorization answer over a half-read policy would be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.load.reader import read_file
from policylint.model.grant import build_grants
from policylint.model.kinds import detect_kind
from policylint.model.policy import PolicyKind
from policylint.model.problems import ProblemKind
from policylint.model.validate import build_policy

__all__ = ["InputError", "PolicyInputs", "read_policies", "read_grants"]

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
    ps.scps = [read_policies(f, PolicyKind.SCP) for f in inputs.scps]
    ps.rcps = [read_policies(f, PolicyKind.RCP) for f in inputs.rcps]
    if inputs.grants:
        ps.grants = read_grants(inputs.grants)
        ps.grants_file = inputs.grants
    return ps


def _one(policies: list[NamedPolicy], path: str, what: str) -> NamedPolicy:
    if len(policies) != 1:
        raise InputError(f"{path}: holds {len(policies)} policies; a {what} is one policy")
    return policies[0]
