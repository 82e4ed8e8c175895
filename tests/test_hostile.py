"""Regression tests for hostile and odd input found by adversarial testing:
no traceback, nothing dropped silently, the right exit code and positions."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from policylint.check.runner import lint_paths
from policylint.load.reader import read_file

from conftest import lint_json, run_cli

GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}]}


def write(path, obj):
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def test_lone_surrogates_and_control_characters_do_not_crash(tmp_path):
    f = write(tmp_path / "s.json", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:\\udc00\\u001b[2J\\u202e","Resource":"*"}]}')
    exe = os.path.join(os.path.dirname(sys.executable), "policylint")
    for fmt in ("text", "json"):
        proc = subprocess.run([exe, "lint", "-f", fmt, f], capture_output=True)
        assert proc.returncode == 1 and b"Traceback" not in proc.stderr
        assert b"\x1b" not in proc.stdout
        if fmt == "text":  # JSON may carry any character; a terminal must not get raw controls
            assert "\u202e".encode() not in proc.stdout
    text = subprocess.run([exe, "lint", f], capture_output=True).stdout.decode()
    assert '\\udc00\\x1b[2J\\u202e' in text
    report = json.loads(subprocess.run([exe, "lint", "-f", "json", f], capture_output=True).stdout)
    assert len(report["findings"][0]["fingerprint"]) == 32


def test_long_values_are_clipped_in_messages(tmp_path):
    f = write(tmp_path / "long.json", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:" + "X" * 5000, "Resource": "*"}]})
    (finding,) = lint_paths([f]).findings
    assert finding.code == "PL201" and len(finding.message) < 300 and "\u2026" in finding.message


def test_authorization_details_with_wrong_types_are_noted_not_crashed(tmp_path):
    for bad in (
        {"UserDetailList": 5},
        {"UserDetailList": [{"UserName": "u", "UserPolicyList": 5}, None, "s"]},
        {"GroupDetailList": [{"GroupPolicyList": True}]},
        {"Policies": [{"PolicyName": ["x"], "PolicyVersionList": 5}], "IsTruncated": False},
        {"Policies": [{"PolicyName": "P", "PolicyVersionList": [{"Document": GOOD, "VersionId": "v1", "IsDefaultVersion": "true"}]}], "IsTruncated": False},
    ):
        result = lint_paths([write(tmp_path / "a.json", bad)])
        assert not [f for f in result.findings if f.code == "PL000"], bad
        summary = result.files[0]
        assert summary.notes or summary.policies, bad
    # The string "true" marks the default version too.
    assert result.policies_checked == 1


def test_organizations_summary_of_wrong_types(tmp_path):
    for summary in (["x"], {"Type": ["x"]}):
        result = lint_paths([write(tmp_path / "o.json", {"Policy": {"Content": "{}", "PolicySummary": summary}})])
        assert result.files[0].status == "skipped" and not result.findings


def test_documents_of_the_wrong_type_are_findings(tmp_path):
    for doc in ({"PolicyVersion": {"Document": 42}}, {"Role": {"AssumeRolePolicyDocument": None}}, {"PolicyDocument": [1], "PolicyName": "x"}):
        code, report = lint_json(write(tmp_path / "w.json", doc))
        assert code == 1 and [f["code"] for f in report["findings"]] == ["PL110"], doc
        assert report["findings"][0]["line"] is not None


def test_misspelled_statement_is_checked_not_skipped(tmp_path):
    code, report = lint_json(write(tmp_path / "m.json", {"Version": "2012-10-17", "Statment": [GOOD["Statement"][0]]}))
    assert code == 1 and {f["code"] for f in report["findings"]} == {"PL111", "PL113"}
    y = tmp_path / "m.yaml"
    y.write_text("version: '2012-10-17'\nstatement: []\n")
    code, report = lint_json(str(y))
    assert code == 1 and report["summary"]["policies_checked"] == 1


def test_lists_with_one_bad_element(tmp_path):
    code, report = lint_json(write(tmp_path / "l.json", [{"Effect": "Allow", "Action": "s3:Frob", "Resource": "*"}, 5]))
    codes = [f["code"] for f in report["findings"]]
    assert "PL201" in codes and "PL110" in codes
    code, report = lint_json(write(tmp_path / "p.json", [GOOD, None]))
    assert report["summary"]["policies_checked"] == 1 and report["summary"]["notes"]


def test_embedded_policy_strings_get_duplicate_and_constant_checks(tmp_path):
    inner = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Action":"kms:Decrpyt","Resource":"*"}]}'
    code, report = lint_json(write(tmp_path / "k.json", {"PolicyName": "default", "Policy": inner}))
    dup = [f for f in report["findings"] if f["code"] == "PL103"]
    assert len(dup) == 1 and dup[0]["line"] == 1 and "in the policy string at /Policy" in dup[0]["message"]
    inner = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":NaN}]}'
    code, report = lint_json(write(tmp_path / "n.json", {"PolicyName": "default", "Policy": inner}))
    assert code == 2 and report["findings"][0]["code"] == "PL102"


def test_json_error_positions_and_messages(tmp_path):
    loaded = read_file(write(tmp_path / "inf.json", '{"Version": "2012-10-17",\n "Statement": -Infinity}'))
    assert (loaded.problems[0].line, loaded.problems[0].column) == (2, 15)
    loaded = read_file(write(tmp_path / "str.json", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allo'))
    assert "never closed" in loaded.problems[0].message and loaded.problems[0].column == 52


def test_utf16_without_bom(tmp_path):
    p = tmp_path / "u.json"
    p.write_bytes(json.dumps(GOOD).encode("utf-16-le"))
    assert len(read_file(str(p)).policies) == 1


def test_ignored_input_errors_still_exit_2(tmp_path):
    write(tmp_path / "t.json", '{"Version": ')
    write(tmp_path / "good.json", GOOD)
    (tmp_path / "c.toml").write_text('ignore = ["PL1"]\n')
    code, report = lint_json("--config", str(tmp_path / "c.toml"), str(tmp_path / "t.json"), str(tmp_path / "good.json"))
    assert code == 2 and report["findings"] == [] and len(report["summary"]["files_failed"]) == 1


def test_special_files_and_links(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    write(d / "good.json", GOOD)
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "pipe.json")
    os.symlink("/dev/zero", d / "zero.json")
    real = tmp_path / "a" / "real"
    real.mkdir(parents=True)
    write(real / "inner.json", GOOD)
    os.symlink(real, d / "link")
    os.symlink(d / "good.json", d / "again.json")
    os.symlink(d, d / "loop")
    result = lint_paths([str(d)])
    # good.json and its link again.json are one file: whichever is met first is read.
    names = sorted(os.path.basename(f.path) for f in result.files)
    assert len(names) == 2 and names[1] == "inner.json" and names[0] in ("again.json", "good.json")
    reasons = {os.path.basename(p): r for p, r in result.skipped}
    assert reasons["zero.json"] == "a device, not read"
    assert reasons["loop"].startswith("folder already walked")
    if hasattr(os, "mkfifo"):
        assert reasons["pipe.json"] == "a FIFO, not read"


def test_bad_configuration_files(tmp_path):
    cases = {
        b"\xff\xfe not utf-8": "not UTF-8",
        b"[tool]\npolicylint = 5\n": "'tool.policylint' must be a table",
        b'tool = "policylint"\n': "'tool' must be a table",
        b'select = "PL2"\n': 'must be a list, such as ["PL2"]',
        b'[severity]\nPL999 = "error"\n': "'PL999' matches no rule",
        b'root = "/"\n': "root: unknown key",
    }
    for content, message in cases.items():
        cfg = tmp_path / "x.toml"
        cfg.write_bytes(content)
        code, out, err = run_cli("lint", "--config", str(cfg), write(tmp_path / "g.json", GOOD))
        assert code == 2 and message in err, (content, err)
    py = tmp_path / "pyproject.toml"
    py.write_text("[tool]\npolicylint = 5\n")
    code, _, err = run_cli("lint", "g.json", cwd=tmp_path)
    assert code == 2 and "must be a table" in err


def test_empty_yaml_is_skipped_and_empty_folder_noted(tmp_path):
    (tmp_path / "c.yaml").write_text("# nothing here\n")
    code, report = lint_json(str(tmp_path / "c.yaml"))
    assert code == 0 and "holds no document" in report["summary"]["files_skipped"][0]["reason"]
    empty = tmp_path / "empty"
    empty.mkdir()
    exe = os.path.join(os.path.dirname(sys.executable), "policylint")
    proc = subprocess.run([exe, "lint", str(empty)], capture_output=True, text=True)
    assert proc.returncode == 0 and "no policy files were found" in proc.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parallel_and_serial_runs_agree(tmp_path, jobs):
    for i in range(210):
        write(tmp_path / f"p{i:03}.json", GOOD if i % 7 else '{"Version": ')
    code, report = lint_json("--jobs", jobs, str(tmp_path))
    assert code == 2 and report["summary"]["files_read"] == 210
    assert len(report["summary"]["files_failed"]) == 30


def test_safe_escapes_separators_zero_width_and_bidi_marks():
    from policylint.report.text import safe

    assert safe("a\u2028b\u200bc\ufeffd\u061ce\u2066f") == "a\\u2028b\\u200bc\\ufeffd\\u061ce\\u2066f"
    assert safe("kms:Decrypt é ü") == "kms:Decrypt é ü"
