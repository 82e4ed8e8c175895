"""Readable conditions for explanations and "would be ... if" answers."""

from __future__ import annotations

import pytest

from policylint.evaluate.conditions import describe_clause
from policylint.model.policy import ConditionClause


@pytest.mark.parametrize(
    ("operator", "key", "values", "plain", "negated"),
    [
        ("StringEquals", "kms:ViaService", ("s3.us-east-1.amazonaws.com",), "kms:ViaService equals s3.us-east-1.amazonaws.com",
         "kms:ViaService does not equal s3.us-east-1.amazonaws.com"),
        ("StringNotEqualsIfExists", "aws:PrincipalOrgID", ("o-abc123",), "aws:PrincipalOrgID does not equal o-abc123 (when present)",
         "aws:PrincipalOrgID equals o-abc123"),
        ("StringEqualsIfExists", "aws:PrincipalTag/team", ("blue",), "aws:PrincipalTag/team equals blue (when present)",
         "aws:PrincipalTag/team is present and does not equal blue"),
        ("IpAddress", "aws:SourceIp", ("10.0.0.0/8", "192.0.2.0/24"), "aws:SourceIp is in 10.0.0.0/8 or 192.0.2.0/24",
         "aws:SourceIp is not in 10.0.0.0/8 or 192.0.2.0/24"),
        ("NumericLessThan", "s3:max-keys", ("10",), "s3:max-keys is < 10", "s3:max-keys is not < 10"),
        ("DateGreaterThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",), "aws:CurrentTime is > 2030-01-01T00:00:00Z",
         "aws:CurrentTime is not > 2030-01-01T00:00:00Z"),
        ("ForAllValues:StringLike", "aws:TagKeys", ("app*",), "every value of aws:TagKeys matches app*",
         "some value of aws:TagKeys does not match app*"),
        ("Null", "aws:MultiFactorAuthAge", ("true",), "aws:MultiFactorAuthAge is absent", "aws:MultiFactorAuthAge is present"),
        ("StringEqualsIgnoreCase", "aws:username", ("Alice",), "aws:username equals (ignoring case) Alice",
         "aws:username does not equal (ignoring case) Alice"),
        ("Bogus", "k", ("v",), "Bogus k ['v']", "not (Bogus k ['v'])"),
    ],
)
def test_describe(operator, key, values, plain, negated):
    clause = ConditionClause(operator=operator, key=key, values=values)
    assert describe_clause(clause) == plain
    assert describe_clause(clause, negate=True) == negated
