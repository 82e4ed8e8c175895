"""Suppressions in configuration (with the unused-suppression report, PL001)
and baselines (--write-baseline / --baseline), end to end through the CLI."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, lint_json, run_cli

TYPOS = FIXTURES / "findings" / "unknown-actions.json"


def _project(tmp_path, config: str):
    shutil.copy(TYPOS, tmp_path / "typos.json")
    (tmp_path / "keys").mkdir()
    shutil.copy(TYPOS, tmp_path / "keys" / "other.json")
    # Only the catalog rules, so that the counts below are about them alone.
    (tmp_path / ".policylint.toml").write_text('select = ["PL0", "PL2"]\n' + config)


SUPPRESS = '''
[[suppress]]
code = "PL200"
file = "typos.json"
reason = "the retired service is kept to deny it"

[[suppress]]
code = "PL20"
file = "**/*.json"
sid = "Typos"
pointer = "/Statement/0/Action/1"
reason = "tracked in SEC-1"

[[suppress]]
code = "PL201"
file = "typos.json"
sid = "NoSuchSid"
reason = "stale"

[[suppress]]
code = "PL2"
file = "elsewhere/*.json"
reason = "names no file of this run"
'''


def test_suppressions_silence_by_code_file_sid_and_pointer_and_report_unused(tmp_path):
    _project(tmp_path, SUPPRESS)
    code, report = lint_json(".", cwd=tmp_path)
    got = sorted((f["file"], f["code"], f["pointer"]) for f in report["findings"])
    assert got == [
        (".policylint.toml", "PL001", ""),
        ("keys/other.json", "PL200", "/Statement/0/Action/0"),
        ("keys/other.json", "PL200", "/Statement/1/NotAction/0"),
        ("keys/other.json", "PL201", "/Statement/0/Action/3"),
        ("keys/other.json", "PL202", "/Statement/0/Action/2"),
        ("typos.json", "PL201", "/Statement/0/Action/3"),
        ("typos.json", "PL202", "/Statement/0/Action/2"),
    ]
    unused = [f for f in report["findings"] if f["code"] == "PL001"]
    assert unused[0]["line"] == 15 and unused[0]["severity"] == "warning"
    assert 'suppression #3 (code PL201, Sid "NoSuchSid", file "typos.json") matched no finding' in unused[0]["message"]
    silenced = sorted((s["file"], s["code"], s["suppressed_by"], s["reason"]) for s in report["summary"]["suppressed"])
    assert silenced == [
        ("keys/other.json", "PL201", "configuration #2", "tracked in SEC-1"),
        ("typos.json", "PL200", "configuration #1", "the retired service is kept to deny it"),
        ("typos.json", "PL200", "configuration #1", "the retired service is kept to deny it"),
        ("typos.json", "PL201", "configuration #2", "tracked in SEC-1"),
    ]
    assert code == 1
    code, out, _ = run_cli("lint", ".", cwd=tmp_path)
    assert "; 4 suppressed." in out.splitlines()[-1]


def test_unused_suppression_can_be_ignored_or_made_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    _project(tmp_path / "a", SUPPRESS + '\n[severity]\nPL001 = "error"\n')
    _, report = lint_json(".", cwd=tmp_path / "a")
    assert [f["severity"] for f in report["findings"] if f["code"] == "PL001"] == ["error"]
    (tmp_path / "b").mkdir()
    _project(tmp_path / "b", 'ignore = ["PL001"]\n' + SUPPRESS)
    _, report = lint_json(".", cwd=tmp_path / "b")
    assert [f for f in report["findings"] if f["code"] == "PL001"] == []
    assert len(report["summary"]["suppressed"]) == 4


def test_suppression_needs_a_reason_and_a_real_code(tmp_path):
    _project(tmp_path, '[[suppress]]\ncode = "PL201"\nfile = "*.json"\n')
    code, out, err = run_cli("lint", ".", cwd=tmp_path)
    assert code == 2 and out == ""
    assert "suppress.0.reason: Field required" in err
    (tmp_path / ".policylint.toml").write_text('[[suppress]]\ncode = "kms"\nreason = "x"\n')
    code, _, err = run_cli("lint", ".", cwd=tmp_path)
    assert code == 2 and "'kms' is not a rule code or code prefix" in err
    (tmp_path / ".policylint.toml").write_text('[[suppress]]\ncode = "PL201"\nreason = "x"\nsid = "a"\ncolour = "red"\n')
    code, _, err = run_cli("lint", ".", cwd=tmp_path)
    assert code == 2 and "suppress.0.colour: unknown key" in err


def test_trusted_accounts_must_be_account_ids(tmp_path):
    (tmp_path / ".policylint.toml").write_text('trusted-accounts = ["44445555666"]\n')
    code, _, err = run_cli("lint", str(TYPOS), cwd=tmp_path)
    assert code == 2 and "'44445555666' is not an AWS account ID" in err


def test_baseline_reports_only_new_findings(tmp_path):
    _project(tmp_path, "")
    code, out, err = run_cli("lint", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert code == 0
    assert "wrote 10 finding(s) to the baseline baseline.json" in err
    assert out.splitlines()[-1].endswith("Found 0 errors, 0 warnings, 0 info; 10 in the baseline.")
    doc = json.loads((tmp_path / "baseline.json").read_text())
    assert doc["policylint_baseline"] == 1 and len(doc["findings"]) == 10
    assert doc["findings"][0]["file"] == "keys/other.json"

    # Nothing new: exit 0. The baseline file itself is listed as skipped.
    code, report = lint_json(".", "--baseline", "baseline.json", cwd=tmp_path)
    assert (code, report["findings"], report["summary"]["in_baseline"]) == (0, [], 10)

    # A new typo in one file is reported alone; lines moving does not matter.
    text = (tmp_path / "typos.json").read_text().replace('"KMS:describekey"', '"KMS:describekey", "kms:Sing"')
    (tmp_path / "typos.json").write_text("\n\n" + text)
    code, report = lint_json(".", "--baseline", "./baseline.json", cwd=tmp_path)
    assert code == 1
    assert [(f["file"], f["code"], f["message"]) for f in report["findings"]] == [
        ("typos.json", "PL201", 'Action "kms:Sing": AWS Key Management Service has no action "Sing" (did you mean kms:Sign?)')]

    # A fixed finding leaves a baseline entry that is no longer found.
    (tmp_path / "keys" / "other.json").unlink()
    code, out, _ = run_cli("lint", ".", "--baseline", "baseline.json", cwd=tmp_path)
    assert "; 5 in the baseline (5 baseline entries no longer found)." in out


def test_bad_baselines_are_usage_errors(tmp_path):
    (tmp_path / "b.json").write_text('{"findings": [}')
    code, out, err = run_cli("lint", str(TYPOS), "--baseline", str(tmp_path / "b.json"))
    assert (code, out) == (2, "")
    assert f"--baseline {tmp_path / 'b.json'}:1:15: invalid JSON" in err
    (tmp_path / "b.json").write_text('{"findings": []}')
    code, _, err = run_cli("lint", str(TYPOS), "--baseline", str(tmp_path / "b.json"))
    assert code == 2 and "not a policylint baseline" in err
    code, _, err = run_cli("lint", str(TYPOS), "--baseline", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file (write one with --write-baseline)" in err
    code, _, err = run_cli("lint", str(TYPOS), "--write-baseline", str(tmp_path / "no" / "dir.json"))
    assert code == 2 and "cannot write" in err


def test_a_suppression_code_that_names_no_rule_is_a_configuration_error(tmp_path):
    _project(tmp_path, '[[suppress]]\ncode = "PL999"\nfile = "typos.json"\nreason = "typo"\n')
    code, out, err = run_cli("lint", ".", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert "suppress #1 code: 'PL999' matches no rule (see policylint rules)" in err


def test_baseline_survives_a_statement_inserted_before_statements_with_a_sid(tmp_path):
    _project(tmp_path, "")
    run_cli("lint", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    doc = json.loads((tmp_path / "typos.json").read_text())
    doc["Statement"].insert(0, {"Sid": "New", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    (tmp_path / "typos.json").write_text(json.dumps(doc, indent=4))
    code, report = lint_json(".", "--baseline", "baseline.json", cwd=tmp_path)
    assert (code, report["findings"], report["summary"]["baseline_entries_gone"]) == (0, [], 0)


def test_baseline_entries_of_files_not_read_are_not_counted_as_gone(tmp_path):
    _project(tmp_path, "")
    run_cli("lint", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    code, report = lint_json("keys", "--baseline", "baseline.json", cwd=tmp_path)
    assert (code, report["summary"]["in_baseline"], report["summary"]["baseline_entries_gone"]) == (0, 5, 0)


def test_hostile_or_misleading_configuration_values_are_refused(tmp_path):
    for config, message in (
        ('trusted-accounts = ["999988887777\\n"]', "is not an AWS account ID"),
        ('[[suppress]]\ncode = "PL305\\n"\nreason = "x"', "is not a rule code or code prefix"),
        ('[[suppress]]\ncode = "PL305"\nreason = "\\u200b"', "a suppression needs a reason"),
        ('[[suppress]]\ncode = "PL305"\nreason = "x"\nindex = 0', "unknown key 'index'"),
    ):
        (tmp_path / ".policylint.toml").write_text(config + "\n")
        code, out, err = run_cli("lint", str(TYPOS), cwd=tmp_path)
        assert (code, out) == (2, ""), config
        assert message in err, (config, err)


def test_a_changed_account_is_a_new_finding(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}
    (tmp_path / "key.json").write_text(json.dumps(policy))
    run_cli("lint", "key.json", "--write-baseline", "b.json", cwd=tmp_path)
    (tmp_path / "key.json").write_text(json.dumps(policy).replace("999988887777", "444455556666"))
    code, report = lint_json("key.json", "--baseline", "b.json", cwd=tmp_path)
    assert [f["code"] for f in report["findings"]] == ["PL305"] and "444455556666" in report["findings"][0]["message"]
    assert (code, report["summary"]["baseline_entries_gone"]) == (0, 1)


def test_unreadable_inputs_are_never_baselined(tmp_path):
    (tmp_path / "bad.json").write_text('{"Version": "2012-10-17", "Statement": [')
    code, out, err = run_cli("lint", "bad.json", "--write-baseline", "b.json", cwd=tmp_path)
    assert code == 2 and "wrote 0 finding(s)" in err and "bad.json:1:" in out and "PL102" in out
    code, report = lint_json("bad.json", "--baseline", "b.json", cwd=tmp_path)
    assert code == 2 and [f["code"] for f in report["findings"]] == ["PL102"]
    (tmp_path / "deep.json").write_text('{"policylint_baseline": 1, "findings": [' + "[" * 100_000)
    code, out, err = run_cli("lint", "bad.json", "--baseline", "deep.json", cwd=tmp_path)
    assert (code, out) == (2, "") and "nested too deeply to be a policylint baseline" in err


def test_suppression_globs_stay_inside_the_configuration_folder_and_pointers_follow_rfc_6901(tmp_path):
    for glob in ("/etc/*.json", "../other/*.json", "keys/../../x.json"):
        _project(tmp_path, f'[[suppress]]\ncode = "PL201"\nfile = "{glob}"\nreason = "x"\n')
        code, _, err = run_cli("lint", ".", cwd=tmp_path)
        assert code == 2 and "file globs are relative to the configuration's folder" in err, glob
        shutil.rmtree(tmp_path / "keys")
    # "/" names the key "" (RFC 6901), not the whole file.
    _project(tmp_path, '[[suppress]]\ncode = "PL2"\nfile = "typos.json"\npointer = "/"\nreason = "x"\n')
    _, report = lint_json("typos.json", cwd=tmp_path)
    assert report["summary"]["suppressed"] == [] and [f["code"] for f in report["findings"]][0] == "PL001"
