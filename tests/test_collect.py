"""``policylint collect`` against moto in server mode (no AWS access): the layout
and shapes it writes, the answers over the collected snapshot, read-only calls,
and faults (throttling, eventual consistency, access denied) injected through
botocore's events."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from collect_moto import (ACCOUNT, R1, R2, aws_error, aws_query_error, fill_moto_gaps, request_key, reset, seed,
                          session)
from conftest import ROOT, run_cli

from policylint.collect import (READ_ONLY_OPERATIONS, CollectError, CollectOptions, CollectProblem, ReadOnlyViolation,
                               collect)
from policylint.collect.aws import _Collector

ALL_OPERATIONS = {
    ("sts", "GetCallerIdentity"), ("iam", "GetAccountAuthorizationDetails"),
    ("kms", "ListKeys"), ("kms", "ListAliases"), ("kms", "DescribeKey"), ("kms", "GetKeyPolicy"),
    ("kms", "ListGrants"), ("kms", "ListResourceTags"),
    ("organizations", "DescribeOrganization"), ("organizations", "ListPolicies"),
    ("organizations", "DescribePolicy"), ("organizations", "ListTargetsForPolicy"), ("organizations", "ListParents"),
}


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def account(moto_url):
    reset(moto_url)
    return seed(moto_url)


def _session():
    s = session()
    fill_moto_gaps(s)
    return s


def _run(url, out, sess=None, sleeps=None, **options):
    opts = CollectOptions(out=str(out), regions=options.pop("regions", [R1, R2]), endpoint_url=url, **options)
    lines: list[str] = []
    result = collect(opts, session=sess or _session(), sleep=(sleeps.append if sleeps is not None else lambda s: None),
                     progress=lines.append)
    return result, lines


def _files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def _expected_files(account, scp_id=None) -> set[str]:
    files = {"collection-report.json", f"{ACCOUNT}/iam/get-account-authorization-details.json"}
    for region in (R1, R2):
        files |= {f"{ACCOUNT}/kms/{region}/list-keys.json", f"{ACCOUNT}/kms/{region}/list-aliases.json"}
    for name, kid in account.keys.items():
        for f in ("describe-key", "get-key-policy", "list-grants", "list-resource-tags"):
            files.add(f"{ACCOUNT}/kms/{account.regions[name]}/{kid}/{f}.json")
    files |= {"organizations/describe-organization.json",
              "organizations/list-policies-SERVICE_CONTROL_POLICY.json",
              "organizations/list-policies-RESOURCE_CONTROL_POLICY.json",
              f"organizations/parents/{ACCOUNT}/list-parents.json"}
    for pid in ("p-FullAWSAccess", "p-RCPFullAWSAccess", scp_id):
        if pid:
            files |= {f"organizations/policies/{pid}/describe-policy.json",
                      f"organizations/policies/{pid}/list-targets-for-policy.json"}
    return files


def _scp_id(out: Path) -> str:
    listed = json.loads((out / "organizations/list-policies-SERVICE_CONTROL_POLICY.json").read_text())
    return next(p["Id"] for p in listed["Policies"] if p["Name"] == "DenyKeyDeletion")


def _who_can(out: Path, key_arn: str) -> dict[str, tuple[str, int]]:
    from policylint.evaluate.graph import build_graph
    from policylint.model.snapshot import load_snapshot

    graph = build_graph(load_snapshot([str(out)], progress=False))
    return {pa.principal.split(":", 5)[5]: (pa.status, len(pa.hops)) for pa in graph.who_can("kms:Decrypt", key_arn)}


EXPECTED_APP = {"role/AppRole": ("allowed", 0), "role/BatchRole": ("allowed", 0), "user/ops-bob": ("allowed", 0),
                "user/dev-ann": ("allowed", 1)}
EXPECTED_LEDGER = {"user/carol": ("allowed", 0), "user/key-admin": ("allowed", 1)}
EXPECTED_AUDIT = {"role/AppRole": ("allowed", 0), "user/ops-bob": ("allowed", 0), "user/dev-ann": ("allowed", 1)}


# -- a clean run --------------------------------------------------------------------------


def test_collects_the_documented_layout(moto_url, account, tmp_path):
    out = tmp_path / "snap"
    result, lines = _run(moto_url, out)
    assert result.problems == [] and result.notes == [] and result.exit_code == 0
    assert result.account == ACCOUNT and result.regions == [R1, R2]
    assert result.counts == {"users": 4, "groups": 1, "roles": 2, "managed_policies": 1, "keys": 3, "grants": 1,
                             "aliases": 2, "org_policies": 3}
    assert _files(out) == _expected_files(account, _scp_id(out))
    # Progress: one line per Region and service, and the caller first.
    assert lines == [
        f"caller arn:aws:sts::{ACCOUNT}:user/moto (account {ACCOUNT})",
        "global iam: get-account-authorization-details",
        "global iam: 4 users, 1 groups, 2 roles, 1 managed policies",
        f"{R1} kms: list-keys, list-aliases", f"{R1} kms: 1 keys, 1 grants",
        f"{R2} kms: list-keys, list-aliases", f"{R2} kms: 2 keys, 0 grants",
        "global organizations: describe-organization, list-policies", "global organizations: 3 policies",
    ]


def test_outputs_have_the_cli_shapes(moto_url, account, tmp_path):
    out = tmp_path / "snap"
    _run(moto_url, out)
    folder = out / ACCOUNT / "kms" / R1 / account.keys["app"]
    meta = json.loads((folder / "describe-key.json").read_text())["KeyMetadata"]
    assert meta["Arn"] == account.arns["app"] and meta["KeyManager"] == "CUSTOMER"
    # Timestamps as the AWS CLI v2 prints them (ISO 8601, UTC offset).
    assert meta["CreationDate"].endswith("+00:00") and meta["CreationDate"][10] == "T"
    policy = json.loads((folder / "get-key-policy.json").read_text())
    assert set(policy) == {"Policy", "PolicyName"} and json.loads(policy["Policy"])["Statement"][0]["Sid"] == \
        "EnableIAMUserPermissions"
    grants = json.loads((folder / "list-grants.json").read_text())
    assert [(g["Name"], g["GranteePrincipal"], g["Operations"]) for g in grants["Grants"]] == [
        ("batch-decrypt", f"arn:aws:iam::{ACCOUNT}:role/BatchRole", ["Decrypt"])]
    assert grants["Truncated"] is False and "ResponseMetadata" not in grants
    assert json.loads((folder / "list-resource-tags.json").read_text()) == {
        "Tags": [{"TagKey": "team", "TagValue": "app"}], "Truncated": False}
    auth = json.loads((out / ACCOUNT / "iam/get-account-authorization-details.json").read_text())
    assert auth["IsTruncated"] is False and "Marker" not in auth
    assert sorted(u["UserName"] for u in auth["UserDetailList"]) == ["carol", "dev-ann", "key-admin", "ops-bob"]
    ann = next(u for u in auth["UserDetailList"] if u["UserName"] == "dev-ann")
    assert ann["GroupList"] == ["Developers"] and ann["CreateDate"].endswith("+00:00")
    app_role = next(r for r in auth["RoleDetailList"] if r["RoleName"] == "AppRole")
    assert app_role["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] == "kms:Decrypt"


def test_who_can_over_the_collected_snapshot(moto_url, account, tmp_path):
    out = tmp_path / "snap"
    _run(moto_url, out)
    from policylint.model.snapshot import load_snapshot

    snap = load_snapshot([str(out)], progress=False)
    assert snap.problems == []
    assert snap.keys[account.arns["app"]].aliases == ["alias/app-data"]
    assert snap.keys[account.arns["app"]].tags == {"team": "app"}
    assert sorted(p.name for p in snap.org_policies.values()) == ["DenyKeyDeletion", "FullAWSAccess",
                                                                   "RCPFullAWSAccess"]
    assert _who_can(out, account.arns["app"]) == EXPECTED_APP
    assert _who_can(out, account.arns["ledger"]) == EXPECTED_LEDGER
    assert _who_can(out, account.arns["audit"]) == EXPECTED_AUDIT


# -- read-only by construction --------------------------------------------------------


def test_only_read_operations_are_called(moto_url, account, tmp_path):
    result, _ = _run(moto_url, tmp_path / "snap")
    assert set(result.calls) == ALL_OPERATIONS
    assert ALL_OPERATIONS | {("ec2", "DescribeRegions")} == READ_ONLY_OPERATIONS
    assert all(op.startswith(("List", "Get", "Describe")) for _, op in READ_ONLY_OPERATIONS)


def test_a_write_call_is_refused_before_it_is_sent(moto_url, account, tmp_path):
    collector = _Collector(CollectOptions(out=str(tmp_path / "x"), endpoint_url=moto_url), _session(),
                           lambda s: None, lambda line: None)
    kms = collector._client("kms", R1)
    with pytest.raises(ReadOnlyViolation, match="kms:ScheduleKeyDeletion is not a read-only operation"):
        kms.schedule_key_deletion(KeyId=account.keys["app"])
    with pytest.raises(ReadOnlyViolation, match="iam:DeleteUser"):
        collector._client("iam", R1).delete_user(UserName="carol")
    check = session().client("kms", region_name=R1, endpoint_url=moto_url)
    assert check.describe_key(KeyId=account.keys["app"])["KeyMetadata"]["KeyState"] == "Enabled"
    assert collector.result.calls == []


def test_the_permissions_policy_covers_every_call_and_lints_clean():
    policy = json.loads((ROOT / "docs/collect-policy.json").read_text())
    actions = {a for st in policy["Statement"] for a in ([st["Action"]] if isinstance(st["Action"], str)
                                                          else st["Action"])}
    # sts:GetCallerIdentity needs no permission (STS API Reference, GetCallerIdentity).
    assert actions == {f"{svc}:{op}" for svc, op in READ_ONLY_OPERATIONS if svc != "sts"}
    code, out, _ = run_cli("lint", "--config", "docs/collect-policy.toml", "docs/collect-policy.json", cwd=ROOT)
    assert (code, out) == (0, "Checked 1 policy in 1 file read; 0 skipped. Found 0 errors, 0 warnings, 0 info.\n")


# -- faults ---------------------------------------------------------------------------------


def test_throttling_is_retried_by_botocore_within_bounds(moto_url, account, tmp_path):
    sess = _session()
    seen = []

    def throttle(request=None, **_):
        seen.append(request.url)
        if len(seen) <= 2:
            return aws_error(request, 400, "ThrottlingException", "Rate exceeded")
        return None

    sess.events.register("before-send.kms.ListKeys", throttle)
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, regions=[R1], max_attempts=3)
    assert result.problems == [] and result.exit_code == 0
    assert len(seen) == 3  # two throttled attempts, then the one that went through (us-east-1 only)
    assert result.calls.count(("kms", "ListKeys")) == 1
    assert result.counts["keys"] == 1


def test_throttling_past_the_bound_is_reported_and_the_rest_collected(moto_url, account, tmp_path):
    sess = _session()
    seen = []

    def throttle(request=None, **_):
        if f"/{R2}/kms/" in str(request.headers.get("Authorization", "")):
            seen.append(1)
            return aws_error(request, 400, "ThrottlingException", "Rate exceeded")
        return None

    sess.events.register("before-send.kms.ListAliases", throttle)
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, max_attempts=2)
    assert result.problems == [CollectProblem(
        kind="throttled", service="kms", operation="ListAliases", region=R2, resource="aliases",
        code="ThrottlingException", message="Rate exceeded", attempts=2,
        missing=f"{ACCOUNT}/kms/{R2}/list-aliases.json")]
    assert len(seen) == 2 and result.exit_code == 1 and result.errors_by_kind == {"throttled": 1}
    assert _files(out) == _expected_files(account, _scp_id(out)) - {f"{ACCOUNT}/kms/{R2}/list-aliases.json"}
    # Nothing else is lost: the same answers (aliases only name keys).
    assert _who_can(out, account.arns["ledger"]) == EXPECTED_LEDGER


def test_not_found_on_a_fresh_key_is_retried_with_backoff(moto_url, account, tmp_path):
    sess = _session()
    fresh = account.keys["audit"]
    failures = []

    def not_yet(request=None, **_):
        # First NotFoundException, then KMSInvalidStateException, as KMS may answer while a new key propagates.
        if request_key(request) == fresh and len(failures) < 2:
            failures.append(1)
            if len(failures) == 1:
                return aws_error(request, 400, "NotFoundException", f"Key '{account.arns['audit']}' does not exist")
            return aws_error(request, 400, "KMSInvalidStateException", f"{account.arns['audit']} is pending creation")
        return None

    sess.events.register("before-send.kms.DescribeKey", not_yet)
    sleeps: list[float] = []
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, sleeps=sleeps)
    assert result.problems == [] and sleeps == [1.0, 2.0]
    assert result.calls.count(("kms", "DescribeKey")) == 3 + 2
    assert _files(out) == _expected_files(account, _scp_id(out))
    assert _who_can(out, account.arns["audit"]) == EXPECTED_AUDIT


def test_not_found_that_persists_is_reported_never_dropped(moto_url, account, tmp_path):
    sess = _session()
    gone = account.keys["audit"]

    def never(request=None, **_):
        if request_key(request) == gone:
            return aws_error(request, 400, "NotFoundException", "Key does not exist")
        return None

    sess.events.register("before-send.kms.ListGrants", never)
    sleeps: list[float] = []
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, sleeps=sleeps, consistency_attempts=4, consistency_delay=0.5)
    missing = f"{ACCOUNT}/kms/{R2}/{gone}/list-grants.json"
    assert sleeps == [0.5, 1.0, 2.0]
    assert result.problems == [CollectProblem(
        kind="not-found", service="kms", operation="ListGrants", region=R2, resource=account.arns["audit"],
        code="NotFoundException", message="Key does not exist", attempts=4, missing=missing)]
    assert _files(out) == _expected_files(account, _scp_id(out)) - {missing}
    report = json.loads((out / "collection-report.json").read_text())["PolicylintCollectionReport"]
    assert report["ErrorsByKind"] == {"not-found": 1} and report["Problems"][0]["MissingFile"] == missing

    from policylint.model.snapshot import load_snapshot

    snap = load_snapshot([str(out)], progress=False)
    key = snap.keys[account.arns["audit"]]  # still there, with its policy
    assert key.policy is not None and key.grants_read is False
    assert [(p.file.rsplit("/", 1)[-1], p.severity, p.message) for p in snap.problems] == [
        ("collection-report.json", "error",
         f"collection could not read kms:ListGrants for {account.arns['audit']} ({R2}; not-found: "
         f"NotFoundException after 4 attempts): {missing} is missing from the snapshot, so answers that need it may be wrong"),
        ("describe-key.json", "warning",
         f"key {gone}: no list-grants output in the snapshot; access through grants is not shown"),
    ]


def test_access_denied_on_one_key_policy_loses_nothing_else(moto_url, account, tmp_path):
    sess = _session()
    denied = account.keys["ledger"]
    message = (f"User: arn:aws:sts::{ACCOUNT}:user/moto is not authorized to perform: kms:GetKeyPolicy on resource: "
               f"{account.arns['ledger']} because no resource-based policy allows the kms:GetKeyPolicy action")

    def deny(request=None, **_):
        if request_key(request) == denied:
            return aws_error(request, 400, "AccessDeniedException", message)
        return None

    sess.events.register("before-send.kms.GetKeyPolicy", deny)
    sleeps: list[float] = []
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, sleeps=sleeps)
    missing = f"{ACCOUNT}/kms/{R2}/{denied}/get-key-policy.json"
    assert sleeps == []  # access denied is not retried
    assert result.problems == [CollectProblem(
        kind="access-denied", service="kms", operation="GetKeyPolicy", region=R2, resource=account.arns["ledger"],
        code="AccessDeniedException", message=message, attempts=1, missing=missing)]
    assert _files(out) == _expected_files(account, _scp_id(out)) - {missing}
    assert _who_can(out, account.arns["app"]) == EXPECTED_APP
    assert _who_can(out, account.arns["audit"]) == EXPECTED_AUDIT
    # lint --snapshot reports the unread policy as PL610 (error: answers may be wrong).
    code, stdout, _ = run_cli("lint", "--format", "json", "--snapshot", str(out))
    found = [f for f in json.loads(stdout)["findings"] if f["code"] == "PL610"]
    assert sorted((f["severity"], f["file"].rsplit("/", 1)[-1]) for f in found) == [
        ("error", "collection-report.json"), ("error", "describe-key.json")]
    assert code == 1
    skipped = {r["reason"] for r in json.loads(stdout)["summary"]["files_skipped"]}
    assert {"aws kms list-resource-tags output (key tags, not a policy)",
            "policylint collect's collection report (what was read and what could not be; not a policy)"} <= skipped


def _deny_organizations(sess, operation: str) -> None:
    """Make every Organizations ``operation`` of ``sess`` answer AccessDeniedException,
    as for a caller that may not read the organization."""
    def deny(request=None, **_):
        return aws_error(request, 400, "AccessDeniedException", "You don't have permissions to access this resource.")

    sess.events.register(f"before-send.organizations.{operation}", deny)


def test_organizations_not_readable_is_a_note(moto_url, account, tmp_path):
    sess = _session()

    _deny_organizations(sess, "DescribeOrganization")
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess)
    assert result.problems == [] and result.exit_code == 0
    assert result.notes == ["AWS Organizations cannot be read by the caller (AccessDeniedException): SCPs and RCPs "
                            "were not collected, and answers over this snapshot leave them out"]
    assert not (out / "organizations").exists()

    from policylint.model.snapshot import load_snapshot

    snap = load_snapshot([str(out)], progress=False)
    assert [(p.severity, p.message) for p in snap.problems] == [
        ("warning", "collection note: " + result.notes[0]),
        ("info", "no AWS Organizations outputs: SCPs and RCPs are not considered (an account outside an "
                 "organization has none)"),
    ]


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def aws_env(moto_url, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", R1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    import boto3

    real = boto3.Session

    def patched(*args, **kwargs):
        s = real(*args, **kwargs)
        fill_moto_gaps(s)
        return s

    monkeypatch.setattr(boto3, "Session", patched)


def test_cli_collect_then_who_can(aws_env, account, tmp_path):
    out = tmp_path / "snap"
    code, stdout, stderr = run_cli("collect", "--out", str(out), "--region", R1, "--region", R2,
                                   "--max-attempts", "4", "--retry-mode", "adaptive")
    assert code == 0, stderr
    assert stdout == (f"Collected account {ACCOUNT} (arn:aws:sts::{ACCOUNT}:user/moto) into {out}: 4 users, 1 groups, "
                      f"2 roles, 1 managed policies; 3 keys, 1 grants, 2 aliases in 2 Region(s) ({R1}, {R2}); "
                      "3 SCPs/RCPs.\nEverything listed was read.\n")
    assert f"{R2} kms: 2 keys, 0 grants" in stderr.splitlines()
    report = json.loads((out / "collection-report.json").read_text())["PolicylintCollectionReport"]
    assert report["Retries"] == {"Mode": "adaptive", "MaxAttempts": 4, "ConsistencyAttempts": 5}
    code, stdout, _ = run_cli("who-can", "kms:Decrypt", "alias/app-data", "--snapshot", str(out), "--format", "json")
    assert code == 0
    got = {a["principal"].split(":", 5)[5]: (a["status"], len(a["path"])) for a in json.loads(stdout)["answers"]}
    assert got == EXPECTED_APP


def test_cli_refuses_a_folder_that_is_not_empty(aws_env, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x.json").write_text("{}")
    code, stdout, stderr = run_cli("collect", "--out", str(tmp_path / "old"))
    assert (code, stdout) == (2, "")
    assert stderr == (f"policylint: error: --out {tmp_path / 'old'}: the folder is not empty; give a new or empty "
                      "folder (files of an older snapshot would be read with the new ones)\n")


def test_cli_without_credentials_is_a_usage_error(moto_url, monkeypatch, tmp_path):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    code, stdout, stderr = run_cli("collect", "--out", str(tmp_path / "snap"), "--region", R1)
    assert (code, stdout) == (2, "")
    assert stderr == ("policylint: error: no usable AWS credentials or endpoint (NoCredentialsError: Unable to locate "
                      "credentials); set a profile (--profile) or the AWS_* environment variables\n")
    assert not (tmp_path / "snap").exists()


def test_cli_unknown_profile_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    code, _, stderr = run_cli("collect", "--out", str(tmp_path / "snap"), "--profile", "nope")
    assert code == 2
    assert stderr == "policylint: error: --profile nope: The config profile (nope) could not be found\n"


def test_every_page_is_collected(moto_url, account, tmp_path):
    # moto answers these lists in one page whatever MaxItems or Limit say (a moto gap), so the
    # pages are made here: a before-call handler answers the first page of each list itself,
    # as AWS does (a marker, the truncation flag), and lets the second one through to moto.
    from botocore.awsrequest import AWSResponse

    sess = _session()
    pages = []

    def first_page(model=None, context=None, **_):
        op, region = model.name, context["client_region"]
        if (op, region) in pages:
            return None  # the second page: moto's answer
        pages.append((op, region))
        if op == "GetAccountAuthorizationDetails":
            body = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": [],
                    "IsTruncated": True, "Marker": "page-2"}
        else:
            body = {"Keys": [], "Truncated": True, "NextMarker": "page-2"}
        return AWSResponse(None, 200, {}, None), body

    sess.events.register("before-call.iam.GetAccountAuthorizationDetails", first_page)
    sess.events.register("before-call.kms.ListKeys", first_page)
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess)
    assert pages == [("GetAccountAuthorizationDetails", R1), ("ListKeys", R1), ("ListKeys", R2)]
    assert [result.calls.count(("iam", "GetAccountAuthorizationDetails")), result.calls.count(("kms", "ListKeys"))] \
        == [2, 4]
    assert result.problems == []
    assert result.counts == {"users": 4, "groups": 1, "roles": 2, "managed_policies": 1, "keys": 3, "grants": 1,
                             "aliases": 2, "org_policies": 3}
    assert _files(out) == _expected_files(account, _scp_id(out))
    keys = json.loads((out / ACCOUNT / "kms" / R2 / "list-keys.json").read_text())
    assert sorted(k["KeyId"] for k in keys["Keys"]) == sorted([account.keys["ledger"], account.keys["audit"]])
    assert keys["Truncated"] is False and "NextMarker" not in keys
    assert _who_can(out, account.arns["app"]) == EXPECTED_APP


def test_readme_shows_the_permissions_policy_as_committed():
    text = (ROOT / "README.md").read_text()
    section = text.split("### Collect a snapshot from an account", 1)[1].split("\n### ", 1)[0]
    shown = section.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(shown) == json.loads((ROOT / "docs/collect-policy.json").read_text())


def test_regions_all_reads_every_enabled_region(moto_url, account, tmp_path):
    # The Regions enabled for the account come from ec2:DescribeRegions (moto lists every
    # Region; the answer here is the account's two).
    from botocore.awsrequest import AWSResponse

    sess = _session()

    def enabled(**_):
        return AWSResponse(None, 200, {}, None), {"Regions": [{"RegionName": R2}, {"RegionName": R1}]}

    sess.events.register("before-call.ec2.DescribeRegions", enabled)
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess, regions=["all"])
    assert result.regions == [R2, R1] and result.problems == []  # sorted
    assert ("ec2", "DescribeRegions") in result.calls
    assert result.counts["keys"] == 3
    assert _files(out) == _expected_files(account, _scp_id(out))


def test_cli_without_a_region_is_a_usage_error(aws_env, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    code, stdout, stderr = run_cli("collect", "--out", str(tmp_path / "snap"))
    assert (code, stdout) == (2, "")
    assert stderr == ("policylint: error: no Region to read KMS keys in: give --region REGION (repeatable) or "
                      "--regions all, or set a Region in the profile\n")
    code, _, stderr = run_cli("collect", "--out", str(tmp_path / "snap"), "--regions", "some")
    assert (code, stderr) == (2, "policylint: error: --regions 'some': the only value is 'all' (name single Regions "
                                 "with --region)\n")


def test_access_denied_on_a_whole_api_is_recorded_and_the_rest_collected(moto_url, account, tmp_path):
    sess = _session()
    message = f"User: arn:aws:sts::{ACCOUNT}:user/moto is not authorized to perform: iam:GetAccountAuthorizationDetails"

    def deny(request=None, **_):
        return aws_query_error(request, 403, "AccessDenied", message)

    sess.events.register("before-send.iam.GetAccountAuthorizationDetails", deny)
    out = tmp_path / "snap"
    result, _ = _run(moto_url, out, sess)
    missing = f"{ACCOUNT}/iam/get-account-authorization-details.json"
    assert result.problems == [CollectProblem(
        kind="access-denied", service="iam", operation="GetAccountAuthorizationDetails", region="global",
        resource="account", code="AccessDenied", message=message, attempts=1, missing=missing)]
    assert result.exit_code == 1 and result.counts["keys"] == 3 and result.counts["users"] == 0
    assert _files(out) == _expected_files(account, _scp_id(out)) - {missing}
    # The principals come from the IAM export: without it who-can knows nobody, and the
    # snapshot says why rather than answering as if the account had no users.
    assert _who_can(out, account.arns["ledger"]) == {}
    from policylint.model.snapshot import load_snapshot

    snap = load_snapshot([str(out)], progress=False)
    assert [(p.severity, p.message) for p in snap.problems] == [
        ("error", "collection could not read iam:GetAccountAuthorizationDetails for account (global; access-denied: "
                  f"AccessDenied): {missing} is missing from the snapshot, so answers that need it may be wrong")]
    assert sorted(k.key_id for k in snap.keys.values()) == sorted(account.keys.values())


def test_rejected_credentials_stop_before_anything_is_written(moto_url, account, tmp_path):
    sess = _session()

    def reject(request=None, **_):
        return aws_query_error(request, 403, "InvalidClientTokenId",
                               "The security token included in the request is invalid.")

    sess.events.register("before-send.sts.GetCallerIdentity", reject)
    with pytest.raises(CollectError) as err:
        _run(moto_url, tmp_path / "snap", sess)
    assert str(err.value) == ("the credentials do not work (sts GetCallerIdentity: InvalidClientTokenId: The security "
                              "token included in the request is invalid.)")
    assert not (tmp_path / "snap").exists()


def test_member_account_that_may_not_list_policies_gets_notes(moto_url, account, tmp_path):
    sess = _session()

    _deny_organizations(sess, "ListPolicies")
    out = tmp_path / "snap"
    result, lines = _run(moto_url, out, sess)
    assert result.problems == [] and result.exit_code == 0 and result.counts["org_policies"] == 0
    assert result.notes == [
        f"{kind} cannot be listed by the caller (AccessDeniedException; only the management account or a delegated "
        f"administrator may): {kind} were not collected, and answers over this snapshot leave them out"
        for kind in ("SCPs", "RCPs")]
    assert lines[-3:] == ["global organizations: describe-organization, list-policies",
                          "  note: " + result.notes[0], "  note: " + result.notes[1]]
    assert not (out / "organizations").exists()
    assert _who_can(out, account.arns["app"]) == EXPECTED_APP


def test_cli_invalid_endpoint_url_is_a_usage_error(monkeypatch, tmp_path):
    # Before: "policylint: internal error: ValueError: Invalid endpoint: notaurl (a policylint bug; ...)".
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "notaurl")
    code, stdout, stderr = run_cli("collect", "--out", str(tmp_path / "snap"), "--region", R1)
    assert (code, stdout) == (2, "")
    assert stderr == ("policylint: error: invalid endpoint URL 'notaurl' (AWS_ENDPOINT_URL); give a full URL such as "
                      "https://kms.us-east-1.amazonaws.com or http://localhost:5000, or unset it\n")
    assert not (tmp_path / "snap").exists()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "sts-nope")
    code, _, stderr = run_cli("collect", "--out", str(tmp_path / "snap"), "--region", R1)
    assert code == 2 and stderr.startswith("policylint: error: invalid endpoint URL 'sts-nope' (AWS_ENDPOINT_URL_STS);")
