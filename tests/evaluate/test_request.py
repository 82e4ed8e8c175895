"""Principals, resources and request contexts as the ``can`` command builds them."""

from __future__ import annotations

import json

import pytest

from policylint.evaluate.inputs import InputError, build_request, read_context_file
from policylint.evaluate.request import CallerError, Request, parse_caller, resolve_resource

A = "111122223333"


@pytest.mark.parametrize(
    ("text", "kind", "arn", "account", "role_arn", "name"),
    [
        ("arn:aws:iam::111122223333:user/alice", "user", "arn:aws:iam::111122223333:user/alice", A, None, "alice"),
        ("user/alice", "user", "arn:aws:iam::111122223333:user/alice", A, None, "alice"),
        ("role/app/Admin", "role", "arn:aws:iam::111122223333:role/app/Admin", A, "arn:aws:iam::111122223333:role/app/Admin", "Admin"),
        ("assumed-role/Admin/s1", "assumed-role", "arn:aws:sts::111122223333:assumed-role/Admin/s1", A, "arn:aws:iam::111122223333:role/Admin", "Admin"),
        ("111122223333", "root", "arn:aws:iam::111122223333:root", A, None, None),
        ("root", "root", "arn:aws:iam::111122223333:root", A, None, None),
        ("federated-user/bob", "federated-user", "arn:aws:sts::111122223333:federated-user/bob", A, None, "bob"),
        ("ec2.amazonaws.com", "service", "ec2.amazonaws.com", None, None, "ec2.amazonaws.com"),
        ("service:logs.us-east-1.amazonaws.com", "service", "logs.us-east-1.amazonaws.com", None, None, "logs.us-east-1.amazonaws.com"),
        ("anonymous", "anonymous", "anonymous", None, None, None),
        ("arn:aws-cn:iam::111122223333:user/li", "user", "arn:aws-cn:iam::111122223333:user/li", A, None, "li"),
    ],
)
def test_parse_caller(text, kind, arn, account, role_arn, name):
    c = parse_caller(text, A)
    assert (c.kind, c.arn, c.account, c.role_arn, c.name) == (kind, arn, account, role_arn, name)


def test_parse_federated_callers():
    oidc = parse_caller("federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    assert (oidc.kind, oidc.provider, oidc.account) == ("web-identity", "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", A)
    saml = parse_caller("federated:arn:aws:iam::111122223333:saml-provider/Corp")
    assert saml.kind == "saml"
    assert parse_caller("federated:accounts.google.com").kind == "web-identity"


@pytest.mark.parametrize(
    ("text", "account", "message"),
    [
        ("user/alice", None, "give a full ARN, or --account"),
        ("user/alice", "1234", "is not a 12-digit account ID"),
        ("arn:aws:s3:::bucket", A, "is not a principal"),
        ("arn:aws:sts::111122223333:assumed-role/OnlyRole", A, "assumed-role/ROLE/SESSION"),
        ("federated:", A, "give the identity provider"),
    ],
)
def test_parse_caller_errors(text, account, message):
    with pytest.raises(CallerError, match=message):
        parse_caller(text, account)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", "*"),
        ("arn:aws:s3:::reports/a", "arn:aws:s3:::reports/a"),
        ("key/1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ("mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"),
        ("alias/app", "arn:aws:kms:eu-west-1:111122223333:alias/app"),
        ("role/deploy", "arn:aws:iam::111122223333:role/deploy"),
    ],
)
def test_resolve_resource(text, expected):
    assert resolve_resource(text, A, "eu-west-1") == expected


def test_resolve_resource_needs_region_for_keys():
    with pytest.raises(CallerError, match="--account and --region"):
        resolve_resource("key/1234abcd-12ab-34cd-56ef-1234567890ab", A, None)
    with pytest.raises(CallerError, match="a resource is an ARN"):
        resolve_resource("bucket/x", A, "us-east-1")


def test_derived_context_for_a_role_session_on_a_key():
    r = Request(parse_caller("assumed-role/App/s1", A), "KMS:Decrypt",
                "arn:aws:kms:us-east-1:444455556666:key/k", {"AWS:SourceIp": ("10.0.0.1",)})
    assert r.context["aws:principalarn"] == ("arn:aws:iam::111122223333:role/App",)
    assert r.context["aws:principaltype"] == ("AssumedRole",)
    assert r.context["aws:principalaccount"] == (A,)
    assert r.context["kms:calleraccount"] == (A,)
    assert r.context["aws:resourceaccount"] == ("444455556666",)
    assert r.context["aws:requestedregion"] == ("us-east-1",)
    assert r.context["aws:sourceip"] == ("10.0.0.1",)
    assert "aws:username" not in r.context
    assert r.key_names["aws:sourceip"] == "AWS:SourceIp"
    assert (r.action_lower, r.service, r.resource_account) == ("kms:decrypt", "kms", "444455556666")


