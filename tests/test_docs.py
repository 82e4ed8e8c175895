"""docs/rules.md is generated from the registry and must be current."""

from __future__ import annotations

from policylint.check.registry import registry
from policylint.report.rules import render_rules

from conftest import ROOT


def test_rules_md_is_current():
    expected = render_rules(list(registry()), "md")
    current = (ROOT / "docs" / "rules.md").read_text()
    assert current == expected, "regenerate with: policylint rules --format md > docs/rules.md"


def test_every_rule_documents_the_four_sections():
    for rule in registry():
        doc = rule.documentation()
        for section in ("What it does:", "Why it matters:", "Example:", "Instead:"):
            assert section in doc, f"{rule.code} lacks {section}"
