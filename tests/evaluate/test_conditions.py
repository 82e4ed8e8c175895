"""Every condition operator, table-driven (tests/evaluate/condition_cases.yaml).

Each row is one Allow statement with one condition, decided strictly (keys
not given are absent): Allowed when the condition holds, ImplicitDeny when
it does not. The table's section names are the IAM User Guide sections
that define each behaviour.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policylint.evaluate.authorize import Outcome, authorize
from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.request import Request, parse_caller
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy

TABLE = yaml.safe_load((Path(__file__).parent / "condition_cases.yaml").read_text())
ROWS = [
    pytest.param(doc, *row, id=f"{row[0]}-{row[1]}-{i}")
    for doc, rows in TABLE.items()
    for i, row in enumerate(rows)
]


def as_list(v):
    return v if isinstance(v, list) else [v]


@pytest.mark.parametrize(("doc", "operator", "key", "policy_values", "request_values", "holds"), ROWS)
def test_condition_operator(doc, operator, key, policy_values, request_values, holds):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {operator: {key: policy_values}}}],
    }
    model, _ = build_policy(policy, PolicyKind.IDENTITY)
    context = {} if request_values is None else {key.lower(): tuple(as_list(request_values))}
    request = Request(parse_caller("arn:aws:iam::111122223333:user/alice"), "s3:ListBucket", "*", context)
    decision = authorize(request, PolicySet(identity=[NamedPolicy("p", model)]), strict=True)
    assert decision.outcome is (Outcome.ALLOWED if holds else Outcome.IMPLICIT_DENY), doc


def test_table_size():
    assert len(ROWS) >= 100
