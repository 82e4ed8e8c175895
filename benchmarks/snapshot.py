"""Benchmark account snapshots: loading, the principal graph and one ``who_can``.

Run by hand (not in CI), from the repository root::

    python benchmarks/snapshot.py [--sizes 1000,5000,10000] [--runs 3] [--seed 0]
                                  [--timeout 900] [--memory-limit MIB] [--keep DIR] [--no-write]
    python benchmarks/snapshot.py --generate-only DIR [--sizes 1000]

For each size N it generates a synthetic, deterministic (``--seed``) snapshot of
one AWS account (123456789012) in the folder layout that
``policylint.load.snapshot`` reads::

    organizations/describe-organization.json, list-policies-SERVICE_CONTROL_POLICY.json,
                  policies/<id>/describe-policy.json, policies/<id>/list-targets-for-policy.json,
                  parents/<child-id>/list-parents.json
    123456789012/iam/get-account-authorization-details.json
    123456789012/kms/<region>/list-keys.json, list-aliases.json
    123456789012/kms/<region>/<key-id>/describe-key.json, get-key-policy.json, list-grants.json
    bench-key.txt                  (the key ARN of the query)

with N roles (trust policies naming the account, other roles of the snapshot
(chains and cycles), users, AWS services or a partner account with an
external ID; inline policies; 1-3 of about 200 customer managed policies),
N/5 users in N/50 groups (some with permissions boundaries), 500 KMS keys in
two Regions (key policies trusting the account for 90%, naming only a few
roles for 10%; 0-5 grants each to roles of the snapshot) and an organization
with FullAWSAccess on the root, the OU and the account plus one deny SCP.

Then, for each size, in a fresh Python process (so that peak memory is per
size), it times ``load_snapshot([folder])``, ``build_graph(snapshot)`` and one
``graph.who_can("kms:Decrypt", KEY_ARN)``, and reports seconds per phase, the
total, peak memory (``ru_maxrss``) and how time and memory per role grow from
one size to the next. Target: under 10 s in total at 10,000 roles on two
CPUs, growth close to linear.

``--generate-only DIR`` writes ``DIR/roles-<N>`` for each size, checks that every
file is valid JSON (and every key policy and SCP a JSON string holding JSON),
prints sizes and generation times, and times nothing. ``--keep DIR`` keeps the
generated snapshots of a timing run in ``DIR/roles-<N>`` (otherwise they go in a
temporary folder). Each process is stopped after ``--timeout`` seconds (900)
and limited to ``--memory-limit`` MiB of address space (3/4 of physical
memory), so that a graph that grows without bound fails with a MemoryError
rather than bringing the machine down; a size that fails is reported as such
and the larger ones are not run. Writes the results to ``BENCHMARKS.md``
between the ``snapshot`` markers (unless ``--no-write``) and prints them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from results import write_section  # noqa: E402

BEGIN, END = "<!-- snapshot:begin -->", "<!-- snapshot:end -->"

ACCOUNT = "123456789012"
MANAGEMENT = "111111111111"
PARTNER = "444455556666"
ORG_ID = "o-k3x9q2m7ab"
ROOT_ID = "r-k3x9"
OU_ID = "ou-k3x9-5qv1h7zc"
DENY_SCP_ID = "p-7fj2k9qa"
REGIONS = (("us-east-1", 400), ("eu-west-1", 100))  # 500 keys, AWS managed ones included
N_MANAGED = 200
V = "2012-10-17"

TEAMS = ["payments", "billing", "search", "ingest", "reporting", "identity", "catalog", "orders", "ml",
         "platform", "data", "web", "mobile", "fraud", "support", "growth", "security", "infra",
         "analytics", "notify"]
COMPONENTS = ["api", "worker", "batch", "etl", "stream", "scheduler", "export", "import", "reader",
              "writer", "sync", "indexer", "gateway", "cron", "loader"]
ENVS = ["prod", "staging", "dev", "qa"]
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
         "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yara"]
LAST = ["smith", "jones", "garcia", "miller", "davis", "lopez", "wilson", "anderson", "thomas", "moore",
        "martin", "lee", "clark", "lewis", "young", "king", "wright", "scott", "green", "baker"]
JOBS = ["developers", "operators", "readers", "admins", "analysts", "oncall"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
GRANT_OPS = ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
             "ReEncryptTo", "DescribeKey", "RetireGrant"]
KEY_ADMIN_ACTIONS = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                     "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                     "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
EPOCH = datetime(2019, 1, 1, tzinfo=timezone.utc)


def doc(*statements: dict) -> dict:
    return {"Version": V, "Statement": list(statements)}


def allow(action, resource, condition: dict | None = None, sid: str | None = None, effect: str = "Allow") -> dict:
    s: dict = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = effect
    s["Action"] = action
    s["Resource"] = resource
    if condition:
        s["Condition"] = condition
    return s


@dataclass
class Principal:
    name: str
    path: str
    arn: str
    kind: str = ""  # roles: root, chain, service, partner, users, special
    team: str = ""
    env: str = ""
    service: str = ""  # roles trusted by an AWS service


@dataclass
class Key:
    key_id: str
    arn: str
    region: str
    manager: str  # CUSTOMER or AWS
    style: str = ""  # default, console, restricted, aws
    alias: str | None = None
    grants: int = 0


@dataclass
class Stats:
    roles: int = 0
    users: int = 0
    groups: int = 0
    policies: int = 0
    keys: int = 0
    grants: int = 0
    files: int = 0
    bytes: int = 0
    bench_key: str = ""
    seconds: float = 0.0
    kinds: dict = field(default_factory=dict)


class Generator:
    """One synthetic account snapshot of ``n_roles`` roles; everything drawn
    from ``random.Random(seed)`` in a fixed order, so the output is the same
    byte for byte for the same arguments."""

    def __init__(self, n_roles: int, seed: int = 0):
        self.n = n_roles
        self.seed = seed
        self.rng = random.Random(seed * 1_000_003 + n_roles)
        self.ids: set[str] = set()

    # -- small helpers --------------------------------------------------------

    def iam_id(self, prefix: str) -> str:
        while True:
            v = prefix + "".join(self.rng.choices(ALNUM, k=17))
            if v not in self.ids:
                self.ids.add(v)
                return v

    def when(self, start: datetime = EPOCH, days: int = 6 * 365) -> datetime:
        return start + timedelta(seconds=self.rng.randrange(days * 86400))

    @staticmethod
    def iso(t: datetime, micro: bool = False) -> str:
        if micro:
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}000+00:00"
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def pick(self, seq: list, k_lo: int, k_hi: int) -> list:
        return self.rng.sample(seq, min(len(seq), self.rng.randint(k_lo, k_hi)))

    def tags(self, team: str, env: str | None = None) -> list[dict]:
        t = [{"Key": "team", "Value": team}]
        if env:
            t.append({"Key": "env", "Value": env})
        if self.rng.random() < 0.3:
            t.append({"Key": "cost-center", "Value": f"cc-{self.rng.randint(1000, 9999)}"})
        return t

    # -- names ----------------------------------------------------------------

    def make_names(self) -> None:
        rng, A = self.rng, ACCOUNT
        specials = [("OrganizationAccountAccessRole", "/"), ("PlatformAdmin", "/admin/"), ("KeyAdmin", "/admin/"),
                    ("BreakGlass", "/admin/"), ("SecurityAudit", "/security/")]
        self.roles: list[Principal] = []
        for name, path in specials[: max(1, min(len(specials), self.n // 10))]:
            self.roles.append(Principal(name, path, f"arn:aws:iam::{A}:role{path}{name}", "special", "platform", "prod"))
        kinds = ["root"] * 30 + ["chain"] * 30 + ["service"] * 22 + ["partner"] * 8 + ["users"] * 10
        while len(self.roles) < self.n:
            i = len(self.roles)
            team, comp, env, kind = rng.choice(TEAMS), rng.choice(COMPONENTS), rng.choice(ENVS), rng.choice(kinds)
            service = ""
            if kind == "service":
                service = rng.choice(["lambda"] * 8 + ["ecs-tasks", "ec2"])
                path = {"lambda": "/service-role/", "ecs-tasks": "/ecs/", "ec2": "/"}[service]
                name = f"{team}-{comp}-{env}-{service.split('-')[0]}-{i:05d}"
            else:
                path = rng.choice(["/app/", "/app/", "/app/", "/", f"/{team}/", "/data/"])
                name = f"{team}-{comp}-{env}-{i:05d}"
            self.roles.append(Principal(name, path, f"arn:aws:iam::{A}:role{path}{name}", kind, team, env, service))
        self.key_admin = next((r for r in self.roles if r.name == "KeyAdmin"), self.roles[0])
        self.platform_admin = next((r for r in self.roles if r.name == "PlatformAdmin"), self.roles[0])

        self.users: list[Principal] = []
        for i in range(max(1, self.n // 5)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            path = "/contractors/" if rng.random() < 0.15 else "/"
            name = f"{first}.{last}{i}"
            self.users.append(Principal(name, path, f"arn:aws:iam::{A}:user{path}{name}", "user", rng.choice(TEAMS)))

        self.groups: list[Principal] = []
        for i in range(max(1, self.n // 50)):
            team, job = TEAMS[i % len(TEAMS)], JOBS[(i // len(TEAMS)) % len(JOBS)]
            name = f"{team}-{job}" + (f"-{i}" if i >= len(TEAMS) * len(JOBS) else "")
            self.groups.append(Principal(name, "/", f"arn:aws:iam::{A}:group/{name}", "group", team))

        self.keys: list[Key] = []
        key_ids = random.Random(self.seed)  # the same key IDs (and query key) at every size
        for region, count in REGIONS:
            for j in range(count):
                kid = str(uuid.UUID(int=key_ids.getrandbits(128), version=4))
                self.keys.append(Key(kid, f"arn:aws:kms:{region}:{A}:key/{kid}", region, "AWS" if j < 2 else "CUSTOMER"))
        customer = [k for k in self.keys if k.manager == "CUSTOMER"]
        # The key of the query: the first customer key of the first Region, console-style
        # (trusts the account, names admins and users) with four grants.
        self.bench_key = customer[0]
        self.customer_keys = customer

    # -- managed policies -----------------------------------------------------

    def managed_documents(self, kind: str, team: str) -> list[dict]:
        """Statements for one managed policy of ``kind``; called once per version."""
        rng, A = self.rng, ACCOUNT
        roles = self.roles
        if kind == "assume":
            if rng.random() < 0.2:
                res = f"arn:aws:iam::{A}:role/app/{team}-*"
            else:
                targets = self.pick(roles, 1, 4)
                res = [r.arn for r in targets] if len(targets) > 1 else targets[0].arn
            return [allow("sts:AssumeRole", res, sid="AssumeTeamRoles")]
        if kind == "kms-wide":
            cond = None
            c = rng.random()
            if c < 0.3:
                cond = {"StringEquals": {"kms:ViaService": [f"s3.{r}.amazonaws.com" for r, _ in REGIONS]}}
            elif c < 0.45:
                cond = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
            acts = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"] if rng.random() < 0.6 else "kms:Decrypt"
            return [allow(acts, f"arn:aws:kms:*:{A}:key/*", cond, sid="UseAccountKeys"),
                    allow(["kms:ListKeys", "kms:ListAliases"], "*", sid="ListKeys")]
        if kind == "kms-specific":
            keys = self.pick(self.customer_keys, 1, 5)
            if rng.random() < 0.3 and self.bench_key not in keys:
                keys.append(self.bench_key)
            acts = ["kms:Decrypt", "kms:DescribeKey"] if rng.random() < 0.5 else ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
            return [allow(acts, [k.arn for k in keys], sid="UseTeamKeys")]
        if kind == "kms-grants":
            return [allow(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], f"arn:aws:kms:*:{A}:key/*",
                          {"Bool": {"kms:GrantIsForAWSResource": "true"}}, sid="GrantsForAwsResources")]
        if kind == "kms-deny":
            if rng.random() < 0.5:
                return [allow("kms:Decrypt", "*", {"StringNotEquals": {"aws:SourceVpce": f"vpce-{rng.getrandbits(68):017x}"}},
                              sid="DecryptOnlyThroughVpce", effect="Deny")]
            return [allow(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], "*",
                          {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, sid="NoKeyChangesWithoutMfa",
                          effect="Deny")]
        if kind == "kms-read":
            return [allow(["kms:Describe*", "kms:Get*", "kms:List*"], "*", sid="KmsReadOnly")]
        if kind == "passrole":
            if rng.random() < 0.5:
                res = f"arn:aws:iam::{A}:role/service-role/{team}-*"
            else:
                res = [r.arn for r in self.pick(roles, 1, 3)]
            return [allow("iam:PassRole", res, {"StringEquals": {"iam:PassedToService": rng.choice(
                ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"])}}, sid="PassTeamRoles"),
                allow(["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
                      f"arn:aws:lambda:*:{A}:function:{team}-*")]
        if kind == "s3":
            bucket = f"{team}-{rng.choice(ENVS)}-{rng.randint(100, 999)}"
            acts = rng.choice([["s3:GetObject", "s3:ListBucket"], ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "s3:*"])
            return [allow(acts, [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], sid="TeamBucket"),
                    allow("s3:ListAllMyBuckets", "*")]
        if kind == "ec2":
            return [allow(["ec2:Describe*"], "*", sid="Describe"),
                    allow(["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                          f"arn:aws:ec2:*:{A}:instance/*", {"StringEquals": {"aws:ResourceTag/team": team}}, sid="OwnInstances")]
        if kind == "misc":
            table = f"{team}-{rng.choice(COMPONENTS)}"
            return [allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
                          f"arn:aws:dynamodb:*:{A}:table/{table}*", sid="Table"),
                    allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], f"arn:aws:sqs:*:{A}:{table}-*"),
                    allow(["ssm:GetParameter", "ssm:GetParametersByPath"], f"arn:aws:ssm:*:{A}:parameter/{team}/*")]
        if kind == "boundary":
            return [allow(["s3:*", "dynamodb:*", "sqs:*", "logs:*", "cloudwatch:*", "lambda:*"], "*", sid="Workloads"),
                    allow(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "*", sid="UseKeys"),
                    allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/app/*", sid="AppRoles"),
                    allow(["iam:*", "organizations:*", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], "*",
                          sid="NoAdmin", effect="Deny")]
        raise ValueError(kind)

    def make_managed(self) -> None:
        rng, A = self.rng, ACCOUNT
        plan = [("assume", 25), ("kms-wide", 22), ("kms-specific", 30), ("kms-grants", 7), ("kms-deny", 6),
                ("kms-read", 5), ("passrole", 15), ("s3", 40), ("ec2", 22), ("misc", 25), ("boundary", 3)]
        assert sum(c for _, c in plan) == N_MANAGED
        self.managed: list[dict] = []
        self.by_kind: dict[str, list[dict]] = {}
        for kind, count in plan:
            for k in range(count):
                team = TEAMS[(k * 7 + len(self.managed)) % len(TEAMS)]
                path = "/boundaries/" if kind == "boundary" else rng.choice(["/", "/", "/teams/"])
                name = f"{team.capitalize()}{''.join(p.capitalize() for p in kind.split('-'))}{k:03d}"
                created = self.when()
                n_versions = rng.choice([2, 3]) if rng.random() < 0.15 else 1
                versions = []
                for v in range(n_versions):
                    versions.append({"Document": doc(*self.managed_documents(kind, team)), "VersionId": f"v{v + 1}",
                                     "IsDefaultVersion": v == n_versions - 1,
                                     "CreateDate": self.iso(created + timedelta(days=40 * v))})
                p = {"PolicyName": name, "PolicyId": self.iam_id("ANPA"), "Arn": f"arn:aws:iam::{A}:policy{path}{name}",
                     "Path": path, "DefaultVersionId": f"v{n_versions}", "AttachmentCount": 0,
                     "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                     "CreateDate": self.iso(created), "UpdateDate": self.iso(created + timedelta(days=40 * (n_versions - 1))),
                     "PolicyVersionList": versions[::-1]}
                if rng.random() < 0.5:
                    p["Description"] = f"{kind} permissions for the {team} team"
                self.managed.append(p)
                self.by_kind.setdefault(kind, []).append(p)
        # AWS managed policies attached in the account (their documents are in the export too).
        self.aws_admin = {"PolicyName": "AdministratorAccess", "PolicyId": "ANPAIWMBCKSKIEE64ZLYK",
                          "Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "Path": "/", "DefaultVersionId": "v1",
                          "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                          "Description": "Provides full access to AWS services and resources.",
                          "CreateDate": "2015-02-06T18:39:46+00:00", "UpdateDate": "2015-02-06T18:39:46+00:00",
                          "PolicyVersionList": [{"Document": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                                                 "VersionId": "v1", "IsDefaultVersion": True,
                                                 "CreateDate": "2015-02-06T18:39:46+00:00"}]}
        self.aws_lambda = {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyId": "ANPAJNCQGXC42545SKXIK",
                           "Arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                           "Path": "/service-role/", "DefaultVersionId": "v1", "AttachmentCount": 0,
                           "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                           "Description": "Provides write permissions to CloudWatch Logs.",
                           "CreateDate": "2015-04-09T15:03:43+00:00", "UpdateDate": "2015-04-09T15:03:43+00:00",
                           "PolicyVersionList": [{"Document": doc({"Effect": "Allow", "Action": [
                               "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}),
                               "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": "2015-04-09T15:03:43+00:00"}]}
        self.attachable = [p for p in self.managed if p["Path"] != "/boundaries/"]
        self.boundaries = self.by_kind["boundary"]

    def attach(self, policies: list[dict]) -> list[dict]:
        out = []
        for p in policies:
            p["AttachmentCount"] += 1
            out.append({"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]})
        return out

    def boundary(self) -> dict:
        p = self.rng.choice(self.boundaries)
        p["PermissionsBoundaryUsageCount"] += 1
        return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": p["Arn"]}

    # -- IAM principals -------------------------------------------------------

    def inline(self, p: Principal, label: str) -> dict:
        rng, A = self.rng, ACCOUNT
        c = rng.random()
        if c < 0.3:
            bucket = f"{p.team}-{p.env or 'prod'}-{rng.randint(100, 999)}"
            d = doc(allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{bucket}/*"),
                    allow("s3:ListBucket", f"arn:aws:s3:::{bucket}"))
            name = f"{label}-bucket"
        elif c < 0.5:
            key = rng.choice(self.customer_keys)
            cond = {"StringEquals": {"kms:ViaService": f"s3.{key.region}.amazonaws.com"}} if rng.random() < 0.3 else None
            d = doc(allow(["kms:Decrypt", "kms:GenerateDataKey"], key.arn, cond, sid="UseDataKey"))
            name = f"{label}-kms"
        elif c < 0.6:
            d = doc(allow("sts:AssumeRole", rng.choice(self.roles).arn, sid="Hop"))
            name = f"{label}-assume"
        elif c < 0.75:
            d = doc(allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"arn:aws:logs:*:{A}:log-group:/{p.team}/*"))
            name = f"{label}-logs"
        elif c < 0.9:
            table = f"{p.team}-{rng.choice(COMPONENTS)}"
            d = doc(allow(["dynamodb:GetItem", "dynamodb:Query"], f"arn:aws:dynamodb:*:{A}:table/{table}"))
            name = f"{label}-table"
        else:
            d = doc(allow(["ssm:GetParameter", "ssm:GetParameters"], f"arn:aws:ssm:*:{A}:parameter/{p.team}/*"),
                    allow("kms:Decrypt", f"arn:aws:kms:*:{A}:key/*",
                          {"StringEquals": {"kms:ViaService": [f"ssm.{r}.amazonaws.com" for r, _ in REGIONS]}}))
            name = f"{label}-params"
        return {"PolicyName": name, "PolicyDocument": d}

    def trust(self, r: Principal) -> dict:
        rng, A = self.rng, ACCOUNT
        action: str | list[str] = "sts:AssumeRole" if rng.random() < 0.85 else ["sts:AssumeRole", "sts:TagSession"]
        mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        if r.name == "OrganizationAccountAccessRole":
            return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "sts:AssumeRole"})
        if r.kind == "special":
            return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole",
                        "Condition": mfa})
        if r.kind == "root":
            s = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": action}
            if rng.random() < 0.4:
                s["Condition"] = mfa
            return doc(s)
        if r.kind == "chain":
            others = [o.arn for o in self.pick(self.roles, 1, 2) if o is not r] or [f"arn:aws:iam::{A}:root"]
            return doc({"Effect": "Allow", "Principal": {"AWS": others[0] if len(others) == 1 else others}, "Action": action})
        if r.kind == "service":
            s = {"Effect": "Allow", "Principal": {"Service": f"{r.service}.amazonaws.com"}, "Action": "sts:AssumeRole"}
            if rng.random() < 0.2:
                s["Condition"] = {"StringEquals": {"aws:SourceAccount": A}}
            return doc(s)
        if r.kind == "partner":
            return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"}, "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"sts:ExternalId": f"ext-{rng.getrandbits(48):012x}"}}})
        users = [u.arn for u in self.pick(self.users, 1, 3)]
        s = {"Effect": "Allow", "Principal": {"AWS": users[0] if len(users) == 1 else users}, "Action": action}
        if rng.random() < 0.5:
            s["Condition"] = mfa
        return doc(s)

    def role_detail(self, r: Principal) -> dict:
        rng = self.rng
        created = self.when()
        inline = [self.inline(r, f"{r.team}-{i}") for i in range(rng.choice([0, 0, 1, 1, 1, 2]))]
        if r.name in ("OrganizationAccountAccessRole", "PlatformAdmin", "BreakGlass"):
            attached = [self.aws_admin]
        elif r.name == "KeyAdmin":
            inline = [{"PolicyName": "key-administration",
                       "PolicyDocument": doc(allow(KEY_ADMIN_ACTIONS, f"arn:aws:kms:*:{ACCOUNT}:key/*"),
                                             allow(["kms:CreateKey", "kms:ListKeys", "kms:ListAliases"], "*"))}]
            attached = self.rng.sample(self.by_kind["kms-read"], 1)
        elif r.name == "SecurityAudit":
            attached = self.rng.sample(self.by_kind["kms-read"], 2)
        else:
            attached = self.pick(self.attachable, 1, 3)
        if r.service == "lambda":
            attached.append(self.aws_lambda)
        d = {"Path": r.path, "RoleName": r.name, "RoleId": self.iam_id("AROA"), "Arn": r.arn,
             "CreateDate": self.iso(created), "AssumeRolePolicyDocument": self.trust(r), "InstanceProfileList": [],
             "RolePolicyList": inline, "AttachedManagedPolicies": self.attach(attached)}
        if r.kind in ("root", "chain") and rng.random() < 0.05:
            d["PermissionsBoundary"] = self.boundary()
        d["Tags"] = self.tags(r.team, r.env)
        if rng.random() < 0.7:
            d["RoleLastUsed"] = {"LastUsedDate": self.iso(self.when(created, 365)), "Region": rng.choice(REGIONS)[0]}
        else:
            d["RoleLastUsed"] = {}
        return d

    def user_detail(self, u: Principal) -> dict:
        rng = self.rng
        d = {"Path": u.path, "UserName": u.name, "UserId": self.iam_id("AIDA"), "Arn": u.arn,
             "CreateDate": self.iso(self.when())}
        if rng.random() < 0.2:
            d["UserPolicyList"] = [self.inline(u, u.name.split(".")[0])]
        d["GroupList"] = [g.name for g in self.pick(self.groups, 0 if rng.random() < 0.1 else 1, 3)]
        d["AttachedManagedPolicies"] = self.attach(self.pick(self.attachable, 1, 2) if rng.random() < 0.3 else [])
        if u.path == "/contractors/" or rng.random() < 0.05:
            d["PermissionsBoundary"] = self.boundary()
        d["Tags"] = self.tags(u.team)
        return d

    def group_detail(self, g: Principal) -> dict:
        rng, A = self.rng, ACCOUNT
        inline = []
        if rng.random() < 0.3:
            inline.append({"PolicyName": f"{g.team}-assume-team-roles",
                           "PolicyDocument": doc(allow("sts:AssumeRole", [f"arn:aws:iam::{A}:role/app/{g.team}-*",
                                                                          f"arn:aws:iam::{A}:role/{g.team}/*"]))})
        if rng.random() < 0.2:
            inline.append({"PolicyName": "require-mfa",
                           "PolicyDocument": doc({"Sid": "DenyWithoutMfa", "Effect": "Deny",
                                                  "NotAction": ["iam:ChangePassword", "iam:GetUser", "iam:ListMFADevices",
                                                                "iam:EnableMFADevice", "sts:GetSessionToken"],
                                                  "Resource": "*",
                                                  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})})
        return {"Path": g.path, "GroupName": g.name, "GroupId": self.iam_id("AGPA"), "Arn": g.arn,
                "CreateDate": self.iso(self.when()), "GroupPolicyList": inline,
                "AttachedManagedPolicies": self.attach(self.pick(self.attachable, 1, 3))}

    # -- KMS ------------------------------------------------------------------

    def key_policy(self, k: Key) -> dict:
        rng, A = self.rng, ACCOUNT
        root = f"arn:aws:iam::{A}:root"
        if k.manager == "AWS":
            svc = "ec2" if k.alias == "alias/aws/ebs" else "s3"
            return {"Version": V, "Id": f"auto-{svc}-2", "Statement": [
                {"Sid": f"Allow access through {svc.upper()} for all principals in the account that are authorized to use {svc.upper()}",
                 "Effect": "Allow", "Principal": {"AWS": "*"},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {"kms:CallerAccount": A, "kms:ViaService": f"{svc}.{k.region}.amazonaws.com"}}},
                {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow", "Principal": {"AWS": root},
                 "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"], "Resource": "*"}]}
        users = [r.arn for r in self.pick(self.roles, 1, 4)]
        admins = [self.key_admin.arn] + ([self.platform_admin.arn] if rng.random() < 0.5 else [])
        admin_st = {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": admins},
                    "Action": KEY_ADMIN_ACTIONS, "Resource": "*"}
        use_st = {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": users},
                  "Action": KEY_USE_ACTIONS, "Resource": "*"}
        grant_st = {"Sid": "Allow attachment of persistent resources", "Effect": "Allow", "Principal": {"AWS": users},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
        root_st = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": root},
                   "Action": "kms:*", "Resource": "*"}
        if k.style == "default":
            return {"Version": V, "Id": "key-default-1", "Statement": [root_st]}
        if k.style == "restricted":
            return {"Version": V, "Id": "key-restricted", "Statement": [admin_st, use_st]}
        statements = [root_st, admin_st, use_st, grant_st]
        if rng.random() < 0.1:
            statements.append({"Sid": "DenyDecryptOutsideOrg", "Effect": "Deny", "Principal": {"AWS": "*"},
                               "Action": "kms:Decrypt", "Resource": "*",
                               "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}})
        return {"Id": "key-consolepolicy-3", "Version": V, "Statement": statements}

    def key_files(self, k: Key) -> tuple[dict, dict, dict]:
        rng, A = self.rng, ACCOUNT
        created = self.when()
        if k.manager == "AWS":
            spec, usage, state = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled"
        else:
            c = rng.random()
            spec, usage = ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT") if c < 0.95 or k is self.bench_key else \
                (("RSA_2048", "ENCRYPT_DECRYPT") if c < 0.98 else ("ECC_NIST_P256", "SIGN_VERIFY"))
            s = rng.random()
            state = "Enabled" if s < 0.97 or k is self.bench_key else ("Disabled" if s < 0.99 else "PendingDeletion")
        meta = {"AWSAccountId": A, "KeyId": k.key_id, "Arn": k.arn, "CreationDate": self.iso(created, micro=True),
                "Enabled": state == "Enabled",
                "Description": ("Default key that protects my EBS volumes when no other key is defined"
                                if k.alias == "alias/aws/ebs" else
                                "Default key that protects my S3 objects when no other key is defined"
                                if k.alias == "alias/aws/s3" else
                                (f"{k.alias[6:]} data key" if k.alias and rng.random() < 0.7 else "")),
                "KeyUsage": usage, "KeyState": state}
        if state == "PendingDeletion":
            meta["DeletionDate"] = self.iso(datetime(2026, 12, 24, tzinfo=timezone.utc), micro=True)
            meta["PendingDeletionWindowInDays"] = 30
        meta |= {"Origin": "AWS_KMS", "KeyManager": k.manager, "CustomerMasterKeySpec": spec, "KeySpec": spec}
        if usage == "SIGN_VERIFY":
            meta["SigningAlgorithms"] = ["ECDSA_SHA_256"]
        elif spec == "RSA_2048":
            meta["EncryptionAlgorithms"] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]
        else:
            meta["EncryptionAlgorithms"] = ["SYMMETRIC_DEFAULT"]
        meta["MultiRegion"] = False

        policy = self.key_policy(k)
        if k.style == "console" or k.manager == "AWS":  # as the console and AWS store them
            text = json.dumps(policy, indent=2, separators=(",", " : "))
        else:
            text = json.dumps(policy, separators=(",", ":"))

        grants = []
        n_grants = 0 if k.manager == "AWS" else (4 if k is self.bench_key else rng.choice([0, 0, 1, 1, 2, 3, 4, 5]))
        for g in range(n_grants):
            grantee = rng.choice(self.roles)
            ops = sorted(self.pick(GRANT_OPS, 1, 4), key=GRANT_OPS.index)
            if "Decrypt" not in ops and rng.random() < 0.5:
                ops.insert(0, "Decrypt")
            if rng.random() < 0.3 or (k is self.bench_key and g == 0):
                ops.append("CreateGrant")
            grant = {"KeyId": k.arn, "GrantId": f"{rng.getrandbits(256):064x}",
                     "Name": rng.choice(["", "", f"{grantee.team}-{rng.choice(COMPONENTS)}"]),
                     "CreationDate": self.iso(self.when(created, 500)), "GranteePrincipal": grantee.arn}
            if rng.random() < 0.3:
                grant["RetiringPrincipal"] = self.key_admin.arn
            grant["IssuingAccount"] = f"arn:aws:iam::{A}:root"
            grant["Operations"] = ops
            c = rng.random()
            if c < 0.25:
                grant["Constraints"] = {"EncryptionContextSubset": {"team": grantee.team}}
            elif c < 0.4:
                grant["Constraints"] = {"EncryptionContextEquals": {"job": f"{grantee.team}-{rng.choice(COMPONENTS)}"}}
            grants.append(grant)
        k.grants = n_grants
        return {"KeyMetadata": meta}, {"Policy": text, "PolicyName": "default"}, {"Grants": grants, "Truncated": False}

    # -- organization ---------------------------------------------------------

    def organization(self) -> dict[str, dict]:
        m = MANAGEMENT
        full = {"Id": "p-FullAWSAccess", "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                "Name": "FullAWSAccess", "Description": "Allows access to every operation",
                "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": True}
        deny = {"Id": DENY_SCP_ID, "Arn": f"arn:aws:organizations::{m}:policy/{ORG_ID}/service_control_policy/{DENY_SCP_ID}",
                "Name": "WorkloadGuardrails", "Description": "Deny leaving the organization, key changes outside admin roles, other Regions",
                "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False}
        deny_doc = doc(
            {"Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
            {"Sid": "ProtectKeys", "Effect": "Deny", "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
             "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": [
                 "arn:aws:iam::*:role/admin/*", "arn:aws:iam::*:role/OrganizationAccountAccessRole"]}}},
            {"Sid": "RegionLock", "Effect": "Deny",
             "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*", "budgets:*"],
             "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": [r for r, _ in REGIONS]}}})
        root_t = {"TargetId": ROOT_ID, "Arn": f"arn:aws:organizations::{m}:root/{ORG_ID}/{ROOT_ID}", "Name": "Root", "Type": "ROOT"}
        ou_t = {"TargetId": OU_ID, "Arn": f"arn:aws:organizations::{m}:ou/{ORG_ID}/{OU_ID}", "Name": "Workloads",
                "Type": "ORGANIZATIONAL_UNIT"}
        acct_t = {"TargetId": ACCOUNT, "Arn": f"arn:aws:organizations::{m}:account/{ORG_ID}/{ACCOUNT}",
                  "Name": "workloads-prod", "Type": "ACCOUNT"}
        full_text = json.dumps(doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), indent=2)
        return {
            "describe-organization.json": {"Organization": {
                "Id": ORG_ID, "Arn": f"arn:aws:organizations::{m}:organization/{ORG_ID}", "FeatureSet": "ALL",
                "MasterAccountArn": f"arn:aws:organizations::{m}:account/{ORG_ID}/{m}", "MasterAccountId": m,
                "MasterAccountEmail": "aws-management@example.com",
                "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}},
            "list-policies-SERVICE_CONTROL_POLICY.json": {"Policies": [full, deny]},
            f"policies/{full['Id']}/describe-policy.json": {"Policy": {"PolicySummary": full, "Content": full_text}},
            f"policies/{full['Id']}/list-targets-for-policy.json": {"Targets": [root_t, ou_t, acct_t]},
            f"policies/{DENY_SCP_ID}/describe-policy.json": {"Policy": {"PolicySummary": deny, "Content": json.dumps(deny_doc)}},
            f"policies/{DENY_SCP_ID}/list-targets-for-policy.json": {"Targets": [ou_t]},
            f"parents/{ACCOUNT}/list-parents.json": {"Parents": [{"Id": OU_ID, "Type": "ORGANIZATIONAL_UNIT"}]},
            f"parents/{OU_ID}/list-parents.json": {"Parents": [{"Id": ROOT_ID, "Type": "ROOT"}]},
        }

    # -- everything -----------------------------------------------------------

    def write(self, folder: Path) -> Stats:
        t0 = time.perf_counter()
        rng = self.rng
        st = Stats()
        self.make_names()
        self.make_managed()

        # Key styles and aliases first: policies of the snapshot name keys.
        for i, k in enumerate(self.keys):
            if k.manager == "AWS":  # the first two keys of each Region
                k.style = "aws"
                k.alias = "alias/aws/ebs" if self.keys[i - 1].region != k.region or i == 0 else "alias/aws/s3"
            else:
                c = rng.random()
                k.style = "console" if k is self.bench_key else ("restricted" if c < 0.1 else "default" if c < 0.55 else "console")
                if rng.random() < 0.7:
                    k.alias = f"alias/{rng.choice(TEAMS)}-{rng.choice(COMPONENTS)}-{i}"

        roles = [self.role_detail(r) for r in self.roles]
        users = [self.user_detail(u) for u in self.users]
        groups = [self.group_detail(g) for g in self.groups]
        # Customer managed policies are all listed, AWS managed ones only when attached.
        policies = self.managed + [p for p in (self.aws_admin, self.aws_lambda) if p["AttachmentCount"]]
        details = {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies,
                   "IsTruncated": False}

        def put(rel: str, data, compact: bool = False) -> None:
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, separators=(",", ":")) if compact else json.dumps(data, indent=4)
            path.write_text(text + "\n")
            st.files += 1
            st.bytes += path.stat().st_size

        for rel, data in self.organization().items():
            put(f"organizations/{rel}", data)
        put(f"{ACCOUNT}/iam/get-account-authorization-details.json", details, compact=True)
        for region, _ in REGIONS:
            keys = [k for k in self.keys if k.region == region]
            base = f"{ACCOUNT}/kms/{region}"
            for k in keys:
                describe, policy, grants = self.key_files(k)
                put(f"{base}/{k.key_id}/describe-key.json", describe)
                put(f"{base}/{k.key_id}/get-key-policy.json", policy)
                put(f"{base}/{k.key_id}/list-grants.json", grants)
            put(f"{base}/list-keys.json", {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in keys], "Truncated": False})
            aliases = []
            for k in keys:
                if k.alias:
                    t = self.iso(self.when(), micro=True)
                    aliases.append({"AliasName": k.alias, "AliasArn": f"arn:aws:kms:{region}:{ACCOUNT}:{k.alias}",
                                    "TargetKeyId": k.key_id, "CreationDate": t, "LastUpdatedDate": t})
            for name in ("alias/aws/lambda", "alias/aws/rds"):  # AWS managed keys not created yet
                aliases.append({"AliasName": name, "AliasArn": f"arn:aws:kms:{region}:{ACCOUNT}:{name}"})
            aliases.sort(key=lambda a: a["AliasName"])
            put(f"{base}/list-aliases.json", {"Aliases": aliases, "Truncated": False})
        (folder / "bench-key.txt").write_text(self.bench_key.arn + "\n")

        st.roles, st.users, st.groups = len(roles), len(users), len(groups)
        st.policies, st.keys = len(policies), len(self.keys)
        st.grants = sum(k.grants for k in self.keys)
        st.bench_key = self.bench_key.arn
        st.kinds = {kind: sum(1 for r in self.roles if r.kind == kind) for kind in ("special", "root", "chain", "service", "partner", "users")}
        st.seconds = time.perf_counter() - t0
        return st


def generate(n_roles: int, folder: Path, seed: int) -> Stats:
    """Write a fresh snapshot of ``n_roles`` roles into ``folder``, replacing one
    this script wrote before (and refusing to touch any other non-empty folder)."""
    if folder.exists():
        if (folder / "bench-key.txt").exists():
            shutil.rmtree(folder)
        elif any(folder.iterdir()):
            raise SystemExit(f"{folder} is not empty and was not written by this script; not overwriting it")
    folder.mkdir(parents=True, exist_ok=True)
    return Generator(n_roles, seed).write(folder)


def check(folder: Path) -> int:
    """Parse every file again; key policies and SCP contents are JSON strings
    holding JSON. Returns the number of files checked."""
    n = 0
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text())
        if path.name == "get-key-policy.json":
            json.loads(data["Policy"])
        elif path.name == "describe-policy.json":
            json.loads(data["Policy"]["Content"])
        n += 1
    arn = (folder / "bench-key.txt").read_text().strip()
    region, key_id = arn.split(":")[3], arn.rsplit("/", 1)[1]
    if not (folder / ACCOUNT / "kms" / region / key_id / "get-key-policy.json").exists():
        raise SystemExit(f"bench key {arn} has no folder in {folder}")
    return n


# -- timing -------------------------------------------------------------------

_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from policylint.model.snapshot import load_snapshot
from policylint.evaluate.graph import build_graph
t1 = time.perf_counter()
rss_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
folder, key_arn = sys.argv[1], sys.argv[2]
snapshot = load_snapshot([folder])
t2 = time.perf_counter()
graph = build_graph(snapshot)
t3 = time.perf_counter()
answers = graph.who_can("kms:Decrypt", key_arn)
t4 = time.perf_counter()
n = len(answers)
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "graph": t3 - t2, "query": t4 - t3, "answers": n,
                  "rss_imports_kib": rss_imports,
                  "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rss_worker_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

# Byte-code caches as a normal installation has them (see lint_corpus.py).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_one(folder: Path, key_arn: str, timeout: float, memory_mib: int) -> dict:
    """One fresh process: the phases' seconds, ``answers`` and ``ru_maxrss``; or
    ``{"error": ...}`` when it runs past ``timeout`` seconds or fails (a
    ``MemoryError`` past the ``memory_mib`` address-space limit, for one)."""

    def limit() -> None:
        if memory_mib:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mib * 2**20, memory_mib * 2**20))

    t = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(folder), key_arn], capture_output=True, text=True,
                              env=ENV, cwd=ROOT, timeout=timeout or None, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (--timeout)"}
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"error": f"exit code {proc.returncode}: {lines[-1] if lines else 'no message'}"}
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    r["total"] = r["load"] + r["graph"] + r["query"]
    r["process"] = wall
    return r


def default_memory_mib() -> int:
    """Three quarters of the physical memory, so that a run that grows without
    bound fails with a MemoryError instead of bringing the machine down."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 / 4 / 2**20)
    except (ValueError, OSError, AttributeError):
        return 0


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise SystemExit(f"--sizes: expected numbers separated by commas, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise SystemExit("--sizes: at least one size, each at least 1")
    return sizes


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,10000", help="numbers of roles, separated by commas")
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per size; the best total is reported")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=900, help="seconds per process before it is stopped (0: none)")
    ap.add_argument("--memory-limit", type=int, default=default_memory_mib(), metavar="MIB",
                    help="address-space limit per process (default: 3/4 of physical memory; 0: none)")
    ap.add_argument("--keep", metavar="DIR", help="keep the generated snapshots in DIR/roles-<N>")
    ap.add_argument("--generate-only", metavar="DIR", help="write DIR/roles-<N> for each size, check them, time nothing")
    ap.add_argument("--no-write", action="store_true", help="print only; do not update BENCHMARKS.md")
    args = ap.parse_args()
    sizes = parse_sizes(args.sizes)

    if args.generate_only:
        out = Path(args.generate_only)
        for n in sizes:
            folder = out / f"roles-{n}"
            st = generate(n, folder, args.seed)
            t = time.perf_counter()
            checked = check(folder)
            auth = folder / ACCOUNT / "iam" / "get-account-authorization-details.json"
            print(f"{folder}: {st.roles} roles ({', '.join(f'{k} {v}' for k, v in st.kinds.items())}), {st.users} users, "
                  f"{st.groups} groups, {st.policies} managed policies, {st.keys} keys, {st.grants} grants; "
                  f"{st.files} files, {mib(st.bytes)} MiB (authorization details {mib(auth.stat().st_size)} MiB); "
                  f"generated in {st.seconds:.2f} s, {checked} files parsed again in {time.perf_counter() - t:.2f} s; "
                  f"query key {st.bench_key}")
        return

    import importlib.util

    missing = [m for m in ("policylint.load.snapshot", "policylint.evaluate.graph") if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not available yet; use --generate-only DIR to write snapshots only")

    results = []  # (roles, stats, best run) for sizes that ran
    failed: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory(prefix="policylint-snapshots-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        for n in sizes:
            if failed:  # a larger snapshot would fail too, only later
                failed.append((n, "not run: a smaller size failed"))
                continue
            folder = base / f"roles-{n}"
            st = generate(n, folder, args.seed)
            print(f"generated {folder} ({st.files} files, {mib(st.bytes)} MiB) in {st.seconds:.2f} s", file=sys.stderr)
            runs = []
            for _ in range(max(1, args.runs)):
                r = time_one(folder, st.bench_key, args.timeout, args.memory_limit)
                if "error" in r:
                    failed.append((n, r["error"]))
                    print(f"{n} roles: {r['error']}", file=sys.stderr)
                    break
                runs.append(r)
            if len(runs) < max(1, args.runs):
                continue
            best = min(runs, key=lambda r: r["total"])
            best["median_total"] = statistics.median(r["total"] for r in runs)
            results.append((n, st, best))
            print(f"{n} roles: load {best['load']:.2f} s, graph {best['graph']:.2f} s, who_can {best['query']:.3f} s "
                  f"({best['answers']} answers), total {best['total']:.2f} s, peak {best['rss_kib'] / 1024:.0f} MiB "
                  f"(worker {best['rss_worker_kib'] / 1024:.0f} MiB)",
                  file=sys.stderr)

    from importlib.metadata import version

    limits = ([f"{args.timeout:.0f} s"] if args.timeout else []) + (
        [f"{args.memory_limit:,} MiB of address space"] if args.memory_limit else [])
    lines = [
        BEGIN,
        f"## Account snapshots: load, principal graph, one `who_can` ({date.today().isoformat()})",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"policylint {version('policylint')}. Synthetic snapshots of one account (`benchmarks/snapshot.py`, seed "
        f"{args.seed}): N roles, N/5 users in N/50 groups, {N_MANAGED} customer managed policies, "
        f"{sum(c for _, c in REGIONS)} KMS keys in {len(REGIONS)} Regions with grants, an organization with two SCPs. "
        f"Each size in a fresh process, best total of {max(1, args.runs)} (files just written, so in the OS cache); seconds of "
        f"`load_snapshot([folder])`, `build_graph(snapshot)` and one `graph.who_can(\"kms:Decrypt\", key)`. "
        f"`build_graph` forks one worker on two or more CPUs (the escalation edges; this process decides the "
        f"can-assume edges). Peak memory is the process's `ru_maxrss`, interpreter and imports included, and "
        f"the worker's (its pages are shared with the process until either writes to them, so the two do not add up)"
        + (f" ({results[0][2]['rss_imports_kib'] / 1024:.0f} MiB after imports; imports took "
           f"{min(r['imports'] for _, _, r in results):.2f} s, not counted)" if results else "")
        + (f"; each process was limited to {' and '.join(limits)}" if limits else "") + ".",
        "",
        "| roles | users | groups | grants | snapshot MiB | load s | graph s | who_can s (answers) | total s (median) | peak MiB | worker peak MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, st, r in results:
        lines.append(
            f"| {n:,} | {st.users:,} | {st.groups:,} | {st.grants:,} | {mib(st.bytes)} | {r['load']:.2f} | {r['graph']:.2f} | "
            f"{r['query']:.3f} ({r['answers']:,}) | {r['total']:.2f} ({r['median_total']:.2f}) | {r['rss_kib'] / 1024:.0f} | "
            f"{r['rss_worker_kib'] / 1024:.0f} |"
        )
    for n, why in failed:
        lines.append(f"| {n:,} | | | | | | | | {why} | | |")
    if len(results) > 1:
        lines += ["", "Growth from one size to the next, per role (1.0 is linear):", ""]
        for (n0, _, r0), (n1, _, r1) in zip(results, results[1:]):
            t_ratio = (r1["total"] / n1) / (r0["total"] / n0)
            m0 = (r0["rss_kib"] - r0["rss_imports_kib"]) / n0
            m1 = (r1["rss_kib"] - r1["rss_imports_kib"]) / n1
            m_ratio = f"{m1 / m0:.2f}x" if m0 > 0 else "n/a"
            phases = ", ".join(f"{p} {(r1[p] / n1) / (r0[p] / n0):.2f}x" if r0[p] > 0 else f"{p} n/a"
                               for p in ("load", "graph", "query"))
            lines.append(f"- {n0:,} → {n1:,} roles: time per role {t_ratio:.2f}x ({phases}); "
                         f"memory above the imports per role {m_ratio}")
    lines += ["", "Target: under 10 s in total at 10,000 roles on two CPUs, growth close to linear"
              + (f" ({results[-1][0]:,} roles here: {results[-1][2]['total']:.2f} s on {os.cpu_count()} CPUs)."
                 if results else "."), END]
    write_section("\n".join(lines), BEGIN, END, write=not args.no_write)


if __name__ == "__main__":
    main()
