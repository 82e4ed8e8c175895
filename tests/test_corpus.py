"""The real-world corpus in ../shared/corpus: every file read, no crash, true findings only.

Skipped, with the reason, on machines without the shared corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.check.finding import Severity
from policylint.check.runner import LintOptions, lint_paths
from policylint.config import Settings

from conftest import corpus_dir

# Findings on AWS's own managed policies that are expected: each is a true
# problem (see docs/managed-policy-findings.md). Anything else is a false
# positive and a bug.
ALLOWED_ON_MANAGED = {
    "PL200", "PL201", "PL204",  # retired services, unpublished actions and keys
    "PL401", "PL402", "PL403", "PL404", "PL405", "PL406",  # broad by design (full-access and service-role policies)
    "PL501", "PL505", "PL506", "PL508",  # hygiene: single-valued ForAllValues, redundancy, size, empty Region
    "PL600", "PL601", "PL602",  # console gaps
}


@pytest.mark.parametrize("folder", ["aws-managed-policies-plain", "aws-managed-policies-raw-mamip"])
def test_managed_policies_every_file_read_and_checked(folder):
    path = corpus_dir(folder)
    n = sum(1 for p in path.rglob("*.json"))
    result = lint_paths([str(path)])
    assert n == 1523
    assert result.files_read == n and result.policies_checked == n
    assert all(f.status == "checked" for f in result.files)
    codes = set(result.counts_by_code())
    assert codes <= ALLOWED_ON_MANAGED, codes - ALLOWED_ON_MANAGED
    # No grammar problem at all in AWS-published policies.
    assert not [f for f in result.findings if f.code.startswith("PL1")]


def test_managed_policies_known_true_findings():
    path = corpus_dir("aws-managed-policies-plain")
    files = {name: str(path / f"{name}.json") for name in (
        "AWSKeyManagementServicePowerUser", "ReadOnlyAccess", "AdministratorAccess", "SecurityAudit",
        "AWSCodeStarFullAccess", "AmazonLaunchWizardFullaccess",
    )}
    result = lint_paths(list(files.values()))
    by_file: dict[str, list] = {}
    for f in result.findings:
        by_file.setdefault(f.location.file, []).append(f)
    power = by_file[files["AWSKeyManagementServicePowerUser"]]
    assert [f.code for f in power] == ["PL600"] and "tag:GetResources" in power[0].message
    assert "iam:ListUsers" not in power[0].message
    # The AWS read-only job policies meet the console minimum (ReadOnlyAccess
    # still lists actions of retired services, which PL200 reports).
    for clean in ("ReadOnlyAccess", "AdministratorAccess", "SecurityAudit"):
        assert not [f for f in by_file.get(files[clean], []) if f.code.startswith("PL6")]
    # AdministratorAccess: "*" on "*" manages every resource's permissions
    # (PL404, info) and decrypts with every key (PL406); nothing else.
    assert sorted(f.code for f in by_file[files["AdministratorAccess"]]) == ["PL404", "PL406"]
    codestar = by_file[files["AWSCodeStarFullAccess"]]
    assert any(f.code == "PL200" and '"codestar"' in f.message for f in codestar)
    launch = {f.message.split('"')[1] for f in by_file[files["AmazonLaunchWizardFullaccess"]] if f.code == "PL201"}
    assert {"s3:ListBuckets", "s3:ListObjects", "s3:ListObjectsV2"} <= launch


def test_kms_developer_guide_default_key_policies_are_clean():
    # The KMS Developer Guide shows the default key policy statement by
    # statement; each is checked as a one-statement key policy.
    path = corpus_dir("aws-docs-kms-developer-guide-examples")
    files = sorted(str(p) for p in path.glob("key-policy-default__*.json"))
    result = lint_paths(files)
    parsed = [f for f in result.files if f.status == "checked"]
    assert len(parsed) >= 7
    # key-policy-default__03.json is two statements separated by a comma,
    # which is not JSON on its own: the only finding allowed.
    assert [(f.code, f.location.file.rsplit("/", 1)[-1]) for f in result.findings] == [("PL102", "key-policy-default__03.json")]


@pytest.mark.parametrize(
    "folder",
    [
        "aws-docs-iam-user-guide-examples",
        "aws-docs-kms-developer-guide-examples",
        "aws-managed-policies",
        "cfn-aws-cloudformation-templates",
        "cfn-tf-aws-sra-examples",
        "cfn-tf-iac-model-evaluation",
        "scp-rcp-data-perimeter-policy-examples",
        "scp-service-control-policy-examples",
        "synthetic-account",
        "tf-terraform-aws-kms",
    ],
)
def test_every_corpus_folder_runs_without_crash(folder):
    path = corpus_dir(folder)
    result = lint_paths([str(path)])
    assert not [f for f in result.findings if f.code == "PL000"]
    accounted = len(result.files) + sum(1 for p, r in result.skipped if not r.startswith("hidden"))
    assert accounted == sum(1 for p in path.rglob("*") if p.is_file())


def test_scp_folder_names_make_scps():
    path = corpus_dir("scp-rcp-data-perimeter-policy-examples")
    result = lint_paths([str(path)])
    assert not [f for f in result.findings if f.code in ("PL119", "PL120")]


def test_synthetic_account_console_findings():
    path = corpus_dir("synthetic-account")
    result = lint_paths([str(path)])
    pl600 = {f.location.policy: f.message for f in result.findings if f.code == "PL600"}
    carol = pl600["user/carol-kms-operator inline policy carol-kms-ops"]
    assert "iam:ListUsers" in carol and "iam:ListRoles" in carol and "tag:GetResources" in carol
    assert "tag:GetResources" in pl600["managed policy AWSKeyManagementServicePowerUser v2"]
    assert "iam:ListUsers" in pl600["managed policy KMSAuditRead v1"]
    # The documented console policy (KMSConsoleUsers group) passes.
    assert not any("KMSConsoleUsers" in (p or "") for p in pl600)
    # AppKeyUsage's non-default v1 (kms:* on *) is reported as not checked, not linted.
    notes = [n for f in result.files for n in f.notes]
    assert any("AppKeyUsage version v1" in n for n in notes)


def test_kms_developer_guide_findings():
    # Every error and warning on the KMS Developer Guide's examples, as
    # justified in docs/kms-guide-findings.md; infos are not listed there.
    path = corpus_dir("aws-docs-kms-developer-guide-examples")
    result = lint_paths([str(path)])
    got = sorted((f.location.file.rsplit("/", 1)[-1].removesuffix(".json"), f.code)
                 for f in result.findings if f.severity >= Severity.WARNING)
    assert got == [
        ("alias-access__10", "PL102"), ("aws-managed-policies__01", "PL600"),
        ("conditions-kms__11", "PL102"), ("conditions-kms__23", "PL304"), ("conditions-kms__33", "PL301"),
        ("conditions-kms__42", "PL304"), ("customer-managed-policies__04", "PL406"),
        ("customer-managed-policies__05", "PL406"), ("infrastructure-security__01", "PL301"),
        ("key-policy-default__03", "PL102"), ("key-policy-overview__01", "PL301"),
        ("key-policy-overview__02", "PL305"), ("key-policy-overview__02", "PL305"),
        ("key-policy-services__02", "PL301"), ("kms-vpc-endpoint__01", "PL115"),
        ("kms-vpc-endpoint__02", "PL115"), ("kms-vpc-endpoint__03", "PL115"),
        ("policy-evaluation__02", "PL305"),
    ]
    docs = (Path(__file__).resolve().parents[1] / "docs" / "kms-guide-findings.md").read_text()
    for name, code in got:
        assert name in docs and code in docs
    # Trusting the other accounts silences the cross-account findings.
    trusted = Settings.create({"trusted-accounts": ["444455556666", "111122223333"]}, str(path))
    result = lint_paths([str(path)], LintOptions(settings=trusted))
    assert not [f for f in result.findings if f.code == "PL305"]
