"""Read the policy files of one authorization into a :class:`PolicySet`.

Any file ``policylint lint`` reads can be given (bare documents, AWS CLI
outputs, YAML). A file that cannot be read, or whose policy has grammar
errors that make a statement unusable, is an error the caller reports: an
authorization answer over a half-read policy would be wrong.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from policylint import catalog
from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.request import Caller, CallerError, Request, derived_keys, parse_caller, resolve_resource
from policylint.load.reader import read_file
from policylint.load.source import json_type_name
from policylint.model.grant import build_grants, truncated
from policylint.model.kinds import detect_kind
from policylint.model.policy import PolicyKind
from policylint.model.problems import ProblemKind
from policylint.model.validate import build_policy

__all__ = ["InputError", "PolicyInputs", "build_policy_set", "build_request", "check_roles", "read_context_file",
           "read_grants", "read_policies", "request_notes"]

# Grammar problems that leave the policy's meaning intact (it is still evaluated).
_HARMLESS = frozenset((ProblemKind.MISSING_VERSION, ProblemKind.DUPLICATE_SID))

# What to say when a policy of the wrong kind is given to an option.
_WRONG_KIND_HINT = {
    ProblemKind.PRINCIPAL_NOT_ALLOWED: "it has a Principal, so it is a resource-based policy: give it with --key-policy",
    ProblemKind.PRINCIPAL_REQUIRED: "a statement without a Principal belongs in an identity-based policy "
                                    "(--identity-policy), a boundary, a session policy or an SCP",
}


def _harmless(problem, kind: PolicyKind) -> bool:
    """A key policy statement without Resource is accepted by AWS and has no
    effect (KMS Developer Guide, *Key policies*); it is evaluated as such."""
    if problem.kind in _HARMLESS:
        return True
    return (problem.kind is ProblemKind.MISSING_ELEMENT and kind is PolicyKind.RESOURCE
            and "no effect" in problem.message)


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


def read_policies(path: str, kind: PolicyKind | None = None, option: str | None = None) -> list[NamedPolicy]:
    """Every policy in one file, validated.

    Args:
        path: the file.
        kind: the kind to validate against (Principal rules), or None to detect.
        option: the command-line option that named the file, for messages.

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
    if any(ps.origin == "aws iam get-account-authorization-details output" for ps in loaded.policies):
        raise InputError(f"{path}: aws iam get-account-authorization-details output holds the policies of every user, "
                         "group and role; give the caller's own policies (each in a file, or one file with a list)")
    out = []
    for i, ps in enumerate(loaded.policies):
        k, _ = detect_kind(ps.document, kind or ps.kind_hint, path)
        doc, problems = build_policy(ps.document, k)
        serious = [p for p in problems if not _harmless(p, k)]
        if doc is None or serious:
            p = serious[0] if serious else problems[0]
            pos = ps.locator.locate(p.path) or (None, None)
            where = f"{path}:{pos[0]}:{pos[1]}" if pos[0] else path
            hint = _WRONG_KIND_HINT.get(p.kind)
            given = f"given as {option}: " if option else ""
            tail = f" ({given}{hint})" if hint else f" (run policylint lint {path})"
            raise InputError(f"{where}: {p.message}{tail}")
        _check_operators(doc, ps, path)
        if len(loaded.policies) == 1:
            name = ps.name or path
        elif ps.name and not ps.name.startswith("policy "):
            name = ps.name
        else:
            name = f"#{i + 1}"  # a list of policies: its place in the list; the file is in the position
        out.append(NamedPolicy(name, doc, path, ps.locator.locate))
    return out


def _locate(loaded, path: tuple) -> str:
    """``file:line:col`` of a data path in a loaded JSON file, or of the
    nearest enclosing value that exists (a missing field: its object);
    ``file`` when the file is not JSON."""
    if loaded.source is not None and loaded.format == "json":
        from policylint.load.jsonload import JsonLocator

        locator = JsonLocator(loaded.source)
        for n in range(len(path), -1, -1):
            pos = locator.locate(path[:n])
            if pos:
                return f"{loaded.path}:{pos[0]}:{pos[1]}"
    return loaded.path


