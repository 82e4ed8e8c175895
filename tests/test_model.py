"""The policy model and grammar validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from policylint.model.kinds import detect_kind, kind_from_path, looks_like_key_policy
from policylint.model.policy import PolicyKind, Statement
from policylint.model.problems import ProblemKind
from policylint.model.validate import build_policy


def kinds(problems):
    return [(p.kind, p.path) for p in problems]


def test_single_values_become_tuples_with_shape_remembered():
    doc, problems = build_policy(
        {
            "Version": "2012-10-17",
            "Id": "x",
            "Statement": {
                "Sid": "One",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": ["arn:aws:kms:us-east-1:111122223333:key/a", "arn:aws:kms:us-east-1:111122223333:key/b"],
                "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": ["s3.us-east-1.amazonaws.com"]}, "Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": 10}},
            },
        },
        PolicyKind.IDENTITY,
    )
    assert problems == []
    (s,) = doc.statements
    assert s.path == ("Statement",) and s.action == ("kms:Decrypt",) and len(s.resource) == 2
    assert s.value_path("Action", 0) == ("Statement", "Action")
    assert s.value_path("Resource", 1) == ("Statement", "Resource", 1)
    assert [(c.operator, c.key, c.values, c.single) for c in s.condition] == [
        ("StringEquals", "kms:CallerAccount", ("111122223333",), True),
        ("StringEquals", "kms:ViaService", ("s3.us-east-1.amazonaws.com",), False),
        ("Bool", "aws:SecureTransport", ("true",), True),
        ("NumericLessThan", "s3:max-keys", ("10",), True),
    ]
    assert doc.version == "2012-10-17" and doc.id == "x" and doc.statement_count == 1


def test_model_is_frozen():
    doc, _ = build_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"}]}, PolicyKind.IDENTITY)
    with pytest.raises(ValidationError):
        doc.statements[0].effect = "Allow"  # type: ignore[misc]
    assert isinstance(doc.statements[0], Statement) and doc.statements[0].not_action == ("s3:*",)


def test_principal_forms():
    doc, problems = build_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/R"], "Service": "ec2.amazonaws.com", "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df9"}, "Action": "kms:Decrypt", "Resource": "*"},
                {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            ],
        },
        PolicyKind.RESOURCE,
    )
    assert problems == []
    a, b, c = doc.statements
    assert a.principal.all is True and a.principal.values() == (("*", "*"),)
    assert b.principal.aws == ("111122223333", "arn:aws:iam::444455556666:role/R")
    assert b.principal.service == ("ec2.amazonaws.com",) and b.principal.canonical_user == ("79a59df9",)
    assert c.not_principal.aws == ("arn:aws:iam::111122223333:root",)


def test_grammar_problems():
    doc, problems = build_policy(
        {
            "Version": "2012-10-18",
            "Statment": [],
            "Statement": [
                {"Effect": "allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*", "Principal": {"AWS": "*"}},
                {"Effect": "Allow", "Action": {"s3": "*"}, "Resource": [], "Condition": []},
                {"Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "s3:*", "Resource": "*"},
                "not a statement",
            ],
        },
        PolicyKind.IDENTITY,
    )
    assert kinds(problems) == [
        (ProblemKind.UNKNOWN_ELEMENT, ("Statment",)),
        (ProblemKind.INVALID_VERSION, ("Version",)),
        (ProblemKind.INVALID_EFFECT, ("Statement", 0, "Effect")),
        (ProblemKind.CONFLICTING_ELEMENTS, ("Statement", 1, "NotAction")),
        (ProblemKind.PRINCIPAL_NOT_ALLOWED, ("Statement", 1, "Principal")),
        (ProblemKind.INVALID_TYPE, ("Statement", 2, "Action")),
        (ProblemKind.EMPTY_ELEMENT, ("Statement", 2, "Resource")),
        (ProblemKind.INVALID_TYPE, ("Statement", 2, "Condition")),
        (ProblemKind.PRINCIPAL_NOT_ALLOWED, ("Statement", 3, "Principal")),
        (ProblemKind.UNKNOWN_ELEMENT, ("Statement", 3, "Principal", "Aws")),
        (ProblemKind.INVALID_TYPE, ("Statement", 4)),
    ]
    # Statements with a valid Effect are still modeled.
    assert [s.index for s in doc.statements] == [1, 2, 3]
    assert doc.statement_count == 5


def test_kind_specific_rules():
    no_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    _, p = build_policy(no_principal, PolicyKind.RESOURCE)
    assert kinds(p) == [(ProblemKind.PRINCIPAL_REQUIRED, ("Statement", 0))]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}]}
    _, p = build_policy(trust, PolicyKind.TRUST)
    assert kinds(p) == [(ProblemKind.ELEMENT_NOT_ALLOWED, ("Statement", 0, "Resource"))]
    trust["Statement"][0].pop("Resource")
    assert build_policy(trust, PolicyKind.TRUST)[1] == []
    _, p = build_policy({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}, PolicyKind.SCP)
    assert kinds(p) == [(ProblemKind.MISSING_VERSION, ()), (ProblemKind.MISSING_ELEMENT, ("Statement", 0))]


def test_duplicate_sid_and_empty_statement():
    _, p = build_policy({"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Sid": "A", "Effect": "Bad", "Action": "s3:*", "Resource": "*"}]}, PolicyKind.IDENTITY)
    assert (ProblemKind.DUPLICATE_SID, ("Statement", 1, "Sid")) in kinds(p)
    _, p = build_policy({"Version": "2012-10-17", "Statement": []}, PolicyKind.IDENTITY)
    assert kinds(p) == [(ProblemKind.EMPTY_ELEMENT, ("Statement",))]
    doc, p = build_policy(["not", "an", "object"], PolicyKind.IDENTITY)
    assert doc is None and kinds(p) == [(ProblemKind.INVALID_TYPE, ())]


def test_detect_kind():
    identity = {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    key_policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}]}
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]}
    assert detect_kind(identity)[0] is PolicyKind.IDENTITY
    assert detect_kind(key_policy)[0] is PolicyKind.RESOURCE
    assert detect_kind(trust)[0] is PolicyKind.TRUST
    assert detect_kind(identity, path="org/service_control_policies/deny.json")[0] is PolicyKind.SCP
    assert detect_kind(key_policy, path="org/resource_control_policies/kms.json")[0] is PolicyKind.RCP
    # The folder says RCP even when every action is an sts: action (an RCP
    # guarding sts:TagSession was once read as a trust policy).
    assert detect_kind(trust, path="org/resource_control_policies/sts.json")[0] is PolicyKind.RCP
    assert detect_kind(identity, source_hint=PolicyKind.TRUST)[0] is PolicyKind.TRUST
    assert kind_from_path("examples/scp-rcp-mixed/x.json") is None
    assert kind_from_path("policies/scps/deny.json") is PolicyKind.SCP
    assert looks_like_key_policy(key_policy) and not looks_like_key_policy(trust)
