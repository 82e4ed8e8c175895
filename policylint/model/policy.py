"""The policy model: frozen pydantic v2 classes for IAM JSON policy documents.

The shapes follow the IAM User Guide, *IAM JSON policy element reference*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html)
and its grammar page, *IAM JSON policy language grammar*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).

Elements that AWS accepts either as one value or as a list (``Action``,
``Resource``, the principal lists, condition values) are always tuples here;
the original single-value shape is remembered in :attr:`Statement.single`
and :attr:`ConditionClause.single`, so messages and positions can point at
exactly what was written. Documents are built by
:func:`policylint.model.validate.build_policy`, which reports every deviation
from the grammar as a :class:`~policylint.model.problems.Problem`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ConditionClause",
    "PolicyDocument",
    "PolicyKind",
    "Principal",
    "Statement",
    "VERSIONS",
]

#: The two policy language versions IAM accepts (IAM User Guide,
#: *IAM JSON policy elements: Version*). Policy variables work only in 2012-10-17.
VERSIONS = ("2012-10-17", "2008-10-17")

DataPath = tuple[Union[str, int], ...]


class PolicyKind(StrEnum):
    """Where a policy is attached, which decides the elements it may use.

    * ``identity``: attached to a user, group or role (no Principal).
    * ``resource``: attached to a resource; a KMS key policy is one (needs Principal).
    * ``trust``: a role's assume-role policy, a resource policy on the role
      whose actions are ``sts:`` actions.
    * ``scp``: an AWS Organizations service control policy (no Principal).
    * ``rcp``: an AWS Organizations resource control policy (Principal ``"*"``).

    Sources: IAM User Guide, *Policies and permissions in IAM*; AWS
    Organizations User Guide, *Service control policies* and *Resource
    control policies*.
    """

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"

    @property
    def takes_principal(self) -> bool:
        """True for kinds whose statements must name a Principal."""
        return self in (PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.RCP)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Principal(_Frozen):
    """A ``Principal`` or ``NotPrincipal`` element.

    Attributes:
        all: True for the bare string ``"*"`` (everyone, including anonymous).
        aws: account IDs, account/user/role/assumed-role ARNs, or ``"*"``.
        service: service principals such as ``ec2.amazonaws.com``.
        federated: identity providers (SAML provider ARNs, OIDC provider names).
        canonical_user: Amazon S3 canonical user IDs.

    Source: IAM User Guide, *AWS JSON policy elements: Principal*.
    """

    all: bool = False
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()

    def values(self) -> tuple[tuple[str, str], ...]:
        """Every principal as (type, value), with type ``*``, ``AWS``, ``Service``,
        ``Federated`` or ``CanonicalUser``."""
        out: list[tuple[str, str]] = [("*", "*")] if self.all else []
        out += [("AWS", v) for v in self.aws]
        out += [("Service", v) for v in self.service]
        out += [("Federated", v) for v in self.federated]
        out += [("CanonicalUser", v) for v in self.canonical_user]
        return tuple(out)


class ConditionClause(_Frozen):
    """One operator/key pair of a ``Condition`` block with its values.

    A block ``{"StringEquals": {"k1": "a", "k2": ["b", "c"]}}`` becomes two
    clauses. Values are strings: JSON numbers and booleans, which IAM accepts
    in conditions, are kept as their JSON text (``10``, ``true``).

    Attributes:
        operator: as written, e.g. ``ForAnyValue:StringLikeIfExists``.
        key: condition key as written (key names are case-insensitive in IAM).
        values: the values to compare with; several values are ORed.
        single: True when the value was written as one scalar, not a list.

    Source: IAM User Guide, *IAM JSON policy elements: Condition*.
    """

    operator: str
    key: str
    values: tuple[str, ...]
    single: bool = False


class Statement(_Frozen):
    """One statement of a policy.

    Attributes:
        index: position in the document's Statement list (0 for a lone object).
        path: data path of the statement inside the document, e.g. ``("Statement", 2)``.
        sid: the ``Sid``, or None.
        effect: ``"Allow"`` or ``"Deny"``.
        principal, not_principal: ``Principal``/``NotPrincipal``, or None.
        action, not_action, resource, not_resource: the values, or None when
            the element is absent.
        condition: condition clauses in document order (all must hold).
        single: names of elements written as a single string rather than a
            list (``{"Action", "Resource"}``), to rebuild exact positions.
    """

    index: int
    path: DataPath
    sid: str | None = None
    effect: Literal["Allow", "Deny"]
    principal: Principal | None = None
    not_principal: Principal | None = None
    action: tuple[str, ...] | None = None
    not_action: tuple[str, ...] | None = None
    resource: tuple[str, ...] | None = None
    not_resource: tuple[str, ...] | None = None
    condition: tuple[ConditionClause, ...] = ()
    single: frozenset[str] = frozenset()

    def value_path(self, element: str, i: int) -> DataPath:
        """Data path (inside the document) of value ``i`` of ``element``
        (``"Action"``, ``"NotResource"``, ...), honouring its original shape."""
        if element in self.single:
            return self.path + (element,)
        return self.path + (element, i)

    def condition_path(self, clause: ConditionClause, i: int | None = None) -> DataPath:
        """Data path of a condition clause's key, or of its value ``i``."""
        base = self.path + ("Condition", clause.operator, clause.key)
        if i is None or clause.single:
            return base
        return base + (i,)

    @cached_property
    def action_services(self) -> frozenset[str]:
        """Lower-case service prefixes named by ``Action`` or ``NotAction``;
        ``"*"`` stands for any prefix with a wildcard (and for the bare ``*``)."""
        values = self.action if self.action is not None else (self.not_action or ())
        out = {v.partition(":")[0].lower() for v in values}
        wild = {s for s in out if "*" in s or "?" in s}
        return frozenset((out - wild) | ({"*"} if wild else set()))

    @property
    def label(self) -> str:
        """``Sid "X"`` when the statement has a Sid, else ``statement N`` (1-based)."""
        return f'Sid "{self.sid}"' if self.sid else f"statement {self.index + 1}"


class PolicyDocument(_Frozen):
    """A policy document.

    Attributes:
        kind: where the policy applies (see :class:`PolicyKind`).
        version: ``"2012-10-17"``, ``"2008-10-17"``, or None when absent
            (AWS then uses 2008-10-17, where policy variables are literal text).
        id: the optional ``Id``.
        statements: the statements that could be modeled; a statement with no
            valid ``Effect`` is left out and reported as a problem instead.
        statement_count: how many statements the document holds, modeled or not.
    """

    kind: PolicyKind
    version: str | None = None
    id: str | None = None
    statements: tuple[Statement, ...] = ()
    statement_count: int = 0
