"""The runner: a crashing rule becomes PL000 and the run goes on."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.check.registry import Registry
from policylint.check.rule import Rule
from policylint.check.runner import LintOptions, lint_paths
from policylint.rules import all_rules

from conftest import FIXTURES


class Exploding(Rule):
    code = "PL999"
    name = "exploding"
    summary = "always crashes"
    severity = Severity.INFO

    def check(self, ctx):
        raise KeyError("boom")


def test_crashing_rule_is_reported_and_others_still_run(monkeypatch):
    reg = Registry(list(all_rules()) + [Exploding])
    monkeypatch.setattr("policylint.check.runner.registry", lambda: reg)
    result = lint_paths([str(FIXTURES / "findings" / "unknown-actions.json")], LintOptions(debug=True))
    crash = [f for f in result.findings if f.code == "PL000"]
    assert len(crash) == 1 and "rule PL999 (exploding) crashed: KeyError: 'boom'" in crash[0].message
    assert {f.code for f in result.findings} >= {"PL200", "PL201", "PL202"}
    assert "KeyError" in result.tracebacks[0]
    assert result.exit_code(Severity.ERROR) == 2


def test_duplicate_codes_are_refused():
    import pytest

    from policylint.check.registry import DuplicateRuleError

    class Twin(Exploding):
        name = "twin"

    with pytest.raises(DuplicateRuleError):
        Registry([Exploding, Twin])
