"""Amazon Resource Names: parsing and wildcard matching.

Sources: IAM User Guide, *IAM identifiers* ("IAM ARNs") and *IAM JSON policy
elements: Resource*; AWS General Reference, *Amazon Resource Names (ARNs)*.
An ARN is ``arn:partition:service:region:account-id:resource``; the resource
part may itself hold ``:`` and ``/``. Partitions: ``aws``, ``aws-cn``,
``aws-us-gov`` (and the isolated ones). Matching is case-sensitive and
field by field: a wildcard in one field cannot span into the next.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from functools import lru_cache

from policylint.wildcard import compile_glob

__all__ = ["Arn", "arn_like", "parse_arn", "split_fields", "PARTITIONS"]

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN: ``arn:partition:service:region:account:resource``."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@lru_cache(maxsize=65536)
def parse_arn(text: str) -> Arn | None:
    """Parse ``text`` as an ARN; None if it does not have six fields starting
    with ``arn``. ``${...}`` (policy variables, CloudFormation references such
    as ``${AWS::Partition}``) is kept whole, colons included."""
    parts = split_fields(text)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


_REFERENCE = re.compile(r"\$\{[^}]*\}")


def split_fields(text: str) -> list[str]:
    """``text`` split at the colons between ARN fields (at most six fields: the
    resource field keeps its own colons), leaving ``${...}`` whole: IAM
    policy variables and CloudFormation references such as
    ``${AWS::Partition}`` hold colons of their own."""
    if "${" not in text:
        return text.split(":", 5)
    if "\0" in text:  # the mask below needs a character the text lacks
        return _split_fields_slowly(text)
    masked = _REFERENCE.sub(lambda m: m.group().replace(":", "\0"), text)
    return [part.replace("\0", ":") for part in masked.split(":", 5)]


def _split_fields_slowly(text: str) -> list[str]:
    spans = [m.span() for m in _REFERENCE.finditer(text)]
    parts, start, i = [], 0, 0
    while i < len(text) and len(parts) < 5:
        inside = next((e for b, e in spans if b <= i < e), None)
        if inside is not None:
            i = inside
            continue
        if text[i] == ":":
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


@lru_cache(maxsize=65536)
def _fields(pattern: str):
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    return tuple(compile_glob(p) for p in parts)


def arn_like(pattern: str, arn: str) -> bool:
    """True if ``arn`` matches the ARN ``pattern`` field by field.

    ``*`` alone matches everything. A pattern with fewer than six fields is
    matched as one glob against the whole text (the Resource element of IAM
    policies accepts that); a pattern with six fields matches only an ARN of
    six fields whose every field matches. Used for the Resource element and
    for the ``Arn*`` condition operators (IAM User Guide, *IAM JSON policy
    elements: Condition operators*, "Amazon Resource Name (ARN) condition
    operators").
    """
    if pattern == "*":
        return True
    fields = _fields(pattern)
    if fields is None:
        return compile_glob(pattern).match(arn)
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return False
    return all(g.match(p) for g, p in zip(fields, parts))
