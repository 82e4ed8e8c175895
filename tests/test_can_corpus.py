"""``policylint can`` on real input from ../shared/corpus: the KMS Developer
Guide's cross-account example (*Policy evaluation*, key policy of account
444455556666 and IAM policy of account 111122223333) and the synthetic
account's key policies and grants as the AWS CLI prints them
(``kms get-key-policy``, ``kms list-grants``). Skipped, with the reason, when
the corpus is absent."""

from __future__ import annotations

import json

import pytest

from conftest import corpus_dir, run_cli

KEY_WEST = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def can(*args):
    code, out, err = run_cli("can", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def test_kms_guide_cross_account_example():
    docs = corpus_dir("aws-docs-kms-developer-guide-examples")
    key_policy, iam_policy = str(docs / "policy-evaluation__02.json"), str(docs / "policy-evaluation__03.json")
    user = "arn:aws:iam::111122223333:user/ExampleUser"
    # Both the key policy (account 111122223333 allowed) and the caller's IAM policy allow.
    code, d = can(f"{user} do kms:Decrypt on {KEY_WEST}", "--key-policy", key_policy, "--identity-policy", iam_policy)
    assert (code, d["decision"], d["decided_by"]) == (0, "Allowed", "resource-based policy")
    assert {s["sid"] for s in d["determining_statements"]} == {"Allow account 1 to use this KMS key", None}
    # Without the IAM policy in the caller's account: denied.
    code, d = can(f"{user} do kms:Decrypt on {KEY_WEST}", "--key-policy", key_policy)
    assert (code, d["decision"]) == (1, "ImplicitDeny")
    # An operation the key policy does not give account 111122223333.
    code, d = can(f"{user} do kms:CreateGrant on {KEY_WEST}", "--key-policy", key_policy, "--identity-policy", iam_policy)
    assert d["decision"] == "ImplicitDeny"
    # Account 444455556666's own users need only their IAM policy (the key policy delegates).
    code, d = can(f"arn:aws:iam::444455556666:user/Owner do kms:ScheduleKeyDeletion on {KEY_WEST}", "--key-policy", key_policy,
                  "--identity-policy", iam_policy)
    assert d["decision"] == "ImplicitDeny"  # that IAM policy does not allow ScheduleKeyDeletion


@pytest.fixture
def account():
    return corpus_dir("synthetic-account") / "kms" / "us-east-1"


def test_key_policy_without_account_delegation(account, tmp_path):
    key = account / "7d6c5b4a-3f2e-4d1c-9b8a-0f1e2d3c4b5a"
    arn = "arn:aws:kms:us-east-1:111122223333:key/7d6c5b4a-3f2e-4d1c-9b8a-0f1e2d3c4b5a"
    kp = ["--key-policy", str(key / "get-key-policy.json")]
    all_kms = tmp_path / "kms-all.json"
    all_kms.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
    carol = "arn:aws:iam::111122223333:user/carol-kms-operator"
    # IAM allows kms:*, but the key policy does not trust the account: ineffective.
    code, d = can(f"{carol} do kms:Decrypt on {arn}", *kp, "--identity-policy", str(all_kms))
    assert (d["decision"], d["decided_by"]) == ("ImplicitDeny", "resource-based policy")
    # Her grant allows Decrypt, only with the exact encryption context.
    grants = ["--grants", str(key / "list-grants.json")]
    code, d = can(f"{carol} do kms:Decrypt on {arn}", *kp, *grants)
    assert d["decision"] == "ImplicitDeny"
    assert d["missing_context_keys"] == ["kms:EncryptionContext:app"]
    assert d["would_change"][0]["decision"] == "Allowed"
    code, d = can(f"{carol} do kms:Decrypt on {arn} when kms:EncryptionContext:app = invoice-processor", *kp, *grants)
    assert (d["decision"], d["decided_by"]) == ("Allowed", "KMS grant")
    assert d["determining_statements"][0]["sid"] == "carol-incident-4711"
    # The Lambda role is named by the key policy (its ARN has a path).
    lam = "arn:aws:sts::111122223333:assumed-role/LambdaProcessorRole/fn"
    code, d = can(f"{lam} do kms:Decrypt on {arn} when kms:EncryptionContext:app = invoice-processor", *kp)
    assert (d["decision"], d["determining_statements"][0]["sid"]) == ("Allowed", "InvoiceProcessorDecrypt")
    # Only KMSAdminRole may schedule deletion; everyone else meets the explicit deny.
    code, d = can(f"arn:aws:iam::111122223333:role/KMSAdminRole do kms:ScheduleKeyDeletion on {arn}", *kp)
    assert d["decision"] == "Allowed"
    code, d = can(f"111122223333 do kms:ScheduleKeyDeletion on {arn}", *kp)
    assert (d["decision"], d["determining_statements"][0]["sid"]) == ("ExplicitDeny", "OnlyKeyAdminRoleMayDelete")
    # Principal "*" limited by kms:CallerAccount and kms:ViaService.
    code, d = can(f"{carol} do kms:Encrypt on {arn} when kms:ViaService = lambda.us-east-1.amazonaws.com", *kp)
    assert d["decision"] == "Allowed"
    code, d = can(f"arn:aws:iam::444455556666:user/x do kms:Encrypt on {arn} when kms:ViaService = lambda.us-east-1.amazonaws.com",
                  *kp, "--identity-policy", str(all_kms))
    assert d["decision"] == "ImplicitDeny"


def test_console_default_key_policy_and_grants(account):
    key = account / "0b7c9a1e-4d2f-4a6b-9e3c-5f1d2a8b7c60"
    arn = "arn:aws:kms:us-east-1:111122223333:key/0b7c9a1e-4d2f-4a6b-9e3c-5f1d2a8b7c60"
    kp = ["--key-policy", str(key / "get-key-policy.json"), "--grants", str(key / "list-grants.json")]
    code, d = can(f"arn:aws:iam::111122223333:user/erin-app-dev do kms:Decrypt on {arn}", *kp)
    assert d["decision"] == "Allowed"
    code, d = can(f"arn:aws:iam::111122223333:user/erin-app-dev do kms:ScheduleKeyDeletion on {arn}", *kp)
    assert d["decision"] == "ImplicitDeny"
    partner = "arn:aws:sts::444455556666:assumed-role/PartnerIngestRole/ingest"
    code, d = can(f"{partner} do kms:GenerateDataKey on {arn}", *kp)
    assert (d["decision"], d["decided_by"]) == ("Allowed", "KMS grant")


def test_aws_managed_key(account, tmp_path):
    key = account / "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    arn = "arn:aws:kms:us-east-1:111122223333:key/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    all_kms = tmp_path / "kms-all.json"
    all_kms.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))
    args = ["--key-policy", str(key / "get-key-policy.json"), "--identity-policy", str(all_kms)]
    code, d = can(f"arn:aws:iam::111122223333:user/alice do kms:Decrypt on {arn}", *args)
    assert d["decision"] == "ImplicitDeny"
    assert d["missing_context_keys"] == ["kms:ViaService"]
    code, d = can(f"arn:aws:iam::111122223333:user/alice do kms:Decrypt on {arn} when kms:ViaService = ec2.us-east-1.amazonaws.com", *args)
    assert d["decision"] == "Allowed"
