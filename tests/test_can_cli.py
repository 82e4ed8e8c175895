"""``policylint can``: the question and flag forms, text and JSON, exit codes,
missing context, --strict, grants, and input errors (fixtures/can/)."""

from __future__ import annotations

import json

import pytest

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
    assert out.splitlines()[-2:] == ["  └─ key policy: names the caller for kms:Decrypt",
                                     f'        key policy Sid "InvoiceAppThroughS3" ({CAN / "key-policy.json"}:23:5)']
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


def _write(tmp_path, name, doc):
    f = tmp_path / name
    f.write_text(json.dumps(doc))
    return str(f)


def test_unknown_condition_operator_is_refused_with_its_position(tmp_path):
    f = _write(tmp_path, "p.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEqual": {"aws:SourceVpc": "vpc-1"}}}]})
    code, _, err = can("user/a do s3:GetObject on arn:aws:s3:::b/o", "--account", "111122223333", "--identity-policy", f,
                       "--context", "aws:SourceVpc=vpc-1")
    assert code == 2
    assert 'p.json:1:173: unknown condition operator "StringEqual" (did you mean "StringEquals"?' in err


def test_account_authorization_details_is_not_one_callers_policies():
    details = FIXTURES.parent / "tests" / "data" / "authorization-details.json"
    code, _, err = can("user/alice do s3:GetObject", "--account", "111122223333", "--identity-policy", str(details))
    assert code == 2 and "holds the policies of every user, group and role" in err


def test_misspelled_grant_constraint_is_refused(tmp_path):
    f = _write(tmp_path, "grants.json", {"Grants": [{"KeyId": KEY_ARN, "GranteePrincipal": "arn:aws:iam::111122223333:role/R",
                                                     "Operations": ["Decrypt"], "Constraints": {"EncryptionContextEqual": {"a": "b"}}}]})
    code, _, err = can(f"role/R do kms:Decrypt on {KEY}", *WHERE, "--grants", f)
    assert code == 2
    assert "grant 1: unknown field Constraints.EncryptionContextEqual (a misspelling? the fields are EncryptionContextEquals, " in err
    assert "--grants " in err and "grants.json:1:" in err


@pytest.mark.parametrize(
    ("grant", "message"),
    [
        ({"GranteePrincipal": "arn:aws:iam::111122223333:role/R", "Operation": ["Decrypt"]}, "grant 1: unknown field Operation"),
        ({"GranteePrincipal": "arn:aws:iam::111122223333:role/R", "Operations": ["Decrypt"], "Constraint": {"EncryptionContextEquals": {"a": "b"}}},
         "grant 1: unknown field Constraint"),
        ({"GranteePrincipal": "arn:aws:iam::111122223333:role/R", "Operations": ["decrypt", "ScheduleKeyDeletion"]},
         "grant 1: Operations: not a grant operation: decrypt, ScheduleKeyDeletion"),
        ({"GranteePrincipal": "arn:aws:iam::111122223333:role/R", "Operations": []}, "grant 1: Operations: "),
        ({}, "grant 1: GranteePrincipal is missing"),
    ],
)
def test_grants_that_are_not_what_list_grants_prints_are_refused(tmp_path, grant, message):
    # Each of these was once read as a grant that allows more than it says.
    f = _write(tmp_path, "grants.json", {"Grants": [{"KeyId": KEY_ARN, **grant}]})
    code, _, err = can(f"role/R do kms:Decrypt on {KEY}", *WHERE, "--grants", f)
    assert code == 2
    assert message in err
    assert "grants.json:1:" in err


def test_truncated_grants_and_resource_without_account_are_noted(tmp_path):
    f = _write(tmp_path, "grants.json", {"Grants": [], "Truncated": True})
    _, _, err = can(f"role/R do kms:Decrypt on {KEY}", *WHERE, "--grants", f)
    assert "the list-grants output is truncated" in err
    bucket = _write(tmp_path, "bucket.json", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:user/eve"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}]})
    code, _, err = can("arn:aws:iam::444455556666:user/eve do s3:GetObject on arn:aws:s3:::bkt/o", "--resource-policy", bucket)
    assert "holds no account: it is taken to be the caller's account" in err
    assert code == 0  # same account as far as the question says
    code, _, _ = can("arn:aws:iam::444455556666:user/eve do s3:GetObject on arn:aws:s3:::bkt/o when aws:ResourceAccount = 111122223333",
                     "--resource-policy", bucket)
    assert code == 1  # across accounts, eve's own policies must allow too
    _, _, err = can("user/a do kms:Decrypt", *WHERE)
    assert "the question names no resource, so the resource-based policy" in err


def test_would_be_answers_are_checked_when_statements_share_keys(tmp_path):
    f = _write(tmp_path, "p.json", {"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowFromVpc1", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}},
        {"Sid": "DenyVpcs", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}}]})
    code, out, _ = can("user/a do s3:GetObject on arn:aws:s3:::b/o", "--account", "111122223333", "--identity-policy", f)
    assert code == 1
    assert "Would be Allowed" not in out
    assert "Would be ExplicitDeny with aws:SourceVpc = vpc-1 (decided again with that context)" in out


