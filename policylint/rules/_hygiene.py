"""Shared helpers of the hygiene rules (PL500-PL509).

* condition values and keys: what a condition operator can compare
  (:func:`value_problem`, :func:`key_type`, :func:`type_mismatch`), using the
  value parsers of :mod:`policylint.evaluate.conditions` so that the linter
  and the evaluator agree on what never matches;
* wildcard inclusion (:func:`policylint.wildcard.glob_covers`, :func:`action_covers`,
  :func:`resource_covers`): pattern A covers pattern B when every string B
  matches, A matches too;
* ARN shape checks (:func:`arn_problem`) against the ARN formats of the
  catalog;
* policy size as AWS counts it (:func:`compact_text`, :func:`raw_text`).

Sources: IAM User Guide, *IAM JSON policy elements: Condition operators*,
*Single-valued vs. multivalued context keys*, *IAM identifiers* (ARNs),
*IAM and AWS STS quotas*; IAM Access Analyzer *policy check reference*
(type mismatch, ForAllValues with single-valued key, Null with qualifier,
invalid ARN fields, unsupported Sid); AWS Organizations *Quotas*; AWS KMS
*Resource quotas*.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from policylint import catalog
from policylint.evaluate.arn import PARTITIONS, arn_like, split_fields
from policylint.evaluate.conditions import parse_binary, parse_date, parse_network, parse_number, result_when_absent
from policylint.parse.operators import ConditionOperator, OperatorError, parse_operator
from policylint.wildcard import glob_covers, has_wildcard

__all__ = [
    "action_covers",
    "arn_problem",
    "clause_operator",
    "compact_text",
    "key_type",
    "never_true_when_absent",
    "split_arn",
    "raw_text",
    "resource_covers",
    "type_mismatch",
    "value_problem",
]


# ---------------------------------------------------------------------------
# Condition operators, keys and values.


def clause_operator(text: str) -> ConditionOperator | None:
    """The parsed operator, or None for one IAM does not define (PL203 reports those)."""
    try:
        return parse_operator(text)
    except OperatorError:
        return None


@lru_cache(maxsize=8192)
def key_type(key: str) -> tuple[str, bool] | None:
    """(value type, multivalued) of a condition key from the catalog, or None when unknown.

    The type is the catalog's without the ``ArrayOf`` prefix (``String``,
    ``ARN``, ``Bool``, ``Date``, ``Numeric``, ``IPAddress``); multivalued is
    True for ``ArrayOf...`` keys and the global keys marked multivalued.
    Global keys are looked up first; a service key is matched against the
    service's key names, whose ``${...}`` placeholders match any text.
    """
    g = catalog.global_condition_key(key)
    if g is not None:
        t = g.type
        return t.removeprefix("ArrayOf"), g.multivalued or t.startswith("ArrayOf")
    prefix = key.partition(":")[0].lower()
    if not catalog.service_exists(prefix):
        return None
    return _service_key_types(prefix).get(key.lower()) or _service_template_type(prefix, key.lower())


@lru_cache(maxsize=512)
def _service_key_types(prefix: str) -> dict[str, tuple[str, bool]]:
    out: dict[str, tuple[str, bool]] = {}
    for k in catalog.service_condition_keys(prefix):
        if "${" not in k.name and "<" not in k.name:
            out[k.name.lower()] = (k.type.removeprefix("ArrayOf"), k.type.startswith("ArrayOf"))
    return out


def _service_template_type(prefix: str, key: str) -> tuple[str, bool] | None:
    for k in catalog.service_condition_keys(prefix):
        if ("${" in k.name or "<" in k.name) and _template(k.name).match(key):
            return k.type.removeprefix("ArrayOf"), k.type.startswith("ArrayOf")
    return None


@lru_cache(maxsize=4096)
def _template(name: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", name.lower())
    return re.compile(".+".join(re.escape(p) for p in parts) + r"\Z")


_FAMILY_WORDS = {
    "Numeric": "numbers",
    "Date": "dates",
    "Bool": '"true" or "false"',
    "Binary": "base64-encoded bytes",
    "IpAddress": "IP addresses",
    "Arn": "ARNs",
}


def value_problem(op: ConditionOperator, value: str) -> str | None:
    """Why ``value`` can never match under ``op``, or None when it can.

    Uses the parsers the evaluator uses (:mod:`policylint.evaluate.conditions`):
    a value they cannot parse never matches a request value. Values holding a
    policy variable (``${...}``) are not judged. ``String*`` values are never
    reported. ``Arn*`` values are reported when they are neither ``*``, nor
    six colon-separated fields starting with ``arn``, nor a wildcard pattern
    (malformed six-field ARNs are PL508's).
    """
    if "${" in value:
        return None
    family = op.family
    if family == "Numeric":
        return None if parse_number(value) is not None else "is not a number"
    if family == "Date":
        return None if parse_date(value) is not None else "is neither an ISO 8601 date/time (2024-01-31T12:00:00Z) nor epoch seconds"
    if family == "Bool" or family == "Null":
        return None if value.strip().lower() in ("true", "false") else 'is not "true" or "false"'
    if family == "Binary":
        return None if parse_binary(value) is not None else "is not base64-encoded"
    if family == "IpAddress":
        return None if parse_network(value) is not None else "is not an IPv4 or IPv6 address or CIDR range"
    if family == "Arn":
        if value == "*" or has_wildcard(value):
            return None
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn":
            return None
        return "is not an ARN (arn:partition:service:region:account-id:resource)"
    return None


#: Operator families that a key of each catalog type can never satisfy. Only
#: combinations where the request value can never parse for the operator:
#: String keys are left alone (the catalog types some numeric or date values
#: as String), and String operators work on every type (IAM User Guide: "The
#: ARN is considered a string").
_NEVER = {
    "ARN": {"Numeric", "Date", "Bool", "IpAddress"},
    "Bool": {"Numeric", "Date", "IpAddress", "Arn"},
    "Numeric": {"Bool", "IpAddress", "Arn"},
    "Date": {"Bool", "IpAddress", "Arn"},  # epoch-valued Date keys take Numeric operators (kms:ValidTo)
    "IPAddress": {"Numeric", "Date", "Bool", "Arn"},
}


def type_mismatch(op: ConditionOperator, key: str) -> str | None:
    """The catalog type of ``key`` when ``op``'s family can never compare it, else None.

    Date keys also take Numeric operators: ``aws:EpochTime`` (IAM User
    Guide, *AWS global condition context keys*: "use date or numeric
    operators") and ``kms:ValidTo`` (AWS KMS Developer Guide, *AWS KMS
    condition keys*, compares it with ``NumericLessThanEquals``).
    """
    kt = key_type(key)
    if kt is None:
        return None
    t = kt[0]
    return t if op.family in _NEVER.get(t, ()) else None


def family_words(family: str) -> str:
    """What an operator family compares, in words (``IP addresses``)."""
    return _FAMILY_WORDS.get(family, family)


def never_true_when_absent(op: ConditionOperator, values) -> bool:
    """True when the clause is false for a request without its key (the
    evaluator's rule: positive operators without IfExists, ForAnyValue)."""
    return not result_when_absent(op, values)


# ---------------------------------------------------------------------------
# Wildcard inclusion.


def action_covers(a: str, b: str) -> bool:
    """True when Action pattern ``a`` covers ``b`` (case-insensitive, as IAM compares actions)."""
    return glob_covers(a, b, True)


@lru_cache(maxsize=65536)
def resource_covers(a: str, b: str) -> bool:
    """True when Resource pattern ``a`` covers ``b`` (case-sensitive).

    Six-field ARN patterns are compared field by field, as IAM matches them
    (a wildcard does not cross a ``:`` between fields); ``*`` covers
    everything; other pairs are compared as whole strings only when neither
    has six fields. A pattern holding a policy variable covers only itself.
    """
    if a == b or a == "*":
        return True
    if "${" in a:
        return False
    if not has_wildcard(b):
        return arn_like(a, b)  # the evaluator's own Resource matching
    fa, fb = a.split(":", 5), b.split(":", 5)
    if len(fa) == 6 and len(fb) == 6:
        return all(x == y or x == "*" or glob_covers(x, y) for x, y in zip(fa, fb))
    if len(fa) != 6 and len(fb) != 6:
        return glob_covers(a, b)
    return False


# ---------------------------------------------------------------------------
# ARNs.

_ACCOUNT = re.compile(r"^[0-9]{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


@lru_cache(maxsize=1)
def _arn_namespaces() -> dict[str, tuple[bool, bool, bool, bool]]:
    """ARN service namespace -> (some format has a region, some has none,
    some format has an account, some has none), over every resource type of
    every service in the catalog. Loaded once, on the first ARN whose service
    is not a plain action prefix."""
    out: dict[str, list[bool]] = {}
    for svc in catalog.services():
        for name in _resource_type_names(svc):
            _add_formats(out, catalog.resource_type(svc, name))
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]


def _resource_type_names(svc: str) -> list[str]:
    return list(catalog.resource_types(svc))


def _add_formats(out: dict[str, list[bool]], info) -> None:
    if info is None:
        return
    for fmt in info.arn_formats:
        parts = fmt.split(":", 5)
        if len(parts) != 6:
            continue
        ns = parts[2].lower()
        flags = out.setdefault(ns, [False, False, False, False])
        flags[0] |= bool(parts[3])
        flags[1] |= not parts[3]
        flags[2] |= bool(parts[4])
        flags[3] |= not parts[4]


@lru_cache(maxsize=2048)
def _namespace(ns: str) -> tuple[bool, bool, bool, bool] | None:
    """Region/account flags of an ARN service namespace, or None when no
    resource type of the catalog uses it. The service of the same prefix is
    read first; the whole catalog only for other namespaces."""
    if catalog.service_exists(ns):
        out: dict[str, list[bool]] = {}
        for name in _resource_type_names(ns):
            _add_formats(out, catalog.resource_type(ns, name))
        if ns in out:
            return tuple(out[ns])  # type: ignore[return-value]
    return _arn_namespaces().get(ns)




def split_arn(value: str) -> list[str]:
    """:func:`policylint.evaluate.arn.split_fields`: the ARN's fields, ``${...}`` kept whole."""
    return split_fields(value)


def _free(field: str) -> bool:
    """A field whose value cannot be judged: a wildcard or a policy variable."""
    return has_wildcard(field) or "${" in field


@lru_cache(maxsize=16384)
def arn_problem(value: str, principal: bool = False) -> str | None:
    """What is wrong with an ARN (or ARN pattern) as AWS parses it, or None.

    Reported: fewer than six fields without any wildcard; a first field other
    than ``arn``; an unknown partition; an empty or upper-case service; a
    Region where no resource type of the service has one, or none where every
    one does; an account field that is not 12 digits, ``aws``, empty, a
    wildcard or a variable. Fields holding ``*``, ``?`` or ``${...}`` are not
    judged; ARN service namespaces come from the resource types of the
    catalog. ``principal`` adds the rule that principal ARNs belong to
    ``iam`` or ``sts``.
    """
    if value == "*":
        return None
    parts = split_arn(value)
    head = parts[0]
    if _free(head):
        return None
    if head != "arn":
        if head.lower() == "arn":
            return f'starts with "{head}:"; ARNs start with lower-case "arn:"'
        return None if principal else 'is not an ARN: Resource values are "*" or ARNs (arn:partition:service:region:account-id:resource)'
    if len(parts) < 6:
        if any(_free(p) for p in parts):
            return None
        return f"has {len(parts)} of the 6 fields of an ARN (arn:partition:service:region:account-id:resource)"
    _, partition, service, region, account, _resource = parts
    if not _free(partition) and partition not in PARTITIONS:
        return f'has the unknown partition "{partition}" (expected one of {", ".join(PARTITIONS[:3])}...)'
    if not service:
        return "has an empty service field"
    if _free(service):
        return None
    if service != service.lower():
        return f'has the service "{service}" in upper case; ARN service names are lower case'
    if principal and service not in ("iam", "sts"):
        return f'is a {service} ARN; AWS principals are IAM or STS ARNs (arn:aws:iam::account-id:role/name)'
    flags = _namespace(service)
    if flags is None:
        return None  # a namespace the catalog does not describe: nothing to compare with
    has_region, no_region, has_account, _no_account = flags
    if region and not _free(region):
        if not has_region:
            return f'has the Region "{region}", but {service} ARNs have an empty Region field'
        if not _REGION.match(region):
            return f'has "{region}" in the Region field, which is not a Region code (us-east-1)'
    elif not region and not no_region:
        return f"has an empty Region field, but every {service} ARN names a Region"
    if account and not _free(account) and account != "aws" and not _ACCOUNT.match(account):
        if not has_account:
            return f'has the account "{account}", but {service} ARNs have an empty account field'
        return f'has "{account}" in the account field, which is not a 12-digit account ID'
    return None


# ---------------------------------------------------------------------------
# Size.


def compact_text(document: Any) -> str:
    """The document as compact JSON (no white space between tokens; non-ASCII kept as is)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


_WS = re.compile(r"\s")


def without_white_space(text: str) -> str:
    """``text`` with every white-space character removed (IAM does not count them)."""
    return _WS.sub("", text)


def raw_text(ctx) -> str | None:
    """The policy's text as written, when the file holds it as one piece of
    JSON text: the whole file for a bare JSON document, or the string value
    for a document embedded as a JSON string (``kms get-key-policy``,
    ``organizations describe-policy``). None otherwise (YAML, documents
    nested as objects, URL-encoded strings, statement fragments)."""
    src = ctx.source
    file = ctx.file
    if src.fragment or file.source is None or file.format != "json":
        return None
    if src.pointer == "":
        return file.source.text.strip()
    if not file.roots:
        return None
    node: Any = file.roots[0]
    for step in src.pointer.split("/")[1:]:
        step = step.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return None
    if isinstance(node, str) and node.lstrip().startswith("{"):
        return node.strip()
    return None