def _read_data(path: str):
    """A file read as data (not as policies): the loaded file and its one document.

    Raises:
        InputError: it cannot be read or parsed (with the position).
    """
    loaded = read_file(path)
    for p in loaded.problems:
        where = f"{path}:{p.line}:{p.column}" if p.line else path
        raise InputError(f"{where}: {p.message}")
    if len(loaded.roots) != 1:
        raise InputError(f"{path}: expected one JSON or YAML document")
    return loaded, loaded.roots[0]


def _check_operators(doc, ps, path: str) -> None:
    """Refuse a condition operator that is not in the grammar: IAM rejects
    such a policy, and evaluating it would silently drop the statement.

    Raises:
        InputError: with the operator's position.
    """
    from policylint.parse.operators import OperatorError, parse_operator

    for stmt in doc.statements:
        for clause in stmt.condition:
            try:
                parse_operator(clause.operator)
            except OperatorError as e:
                pos = ps.locator.locate(stmt.condition_path(clause)[:-1], key=True)
                where = f"{path}:{pos[0]}:{pos[1]}" if pos else path
                raise InputError(f"{where}: {e} (IAM rejects the policy; run policylint lint {path})") from None


def read_grants(path: str) -> tuple[list, bool]:
    """Grants from an ``aws kms list-grants`` output file.

    Returns:
        (grants, truncated): ``truncated`` when the output says more grants follow.

    Raises:
        InputError: the file cannot be read or holds no valid grants list
            (with the position of the first bad grant).
    """
    loaded, root = _read_data(path)
    grants, problems = build_grants(root)
    if problems:
        where, message = problems[0]
        raise InputError(f"--grants {_locate(loaded, where)}: {message}")
    return grants, truncated(root)


def build_policy_set(inputs: PolicyInputs) -> PolicySet:
    """Read every file of ``inputs``.

    Raises:
        InputError: for the first file that cannot be used.
    """
    ps = PolicySet()
    for f in inputs.identity:
        ps.identity.extend(read_policies(f, PolicyKind.IDENTITY, "--identity-policy"))
    if inputs.resource:
        docs = read_policies(inputs.resource, None, "--key-policy")
        if len(docs) != 1:
            raise InputError(f"{inputs.resource}: holds {len(docs)} policies; a resource has one resource-based policy")
        if not docs[0].document.kind.takes_principal:
            docs = read_policies(inputs.resource, PolicyKind.RESOURCE, "--key-policy")
        ps.resource = docs[0]
    if inputs.boundary:
        ps.boundary = _one(read_policies(inputs.boundary, PolicyKind.IDENTITY, "--boundary"), inputs.boundary, "permissions boundary")
    if inputs.session:
        ps.session = _one(read_policies(inputs.session, PolicyKind.IDENTITY, "--session-policy"), inputs.session, "session policy")
    ps.scps = [_level(entry, PolicyKind.SCP, "--scp") for entry in inputs.scps]
    ps.rcps = [_level(entry, PolicyKind.RCP, "--rcp") for entry in inputs.rcps]
    if inputs.grants:
        ps.grants, ps.grants_truncated = read_grants(inputs.grants)
        ps.grants_file = inputs.grants
    return ps


def _level(entry: str, kind: PolicyKind, option: str) -> list[NamedPolicy]:
    """One SCP or RCP level: a file, or several files separated by commas.

    Raises:
        InputError: an empty entry, or a file that cannot be used.
    """
    files = [f.strip() for f in entry.split(",") if f.strip()]
    if not files:
        raise InputError(f"{option} {entry!r}: give a policy file (several files of one level separated by commas)")
    return [p for f in files for p in read_policies(f, kind, option)]


