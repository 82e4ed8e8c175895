"""CloudFormation templates (JSON and YAML) with exact positions, and template
values known before deployment: lint --parameter KEY=VALUE and --account."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_json, run_cli
from policylint.load.cfn import fill_known, known_values
from policylint.load.reader import read_file

CFN = Path(__file__).parent / "data" / "cfn"
#: (template, position of the Partner principal, position of "kms:Decrpyt")
CASES = [("key.yaml", (21, 20), (22, 35)), ("key.json", (30, 24), (36, 17))]


def _found(report):
    return [(f["code"], f["line"], f["column"], f["policy"]) for f in report["findings"]]


@pytest.mark.parametrize("name,partner,typo", CASES)
def test_template_positions_and_symbolic_references(name, partner, typo):
    path = str(CFN / name)
    code, report = lint_json(path)
    # The partner account is unknown: no PL305 guess, and no false "unknown action".
    assert _found(report) == [("PL201", *typo, "DataKey (AWS::KMS::Key)")]
    assert report["findings"][0]["pointer"] == "/Resources/DataKey/Properties/KeyPolicy/Statement/1/Action/1"
    by_name = {p.name: p for p in read_file(path).policies}
    key = by_name["DataKey (AWS::KMS::Key)"]
    assert key.key_policy and key.document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::${PartnerAccount}:root"}
    home = by_name["HomePolicy (AWS::IAM::ManagedPolicy)"].document["Statement"][0]
    assert home["Resource"] == "arn:aws:s3:::home-${AWS::AccountId}/${aws:username}/*"
    assert code == 1


@pytest.mark.parametrize("name,partner,typo", CASES)
def test_parameter_and_account_are_filled_in(name, partner, typo):
    path = str(CFN / name)
    code, report = lint_json(path, "--account", "111122223333", "--parameter", "PartnerAccount=999988887777")
    assert _found(report) == [("PL305", *partner, "DataKey (AWS::KMS::Key)"), ("PL201", *typo, "DataKey (AWS::KMS::Key)")]
    assert "lets account 999988887777 call kms:Decrypt on this key" in report["findings"][0]["message"]
    loaded = read_file(path, known=known_values({"PartnerAccount": "999988887777"}, "111122223333"))
    home = {p.name: p for p in loaded.policies}["HomePolicy (AWS::IAM::ManagedPolicy)"].document["Statement"][0]
    # ${!aws:username} in Fn::Sub stays the IAM policy variable.
    assert home["Resource"] == "arn:aws:s3:::home-111122223333/${aws:username}/*"
    assert code == 1


def test_known_values_keep_policy_variables_and_fill_terraform_references():
    known = known_values({"var.env": "prod"}, "111122223333")
    doc = {"R": ["arn:aws:s3:::${var.env}-${data.aws_caller_identity.me.account_id}/${aws:username}",
                 "${AWS::AccountId}", "${var.other}"]}
    assert fill_known(doc, known) == {"R": ["arn:aws:s3:::prod-111122223333/${aws:username}", "111122223333", "${var.other}"]}
    with pytest.raises(ValueError, match="IAM policy variable"):
        known_values({"aws:username": "x"})
    with pytest.raises(ValueError, match="12-digit"):
        known_values({}, "1234")


@pytest.mark.parametrize("args,message", [
    (("--parameter", "aws:username=bob"), "aws:username is an IAM policy variable"),
    (("--parameter", "novalue"), "--parameter 'novalue': expected KEY=VALUE"),
    (("--account", "12345"), "account '12345' is not a 12-digit AWS account ID"),
])
def test_bad_parameter_or_account_is_a_usage_error(args, message):
    code, out, err = run_cli("lint", str(CFN / "key.yaml"), *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_parameter_given_twice_is_a_usage_error():
    # Before: the last value was kept silently.
    code, out, err = run_cli("lint", str(CFN / "key.yaml"), "--parameter", "PartnerAccount=111111111111",
                             "--parameter", "PartnerAccount=999988887777")
    assert (code, out) == (2, "")
    assert err == ("policylint: error: --parameter 'PartnerAccount' is given twice (PartnerAccount=111111111111 and "
                   "PartnerAccount=999988887777); give each key once\n")


def test_an_unused_parameter_is_a_note_not_an_error():
    code, report = lint_json(str(CFN / "key.yaml"), "--account", "111122223333",
                             "--parameter", "PartnerAccount=999988887777")
    code2, out, err = run_cli("lint", "--format", "json", str(CFN / "key.yaml"), "--account", "111122223333",
                              "--parameter", "PartnerAccount=999988887777", "--parameter", "Unused=1")
    # The same findings and exit code as without it; one note on stderr naming the key.
    assert (code2, __import__("json").loads(out)["findings"]) == (code, report["findings"]) and code == 1
    assert err == "policylint: note: --parameter Unused: no template policy in the files read uses ${Unused}; it was not used\n"
    _, _, err = run_cli("lint", str(CFN / "key.yaml"), "--parameter", "PartnerAccount=999988887777")
    assert err == ""
