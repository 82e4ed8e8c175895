"""The AWS stand-in for the collector's tests: moto in server mode on a free
loopback port, a seeded account (IAM users, groups, roles, managed and inline
policies; KMS keys with custom key policies, grants, aliases and tags in two
Regions; an organization with an SCP), and fault injection through botocore's
``before-send`` event (the response a throttled, not-yet-consistent or denied
call gets from AWS, returned without sending the request)."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field

ACCOUNT = "123456789012"  # moto's default account
R1, R2 = "us-east-1", "eu-west-1"
ACCT = f"arn:aws:iam::{ACCOUNT}:"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


TRUST_ACCOUNT = doc({"Effect": "Allow", "Principal": {"AWS": ACCT + "root"}, "Action": "sts:AssumeRole"})
TRUST_LAMBDA = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})


def key_policy_delegating() -> str:
    """The default key policy: the account may use IAM policies for the key."""
    return doc({"Sid": "EnableIAMUserPermissions", "Effect": "Allow", "Principal": {"AWS": ACCT + "root"},
                "Action": "kms:*", "Resource": "*"})


def key_policy_naming(*principals: str) -> str:
    """A key policy that trusts no IAM policy: only the named principals may decrypt;
    ``user/KeyAdmin`` administers it."""
    return doc(
        {"Sid": "KeyAdmin", "Effect": "Allow", "Principal": {"AWS": ACCT + "user/key-admin"},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:PutKeyPolicy"], "Resource": "*"},
        {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": [ACCT + p for p in principals]},
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
    )


@dataclass
class Seeded:
    """What :func:`seed` created: key IDs and ARNs by name."""

    keys: dict[str, str] = field(default_factory=dict)  # name -> key id
    arns: dict[str, str] = field(default_factory=dict)  # name -> key arn
    regions: dict[str, str] = field(default_factory=dict)  # name -> region


def reset(url: str) -> None:
    """Forget every resource of the moto server."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).read()


def session(region: str = R1):
    import boto3

    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)


def seed(url: str) -> Seeded:
    """Seed the moto server's account; returns the keys made.

    IAM: users dev-ann (group Developers, whose inline policy may assume role/AppRole),
    ops-bob (managed policy KeyUse: kms:Decrypt on the account's keys), carol (no policy),
    key-admin; roles AppRole (inline kms:Decrypt on *, trusts the account), BatchRole
    (trusts Lambda, no policy; it gets a grant). KMS: key ``app`` in us-east-1 (key policy
    delegating to IAM; alias/app-data; a Decrypt grant to BatchRole; tags), key ``ledger`` in
    eu-west-1 (key policy naming only user/carol; alias/ledger), key ``audit`` in eu-west-1
    (delegating; no alias). Organizations: an organization with this account as its
    management account and an SCP DenyKeyDeletion attached to the root.
    """
    s = session()
    kw = {"endpoint_url": url}
    iam = s.client("iam", **kw)
    iam.create_group(GroupName="Developers")
    iam.put_group_policy(GroupName="Developers", PolicyName="assume-app",
                         PolicyDocument=doc(allow("sts:AssumeRole", ACCT + "role/AppRole")))
    for user in ("dev-ann", "ops-bob", "carol", "key-admin"):
        iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName="Developers", UserName="dev-ann")
    pol = iam.create_policy(PolicyName="KeyUse", PolicyDocument=doc(allow("kms:Decrypt", f"arn:aws:kms:*:{ACCOUNT}:key/*")))
    iam.attach_user_policy(UserName="ops-bob", PolicyArn=pol["Policy"]["Arn"])
    iam.create_role(RoleName="AppRole", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    iam.put_role_policy(RoleName="AppRole", PolicyName="decrypt-all", PolicyDocument=doc(allow("kms:Decrypt")))
    iam.create_role(RoleName="BatchRole", AssumeRolePolicyDocument=TRUST_LAMBDA)

    out = Seeded()
    kms1 = s.client("kms", region_name=R1, **kw)
    kms2 = s.client("kms", region_name=R2, **kw)
    for name, client, region, policy in (("app", kms1, R1, key_policy_delegating()),
                                         ("ledger", kms2, R2, key_policy_naming("user/carol")),
                                         ("audit", kms2, R2, key_policy_delegating())):
        meta = client.create_key(Description=f"{name} key", Policy=policy,
                                 Tags=[{"TagKey": "team", "TagValue": name}])["KeyMetadata"]
        out.keys[name], out.arns[name], out.regions[name] = meta["KeyId"], meta["Arn"], region
    kms1.create_alias(AliasName="alias/app-data", TargetKeyId=out.keys["app"])
    kms2.create_alias(AliasName="alias/ledger", TargetKeyId=out.keys["ledger"])
    kms1.create_grant(KeyId=out.keys["app"], GranteePrincipal=ACCT + "role/BatchRole", Operations=["Decrypt"],
                      Name="batch-decrypt")

    org = s.client("organizations", **kw)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    scp = org.create_policy(Name="DenyKeyDeletion", Description="no key deletion", Type="SERVICE_CONTROL_POLICY",
                            Content=doc({"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}))
    org.attach_policy(PolicyId=scp["Policy"]["PolicySummary"]["Id"], TargetId=root)
    return out


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def aws_error(request, status: int, code: str, message: str):
    """The HTTP response AWS sends for an error of a JSON-protocol service (KMS, Organizations)."""
    from botocore.awsrequest import AWSResponse

    body = json.dumps({"__type": code, "message": message}).encode()
    return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.1",
                                             "x-amzn-RequestId": "fault-injected"}, _Raw(body))


def request_key(request) -> str | None:
    """The KeyId a KMS request names."""
    try:
        return json.loads(request.body or b"{}").get("KeyId")
    except ValueError:
        return None


def fill_moto_gaps(session) -> None:
    """moto (5.x) leaves ``PolicyName`` out of the ``Policies`` entries of
    GetAccountAuthorizationDetails; AWS always sends it (IAM API Reference,
    *ManagedPolicyDetail*). Fill it in from the ARN, as AWS would, so that the
    snapshot is what a real account gives. Without it the loader says so
    ("managed policy without Arn or PolicyName; left out")."""

    def fill(parsed=None, **_):
        for p in (parsed or {}).get("Policies", []):
            if isinstance(p, dict) and "PolicyName" not in p and isinstance(p.get("Arn"), str):
                p["PolicyName"] = p["Arn"].rsplit("/", 1)[-1]

    session.events.register("after-call.iam.GetAccountAuthorizationDetails", fill)


def aws_query_error(request, status: int, code: str, message: str):
    """The HTTP response AWS sends for an error of a query-protocol service (IAM, STS)."""
    from botocore.awsrequest import AWSResponse

    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fault-injected</RequestId></ErrorResponse>").encode()
    return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(body))