def test_given_context_wins_over_derived_keys():
    r = Request(parse_caller("user/alice", A), "s3:GetObject", "arn:aws:s3:::b/k", {"aws:username": ("mallory",)})
    assert r.context["aws:username"] == ("mallory",)


def test_build_request_adds_time_and_transport_unless_given():
    r = build_request("user/alice", "kms:Decrypt", "key/1234abcd-12ab-34cd-56ef-1234567890ab",
                      {"aws:SecureTransport": ["false"], "aws:TagKeys": ["a", "b"]}, A, "us-east-1", now=1_800_000_000)
    assert r.context["aws:currenttime"] == ("2027-01-15T08:00:00Z",)
    assert r.context["aws:epochtime"] == ("1800000000",)
    assert r.context["aws:securetransport"] == ("false",)
    assert r.context["aws:tagkeys"] == ("a", "b")
    assert r.resource == "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(("action", "message"), [("Decrypt", "is not an action"), ("kms:", "is not an action")])
def test_build_request_rejects_bad_actions(action, message):
    with pytest.raises(InputError, match=message):
        build_request("user/alice", action, "*", {}, A)


def test_context_file(tmp_path):
    f = tmp_path / "ctx.json"
    f.write_text(json.dumps({"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthPresent": True, "n": 3}))
    assert read_context_file(str(f)) == {"aws:SourceIp": ["10.0.0.1"], "aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthPresent": ["true"], "n": ["3"]}
    f.write_bytes(b'\xef\xbb\xbf{"aws:SourceIp": "10.0.0.1"}')  # a BOM, as Windows tools write
    assert read_context_file(str(f)) == {"aws:SourceIp": ["10.0.0.1"]}
    f.write_text("[1, 2]")
    with pytest.raises(InputError, match=r"ctx.json:1:1: expected an object of context key"):
        read_context_file(str(f))
    f.write_text('{\n  "k": {"nested": 1}\n}')
    with pytest.raises(InputError, match=r"ctx.json:2:8: k: a value must be a string .* not an object"):
        read_context_file(str(f))
    f.write_text('{"k": ["a", null]}')
    with pytest.raises(InputError, match=r"ctx.json:1:13: k: .* not null"):
        read_context_file(str(f))
    f.write_text("{")
    with pytest.raises(InputError, match=r"ctx.json:1:2: "):
        read_context_file(str(f))


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/Admin"]}, "aws:PrincipalArn is set by AWS for this request to arn:aws:iam::111122223333:user/alice"),
        ({"kms:CallerAccount": ["444455556666"]}, "kms:CallerAccount is set by AWS"),
        ({"AWS:PrincipalAccount": ["444455556666"]}, "aws:PrincipalAccount is set by AWS"),
        ({"aws:RequestedRegion": ["eu-west-1"]}, "aws:RequestedRegion is set by AWS for this request to us-east-1"),
    ],
)
def test_keys_aws_sets_cannot_be_contradicted(context, message):
    # Such a question once answered Allowed for a request AWS never sees.
    with pytest.raises(InputError, match=message):
        build_request("user/alice", "kms:Decrypt", "key/1234abcd-12ab-34cd-56ef-1234567890ab", context, A, "us-east-1")


def test_keys_aws_sets_may_be_repeated_and_resource_account_checked():
    r = build_request("user/alice", "kms:Decrypt", "key/1234abcd-12ab-34cd-56ef-1234567890ab",
                      {"aws:PrincipalArn": ["arn:aws:iam::111122223333:user/alice"]}, A, "us-east-1")
    assert r.context["aws:principalarn"] == ("arn:aws:iam::111122223333:user/alice",)
    for bad in (["abc"], ["111122223333", "444455556666"]):
        with pytest.raises(InputError, match="aws:ResourceAccount takes one 12-digit account ID"):
            build_request("user/alice", "s3:GetObject", "arn:aws:s3:::b/k", {"aws:ResourceAccount": bad}, A)


@pytest.mark.parametrize(("principal", "action", "resource", "region"), [
    # One endpoint per partition for global services (IAM User Guide, "AWS:
    # Denies access to AWS based on the requested Region").
    ("user/alice", "iam:CreateUser", "user/bob", "us-east-1"),
    ("user/alice", "organizations:ListAccounts", "*", "us-east-1"),
    ("user/alice", "route53:ListHostedZones", "*", "us-east-1"),
    ("arn:aws-us-gov:iam::111122223333:user/alice", "iam:ListUsers", "*", "us-gov-west-1"),
    ("user/alice", "s3:ListAllMyBuckets", "*", None),   # S3 is regional: unknown
    ("user/alice", "s3:GetObject", "arn:aws:s3:::b/k", None),
])
def test_requested_region_of_global_services(principal, action, resource, region):
    r = build_request(principal, action, resource, {}, A)
    assert r.context.get("aws:requestedregion") == ((region,) if region else None)
    if region:
        with pytest.raises(InputError, match=f"aws:RequestedRegion is set by AWS for this request to {region}"):
            build_request(principal, action, resource, {"aws:RequestedRegion": ["eu-west-1"]}, A)
