"""Probe principals (policylint/evaluate/probes.py), shared by diff and assert,
and the evaluator's handling of keys AWS derives from the caller."""

from __future__ import annotations

import pytest

from policylint.evaluate.authorize import Authorizer, Outcome
from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.probes import (MEMBER_KINDS, account_members, fill_account, identity_values, named_caller,
                                        principals_like, probe_principals)
from policylint.evaluate.request import CallerError, Request, parse_caller
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy


def _doc(statements: list[dict], kind=PolicyKind.RESOURCE):
    doc, problems = build_policy({"Version": "2012-10-17", "Statement": statements}, kind)
    assert doc is not None and not problems, problems
    return doc


@pytest.mark.parametrize("pattern, avoid, mentioned, expected", [
    ("444455556666", (), (), ["444455556666"]),
    ("4444*", (), (), ["444499999999"]),
    ("11112222333?", (), (), ["111122223339"]),
    ("*", (), (), ["999999999999"]),
    ("*", ("999999999999",), (), ["000000000000"]),
    ("4444*", (), ("444455556666", "111122223333"), ["444499999999", "444455556666"]),
    ("*6666", (), (), ["999999996666"]),
    ("1234567890123*", (), (), []),   # 13 fixed digits: no account matches
    ("${aws:PrincipalAccount}", (), (), []),
    ("not-an-account", (), (), []),
])
def test_fill_account(pattern, avoid, mentioned, expected):
    assert fill_account(pattern, avoid, mentioned) == expected


@pytest.mark.parametrize("pattern, expected", [
    # a wildcard in the resource type: a user and a role (as a session) named A
    ("arn:aws:iam::111122223333:*/A", ["arn:aws:iam::111122223333:user/A",
                                      "arn:aws:sts::111122223333:assumed-role/A/policylint-session"]),
    # a role pattern with a path: a session, whose aws:PrincipalArn keeps the path
    ("arn:aws:iam::*:role/app/*", ["arn:aws:sts::999999999999:assumed-role/x/policylint-session"]),
    ("arn:aws:iam::4444*:*", ["arn:aws:iam::444499999999:root", "arn:aws:iam::444499999999:user/x",
                              "arn:aws:sts::444499999999:assumed-role/x/policylint-session"]),
    ("arn:aws:iam::111122223333:root", ["arn:aws:iam::111122223333:root"]),
    ("arn:aws:s3:::bucket", []),          # not an IAM principal
    ("arn:aws:iam::${var.a}:role/X", []),  # a placeholder
])
def test_principals_like(pattern, expected):
    assert [c.arn for c in principals_like(pattern)] == expected


def test_principals_like_keeps_the_role_path_in_principal_arn():
    (c,) = principals_like("arn:aws:iam::111122223333:role/app/*")
    assert c.principal_arn == "arn:aws:iam::111122223333:role/app/x"
    assert c.principal_type == "AssumedRole"


def test_account_members_are_one_of_each_principal_type():
    members = account_members("111122223333")
    assert [(c.arn, c.principal_type, kind) for c, kind in members] == [
        ("arn:aws:iam::111122223333:root", "Account", "root user"),
        ("arn:aws:iam::111122223333:user/policylint-probe", "User", "IAM user"),
        ("arn:aws:sts::111122223333:assumed-role/policylint-probe/policylint-session", "AssumedRole", "role session"),
        ("arn:aws:sts::111122223333:federated-user/policylint-probe", "FederatedUser", "federated user"),
    ]
    with pytest.raises(CallerError):
        account_members("1111")


def test_named_caller():
    assert named_caller("111122223333") is None
    assert named_caller("arn:aws:iam::111122223333:root") is None
    assert named_caller("arn:aws:iam::111122223333:user/bob").arn == "arn:aws:iam::111122223333:user/bob"
    role = named_caller("arn:aws:iam::111122223333:role/ops/Admin")
    assert (role.kind, role.arn, role.role_arn) == (
        "assumed-role", "arn:aws:sts::111122223333:assumed-role/Admin/policylint-session",
        "arn:aws:iam::111122223333:role/ops/Admin")
    for bad in ("arn:aws:iam::*:root", "arn:aws:iam::${var.partner}:root", "arn:aws:s3:::b"):
        with pytest.raises(CallerError):
            named_caller(bad)


def test_identity_values():
    user = parse_caller("arn:aws:iam::111122223333:user/bob")
    session = parse_caller("arn:aws:sts::111122223333:assumed-role/Admin/s1")
    root = parse_caller("111122223333")
    u = identity_values(user, ["aws:principaltag/team", "aws:principaltag/cost"])
    assert u["aws:userid"][0].startswith("AIDA") and len(u["aws:userid"][0]) == 21
    # one value per tag key, and they differ
    assert u["aws:principaltag/cost"] == ("v0-cost",) and u["aws:principaltag/team"] == ("v1-team",)
    assert identity_values(session)["aws:userid"][0].startswith("AROA")
    assert identity_values(session)["aws:userid"][0].endswith(":s1")
    assert identity_values(root) == {"aws:userid": ("111122223333",)}
    assert identity_values(parse_caller("anonymous")) == {}


