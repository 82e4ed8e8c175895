"""Account snapshots: loading, the principal graph, can / who-can / what-can,
per-principal console minimums. Expected answers: fixtures/snapshot-expected.md
and ../shared/corpus/SOURCES.md (synthetic-account)."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, corpus_dir, run_cli

from policylint.evaluate.graph import build_graph
from policylint.model.snapshot import load_snapshot

SNAP = FIXTURES / "snapshot"
ACCT = "arn:aws:iam::123456789012:"
KEY_A = "arn:aws:kms:us-east-1:123456789012:key/5f3a9c2e-8b41-4d7a-a6e0-2c9d1b7f4e83"
KEY_B = "arn:aws:kms:us-east-1:123456789012:key/c81e4b07-2d5f-4a93-9b6c-7e0a3f5d2b14"


@pytest.fixture(scope="module")
def graph():
    return build_graph(load_snapshot([str(SNAP)]))


def test_loader_reads_every_piece():
    snap = load_snapshot([str(SNAP)])
    assert len(snap.users) == 6 and len(snap.groups) == 1 and len(snap.roles) == 9
    assert set(snap.keys) == {KEY_A, KEY_B}
    assert snap.keys[KEY_A].aliases == ["alias/app-data"] and len(snap.keys[KEY_A].grants) == 3
    assert snap.management_account == "999999999999"
    assert snap.org_levels("123456789012") == ["r-ab12", "ou-ab12-workload1", "123456789012"]
    assert {p.name for p in snap.org_policies.values()} == {"FullAWSAccess", "DenyKeyDeletion"}
    # KeyUse: the default version v2 is used, never the non-default v1 ("*" on "*").
    key_use = snap.policies[ACCT + "policy/KeyUse"]
    assert key_use.default_version == "v2" and "UseAccountKeys" in json.dumps(key_use.policy.document)
    assert snap.problems == []


@pytest.mark.parametrize("who, action, resource, status, hops", [
    ("user/dev-ann", "kms:Decrypt", KEY_A, "allowed", ["role/HopOne", "role/HopTwo", "role/app/KeyUserRole"]),
    ("user/dev-ann", "kms:Encrypt", KEY_B, "allowed", ["role/HopOne", "role/HopTwo", "role/app/KeyUserRole"]),
    ("role/app/KeyUserRole", "kms:Decrypt", KEY_A, "allowed", []),
    ("role/app/KeyUserRole", "kms:ScheduleKeyDeletion", KEY_A, "explicit-deny", []),  # the SCP
    ("role/app/KeyUserRole", "s3:ListAllMyBuckets", "*", "implicit-deny", []),  # KeyUse v1 ("*") is not in force
    ("user/ops-bob", "kms:Encrypt", KEY_A, "allowed-if", ["role/MfaRole"]),
    ("user/intern-cy", "kms:Decrypt", KEY_A, "implicit-deny", []),  # the boundary blocks the first hop
    ("user/intern-cy", "sts:AssumeRole", ACCT + "role/HopOne", "implicit-deny", []),
    ("user/admin-dee", "kms:Decrypt", KEY_A, "allowed", []),
    ("user/admin-dee", "kms:ScheduleKeyDeletion", KEY_A, "allowed", ["role/BreakGlassRole"]),  # SCP exempts it
    ("role/BreakGlassRole", "kms:ScheduleKeyDeletion", KEY_B, "implicit-deny", []),
    ("role/BatchRole", "kms:Decrypt", KEY_A, "allowed", []),
    ("role/BatchRole", "kms:Encrypt", KEY_A, "implicit-deny", []),
    ("role/PipelineRole", "kms:Decrypt", KEY_A, "allowed-if", []),
    ("role/DownstreamRole", "kms:Decrypt", KEY_A, "allowed-if", []),
    ("role/DownstreamRole", "kms:GenerateDataKey", KEY_A, "implicit-deny", []),
    ("role/app/KeyUserRole", "kms:Encrypt", KEY_B, "allowed", []),
    ("role/app/KeyUserRole", "kms:Decrypt", KEY_B, "implicit-deny", []),
    ("user/viewer-eve", "kms:Decrypt", KEY_A, "implicit-deny", []),
    ("user/op-frank", "kms:Decrypt", KEY_B, "implicit-deny", []),
])
def test_can_over_the_fixture_snapshot(graph, who, action, resource, status, hops):
    (answer,) = graph.can(ACCT + who, action, resource)
    assert answer.status == status
    assert [h.target.split(":", 5)[5] for h in answer.hops if h.kind == "can-assume"] == hops


def test_scp_explicit_deny_is_the_direct_answer(graph):
    direct = graph.evaluator.decide(ACCT + "user/admin-dee", "kms:ScheduleKeyDeletion", KEY_A)
    assert direct.status == "explicit-deny"
    assert any("DenyKeyDeletion" in s for s in direct.statements)


def test_key_policy_not_trusting_the_account_ignores_iam(graph):
    direct = graph.evaluator.decide(ACCT + "user/admin-dee", "kms:Decrypt", KEY_B)
    assert direct.status == "implicit-deny"
    # ... but admin-dee can become KeyBAdmin, which can rewrite key B's policy: an escalation path.
    (answer,) = graph.can(ACCT + "user/admin-dee", "kms:Decrypt", KEY_B)
    assert answer.status == "allowed" and answer.via_escalation
    assert [h.target for h in answer.hops] == [ACCT + "role/KeyBAdmin", KEY_B]
    assert "kms:PutKeyPolicy" in answer.hops[-1].label


def test_trust_condition_stays_on_the_edge(graph):
    edges = [d for _, t, d in graph.graph.out_edges(ACCT + "user/ops-bob", data=True) if t == ACCT + "role/MfaRole"]
    assert [(d["kind"], d["conditions"]) for d in edges] == [("can-assume", ["aws:MultiFactorAuthPresent is true"])]
    (answer,) = graph.can(ACCT + "user/ops-bob", "kms:Encrypt", KEY_A)
    assert answer.conditions == ("aws:MultiFactorAuthPresent is true",)


def test_boundary_blocks_the_hop(graph):
    assert not [t for _, t, d in graph.graph.out_edges(ACCT + "user/intern-cy", data=True) if d["kind"] == "can-assume"]


def test_grants_are_edges_and_pass_on(graph):
    grants = {(s.split(":", 5)[5], d["passes_on"], tuple(d["conditions"]))
              for s, t, d in graph.graph.in_edges(KEY_A, data=True) if d["kind"] == "grant"}
    assert grants == {
        ("role/BatchRole", False, ()),
        ("role/PipelineRole", True, ("the encryption context includes project=pipeline",)),
        ("role/DownstreamRole", False, ("the encryption context includes project=pipeline",)),
    }


def test_who_can_decrypt_key_a(graph):
    got = {pa.principal.split(":", 5)[5]: (pa.status, len(pa.hops)) for pa in graph.who_can("kms:Decrypt", KEY_A)}
    assert got == {
        "role/BatchRole": ("allowed", 0), "role/BreakGlassRole": ("allowed", 0),
        "role/DownstreamRole": ("allowed-if", 0), "role/PipelineRole": ("allowed-if", 0),
        "role/app/KeyUserRole": ("allowed", 0), "user/admin-dee": ("allowed", 0), "user/op-frank": ("allowed", 0),
        "role/HopTwo": ("allowed", 1), "role/HopOne": ("allowed", 2), "user/dev-ann": ("allowed", 3),
    }


def test_all_paths_lists_more_than_the_shortest(graph):
    answers = graph.can(ACCT + "user/admin-dee", "kms:ScheduleKeyDeletion", KEY_A, all_paths=True)
    assert answers[0].status == "explicit-deny" and not answers[0].hops
    assert any([h.target for h in a.hops] == [ACCT + "role/BreakGlassRole"] for a in answers[1:])


def test_cli_can_who_can_what_can_on_the_fixture():
    code, out, _ = run_cli("can", "user/dev-ann do kms:Decrypt on alias/app-data", "--snapshot", str(SNAP))
    assert code == 0 and "user/dev-ann: ALLOWED (through 3 hop(s))" in out
    assert "3. role/HopTwo -> role/app/KeyUserRole: sts:AssumeRole" in out
    assert 'Sid "AssumeHopOne" (' in out and "get-account-authorization-details.json:" in out
    code, out, _ = run_cli("can", "--principal", "user/intern-cy", "--action", "kms:Decrypt", "--resource",
                           "alias/app-data", "--snapshot", str(SNAP), "-f", "json")
    assert code == 1 and json.loads(out)["answers"][0]["status"] == "implicit-deny"
    code, out, _ = run_cli("who-can", "kms:Decrypt", "alias/app-data", "--snapshot", str(SNAP), "-f", "json")
    assert code == 0
    assert {a["principal"].rsplit("/", 1)[-1] for a in json.loads(out)["answers"]} >= {"dev-ann", "BatchRole", "PipelineRole"}
    code, out, _ = run_cli("what-can", "role/PipelineRole", "--snapshot", str(SNAP), "-f", "json")
    got = json.loads(out)["resources"][KEY_A]
    assert {(a["action"], a["status"]) for a in got} >= {("kms:Decrypt", "allowed-if"), ("kms:GenerateDataKey", "allowed-if")}
    assert "kms:Encrypt" not in {a["action"] for a in got}
    code, _, err = run_cli("can", "user/nobody do kms:Decrypt on alias/app-data", "--snapshot", str(SNAP))
    assert code == 2 and "the snapshot has no user named 'nobody'" in err


def test_lint_snapshot_console_minimums_per_principal():
    code, out, _ = run_cli("lint", "--snapshot", str(SNAP), "-f", "json")
    report = json.loads(out)
    flagged = {f["policy"] for f in report["findings"] if f["code"] == "PL603"}
    assert "user/op-frank" in flagged and "user/viewer-eve" not in flagged and "user/admin-dee" not in flagged
    frank = next(f for f in report["findings"] if f["code"] == "PL603" and f["policy"] == "user/op-frank")
    assert "iam:ListUsers" in frank["message"] and "iam:ListRoles" in frank["message"]
    assert "tag:GetResources" not in frank["message"] and frank["line"] == 157


def test_missing_pieces_are_findings(tmp_path):
    auth = json.loads((SNAP / "123456789012/iam/get-account-authorization-details.json").read_text())
    auth["IsTruncated"] = True
    auth["Policies"] = [p for p in auth["Policies"] if p["PolicyName"] != "InternBoundary"]
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam/get-account-authorization-details.json").write_text(json.dumps(auth, indent=2))
    kdir = tmp_path / "kms/us-east-1/5f3a9c2e-8b41-4d7a-a6e0-2c9d1b7f4e83"
    kdir.mkdir(parents=True)
    (kdir / "describe-key.json").write_text((SNAP / "123456789012/kms/us-east-1/5f3a9c2e-8b41-4d7a-a6e0-2c9d1b7f4e83/describe-key.json").read_text())
    (kdir / "list-grants.json").write_text('{"Grants": [], "Truncated": true}')
    (tmp_path / "broken.json").write_text('{"Keys": [')
    snap = load_snapshot([str(tmp_path)])
    messages = [p.message for p in snap.problems]
    assert any("IsTruncated is true" in m for m in messages)
    assert any("permissions boundary arn:aws:iam::123456789012:policy/InternBoundary is not in" in m for m in messages)
    assert any("no get-key-policy output" in m for m in messages)
    assert any("list-grants output is truncated" in m for m in messages)
    broken = next(p for p in snap.problems if p.file.endswith("broken.json"))
    assert broken.severity == "error" and broken.line == 1
    # A missing boundary allows nothing rather than being ignored.
    g = build_graph(snap)
    assert g.evaluator.decide(ACCT + "user/intern-cy", "s3:GetObject", "arn:aws:s3:::b/k").status == "implicit-deny"
    code, out, _ = run_cli("lint", "--snapshot", str(tmp_path), "-f", "json")
    assert code == 2 or code == 1
    assert sum(f["code"] == "PL610" for f in json.loads(out)["findings"]) == len(snap.problems)


# -- the shared synthetic account (expected answers in its SOURCES.md) ----------

SYN = "arn:aws:iam::111122223333:"
APP_DATA = "arn:aws:kms:us-east-1:111122223333:key/0b7c9a1e-4d2f-4a6b-9e3c-5f1d2a8b7c60"
PAYMENTS = "arn:aws:kms:us-east-1:111122223333:key/7d6c5b4a-3f2e-4d1c-9b8a-0f1e2d3c4b5a"


@pytest.fixture(scope="module")
def synthetic():
    return build_graph(load_snapshot([str(corpus_dir("synthetic-account"))]))


def test_synthetic_account_traps(synthetic):
    ev = synthetic.evaluator
    carol = SYN + "user/carol-kms-operator"
    assert ev.decide(carol, "kms:Decrypt", APP_DATA).status == "allowed"
    # payments-restricted does not trust the account: only the grant, with its encryption context.
    a = ev.decide(carol, "kms:Decrypt", PAYMENTS)
    assert a.status == "allowed-if" and a.conditions == ("the encryption context is exactly app=invoice-processor",)
    assert ev.decide(carol, "kms:Decrypt", PAYMENTS, {"kms:EncryptionContext:app": ["invoice-processor"]}).status == "allowed"
    # AppKeyUsage's non-default v1 (kms:* on *) is ignored.
    assert ev.decide(SYN + "user/erin-app-dev", "kms:ScheduleKeyDeletion", APP_DATA).status != "allowed"
    # LambdaProcessorRole: access comes from the key policy statement naming the role (path included).
    lam = ev.decide(SYN + "role/service-role/LambdaProcessorRole", "kms:Decrypt", PAYMENTS)
    assert lam.status == "allowed-if" and "InvoiceProcessorDecrypt" in " ".join(lam.statements)


def test_synthetic_account_console_minimums_match_sources():
    code, out, _ = run_cli("lint", "--snapshot", str(corpus_dir("synthetic-account")), "-f", "json")
    flagged = {f["policy"]: f["message"] for f in json.loads(out)["findings"] if f["code"] == "PL603"}
    for ok in ("user/alice-admin", "user/bob-console-viewer", "user/frank-auditor", "role/KMSAdminRole",
               "role/BreakGlassRole", "role/app/AppServerRole", "role/service-role/LambdaProcessorRole"):
        assert ok not in flagged, ok
    assert all(a in flagged["user/carol-kms-operator"] for a in ("iam:ListUsers", "iam:ListRoles", "tag:GetResources"))
    assert "tag:GetResources" in flagged["user/dave-key-admin"] and "iam:ListUsers" not in flagged["user/dave-key-admin"]
    assert "not allowed by the permissions boundary" in flagged["user/grace-contractor"]
    assert "iam:ListRoles (explicitly denied" in flagged["user/heidi-analyst"]
    assert "iam:ListUsers" in flagged["role/CrossAccountAuditRole"]
    assert "role/DataEngineerRole" in flagged and "user/erin-app-dev" in flagged


def test_synthetic_account_who_can_and_what_can(synthetic):
    got = {pa.principal.split(":", 5)[5]: pa.status for pa in synthetic.who_can("kms:Decrypt", PAYMENTS)}
    assert got["user/carol-kms-operator"] == "allowed-if"
    assert got["role/service-role/LambdaProcessorRole"] == "allowed-if"
    assert "role/KMSAdminRole" not in got or got["role/KMSAdminRole"] in ("allowed", "allowed-if")
    found = synthetic.what_can(SYN + "user/carol-kms-operator")
    assert {a.action for a in found[APP_DATA]} >= {"kms:Decrypt", "kms:Encrypt"}


# -- regressions from the fresh-user review -------------------------------------

def test_context_decides_the_conditions_of_hops():
    q = "user/ops-bob do kms:Encrypt on alias/app-data"
    code, out, _ = run_cli("can", q, "--snapshot", str(SNAP), "--context", "aws:MultiFactorAuthPresent=false")
    assert code == 1 and "user/ops-bob: DENIED (implicit deny)" in out
    code, out, _ = run_cli("can", q, "--snapshot", str(SNAP), "--context", "aws:MultiFactorAuthPresent=true")
    assert code == 0 and "user/ops-bob: ALLOWED (through 1 hop(s))" in out and "ALLOWED IF" not in out


def test_strict_gives_no_conditional_answers():
    code, out, _ = run_cli("can", "role/PipelineRole do kms:Decrypt on alias/app-data", "--strict", "--snapshot", str(SNAP))
    assert code == 1 and "DENIED (implicit deny)" in out
    code, out, _ = run_cli("can", "user/ops-bob do kms:Encrypt on alias/app-data", "--strict", "--snapshot", str(SNAP))
    assert code == 1


def test_all_paths_does_not_contradict_itself():
    code, out, _ = run_cli("can", "user/admin-dee do kms:Decrypt on alias/ledger", "--snapshot", str(SNAP), "--all-paths")
    assert code == 0 and "no path of the graph leads to access" not in out
    assert "user/admin-dee: ALLOWED (by privilege escalation" in out


def test_create_grant_through_a_constrained_grant_is_conditional(graph):
    (answer,) = graph.can(ACCT + "role/PipelineRole", "kms:CreateGrant", KEY_A)
    assert answer.status == "allowed-if"
    assert answer.conditions == ("the new grant's operations are among Decrypt, GenerateDataKey, CreateGrant and its "
                                 "encryption-context constraint requires at least project=pipeline",)


def test_what_can_follows_role_chains(graph):
    found = graph.what_can(ACCT + "user/dev-ann")
    decrypt = next(a for a in found[KEY_A] if a.action == "kms:Decrypt")
    assert decrypt.via == (ACCT + "role/HopOne", ACCT + "role/HopTwo", ACCT + "role/app/KeyUserRole")
    assert {a.action for a in found[KEY_B]} == {"kms:DescribeKey", "kms:Encrypt"}


def test_snapshot_questions_note_typos_and_group_wildcards():
    code, out, err = run_cli("who-can", "kms:Decrpyt", "alias/app-data", "--snapshot", str(SNAP))
    assert "kms:Decrpyt is not in the Service Authorization Reference (did you mean kms:Decrypt?)" in err
    code, out, _ = run_cli("who-can", "kms:*", "alias/ledger", "--snapshot", str(SNAP))
    assert "kms:ConnectCustomKeyStore" not in out and "kms:ScheduleKeyDeletion" not in out
    assert "role/app/KeyUserRole: ALLOWED (directly): kms:DescribeKey, kms:Encrypt" in out
    code, _, err = run_cli("graph", "--snapshot", str(SNAP), "--resource", "role/HopTwo")
    assert code == 2 and "give a KMS key of the snapshot" in err


# -- regressions from the adversarial review ------------------------------------

def _copy(tmp_path):
    import shutil

    dst = tmp_path / "snap"
    shutil.copytree(SNAP, dst)
    return dst


def _auth(dst):
    path = dst / "123456789012/iam/get-account-authorization-details.json"
    return path, json.loads(path.read_text())


def test_an_unreadable_boundary_allows_nothing(tmp_path):
    dst = _copy(tmp_path)
    path, auth = _auth(dst)
    cy = next(u for u in auth["UserDetailList"] if u["UserName"] == "intern-cy")
    cy["PermissionsBoundary"] = "arn:aws:iam::123456789012:policy/InternBoundary"  # a string, not an object
    cy["AttachedManagedPolicies"] = [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]
    path.write_text(json.dumps(auth, indent=4))
    snap = load_snapshot([str(dst)])
    assert any("PermissionsBoundary is not an object" in p.message and p.severity == "error" for p in snap.problems)
    g = build_graph(snap)
    assert g.evaluator.decide(ACCT + "user/intern-cy", "kms:Decrypt", KEY_A).status == "implicit-deny"


def test_an_unreadable_scp_denies_rather_than_vanishes(tmp_path):
    dst = _copy(tmp_path)
    path = dst / "organizations/policies/p-denykmsdel1/describe-policy.json"
    doc = json.loads(path.read_text())
    doc["Policy"]["Content"] = "[]"
    path.write_text(json.dumps(doc, indent=4))
    snap = load_snapshot([str(dst)])
    assert any("taken as denying everything" in p.message for p in snap.problems)
    g = build_graph(snap)
    assert g.evaluator.decide(ACCT + "user/admin-dee", "kms:ScheduleKeyDeletion", KEY_A).status == "explicit-deny"


def test_one_bad_inline_policy_does_not_drop_the_export(tmp_path):
    dst = _copy(tmp_path)
    path, auth = _auth(dst)
    bob = next(u for u in auth["UserDetailList"] if u["UserName"] == "ops-bob")
    bob["UserPolicyList"][0]["PolicyDocument"] = "%7Bnot json"
    path.write_text(json.dumps(auth, indent=4))
    snap = load_snapshot([str(dst)])
    assert len(snap.users) == 6 and len(snap.roles) == 9
    assert any(p.severity == "error" and p.file.endswith("get-account-authorization-details.json") for p in snap.problems)


def test_two_default_versions_use_default_version_id(tmp_path):
    dst = _copy(tmp_path)
    path, auth = _auth(dst)
    key_use = next(p for p in auth["Policies"] if p["PolicyName"] == "KeyUse")
    for v in key_use["PolicyVersionList"]:
        v["IsDefaultVersion"] = True
    path.write_text(json.dumps(auth, indent=4))
    snap = load_snapshot([str(dst)])
    assert snap.policies[ACCT + "policy/KeyUse"].default_version == "v2"
    assert any("versions claim to be the default" in p.message for p in snap.problems)


def test_names_and_arns_outside_the_snapshot_are_refused():
    code, _, err = run_cli("can", f"{ACCT}user/dev-annn do kms:Decrypt on alias/app-data", "--snapshot", str(SNAP))
    assert code == 2 and "has no user named 'dev-annn'" in err
    code, _, err = run_cli("who-can", "kms:Decrypt", "arn:aws:kms:us-west-2:123456789012:alias/app-data",
                           "--snapshot", str(SNAP))
    assert code == 2 and "no such key in account 123456789012, Region us-west-2" in err
    code, _, err = run_cli("who-can", "kms:CreateKey", "alias/app-data", "--snapshot", str(SNAP))
    assert code == 2 and 'kms:CreateKey does not act on a KMS key: it acts on no particular resource' in err
    # A role session is answered as its role.
    code, out, _ = run_cli("can", "arn:aws:sts::123456789012:assumed-role/KeyUserRole/s do kms:Decrypt on alias/app-data",
                           "--snapshot", str(SNAP))
    assert code == 0 and "role/app/KeyUserRole: ALLOWED (directly)" in out


def test_who_can_lists_service_principals_of_a_trust_policy(graph):
    got = {pa.principal: pa.status for pa in graph.who_can("sts:AssumeRole", ACCT + "role/BatchRole")}
    assert got == {"lambda.amazonaws.com": "allowed"}


def test_two_accounts_and_a_cross_account_role_chain(tmp_path):
    """Account 123456789012 (the fixture) and a second account 210987654321
    whose role PartnerReader trusts the first account; dev-ann's group is
    allowed to assume it. Both sides must allow (IAM User Guide,
    *Cross-account policy evaluation logic*)."""
    dst = _copy(tmp_path)
    other = dst / "210987654321/iam"
    other.mkdir(parents=True)
    reader = {
        "Path": "/", "RoleName": "PartnerReader", "RoleId": "AROAEXAMPLEPARTNER01",
        "Arn": "arn:aws:iam::210987654321:role/PartnerReader", "CreateDate": "2025-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]},
        "InstanceProfileList": [], "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
        "AttachedManagedPolicies": [], "Tags": [],
    }
    (other / "get-account-authorization-details.json").write_text(json.dumps(
        {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [reader], "Policies": [], "IsTruncated": False},
        indent=4))
    path, auth = _auth(dst)
    devs = next(g for g in auth["GroupDetailList"] if g["GroupName"] == "Developers")
    devs["GroupPolicyList"][0]["PolicyDocument"]["Statement"].append(
        {"Sid": "AssumePartner", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::210987654321:role/PartnerReader"})
    path.write_text(json.dumps(auth, indent=4))
    snap = load_snapshot([str(dst)])
    assert sorted(snap.accounts) == ["123456789012", "210987654321"]
    # 210987654321 is not placed in the organization: its SCPs are unknown, and that is said.
    assert any("account 210987654321 is not placed in the organization" in p.message for p in snap.problems)
    g = build_graph(snap)
    partner = "arn:aws:iam::210987654321:role/PartnerReader"
    (answer,) = g.can(ACCT + "user/dev-ann", "s3:GetObject", "arn:aws:s3:::reports/q3.csv")
    assert answer.status == "allowed" and [h.target for h in answer.hops] == [partner]
    # ops-bob's own policies do not allow it: the trust of the account alone is not enough.
    assert g.evaluator.decide(ACCT + "user/ops-bob", "sts:AssumeRole", partner).status == "implicit-deny"


def test_allowed_if_hops_cite_every_statement_they_need(graph):
    (answer,) = graph.can(ACCT + "user/ops-bob", "kms:Encrypt", KEY_A)
    (hop,) = answer.hops
    assert any("role/MfaRole trust policy" in s for s in hop.statements)
    assert any('Sid "AssumeMfaRole"' in s for s in hop.statements)


def test_a_worker_process_builds_the_same_graph():
    """build_graph(jobs=2) finds the escalation edges in a forked worker: the
    graph (edges, their order and data) must be the one of a single process."""
    def edges(g):
        return [(u, v, d) for u, v, d in g.graph.edges(data=True)]

    one = build_graph(load_snapshot([str(SNAP)]), jobs=1)
    two = build_graph(load_snapshot([str(SNAP)]), jobs=2)
    assert len(edges(one)) == 26
    assert edges(two) == edges(one)


def test_a_policy_variable_in_resource_names_the_callers_own_user(tmp_path):
    """Regression: ``user/${aws:username}`` was matched as literal text when
    looking for escalation candidates, so a user allowed to write its own
    policies (the usual self-service statement) had no escalation edge."""
    dst = _copy(tmp_path)
    path, auth = _auth(dst)
    eve = next(u for u in auth["UserDetailList"] if u["UserName"] == "viewer-eve")
    eve.setdefault("UserPolicyList", []).append({"PolicyName": "self-service", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Sid": "OwnPolicies", "Effect": "Allow", "Action": "iam:PutUserPolicy",
                                                "Resource": "arn:aws:iam::123456789012:user/${aws:username}"}]}})
    path.write_text(json.dumps(auth, indent=4))
    g = build_graph(load_snapshot([str(dst)]))
    eve_arn = ACCT + "user/viewer-eve"
    assert [(d["label"], d["gains"]) for _, t, d in g.graph.out_edges(eve_arn, data=True)
            if d["kind"] == "escalation" and t == eve_arn] == [("iam:PutUserPolicy", "any")]
    (answer,) = g.can(eve_arn, "kms:Decrypt", KEY_A)
    assert answer.status == "allowed" and answer.via_escalation
    # Another user's ARN is not covered: no edge from eve to ops-bob.
    assert not g.graph.has_edge(eve_arn, ACCT + "user/ops-bob")


def test_resource_naming_decides_who_who_can_skips(graph):
    """who_can asks the evaluator only about callers that the resource's
    policy or grants name, or whose own Allow statements may match; the
    rest are implicitly denied without asking."""
    from policylint.evaluate.candidates import resource_naming

    named, anyone = resource_naming(graph.evaluator, KEY_A)
    grantees = {gr.grantee_principal for gr in graph.snapshot.keys[KEY_A].grants}
    assert {g for g in grantees if g in graph.snapshot.roles or g in graph.snapshot.users} <= named
    assert anyone is False
    b_grantees = {gr.grantee_principal for gr in graph.snapshot.keys[KEY_B].grants}
    assert resource_naming(graph.evaluator, KEY_B) == (
        frozenset({ACCT + "role/KeyBAdmin", ACCT + "role/app/KeyUserRole"} | b_grantees), False)
    # Asking everyone gives the same answers as the pre-filtered question.
    asked = {pa.principal for pa in graph.who_can("kms:Decrypt", KEY_A) if not pa.hops}
    every = {who for who in graph.evaluator.callers() if graph.evaluator.decide(who, "kms:Decrypt", KEY_A).possible}
    assert every <= asked


def test_resource_naming_keeps_principals_it_cannot_place(tmp_path):
    """A key policy statement naming a session ARN of the account, or using
    NotPrincipal, may allow callers the filter cannot list: who_can then
    asks about every caller."""
    from policylint.evaluate.candidates import resource_naming
    from policylint.evaluate.snapshot import SnapshotEvaluator

    dst = _copy(tmp_path)
    policy_files = sorted(dst.glob("123456789012/kms/*/*/get-key-policy.json"))
    for i, path in enumerate(policy_files):
        out = json.loads(path.read_text())
        doc = json.loads(out["Policy"])
        principal = ({"AWS": "arn:aws:sts::123456789012:assumed-role/HopOne/ann"} if i == 0 else None)
        extra = {"Sid": "Odd", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
        if principal:
            extra["Principal"] = principal
        else:
            extra["NotPrincipal"] = {"AWS": "arn:aws:iam::123456789012:user/intern-cy"}
        doc["Statement"].append(extra)
        out["Policy"] = json.dumps(doc)
        path.write_text(json.dumps(out, indent=4))
    ev = SnapshotEvaluator(load_snapshot([str(dst)]))
    assert [resource_naming(ev, k)[1] for k in sorted(ev.snap.keys)] == [True, True]
    # A role ARN of another account, or an account, is not a caller of this snapshot.
    assert resource_naming(ev, ACCT + "role/HopOne")[1] is False


def test_a_missing_snapshot_folder_is_a_missing_path_not_also_pl610(tmp_path):
    """Regression: ``lint --snapshot NOPE`` reported the folder three times (a
    missing path, PL610 "no such file or folder" and PL610 "no IAM principals
    or KMS keys found"). It is a missing path (exit 2), once."""
    code, out, err = run_cli("lint", "--snapshot", str(tmp_path / "nope"), str(SNAP / "123456789012" / "kms"),
                             "--format", "json")
    doc = json.loads(out)
    assert code == 2
    assert doc["summary"]["missing_paths"] == [str(tmp_path / "nope")]
    assert [f for f in doc["findings"] if f["code"] == "PL610"] == []
    assert err.count("no such file or folder") == 1
