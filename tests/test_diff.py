"""policylint diff: the access NEW grants that OLD did not, decided by the evaluator.

Each pair in tests/data/diff/ has its exact expected new access: equivalent
rewrites must give none; real changes give exactly the groups listed
(actions, NEW's resource patterns, principal, NEW's conditions, NEW's Sids).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import ROOT, readme_example, run_cli
from policylint.evaluate.diff import diff_policies, read_diff_policy
from policylint.evaluate.inputs import InputError

D = ROOT / "tests" / "data" / "diff"

KMS_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
           "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
           "kms:ReEncryptTo"]
APP_KEYS = ("arn:aws:kms:us-east-1:111122223333:key/*",)

#: (OLD, NEW, expected groups: (actions, resource patterns, principal, conditions, NEW Sids))
CASES = [
    # Equivalent rewrites: no new access.
    ("kms-user-old", "kms-user-reordered", []),  # statements and actions reordered, Resource "x" vs ["x"]
    ("kms-user-old", "kms-user-split", []),  # one statement split into two
    ("kms-user-split", "kms-user-old", []),  # two statements merged
    ("kms-get-wildcard", "kms-get-listed", []),  # kms:Get* vs every action it covers, listed
    ("kms-get-listed", "kms-get-wildcard", []),
    ("s3-read-star", "s3-read-star-list", []),  # Resource "*" vs a list holding "*"
    ("key-policy-old", "key-policy-reordered", []),  # key policy reordered, account ARN vs account ID
    ("notaction-iam", "notaction-iam-reordered", []),  # NotAction reordered, service prefix case
    ("notresource-secrets", "deny-secrets", []),  # NotResource vs Allow "*" and a Deny
    ("deny-secrets", "notresource-secrets", []),
    # Narrowing: no new access.
    ("read-all", "notresource-secrets", []),
    ("vpc-like", "vpc-equals", []),
    ("admin-without-deny", "admin-with-deny", []),
    ("ip-8", "ip-16", []),
    ("kms-user-added-action", "kms-user-old", []),
    # New access.
    ("kms-user-old", "kms-user-added-action", [
        (["kms:ScheduleKeyDeletion"], APP_KEYS, None, (), ["UseAppKeys"]),
    ]),
    ("kms-user-old", "kms-user-wider-resource", [
        (["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], ("arn:aws:kms:*:111122223333:key/*",), None, (), ["UseAppKeys"]),
    ]),
    ("kms-get-listed-missing-one", "kms-get-wildcard", [
        (["kms:GetKeyLastUsage"], ("arn:aws:kms:*:111122223333:key/*",), None, (), ["ReadKeys"]),
    ]),
    ("notresource-secrets", "read-all", [  # NotResource dropped
        (["s3:GetObject"], ("*",), None, (), ["ReadAll"]),
    ]),
    ("s3-read-buckets", "s3-read-star", [
        (["s3:GetObject", "s3:ListBucket"], ("*",), None, (), [None]),
    ]),
    ("vpc-equals", "vpc-none", [  # condition removed
        (["kms:Decrypt"], APP_KEYS, None, (), ["DecryptFromVpc"]),
    ]),
    ("vpc-equals", "vpc-like", [  # StringEquals vpc-1 -> StringLike vpc-*
        (["kms:Decrypt"], APP_KEYS, None, ("aws:SourceVpc matches vpc-*",), ["DecryptFromVpc"]),
    ]),
    ("vpc-equals-two-keys", "vpc-equals-two-keys-wider", [  # one of two keys takes one more value
        (["kms:Decrypt"], APP_KEYS, None,
         ("aws:SourceVpc equals vpc-1", "kms:ViaService equals s3.us-east-1.amazonaws.com or rds.us-east-1.amazonaws.com"),
         ["DecryptFromVpc"]),
    ]),
    ("ip-16", "ip-8", [
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), None, ("aws:SourceIp is in 10.0.0.0/8",), ["ReadFromOffice"]),
    ]),
    ("admin-with-deny", "admin-without-deny", [  # Deny removed
        (["kms:DeleteImportedKeyMaterial", "kms:ScheduleKeyDeletion"], APP_KEYS, None, (), ["ManageKeys"]),
    ]),
    ("key-policy-old", "key-policy-added-principal", [  # another account added to a key policy
        (KMS_USE, ("*",), "account 444455556666", (), ["Allow use of the key"]),
    ]),
    ("bucket-policy-role", "bucket-policy-everyone", [  # a bucket policy opened to everyone
        # The bucket's account: the policy does not say, so one it does not
        # name. Its root user had the access already; a federated user needs
        # its own (session) policy, which gave it before too.
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), "IAM users and role sessions of account 123456789012", (), [None]),
        # "Principal": "*" lets in AWS service principals too.
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), "an AWS service principal", (), [None]),
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), "anonymous callers", (), [None]),
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), "principal of account 111122223333", (), [None]),
        (["s3:GetObject"], ("arn:aws:s3:::reports/*",), "principal of account 999999999999 (named by neither policy)", (), [None]),
    ]),
    ("bucket-policy-everyone", "bucket-policy-role", []),
    ("principal-arn-app", "principal-arn-any-role", [  # aws:PrincipalArn role/app-* -> role/*
        (["kms:Decrypt"], APP_KEYS, None, ("aws:PrincipalArn matches arn:aws:iam::111122223333:role/*",), ["AppRolesDecrypt"]),
    ]),
    ("principal-arn-any-role", "principal-arn-app", []),
    ("region-and-account", "account-only", [  # aws:RequestedRegion condition removed
        (["kms:Decrypt"], ("*",), None, ("aws:ResourceAccount equals 111122223333",), [None]),
    ]),
    ("region-and-account", "region-only", [  # aws:ResourceAccount condition removed
        (["kms:Decrypt"], ("*",), None, ("aws:RequestedRegion equals us-east-1",), [None]),
    ]),
    ("account-only", "region-and-account", []),
    ("trust-ec2", "trust-ec2-and-deployer", [  # a role of another account may assume the role
        (["sts:AssumeRole"], ("*",), "arn:aws:iam::444455556666:role/Deployer", (), [None]),
    ]),
    ("key-policy-caller-account", "key-policy-caller-account-wider", [  # kms:CallerAccount takes another account
        (["kms:Decrypt", "kms:DescribeKey"], ("*",), "principal of account 444455556666",
         ("kms:CallerAccount equals 111122223333 or 444455556666", "kms:ViaService equals s3.us-east-1.amazonaws.com"),
         ["DecryptThroughS3"]),
    ]),
]


def _diff(old: str, new: str):
    return diff_policies(read_diff_policy(str(D / f"{old}.json")), read_diff_policy(str(D / f"{new}.json")))


@pytest.mark.parametrize("old,new,expected", CASES, ids=[f"{o}->{n}" for o, n, _ in CASES])
def test_pairs(old, new, expected):
    r = _diff(old, new)
    got = [(g.actions, g.resource_patterns, g.principal, g.conditions, [s.sid for s in g.statements]) for g in r.groups]
    assert got == expected
    assert r.new_access is bool(expected)
    assert r.notes == []


def test_notaction_broadening_gives_every_kms_action():
    from policylint import catalog

    r = _diff("notaction-iam", "notaction-iam-only")
    # Every KMS action but kms:RetireGrant, which the grants alone decide
    # (the evaluator: a policy that allows it retires no grant).
    kms = sorted((catalog.spelling(a) for a in catalog.expand_names("kms:*") if a != "kms:retiregrant"), key=str.lower)
    assert [(g.actions, g.resource_patterns, [s.sid for s in g.statements]) for g in r.groups] == [
        (kms, ("*",), ["EverythingButIam"]),
    ]
    assert len(kms) > 50


def test_examples_are_requests_new_allows():
    r = _diff("vpc-equals", "vpc-like")
    (g,) = r.groups
    assert g.example_resource == "arn:aws:kms:us-east-1:111122223333:key/other9"
    assert g.example_context == {"aws:SourceVpc": "vpc-1-other9"}
    r = _diff("key-policy-caller-account", "key-policy-caller-account-wider")
    assert r.groups[0].example_context == {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "444455556666"}
    r = _diff("region-and-account", "account-only")
    assert r.groups[0].example_resource == "arn:aws:kms:zz-other-1:111122223333:key/other9"
    r = _diff("region-and-account", "region-only")
    assert r.groups[0].example_resource == "arn:aws:kms:us-east-1:999999999999:key/other9"
    r = _diff("notresource-secrets", "read-all")
    assert r.groups[0].example_resource == "arn:aws:s3:::secrets/other9"
    r = _diff("kms-user-old", "kms-user-wider-resource")
    assert r.groups[0].example_resource == "arn:aws:kms:zz-other-1:111122223333:key/other9"


def test_kinds_must_match():
    with pytest.raises(InputError, match="is identity-based and .* is resource-based"):
        _diff("kms-user-old", "key-policy-old")


# --- the command ------------------------------------------------------------


def test_cli_text_and_exit_codes():
    args = ("diff", "tests/data/diff/kms-user-old.json", "tests/data/diff/kms-user-added-action.json")
    code, out, _ = run_cli(*args, cwd=ROOT)
    assert code == 0
    assert out == (
        "policylint diff tests/data/diff/kms-user-old.json -> tests/data/diff/kms-user-added-action.json (identity-based policies)\n"
        "New access: tests/data/diff/kms-user-added-action.json allows requests that tests/data/diff/kms-user-old.json denies, in 1 group:\n"
        "\n"
        "  + kms:ScheduleKeyDeletion\n"
        "      on arn:aws:kms:us-east-1:111122223333:key/*  (e.g. arn:aws:kms:us-east-1:111122223333:key/other9)\n"
        "      with no condition\n"
        '      allowed by identity-based policy Sid "UseAppKeys" (tests/data/diff/kms-user-added-action.json:4:5)\n'
        "\n"
        "Decided 8 requests with each policy.\n"
    )
    code, _, _ = run_cli(*args, "--fail-on-new-access", cwd=ROOT)
    assert code == 1
    code, out, _ = run_cli("diff", "tests/data/diff/kms-user-old.json", "tests/data/diff/kms-user-split.json", "--fail-on-new-access", cwd=ROOT)
    assert code == 0
    assert "No new access" in out


def test_cli_json():
    code, out, _ = run_cli("diff", "-f", "json", "tests/data/diff/key-policy-old.json",
                           "tests/data/diff/key-policy-added-principal.json", "--fail-on-new-access", cwd=ROOT)
    assert code == 1
    data = json.loads(out)
    assert data["result"] == "FAIL" and data["kind"] == "resource"
    (g,) = data["new_access"]
    assert g["actions"] == KMS_USE
    assert g["principal"] == "account 444455556666"
    assert g["resources"] == ["*"]
    assert [(s["sid"], s["line"], s["column"]) for s in g["statements"]] == [("Allow use of the key", 12, 5)]
    code, out, _ = run_cli("diff", "-f", "json", "tests/data/diff/key-policy-old.json", "tests/data/diff/key-policy-reordered.json", cwd=ROOT)
    assert code == 0 and json.loads(out)["result"] == "PASS" and json.loads(out)["new_access"] == []


def test_cli_input_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": 5}]}')
    code, _, err = run_cli("diff", str(bad), str(D / "ip-8.json"))
    assert code == 2
    assert err.startswith(f"policylint: error: {bad}:1:") and "Traceback" not in err
    code, _, err = run_cli("diff", str(tmp_path / "none.json"), str(D / "ip-8.json"))
    assert code == 2 and "no such file" in err
    code, _, err = run_cli("diff", str(D / "ip-8.json"), str(D / "key-policy-old.json"))
    assert code == 2 and "compare two policies of one kind" in err
    code, _, err = run_cli("diff", str(D / "ip-8.json"))
    assert code == 2 and "give OLD and NEW" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_cli_git(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    (tmp_path / "sub").mkdir()
    policy = tmp_path / "sub" / "policy.json"
    policy.write_text((D / "vpc-equals.json").read_text())
    git("add", ".")
    git("commit", "-qm", "old")
    # Unchanged: no new access.
    code, out, _ = run_cli("diff", "--git", "HEAD", "sub/policy.json", "--fail-on-new-access", cwd=tmp_path)
    assert code == 0 and "No new access" in out
    policy.write_text((D / "vpc-like.json").read_text())
    code, out, _ = run_cli("diff", "--git", "HEAD", "sub/policy.json", "--fail-on-new-access", "-f", "json", cwd=tmp_path)
    assert code == 1
    data = json.loads(out)
    assert data["old"] == "HEAD:sub/policy.json" and data["new"] == "sub/policy.json"
    assert [(g["actions"], g["conditions"]) for g in data["new_access"]] == [(["kms:Decrypt"], ["aws:SourceVpc matches vpc-*"])]
    # From another folder, with a path into the repository.
    code, out, _ = run_cli("diff", "--git", "HEAD", str(policy), cwd=ROOT)
    assert code == 0 and "aws:SourceVpc matches vpc-*" in out
    # Unknown revision, file not in the revision: git's message, exit 2.
    code, _, err = run_cli("diff", "--git", "no-such-rev", "sub/policy.json", cwd=tmp_path)
    assert code == 2 and err.startswith("policylint: error: --git no-such-rev sub/policy.json: fatal:")
    (tmp_path / "sub" / "new.json").write_text((D / "vpc-like.json").read_text())
    code, _, err = run_cli("diff", "--git", "HEAD", "sub/new.json", cwd=tmp_path)
    assert code == 2 and "fatal:" in err and "new.json" in err
    # A revision where the file is not a policy: its position, named REV:PATH.
    policy.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": 5}]}')
    git("commit", "-qam", "broken")
    policy.write_text((D / "vpc-like.json").read_text())
    code, _, err = run_cli("diff", "--git", "HEAD", "sub/policy.json", cwd=tmp_path)
    assert code == 2 and err.startswith("policylint: error: HEAD:sub/policy.json:1:") and "Traceback" not in err


def test_readme_diff_example_is_current():
    args, expected, exit_code = readme_example("diff")
    code, out, _ = run_cli("diff", *args, cwd=ROOT)
    assert out == expected
    assert code == exit_code == 1


def test_services_neither_policy_names_are_represented(tmp_path):
    # "*:Describe*" -> "*": every service's other actions are new access; a
    # service stands as SERVICE:* (one of its actions is asked for all).
    from policylint import catalog

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*:Describe*", "Resource": "*"}]}')
    new.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    r = diff_policies(read_diff_policy(str(old)), read_diff_policy(str(new)))
    expected = set()
    for svc in catalog.services():
        every = catalog.expand_names(f"{svc}:*") or frozenset()
        described = catalog.expand_names(f"{svc}:Describe*") or frozenset()
        if every - described:
            expected.add(f"{svc}:* (the actions not listed)" if described else f"{svc}:*")
    assert [(set(g.actions), g.resource_patterns) for g in r.groups] == [(expected, ("*",))]
    assert "ec2:* (the actions not listed)" in expected and "kms:* (the actions not listed)" in expected


def test_actions_not_in_the_catalog_are_noted(tmp_path):
    p = tmp_path / "p.json"
    p.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DecryptFuture"], "Resource": "*"}]}')
    code, out, _ = run_cli("diff", str(p), str(p))
    assert code == 0
    assert out.endswith("Decided 1 request with each policy.\nnote: not in the catalog, so not compared: kms:DecryptFuture\n")


# --- regressions: searches cut short, principals, contexts -------------------


def _groups(r):
    return [(g.actions, g.resource_patterns, g.principal, g.conditions, [s.sid for s in g.statements]) for g in r.groups]


def test_many_statements_each_statement_is_searched_first():
    # 10 (40) statements, each with its own tag key: one more value in the
    # last statement was past the first 400 contexts and gave "no new access".
    r = _diff("many-statements", "many-statements-one-more-value")
    assert _groups(r) == [(["s3:GetObject"], ("*",), None,
                           ("aws:PrincipalTag/t9 equals v0 or v1 or v2 or NEW", "aws:SourceVpc matches vpc-9*"), [None])]
    assert r.groups[0].example_context["aws:PrincipalTag/t9"] == "NEW"
    assert r.complete and r.result == "FAIL"
    r = _diff("many-statements-3keys", "many-statements-3keys-one-more-value")
    assert _groups(r) == [(["s3:GetObject"], ("*",), None,
                           ("aws:PrincipalTag/t39 equals v0 or v1 or v2 or v3 or v4 or NEW",
                            "aws:SourceIp is in 10.39.0.0/16", "aws:SourceVpc matches vpc-39*"), [None])]
    r = _diff("many-statements", "many-statements")
    assert r.groups == [] and r.result == "PASS" and r.gaps == []


def test_search_cut_short_is_incomplete_never_pass(monkeypatch, tmp_path):
    import policylint.evaluate.diff as d

    data = json.loads((D / "many-statements.json").read_text())
    data["Statement"].append({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
                              "Condition": {"StringEquals": {"aws:PrincipalTag/blocked": "yes"}}})
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data))
    r = diff_policies(read_diff_policy(str(p)), read_diff_policy(str(p)))
    assert r.result == "PASS" and r.gaps == []
    monkeypatch.setattr(d, "_MAX_CONTEXTS", 5)
    r = diff_policies(read_diff_policy(str(p)), read_diff_policy(str(p)))
    assert r.groups == [] and not r.complete and r.result == "INCOMPLETE"
    assert len(r.gaps) == 1 and "condition contexts: only" in r.gaps[0] and "cut short" in r.gaps[0]
    from policylint.report.diff import render_diff_json, render_diff_text

    data = json.loads(render_diff_json(r))
    assert data["result"] == "INCOMPLETE" and data["complete"] is False
    text = render_diff_text(r)
    assert "INCOMPLETE: no new access found" in text and "No new access:" not in text
    assert "note: not compared: " in text
    # A CI gate does not pass what was not compared.
    code, out, _ = run_cli("diff", str(p), str(p), "--fail-on-new-access")
    assert code == 1 and "INCOMPLETE" in out
    code, out, _ = run_cli("diff", str(p), str(p))
    assert code == 0


NEW_CASES = [
    # Cross-account trust: the named account is another account's, probed as
    # a principal of that account (its IAM policies allowing everything).
    ("trust-account-external-id", "trust-account", [
        (["sts:AssumeRole"], ("*",), "account 444455556666", (), [None]),
    ]),
    ("trust-account-mfa", "trust-account", [
        (["sts:AssumeRole"], ("*",), "account 444455556666", (), [None]),
    ]),
    ("trust-account", "trust-account-external-id", []),
    # A Deny on a principal of the key's account removed: that principal is
    # allowed when its IAM policies allow it (the key policy delegates).
    ("key-policy-deny-bob", "key-policy-root-only", [
        (["kms:Decrypt"], ("*",), "arn:aws:iam::111122223333:role/Bob (if its IAM policies allow it)", (), ["root"]),
    ]),
    ("key-policy-root-only", "key-policy-deny-bob", []),
    # Principal "*" with a wildcard-account aws:PrincipalArn: a role of
    # another account the pattern matches.
    # Also role X of the key's own account: the key policy alone now lets
    # it in, without an IAM policy.
    ("key-policy-root-only", "key-policy-principal-arn-any-account", [
        (["kms:Decrypt"], ("*",), "arn:aws:iam::111122223333:role/X",
         ("aws:PrincipalArn matches arn:aws:iam::*:role/X",), [None]),
        (["kms:Decrypt"], ("*",), "arn:aws:iam::999999999999:role/X",
         ("aws:PrincipalArn matches arn:aws:iam::*:role/X",), [None]),
    ]),
    ("key-policy-root-only", "key-policy-principal-arn-account-prefix", [
        (["kms:Decrypt"], ("*",), "arn:aws:iam::444499999999:role/x",
         ("aws:PrincipalArn matches arn:aws:iam::4444*:role/*",), [None]),
    ]),
    ("key-policy-principal-arn-any-account", "key-policy-root-only", []),
    # aws:userid is not derived from the probe's caller: sampled, patterns
    # filled (AIDA* -> AIDAother9, which AIDAX* does not match).
    ("userid-not-aida", "userid-not-aidax", [
        (["s3:GetObject"], ("*",), None, ("aws:userid does not match AIDAX*",), [None]),
    ]),
    ("userid-not-aidax", "userid-not-aida", []),
    # ForAllValues -> ForAnyValue: a known value with an unknown one.
    ("tagkeys-forall", "tagkeys-foranyvalue", [
        (["s3:GetObject"], ("*",), None, ("some value of aws:TagKeys equals a or b",), [None]),
    ]),
    # ForAnyValue -> ForAllValues: the key absent (ForAllValues holds).
    ("tagkeys-foranyvalue", "tagkeys-forall", [
        (["s3:GetObject"], ("*",), None, ("every value of aws:TagKeys equals a or b",), [None]),
    ]),
    # StringEquals -> StringEqualsIgnoreCase: a case variant of the value.
    ("vpc-equals-s3", "vpc-equals-ignorecase-s3", [
        (["s3:GetObject"], ("*",), None, ("aws:SourceVpc equals (ignoring case) vpc-1",), [None]),
    ]),
    ("vpc-equals-ignorecase-s3", "vpc-equals-s3", []),
    # Third QA pass: every kind of principal of an account is probed (root
    # user, IAM user, role session): a Deny on aws:PrincipalType removed.
    ('key-policy-deny-users', 'key-policy-account-only', [
        (['kms:Decrypt'], ('*',), 'IAM users of account 111122223333 (if their IAM policies allow it)', (), ['Root']),
    ]),
    ('key-policy-deny-users-and-sessions', 'key-policy-account-only', [
        (['kms:Decrypt'], ('*',), 'IAM users and role sessions of account 111122223333 (if their IAM policies allow it)', (), ['Root']),
    ]),
    ('key-policy-deny-root-user', 'key-policy-account-only', [
        (['kms:Decrypt'], ('*',), 'the root user of account 111122223333', (), ['Root']),
    ]),
    # Null aws:username false: the Deny was on IAM users only.
    ('key-policy-deny-null-username', 'key-policy-account-only', [
        (['kms:Decrypt'], ('*',), 'IAM users of account 111122223333 (if their IAM policies allow it)', (), ['Root']),
    ]),
    ('key-policy-account-only', 'key-policy-deny-users', [
    ]),
    # Partial account wildcards in kms:CallerAccount are filled with digits.
    ('key-policy-caller-account-exact', 'key-policy-caller-account-prefix', [
        (['kms:Decrypt'], ('*',), 'principal of account 444499999999', ('kms:CallerAccount matches 4444*',), ['X']),
    ]),
    ('key-policy-caller-account-exact', 'key-policy-caller-account-one-digit', [
        (['kms:Decrypt'], ('*',), 'principal of account 444455556669', ('kms:CallerAccount matches 44445555666?',), ['X']),
    ]),
    ('key-policy-caller-account-prefix', 'key-policy-caller-account-exact', [
    ]),
    # A wildcard in the resource type of aws:PrincipalArn: user/A now too.
    ('key-policy-principal-arn-role-a', 'key-policy-principal-arn-any-type-a', [
        (['kms:Decrypt'], ('*',), 'arn:aws:iam::444455556666:user/A', ('aws:PrincipalArn matches arn:aws:iam::444455556666:*/A',), ['X']),
    ]),
    ('key-policy-principal-arn-any-type-a', 'key-policy-principal-arn-role-a', [
    ]),
    # A '*' matches nothing too: a?* -> a* lets in 'a'.
    ('tag-like-a-and-more', 'tag-like-a', [
        (['s3:GetObject'], ('*',), None, ('s3:ExistingObjectTag/team matches a*',), [None]),
    ]),
    ('tag-like-a', 'tag-like-a-and-more', [
    ]),
    ('resource-a-and-more', 'resource-a', [
        (['s3:GetObject'], ('arn:aws:s3:::b/a*',), None, (), [None]),
    ]),
    ('resource-a', 'resource-a-and-more', [
    ]),
    # Policy variables resolved from the probe's identity: the user name,
    # the unique ID (AIDA...) and principal tags are told apart.
    ('var-username', 'var-userid', [
        (['s3:GetObject'], ('arn:aws:s3:::b/${aws:userid}',), None, (), [None]),
    ]),
    ('var-username', 'var-principal-tag', [
        (['s3:GetObject'], ('arn:aws:s3:::b/${aws:PrincipalTag/team}',), None, (), [None]),
    ]),
    ('var-username', 'var-username', [
    ]),
    ('var-userid', 'var-username', [
        (['s3:GetObject'], ('arn:aws:s3:::b/${aws:username}',), None, (), [None]),
    ]),
    ('var-username-folder', 'var-username-prefix', [
        (['s3:GetObject'], ('arn:aws:s3:::b/${aws:username}*',), None, (), [None]),
    ]),
    ('var-username-prefix', 'var-username-folder', [
    ]),
    # ArnLike -> StringLike: a '*' of StringLike also spans colons.
    ('source-arn-like', 'source-arn-string-like', [
        (['sns:Publish'], ('*',), None, ('aws:SourceArn matches arn:aws:sns:*:111122223333:t',), [None]),
    ]),
    ('source-arn-string-like', 'source-arn-like', [
    ]),
    # A policy variable in a condition value: resolved for the probe user.
    ('list-prefix-username-folder', 'list-prefix-username-prefix', [
        (['s3:ListBucket'], ('arn:aws:s3:::b',), None, ('s3:prefix matches ${aws:username}*',), [None]),
    ]),
    ('list-prefix-username-prefix', 'list-prefix-username-folder', []),
    # Third QA pass (helper set): federated users (GetFederationToken) are
    # probed too, with a session policy; only they gain here.
    ('key-policy-deny-types-with-federated', 'key-policy-deny-types-without-federated', [
        (['kms:Decrypt'], ('*',), 'federated users of account 111122223333 (if their IAM policies allow it)', (), ['Root']),
        (['kms:Decrypt'], ('*',), 'federated users of account 444455556666', (), [None]),
    ]),
    # Users named by aws:username conditions are probed (ali* -> alix).
    ('username-equals-alice', 'username-like-ali', [
        (['s3:GetObject'], ('*',), None, ('aws:username matches ali*',), [None]),
    ]),
    # A policy variable in an aws:PrincipalArn value stands for any value.
    ('key-policy-principal-arn-alice', 'key-policy-principal-arn-alice-any-account', [
        (['kms:Decrypt'], ('*',), 'arn:aws:iam::999999999999:user/alice', ('aws:PrincipalArn matches arn:aws:iam::${aws:PrincipalAccount}:user/alice',), [None]),
    ]),
    # StringLike's '*' spans ARN fields: a role (or user) with a path.
    ('key-policy-principal-arn-arnlike-app', 'key-policy-principal-arn-stringlike-app', [
        (['kms:Decrypt'], ('*',), 'arn:aws:iam::999999999999:role/xrole/App', ('aws:PrincipalArn matches arn:aws:iam::*role/App',), [None]),
        (['kms:Decrypt'], ('*',), 'arn:aws:iam::999999999999:user/xrole/App', ('aws:PrincipalArn matches arn:aws:iam::*role/App',), [None]),
    ]),
    # Access that starts at a later date is new access (one second after the date).
    ('key-policy-no-partner', 'key-policy-partner-from-2030', [
        (['kms:Decrypt'], ('*',), 'account 444455556666', ('aws:CurrentTime is > 2030-01-01T00:00:00Z',), [None]),
    ]),
    ('key-policy-deny-types-without-federated', 'key-policy-deny-types-with-federated', [
    ]),
    ('username-like-ali', 'username-equals-alice', [
    ]),
    ('key-policy-principal-arn-alice-any-account', 'key-policy-principal-arn-alice', [
    ]),
    ('key-policy-partner-from-2030', 'key-policy-no-partner', [
    ]),
    # Fourth QA pass: a variable's default is used when the tag is absent
    # (probes are asked with and without their principal tags).
    ('var-tag-default-none', 'var-tag-default-common', [
        (['s3:GetObject'], ("arn:aws:s3:::b/${aws:PrincipalTag/team, 'common'}/*",), None, (), [None]),
    ]),
    # Users named by aws:username are probed in every account, not only the policy's.
    ('key-policy-alice-own-account', 'key-policy-alice-any-account', [
        (['kms:Decrypt'], ('*',), 'user alice of account 999999999999', ('aws:username equals alice',), [None]),
    ]),
    # Services named by aws:PrincipalServiceName, and one for aws:PrincipalIsAWSService.
    ('bucket-no-service', 'bucket-service-name-config', [
        (['s3:PutObject'], ('arn:aws:s3:::qa-bucket/*',), 'config.amazonaws.com', ('aws:PrincipalServiceName equals cloudtrail.amazonaws.com or config.amazonaws.com',), [None]),
    ]),
    ('bucket-service-source-account', 'bucket-service-any-source', [
        (['s3:PutObject'], ('arn:aws:s3:::qa-bucket/*',), 'an AWS service principal', ('aws:PrincipalIsAWSService is true',), [None]),
    ]),
    # Providers named by aws:FederatedProvider.
    ('trust-provider-google', 'trust-provider-google-facebook', [
        (['sts:AssumeRoleWithWebIdentity'], ('*',), 'federated graph.facebook.com', ('aws:FederatedProvider equals accounts.google.com or graph.facebook.com',), [None]),
    ]),
    # aws:RequestedRegion of a global service (no Region in the ARN) is sampled.
    ('region-us-east-1-s3', 'region-us-east-1-s3-iam', [
        (['iam:GetUser'], ('*',), None, ('aws:RequestedRegion equals us-east-1',), [None]),
    ]),
    ('var-tag-default-common', 'var-tag-default-none', [
    ]),
    ('key-policy-alice-any-account', 'key-policy-alice-own-account', [
    ]),
    ('bucket-service-name-config', 'bucket-no-service', [
    ]),
    ('bucket-service-any-source', 'bucket-service-source-account', [
    ]),
    ('trust-provider-google-facebook', 'trust-provider-google', [
    ]),
    ('region-us-east-1-s3-iam', 'region-us-east-1-s3', [
    ]),
    # Found by benchmarks/diff.py: values meeting a statement's conditions
    # took a DateLessThan/DateGreaterThan date itself, which does not meet
    # it, so a list widened next to a date window was never seen.
    ("dated-team-ab", "dated-team-abc", [
        (["s3:GetObject"], ("*",), None, ("aws:PrincipalTag/team equals a or b or c",
                                          "aws:CurrentTime is < 2030-01-01T00:00:00Z",
                                          "aws:EpochTime is > 1700000000"), [None]),
    ]),
    ("dated-team-abc", "dated-team-ab", []),
    # Fifth QA pass: aws:FederatedProvider is sampled for role sessions (a
    # role assumed through an OIDC or SAML provider carries it).
    ('key-policy-oidc-provider-one', 'key-policy-oidc-provider-any', [
        (['kms:Decrypt'], ('*',), 'account 444455556666', ('aws:FederatedProvider matches arn:aws:iam::444455556666:oidc-provider/*',), [None]),
    ]),
    # Addresses just outside each CIDR block: the gap between two blocks.
    ('ip-two-blocks-with-gap', 'ip-one-block-no-gap', [
        (['s3:GetObject'], ('*',), None, ('aws:SourceIp is in 10.0.0.0/16',), [None]),
    ]),
    ('deny-ipv6-two-blocks', 'deny-ipv6-one-block', [
        (['s3:GetObject'], ('*',), None, (), [None]),
    ]),
    # A wildcard partition: an identity-based policy also in aws-us-gov.
    ('s3-b-aws-partition', 's3-b-any-partition', [
        (['s3:GetObject'], ('arn:*:s3:::b/*',), None, (), [None]),
    ]),
    # IAM requests always carry aws:RequestedRegion us-east-1 (global endpoint).
    ('iam-create-user-us-east-1', 'iam-create-user', [
    ]),
    # aws:ViaAWSService is in every request (true or false).
    ('via-aws-service-both', 'via-aws-service-none', [
    ]),
    ('key-policy-oidc-provider-any', 'key-policy-oidc-provider-one', [
    ]),
    ('ip-one-block-no-gap', 'ip-two-blocks-with-gap', [
    ]),
    ('deny-ipv6-one-block', 'deny-ipv6-two-blocks', [
    ]),
    ('s3-b-any-partition', 's3-b-aws-partition', [
    ]),
    ('iam-create-user', 'iam-create-user-us-east-1', [
    ]),
    ('via-aws-service-none', 'via-aws-service-both', [
    ]),
    # s3:GetObject on a bucket ARN matches no request (objects are b/KEY):
    # samples are ARNs of the action's resource types...
    ("s3-get-objects-of-b", "s3-get-objects-and-bucket-arn", []),
    # ... and a sample of another shape gets a path rather than being
    # dropped: secret* also names the objects of bucket secretother9.
    ("notresource-secret-prefix", "notresource-secret-bucket", [
        (["s3:GetObject"], ("NotResource arn:aws:s3:::secret, arn:aws:s3:::secret/*",), None, (), [None]),
    ]),
    ("notresource-secret-bucket", "notresource-secret-prefix", []),
    # Sixth QA pass: a multivalued key's mixed values (a listed value with an
    # unlisted one) together with the statement's other keys, and past the
    # Denies that guard it (values that make a Deny's condition false).
    ('tagkeys-forall-tls', 'tagkeys-foranyvalue-tls', [
        (['ec2:CreateTags'], ('*',), None, ('some value of aws:TagKeys equals a or b', 'aws:SecureTransport is true'), [None]),
    ]),
    ('tagkeys-forall-deny-plain-http', 'tagkeys-foranyvalue-deny-plain-http', [
        (['ec2:CreateTags'], ('*',), None, ('some value of aws:TagKeys equals a or b',), [None]),
    ]),
    ('key-policy-grant-operations-forall', 'key-policy-grant-operations-foranyvalue', [
        (['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], ('*',), 'arn:aws:iam::111122223333:role/ExampleRole', ('kms:GrantIsForAWSResource is true', 'some value of kms:GrantOperations equals Decrypt or Encrypt'), ['Allow attachment of persistent resources']),
    ]),
    # ForAnyValue -> ForAllValues: the key absent (ForAllValues holds).
    ('tagkeys-foranyvalue-tls', 'tagkeys-forall-tls', [
        (['ec2:CreateTags'], ('*',), None, ('every value of aws:TagKeys equals a or b', 'aws:SecureTransport is true'), [None]),
    ]),
    ('tagkeys-foranyvalue-deny-plain-http', 'tagkeys-forall-deny-plain-http', [
        (['ec2:CreateTags'], ('*',), None, ('every value of aws:TagKeys equals a or b',), [None]),
    ]),
    ('key-policy-grant-operations-foranyvalue', 'key-policy-grant-operations-forall', [
        (['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], ('*',), 'arn:aws:iam::111122223333:role/ExampleRole', ('kms:GrantIsForAWSResource is true', 'every value of kms:GrantOperations equals Decrypt or Encrypt'), ['Allow attachment of persistent resources']),
    ]),
]


@pytest.mark.parametrize("old,new,expected", NEW_CASES, ids=[f"{o}->{n}" for o, n, _ in NEW_CASES])
def test_pairs_regressions(old, new, expected):
    r = _diff(old, new)
    assert _groups(r) == expected
    assert r.result == ("FAIL" if expected else "PASS")
    assert r.notes == [] and r.gaps == []


def test_placeholder_principal_is_not_compared_and_not_pass():
    # A Terraform placeholder account cannot be built as a caller: noted,
    # and the result is INCOMPLETE (exit 1 with --fail-on-new-access).
    for old, new in (("key-policy-placeholder.tf", "key-policy-root-only.json"),
                     ("key-policy-root-only.json", "key-policy-placeholder.tf")):
        r = diff_policies(read_diff_policy(str(D / old)), read_diff_policy(str(D / new)))
        assert r.groups == [] and r.result == "INCOMPLETE"
        assert r.gaps == ["principal 'arn:aws:iam::${var.partner}:root' (a wildcard or placeholder) cannot be built "
                          "as a caller: its access was not compared"]
    code, out, _ = run_cli("diff", "tests/data/diff/key-policy-root-only.json", "tests/data/diff/key-policy-placeholder.tf",
                           "--fail-on-new-access", cwd=ROOT)
    assert code == 1
    assert "INCOMPLETE: no new access found" in out
    assert "note: not compared: principal 'arn:aws:iam::${var.partner}:root'" in out
    code, out, _ = run_cli("diff", "-f", "json", "tests/data/diff/key-policy-root-only.json",
                           "tests/data/diff/key-policy-placeholder.tf", cwd=ROOT)
    assert code == 0 and json.loads(out)["result"] == "INCOMPLETE"


def test_multivalued_and_case_examples():
    r = _diff("tagkeys-forall", "tagkeys-foranyvalue")
    assert r.groups[0].example_context == {"aws:TagKeys": "a, policylint-matches-none"}
    r = _diff("vpc-equals-s3", "vpc-equals-ignorecase-s3")
    assert r.groups[0].example_context == {"aws:SourceVpc": "VPC-1"}
    r = _diff("userid-not-aida", "userid-not-aidax")
    # The probe user's own unique ID (AIDA...), which AIDA* matches and AIDAX* does not.
    assert r.groups[0].example_context == {"aws:userid": "AIDAC8B6A88896F3EC3B2"}


def test_removed_deny_is_cited_and_kinds_are_named():
    # Fresh-user report: the Deny that no longer applies is cited with its
    # position, and the group says which principals of the account gain.
    r = _diff("key-policy-deny-users", "key-policy-account-only")
    (g,) = r.groups
    assert g.principal == "IAM users of account 111122223333 (if their IAM policies allow it)"
    assert g.principal_kinds == ("IAM user",)
    assert [(ref.sid, ref.line, ref.column) for ref in g.old_denied_by] == [("NoUsers", 2, 119)]
    d = g.as_dict()
    assert d["principal_kinds"] == ["IAM user"]
    assert [x["sid"] for x in d["no_longer_denied_by"]] == ["NoUsers"]
    code, out, _ = run_cli("diff", str(D / "key-policy-deny-users.json"), str(D / "key-policy-account-only.json"),
                           "--fail-on-new-access", cwd=ROOT)
    assert code == 1
    assert (f'      no longer denied by key policy Sid "NoUsers" ({D / "key-policy-deny-users.json"}:2:119)\n') in out
    # An implicit deny in OLD cites nothing.
    assert _diff("key-policy-old", "key-policy-added-principal").groups[0].old_denied_by == ()


def test_values_meeting_a_date_window_are_inside_it():
    r = _diff("dated-team-ab", "dated-team-abc")
    assert r.groups[0].example_context == {"aws:PrincipalTag/team": "c", "aws:CurrentTime": "2029-12-31T23:59:59Z",
                                           "aws:EpochTime": "1700000001"}


def test_the_last_iso_date_is_sampled_without_error():
    # 9999-12-31T23:59:59Z has no second after it (it was an internal error).
    r = _diff("date-last-second", "date-last-second-or-equal")
    assert _groups(r) == [(["s3:GetObject"], ("*",), None,
                           ("aws:CurrentTime is <= 9999-12-31T23:59:59Z",), [None])]
    assert r.groups[0].example_context == {"aws:CurrentTime": "9999-12-31T23:59:59Z"}
