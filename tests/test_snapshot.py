"""``policylint lint fixtures/ --snapshot fixtures/snapshot`` against the recorded snapshot (findings + exit code).

Regenerate after an intended change with ``pytest tests/test_snapshot.py --update-snapshots``
and review the diff of ``tests/snapshots/fixtures.json``.
"""

from __future__ import annotations

import json

from conftest import ROOT, lint_json

SNAPSHOT = ROOT / "tests" / "snapshots" / "fixtures.json"


def _current() -> dict:
    code, report = lint_json("fixtures", "--snapshot", "fixtures/snapshot", cwd=ROOT)
    findings = sorted(
        ({"file": f["file"], "line": f["line"], "column": f["column"], "code": f["code"], "message": f["message"]} for f in report["findings"]),
        key=lambda d: (d["file"], d["line"] or 0, d["column"] or 0, d["code"], d["message"]),
    )
    s = report["summary"]
    return {
        "exit_code": code,
        "files_read": s["files_read"],
        "policies_checked": s["policies_checked"],
        "files_skipped": s["files_skipped"],
        "findings": findings,
    }


def test_fixtures_snapshot(update_snapshots):
    current = _current()
    if update_snapshots or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(current, indent=2) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected


def test_every_rule_fires_somewhere_in_fixtures():
    from policylint.check.registry import registry

    fired = {f["code"] for f in json.loads(SNAPSHOT.read_text())["findings"]}
    # PL000 is a crash report, PL001 needs a configuration and PL100 an I/O
    # error, PL610 an incomplete snapshot: they are tested elsewhere (test_runner,
    # test_suppress_baseline, test_bad_input, test_snapshot_graph).
    assert {r.code for r in registry()} - fired == {"PL000", "PL001", "PL100", "PL610"}


def test_clean_fixtures_are_clean():
    code, report = lint_json("fixtures/clean", "fixtures/scp", "fixtures/can", cwd=ROOT)
    assert code == 0 and report["findings"] == []
    assert report["summary"]["policies_checked"] == 13
