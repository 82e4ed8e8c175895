"""Recognizing AWS CLI outputs and other wrappers; positions inside embedded policies."""

from __future__ import annotations

import json
import urllib.parse

from policylint.load.reader import read_file
from policylint.model.policy import PolicyKind

from conftest import CORPUS, FIXTURES

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}


def write(tmp_path, name, obj) -> str:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj, indent=2))
    return str(p)


def test_bare_policy_and_list_of_policies(tmp_path):
    f = read_file(write(tmp_path, "p.json", POLICY))
    assert len(f.policies) == 1 and f.policies[0].pointer == "" and f.policies[0].kind_hint is None
    f = read_file(write(tmp_path, "l.json", [POLICY, POLICY]))
    assert [p.pointer for p in f.policies] == ["/0", "/1"]


def test_get_policy_version_and_get_role(tmp_path):
    f = read_file(write(tmp_path, "v.json", {"PolicyVersion": {"Document": POLICY, "VersionId": "v2", "IsDefaultVersion": True}}))
    (p,) = f.policies
    assert p.pointer == "/PolicyVersion/Document" and p.kind_hint == PolicyKind.IDENTITY and p.name == "policy version v2"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    f = read_file(write(tmp_path, "r.json", {"Role": {"RoleName": "App", "AssumeRolePolicyDocument": trust}}))
    assert f.policies[0].kind_hint == PolicyKind.TRUST and f.policies[0].name == "role/App trust policy"


def test_get_key_policy_string_positions_map_into_the_file():
    f = read_file(str(FIXTURES / "clean" / "get-key-policy-output.json"))
    (p,) = f.policies
    assert p.key_policy and p.kind_hint == PolicyKind.RESOURCE and p.pointer == "/Policy"
    assert p.document["Id"] == "key-default-1"
    line, col = p.locator.locate(("Statement", 0, "Action"))
    text = (FIXTURES / "clean" / "get-key-policy-output.json").read_text().splitlines()[line - 1]
    # The position is the opening (escaped) quote of "kms:*" inside the JSON string.
    assert text[col - 1 : col + 7] == '\\"kms:*\\'


def test_url_encoded_document_positions(tmp_path):
    encoded = urllib.parse.quote(json.dumps(POLICY, separators=(",", ":")), safe="")
    path = write(tmp_path, "u.json", {"PolicyVersion": {"Document": encoded, "VersionId": "v1", "IsDefaultVersion": True}})
    (p,) = read_file(path).policies
    assert p.document == POLICY
    line, col = p.locator.locate(("Statement", 0, "Action"))
    raw = open(path).read().splitlines()[line - 1]
    assert raw[col - 1 :].startswith("%22kms%3ADecrypt%22")


def test_broken_embedded_policy_is_a_positioned_syntax_problem(tmp_path):
    path = write(tmp_path, "k.json", {"Policy": '{"Version": "2012-10-17", "Statement": [', "PolicyName": "default"})
    f = read_file(path)
    assert f.policies == [] and f.problems[0].kind.value == "syntax" and f.problems[0].line == 2


def test_organizations_describe_policy(tmp_path):
    out = {"Policy": {"PolicySummary": {"Name": "DenyLeave", "Type": "SERVICE_CONTROL_POLICY"}, "Content": json.dumps(POLICY)}}
    (p,) = read_file(write(tmp_path, "o.json", out)).policies
    assert p.kind_hint == PolicyKind.SCP and p.name == "DenyLeave"
    out["Policy"]["PolicySummary"]["Type"] = "TAG_POLICY"
    f = read_file(write(tmp_path, "t.json", out))
    assert f.policies == [] and "TAG_POLICY" in f.skip_reason


def test_non_policies_are_skipped_with_reasons(tmp_path):
    cases = {
        "grants.json": ({"Grants": [], "Truncated": False}, "list-grants"),
        "key.json": ({"KeyMetadata": {"KeyId": "x"}}, "describe-key"),
        "cfn.json": ({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}, "CloudFormation template"),
        "plan.json": ({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}}, "Terraform"),
        "other.json": ({"hello": "world"}, "no IAM policy document found (top-level keys: hello)"),
        "null.json": ("null", "holds nothing"),
    }
    for name, (obj, reason) in cases.items():
        f = read_file(write(tmp_path, name, obj))
        assert f.policies == [] and f.problems == [] and reason in f.skip_reason, name


def test_bare_statements_are_checked_as_fragments(tmp_path):
    f = read_file(write(tmp_path, "stmt.json", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    (p,) = f.policies
    assert p.fragment and p.document["Version"] == "2012-10-17" and p.document["Statement"]["Action"] == "s3:*"
    assert p.file_pointer(("Statement", "Action")) == "/Action"
    assert p.locator.locate(("Statement", "Action")) == (3, 13)
    f = read_file(write(tmp_path, "stmts.json", [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}] * 2))
    (p,) = f.policies
    assert p.file_pointer(("Statement", 1, "Resource")) == "/1/Resource"


def test_policy_under_a_top_level_key(tmp_path):
    f = read_file(write(tmp_path, "ds.json", {"name": "X", "arn": "arn:aws:iam::aws:policy/X", "document": POLICY}))
    assert [p.pointer for p in f.policies] == ["/document"]


def test_account_authorization_details_uses_default_versions_only():
    path = CORPUS / "synthetic-account" / "iam" / "get-account-authorization-details.json"
    if not path.is_file():
        import pytest

        pytest.skip(f"{path} not present")
    f = read_file(str(path))
    names = [p.name for p in f.policies]
    assert "user/carol-kms-operator inline policy carol-kms-ops" in names
    assert any(n.startswith("role/") and n.endswith("trust policy") for n in names)
    assert "managed policy AppKeyUsage v2" in names and "managed policy AppKeyUsage v1" not in names
    assert any("AppKeyUsage version v1 is not the default version" in n for n in f.notes)
    kinds = {p.kind_hint for p in f.policies}
    assert kinds == {PolicyKind.IDENTITY, PolicyKind.TRUST}
