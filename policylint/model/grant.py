"""KMS grants, as ``aws kms list-grants`` prints them.

Source: AWS KMS API Reference, *ListGrants* (GrantListEntry) and *CreateGrant*
(GrantConstraints); KMS Developer Guide, *Grants in AWS KMS*.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Grant", "GrantConstraints", "build_grants", "truncated"]


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

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    key_id: str = Field(default="", alias="KeyId")
    grant_id: str = Field(default="", alias="GrantId")
    name: str | None = Field(default=None, alias="Name")
    grantee_principal: str = Field(alias="GranteePrincipal")
    retiring_principal: str | None = Field(default=None, alias="RetiringPrincipal")
    issuing_account: str | None = Field(default=None, alias="IssuingAccount")
    operations: tuple[str, ...] = Field(default=(), alias="Operations")
    constraints: GrantConstraints | None = Field(default=None, alias="Constraints")
    index: int = 0

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
            first = e.errors()[0]
            loc = tuple(first["loc"])
            field = ".".join(str(x) for x in loc)
            problems.append((base + (i,) + loc, f"grant {i + 1}: {field}: {first['msg']}"))
    return grants, problems


def truncated(raw: Any) -> bool:
    """True when a ``list-grants`` output says more grants follow (``Truncated``)."""
    return isinstance(raw, dict) and raw.get("Truncated") is True
