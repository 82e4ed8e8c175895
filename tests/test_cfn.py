"""CloudFormation templates: policies found per resource type, intrinsic
functions written as text, Fn::Sub JSON policies with positions, Metadata
suppressions (and PL001 when one silences nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, lint_json, run_cli
from policylint.load.cfn import has_template_reference
from policylint.load.reader import read_file

TEMPLATE = FIXTURES / "cfn" / "kms-key-template.yaml"
DATA = Path(__file__).parent / "data"


def _policies(path):
    loaded = read_file(str(path), str(path))
    return {p.name: p for p in loaded.policies}, loaded


def test_policies_of_each_resource_with_intrinsics_as_text():
    found, loaded = _policies(TEMPLATE)
    assert sorted(found) == ["AppKey (AWS::KMS::Key)", "AppRole (AWS::IAM::Role) policy app-data",
                             "AppRole (AWS::IAM::Role) trust policy", "LegacyPolicy (AWS::IAM::ManagedPolicy)"]
    key = found["AppKey (AWS::KMS::Key)"]
    assert (key.kind_hint, key.key_policy, key.pointer) == ("resource", True, "/Resources/AppKey/Properties/KeyPolicy")
    stmts = key.document["Statement"]
    assert stmts[0]["Principal"] == {"AWS": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    assert stmts[2]["Principal"] == {"AWS": "${AppRole.Arn}"}
    assert stmts[2]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.${AWS::Region}.amazonaws.com"}}
    app = found["AppRole (AWS::IAM::Role) policy app-data"].document["Statement"]
    assert app[0]["Resource"] == "arn:aws:s3:::${AppName}-data/${aws:username}/*"
    assert app[1]["Resource"] == "${AppKey.Arn}"
    assert found["AppRole (AWS::IAM::Role) trust policy"].kind_hint == "trust"
    # Fn::If: the first branch with a value, and a note saying so.
    assert found["LegacyPolicy (AWS::IAM::ManagedPolicy)"].document["Statement"][0]["Resource"] == "${AppKey.Arn}"
    assert loaded.notes == ["/Resources/LegacyPolicy/Properties/PolicyDocument: Fn::If IsProd: checked with its true branch only"]


def test_template_references_are_not_policy_variables():
    for text, expected in (("${AppName}", True), ("${AppKey.Arn}", True), ("arn:${AWS::Partition}:s3:::b", True),
                           ("${Fn::Select}", True), ("${aws:username}", False), ("${*}", False), ("a${?}b", False),
                           ("${www.amazon.com:user_id}", False), ("plain", False), ("${saml:sub}/${Env}", True)):
        assert has_template_reference(text) is expected, text


def test_fn_sub_json_policy_is_parsed_with_positions(tmp_path):
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "LogPolicy": {"Type": "AWS::Logs::ResourcePolicy", "Properties": {
                "PolicyName": "p",
                "PolicyDocument": {"Fn::Sub": [
                    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},'
                    ' "Action": ["logs:PutLogEvents", "logs:PutLogEvent"], "Resource": "arn:aws:logs:${AWS::Region}:${Acct}:log-group:${!aws:username}"}]}',
                    {"Acct": "111122223333"}]},
            }},
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template, indent=1))
    found, _ = _policies(path)
    (policy,) = found.values()
    assert policy.document["Statement"][0]["Resource"] == "arn:aws:logs:${AWS::Region}:111122223333:log-group:${aws:username}"
    code, report = lint_json(str(path), "--config", str(DATA / "only-catalog.toml"))
    (f,) = report["findings"]
    assert (f["code"], f["line"], f["column"]) == ("PL201", 10, 170)
    assert f["pointer"] == "/Resources/LogPolicy/Properties/PolicyDocument/Fn::Sub/0/Statement/0/Action/1"
    assert f["policy"] == "LogPolicy (AWS::Logs::ResourcePolicy)"


def test_template_references_in_actions_and_keys_are_not_typos(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
        "            Action: !Sub '${Service}:GetObject'\n            Resource: '*'\n"
        "            Condition:\n              StringEquals:\n                aws:PrincipalTag/team: !Ref Team\n"
    )
    code, report = lint_json(str(tmp_path / "t.yaml"), "--config", str(DATA / "only-catalog.toml"))
    assert report["findings"] == [] and code == 0


def test_metadata_suppression_silences_and_unused_ones_are_reported(tmp_path):
    text = TEMPLATE.read_text().replace(
        "  LegacyPolicy:\n    Type: AWS::IAM::ManagedPolicy\n",
        "  LegacyPolicy:\n    Type: AWS::IAM::ManagedPolicy\n    Metadata:\n      policylint:\n        suppress:\n"
        "          - code: PL201\n            reason: kept until the 2027 migration\n"
        "          - code: PL2\n            sid: Nope\n            reason: stale\n"
        "          - code: PL201\n",
    )
    (tmp_path / "t.yaml").write_text(text)
    code, report = lint_json(str(tmp_path / "t.yaml"), "--config", str(DATA / "only-catalog.toml"))
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("PL001", 81, 13)]
    assert 'suppression #2 in the Metadata of LegacyPolicy (code PL2, Sid "Nope") matched no finding' in report["findings"][0]["message"]
    (s,) = report["summary"]["suppressed"]
    assert (s["code"], s["suppressed_by"], s["reason"]) == ("PL201", "Metadata of LegacyPolicy #1", "kept until the 2027 migration")
    # With every rule, the key's own suppression (PL303 for the break-glass role) is used.
    code, report = lint_json(str(tmp_path / "t.yaml"))
    assert [(s["code"], s["sid"], s["suppressed_by"]) for s in report["summary"]["suppressed"]] == [
        ("PL303", "BreakGlass", "Metadata of AppKey #1"), ("PL201", None, "Metadata of LegacyPolicy #1")]
    assert {"file": str(tmp_path / "t.yaml"), "note": "/Resources/LegacyPolicy/Metadata/policylint/suppress/2: a suppression needs a reason; not applied"} in report["summary"]["notes"]
    assert code == 0


def test_template_without_policies_is_skipped_with_the_reason(tmp_path):
    (tmp_path / "t.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n")
    code, report = lint_json(str(tmp_path / "t.yaml"))
    assert report["summary"]["files_skipped"] == [{"file": str(tmp_path / "t.yaml"), "reason": "a CloudFormation template with no policy documents"}]
    assert code == 0


@pytest.mark.parametrize("sub", ["Fn::GetAZs", "Fn::ImportValue"])
def test_a_policy_computed_by_another_function_is_noted_not_dropped(tmp_path, sub):
    (tmp_path / "t.json").write_text(json.dumps({"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "x", "PolicyDocument": {sub: "x"}}}}}))
    _, loaded = _policies(tmp_path / "t.json")
    assert loaded.notes == [f"/Resources/P/Properties/PolicyDocument: the policy is computed by {sub}; not checked"]
    code, out, _ = run_cli("lint", str(tmp_path / "t.json"))
    assert "skipped 1 file: a CloudFormation template with no policy documents" in out


def test_metadata_suppression_naming_no_rule_is_reported(tmp_path):
    text = TEMPLATE.read_text().replace("          - code: PL303\n", "          - code: PL35\n")
    (tmp_path / "t.yaml").write_text(text)
    _, report = lint_json(str(tmp_path / "t.yaml"))
    (f,) = [f for f in report["findings"] if f["code"] == "PL001"]
    assert (f["line"], f["column"]) == (17, 13)
    assert "suppression #1 in the Metadata of AppKey names no rule (code PL35; see policylint rules)" in f["message"]
    assert [s["code"] for s in report["summary"]["suppressed"]] == []


def _template(tmp_path, resources: dict, **top) -> str:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": resources, **top}, indent=1))
    return str(path)


def _managed(resource):
    return {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}]}}}}


def test_self_referring_and_exploding_mappings_are_noted_not_followed(tmp_path):
    rec = _template(tmp_path, _managed({"Fn::FindInMap": ["M", "A", "B"]}),
                    Mappings={"M": {"A": {"B": {"Fn::FindInMap": ["M", "A", "B"]}}}})
    _, loaded = _policies(rec)
    assert loaded.notes == ["/Resources/P/Properties/PolicyDocument: Fn::FindInMap M/A/B refers to itself "
                            "(or nests too deeply); left as ${Fn::FindInMap}"]
    assert loaded.policies[0].document["Statement"][0]["Resource"] == "${Fn::FindInMap}"
    # Each level joins two lookups of the next: 2**40 characters if followed.
    m = {f"k{i}": {"v": {"Fn::Join": ["", [{"Fn::FindInMap": ["M", f"k{i + 1}", "v"]}] * 2]}} for i in range(40)}
    m["k40"] = {"v": "ab"}
    expo = _template(tmp_path, _managed({"Fn::FindInMap": ["M", "k0", "v"]}), Mappings={"M": m})
    _, loaded = _policies(expo)
    assert loaded.notes == ["/Resources/P/Properties/PolicyDocument: intrinsic functions expand to more than "
                            "1,000,000 characters; the rest are left as ${Fn::Join}"]
    assert len(loaded.policies[0].document["Statement"][0]["Resource"]) <= 1_000_000


def test_computed_elements_and_misshapen_properties_are_noted(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n"
        "        Version: '2012-10-17'\n        Statement: !Ref Stmts\n"
        "  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: !Ref VersionParam\n        Statement:\n          - {Effect: Allow, Action: kms:Decrpyt, Resource: '*'}\n"
        "  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies: {PolicyName: x}\n"
        "  K2:\n    Type: AWS::KMS::Key\n    Properties: [1]\n"
    )
    _, loaded = _policies(path)
    assert loaded.notes == [
        "/Resources/K/Properties/KeyPolicy/Statement: computed by Ref; the policy is not checked",
        "/Resources/P/Properties/PolicyDocument/Version: ${VersionParam} is known only when deployed; checked as 2012-10-17",
        "/Resources/R/Properties/Policies: should be a list, found an object; not checked",
        "/Resources/K2/Properties: Properties should be an object, found a list; not checked",
    ]
    code, report = lint_json(str(path), "--config", str(DATA / "only-catalog.toml"))
    assert [(f["code"], f["line"]) for f in report["findings"]] == [("PL201", 14)]


def test_a_sub_policy_that_is_not_json_is_reported_at_the_property(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: !Sub |\n"
                    '        {"Version": "2012-10-17", "Statement": [\n')
    code, report = lint_json(str(path))
    (f,) = report["findings"]
    assert (f["code"], f["line"], f["column"], code) == ("PL102", 5, 23, 2)


def test_arn_fields_keep_references_whole():
    from policylint.evaluate.arn import parse_arn, split_fields
    from policylint.rules._iam import fits_format

    assert split_fields("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*") == [
        "arn", "${AWS::Partition}", "kms", "${AWS::Region}", "${AWS::AccountId}", "key/*"]
    assert split_fields("arn:aws:logs:us-east-1:111122223333:log-group:a:*") == [
        "arn", "aws", "logs", "us-east-1", "111122223333", "log-group:a:*"]
    # The resource field keeps its own colons and references; a NUL in the
    # text (the fast path's mask character) takes the slow path, same answer.
    assert split_fields("arn:${AWS::Partition}:logs:${AWS::Region}:1:log-group:${Name}:*") == [
        "arn", "${AWS::Partition}", "logs", "${AWS::Region}", "1", "log-group:${Name}:*"]
    assert split_fields("arn:${AWS::Partition}:s3:::a\0b:${X::Y}") == [
        "arn", "${AWS::Partition}", "s3", "", "", "a\0b:${X::Y}"]
    arn = parse_arn("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
    assert (arn.partition, arn.service, arn.account, arn.resource) == ("${AWS::Partition}", "iam", "${AWS::AccountId}", "root")
    # A bucket ARN written with the partition reference is still a bucket, not an object.
    assert fits_format("arn:${AWS::Partition}:s3:::reports", "arn:${Partition}:s3:::${BucketName}")
    assert not fits_format("arn:${AWS::Partition}:s3:::reports", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")


def test_policy_variables_are_told_from_template_references():
    from policylint.evaluate.variables import has_policy_variable

    for text, any_kind, not_literal in (("${aws:username}", True, True), ("home/${aws:PrincipalTag/team, 'x'}", True, True),
                                        ("${*}", True, False), ("${AWS::AccountId}", False, False),
                                        ("${Bucket.Arn}", False, False), ("plain", False, False)):
        assert has_policy_variable(text) is any_kind, text
        assert has_policy_variable(text, literals=False) is not_literal, text
