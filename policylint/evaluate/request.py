"""The request to authorize: who, what action, on which resource, in what context.

Sources: IAM User Guide, *Understanding how IAM works* ("Request"), *AWS JSON
policy elements: Principal* (principal ARN forms), *IAM identifiers*
(user, role and assumed-role session ARNs), *AWS global condition context keys*
(the keys derived from the principal and the resource).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from policylint.evaluate.arn import PARTITIONS, parse_arn

__all__ = ["CALLER_KEYS", "Caller", "CallerError", "GLOBAL_SERVICES", "Request", "derived_keys", "parse_caller", "resolve_resource"]


class CallerError(ValueError):
    """A principal that cannot be understood (message says why and how to write it)."""


@dataclass(frozen=True)
class Caller:
    """The principal making the request.

    Attributes:
        kind: ``user``, ``role`` (the role itself), ``assumed-role`` (a role
            session), ``root`` (the account root user), ``federated-user``
            (``sts:GetFederationToken``), ``web-identity`` or ``saml``
            (federated through a provider), ``service`` (an AWS service
            principal), ``canonical-user`` (an Amazon S3 canonical user ID), ``anonymous``.
        arn: the principal's ARN as it appears in requests (for a role
            session, the ``arn:aws:sts::...:assumed-role/Role/session`` ARN),
            or the service name for a service principal.
        account: the 12-digit account ID, or None (services, anonymous).
        partition: ``aws``, ``aws-cn``, ``aws-us-gov``...
        role_arn: for a role or a role session, the IAM role ARN (with its
            path when it was given), which key policies and trust policies name.
        name: user name, role name, or federated user name.
        provider: the identity provider of a web-identity or SAML principal.
    """

    kind: str
    arn: str
    account: str | None = None
    partition: str = "aws"
    role_arn: str | None = None
    name: str | None = None
    provider: str | None = None

    @property
    def principal_arn(self) -> str:
        """The value of ``aws:PrincipalArn``: the role ARN for a role session."""
        return self.role_arn or self.arn

    @property
    def principal_type(self) -> str:
        """The value of ``aws:PrincipalType``."""
        return {
            "user": "User",
            "role": "AssumedRole",
            "assumed-role": "AssumedRole",
            "root": "Account",
            "federated-user": "FederatedUser",
            "web-identity": "WebIdentityUser",
            "saml": "SAMLUser",
            "service": "AWSService",
            "anonymous": "Anonymous",
            "canonical-user": "CanonicalUser",
        }[self.kind]

    def __str__(self) -> str:
        return self.arn


_ACCOUNT = re.compile(r"^[0-9]{12}$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$")


@lru_cache(maxsize=4096)
def parse_caller(text: str, account: str | None = None, partition: str = "aws") -> Caller:
    """Understand a principal written as an ARN or in a short form.

    Forms: a full ARN (``arn:aws:iam::111122223333:user/alice``,
    ``...:role/path/Admin``, ``arn:aws:sts::111122223333:assumed-role/Admin/s``,
    ``...:federated-user/bob``, ``...:root``); a 12-digit account ID (its root
    user); a service principal (``ec2.amazonaws.com``, or
    ``service:ec2.amazonaws.com``); ``anonymous``; a web identity or SAML
    user as ``federated:PROVIDER`` (``federated:accounts.google.com``,
    ``federated:arn:aws:iam::111122223333:saml-provider/Corp``); an Amazon S3
    canonical user as ``canonical:ID``. Short forms need
    ``account``: ``user/alice``, ``role/Admin``, ``role/app/Admin``,
    ``assumed-role/Admin/session``, ``federated-user/bob``, ``root``.

    Raises:
        CallerError: the text is none of these, or a short form has no account.
    """
    t = text.strip()
    if t == "anonymous" or t == "*":
        return Caller("anonymous", "anonymous")
    if t.startswith("federated:"):
        # A web identity or SAML user, named by its identity provider (what a
        # trust policy's "Federated" principal names).
        provider = t[len("federated:"):].strip()
        if not provider:
            raise CallerError(f"{text!r}: give the identity provider, e.g. federated:accounts.google.com")
        arn = parse_arn(provider)
        kind = "saml" if arn is not None and arn.resource.startswith("saml-provider/") else "web-identity"
        return Caller(kind, t, arn.account if arn else None, arn.partition if arn else partition, provider=provider)
    if t.startswith("canonical:"):
        # An Amazon S3 canonical user ID (what a bucket policy's "CanonicalUser" names).
        cid = t[len("canonical:"):].strip()
        if not re.fullmatch(r"[0-9a-f]{64}", cid):
            raise CallerError(f"{text!r}: a canonical user ID is 64 hexadecimal digits")
        return Caller("canonical-user", cid, None, partition, name=cid)
    if t.startswith("service:"):
        t = t[len("service:"):]
    if _SERVICE.match(t):
        return Caller("service", t, None, partition, name=t)
    if _ACCOUNT.match(t):
        return Caller("root", f"arn:{partition}:iam::{t}:root", t, partition)
    if not t.startswith("arn:"):
        if account is None:
            raise CallerError(f"{text!r}: give a full ARN, or --account to resolve short names like user/alice")
        if not _ACCOUNT.match(account):
            raise CallerError(f"--account {account!r} is not a 12-digit account ID")
        service = "sts" if t.startswith(("assumed-role/", "federated-user/")) else "iam"
        t = f"arn:{partition}:{service}::{account}:{t}"
    arn = parse_arn(t)
    if arn is None or arn.service not in ("iam", "sts") or not _ACCOUNT.match(arn.account):
        raise CallerError(
            f"{text!r} is not a principal: use an IAM user, role or root ARN, an assumed-role session ARN, "
            "an account ID or a service principal such as ec2.amazonaws.com"
        )
    if arn.partition not in PARTITIONS:
        raise CallerError(f"{text!r}: unknown partition {arn.partition!r} (one of {', '.join(PARTITIONS)})")
    if arn.region:
        raise CallerError(f"{text!r}: IAM and STS principal ARNs have no Region")
    res = arn.resource
    if "*" in res or "?" in res:
        raise CallerError(f"{text!r}: a request comes from one principal; wildcards belong in policies")
    if any(not part for part in res.split("/")):
        raise CallerError(f"{text!r}: empty name in the principal ARN")
    if arn.service == "iam" and res == "root":
        return Caller("root", t, arn.account, arn.partition)
    if arn.service == "iam" and res.startswith("user/"):
        return Caller("user", t, arn.account, arn.partition, name=res.rsplit("/", 1)[-1])
    if arn.service == "iam" and res.startswith("role/"):
        return Caller("role", t, arn.account, arn.partition, role_arn=t, name=res.rsplit("/", 1)[-1])
    if arn.service == "sts" and res.startswith("assumed-role/"):
        parts = res.split("/")
        if len(parts) != 3:
            raise CallerError(f"{text!r}: an assumed-role session is assumed-role/ROLE/SESSION")
        role = f"arn:{arn.partition}:iam::{arn.account}:role/{parts[1]}"
        return Caller("assumed-role", t, arn.account, arn.partition, role_arn=role, name=parts[1])
    if arn.service == "sts" and res.startswith("federated-user/"):
        return Caller("federated-user", t, arn.account, arn.partition, name=res.split("/", 1)[1])
    raise CallerError(f"{text!r}: unsupported principal ARN (users, roles, role sessions, federated users, root)")


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")
_KEY_ID = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def resolve_resource(text: str, account: str | None, region: str | None, partition: str = "aws") -> str:
    """Turn a short resource name into an ARN.

    ``*`` and ARNs are kept; ``key/ID``, a bare key ID and ``alias/NAME``
    become KMS ARNs in ``region`` and ``account``; ``role/NAME`` and
    ``user/NAME`` become IAM ARNs in ``account``.

    Raises:
        CallerError: a short name without the account (or Region) it needs,
            or text that is none of these.
    """
    t = text.strip()
    if t == "*" or t.startswith("arn:"):
        return t
    if _KEY_ID.match(t):
        t = f"key/{t}"
    if t.startswith(("key/", "alias/")):
        if not account or not region:
            raise CallerError(f"{text!r}: give the key ARN, or --account and --region to resolve {t.split('/')[0]}/ names")
        if not _REGION.match(region):
            raise CallerError(f"--region {region!r} is not a Region name such as us-east-1")
        if t in ("key/", "alias/"):
            raise CallerError(f"{text!r}: give the key ID or alias name")
        return f"arn:{partition}:kms:{region}:{account}:{t}"
    if t.startswith(("role/", "user/")):
        if not account:
            raise CallerError(f"{text!r}: give the ARN, or --account to resolve {t.split('/')[0]}/ names")
        return f"arn:{partition}:iam::{account}:{t}"
    raise CallerError(f"{text!r}: a resource is an ARN, *, key/ID, alias/NAME, role/NAME or user/NAME")


@dataclass
class Request:
    """One request.

    Attributes:
        caller: who asks.
        action: ``service:Action`` (any case).
        resource: the resource ARN, or ``"*"`` for actions without a resource.
        context: request context, lower-case key -> values (several values
            for a multivalued key). Keys derived from the caller and the
            resource (``aws:PrincipalArn``, ``aws:PrincipalAccount``,
            ``aws:PrincipalType``, ``aws:username``, ``aws:ResourceAccount``,
            ``kms:CallerAccount``, ...) are added unless given.
        key_names: original spelling of each context key, for messages.
        aws_managed_key: the resource is an AWS managed KMS key (RCPs do not apply).

    Set from those: ``action_lower``, ``service`` (the lower-case prefix),
    ``resource_arn`` (the parsed ARN or None) and ``resource_account`` (from
    the ARN, else from a given ``aws:ResourceAccount``, else None: taken as
    the caller's account).
    """

    caller: Caller
    action: str
    resource: str = "*"
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    key_names: dict[str, str] = field(default_factory=dict)
    aws_managed_key: bool = False

    def __post_init__(self) -> None:
        self.action_lower = self.action.lower()
        self.service = self.action_lower.split(":", 1)[0]
        self.resource_arn = parse_arn(self.resource)
        self.resource_account = self.resource_arn.account if self.resource_arn and self.resource_arn.account else None
        given = self.context
        context = {}
        names = self.key_names
        for k, v in given.items():
            low = k.lower()
            # Key names are case-insensitive: spellings of one key are one key.
            context[low] = context[low] + tuple(v) if low in context else tuple(v)
            names.setdefault(low, k)
        for low, name, v in derived_keys(self.caller, self.service, self.resource_arn):
            if low not in context:
                context[low] = v
            names.setdefault(low, name)
        self.context = context
        if self.resource_account is None:
            # ARNs of some resources (S3 buckets and objects) carry no account:
            # aws:ResourceAccount, when given, says whose it is.
            owner = context.get("aws:resourceaccount")
            if owner and len(owner) == 1:
                self.resource_account = owner[0]

    def derived_context(self) -> dict[str, tuple[str, ...]]:
        """Context keys AWS sets for every request of this caller and resource
        (IAM User Guide, *AWS global condition context keys*, "Availability"):
        the principal's ARN, account, type and (for users) name, the
        resource's account and Region, ``kms:CallerAccount`` for KMS."""
        return {name: v for _, name, v in derived_keys(self.caller, self.service, self.resource_arn)}


@lru_cache(maxsize=4096)
def derived_keys(c: Caller, service: str, arn) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """``(lower-case key, key, values)`` of the context keys AWS sets from the
    caller and the resource (:meth:`Request.derived_context`), cached."""
    out: dict[str, tuple[str, ...]] = {}
    if c.kind == "service":
        out["aws:PrincipalServiceName"] = (c.arn,)
        out["aws:PrincipalIsAWSService"] = ("true",)
    elif c.kind == "canonical-user":
        pass  # no IAM identity: nothing to derive
    elif c.kind in ("web-identity", "saml"):
        out["aws:FederatedProvider"] = (c.provider or "",)
    elif c.kind != "anonymous":
        out["aws:PrincipalArn"] = (c.principal_arn,)
        out["aws:PrincipalType"] = (c.principal_type,)
        out["aws:PrincipalIsAWSService"] = ("false",)
        if c.account:
            out["aws:PrincipalAccount"] = (c.account,)
        if c.kind == "user" and c.name:
            out["aws:username"] = (c.name,)
        if service == "kms" and c.account:
            out["kms:CallerAccount"] = (c.account,)
    if arn is not None:
        if arn.account:
            out["aws:ResourceAccount"] = (arn.account,)
        if arn.region:
            out["aws:RequestedRegion"] = (arn.region,)
    if "aws:RequestedRegion" not in out and service in GLOBAL_SERVICES:
        # One endpoint for the partition: its Region is the requested Region.
        region = _GLOBAL_REGION.get(arn.partition if arn is not None else c.partition)
        if region:
            out["aws:RequestedRegion"] = (region,)
    return tuple((k.lower(), k, v) for k, v in out.items())


#: The keys :func:`derived_keys` sets from the caller (lower case): AWS sets
#: them whenever the principal has them, so one that is absent is absent
#: for that caller in AWS too.
CALLER_KEYS = frozenset(("aws:principalarn", "aws:principaltype", "aws:principalaccount", "aws:username",
                         "aws:principalisawsservice", "aws:principalservicename", "kms:calleraccount",
                         "aws:federatedprovider"))

#: Global services whose one endpoint is in us-east-1, so that every request
#: to them carries aws:RequestedRegion us-east-1 (IAM User Guide, *AWS:
#: Denies access to AWS based on the requested Region*: CloudFront, IAM,
#: Route 53 and Support, and budgets, globalaccelerator, importexport,
#: organizations and waf).
GLOBAL_SERVICES = frozenset(("cloudfront", "iam", "route53", "support", "budgets", "globalaccelerator",
                             "importexport", "organizations", "waf"))
#: The Region of a partition's global endpoints.
_GLOBAL_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
