"""``lint --format sarif``: SARIF 2.1.0 that validates against the OASIS schema, with the
rule table, positioned results, stable fingerprints, suppressions and the invocation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
SAMPLE = ROOT / "docs" / "sample.sarif"
#: The command that writes docs/sample.sarif, run from the repository root.
SAMPLE_ARGS = ("lint", "--format", "sarif", "fixtures/findings/key-policy-risks.json")


def _validate(log: dict) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"the SARIF 2.1.0 schema {SCHEMA} is not present on this machine (../shared/reference)")
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _sarif(*args: str, cwd=ROOT) -> tuple[int, dict]:
    code, out, _ = run_cli("lint", "--format", "sarif", *args, cwd=cwd)
    return code, json.loads(out)


@pytest.fixture(scope="module")
def fixtures_run() -> tuple[int, dict]:
    return _sarif("fixtures/", "--snapshot", "fixtures/snapshot")


def _results(log: dict, file: str) -> list[dict]:
    return [r for r in log["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file]


def _where(r: dict) -> tuple:
    region = r["locations"][0]["physicalLocation"]["region"]
    return r["ruleId"], region["startLine"], region["startColumn"], r["level"]


def test_fixtures_sarif_validates(fixtures_run):
    code, log = fixtures_run
    assert code == 2
    _validate(log)


def test_clean_file_sarif_validates():
    code, log = _sarif("fixtures/clean/key-policy-default-api.json")
    assert code == 0
    _validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"exitCode": 0, "executionSuccessful": True,
                                   "workingDirectory": {"uri": ROOT.as_uri() + "/"}}]


def test_driver_and_rule_table(fixtures_run):
    from policylint.check.registry import registry

    _, log = fixtures_run
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "policylint" and driver["version"] == "0.1.0"
    # No [project.urls] in pyproject.toml: no guessed informationUri / helpUri.
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == registry().codes()
    pl300 = next(r for r in rules if r["id"] == "PL300")
    assert pl300["name"] == "key-policy-public-access"
    assert pl300["shortDescription"]["text"] == registry().get("PL300").summary
    assert pl300["fullDescription"]["text"].startswith(
        "A key policy statement lets every AWS principal use the key.\n\nIn KMS key policies, reports Allow statements")
    assert "helpUri" not in pl300
    assert pl300["defaultConfiguration"] == {"level": "error"}
    assert "### Why it matters" in pl300["help"]["markdown"]
    assert "Why it matters:" in pl300["help"]["text"]
    assert pl300["help"]["text"].endswith(
        "Source: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account")
    # GitHub code scanning takes at most 1,024 characters of each description.
    assert all(len(r["fullDescription"]["text"]) <= 1024 and len(r["shortDescription"]["text"]) <= 1024 for r in rules)
    assert any(r["fullDescription"]["text"].endswith("\u2026") for r in rules)
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert (levels["PL303"], levels["PL302"], levels["PL000"]) == ("note", "warning", "error")


def test_help_uri_points_at_the_rule_heading_when_the_project_has_a_url(monkeypatch):
    from policylint.check.registry import registry
    from policylint.report import sarif

    monkeypatch.setattr(sarif, "DOCS_URL", "https://example.org/p/blob/main/docs/rules.md")
    rules = [sarif.rule_descriptor(r) for r in registry()]
    assert rules[0]["helpUri"].startswith("https://example.org/p/blob/main/docs/rules.md#pl")
    # The anchors exist in docs/rules.md: its headings are "## PLnnn".
    headings = {line[3:].lower() for line in (ROOT / "docs" / "rules.md").read_text().splitlines() if line.startswith("## PL")}
    assert {r["helpUri"].rsplit("#", 1)[1] for r in rules} <= headings


def test_results_have_exact_positions(fixtures_run):
    _, log = fixtures_run
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    risks = _results(log, "fixtures/findings/key-policy-risks.json")
    assert [_where(r) for r in risks] == [
        ("PL300", 15, 28, "error"),
        ("PL302", 24, 17, "warning"),
        ("PL303", 30, 28, "note"),
        ("PL304", 38, 72, "warning"),
        ("PL305", 44, 28, "warning"),
        ("PL306", 53, 19, "warning"),
    ]
    for r in risks:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT"
    assert risks[0]["message"]["text"].startswith('Sid "DecryptThroughS3" allows everyone (Principal "*")')
    assert risks[0]["properties"] == {"pointer": "/Statement/1/Principal/AWS", "sid": "DecryptThroughS3"}
    # A file that cannot be parsed is a result of its rule.
    truncated = _results(log, "fixtures/bad-input/truncated.json")
    assert [_where(r) for r in truncated] == [("PL102", 4, 65, "error")]
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == ROOT.as_uri() + "/"


def test_fingerprints_are_stable_and_match_the_json_report(fixtures_run):
    from conftest import lint_json

    _, first = fixtures_run
    _, second = _sarif("fixtures/", "--snapshot", "fixtures/snapshot")

    def prints(log):
        return [r["partialFingerprints"]["policylintFingerprint/v1"] for r in log["runs"][0]["results"]]

    assert prints(first) == prints(second)
    assert len(set(prints(first))) == len(prints(first))
    _, report = lint_json("fixtures/", "--snapshot", "fixtures/snapshot", cwd=ROOT)
    expected = [f["fingerprint"] for f in report["findings"]] + [f["fingerprint"] for f in report["summary"]["suppressed"]]
    assert prints(first) == expected
    risks = _results(first, "fixtures/findings/key-policy-risks.json")
    pl300 = next(f for f in report["findings"] if f["code"] == "PL300" and f["file"].endswith("key-policy-risks.json"))
    assert risks[0]["partialFingerprints"] == {"policylintFingerprint/v1": pl300["fingerprint"]}


def test_suppressed_finding_carries_its_suppression(fixtures_run):
    _, log = fixtures_run
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    r = suppressed[0]
    assert _where(r) == ("PL303", 33, 20, "note")
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "fixtures/cfn/kms-key-template.yaml"
    assert r["suppressions"] == [{"kind": "inSource",
                                  "justification": "the break-glass admin role also decrypts, reviewed in SEC-42"}]


def test_configuration_suppression_is_external(tmp_path):
    policy = json.loads((ROOT / "fixtures" / "findings" / "key-policy-risks.json").read_text())
    (tmp_path / "key.json").write_text(json.dumps(policy, indent=2))
    (tmp_path / ".policylint.toml").write_text(
        '[[suppress]]\ncode = "PL305"\nfile = "key.json"\nreason = "vendor reviewed in SEC-9"\n')
    code, log = _sarif("key.json", cwd=tmp_path)
    assert code == 1
    _validate(log)
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("PL305", [{"kind": "external", "justification": "vendor reviewed in SEC-9"}])]


def test_invocation_reports_exit_code_skipped_and_missing(fixtures_run):
    _, log = fixtures_run
    inv = log["runs"][0]["invocations"][0]
    assert inv["exitCode"] == 2 and inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    readme = [n for n in notes if n["message"]["text"].startswith("skipped fixtures/README.md")]
    assert readme == [{
        "level": "note",
        "message": {"text": "skipped fixtures/README.md: not a .json, .yaml, .yml or .tf file"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "fixtures/README.md", "uriBaseId": "SRCROOT"}}}],
    }]
    assert any(n["message"]["text"] == "fixtures/cfn/kms-key-template.yaml: /Resources/LegacyPolicy/Properties/"
               "PolicyDocument: Fn::If IsProd: checked with its true branch only" for n in notes)

    code, log = _sarif("fixtures/findings/key-policy-risks.json", "no/such/file.json")
    _validate(log)
    inv = log["runs"][0]["invocations"][0]
    assert code == 2 and inv["exitCode"] == 2 and inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"] == [{"level": "error", "message": {"text": "no/such/file.json: no such file or folder"}}]


def test_exit_code_follows_fail_on():
    code, log = _sarif("fixtures/findings/key-policy-single-admin.json", "--fail-on", "error")
    inv = log["runs"][0]["invocations"][0]
    assert code == 0 and (inv["exitCode"], inv["executionSuccessful"]) == (0, True)


def test_artifact_uris(tmp_path):
    from policylint.report.sarif import artifact_location

    assert artifact_location("a b/k%1.json", cwd=str(tmp_path)) == {"uri": "a%20b/k%251.json", "uriBaseId": "SRCROOT"}
    assert artifact_location(str(tmp_path / "x" / "p.json"), cwd=str(tmp_path)) == {"uri": "x/p.json", "uriBaseId": "SRCROOT"}
    outside = tmp_path.parent / "other.json"
    assert artifact_location(str(outside), cwd=str(tmp_path)) == {"uri": outside.as_uri()}


def test_finding_without_a_file_has_no_location():
    from policylint.check.finding import Finding, Location, Severity
    from policylint.check.runner import LintResult
    from policylint.report.sarif import sarif_log

    f = Finding("PL000", "internal-error", Severity.ERROR, "boom", Location(""))
    log = sarif_log(LintResult(findings=[f]), 2, cwd=str(ROOT))
    _validate(log)
    (result,) = log["runs"][0]["results"]
    assert "locations" not in result and result["ruleIndex"] == 0 and result["partialFingerprints"]


def _normal(log: dict) -> dict:
    """The log without the machine's own folder (``originalUriBaseIds``, ``workingDirectory``)."""
    log = json.loads(json.dumps(log))
    log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] = "file:///SRCROOT/"
    log["runs"][0]["invocations"][0]["workingDirectory"]["uri"] = "file:///SRCROOT/"
    return log


def test_sample_sarif_is_current_and_valid():
    sample = json.loads(SAMPLE.read_text())
    code, out, _ = run_cli(*SAMPLE_ARGS, cwd=ROOT)
    assert code == 1
    assert sample == _normal(json.loads(out)), (
        "regenerate with: python tests/test_sarif.py (writes docs/sample.sarif)")
    _validate(sample)


if __name__ == "__main__":  # regenerate docs/sample.sarif
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    os.chdir(ROOT)
    _, out, _ = run_cli(*SAMPLE_ARGS, cwd=ROOT)
    SAMPLE.write_text(json.dumps(_normal(json.loads(out)), indent=2, ensure_ascii=True) + "\n")
    print(f"wrote {SAMPLE}")
