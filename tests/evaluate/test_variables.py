"""Policy variables: IAM User Guide, *IAM policy elements: Variables and tags*."""

from __future__ import annotations

import pytest

from policylint.evaluate.variables import Unresolved, compile_template, has_variables
from policylint.wildcard import escape

CTX = {"aws:username": ("alice",), "aws:principaltag/team": ("data",), "aws:tagkeys": ("a", "b")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("home/${aws:username}/*", "home/alice/*"),
        ("${aws:PrincipalTag/team}-${aws:username}", "data-alice"),
        ("shared/${aws:PrincipalTag/project, 'general'}/", "shared/general/"),
        ("shared/${aws:PrincipalTag/team, 'general'}/", "shared/data/"),
        ("literal ${*} ${?} ${$}", "literal * ? $"),
        ("no variables", "no variables"),
        ("unclosed ${aws:username", "unclosed ${aws:username"),
    ],
)
def test_resolve(text, expected):
    assert compile_template(text).resolve(CTX) == expected


def test_escape_makes_substituted_wildcards_literal():
    t = compile_template("home/${aws:username}/${*}")
    resolved = t.resolve({"aws:username": ("a*b",)}, escape)
    assert resolved == escape("a*b").join(["home/", "/"]) + escape("*")


def test_missing_and_multivalued_keys_do_not_resolve():
    with pytest.raises(Unresolved) as e:
        compile_template("home/${aws:userid}/").resolve(CTX)
    assert e.value.key == "aws:userid"
    with pytest.raises(Unresolved):
        compile_template("${aws:TagKeys}").resolve(CTX)


def test_keys_and_detection():
    t = compile_template("${aws:username}/${aws:PrincipalTag/Team, 'x'}/${*}")
    assert t.keys == ("aws:username", "aws:principaltag/team")
    assert has_variables("a${b}") and not has_variables("a$b{c}")