def test_probe_principals_of_a_key_policy():
    doc = _doc([
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
         "Action": "kms:Decrypt", "Resource": "*"},
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringLike": {"kms:CallerAccount": "4444*"}}},
        {"Sid": "Bad", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${var.x}:root"},
         "Action": "kms:Decrypt", "Resource": "*"},
        {"Sid": "Svc", "Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
         "Action": "kms:Decrypt", "Resource": "*"},
    ])
    found = probe_principals([doc.statements], home="111122223333")
    got = [(p.shown, p.label, p.member) for p in found.probes]
    assert got == [
        ("arn:aws:iam::111122223333:root", "account 111122223333", "root user"),
        ("arn:aws:iam::111122223333:user/policylint-probe", "account 111122223333", "IAM user"),
        ("arn:aws:iam::111122223333:role/policylint-probe", "account 111122223333", "role session"),
        ("arn:aws:sts::111122223333:federated-user/policylint-probe", "account 111122223333", "federated user"),
        ("arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/App", None),
        ("logs.amazonaws.com", "logs.amazonaws.com", None),
        ("arn:aws:iam::444499999999:root", "principal of account 444499999999", "root user"),
        ("arn:aws:iam::444499999999:user/policylint-probe", "principal of account 444499999999", "IAM user"),
        ("arn:aws:iam::444499999999:role/policylint-probe", "principal of account 444499999999", "role session"),
        ("arn:aws:sts::444499999999:federated-user/policylint-probe", "principal of account 444499999999", "federated user"),
        ("arn:aws:iam::999999999999:root", "principal of account 999999999999 (named by neither policy)", "root user"),
        ("arn:aws:iam::999999999999:user/policylint-probe",
         "principal of account 999999999999 (named by neither policy)", "IAM user"),
        ("arn:aws:iam::999999999999:role/policylint-probe",
         "principal of account 999999999999 (named by neither policy)", "role session"),
        ("arn:aws:sts::999999999999:federated-user/policylint-probe",
         "principal of account 999999999999 (named by neither policy)", "federated user"),
        ("anonymous", "anonymous callers", None),
    ]
    assert [(u.value, u.path) for u in found.unbuildable] == [
        ("arn:aws:iam::${var.x}:root", ("Statement", 3, "Principal", "AWS"))]
    assert found.outsider == "999999999999"
    assert set(MEMBER_KINDS) == {p.member for p in found.probes if p.member}


def test_probe_principals_outsider_avoids_named_and_avoided_accounts():
    doc = _doc([{"Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "kms:Decrypt", "Resource": "*"}])
    found = probe_principals([doc.statements], home=None, avoid=("000000000000",),
                             outsiders=("000000000000", "999999999999", "123456789012"))
    assert found.outsider == "123456789012"


# -- keys AWS derives from the caller are never "missing" ---------------------

def _key_policy(statement: dict) -> Authorizer:
    return Authorizer(PolicySet(resource=NamedPolicy("kp", _doc([statement]))))


KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_anonymous_caller_is_not_allowed_if_principal_arn_holds():
    # aws:PrincipalArn is absent for an anonymous caller in AWS too: the
    # statement can never apply, so there is no "allowed if".
    auth = _key_policy({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
                        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/X"}}})
    d = auth.authorize(Request(parse_caller("anonymous"), "kms:Decrypt", KEY))
    assert d.outcome is Outcome.IMPLICIT_DENY
    assert d.alternatives == [] and d.missing_keys == ()


def test_role_session_has_no_username_and_no_allowed_if():
    auth = _key_policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "kms:Decrypt", "Resource": "*",
                        "Condition": {"StringEquals": {"aws:username": "bob"}}})
    d = auth.authorize(Request(parse_caller("arn:aws:sts::111122223333:assumed-role/R/s"), "kms:Decrypt", KEY))
    assert d.outcome is Outcome.IMPLICIT_DENY and d.alternatives == []
    # a key the question did not give still gives an alternative
    auth = _key_policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "kms:Decrypt", "Resource": "*",
                        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}})
    d = auth.authorize(Request(parse_caller("arn:aws:iam::111122223333:root"), "kms:Decrypt", KEY))
    assert [a.when for a in d.alternatives] == [("kms:ViaService equals s3.us-east-1.amazonaws.com",)]


def test_username_variable_of_a_role_session_never_resolves():
    doc = _doc([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*"}],
               PolicyKind.IDENTITY)
    auth = Authorizer(PolicySet(identity=[NamedPolicy("id", doc)]))
    d = auth.authorize(Request(parse_caller("arn:aws:sts::111122223333:assumed-role/R/s"), "s3:GetObject",
                               "arn:aws:s3:::b/R/x"))
    assert d.outcome is Outcome.IMPLICIT_DENY and d.alternatives == [] and d.missing_keys == ()


# -- bad input (found by a bad-input pass: these were internal errors) --------

def test_bad_principal_values_are_unbuildable_or_understood():
    doc = _doc([
        {"Effect": "Allow", "Principal": {"Federated": ""}, "Action": "sts:AssumeRoleWithWebIdentity", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "111122223333 "}, "Action": "kms:Decrypt", "Resource": "*"},
    ])
    found = probe_principals([doc.statements])
    assert [(u.value, u.reason) for u in found.unbuildable] == [
        ("", "'federated:': give the identity provider, e.g. federated:accounts.google.com")]
    # the account with a stray space: its members
    assert [p.shown for p in found.probes if p.label == "account 111122223333"][:1] == ["arn:aws:iam::111122223333:root"]


def test_identity_values_of_an_arn_with_a_lone_surrogate():
    c = parse_caller("arn:aws:iam::111122223333:user/Pay\ud800App")
    assert identity_values(c)["aws:userid"][0].startswith("AIDA")


def test_format_date_range():
    from policylint.evaluate.conditions import format_date

    assert format_date(1_893_456_000) == "2030-01-01T00:00:00Z"
    assert format_date(253402300799) == "9999-12-31T23:59:59Z"
    for t in (253402300800, 1e20):
        with pytest.raises(ValueError, match="outside the dates ISO 8601 can write"):
            format_date(t)
