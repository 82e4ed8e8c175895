"""Shared helpers of the IAM permissions rules (PL400-PL409).

* **Action sets.** :func:`allowed_names` turns a statement's ``Action`` or
  ``NotAction`` into the set of catalog actions it grants (lower-case
  ``service:name``), cached on the tuple of patterns, so ``"*"`` and
  ``NotAction`` lists are expanded once per run however many policies use them.
* **Action facts.** :func:`facts` gives an action's access level and resource
  types (from :mod:`policylint.catalog`). Rules over many policies ask about
  most services; reading every service's catalog file costs about half a
  second, so past :data:`INDEX_AFTER` services the facts come from a compact
  index written once per catalog version beside the catalog's own names index
  (``$POLICYLINT_CACHE_DIR``; ``off`` disables it).
* **Resources.** :func:`fits_format` tells whether a ``Resource`` value (with
  ``*``/``?`` wildcards and policy variables) can name a resource of an ARN
  format of the Service Authorization Reference (``${...}`` placeholders);
  :func:`all_of_type` whether a value covers every resource of a type.
* **Conditions.** :func:`narrowing_keys` lists the condition keys of a
  statement that can limit what it applies to, as opposed to keys about the
  request's network, time or authentication.

Sources: IAM User Guide, *IAM JSON policy elements: Action*, *NotAction*,
*Resource*, *NotResource*; Service Authorization Reference (resource types and
ARN formats, access levels).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Iterable

from policylint import catalog
from policylint.evaluate.arn import split_fields
from policylint.model.policy import Statement
from policylint.wildcard import literal_head

__all__ = [
    "ALL_SERVICES",
    "INDEX_AFTER",
    "all_names",
    "all_of_type",
    "allowed_names",
    "facts",
    "fits_format",
    "narrowing_keys",
    "plural",
    "resource_formats",
    "sample",
    "service_types",
    "spelled",
    "statement_names",
]

ALL_SERVICES = "*"

# ---------------------------------------------------------------------------
# Action sets.


@cache
def all_names() -> frozenset[str]:
    """Every catalog action, as lower-case ``service:name`` (names only: cheap)."""
    out: set[str] = set()
    for svc in catalog.services():
        out |= catalog.expand_names(f"{svc}:*") or frozenset()
    return frozenset(out)


@lru_cache(maxsize=16384)
def _pattern_names(pattern: str) -> frozenset[str]:
    if "*" not in pattern and "?" not in pattern:
        # A plain action: the catalog's memoized check (shared with the
        # unknown-action rules) is enough, no expansion needed.
        return frozenset((pattern.lower(),)) if catalog.check_action(pattern) == "known" else frozenset()
    names = catalog.expand_names(pattern)
    return all_names() if names is None else names


@lru_cache(maxsize=8192)
def allowed_names(action: tuple[str, ...] | None, not_action: tuple[str, ...] | None) -> frozenset[str]:
    """The catalog actions a statement's Action (or, if None, NotAction) matches.

    Args:
        action: the ``Action`` values, or None.
        not_action: the ``NotAction`` values (used when ``action`` is None).

    Returns:
        Lower-case ``service:name`` of every matched action; for NotAction,
        every catalog action its patterns do not match. Values that match
        nothing (typos, unknown services) add nothing. Cached on the patterns.
    """
    if action is not None:
        out: set[str] = set()
        for p in action:
            out |= _pattern_names(p)
        return frozenset(out)
    if not_action is None:
        return frozenset()
    excluded: set[str] = set()
    for p in not_action:
        excluded |= _pattern_names(p)
    return all_names() - excluded


def statement_names(stmt: Statement) -> frozenset[str]:
    """:func:`allowed_names` of a statement."""
    return allowed_names(stmt.action, stmt.not_action)


@lru_cache(maxsize=8192)
def service_counts(names: frozenset[str]) -> dict[str, int]:
    """Action count per service prefix in ``names``."""
    out: dict[str, int] = {}
    for n in names:
        svc = n.partition(":")[0]
        out[svc] = out.get(svc, 0) + 1
    return out


@cache
def _service_sizes() -> dict[str, int]:
    return service_counts(all_names())


def whole_services(names: frozenset[str]) -> frozenset[str]:
    """Service prefixes all of whose actions are in ``names``."""
    sizes = _service_sizes()
    return frozenset(s for s, n in service_counts(names).items() if sizes.get(s) == n)


# ---------------------------------------------------------------------------
# Action facts (access level, resource types), through the catalog, with an index.

#: After this many services, facts come from the on-disk index instead of
#: each service's catalog file (the catalog names index uses the same idea).
INDEX_AFTER = 8
_INDEX_FORMAT = 3
_asked: set[str] = set()

Facts = tuple[str, tuple[tuple[str, bool], ...]]  # (access level, ((resource type, required), ...))


def _service_facts_direct(svc: str) -> tuple[dict[str, Facts], dict[str, tuple[str, ...]]]:
    acts: dict[str, Facts] = {}
    types: dict[str, tuple[str, ...]] = {}
    for lname, info in catalog.actions_for_service(svc).items():
        acts[lname] = (info.access_level, tuple((r.name, r.required) for r in info.resource_types))
        for r in info.resource_types:
            key = r.name.lower()
            if key not in types:
                rt = catalog.resource_type(svc, r.name)
                types[key] = rt.arn_formats if rt is not None else ()
    return acts, types


def _pack(svc: str) -> tuple[str, str]:
    """A service's facts as two strings (one object each to store and load;
    a service is parsed only when a policy names it): a line
    ``name \t level \t type1|type2`` per action (``+`` marks a required
    type), and a line ``type \t format1 \x1f format2`` per resource type."""
    acts, types = _service_facts_direct(svc)
    return ("\n".join(n + "\t" + lv + "\t" + "|".join(("+" if req else "") + rt for rt, req in rts)
                      for n, (lv, rts) in acts.items()),
            "\n".join(t + "\t" + "\x1f".join(f) for t, f in types.items()))


@cache
def _parsed(svc: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """The index entry of ``svc`` as {action: "level \t types"} and
    {type: newline-joined formats}, or None when the index has no entry."""
    index = _index()
    entry = index.get(svc) if index is not None else None
    if entry is None:
        return None
    acts_text, types_text = entry
    acts = dict(line.split("\t", 1) for line in acts_text.split("\n")) if acts_text else {}
    types = {}
    for line in types_text.split("\n") if types_text else ():
        t, _, fmts = line.partition("\t")
        types[t] = fmts.replace("\x1f", "\n")
    return acts, types


def _unpack(packed: tuple[dict[str, str], dict[str, str]]) -> tuple[dict[str, Facts], dict[str, tuple[str, ...]]]:
    acts: dict[str, Facts] = {}
    for n, text in packed[0].items():
        lv, _, rts = text.partition("\t")
        acts[n] = (lv, tuple((r.lstrip("+"), r.startswith("+")) for r in rts.split("|")) if rts else ())
    return acts, {t: tuple(f.split("\n")) if f else () for t, f in packed[1].items()}


@cache
def _index() -> dict | None:
    """Every service's action facts and resource-type ARN formats, from the
    catalog's on-disk derived index (:func:`policylint.catalog.derived_index`);
    None when no cache folder may be used."""
    return catalog.derived_index(f"iam-facts-v{_INDEX_FORMAT}", _pack)


def _packed(svc: str) -> tuple[dict[str, str], dict[str, str]] | None:
    """The service's packed facts from the on-disk index, once more than
    :data:`INDEX_AFTER` services have been asked for (a run over a few files
    reads only their services' catalog files), else None."""
    _asked.add(svc)
    if len(_asked) > INDEX_AFTER:
        return _parsed(svc)
    return None


@cache
def _service(svc: str) -> tuple[dict[str, Facts], dict[str, tuple[str, ...]]]:
    packed = _packed(svc)
    return _unpack(packed) if packed is not None else _service_facts_direct(svc)


@lru_cache(maxsize=65536)
def facts(name: str) -> Facts | None:
    """(access level, ((resource type, required), ...)) of a lower-case
    ``service:name``, or None for an unknown action. The access level is the
    catalog's text, e.g. ``"Write"`` or ``"Permissions management, Write"``.
    From the index, only this action's entry is unpacked."""
    svc, _, lname = name.partition(":")
    if svc not in catalog.services():
        return None
    packed = _packed(svc)
    if packed is None:
        return _service(svc)[0].get(lname)
    text = packed[0].get(lname)
    if text is None:
        return None
    lv, _, rts = text.partition("\t")
    return (lv, tuple((r.lstrip("+"), r.startswith("+")) for r in rts.split("|")) if rts else ())


@cache
def service_types(svc: str) -> dict[str, tuple[str, ...]]:
    """Lower-case resource type name -> ARN formats, for the types the
    service's actions act on."""
    packed = _packed(svc)
    if packed is not None:
        return {t: tuple(f.split("\n")) if f else () for t, f in packed[1].items()}
    return _service(svc)[1]


def resource_formats(svc: str, type_name: str) -> tuple[str, ...]:
    """ARN formats of a service's resource type (``${...}`` placeholders), or ()."""
    return service_types(svc).get(type_name.lower(), ())


_PERMISSIONS_MANAGEMENT = "Permissions management"


@cache
def _management_index() -> dict | None:
    """Per service, the newline-joined names of its *Permissions management*
    actions that act on particular resources: what PL404 asks of every
    service, kept apart so that answering does not parse the whole index."""
    return catalog.derived_index(
        f"iam-management-v{_INDEX_FORMAT}",
        lambda svc: "\n".join(sorted(n for n, (lv, rts) in _service_facts_direct(svc)[0].items()
                                      if _PERMISSIONS_MANAGEMENT in lv and rts)))


@lru_cache(maxsize=4096)
def service_actions_at(svc: str, level: str) -> frozenset[str]:
    """Lower-case full names of the service's actions whose access level
    mentions ``level`` and that act on particular resources."""
    if level == _PERMISSIONS_MANAGEMENT and (len(_asked) > INDEX_AFTER or svc not in _asked):
        index = _management_index()
        if index is not None and svc in index:
            return frozenset(f"{svc}:{n}" for n in index[svc].split("\n")) if index[svc] else frozenset()
    if len(_asked) > INDEX_AFTER or svc not in _asked:
        parsed = _parsed(svc)
        if parsed is not None:
            return frozenset(f"{svc}:{n}" for n, text in parsed[0].items()
                             if level in text.partition("\t")[0] and text.partition("\t")[2])
    return frozenset(f"{svc}:{n}" for n, (lv, rts) in _service(svc)[0].items() if level in lv and rts)


@lru_cache(maxsize=16)
def all_actions_at(level: str) -> frozenset[str]:
    """:func:`service_actions_at` over every service."""
    out: set[str] = set()
    for svc in catalog.services():
        out |= service_actions_at(svc, level)
    return frozenset(out)


@lru_cache(maxsize=8192)
def _pattern_at(pattern: str, level: str) -> frozenset[str]:
    if pattern == "*":
        return all_actions_at(level)
    svc = pattern.partition(":")[0].lower()
    if "*" in svc or "?" in svc:
        return _pattern_names(pattern) & all_actions_at(level)
    if svc not in catalog.services():
        return frozenset()
    at = service_actions_at(svc, level)
    if "*" not in pattern and "?" not in pattern:
        low = pattern.lower()
        return frozenset((low,)) if low in at else frozenset()
    return _pattern_names(pattern) & at


@lru_cache(maxsize=8192)
def allowed_at(action: tuple[str, ...] | None, not_action: tuple[str, ...] | None, level: str) -> frozenset[str]:
    """The actions of :func:`allowed_names` that :func:`service_actions_at` lists
    for ``level``, computed without building the whole allowed set."""
    if action is not None:
        out: set[str] = set()
        for p in action:
            out |= _pattern_at(p, level)
        return frozenset(out)
    if not_action is None:
        return frozenset()
    excluded: set[str] = set()
    for p in not_action:
        excluded |= _pattern_at(p, level)
    return all_actions_at(level) - excluded


def spelled(name: str) -> str:
    """``service:Name`` as the catalog spells it, for a lower-case full name."""
    return catalog.spelling(name) or name


# ---------------------------------------------------------------------------
# Resources: ARN formats and wildcards.

#: Placeholders whose values cannot hold "/" (so ``arn:aws:s3:::bucket/*`` is
#: not a bucket): S3 User Guide, *Bucket naming rules*; KMS Developer Guide,
#: *Key identifiers* (key IDs are UUIDs or ``mrk-`` plus hex).
_NO_SLASH = frozenset({"BucketName", "KeyId"})

# Tokens: a character, or ANY (zero or more characters), or ONE (one character).
_ANY, _ONE, _ANY_NO_SLASH = "\x00*", "\x00?", "\x00/"


@lru_cache(maxsize=65536)
def _value_tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "*":
            out.append(_ANY)
        elif c == "?":
            out.append(_ONE)
        elif c == "$" and text.startswith("${", i) and "}" in text[i:]:
            # A policy variable (${aws:username}) stands for any text.
            out.append(_ANY)
            i = text.index("}", i)
        else:
            out.append(c)
        i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def _format_tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i) and "}" in text[i:]:
            end = text.index("}", i)
            out.append(_ANY_NO_SLASH if text[i + 2:end] in _NO_SLASH else _ANY)
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return tuple(out)


