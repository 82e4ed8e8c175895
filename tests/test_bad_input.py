"""Hostile and broken input, each beside a good file in one run: positioned
findings, exit code 2, no traceback, and the good file still reported."""

from __future__ import annotations

import json

from conftest import lint_json, run_cli

GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrpyt", "Resource": "*"}]}


def make_bad_inputs(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps(GOOD, indent=2))
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "truncated.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",')
    (tmp_path / "binary.json").write_bytes(bytes(range(256)) * 8)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    statements = [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::bucket-{i}/*"}
        for i in range(185_000)
    ]
    big = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert len(big) > 20_000_000
    (tmp_path / "big.json").write_text(big)
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "dupes.json").write_text('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}')
    (tmp_path / "statement-number.json").write_text('{"Version": "2012-10-17", "Statement": 42}')
    (tmp_path / "action-object.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": {"s3": "*"}, "Resource": "*"}]}'
    )


def test_bad_inputs_in_one_run(tmp_path):
    make_bad_inputs(tmp_path)
    code, report = lint_json(str(tmp_path))
    assert code == 2
    got = {(f["file"].rsplit("/", 1)[-1], f["code"], f["line"] is not None) for f in report["findings"]}
    assert got >= {
        ("good.json", "PL201", True),
        ("empty.json", "PL102", True),
        ("truncated.json", "PL102", True),
        ("binary.json", "PL101", True),
        ("bomb.yaml", "PL104", True),
        ("deep.json", "PL104", True),
        ("dupes.json", "PL103", True),
        ("statement-number.json", "PL110", True),
        ("action-object.json", "PL110", True),
    }
    s = report["summary"]
    assert s["files_read"] == 10
    assert s["policies_checked"] == 5  # good, big, dupes, statement-number, action-object
    assert {f["file"].rsplit("/", 1)[-1] for f in s["files_failed"]} == {
        "empty.json", "truncated.json", "binary.json", "bomb.yaml", "deep.json"
    }
    assert not [f for f in report["findings"] if f["code"] == "PL000"]


def test_text_output_has_no_traceback(tmp_path):
    make_bad_inputs(tmp_path)
    code, out, err = run_cli("lint", str(tmp_path))
    assert code == 2 and "Traceback" not in out + err
    assert "good.json:6:17: error PL201" in out
