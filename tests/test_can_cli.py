"""``policylint can``: the question and flag forms, text and JSON, exit codes,
missing context, --strict, grants, and input errors (fixtures/can/)."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli

CAN = FIXTURES / "can"
KEY = "key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WHERE = ["--account", "111122223333", "--region", "us-east-1", "--key-policy", str(CAN / "key-policy.json")]
APP = ["--identity-policy", str(CAN / "invoice-app-policy.json")]
SCPS = ["--scp", str(FIXTURES / "scp" / "full-aws-access.json"),
        "--scp", f"{FIXTURES / 'scp' / 'full-aws-access.json'},{FIXTURES / 'scp' / 'deny-kms-key-deletion.json'}"]


def can(*args: str):
    return run_cli("can", *args)


def test_missing_context_key_is_named_with_what_it_would_change():
    code, out, _ = can(f"assumed-role/InvoiceApp/worker-1 do kms:Decrypt on {KEY}", *WHERE, *APP, *SCPS)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"Denied (implicit deny): arn:aws:sts::111122223333:assumed-role/InvoiceApp/worker-1 cannot kms:Decrypt on {KEY_ARN}"
    assert "  ├─ service control policy: level 2 allows" in lines
    assert "  ├─ identity-based policy: no identity-based policy allows kms:Decrypt" in lines
    assert "Conditions read context keys the question did not give: kms:ViaService" in lines
    assert "Would be Allowed if: kms:ViaService equals s3.us-east-1.amazonaws.com" in lines
    assert f'    key policy Sid "InvoiceAppThroughS3" ({CAN / "key-policy.json"}:23:5)' in lines


def test_context_in_the_question_allows():
    code, out, _ = can(f"assumed-role/InvoiceApp/worker-1 do kms:Decrypt on {KEY} when kms:ViaService = s3.us-east-1.amazonaws.com",
                       *WHERE, *APP, *SCPS)
    assert code == 0
    assert out.startswith("Allowed: ")
    assert "  ├─ key policy: names the caller for kms:Decrypt" in out.splitlines()
    assert "Would be" not in out


def test_flag_form_equals_question_form():
    q = can(f"assumed-role/InvoiceApp/worker-1 do kms:Decrypt on {KEY} when kms:ViaService = s3.us-east-1.amazonaws.com", *WHERE, *APP)
    f = can("--principal", "assumed-role/InvoiceApp/worker-1", "--action", "kms:Decrypt", "--resource", KEY,
            "--context", "kms:ViaService=s3.us-east-1.amazonaws.com", *WHERE, *APP)
    assert q == f
    assert q[0] == 0


def test_strict_gives_awss_answer_without_alternatives():
    code, out, _ = can(f"assumed-role/InvoiceApp/worker-1 do kms:Decrypt on {KEY}", *WHERE, *APP, "--strict")
    assert code == 1
    assert "(--strict: they are absent, as AWS would see a request without them)" in out
    assert "Would be" not in out


def test_json_decision_with_the_determining_statement():
    code, out, _ = can(f"user/mallory do kms:ScheduleKeyDeletion on {KEY}", *WHERE, "--identity-policy",
                       str(FIXTURES / "clean" / "app-decrypt-only.json"), "-f", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["decision"] == "ExplicitDeny"
    assert doc["decided_by"] == "resource-based policy"
    assert doc["determining_statements"] == [{
        "policy": str(CAN / "key-policy.json"), "policy_type": "resource-based policy",
        "sid": "DenyDeletionExceptAdministrators", "index": 3, "file": str(CAN / "key-policy.json"), "line": 31, "column": 5,
    }]
    assert doc["request"]["resource"] == KEY_ARN
    assert doc["request"]["context"]["aws:username"] == ["mallory"]
    assert doc["missing_context_keys"] == []


def test_grant_with_encryption_context_constraint():
    grants = ["--grants", str(CAN / "list-grants-output.json")]
    code, out, _ = can(f"role/ReportsRole do kms:Decrypt on {KEY}", *WHERE, *grants)
    assert code == 1
    assert "Would be Allowed if: the encryption context is exactly department=finance" in out
    assert f'KMS grant "nightly-reports" ({CAN / "list-grants-output.json"}, grant 1)' in out
    code, out, _ = can(f"role/ReportsRole do kms:Decrypt on {KEY} when kms:EncryptionContext:department = finance", *WHERE, *grants)
    assert code == 0
    assert "  └─ KMS grant: allows kms:Decrypt" in out
    # In a grant constraint the key is not case sensitive, the value is (KMS API Reference, GrantConstraints).
    assert can(f"role/ReportsRole do kms:Decrypt on {KEY} when kms:EncryptionContext:Department = finance", *WHERE, *grants)[0] == 0
    assert can(f"role/ReportsRole do kms:Decrypt on {KEY} when kms:EncryptionContext:department = Finance", *WHERE, *grants)[0] == 1
    # Constraints apply only to operations that take an encryption context.
    assert can(f"role/ReportsRole do kms:DescribeKey on {KEY}", *WHERE, *grants)[0] == 0


def test_context_file_and_multivalued_keys(tmp_path):
    ctx = tmp_path / "ctx.json"
    ctx.write_text(json.dumps({"kms:ViaService": "s3.us-east-1.amazonaws.com"}))
    code, out, _ = can("--principal", "assumed-role/InvoiceApp/w", "--action", "kms:Decrypt", "--resource", KEY,
                       "--context-file", str(ctx), "--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b",
                       *WHERE, "-f", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["request"]["context"]["aws:TagKeys"] == ["a", "b"]
    assert doc["request"]["context"]["kms:ViaService"] == ["s3.us-east-1.amazonaws.com"]


def test_query_syntax_error_points_at_the_column():
    code, out, err = can("user/alice kms:Decrypt", *WHERE)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert 'unexpected "kms:Decrypt" at column 12: expected do' in lines[0]
    assert lines[1] == "  user/alice kms:Decrypt"
    assert lines[2] == "  " + " " * 11 + "^"


def test_input_errors_exit_2_with_a_clear_message():
    code, _, err = can(f"user/alice do kms:Decrypt on {KEY}", "--key-policy", str(FIXTURES / "bad-input" / "truncated.json"),
                       "--account", "111122223333", "--region", "us-east-1")
    assert code == 2
    assert "truncated.json:" in err and "Traceback" not in err
    code, _, err = can(f"user/alice do kms:Decrypt on {KEY}")
    assert code == 2
    assert "--account" in err
    code, _, err = can("user/alice do Decrypt", "--account", "111122223333")
    assert (code, "'Decrypt' is not an action" in err) == (2, True)
    code, _, err = can("user/a do kms:Decrypt", "--principal", "user/b", "--account", "111122223333")
    assert (code, "not both" in err) == (2, True)
    code, _, err = can(f"user/alice do kms:Decrypt on {KEY}", *WHERE, "--grants", str(CAN / "key-policy.json"))
    assert code == 2 and "list-grants" in err
    code, _, err = can(f"user/alice do kms:Decrypt on {KEY}", *WHERE, "--context", "novalue")
    assert (code, "expected KEY=VALUE" in err) == (2, True)


def test_root_user_needs_the_key_policy_not_iam():
    code, out, _ = can(f"111122223333 do kms:ScheduleKeyDeletion on {KEY}", *WHERE)
    assert code == 1  # the key policy's Deny names everyone but the administrators
    code, out, _ = can(f"role/KMSAdminRole do kms:ScheduleKeyDeletion on {KEY}", *WHERE)
    assert code == 0
    assert 'Sid "KeyAdministrators"' in out


def test_a_policy_given_to_the_wrong_option_is_refused():
    code, _, err = can(f"user/bob do kms:Decrypt on {KEY}", *WHERE, "--identity-policy", str(CAN / "key-policy.json"))
    assert code == 2
    assert "key-policy.json:8:20: Principal is not allowed in an identity-based policy" in err
    assert "given as --identity-policy: it has a Principal, so it is a resource-based policy: give it with --key-policy" in err
    code, _, err = can(f"user/bob do kms:Decrypt on {KEY}", "--account", "111122223333", "--region", "us-east-1",
                       "--key-policy", str(CAN / "invoice-app-policy.json"))
    assert code == 2
    assert "statement has no Principal" in err and "given as --key-policy" in err
    code, _, err = can(f"user/bob do kms:Decrypt on {KEY}", *WHERE, "--scp", "")
    assert code == 2 and "--scp '': give a policy file" in err


def test_requests_that_cannot_be_asked():
    assert "wildcards belong in policies" in can(f"user/bob do kms:* on {KEY}", *WHERE)[2]
    code, _, err = can("user/bob do kms:Decrypt on alias/app", *WHERE)
    assert code == 2 and "when kms:RequestAlias = alias/app" in err
    code, _, err = can("user/bob do kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/", *WHERE)
    assert code == 2 and "is not a complete resource ARN" in err
    code, _, err = can("user/bob do kms:Decrypt on arn:aws-cn:kms:cn-north-1:111122223333:key/k", *WHERE)
    assert code == 2 and "partitions do not share resources" in err


def test_likely_mistakes_are_noted_on_stderr():
    code, out, err = can(f"user/bob do kms:Decrpyt on {KEY} when kms:ViaServce = s3.us-east-1.amazonaws.com", *WHERE)
    assert code == 1 and out.startswith("Denied")
    assert "policylint: note: kms:Decrpyt is not in the Service Authorization Reference (did you mean kms:Decrypt?)" in err
    assert "policylint: note: context key kms:ViaServce is not a documented condition key (did you mean kms:ViaService?)" in err
    code, out, err = can("user/bob do s3:GetObject on arn:aws:s3:::bucket/k", *WHERE)
    assert "names no s3: action; is it the policy of arn:aws:s3:::bucket/k?" in err


def test_short_help_option():
    code, out, _ = run_cli("can", "-h")
    assert code == 0 and "PRINCIPAL do ACTION" in out
