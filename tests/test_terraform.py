"""Terraform inputs: .tf files (aws_iam_policy_document, jsonencode, heredocs) and
terraform show -json plans, with exact positions; every KMS key of the shared IaC
corpora found and its key policy checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import CORPUS, corpus_dir, lint_json, run_cli
from policylint.load.discover import discover
from policylint.load.reader import read_file

TF = Path(__file__).parent / "data" / "terraform"


def _found(report):
    return [(f["code"], f["line"], f["column"], f["policy"]) for f in report["findings"]]


def test_tf_policies_with_positions():
    loaded = read_file(str(TF / "kms.tf"))
    assert loaded.problems == [] and loaded.format == "hcl"
    by_name = {p.name: p for p in loaded.policies}
    assert sorted(by_name) == ["aws_iam_policy.reader", "aws_kms_key.app (data.aws_iam_policy_document.key)",
                               "aws_s3_bucket_policy.data"]
    key = by_name["aws_kms_key.app (data.aws_iam_policy_document.key)"]
    assert (key.key_policy, key.kind_hint, key.origin) == (True, "resource", "Terraform configuration")
    assert key.document == {"Version": "2012-10-17", "Statement": [
        {"Sid": "AccountAdmin", "Effect": "Allow", "Action": ["kms:*"], "Resource": ["*"],
         "Principal": {"AWS": ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]}},
        {"Sid": "Everyone", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": ["*"], "Principal": "*"}]}
    # $${...} is the literal ${...}: an IAM policy variable, not a Terraform interpolation.
    reader = by_name["aws_iam_policy.reader"].document
    assert reader["Statement"][0]["Resource"] == "arn:aws:s3:::app-data/${aws:username}/*"
    assert by_name["aws_s3_bucket_policy.data"].document["Statement"][0]["Principal"] == {"AWS": "${var.reader_arn}"}
    code, report = lint_json(str(TF / "kms.tf"))
    assert _found(report) == [
        ("PL300", 19, 21, "aws_kms_key.app (data.aws_iam_policy_document.key)"),  # the principals identifiers
        ("PL201", 35, 35, "aws_iam_policy.reader"),  # "kms:Decrpyt" inside jsonencode
        ("PL201", 46, 90, "aws_s3_bucket_policy.data"),  # "s3:GetObjekt" inside the heredoc
    ]
    assert report["findings"][1]["pointer"] == "/resource/aws_iam_policy/reader/policy/Statement/0/Action/1"
    assert code == 1


def test_terraform_show_json_plan():
    path = str(TF / "plan.json")
    loaded = read_file(path)
    assert [(p.name, p.kind_hint, p.key_policy, p.pointer) for p in loaded.policies] == [
        ("aws_iam_policy.app_read", "identity", False, "/planned_values/root_module/resources/0/values/policy"),
        ("aws_iam_role.app trust policy", "trust", False, "/planned_values/root_module/resources/1/values/assume_role_policy"),
        ("module.kms.aws_kms_key.this", "resource", True,
         "/planned_values/root_module/child_modules/0/resources/0/values/policy"),
        ("data.aws_iam_policy_document.deny_http", None, False, "/prior_state/values/root_module/resources/0/values/json"),
    ]
    assert loaded.notes == ["module.kms.aws_kms_key.logs: policy is known only after apply (after_unknown); not checked"]
    code, report = lint_json(path)
    assert _found(report) == [("PL201", 18, 205, "aws_iam_policy.app_read"), ("PL305", 59, 302, "module.kms.aws_kms_key.this")]
    text = (TF / "plan.json").read_text().splitlines()
    assert text[17][204:].startswith('\\"s3:ListBuckett\\"') and text[58][301:].startswith('\\"arn:aws:iam::999988887777:root')
    assert code == 1


def test_tf_discovery_skip_and_syntax_error(tmp_path):
    (tmp_path / "vars.tf").write_text('variable "name" {\n  type = string\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n}\n')
    (tmp_path / "notes.txt").write_text("x")
    d = discover([str(tmp_path)])
    assert [shown for _, shown in d.files] == [str(tmp_path / "broken.tf"), str(tmp_path / "vars.tf")]
    assert d.skipped == [(str(tmp_path / "notes.txt"), "not a .json, .yaml, .yml or .tf file")]
    code, report = lint_json(str(tmp_path))
    assert {"file": str(tmp_path / "vars.tf"), "reason": "a Terraform file with no policy documents"} in report["summary"]["files_skipped"]
    (f,) = report["findings"]
    assert (f["code"], f["file"], f["line"]) == ("PL102", str(tmp_path / "broken.tf"), 4)
    assert f["message"].startswith("HCL syntax error")
    assert code == 2


def test_dynamic_blocks_and_computed_values_are_unknown_not_errors(tmp_path):
    (tmp_path / "m.tf").write_text(
        'data "aws_iam_policy_document" "this" {\n'
        '  dynamic "statement" {\n    for_each = var.statements\n    content {\n'
        '      sid = statement.value.sid\n      effect = statement.value.effect\n'
        '      actions = try(statement.value.actions, null)\n      not_actions = try(statement.value.not_actions, null)\n'
        '      resources = ["*"]\n      condition {\n        test = "StringEquals"\n        variable = "aws:PrincipalTag/team"\n'
        '        values = [var.team]\n      }\n    }\n  }\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.this.json\n}\n')
    loaded = read_file(str(tmp_path / "m.tf"))
    (p,) = loaded.policies
    assert p.document["Statement"] == [{"Effect": "Allow",
                                        "Action": "${try(...)}", "Resource": ["*"],
                                        "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["${var.team}"]}}}]
    code, report = lint_json(str(tmp_path / "m.tf"))
    assert report["findings"] == [] and code == 0


def _cfn_key_count(root: Path) -> int:
    n = 0
    for f in sorted(root.rglob("*")):
        if f.suffix in (".yaml", ".yml"):
            n += len(re.findall(r"^\s*Type:\s*['\"]?AWS::KMS::Key['\"]?\s*$", f.read_text(), re.M))
        elif f.suffix == ".json":
            n += len(re.findall(r'"Type"\s*:\s*"AWS::KMS::Key"', f.read_text()))
    return n


def _tf_keys_with_policy(root: Path) -> set[str]:
    out = set()
    for f in sorted(root.rglob("*.tf")):
        text = f.read_text()
        for m in re.finditer(r'^resource\s+"(aws_kms_key|awscc_kms_key)"\s+"([\w-]+)"\s*\{(.*?)^\}', text, re.M | re.S):
            if re.search(r"^\s*(policy|key_policy)\s*=", m.group(3), re.M):
                out.add(f"{f}:{m.group(1)}.{m.group(2)}")
    return out


def test_every_kms_key_of_the_iac_corpora_is_checked():
    roots = [corpus_dir(n) for n in ("cfn-aws-cloudformation-templates", "cfn-tf-aws-sra-examples",
                                     "cfn-tf-iac-model-evaluation", "tf-terraform-aws-kms")]
    cfn_expected = sum(_cfn_key_count(r) for r in roots)
    tf_expected = set().union(*(_tf_keys_with_policy(r) for r in roots))
    cfn_keys, cfn_default, tf_found = 0, 0, set()
    for fs, shown in discover([str(r) for r in roots]).files:
        loaded = read_file(fs, shown)
        for p in loaded.policies:
            if not p.key_policy:
                continue
            if p.origin == "CloudFormation template":
                cfn_keys += "(AWS::KMS::Key)" in p.name
            else:
                for m in re.finditer(r"\b(aws_kms_key|awscc_kms_key)\.([\w-]+)", p.name):
                    tf_found.add(f"{fs}:{m.group(1)}.{m.group(2)}")
        cfn_default += sum("AWS::KMS::Key" in n and "has no KeyPolicy" in n for n in loaded.notes)
    assert cfn_expected == 26 and cfn_keys + cfn_default == cfn_expected
    assert len(tf_expected) == 17 and tf_found == tf_expected
    code, out, err = run_cli("lint", *map(str, roots))
    assert "Traceback" not in out + err and code == 0
    assert out.rstrip().endswith("Checked 87 policies in 56 files read; 6 skipped. Found 0 errors, 23 warnings, 15 info.")


def test_account_fills_the_caller_identity_reference():
    from policylint.load.cfn import known_values

    loaded = read_file(str(TF / "kms.tf"), known=known_values({"var.reader_arn": "arn:aws:iam::111122223333:role/Reader"},
                                                               "111122223333"))
    by_name = {p.name: p for p in loaded.policies}
    key = by_name["aws_kms_key.app (data.aws_iam_policy_document.key)"].document
    assert key["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root"]}
    bucket = by_name["aws_s3_bucket_policy.data"].document
    assert bucket["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:role/Reader"}


def test_role_trust_and_inline_policies(tmp_path):
    (tmp_path / "role.tf").write_text(
        'resource "aws_iam_role" "app" {\n  name = "app"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]\n'
        '  })\n  inline_policy {\n    name = "logs"\n    policy = jsonencode({\n      Version = "2012-10-17"\n'
        '      Statement = [{ Effect = "Allow", Action = ["logs:PutLogEvent"], Resource = "*" }]\n    })\n  }\n}\n')
    loaded = read_file(str(tmp_path / "role.tf"))
    assert [(p.name, p.kind_hint, p.pointer) for p in loaded.policies] == [
        ("aws_iam_role.app trust policy", "trust", "/resource/aws_iam_role/app/assume_role_policy"),
        ("aws_iam_role.app inline_policy logs", "identity", "/resource/aws_iam_role/app/inline_policy/0/policy")]
    code, report = lint_json(str(tmp_path / "role.tf"))
    assert _found(report) == [("PL201", 11, 50, "aws_iam_role.app inline_policy logs")]


def test_a_data_source_in_planned_values_and_prior_state_is_checked_once(tmp_path):
    import json

    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    res = {"address": "data.aws_iam_policy_document.read", "mode": "data", "type": "aws_iam_policy_document",
           "name": "read", "values": {"json": doc}}
    plan = {"format_version": "1.2", "terraform_version": "1.9.8",
            "planned_values": {"root_module": {"resources": [res]}},
            "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [res]}}}}
    (tmp_path / "plan.json").write_text(json.dumps(plan, indent=1))
    loaded = read_file(str(tmp_path / "plan.json"))
    assert [(p.name, p.pointer) for p in loaded.policies] == [
        ("data.aws_iam_policy_document.read", "/planned_values/root_module/resources/0/values/json")]


# --- QA regressions: for expressions, computed Effect, resource_changes, sensitive values ---------

_FOR_TF = (
    'resource "aws_iam_policy" "forexpr" {\n'
    '  policy = jsonencode({\n'
    '    Version = "2012-10-17"\n'
    '    Statement = [for a in local.acts : { Effect = "Allow", Action = a, Resource = "*" }]\n'
    '  })\n'
    '}\n'
    'resource "aws_iam_policy" "typo" {\n'
    '  policy = jsonencode({\n'
    '    Version = "2012-10-17"\n'
    '    Statement = [for r in var.buckets : { Effect = "Allow", Action = "s3:GetObjekt", Resource = r } if r != ""]\n'
    '  })\n'
    '}\n'
    'resource "aws_iam_policy" "ternary" {\n'
    '  policy = jsonencode({\n'
    '    Version = "2012-10-17"\n'
    '    Statement = [{ Effect = var.allow ? "Allow" : "Deny", Action = "s3:GetObject", Resource = "*" }]\n'
    '  })\n'
    '}\n')


def test_for_expression_statements_are_checked_once_with_a_note(tmp_path):
    (tmp_path / "for.tf").write_text(_FOR_TF)
    loaded = read_file(str(tmp_path / "for.tf"))
    by_name = {p.name: p.document for p in loaded.policies}
    assert by_name["aws_iam_policy.forexpr"]["Statement"] == [{"Effect": "Allow", "Action": "${a}", "Resource": "*"}]
    assert by_name["aws_iam_policy.typo"]["Statement"] == [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "${r}"}]
    assert by_name["aws_iam_policy.ternary"]["Statement"][0]["Effect"] == "${expression}"
    assert loaded.notes == [
        "aws_iam_policy.forexpr: /Statement is a for expression (line 4, column 17); its body is checked once, "
        "with the iterator's values unknown",
        "aws_iam_policy.typo: /Statement is a for expression (line 10, column 17); its body is checked once, "
        "with the iterator's values unknown",
        "aws_iam_policy.ternary: /Statement/0 has an Effect that is computed (${expression}); its grammar is checked, "
        "but no rule takes it as Allow or Deny"]
    code, report = lint_json(str(tmp_path / "for.tf"))
    # Only the real typo inside the for body, at its own position; no PL110, no PL118.
    assert _found(report) == [("PL201", 10, 70, "aws_iam_policy.typo")]
    assert code == 1


def test_computed_effect_is_neither_allow_nor_deny(tmp_path):
    # Before: PL118 'Effect must be "Allow" or "Deny", got "${expression}"' (exit 1).
    (tmp_path / "t.tf").write_text(
        'resource "aws_iam_policy" "ternary" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = var.allow ? "Allow" : "Deny", Action = "*", Resource = "*" }]\n  })\n}\n')
    code, report = lint_json(str(tmp_path / "t.tf"))
    # Action "*" on "*" would be PL404/PL4xx if the statement were taken as Allow.
    assert report["findings"] == [] and code == 0
    # CloudFormation: the same for !Ref.
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Eff:\n    Type: String\nResources:\n  P:\n'
        '    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: "2012-10-17"\n'
        '        Statement:\n          - Effect: !Ref Eff\n            Action: "*"\n            Resource: "*"\n'
        '          - Effect: Alow\n            Action: "s3:GetObject"\n            Resource: "*"\n')
    code, report = lint_json(str(tmp_path / "t.yaml"))
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("PL118", 15, 21)]
    assert code == 1
    loaded = read_file(str(tmp_path / "t.yaml"))
    assert loaded.notes == ["P (AWS::IAM::ManagedPolicy): /Statement/0 has an Effect that is computed (${Eff}); "
                            "its grammar is checked, but no rule takes it as Allow or Deny"]
    # Outside a template "${Eff}" is no computed value: still PL118.
    (tmp_path / "plain.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "${Eff}", "Action": "*", "Resource": "*"}]}')
    code, report = lint_json(str(tmp_path / "plain.json"))
    assert [(f["code"], f["line"], f["column"]) for f in report["findings"]] == [("PL118", 1, 52)] and code == 1
    # can gives no answer on a guess: the unknown Effect is refused.
    code, out, err = run_cli("can", "arn:aws:iam::111122223333:user/alice do s3:GetObject on arn:aws:s3:::b/k",
                             "--identity-policy", str(tmp_path / "t.tf"))
    assert (code, out) == (2, "")
    assert err == (f'policylint: error: {tmp_path / "t.tf"}:4:29: Effect must be "Allow" or "Deny", got "${{expression}}" '
                   f'(run policylint lint {tmp_path / "t.tf"})\n')


_POLICY = '{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"s3:GetObjekt\\",\\"Resource\\":\\"*\\"}]}'


def test_plan_with_only_resource_changes_is_read(tmp_path):
    # Before: skipped, "no IAM policy document found (top-level keys: format_version, resource_changes)".
    f = tmp_path / "rc.json"
    f.write_text('{"format_version": "1.2",\n "resource_changes": [\n  {"address": "aws_iam_policy.x", "type": "aws_iam_policy",\n'
                 '   "change": {"actions": ["create"],\n    "after": {"policy": "' + _POLICY + '"}}},\n'
                 '  {"address": "aws_iam_policy.gone", "type": "aws_iam_policy",\n'
                 '   "change": {"actions": ["delete"], "before": {"policy": "' + _POLICY + '"}, "after": null}}\n ]}\n')
    code, report = lint_json(str(f))
    assert _found(report) == [("PL201", 5, 102, "aws_iam_policy.x")]
    assert code == 1
    # With planned_values too, each policy is read once (from planned_values).
    both = tmp_path / "both.json"
    both.write_text('{"format_version": "1.2",\n "planned_values": {"root_module": {"resources": [\n'
                    '  {"address": "aws_iam_policy.x", "mode": "managed", "type": "aws_iam_policy", "name": "x",\n'
                    '   "values": {"policy": "' + _POLICY + '"}}]}},\n'
                    ' "resource_changes": [{"address": "aws_iam_policy.x", "mode": "managed", "type": "aws_iam_policy",\n'
                    '  "change": {"actions": ["create"], "after": {"policy": "' + _POLICY + '"}}}]}\n')
    code, report = lint_json(str(both))
    assert _found(report) == [("PL201", 4, 102, "aws_iam_policy.x")]
    assert len(read_file(str(both)).policies) == 1


def test_sensitive_policy_is_noted_not_silently_skipped(tmp_path):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k", "values": {}}]}},
        "resource_changes": [{"address": "aws_kms_key.k", "type": "aws_kms_key", "change": {
            "actions": ["create"], "after": {}, "after_unknown": {}, "after_sensitive": {"policy": True}}}]}))
    loaded = read_file(str(f))
    assert loaded.policies == []
    assert loaded.notes == ["aws_kms_key.k: policy is sensitive (after_sensitive), so terraform show -json leaves it "
                            "out (redacted); not checked"]
    code, report = lint_json(str(f))
    assert report["findings"] == [] and code == 0
