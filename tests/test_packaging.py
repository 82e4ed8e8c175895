"""The wheel ships the grammars, and they are found from the installed package."""

from __future__ import annotations

from importlib import metadata

from policylint.parse import grammar_text
from policylint.parse.operators import parse_operator


def test_grammars_are_in_the_installed_distribution():
    files = {str(f) for f in metadata.files("policylint") or ()}
    if not any(f.endswith(".pth") for f in files):  # a regular (non-editable) install
        assert "policylint/grammars/condition_operator.lark" in files


def test_grammar_loads_and_parses():
    assert "ForAllValues" in grammar_text("condition_operator.lark")
    op = parse_operator("ForAnyValue:StringLikeIfExists")
    assert (op.set_qualifier, op.base, op.if_exists, op.family, op.negated) == ("ForAnyValue", "StringLike", True, "String", False)
    assert parse_operator("NotIpAddress").negated and parse_operator("Null").family == "Null"


def test_fast_path_and_grammar_agree_on_every_combination():
    from policylint.parse.operators import BASE_OPERATORS, OperatorError, _parse_with_grammar

    names = []
    for qual in ("", "ForAllValues:", "ForAnyValue:", "ForAnyValues:", "forallvalues:"):
        for base in list(BASE_OPERATORS) + ["StringEqual", "stringEquals", "Nul"]:
            for suffix in ("", "IfExists", "Ifexists"):
                names.append(qual + base + suffix)
    for name in names:
        parse_operator.cache_clear()
        try:
            fast = parse_operator(name)
        except OperatorError:
            fast = None
        try:
            slow = _parse_with_grammar(name)
        except OperatorError:
            slow = None
        assert fast == slow, name
