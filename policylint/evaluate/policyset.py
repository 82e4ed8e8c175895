"""The policies that take part in one authorization, by type.

Source: IAM User Guide, *Policy evaluation logic* ("Policy types") and *How
AWS enforcement code logic evaluates requests to allow or deny access*; KMS
Developer Guide, *KMS key access and permissions*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable

from policylint.model.grant import Grant
from policylint.model.policy import DataPath, PolicyDocument

__all__ = ["NamedPolicy", "PolicySet", "PolicyType"]


class PolicyType(StrEnum):
    """Where a policy sits in the evaluation."""

    IDENTITY = "identity-based policy"
    RESOURCE = "resource-based policy"
    BOUNDARY = "permissions boundary"
    SESSION = "session policy"
    SCP = "service control policy"
    RCP = "resource control policy"
    GRANT = "KMS grant"


@dataclass
class NamedPolicy:
    """A policy document with a name and a way to find its statements in a file.

    Attributes:
        name: a label for explanations (file name, ``AppPolicy``...).
        document: the model.
        file: the file it came from, or None.
        locate: maps a data path inside the document to a 1-based (line,
            column) in ``file``, or None.
    """

    name: str
    document: PolicyDocument
    file: str | None = None
    locate: Callable[[DataPath], tuple[int, int] | None] | None = None


@dataclass
class PolicySet:
    """Everything that can allow or deny one request.

    Attributes:
        identity: the caller's identity-based policies (user, group and role
            policies, inline and managed).
        resource: the resource's resource-based policy: a KMS key policy, a
            role trust policy, a bucket policy...
        boundary: the caller's permissions boundary, or None.
        session: the session policy passed when the role session was made, or None.
        scps: service control policies of the caller's account, one list per
            level from the organization root down to the account; every level
            must allow. Empty when the account is not in an organization.
        rcps: resource control policies of the resource's account, by level, likewise.
        grants: KMS grants on the key.
        grants_file: where the grants came from.
        grants_truncated: the list-grants output said more grants follow.
        resource_arn: the ARN of the resource that ``resource`` (and ``grants``)
            belong to, or None. When set, they take part only in requests
            for that resource.
    """

    identity: list[NamedPolicy] = field(default_factory=list)
    resource: NamedPolicy | None = None
    boundary: NamedPolicy | None = None
    session: NamedPolicy | None = None
    scps: list[list[NamedPolicy]] = field(default_factory=list)
    rcps: list[list[NamedPolicy]] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    grants_file: str | None = None
    grants_truncated: bool = False
    resource_arn: str | None = None
