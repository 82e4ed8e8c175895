"""Long Action/NotAction lists are matched through a per-service index
(``_Compiled._by_service`` in policylint/evaluate/authorize.py): the answers
must be those of trying every pattern."""

from __future__ import annotations

import pytest

from policylint.evaluate.authorize import Authorizer, Outcome
from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.request import Request, parse_caller
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy

# 20 patterns (over the index threshold): literal services in several cases,
# a wildcard service, and a pattern without a colon.
LONG = [f"ec2:Describe{n}" for n in ("Instances", "Volumes", "Images", "Snapshots", "Vpcs", "Subnets")] + [
    "S3:Get*", "s3:List*", "kms:Decrypt", "KMS:Encrypt", "iam:Get*", "iam:List*", "sts:GetCallerIdentity",
    "logs:Describe*", "cloudwatch:Get*", "sqs:ReceiveMessage", "sns:Publish", "dynamodb:GetItem",
    "*:Tag*", "lambda:Invoke?unction"]


def _decide(element: str, action: str) -> Outcome:
    doc, problems = build_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", element: LONG, "Resource": "*"}]}, PolicyKind.IDENTITY)
    assert doc is not None and not problems, problems
    auth = Authorizer(PolicySet(identity=[NamedPolicy("p", doc)]))
    return auth.authorize(Request(parse_caller("arn:aws:iam::111122223333:user/u"), action, "*"), strict=True).outcome


@pytest.mark.parametrize("action, listed", [
    ("ec2:DescribeVpcs", True),
    ("EC2:describevpcs", True),          # action names are case-insensitive
    ("s3:GetObject", True),              # "S3:Get*": the service prefix in another case
    ("kms:encrypt", True),
    ("ec2:RunInstances", False),
    ("rds:AddTagsToResource", False),
    ("rds:TagResource", True),           # "*:Tag*": a service the index does not name
    ("ec2:TagResource", True),           # ... and one it does
    ("lambda:InvokeFunction", True),     # "?" inside the name
    ("lambda:InvokeAsync", False),
])
def test_long_lists_match_as_every_pattern_would(action, listed):
    assert (_decide("Action", action) is Outcome.ALLOWED) is listed
    assert (_decide("NotAction", action) is Outcome.ALLOWED) is (not listed)
