"""KMS grants, as ``aws kms list-grants`` prints them.

Source: AWS KMS API Reference, *ListGrants* (GrantListEntry) and *CreateGrant*
(GrantConstraints); KMS Developer Guide, *Grants in AWS KMS*.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["GRANT_OPERATIONS", "Grant", "GrantConstraints", "build_grants", "truncated"]

#: Grant operations as ListGrants and CreateGrant spell them (KMS API
#: Reference, *CreateGrant*, ``Operations``; the ``GrantOperation`` enum).
GRANT_OPERATIONS = frozenset((
    "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GenerateMac",
    "VerifyMac", "DeriveSharedSecret", "GetPublicKey", "DescribeKey", "CreateGrant", "RetireGrant",
))


class GrantConstraints(BaseModel):
    """Encryption-context constraints: the request's encryption context must
    equal ``encryption_context_equals`` exactly, or include every pair of
    ``encryption_context_subset``."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    encryption_context_subset: dict[str, str] | None = Field(default=None, alias="EncryptionContextSubset")
    encryption_context_equals: dict[str, str] | None = Field(default=None, alias="EncryptionContextEquals")


class Grant(BaseModel):
    """One grant on one KMS key.

    Attributes:
        key_id: the key's ARN (or ID) as ListGrants reports it.
        grant_id, name: identifiers.
        grantee_principal: who may use it: a user, role, account root,
            assumed-role session or (for grants AWS services make) a service principal.
        retiring_principal: who may retire it.
        operations: grant operations (``Decrypt``, ``Encrypt``, ``CreateGrant``...).
        constraints: encryption-context constraints, or None.
        index: position in the list-grants output (for messages).
    """

    # Only the fields ListGrants prints: a misspelled field (``Constraint``,
    # ``Operation``) would otherwise make a grant look unconstrained or empty.
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    key_id: str = Field(default="", alias="KeyId")
    grant_id: str = Field(default="", alias="GrantId")
    name: str | None = Field(default=None, alias="Name")
    grantee_principal: str = Field(alias="GranteePrincipal")
    retiring_principal: str | None = Field(default=None, alias="RetiringPrincipal")
    issuing_account: str | None = Field(default=None, alias="IssuingAccount")
    operations: tuple[str, ...] = Field(alias="Operations", min_length=1)
    constraints: GrantConstraints | None = Field(default=None, alias="Constraints")
    creation_date: str | None = Field(default=None, alias="CreationDate")
    index: int = 0

    @field_validator("operations")
    @classmethod
    def _known_operations(cls, ops: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [op for op in ops if op not in GRANT_OPERATIONS]
        if unknown:
            raise ValueError(f"not a grant operation: {', '.join(unknown)} (operations are spelled as in "
                             "ListGrants, e.g. Decrypt, GenerateDataKey)")
        return ops

    @property
    def label(self) -> str:
        return f"grant {self.name or self.grant_id[:12] or self.index + 1}"


def build_grants(raw: Any) -> tuple[list[Grant], list[tuple[tuple, str]]]:
    """Grants from parsed ``list-grants`` output (``{"Grants": [...]}``) or a bare list.

    Returns:
        (grants, problems): each entry that is not a valid grant gives one
        ``(data path, message)`` problem; the others are kept. Unknown fields
        of a grant are ignored (the CLI adds some), but not of its
        ``Constraints``: a misspelled constraint would make the grant look
        unconstrained.
    """
    base: tuple = ("Grants",) if isinstance(raw, dict) else ()
    entries = raw.get("Grants") if isinstance(raw, dict) else raw
    if not isinstance(entries, list):
        return [], [((), 'expected aws kms list-grants output: {"Grants": [...]}')]
    grants, problems = [], []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append((base + (i,), "a grant must be an object"))
            continue
        try:
            grants.append(Grant.model_validate({**entry, "index": i}))
        except ValidationError as e:
            # A misspelled field explains a missing one: report it first.
            first = min(e.errors(), key=lambda err: err["type"] != "extra_forbidden")
            loc = tuple(first["loc"])
            problems.append((base + (i,) + loc, f"grant {i + 1}: {_explain(first)}"))
    return grants, problems


def _explain(error: dict) -> str:
    """One pydantic error in the words of the list-grants output."""
    field = ".".join(str(x) for x in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        if error["loc"][0] == "Constraints":
            known = "EncryptionContextEquals, EncryptionContextSubset"
        else:
            known = "KeyId, GrantId, Name, GranteePrincipal, RetiringPrincipal, IssuingAccount, Operations, Constraints, CreationDate"
        return f"unknown field {field} (a misspelling? the fields are {known})"
    if kind == "missing":
        return f"{field} is missing"
    if kind == "value_error":
        return f"{field}: {error['msg'].removeprefix('Value error, ')}"
    return f"{field}: {error['msg'].lower()}"


def truncated(raw: Any) -> bool:
    """True when a ``list-grants`` output says more grants follow (``Truncated``)."""
    return isinstance(raw, dict) and raw.get("Truncated") is True