def test_session_policy_and_boundary_only_for_callers_that_can_have_them():
    code, _, err = can(f"user/a do kms:Decrypt on {KEY}", *WHERE, "--session-policy", str(CAN / "invoice-app-policy.json"))
    assert code == 2 and "which alone have session policies" in err
    code, _, err = can(f"111122223333 do kms:Decrypt on {KEY}", *WHERE, "--boundary", str(CAN / "invoice-app-policy.json"))
    assert code == 2 and "cannot have a permissions boundary" in err


def test_control_characters_in_a_question_are_escaped_and_the_caret_aligned():
    code, _, err = can('user/a do kms:Decrypt when a = "\x1b]0;T\x07x" and b "', "--account", "111122223333")
    assert code == 2
    assert "\x1b" not in err and "\x07" not in err
    lines = err.splitlines()
    assert lines[1] == '  user/a do kms:Decrypt when a = "\\x1b]0;T\\x07x" and b "'
    assert lines[2].index("^") == len(lines[1]) - 1


def test_principals_that_cannot_make_requests():
    for text, message in (("１１１１２２２２３３３３", "unsupported principal ARN"), ("user/*", "wildcards belong in policies"),
                          ("arn:bogus:iam::111122223333:user/a", "unknown partition")):
        code, _, err = can(f"{text} do s3:GetObject", "--account", "111122223333")
        assert code == 2 and message in err, (text, err)


def test_allowed_by_naming_lists_only_the_naming_statement():
    # The key policy's account statement hands the decision to IAM policies;
    # it is not why a principal the key policy names is allowed.
    code, out, _ = can(f"assumed-role/InvoiceApp/w do kms:Decrypt on {KEY} when kms:ViaService = s3.us-east-1.amazonaws.com",
                       *WHERE, "-f", "json")
    assert code == 0
    assert [s["sid"] for s in json.loads(out)["determining_statements"]] == ["InvoiceAppThroughS3"]


def test_bad_region_is_refused():
    code, _, err = can(f"user/a do kms:Decrypt on {KEY}", "--account", "111122223333", "--region", "us-east-1:evil")
    assert code == 2 and "--region 'us-east-1:evil' is not a Region name" in err


def test_policies_of_a_list_file_are_named_by_their_place(tmp_path):
    full = json.loads((FIXTURES / "scp" / "full-aws-access.json").read_text())
    deny = json.loads((FIXTURES / "scp" / "deny-kms-key-deletion.json").read_text())
    level = _write(tmp_path, "level.json", [full, deny])
    code, out, _ = can(f"user/a do kms:ScheduleKeyDeletion on {KEY}", *WHERE, "--scp", level)
    assert code == 1
    assert f'service control policy #2, Sid "DenyKeyDeletionExceptBreakGlass" ({level}:1:' in out


def test_output_that_cannot_be_written_is_an_error_not_a_traceback():
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full (a device that is always full) exists on Linux only")

    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-c", "from policylint.cli import main; main()", "version"],
                           stdout=full, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2
    assert p.stderr.startswith("policylint: error: cannot write the output:")
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("flag", ["--key-policy", "--boundary", "--grants", "--context-file", "--account"])
def test_a_value_option_given_twice_is_refused(flag):
    # A repeated --key-policy once dropped the first file, and with it a Deny.
    value = {"--grants": str(CAN / "list-grants-output.json"), "--account": "111122223333"}.get(flag, str(CAN / "key-policy.json"))
    code, _, err = can(f"role/R do kms:Decrypt on {KEY}", *WHERE, flag, value, flag, value)
    assert code == 2
    assert "is given" in err and "it takes one value" in err
    code, _, err = can(f"role/R do kms:Decrypt on {KEY}", *WHERE, "--resource-policy", str(CAN / "key-policy.json"))
    assert code == 2 and "--key-policy/--resource-policy is given 2 times" in err


def test_caret_column_counts_the_whole_question_across_newlines():
    # lark restarts columns at each newline; the message and the caret count
    # in the whole question (the newline is echoed as \x0a).
    code, _, err = can("user/a do\nkms:Decrypt kms:Encrypt", "--account", "111122223333")
    assert code == 2
    lines = err.splitlines()
    assert 'unexpected "kms:Encrypt" at column 23: expected on, when' in lines[0]
    assert lines[1] == "  user/a do\\x0akms:Decrypt kms:Encrypt"
    assert lines[2].index("^") == lines[1].index("kms:Encrypt")


def test_json_output_escapes_terminal_controls():
    code, out, _ = can("user/a do kms:Decrypt when aws:UserAgent = \"x\x9b2J\u202ey\"", *WHERE, "-f", "json")
    assert code == 1
    assert "\x9b" not in out and "\u202e" not in out
    assert json.loads(out)["request"]["context"]["aws:UserAgent"] == ["x\x9b2J\u202ey"]