#: Above this many (value position, format position) pairs, :func:`_overlap`
#: gives up and answers True: rules then stay silent rather than slow.
_MAX_STATES = 100_000


def _strip_literal_ends(a: tuple[str, ...], b: tuple[str, ...]):
    """(a, b) without the literal characters both start with and both end
    with; (None, None) when those differ, since no text then matches both."""
    i, n = 0, min(len(a), len(b))
    while i < n and len(a[i]) == 1 and len(b[i]) == 1:  # tokens of one character are literal
        if a[i] != b[i]:
            return None, None
        i += 1
    j, n = 0, min(len(a), len(b)) - i
    while j < n and len(a[-1 - j]) == 1 and len(b[-1 - j]) == 1:
        if a[-1 - j] != b[-1 - j]:
            return None, None
        j += 1
    return a[i:len(a) - j], b[i:len(b) - j]


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True if some text matches both token sequences (wildcards on both sides)."""
    a, b = _strip_literal_ends(a, b)
    if a is None:
        return False
    if len(a) == 1 and a[0] in (_ANY, _ANY_NO_SLASH):
        return a[0] == _ANY or "/" not in b
    if len(b) == 1 and b[0] in (_ANY, _ANY_NO_SLASH):
        return b[0] == _ANY or "/" not in a
    la, lb = len(a), len(b)
    if la * lb > _MAX_STATES:
        return True  # too long to compare cheaply: assume it fits (no finding)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == la and j == lb:
            return True
        ta = a[i] if i < la else None
        tb = b[j] if j < lb else None
        a_star = ta in (_ANY, _ANY_NO_SLASH)
        b_star = tb in (_ANY, _ANY_NO_SLASH)
        if a_star:
            stack.append((i + 1, j))  # a's star matches nothing more
        if b_star:
            stack.append((i, j + 1))
        if ta is None or tb is None:
            continue
        if a_star and b_star:
            continue  # a character both stars take leaves the state as it is
        if a_star:  # a's star takes the character b produces
            if not (tb == "/" and ta == _ANY_NO_SLASH):
                stack.append((i, j + 1))
            continue
        if b_star:
            if not (ta == "/" and tb == _ANY_NO_SLASH):
                stack.append((i + 1, j))
            continue
        if ta == _ONE or tb == _ONE or ta == tb:
            stack.append((i + 1, j + 1))
    return False


@lru_cache(maxsize=65536)
def _split6(text: str) -> tuple[str, ...] | None:
    parts = split_fields(text)
    return tuple(parts) if len(parts) == 6 else None


_head = lru_cache(maxsize=65536)(literal_head)  # the same values are asked many times


def _heads_agree(value: str, fmt: str) -> bool:
    a, b = _head(value), _head(fmt)
    return a.startswith(b) or b.startswith(a)


@lru_cache(maxsize=65536)
def fits_format(value: str, fmt: str) -> bool:
    """True if the Resource value ``value`` can name a resource of ARN format ``fmt``.

    Both sides may hold wildcards: ``*``/``?`` and policy variables in the
    value, ``${...}`` placeholders in the format (any text, except that a few
    placeholders, such as an S3 bucket name, never hold ``/``). Six-field ARNs
    are compared field by field, as IAM matches them (a wildcard in the Region
    does not reach into the account); the service field ignores case.
    """
    vp, fp = _split6(value), _split6(fmt)
    if vp is None or fp is None:
        return _overlap(_value_tokens(value), _format_tokens(fmt))
    # Quick refusals: different literal services, or resource fields whose
    # literal beginnings disagree ("alias/..." against "key/${KeyId}").
    if not _heads_agree(vp[2].lower(), fp[2].lower()) or not _heads_agree(vp[5], fp[5]):
        return False
    for k in (5, 2, 3, 4, 1):  # the resource field first: it decides most cases
        v, f = vp[k], fp[k]
        if k == 2:
            v, f = v.lower(), f.lower()
        if v == f or v == "*" or (f.startswith("${") and f.endswith("}") and f.count("${") == 1 and ":" not in v
                                  and ("/" not in v or f[2:-1] not in _NO_SLASH)):
            continue
        if not _overlap(_value_tokens(v), _format_tokens(f)):
            return False
    return True


def all_of_type(value: str, fmt: str) -> bool:
    """True if ``value`` covers every resource of format ``fmt`` in some account:
    ``*``, or an ARN whose resource field is only wildcards past the literal
    text the format itself starts with (``role/*`` for ``role/${RoleNameWithPath}``,
    ``key/*`` for ``key/${KeyId}``)."""
    if value == "*":
        return True
    vp, fp = _split6(value), _split6(fmt)
    if vp is None or fp is None:
        return False
    if not fits_format(value, fmt):
        return False
    v_res, f_res = vp[5], fp[5]
    if set(v_res) <= {"*"}:
        return True
    head = f_res.split("${", 1)[0]
    rest = v_res[len(head):] if v_res.startswith(head) else None
    return bool(rest) and set(rest) <= {"*"}


# ---------------------------------------------------------------------------
# Conditions.

#: Keys that describe how or from where a request is made, not what it acts
#: on: a statement conditioned only on these still applies to every resource
#: and every passed role (IAM User Guide, *AWS global condition context keys*).
_AMBIENT = frozenset(k.lower() for k in (
    "aws:SecureTransport", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:SourceIp",
    "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:CurrentTime", "aws:EpochTime",
    "aws:TokenIssueTime", "aws:UserAgent", "aws:Referer", "aws:RequestedRegion", "aws:ViaAWSService",
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:PrincipalType", "aws:userid",
    "aws:username", "aws:PrincipalIsAWSService", "aws:SourceIdentity", "aws:FederatedProvider",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:SourceAccount", "aws:SourceArn", "aws:IsMcpServiceAction",
))


def narrowing_keys(stmt: Statement) -> tuple[str, ...]:
    """The statement's condition keys (as written, document order, no repeats)
    that may limit what it applies to: every key except the ambient request
    keys (transport, network, time, MFA, caller type)."""
    out: list[str] = []
    for clause in stmt.condition:
        if clause.key.lower() not in _AMBIENT and clause.key not in out:
            out.append(clause.key)
    return tuple(out)


# ---------------------------------------------------------------------------
# Text.


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 action``, ``2 actions``, ``17,342 actions``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def sample(items: Iterable[str], limit: int = 3) -> str:
    """``a, b and c`` or ``a, b, c and 4 more``."""
    items = list(items)
    if len(items) <= limit:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""
    return ", ".join(items[:limit]) + f" and {len(items) - limit:,} more"


# ---------------------------------------------------------------------------
# Statements.


def covers_all(stmt: Statement) -> bool:
    """True if the statement's resources are every resource: ``Resource`` holds
    ``"*"``, or ``NotResource`` is used (everything except what it lists)."""
    if stmt.resource is not None:
        return "*" in stmt.resource
    return stmt.not_resource is not None


def star_index(stmt: Statement) -> int | None:
    """Index of the ``"*"`` value in ``Resource``, or None."""
    if stmt.resource is None:
        return None
    for i, v in enumerate(stmt.resource):
        if v == "*":
            return i
    return None


def unconditional_denied(stmts: Iterable[Statement]) -> frozenset[str]:
    """Actions that a Deny statement without Condition refuses on every resource."""
    out: set[str] = set()
    for s in stmts:
        if s.effect == "Deny" and not s.condition and s.resource is not None and "*" in s.resource:
            out |= statement_names(s)
    return frozenset(out)


def is_full_admin(stmt: Statement) -> bool:
    """An Allow of ``"*"`` on ``"*"`` with no condition that narrows it."""
    return (stmt.effect == "Allow" and stmt.action is not None and "*" in stmt.action
            and stmt.resource is not None and "*" in stmt.resource and not narrowing_keys(stmt))


def action_path(stmt: Statement, names: Iterable[str]):
    """Data path of the first Action value that matches one of ``names``
    (lower-case), or of the ``NotAction`` element (pointing at its key)."""
    wanted = set(names)
    if stmt.action is not None:
        for i, p in enumerate(stmt.action):
            if _pattern_names(p) & wanted:
                return stmt.value_path("Action", i), False
        return stmt.path + ("Action",), True
    return stmt.path + ("NotAction",), True


def finding(ctx, rule, message: str, path, narrower: bool = False, key: bool = False):
    """``ctx.finding``, at info severity when ``narrower`` and the
    configuration does not set the rule's severity."""
    from dataclasses import replace

    from policylint.check.finding import Severity

    f = ctx.finding(rule, message, path, key=key)
    if narrower and rule.code not in ctx.severity_of and f.severity > Severity.INFO:
        f = replace(f, severity=Severity.INFO)
    return f
