"""Benchmark the evaluator: decisions per second on a realistic policy set.

Run by hand (not in CI), from the repository root::

    python benchmarks/evaluate.py [--decisions 50000] [--rounds 15]

The policy set: three identity-based policies (13 statements, most with
conditions), a console-style key policy (4 statements), two SCP levels
(FullAWSAccess at the root; a Region lock and a key-deletion guard on the
OU), and a permissions boundary (2 statements): 23 statements in all. It is
prepared once (``Authorizer``), then a mix of 24 requests (users, roles,
role sessions, another account; KMS and S3 actions; with and without
context keys) is decided over and over on one core.

Reported: decisions per second in AWS's strict mode (``strict=True``), in
the default mode (which also works out what missing context keys could
change), and with the request built inside the loop. Writes the results to
``BENCHMARKS.md`` between the ``evaluate`` markers and prints them.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from policylint import __version__  # noqa: E402
from results import write_section  # noqa: E402
from policylint.evaluate.authorize import Authorizer  # noqa: E402
from policylint.evaluate.policyset import NamedPolicy, PolicySet  # noqa: E402
from policylint.evaluate.request import Request, parse_caller  # noqa: E402
from policylint.model.policy import PolicyKind  # noqa: E402
from policylint.model.validate import build_policy  # noqa: E402

BEGIN, END = "<!-- evaluate:begin -->", "<!-- evaluate:end -->"
A = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

IDENTITY = [
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "UseAppKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
         "Resource": f"arn:aws:kms:*:{A}:key/*",
         "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"]}}},
        {"Sid": "DescribeKeys", "Effect": "Allow", "Action": ["kms:Describe*", "kms:List*", "kms:Get*"], "Resource": "*"},
        {"Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}},
        {"Sid": "OwnFolder", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::home/${aws:username}/*"},
        {"Sid": "TeamKeys", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyDeleteWithoutMfa", "Effect": "Deny", "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
        {"Sid": "GrantsForServices", "Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        {"Sid": "ContextKeys", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app", "env"]},
                       "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "app*"}}},
        {"Sid": "Recent", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::uploads/*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                       "NumericLessThanEquals": {"s3:max-keys": "100"}}},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoIam", "Effect": "Deny", "Action": "iam:*", "Resource": "*",
         "Condition": {"StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/admin-*"}}},
        {"Sid": "Rotate", "Effect": "Allow", "Action": ["kms:EnableKeyRotation", "kms:RotateKeyOnDemand"],
         "Resource": KEY, "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/ops-*"}}},
        {"Sid": "Sign", "Effect": "Allow", "Action": ["kms:Sign", "kms:Verify"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}, "Null": {"aws:PrincipalTag/team": "false"}}},
        {"Sid": "Everything", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*",
         "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/role": "Admin"}}},
    ]},
]
KEY_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Key administrators", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/KMSAdmin"},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
                "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
                "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"], "Resource": "*"},
    {"Sid": "Partner use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
    {"Sid": "Deny outside org", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}},
]}
SCP_ROOT = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCP_OU = {"Version": "2012-10-17", "Statement": [
    {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "RegionLock", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    {"Sid": "NoKeyDeletion", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
     "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/KMSAdmin"}}},
]}
BOUNDARY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "KmsAndS3", "Effect": "Allow", "Action": ["kms:*", "s3:*"], "Resource": "*"},
    {"Sid": "NoPolicyChanges", "Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*"},
]}

CALLERS = [f"arn:aws:iam::{A}:user/alice", f"arn:aws:sts::{A}:assumed-role/ops-deploy/s1",
           f"arn:aws:iam::{A}:role/KMSAdmin", "arn:aws:iam::444455556666:user/partner"]
REQUESTS = [
    ("kms:Decrypt", KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:PrincipalOrgID": "o-a1b2c3d4e5"}),
    ("kms:Decrypt", KEY, {"aws:PrincipalOrgID": "o-a1b2c3d4e5", "kms:EncryptionContextKeys": ["app", "env"]}),
    ("kms:ScheduleKeyDeletion", KEY, {"aws:MultiFactorAuthPresent": "true", "aws:PrincipalOrgID": "o-a1b2c3d4e5"}),
    ("kms:CreateGrant", KEY, {"kms:GrantIsForAWSResource": "true", "aws:PrincipalOrgID": "o-a1b2c3d4e5"}),
    ("s3:GetObject", "arn:aws:s3:::reports/2026/q3.csv", {"aws:SourceIp": "10.2.3.4", "aws:RequestedRegion": "us-east-1"}),
    ("s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", {"aws:RequestedRegion": "eu-west-1"}),
]


def build():
    def doc(raw, kind):
        d, problems = build_policy(raw, kind)
        assert d is not None, problems
        return d
    ps = PolicySet(
        identity=[NamedPolicy(f"identity-{i}", doc(p, PolicyKind.IDENTITY)) for i, p in enumerate(IDENTITY)],
        resource=NamedPolicy("key-policy", doc(KEY_POLICY, PolicyKind.RESOURCE)),
        resource_arn=KEY,
        boundary=NamedPolicy("boundary", doc(BOUNDARY, PolicyKind.IDENTITY)),
        scps=[[NamedPolicy("root", doc(SCP_ROOT, PolicyKind.SCP))], [NamedPolicy("ou", doc(SCP_OU, PolicyKind.SCP))]],
    )
    n = sum(len(p.document.statements) for p in ps.identity) + len(ps.resource.document.statements)
    n += len(ps.boundary.document.statements) + sum(len(p.document.statements) for lvl in ps.scps for p in lvl)
    return ps, n


def specs():
    out = []
    for c in CALLERS:
        for action, resource, ctx in REQUESTS:
            out.append((c, action, resource, {k: tuple(v) if isinstance(v, list) else (v,) for k, v in ctx.items()}))
    return out


def make(spec):
    c, action, resource, ctx = spec
    return Request(parse_caller(c), action, resource, dict(ctx))


def rate(fn, n: int) -> float:
    t = time.perf_counter()
    fn(n)
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decisions", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = ap.parse_args()

    ps, n_statements = build()
    t = time.perf_counter()
    auth = Authorizer(ps)
    first_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    Authorizer(ps)
    prepare_ms = (time.perf_counter() - t) * 1000
    sp = specs()
    reqs = [make(s) for s in sp]
    outcomes = Counter(str(auth.authorize(r, strict=True).outcome) for r in reqs)

    def strict(n):
        a, rs, k = auth.authorize, reqs, len(reqs)
        for i in range(n):
            a(rs[i % k], True)

    def default(n):
        a, rs, k = auth.authorize, reqs, len(reqs)
        for i in range(n):
            a(rs[i % k])

    def with_request(n):
        a, k = auth.authorize, len(sp)
        for i in range(n):
            a(make(sp[i % k]), True)

    def cold(n):
        # Each request seen for the first time by its Authorizer: nothing about
        # its caller, action and resource is cached yet (Authorizers are built
        # outside the timing).
        k = len(reqs)
        fresh = [Authorizer(ps) for _ in range(max(1, n // k))]
        t = time.perf_counter()
        for a in fresh:
            for r in reqs:
                a.authorize(r, True)
        return len(fresh) * k / (time.perf_counter() - t)

    # Rounds of the modes are interleaved, so that the machine's drifts
    # in speed fall on all of them alike.
    modes = (("strict", strict), ("default", default), ("with_request", with_request))
    rates: dict[str, list[float]] = {name: [] for name, _ in modes}
    for _ in range(args.rounds):
        for name, fn in modes:
            n = args.decisions if name != "default" else args.decisions // 4
            rates[name].append(rate(fn, n))
    rates["cold"] = [cold(args.decisions // 10) for _ in range(args.rounds)]
    results = {name: (max(r), sorted(r)[len(r) // 2]) for name, r in rates.items()}

    lines = [
        BEGIN,
        f"## Evaluator throughput ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, policylint {__version__}; one core, one process "
        f"(`benchmarks/evaluate.py`). Policy set: 3 identity-based policies, a key policy, 2 SCP levels and a permissions "
        f"boundary, {n_statements} statements, most with conditions; `Authorizer` prepared in {prepare_ms:.1f} ms ({first_ms:.0f} ms the first time, "
        f"which loads the grammars). "
        f"{len(reqs)} requests cycled ({', '.join(f'{v} {k}' for k, v in sorted(outcomes.items()))}); "
        f"{args.decisions:,} decisions per round ({args.decisions // 4:,} in the default mode), best and median of "
        f"{args.rounds} interleaved rounds.",
        "",
        "| mode | best decisions/s | median decisions/s |",
        "|---|---:|---:|",
        f"| strict (AWS's answer, absent keys absent) | {results['strict'][0]:,.0f} | {results['strict'][1]:,.0f} |",
        f"| default (also what missing keys would change) | {results['default'][0]:,.0f} | {results['default'][1]:,.0f} |",
        f"| strict, building each `Request` in the loop | {results['with_request'][0]:,.0f} | {results['with_request'][1]:,.0f} |",
        f"| strict, first request of each caller/action/resource | {results['cold'][0]:,.0f} | {results['cold'][1]:,.0f} |",
        "",
        "Preparing compiles every statement and indexes it by action; the first request of a caller, action and "
        "resource also works out which statements can apply to it (Principal, Action, Resource without policy "
        "variables) and keeps that; conditions and policy variables are evaluated on every request. The default "
        "mode decides once more for each statement whose conditions read a missing key.",
        "",
        "Target: at least 50,000 decisions per second on one core.",
        END,
    ]
    write_section("\n".join(lines), BEGIN, END, write=not args.no_write)


if __name__ == "__main__":
    main()
