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
    assert "  └─ key policy: allows the caller" in out.splitlines()
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
    # The encryption context is case-sensitive.
    assert can(f"role/ReportsRole do kms:Decrypt on {KEY} when kms:EncryptionContext:Department = finance", *WHERE, *grants)[0] == 1


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