def _one(policies: list[NamedPolicy], path: str, what: str) -> NamedPolicy:
    if len(policies) != 1:
        raise InputError(f"{path}: holds {len(policies)} policies; a {what} is one policy")
    return policies[0]


def read_context_file(path: str) -> dict[str, list[str]]:
    """A ``--context-file``: a JSON (or YAML) object of context key to a value
    or a list of values. Values are strings; numbers and booleans are turned
    into text (``true``/``false``).

    Raises:
        InputError: the file cannot be read or parsed, or has another shape
            (with the position).
    """
    loaded, data = _read_data(path)
    if not isinstance(data, dict):
        raise InputError(f"{_locate(loaded, ())}: expected an object of context key to a value or a list of values")
    out: dict[str, list[str]] = {}
    for k, v in data.items():
        values = v if isinstance(v, list) else [v]
        for i, x in enumerate(values):
            if not isinstance(x, (str, int, float, bool)) or x is None:
                where = _locate(loaded, (k, i) if isinstance(v, list) else (k,))
                raise InputError(f"{where}: {k}: a value must be a string (or a number or boolean), not {json_type_name(x)}")
        out.setdefault(k, []).extend("true" if x is True else "false" if x is False else str(x) for x in values)
    return out


_ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9]+$")
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


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


def build_request(principal: str | Caller, action: str, resource: str | None, context: dict[str, list[str]],
                  account: str | None = None, region: str | None = None, now: float | None = None) -> Request:
    """The :class:`Request` of a ``can`` question.

    Args:
        principal: an ARN, an account ID, a service principal or a short form
            (see :func:`parse_caller`), or a :class:`Caller`.
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
        caller = principal if isinstance(principal, Caller) else parse_caller(principal, account)
        res = resolve_resource(resource or "*", account or caller.account, region, caller.partition)
    except CallerError as e:
        raise InputError(str(e)) from None
    if ":" not in action or not all(action.split(":", 1)):
        raise InputError(f"{action!r} is not an action: use service:Action, such as kms:Decrypt")
    if "*" in action or "?" in action:
        raise InputError(f"{action!r}: a request is for one action; wildcards belong in policies")
    if not _ACTION.match(action):
        raise InputError(f"{action!r} is not an action name: service:Action, letters and digits, such as kms:Decrypt")
    arn = res.split(":", 5)
    if res != "*" and (len(arn) != 6 or not arn[5] or arn[5].endswith("/")):
        raise InputError(f"{res!r} is not a complete resource ARN")
    if caller.account and res.startswith("arn:") and arn[1] != caller.partition:
        raise InputError(f"{res!r} is in partition {arn[1]}, the principal in {caller.partition}: "
                         "partitions do not share resources")
    if (res.startswith("arn:") and arn[2] == "kms" and arn[5].startswith("alias/")
            and action.lower() not in ("kms:createalias", "kms:deletealias", "kms:updatealias")):
        raise InputError(f"{res!r}: KMS authorizes {action} against the key an alias points to, not the alias; "
                         "give the key (key/ID or its ARN) and, to test kms:RequestAlias conditions, "
                         f"add: when kms:RequestAlias = {arn[5]}")
    ctx = {k: list(v) for k, v in context.items()}
    given = {k.lower() for k in ctx}
    for key, value in _ambient(time.time() if now is None else now).items():
        if key.lower() not in given:
            ctx[key] = [value]
    request = Request(caller, action, res, {k: tuple(v) for k, v in ctx.items()})
    _check_given_keys(request, given)
    return request


def _check_given_keys(request: Request, given: set[str]) -> None:
    """AWS sets the keys that describe the principal and the resource itself; a
    request cannot carry other values (IAM User Guide, *AWS global condition
    context keys*). A given value that contradicts them would answer a request
    AWS never sees.

    Raises:
        InputError: naming the key, the value AWS would set, and what to do instead.
    """
    for low, name, derived in derived_keys(request.caller, request.service, request.resource_arn):
        if low in given and request.context[low] != derived:
            raise InputError(f"{name} is set by AWS for this request to {', '.join(derived)}; a request cannot carry "
                             f"{', '.join(request.context[low])} (ask as another principal or about another resource instead)")
    owner = request.context.get("aws:resourceaccount")
    if "aws:resourceaccount" in given and owner is not None and (len(owner) != 1 or not _ACCOUNT_ID.match(owner[0])):
        raise InputError(f"aws:ResourceAccount takes one 12-digit account ID, not {', '.join(owner) or 'nothing'}")


def request_notes(request: Request, given: dict[str, list[str]], policies: PolicySet) -> list[str]:
    """Things about a question that are likely mistakes, though AWS would still
    answer it: an action or condition key the Service Authorization Reference
    does not list (a typo gives a silent implicit deny), a key the action never
    carries, and a resource-based policy that names no action of the
    request's service (the policy of another resource?).

    Args:
        request: the request.
        given: the context keys the user gave (not the derived ones).
        policies: the policies of the question.

    Returns:
        Notes, one sentence each.
    """
    notes = []
    action = request.action
    verdict = catalog.check_action(action)
    info = catalog.action(action) if verdict == "known" else None
    if verdict == "unknown-service":
        sugg = catalog.suggest_services(request.service)
        hint = f" (did you mean {', '.join(sugg)}?)" if sugg else ""
        notes.append(f"{action}: unknown service prefix {request.service!r}{hint}; AWS would deny it")
    elif verdict == "unknown-action":
        sugg = catalog.suggest_actions(action)
        hint = f" (did you mean {', '.join(sugg)}?)" if sugg else ""
        notes.append(f"{action} is not in the Service Authorization Reference{hint}")
    for key in given:
        if key.lower().startswith("kms:encryptioncontext:") or catalog.global_condition_key(key) is not None:
            continue
        if not catalog.is_known_condition_key(key):
            hit = catalog.suggest_condition_key(key)
            hint = f" (did you mean {hit}?)" if hit else ""
            notes.append(f"context key {key} is not a documented condition key{hint}")
        elif info is not None and not catalog.condition_key_supported(key, (info,)):
            notes.append(f"context key {key} is not available for {info.full_name}: no request for it carries the key")
    rp = policies.resource
    if rp is not None and request.resource == "*":
        notes.append(f"the question names no resource, so the resource-based policy {rp.name} takes no part; "
                     "name the resource with: on ARN")
    if (rp is not None and request.resource_arn is not None and not request.resource_arn.account
            and "aws:resourceaccount" not in {k.lower() for k in given}):
        notes.append(f"{request.resource} holds no account: it is taken to be the caller's account; "
                     "for a resource of another account add: when aws:ResourceAccount = ACCOUNT_ID")
    if policies.grants_truncated:
        notes.append(f"{policies.grants_file}: the list-grants output is truncated (Truncated is true): "
                     "grants on later pages are not considered")
    if rp is not None and request.resource != "*":
        services = {"*" if st.action is None else svc for st in rp.document.statements for svc in (st.action_services or {"*"})}
        if services and request.service not in services and "*" not in services:
            notes.append(f"the resource-based policy {rp.name} names no {request.service}: action; "
                         f"is it the policy of {request.resource}?")
    return notes


def check_roles(request: Request, policies: PolicySet) -> None:
    """Refuse policy types the caller cannot have: a session policy belongs to
    a role session or a federated user session; a permissions boundary to an
    IAM user or role (IAM User Guide, *Session policies*, *Permissions
    boundaries for IAM entities*).

    Raises:
        InputError: naming the option and the caller.
    """
    kind = request.caller.kind
    if policies.session is not None and kind not in ("assumed-role", "federated-user"):
        raise InputError(f"--session-policy: {request.caller} is not a role session or a federated user session, "
                         "which alone have session policies")
    if policies.boundary is not None and kind not in ("user", "role", "assumed-role"):
        raise InputError(f"--boundary: {request.caller} cannot have a permissions boundary (IAM users and roles can)")
