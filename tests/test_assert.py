"""``policylint assert``: access assertions checked by the evaluator, over policy
files and over fixtures/snapshot, read from files and from the configuration;
syntax errors with their positions (tests/data/assert/)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, readme_example, run_cli

DATA = "tests/data/assert"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B = "arn:aws:kms:us-east-1:123456789012:key/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14"
WHERE = ["--account", "111122223333", "--region", "us-east-1"]
ACCT = "arn:aws:iam::111122223333"
SNAP_IAM = "fixtures/snapshot/123456789012/iam/get-account-authorization-details.json"


def check(*args: str, cwd=ROOT) -> tuple[int, dict]:
    code, out, err = run_cli("assert", "--format", "json", *args, cwd=cwd)
    assert code in (0, 1), err
    return code, json.loads(out)


def outcomes(doc: dict) -> dict[int, tuple]:
    """line -> (holds, [(principal, action, resource, status, conditions, statements, path)])."""
    return {
        a["line"]: (a["holds"], [(v["principal"], v["action"], v["resource"], v["status"], tuple(v["conditions"]),
                                  tuple(v["statements"]), tuple(v["path"])) for v in a["violations"]])
        for a in doc["assertions"]
    }


# -- policy files -----------------------------------------------------------


def test_invoices_key_policy():
    code, doc = check(f"{DATA}/basic.assert", "--key-policy", "fixtures/can/key-policy.json", *WHERE)
    assert code == 1
    root = 'key policy Sid "EnableIAMPolicies" (fixtures/can/key-policy.json:5:5)'
    assert outcomes(doc) == {
        2: (True, []),
        3: (False, [
            (f"{ACCT}:root", "kms:PutKeyPolicy", KEY_ARN, "allowed", (), (root,), ()),
            (f"{ACCT}:role/InvoiceApp", "kms:PutKeyPolicy", KEY_ARN, "allowed-if",
             ("the IAM policies of account 111122223333 allow it",), (root,), ()),
        ]),
        4: (True, []),
        5: (False, [
            (f"{ACCT}:role/InvoiceApp", "kms:Decrypt", KEY_ARN, "allowed-if",
             ("kms:ViaService equals s3.us-east-1.amazonaws.com",),
             ('key policy Sid "InvoiceAppThroughS3" (fixtures/can/key-policy.json:23:5)',), ()),
        ]),
    }
    assert doc["summary"] == {"assertions": 4, "hold": 2, "fail": 2}
    assert [a["kind"] for a in doc["assertions"]] == ["no-principal", "only", "must", "cannot"]


def test_cross_account_key_policy():
    code, doc = check(f"{DATA}/cross-account.assert", "--key-policy", f"{DATA}/cross-account-key-policy.json", *WHERE)
    assert code == 1
    kp = f"{DATA}/cross-account-key-policy.json"
    s3 = f'key policy Sid "AnyoneThroughS3" ({kp}:18:5)'
    via = "kms:ViaService equals s3.us-east-1.amazonaws.com"
    assert outcomes(doc) == {
        2: (False, [
            ("arn:aws:iam::444455556666:role/PartnerApp", "kms:Decrypt", KEY_ARN, "allowed-if",
             ("the IAM policies of account 444455556666 allow it",), (f'key policy Sid "PartnerDecrypt" ({kp}:11:5)',), ()),
        ]),
        3: (True, []),  # 444455556666 is trusted too
        4: (True, []),  # Principal "*" pinned to the key's account by kms:CallerAccount
        5: (False, [   # Principal "*" with only kms:ViaService: every account
            ("arn:aws:iam::444455556666:role/PartnerApp", "kms:Encrypt", KEY_ARN, "allowed-if",
             (via, "the IAM policies of account 444455556666 allow it"), (s3,), ()),
            ("arn:aws:iam::444455556666:root", "kms:Encrypt", KEY_ARN, "allowed-if", (via,), (s3,), ()),
            ("arn:aws:iam::000000000000:root", "kms:Encrypt", KEY_ARN, "allowed-if", (via,), (s3,), ()),
        ]),
        6: (True, []),  # decided with kms:ViaService = sqs...: the S3 statement does not apply
    }


def test_locked_down_key_policy():
    code, doc = check(f"{DATA}/locked.assert", "--key-policy", f"{DATA}/locked-key-policy.json", *WHERE)
    assert code == 1
    assert outcomes(doc) == {
        2: (True, []),
        3: (True, []),
        4: (True, []),
        5: (False, [(f"{ACCT}:role/App", "kms:Encrypt", KEY_ARN, "implicit-deny", (), (), ())]),
        6: (False, [(f"{ACCT}:role/KeyAdmin", "kms:ScheduleKeyDeletion", KEY_ARN, "explicit-deny", (),
                     (f'key policy Sid "NoDeletion" ({DATA}/locked-key-policy.json:18:5)',), ())]),
        7: (True, []),
    }
    # several keys: each key is a request; all keys with a key policy file: one.
    # "only"/"no principal" ask each principal the key policy names, and the
    # root user, a role, a user and a federated user of the key's account
    # and of another account (4 + 4), a service (a statement names "*") and
    # anonymous callers: 11 for line 2 (KeyAdmin is the allowed one), 12 for
    # line 3, 2 x 11 for line 7 (two keys).
    checked = {a["line"]: a["requests_checked"] for a in doc["assertions"]}
    assert checked == {2: 11, 3: 12, 4: 1, 5: 2, 6: 1, 7: 22}


def test_grants_and_identity_policy():
    code, doc = check(f"{DATA}/grants.assert", "--key-policy", "fixtures/can/key-policy.json",
                      "--grants", "fixtures/can/list-grants-output.json",
                      "--identity-policy", "fixtures/can/invoice-app-policy.json", *WHERE)
    assert code == 1
    root = 'key policy Sid "EnableIAMPolicies" (fixtures/can/key-policy.json:5:5)'
    others = [
        (f"{ACCT}:root", "kms:Decrypt", KEY_ARN, "allowed", (), (root,), ()),
        (f"{ACCT}:role/KMSAdminRole", "kms:Decrypt", KEY_ARN, "allowed-if",
         ("the IAM policies of account 111122223333 allow it",), (root,), ()),
        (f"{ACCT}:role/ReportsRole", "kms:Decrypt", KEY_ARN, "allowed-if",
         ("the encryption context is exactly department=finance",),
         ('KMS grant "nightly-reports" (fixtures/can/list-grants-output.json, grant 1)',), ()),
    ]
    assert outcomes(doc) == {
        2: (False, others),
        3: (True, []),
        4: (True, []),  # the identity policy's DescribeKeys and the key policy's account delegation
        5: (False, others),  # all keys: the key the grants are for
    }


def test_text_output():
    code, out, _ = run_cli("assert", f"{DATA}/locked.assert", "--key-policy", f"{DATA}/locked-key-policy.json", *WHERE,
                           cwd=ROOT)
    assert code == 1
    assert out.splitlines() == [
        f"PASS {DATA}/locked.assert:2: only role/KeyAdmin can do kms:PutKeyPolicy on all keys",
        f"PASS {DATA}/locked.assert:3: no principal can do kms:ScheduleKeyDeletion on all keys",
        f"PASS {DATA}/locked.assert:4: role/KeyAdmin must be able to do kms:PutKeyPolicy on key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"FAIL {DATA}/locked.assert:5: role/App must be able to do kms:Decrypt, kms:Encrypt on key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"  {ACCT}:role/App is denied (implicit deny): kms:Encrypt on {KEY_ARN}",
        f"FAIL {DATA}/locked.assert:6: role/KeyAdmin must be able to do kms:ScheduleKeyDeletion on key/1234abcd-12ab-34cd-56ef-1234567890ab",
        f"  {ACCT}:role/KeyAdmin is denied (explicit deny): kms:ScheduleKeyDeletion on {KEY_ARN}",
        f'    key policy Sid "NoDeletion" ({DATA}/locked-key-policy.json:18:5)',
        f"PASS {DATA}/locked.assert:7: only role/App can do kms:Decrypt on key/1234abcd-12ab-34cd-56ef-1234567890ab, "
        "key/0987dcba-09fe-87dc-65ba-ab0987654321",
        "",
        "6 assertion(s): 4 hold, 2 fail.",
    ]


def test_all_hold_exits_zero():
    code, doc = check(f"{DATA}/locked.assert", "--key-policy", f"{DATA}/locked-key-policy.json", *WHERE)
    assert code == 1
    code, out, _ = run_cli("assert", f"{DATA}/cross-account.assert", "--key-policy", f"{DATA}/locked-key-policy.json",
                           *WHERE, cwd=ROOT)
    assert code == 0, out
    assert out.splitlines()[-1] == "5 assertion(s): 5 hold, 0 fail."


# -- snapshot ---------------------------------------------------------------


def test_snapshot():
    code, doc = check(f"{DATA}/snapshot.assert", "--snapshot", "fixtures/snapshot")
    assert code == 1
    assert outcomes(doc) == {
        2: (True, []),
        3: (False, [
            ("arn:aws:iam::123456789012:user/admin-dee", "kms:PutKeyPolicy", KEY_B, "allowed", (), (
                f"identity-based policy managed policy AdministratorAccess v1, statement 1 ({SNAP_IAM}:728:29)",
                f"resource-based policy role/KeyBAdmin trust policy, statement 1 ({SNAP_IAM}:477:21)",
                "resource-based policy key policy of key/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14, Sid \"KeyAdmins\" "
                "(fixtures/snapshot/123456789012/kms/us-east-1/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14/get-key-policy.json:2:114)",
            ), ("arn:aws:iam::123456789012:user/admin-dee -> arn:aws:iam::123456789012:role/KeyBAdmin: sts:AssumeRole",)),
        ]),
        4: (True, []),
        5: (True, []),
        6: (True, []),
        7: (True, []),
    }


def test_snapshot_unknown_principal_is_an_input_error():
    code, out, err = run_cli("assert", f"{DATA}/snapshot-unknown.assert", "--snapshot", "fixtures/snapshot", cwd=ROOT)
    assert code == 2
    assert err.splitlines()[-1].startswith(
        f"policylint: error: {DATA}/snapshot-unknown.assert:1:1: 'role/Nobody': the snapshot has no role named 'Nobody'")


# -- configuration ----------------------------------------------------------


def test_assertions_from_configuration_list():
    code, doc = check("--key-policy", "../cross-account-key-policy.json", *WHERE, cwd=ROOT / DATA / "config")
    assert code == 1
    assert [(a["file"], a["line"], a["holds"]) for a in doc["assertions"]] == [
        (".policylint.toml", 4, True), (".policylint.toml", 5, False)]
    assert outcomes(doc)[5][1] == [
        (f"{ACCT}:root", "kms:PutKeyPolicy", KEY_ARN, "allowed", (),
         ('key policy Sid "EnableIAMPolicies" (../cross-account-key-policy.json:4:5)',), ())]


def test_assertions_from_configuration_path():
    code, doc = check("--config", f"{DATA}/config-path/.policylint.toml", "--key-policy",
                      f"{DATA}/locked-key-policy.json", *WHERE)
    assert code == 1
    assert [(a["file"], a["line"], a["holds"]) for a in doc["assertions"]] == [
        (f"{DATA}/locked.assert", n, held) for n, held in ((2, True), (3, True), (4, True), (5, False), (6, False), (7, True))]


def test_no_assertions_anywhere_is_a_usage_error(tmp_path):
    code, _, err = run_cli("assert", cwd=tmp_path)
    assert code == 2
    assert "give an assertions file, or an assertions key in the configuration" in err


# -- errors -----------------------------------------------------------------


@pytest.mark.parametrize("args, first_line, caret", [
    ([f"{DATA}/syntax-errors.assert"],
     f'policylint: error: {DATA}/syntax-errors.assert:3:47: unexpected "kms:Decrypt": expected do', 46),
    ([f"{DATA}/ends-early.assert"],
     f"policylint: error: {DATA}/ends-early.assert:1:34: the assertion ends too early: expected all or word "
     "(PRINCIPAL cannot do ACTION on RESOURCE)", 33),
    ([f"{DATA}/bad-account.assert"],
     f'policylint: error: {DATA}/bad-account.assert:1:30: "1111-2222-3333" is not an AWS account ID (12 digits)', 29),
    (["--config", f"{DATA}/config-bad.toml"],
     f'policylint: error: {DATA}/config-bad.toml:3:20: unexpected "do": expected be', 14),
])
def test_syntax_errors_have_positions(args, first_line, caret):
    code, out, err = run_cli("assert", *args, cwd=ROOT)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == first_line
    assert lines[2] == "  " + " " * caret + "^"


def test_expected_tokens_are_listed():
    from policylint.parse.assertions import AssertionSyntaxError, parse_assertion_line

    with pytest.raises(AssertionSyntaxError) as e:
        parse_assertion_line("role/App may do kms:Decrypt on key/x", "f", 7)
    assert str(e.value) == 'f:7:10: unexpected "may": expected "," or can or cannot or must'
    assert e.value.expected == ('","', "can", "cannot", "must")


def test_bad_policy_file_is_an_input_error():
    code, _, err = run_cli("assert", f"{DATA}/locked.assert", "--key-policy", "fixtures/bad-input/truncated.json",
                           *WHERE, cwd=ROOT)
    assert code == 2
    assert err.startswith("policylint: error: fixtures/bad-input/truncated.json:")


def test_no_principal_needs_a_key_policy():
    code, _, err = run_cli("assert", f"{DATA}/locked.assert", *WHERE, cwd=ROOT)
    assert code == 2
    assert err == (f"policylint: error: {DATA}/locked.assert:2: 'on all keys' with policy files needs --key-policy "
                   "(or use --snapshot)\n")
    code, _, err = run_cli("assert", f"{DATA}/cross-account.assert", *WHERE, cwd=ROOT)
    assert code == 2
    assert err == (f"policylint: error: {DATA}/cross-account.assert:2: 'no principal' and 'only' assertions with policy files "
                   "reason over the principals the key policy names: give --key-policy (or use --snapshot)\n")


def test_comments_and_blank_lines():
    from policylint.parse.assertions import parse_assertions

    got = parse_assertions('# header\n\nuser/x cannot do kms:Decrypt on key/a  # why\nuser/y cannot do kms:Decrypt on key/b when k = "a # b"\n', "f")
    assert [(a.line, a.kind, a.principals, a.text, a.context) for a in got] == [
        (3, "cannot", ("user/x",), "user/x cannot do kms:Decrypt on key/a", {}),
        (4, "cannot", ("user/y",), 'user/y cannot do kms:Decrypt on key/b when k = "a # b"', {"k": ["a # b"]}),
    ]


def test_readme_example_is_current():
    args, expected, exit_code = readme_example("assert")
    code, out, _ = run_cli("assert", *args, cwd=ROOT)
    assert out == expected
    assert code == exit_code


def test_snapshot_failures_name_paths_and_escalations():
    code, doc = check(f"{DATA}/snapshot-fail.assert", "--snapshot", "fixtures/snapshot")
    assert code == 1
    got = outcomes(doc)
    a = "arn:aws:iam::123456789012"
    # expected answers: fixtures/snapshot-expected.md rows 5, 29, 31, 35
    assert [(v[0], v[3]) for v in got[1][1]] == [(f"{a}:role/KeyBAdmin", "allowed"), (f"{a}:user/admin-dee", "allowed")]
    assert got[1][1][0][6] == (
        f"{a}:role/KeyBAdmin -> {KEY_B}: kms:PutKeyPolicy, kms:CreateGrant",
        f"escalation: {a}:role/KeyBAdmin can use kms:PutKeyPolicy, kms:CreateGrant on the key to allow itself kms:Decrypt",
    )
    assert [v[0] for v in got[2][1]] == [f"{a}:role/HopOne", f"{a}:role/HopTwo", f"{a}:role/KeyBAdmin",
                                         f"{a}:role/app/KeyUserRole", f"{a}:user/admin-dee", f"{a}:user/dev-ann"]
    direct = got[2][1][3]
    assert direct == (f"{a}:role/app/KeyUserRole", "kms:Encrypt", KEY_B, "allowed", (), (
        'resource-based policy key policy of key/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14, Sid "LedgerWriter" '
        "(fixtures/snapshot/123456789012/kms/us-east-1/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14/get-key-policy.json:2:905)",), ())


@pytest.mark.parametrize("where", [
    ["--key-policy", f"{DATA}/locked-key-policy.json", *WHERE],
    ["--snapshot", "fixtures/snapshot"],
])
def test_unknown_action_is_an_error_not_a_pass(where):
    # A misspelled action is denied to everyone: "cannot" would hold whatever the policies say.
    code, out, err = run_cli("assert", f"{DATA}/unknown-action.assert", *where, cwd=ROOT)
    assert code == 2 and out == ""
    assert err == (f"policylint: error: {DATA}/unknown-action.assert:1:18: kms:Decrpyt is not an action of the "
                   "Service Authorization Reference (did you mean kms:Decrypt?)\n")


def test_wildcard_actions_are_expanded_from_the_catalog():
    code, doc = check(f"{DATA}/wildcard.assert", "--key-policy", f"{DATA}/locked-key-policy.json", *WHERE)
    assert code == 0
    # kms:Put* acts on a key only as kms:PutKeyPolicy; kms:*KeyPolicy is GetKeyPolicy and PutKeyPolicy, asked of role/App
    # (line 2: the two actions asked of the 11 principals other than KeyAdmin)
    assert [(a["line"], a["holds"], a["requests_checked"]) for a in doc["assertions"]] == [(1, True, 2), (2, True, 22)]


def test_bad_assertions_key_is_a_configuration_error(tmp_path):
    (tmp_path / ".policylint.toml").write_text("assertions = [1]\n")
    code, out, err = run_cli("assert", cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.endswith("invalid policylint configuration: assertions: must be a list of assertion strings, "
                        "or the path of an assertions file\n")


# -- principals the key policy lets in without naming them -------------------

KEY_ANY = "arn:aws:kms:us-east-1:111122223333:key/*"
OUTSIDE = f"{DATA}/outside-account.assert"


@pytest.mark.parametrize("policy, principal, statement", [
    # Principal "*" with StringLike aws:PrincipalArn arn:aws:iam::*:role/X: role X of any account
    ("star-principal-arn-like.json", "arn:aws:iam::999999999999:role/X", "statement 2"),
    # ArnLike aws:PrincipalArn arn:aws:iam::4444*:role/*: an account starting 4444, not the asserted one
    ("star-principal-arn-account-prefix.json", "arn:aws:iam::444499999999:role/x", "statement 2"),
])
def test_star_principal_with_principal_arn_condition_fails(policy, principal, statement):
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/{policy}", *WHERE)
    assert code == 1
    assert outcomes(doc) == {1: (False, [
        (principal, "kms:Decrypt", KEY_ANY, "allowed-if", ("the IAM policies of account "
                                                           f"{principal.split(':')[4]} allow it",),
         (f"key policy {statement} ({DATA}/{policy}:1:155)",), ()),
    ])}


def test_star_principal_limited_to_the_asserted_account_holds():
    # aws:PrincipalArn arn:aws:iam::*:role/X and aws:PrincipalAccount 111122223333: only the key's account
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/star-principal-own-account.json", *WHERE)
    assert code == 0
    assert outcomes(doc) == {1: (True, [])}


def test_only_probes_condition_principals_in_accounts_the_policy_names(tmp_path):
    f = tmp_path / "only.assert"
    f.write_text("only arn:aws:iam::111122223333:root can do kms:Decrypt on all keys\n")
    code, doc = check(str(f), "--key-policy", f"{DATA}/star-principal-own-account.json", *WHERE)
    assert code == 1
    # Not anonymous callers: aws:PrincipalArn is never present for them, so
    # the statement cannot apply (it was reported "allowed if aws:PrincipalArn
    # matches ..."); not the account's other principals: its root is the one allowed.
    assert [v[0] for v in outcomes(doc)[1][1]] == [f"{ACCT}:role/X"]


def test_not_principal_allow_lets_other_accounts_in():
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/not-principal.json", *WHERE)
    assert code == 1
    assert outcomes(doc) == {1: (False, [
        ("arn:aws:iam::000000000000:root", "kms:Decrypt", KEY_ANY, "allowed", (),
         (f"key policy statement 2 ({DATA}/not-principal.json:1:155)",), ()),
    ])}


def test_not_principal_naming_the_stand_in_account_uses_another(tmp_path):
    doc = json.loads((ROOT / DATA / "not-principal.json").read_text())
    doc["Statement"][1]["NotPrincipal"]["AWS"] = ["arn:aws:iam::111122223333:root", "000000000000"]
    p = tmp_path / "kp.json"
    p.write_text(json.dumps(doc))
    code, out = check(str(ROOT / OUTSIDE), "--key-policy", str(p), *WHERE)
    assert code == 1
    # A role of account 000000000000 is not exempt (NotPrincipal exempts a
    # role session only when it lists the role and the session too); the
    # root of another account is not listed at all.
    assert [v[0] for v in outcomes(out)[1][1]] == ["arn:aws:iam::000000000000:role/any-principal-of-the-account",
                                                   "arn:aws:iam::999999999999:root"]


def test_invalid_key_policy_principal_blames_the_key_policy():
    code, out, err = run_cli("assert", OUTSIDE, "--key-policy", f"{DATA}/wildcard-account-principal.json", *WHERE,
                             cwd=ROOT)
    assert code == 2 and out == ""
    assert err.startswith(f"policylint: error: {DATA}/wildcard-account-principal.json:1:192: key policy principal: "
                          "'arn:aws:iam::*:root' is not a principal")
    assert "outside-account.assert" not in err


@pytest.mark.parametrize("content, expected", [
    ("missing", "policylint: error: {cfg}: configuration file not found\n"),
    ("fail-on = \n", "policylint: error: {cfg}: invalid TOML: Invalid value (at line 1, column 11)\n"),
    ("bogus = 1\n", "policylint: error: {cfg}: invalid policylint configuration: bogus: unknown key\n"),
])
def test_config_is_validated_with_an_assertions_file(tmp_path, content, expected):
    cfg = tmp_path / "c.toml"
    if content != "missing":
        cfg.write_text(content)
    code, out, err = run_cli("assert", OUTSIDE, "--config", str(cfg), "--key-policy",
                             f"{DATA}/locked-key-policy.json", *WHERE, cwd=ROOT)
    assert code == 2 and out == ""
    assert err == expected.format(cfg=cfg)


def test_valid_config_with_an_assertions_file_is_accepted(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('fail-on = "warning"\n')
    code, _ = check(OUTSIDE, "--config", str(cfg), "--key-policy", f"{DATA}/not-principal.json", *WHERE)
    assert code == 1


@pytest.mark.parametrize("data, position", [
    (b"no principal can do kms:Decrypt on all keys\r\n\xff\n", "2:1"),
    (b"\xef\xbb\xbfno principal can do kms:Decrypt on \xc3\xa9\xff all keys\n", "1:37"),
])
def test_invalid_utf8_has_a_position(tmp_path, data, position):
    f = tmp_path / "x.assert"
    f.write_bytes(data)
    code, out, err = run_cli("assert", str(f), "--key-policy", f"{DATA}/locked-key-policy.json", *WHERE, cwd=ROOT)
    assert code == 2 and out == ""
    assert err == f"policylint: error: {f}:{position}: not UTF-8 text: invalid start byte (byte 0xff)\n"


def test_invalid_grantee_principal_blames_the_grants_file(tmp_path):
    doc = json.loads((ROOT / "fixtures/can/list-grants-output.json").read_text())
    doc["Grants"][0]["GranteePrincipal"] = "arn:aws:iam::*:root"
    g = tmp_path / "grants.json"
    g.write_text(json.dumps(doc))
    code, out, err = run_cli("assert", OUTSIDE, "--key-policy", "fixtures/can/key-policy.json", "--grants", str(g),
                             *WHERE, cwd=ROOT)
    assert code == 2 and out == ""
    assert err.startswith(f"policylint: error: {g}: grantee principal: 'arn:aws:iam::*:root' is not a principal")


@pytest.mark.parametrize("policy, assertion, principal", [
    # A named account whose statement's aws:PrincipalArn condition lets one role in.
    ("root-with-principal-arn-condition", "outside-account", "arn:aws:iam::444455556666:role/App"),
    # A named account whose root is excluded by aws:PrincipalType: its roles are not.
    ("root-not-account-type", "outside-account", "arn:aws:iam::444455556666:role/any-principal-of-the-account"),
    # A Deny with ArnNotLike aws:PrincipalArn spares the role it names.
    ("deny-arn-not-like-spares-role", "outside-account", "arn:aws:iam::444455556666:role/Allowed"),
    # "*" except account roots, and "*" for IAM users only.
    ("star-not-account-type", "outside-account", "arn:aws:iam::000000000000:role/any-principal-of-the-account"),
    ("star-users-only", "outside-account", "arn:aws:iam::000000000000:user/any-principal-of-the-account"),
    # The account statement's condition names a second role: not only KeyAdmin.
    ("root-statement-two-roles", "only-key-admin", "arn:aws:iam::111122223333:role/Other"),
])
def test_principals_that_conditions_let_in_fail_the_assertion(policy, assertion, principal):
    """Regression (second QA pass): these assertions passed while `can` allowed the
    principal: the account was probed only as its root."""
    name = {"outside-account": "outside-account-plain.assert", "only-key-admin": "only-key-admin.assert"}[assertion]
    code, doc = check(f"{DATA}/{name}", "--key-policy", f"{DATA}/{policy}.json", "--account", "111122223333",
                      "--region", "us-east-1")
    assert code == 1
    (result,) = doc["assertions"]
    assert result["holds"] is False
    assert result["violations"][0]["principal"] == principal
    assert result["violations"][0]["status"] == "allowed-if"


# -- third QA pass: one set of probe principals for assert and diff -----------

def test_a_grant_that_starts_later_fails_a_safety_assertion():
    # DateGreaterThan aws:CurrentTime 2099-01-01: denied today, allowed then.
    later = "aws:CurrentTime is 2099-01-01T00:00:01Z (a time to come that a date condition names)"
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/dated-grants.json", *WHERE)
    assert code == 1
    assert outcomes(doc) == {1: (False, [
        ("arn:aws:iam::444455556666:root", "kms:Decrypt", KEY_ANY, "allowed-if", (later,),
         (f'key policy Sid "Later" ({DATA}/dated-grants.json:3:1)',), ()),
    ])}
    # cannot: the same; a grant that ended (DateLessThan 2020) is not one; a
    # time given with "when" is the only time asked.
    code, doc = check(f"{DATA}/dated-grants.assert", "--key-policy", f"{DATA}/dated-grants.json", *WHERE)
    assert code == 1
    got = outcomes(doc)
    assert got[1] == (False, [("arn:aws:iam::444455556666:root", "kms:Decrypt", KEY_ARN, "allowed-if", (later,),
                               (f'key policy Sid "Later" ({DATA}/dated-grants.json:3:1)',), ())])
    assert got[2] == (True, []) and got[3] == (True, [])


def test_principal_arn_with_a_wildcard_resource_type_is_probed_not_refused():
    # arn:aws:iam::444455556666:*/A: user A and role A (it was "unsupported principal ARN").
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/principal-arn-any-type.json", *WHERE)
    assert code == 1
    iam = ("the IAM policies of account 444455556666 allow it",)
    stmt = (f'key policy Sid "A" ({DATA}/principal-arn-any-type.json:1:155)',)
    assert outcomes(doc) == {1: (False, [
        ("arn:aws:iam::444455556666:user/A", "kms:Decrypt", KEY_ANY, "allowed-if", iam, stmt, ()),
        ("arn:aws:iam::444455556666:role/A", "kms:Decrypt", KEY_ANY, "allowed-if", iam, stmt, ()),
    ])}



def test_only_with_the_account_root_covers_access_through_the_account():
    # Fresh-user report: role/InvoiceApp gets kms:PutKeyPolicy only through the
    # root statement (its IAM policies decide): the allowed root covers it.
    code, doc = check(f"{DATA}/only-root-and-admin.assert", "--key-policy", "fixtures/can/key-policy.json", *WHERE)
    assert code == 1
    root = 'key policy Sid "EnableIAMPolicies" (fixtures/can/key-policy.json:5:5)'
    assert outcomes(doc) == {
        1: (True, []),
        2: (False, [
            (f"{ACCT}:root", "kms:PutKeyPolicy", KEY_ARN, "allowed", (), (root,), ()),
            (f"{ACCT}:role/InvoiceApp", "kms:PutKeyPolicy", KEY_ARN, "allowed-if",
             ("the IAM policies of account 111122223333 allow it",), (root,), ()),
        ]),
    }


@pytest.mark.parametrize("extra, expected", [
    # Fourth QA pass. aws:username alice under Principal "*": alice of any account.
    (["--key-policy", f"{DATA}/username-alice-any-account.json"], {
        1: ["arn:aws:iam::000000000000:user/alice"],
        2: [f"{ACCT}:root", f"{ACCT}:user/alice", "arn:aws:iam::000000000000:user/alice"],
        3: []}),
    # aws:PrincipalServiceName s3.amazonaws.com under Principal "*": S3 (in no account).
    (["--key-policy", f"{DATA}/service-name-condition.json"], {1: [], 2: ["s3.amazonaws.com"], 3: []}),
    # A grant's retiring principal in another account may retire it.
    (["--key-policy", f"{DATA}/retiring-key-policy.json", "--grants", f"{DATA}/retiring-grants.json"], {
        1: [], 2: [f"{ACCT}:root", f"{ACCT}:role/Reports"], 3: ["arn:aws:iam::444455556666:role/r"]}),
])
def test_principals_named_by_conditions_and_grants(extra, expected):
    code, doc = check(f"{DATA}/named-by-conditions.assert", *extra, *WHERE)
    assert code == 1
    assert {line: [v[0] for v in violations] for line, (_, violations) in outcomes(doc).items()} == expected


def test_cannot_without_identity_policies_takes_them_as_unknown():
    # Fresh-user report: without --identity-policy, "cannot" held because the
    # principal was taken to have no IAM policies, while "only" reported the
    # same principal "allowed if its account's IAM policies allow it".
    iam = ("the IAM policies of account 111122223333 allow it",)
    root = ('key policy Sid "EnableIAMPolicies" (fixtures/can/key-policy.json:5:5)',)
    code, doc = check(f"{DATA}/cannot-unknown-iam.assert", "--key-policy", "fixtures/can/key-policy.json", *WHERE)
    assert code == 1
    assert outcomes(doc) == {
        1: (False, [(f"{ACCT}:role/InvoiceApp", "kms:PutKeyPolicy", KEY_ARN, "allowed-if", iam, root, ())]),
        2: (False, [(f"{ACCT}:role/InvoiceApp", "kms:Decrypt", KEY_ARN, "allowed-if", iam, root, ())]),
    }
    # With its identity-based policy given, those decide.
    code, doc = check(f"{DATA}/cannot-unknown-iam.assert", "--key-policy", "fixtures/can/key-policy.json",
                      "--identity-policy", "fixtures/can/invoice-app-policy.json", *WHERE)
    assert code == 0 and outcomes(doc) == {1: (True, []), 2: (True, [])}


def test_a_role_session_may_carry_a_federated_provider():
    # Fifth QA pass: aws:FederatedProvider is set on sessions of roles
    # assumed through a provider, so a role session of another account is
    # "allowed if" it (it was taken as definitely absent).
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/federated-provider-any-account.json", *WHERE)
    assert code == 1
    assert outcomes(doc) == {1: (False, [
        ("arn:aws:iam::000000000000:role/any-principal-of-the-account", "kms:Decrypt", KEY_ANY, "allowed-if",
         ("aws:FederatedProvider equals accounts.google.com", "the IAM policies of account 000000000000 allow it"),
         (f"key policy statement 2 ({DATA}/federated-provider-any-account.json:13:5)",), ()),
    ])}


def test_dates_past_the_last_iso_date_are_not_asked():
    # DateGreaterThan 9999-12-31T23:59:59Z (no later second exists) and an
    # epoch past it: no later time to ask (they were internal errors).
    code, doc = check(OUTSIDE, "--key-policy", f"{DATA}/last-date-grant.json", *WHERE)
    assert code == 0 and outcomes(doc) == {1: (True, [])}
