"""The ``can`` question grammar (grammars/query.lark)."""

from __future__ import annotations

import pytest

from policylint.parse.query import QueryError, parse_query


def test_full_question():
    q = parse_query("user/alice do kms:Decrypt on key/1234 when kms:ViaService = s3.us-east-1.amazonaws.com "
                    "and aws:TagKeys = a, b and aws:PrincipalTag/team = \"data platform\"")
    assert (q.principal, q.action, q.resource) == ("user/alice", "kms:Decrypt", "key/1234")
    assert q.context == {"kms:ViaService": ["s3.us-east-1.amazonaws.com"], "aws:TagKeys": ["a", "b"],
                         "aws:PrincipalTag/team": ["data platform"]}


def test_resource_is_optional():
    q = parse_query("role/Admin do kms:ListKeys")
    assert (q.principal, q.action, q.resource, q.context) == ("role/Admin", "kms:ListKeys", "*", {})


def test_a_key_given_twice_is_multivalued():
    assert parse_query("user/a do s3:PutObject on * when aws:TagKeys = x and aws:TagKeys = 'y z'").context == {"aws:TagKeys": ["x", "y z"]}


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("user/alice kms:Decrypt", 12, 'unexpected "kms:Decrypt" at column 12: expected do'),
        ("user/alice do", 14, "the question ends too early"),
        ("user/alice do kms:Decrypt on key/1 when kms:ViaService", 55, "the question ends too early"),
        ("user/alice do kms:Decrypt on key/1 when = x", 41, 'unexpected "=" at column 41'),
    ],
)
def test_errors_point_at_their_column(text, column, message):
    with pytest.raises(QueryError) as e:
        parse_query(text)
    assert e.value.column == column
    assert message in str(e.value)
    pointed = e.value.pointed().splitlines()
    assert pointed[1] == f"  {text}"
    assert pointed[2] == "  " + " " * (column - 1) + "^"


@pytest.mark.parametrize(
    ("text", "column", "word"),
    [("role/App dokms:Decrypt on key/1", 10, "dokms:Decrypt"), ("role/App does kms:Decrypt", 10, "does"), ("u do a onkey/x", 8, "onkey/x")],
)
def test_keywords_are_whole_words(text, column, word):
    with pytest.raises(QueryError) as e:
        parse_query(text)
    assert e.value.column == column
    assert f'unexpected "{word}"' in str(e.value)


def test_keywords_can_be_values():
    assert parse_query("u do a when k = on and j = do").context == {"k": ["on"], "j": ["do"]}
