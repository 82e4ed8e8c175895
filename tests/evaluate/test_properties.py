"""Properties of the combining logic, over random policy sets (hypothesis).

* an explicit deny that matches the request always wins, in every policy type;
* adding an Allow statement to a policy never turns Allowed into a denial;
* adding a Deny statement to a policy never turns a denial into Allowed.

Source: IAM User Guide, *Policy evaluation logic* ("an explicit deny in any
of these policies overrides the allow") and *How AWS enforcement code logic
evaluates requests*.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.evaluate.authorize import Authorizer, Outcome
from policylint.evaluate.policyset import NamedPolicy, PolicySet
from policylint.evaluate.request import Request, parse_caller
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:*", "kms:De*", "kms:?ecrypt", "*", "s3:GetObject", "s3:Get*"]
RESOURCES = ["*", KEY, f"arn:aws:kms:*:{ACCOUNT}:key/*", "arn:aws:kms:us-east-1:444455556666:key/*",
             "arn:aws:s3:::reports/*", "arn:aws:s3:::${aws:username}/*"]
PRINCIPALS = [
    "*", {"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Admin"},
    {"AWS": "arn:aws:iam::444455556666:root"}, {"Service": "ec2.amazonaws.com"},
]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:username": "alice"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEqualsIfExists": {"aws:PrincipalTag/team": "blue"}},
    {"Null": {"aws:PrincipalTag/team": "true"}},
    {"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "app*"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}},
]
CALLERS = [f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:role/Admin",
           f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/s1", f"arn:aws:iam::{ACCOUNT}:user/bob",
           "arn:aws:iam::444455556666:user/carol", ACCOUNT]
CONTEXTS = [
    {},
    {"aws:SourceIp": ("10.1.2.3",), "aws:SecureTransport": ("true",)},
    {"aws:SourceIp": ("192.0.2.1",), "kms:ViaService": ("s3.us-east-1.amazonaws.com",)},
    {"aws:PrincipalTag/team": ("blue",), "kms:EncryptionContextKeys": ("app", "env")},
]


@st.composite
def statements(draw, effect=None, principal=False):
    s = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    s["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(st.sampled_from(ACTIONS))
    s["NotResource" if draw(st.integers(0, 7)) == 0 else "Resource"] = draw(st.sampled_from(RESOURCES))
    if principal:
        s["Principal"] = draw(st.sampled_from(PRINCIPALS))
    cond = draw(st.sampled_from(CONDITIONS))
    if cond:
        s["Condition"] = cond
    return s


def policy(kind, stmts):
    doc, problems = build_policy({"Version": "2012-10-17", "Statement": stmts}, kind)
    assert doc is not None, problems
    return doc


@st.composite
def scenarios(draw):
    """Raw statement lists per policy type (None: policy type absent), and a request."""
    raw = {
        "identity": draw(st.lists(statements(), max_size=4)),
        "resource": draw(st.none() | st.lists(statements(principal=True), min_size=1, max_size=4)),
        "boundary": draw(st.none() | st.lists(statements(), min_size=1, max_size=2)),
        "session": draw(st.none() | st.lists(statements(), min_size=1, max_size=2)),
        "scp": draw(st.none() | st.lists(statements(), min_size=1, max_size=2)),
        "rcp": draw(st.none() | st.lists(statements(principal=True), min_size=1, max_size=2)),
    }
    action = draw(st.sampled_from(["kms:Decrypt", "kms:Encrypt", "kms:ScheduleKeyDeletion", "s3:GetObject"]))
    resource = KEY if action.startswith("kms") else draw(st.sampled_from(["arn:aws:s3:::reports/a", "arn:aws:s3:::alice/x"]))
    caller = draw(st.sampled_from(CALLERS))
    context = draw(st.sampled_from(CONTEXTS))
    return raw, (caller, action, resource, context)


def decide(raw, req) -> Outcome:
    ps = PolicySet(
        identity=[NamedPolicy("identity", policy(PolicyKind.IDENTITY, raw["identity"]))] if raw["identity"] else [],
        resource=NamedPolicy("resource", policy(PolicyKind.RESOURCE, raw["resource"])) if raw["resource"] else None,
        boundary=NamedPolicy("boundary", policy(PolicyKind.IDENTITY, raw["boundary"])) if raw["boundary"] else None,
        session=NamedPolicy("session", policy(PolicyKind.IDENTITY, raw["session"])) if raw["session"] else None,
        scps=[[NamedPolicy("scp", policy(PolicyKind.SCP, raw["scp"]))]] if raw["scp"] else [],
        rcps=[[NamedPolicy("rcp", policy(PolicyKind.RCP, raw["rcp"]))]] if raw["rcp"] else [],
    )
    caller, action, resource, context = req
    request = Request(parse_caller(caller), action, resource, dict(context))
    return Authorizer(ps).authorize(request, strict=True).outcome


WITH_PRINCIPAL = {"resource", "rcp"}
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource", "boundary", "session", "scp", "rcp"]))
def test_explicit_deny_always_wins(scenario, where):
    raw, req = scenario
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    if where in WITH_PRINCIPAL:
        deny["Principal"] = "*"
    raw = {**raw, where: list(raw[where] or []) + [deny]}
    if where == "resource" and req[2] == "*":
        return
    assert decide(raw, req) is Outcome.EXPLICIT_DENY


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource", "boundary", "session", "scp", "rcp"]), st.data())
def test_adding_allow_never_takes_away(scenario, where, data):
    raw, req = scenario
    if raw[where] is None and where != "identity":
        return  # adding a whole new boundary, SCP... may restrict; adding a statement may not
    before = decide(raw, req)
    extra = data.draw(statements(effect="Allow", principal=where in WITH_PRINCIPAL))
    after = decide({**raw, where: list(raw[where] or []) + [extra]}, req)
    if before is Outcome.ALLOWED:
        assert after is Outcome.ALLOWED, (extra, where)


@SETTINGS
@given(scenarios(), st.sampled_from(["identity", "resource", "boundary", "session", "scp", "rcp"]), st.data())
def test_adding_deny_never_grants(scenario, where, data):
    raw, req = scenario
    if raw[where] is None and where != "identity":
        return
    before = decide(raw, req)
    extra = data.draw(statements(effect="Deny", principal=where in WITH_PRINCIPAL))
    after = decide({**raw, where: list(raw[where] or []) + [extra]}, req)
    if before is not Outcome.ALLOWED:
        assert after is not Outcome.ALLOWED, (extra, where)
    if before is Outcome.EXPLICIT_DENY:
        assert after is Outcome.EXPLICIT_DENY
