"""Runs every rule case file in ``cases/``: each case is a policy (or raw file
text) with the exact findings one rule must produce on it (none for a
passing case). Every rule has at least one firing and one passing case.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from policylint.check.registry import registry
from policylint.check.runner import LintOptions, lint_paths
from policylint.config import Settings
from policylint.model.policy import PolicyKind

CASES = Path(__file__).parent / "cases"


def _load_cases():
    out = []
    for f in sorted(CASES.glob("PL*.yaml")):
        spec = yaml.safe_load(f.read_text())
        for case in spec["cases"]:
            out.append(pytest.param(spec["rule"], case, id=f"{spec['rule']}-{case['name']}"))
    return out


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_rule_case(code, case, tmp_path):
    name = case.get("filename", "policy.json")
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if "symlink_to" in case:
        target.symlink_to(case["symlink_to"])
    elif "text" in case:
        data = case["text"]
        target.write_bytes(data.encode("latin-1") if case.get("latin1") else data.encode())
    else:
        target.write_text(json.dumps(case["policy"], indent=2))
    kind = PolicyKind(case["kind"]) if "kind" in case else None
    settings = Settings.create(case.get("settings", {}), str(tmp_path))
    result = lint_paths([str(target)], LintOptions(settings=settings, kind=kind))
    got = [f for f in result.findings if f.code == code]
    expected = case.get("expect", [])
    assert len(got) == len(expected), [f.message for f in got]
    for f, exp in zip(got, expected):
        if "pointer" in exp:
            assert f.location.pointer == exp["pointer"]
        if "line" in exp:
            assert f.location.line == exp["line"]
        if "column" in exp:
            assert f.location.column == exp["column"]
        for part in exp.get("contains", []):
            assert part in f.message, f.message
    # No rule crashed on the case.
    assert not [f for f in result.findings if f.code == "PL000"]


def test_every_rule_has_a_firing_and_a_passing_case():
    covered: dict[str, set[str]] = {}
    for f in CASES.glob("PL*.yaml"):
        spec = yaml.safe_load(f.read_text())
        for case in spec["cases"]:
            covered.setdefault(spec["rule"], set()).add("fire" if case.get("expect") else "pass")
    for rule in registry():
        if rule.scope == "run":
            continue  # emitted by the runner: PL000 in tests/test_runner.py, PL001 in tests/test_suppress_baseline.py
        assert covered.get(rule.code) == {"fire", "pass"}, f"{rule.code} needs firing and passing cases"
