"""Read an AWS account's IAM principals and policies, KMS keys and Organizations
SCPs/RCPs with boto3, read-only, into the snapshot folder layout README documents
(the files :mod:`policylint.load.snapshot` reads), plus a collection report.

Sources (one AWS API Reference page per call):

- STS *GetCallerIdentity*: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
- IAM *GetAccountAuthorizationDetails*:
  https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
- KMS *ListKeys*, *DescribeKey*, *GetKeyPolicy*, *ListGrants*, *ListAliases*, *ListResourceTags*:
  https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html (and ``API_<Name>.html`` beside it)
- Organizations *DescribeOrganization*, *ListPolicies*, *DescribePolicy*, *ListTargetsForPolicy*,
  *ListParents*: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPolicies.html (and beside it)
- EC2 *DescribeRegions* (only for ``--regions all``):
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
- Retries: botocore's retry modes, https://docs.aws.amazon.com/boto3/latest/guide/retries.html and
  https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
- Eventual consistency of KMS (NotFoundException / KMSInvalidStateException for seconds to
  minutes after a change): https://docs.aws.amazon.com/kms/latest/developerguide/programming-eventual-consistency.html
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable

__all__ = [
    "READ_ONLY_OPERATIONS", "REPORT_FILE", "REPORT_KEY", "CollectError", "CollectOptions", "CollectProblem",
    "CollectResult", "ReadOnlyViolation", "collect",
]

#: The only API operations the collector's clients may send, as (botocore service name, operation).
#: Every client gets a ``before-call`` hook that refuses any other operation
#: (:class:`ReadOnlyViolation`) before a request is signed or sent.
READ_ONLY_OPERATIONS: frozenset[tuple[str, str]] = frozenset({
    ("sts", "GetCallerIdentity"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("kms", "ListKeys"), ("kms", "DescribeKey"), ("kms", "GetKeyPolicy"), ("kms", "ListGrants"),
    ("kms", "ListAliases"), ("kms", "ListResourceTags"),
    ("organizations", "DescribeOrganization"), ("organizations", "ListPolicies"),
    ("organizations", "DescribePolicy"), ("organizations", "ListTargetsForPolicy"),
    ("organizations", "ListParents"),
    ("ec2", "DescribeRegions"),
})

#: The collection report, at the top of the snapshot folder; the snapshot loader reads it.
REPORT_FILE = "collection-report.json"
#: Its single top-level key (how the loader recognises it by content).
REPORT_KEY = "PolicylintCollectionReport"

#: Errors that KMS returns while a change propagates (eventual consistency): retried with backoff.
CONSISTENCY_CODES = frozenset({"NotFoundException", "KMSInvalidStateException"})
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                     "UnrecognizedClientException"})
_THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
                        "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException"})
_KINDS = {"NotFoundException": "not-found", "NoSuchEntity": "not-found", "KMSInvalidStateException": "invalid-state"}
_GLOBAL = frozenset({"iam", "organizations", "sts"})  # reported with region "global"
_ORG_FILTERS = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
_IAM_FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]


class CollectError(Exception):
    """A usage or credential error: nothing (more) can be collected (the CLI exits 2)."""


class ReadOnlyViolation(RuntimeError):
    """The collector tried an API operation outside :data:`READ_ONLY_OPERATIONS` (a bug; never sent)."""


@dataclass(frozen=True)
class CollectProblem:
    """Something that could not be read; the snapshot lacks it.

    Attributes:
        kind: ``access-denied``, ``not-found``, ``invalid-state``, ``throttled`` or ``error``.
        service: botocore service name (``kms``). operation: API operation (``GetKeyPolicy``).
        region: the Region, or ``global`` for IAM and Organizations.
        resource: what was asked for (a key ARN, a policy ID, ``account``).
        code: the AWS error code (``AccessDeniedException``), or the botocore exception's name.
        message: the error message AWS (or botocore) gave.
        attempts: how many times the call was made: the consistency retries, plus botocore's
            retries of the last of them.
        missing: the snapshot file that is therefore absent, relative to the snapshot folder.
    """

    kind: str
    service: str
    operation: str
    region: str
    resource: str
    code: str
    message: str
    attempts: int
    missing: str

    def to_json(self) -> dict:
        """The report's JSON object for this problem (PascalCase keys)."""
        return {"Kind": self.kind, "Service": self.service, "Operation": self.operation, "Region": self.region,
                "Resource": self.resource, "Code": self.code, "Message": self.message,
                "Attempts": self.attempts, "MissingFile": self.missing}


@dataclass
class CollectOptions:
    """What to collect and how.

    Attributes:
        out: the snapshot folder to write (created; must not exist or be empty).
        profile: the AWS CLI profile (None: the default credential chain).
        regions: KMS Regions; ``[]`` means the profile's Region, ``["all"]`` every Region
            enabled for the account (EC2 *DescribeRegions*).
        max_attempts: botocore's total attempts per call (first try included), for throttling
            and transient errors (``Config(retries={"total_max_attempts": N})``), 1 to 20.
        retry_mode: botocore's retry mode, ``standard`` or ``adaptive`` (client-side rate limiting).
        consistency_attempts: total attempts of a per-key KMS call that fails with
            NotFoundException or KMSInvalidStateException (a key just listed), >= 1.
        consistency_delay: seconds before the first consistency retry; doubled after each, up to
            ``consistency_max_delay`` seconds.
        endpoint_url: send every call to this endpoint (a local stand-in such as moto); None:
            AWS's endpoints (boto3 also honours ``AWS_ENDPOINT_URL``).
    """

    out: str
    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    max_attempts: int = 5
    retry_mode: str = "standard"
    consistency_attempts: int = 5
    consistency_delay: float = 1.0
    consistency_max_delay: float = 16.0
    endpoint_url: str | None = None


@dataclass
class CollectResult:
    """What :func:`collect` wrote.

    Attributes:
        out: the snapshot folder. account: the caller's 12-digit account ID. caller: its ARN.
        regions: the KMS Regions read.
        counts: ``users``, ``groups``, ``roles``, ``managed_policies``, ``keys``, ``grants``,
            ``aliases`` (of the keys listed), ``org_policies`` -> how many were collected.
        problems: what could not be read (each a missing file of the snapshot).
        notes: facts about the collection that are not failures (no organization, RCPs not
            readable, ...).
        calls: every (service, operation) sent, in order (retries of the same call once each).
        files: the files written, relative to ``out``.
    """

    out: str
    account: str = ""
    caller: str = ""
    regions: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[CollectProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors_by_kind(self) -> dict[str, int]:
        """Problem kind -> count, sorted by kind."""
        out: dict[str, int] = {}
        for p in self.problems:
            out[p.kind] = out.get(p.kind, 0) + 1
        return dict(sorted(out.items()))

    @property
    def exit_code(self) -> int:
        """0 when everything was read, 1 when some resource could not be read."""
        return 1 if self.problems else 0


def collect(options: CollectOptions, *, session: Any = None, sleep: Callable[[float], None] = time.sleep,
            progress: Callable[[str], None] | None = None) -> CollectResult:
    """Collect a snapshot of the caller's account into ``options.out``.

    Args:
        options: see :class:`CollectOptions`.
        session: a ``boto3.Session`` to make clients from (None: ``boto3.Session(profile_name=options.profile)``).
            Handlers registered on its ``events`` reach every client (the tests inject faults so).
        sleep: waits between consistency retries (seconds); tests pass a recorder.
        progress: called with one line of progress per Region and service.

    Returns:
        A :class:`CollectResult`; the snapshot folder holds the CLI-shaped outputs and
        ``collection-report.json``. Calls that fail (access denied, throttled past botocore's
        retries, not found after the consistency retries) are problems in the result and the
        report; the rest is still collected.

    Raises:
        CollectError: bad options, an unusable output folder, a profile that does not exist,
            no or invalid credentials (GetCallerIdentity fails), no Region to read.
        ReadOnlyViolation: never in practice; a non-read call was attempted and refused.
    """
    return _Collector(options, session, sleep, progress or (lambda line: None)).run()


def _json_default(value: Any) -> Any:
    # The AWS CLI v2 prints timestamps as ISO 8601 (cli_timestamp_format = iso8601):
    # 2024-01-15T09:41:27.513000+00:00.
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class _Collector:
    def __init__(self, options: CollectOptions, session: Any, sleep: Callable[[float], None],
                 progress: Callable[[str], None]) -> None:
        self.o = options
        self.session = session
        self.sleep = sleep
        self.progress = progress
        self.result = CollectResult(out=options.out)
        self.clients: dict[tuple[str, str], Any] = {}
        self.started = datetime.now(timezone.utc)
        self.notes_detail: list[dict] = []

    # -- plumbing ----------------------------------------------------------------

    def _check_options(self) -> None:
        o = self.o
        if o.retry_mode not in ("standard", "adaptive"):
            raise CollectError(f"--retry-mode {o.retry_mode!r}: use standard or adaptive")
        if not 1 <= o.max_attempts <= 20:
            raise CollectError(f"--max-attempts {o.max_attempts}: give 1 to 20 (attempts in total, the first included)")
        if o.consistency_attempts < 1:
            raise CollectError("consistency_attempts must be at least 1")
        if os.path.exists(o.out):
            if not os.path.isdir(o.out):
                raise CollectError(f"--out {o.out}: exists and is not a folder")
            if os.listdir(o.out):
                raise CollectError(f"--out {o.out}: the folder is not empty; give a new or empty folder "
                                   "(files of an older snapshot would be read with the new ones)")

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self.clients:
            from botocore.config import Config

            # total_max_attempts counts the first try, as AWS_MAX_ATTEMPTS and the SDK reference
            # guide do; botocore's "max_attempts" key would count retries only.
            config = Config(retries={"mode": self.o.retry_mode, "total_max_attempts": self.o.max_attempts},
                            user_agent_extra="policylint-collect")
            kwargs: dict[str, Any] = {"region_name": region, "config": config}
            if self.o.endpoint_url:
                kwargs["endpoint_url"] = self.o.endpoint_url
            try:
                client = self.session.client(service, **kwargs)
            except ValueError as e:
                # botocore: "Invalid endpoint: URL" for an endpoint URL it cannot parse (AWS_ENDPOINT_URL=notaurl).
                if not str(e).startswith("Invalid endpoint"):
                    raise
                raise CollectError(self._bad_endpoint(service, str(e).split(":", 1)[1].strip())) from None
            # First at each operation's own event: botocore calls more specific handlers before
            # less specific ones, and stops at the first that answers (as stubs do).
            sid = client.meta.service_model.service_id.hyphenize()
            for op in client.meta.service_model.operation_names:
                client.meta.events.register_first(f"before-call.{sid}.{op}", self._guard)
            self.clients[key] = client
        return self.clients[key]

    def _bad_endpoint(self, service: str, url: str) -> str:
        """The usage error for an endpoint URL botocore cannot parse, naming where it was set."""
        if self.o.endpoint_url:
            where = "endpoint_url"
        else:
            specific = "AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")
            where = specific if os.environ.get(specific) else "AWS_ENDPOINT_URL" if os.environ.get("AWS_ENDPOINT_URL") \
                else "endpoint_url in the AWS config file"
        return (f"invalid endpoint URL {url!r} ({where}); give a full URL such as https://kms.us-east-1.amazonaws.com "
                "or http://localhost:5000, or unset it")

    def _guard(self, model: Any = None, **_: Any) -> None:
        """botocore ``before-call`` hook: only :data:`READ_ONLY_OPERATIONS` pass."""
        op = (model.service_model.service_name, model.name)
        if op not in READ_ONLY_OPERATIONS:
            raise ReadOnlyViolation(f"{op[0]}:{op[1]} is not a read-only operation the collector may call")
        self.result.calls.append(op)

    def _call(self, service: str, region: str, operation: str, *, resource: str, missing: str,
              paginate: bool = False, consistency: bool = False, quiet: frozenset[str] = frozenset(),
              **params: Any) -> dict | None:
        """One API call (all its pages when ``paginate``), with the consistency retries when
        ``consistency``. Returns the response without ResponseMetadata, or None after recording a
        problem. Error codes in ``quiet`` are raised (the caller handles them)."""
        from botocore import xform_name
        from botocore.exceptions import BotoCoreError, ClientError

        client = self._client(service, region)
        method = xform_name(operation)
        attempts = 0
        while True:
            attempts += 1
            try:
                if paginate:
                    result = client.get_paginator(method).paginate(**params).build_full_result()
                else:
                    result = getattr(client, method)(**params)
                result.pop("ResponseMetadata", None)
                return result
            except ClientError as e:
                code = str(e.response.get("Error", {}).get("Code", "ClientError"))
                tries = int(e.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
                if code in quiet:
                    raise
                if consistency and code in CONSISTENCY_CODES and attempts < self.o.consistency_attempts:
                    self.sleep(min(self.o.consistency_max_delay, self.o.consistency_delay * 2 ** (attempts - 1)))
                    continue
                kind = ("access-denied" if code in _DENIED else "throttled" if code in _THROTTLED
                        else _KINDS.get(code, "error"))
                total = attempts - 1 + tries
                self._problem(kind, service, operation, region, resource, code,
                              str(e.response.get("Error", {}).get("Message", "")), total, missing)
                return None
            except BotoCoreError as e:
                self._problem("error", service, operation, region, resource, type(e).__name__, str(e), attempts,
                              missing)
                return None

    def _problem(self, kind, service, operation, region, resource, code, message, attempts, missing) -> None:
        if service in _GLOBAL:
            region = "global"
        p = CollectProblem(kind=kind, service=service, operation=operation, region=region, resource=resource,
                           code=code, message=message, attempts=attempts, missing=missing)
        self.result.problems.append(p)
        self.progress(f"  could not read {service}:{operation} {resource} ({code} after {attempts} attempt"
                      f"{'s' if attempts != 1 else ''}): {missing} is missing")

    def _note(self, text: str, severity: str = "info") -> None:
        self.result.notes.append(text)
        self.notes_detail.append({"Severity": severity, "Message": text})
        self.progress(f"  note: {text}")

    def _write(self, rel: str, data: dict) -> None:
        path = os.path.join(self.o.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=4, ensure_ascii=False, default=_json_default))
            f.write("\n")
        self.result.files.append(rel.replace(os.sep, "/"))

    # -- the run -----------------------------------------------------------------

    def run(self) -> CollectResult:
        self._check_options()
        if self.session is None:
            import boto3
            from botocore.exceptions import ProfileNotFound

            try:
                self.session = boto3.Session(profile_name=self.o.profile)
            except ProfileNotFound as e:
                raise CollectError(f"--profile {self.o.profile}: {e}") from None
        regions = self._regions_base()
        every = "all" in self.o.regions
        if not regions and not every:
            raise CollectError("no Region to read KMS keys in: give --region REGION (repeatable) or --regions all, "
                               "or set a Region in the profile")
        self._identity(regions[0] if regions else "us-east-1")
        if every:
            regions = self._all_regions(regions[0] if regions else "us-east-1")
            if not regions:
                raise CollectError("ec2:DescribeRegions lists no enabled Region: name the Regions with --region")
        self.result.regions = regions
        os.makedirs(self.o.out, exist_ok=True)
        counts = self.result.counts
        for name in ("users", "groups", "roles", "managed_policies", "keys", "grants", "aliases", "org_policies"):
            counts[name] = 0
        self._iam(regions[0])
        for region in regions:
            self._kms(region)
        self._organizations(regions[0])
        self._report()
        return self.result

    def _regions_base(self) -> list[str]:
        named = [r for r in self.o.regions if r != "all"]
        if named:
            return list(dict.fromkeys(named))
        region = self.session.region_name
        return [region] if region else []

    def _identity(self, region: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            ident = self._client("sts", region).get_caller_identity()
        except ClientError as e:
            err = e.response.get("Error", {})
            raise CollectError(f"the credentials do not work (sts GetCallerIdentity: {err.get('Code')}: "
                               f"{err.get('Message')})") from None
        except BotoCoreError as e:
            raise CollectError(f"no usable AWS credentials or endpoint ({type(e).__name__}: {e}); set a profile "
                               "(--profile) or the AWS_* environment variables") from None
        self.result.account = str(ident.get("Account", ""))
        self.result.caller = str(ident.get("Arn", ""))
        self.progress(f"caller {self.result.caller} (account {self.result.account})")

    def _all_regions(self, region: str) -> list[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            resp = self._client("ec2", region).describe_regions(AllRegions=False)
        except (ClientError, BotoCoreError) as e:
            raise CollectError(f"--regions all needs ec2:DescribeRegions ({e}); name the Regions with --region") from None
        return sorted(r["RegionName"] for r in resp.get("Regions", []) if r.get("RegionName"))

    def _iam(self, region: str) -> None:
        acct = self.result.account
        rel = f"{acct}/iam/get-account-authorization-details.json"
        self.progress("global iam: get-account-authorization-details")
        out = self._call("iam", region, "GetAccountAuthorizationDetails", resource="account", missing=rel,
                         paginate=True, Filter=list(_IAM_FILTERS))
        if out is None:
            return
        out.pop("Marker", None)
        out["IsTruncated"] = False
        self._write(rel, out)
        c = self.result.counts
        c["users"] = len(out.get("UserDetailList", []))
        c["groups"] = len(out.get("GroupDetailList", []))
        c["roles"] = len(out.get("RoleDetailList", []))
        c["managed_policies"] = len(out.get("Policies", []))
        self.progress(f"global iam: {c['users']} users, {c['groups']} groups, {c['roles']} roles, "
                      f"{c['managed_policies']} managed policies")

    def _kms(self, region: str) -> None:
        acct = self.result.account
        base = f"{acct}/kms/{region}"
        self.progress(f"{region} kms: list-keys, list-aliases")
        keys = self._call("kms", region, "ListKeys", resource="keys", missing=f"{base}/list-keys.json", paginate=True)
        aliases = self._call("kms", region, "ListAliases", resource="aliases", missing=f"{base}/list-aliases.json",
                             paginate=True)
        if aliases is not None:
            aliases.pop("NextMarker", None)
            aliases["Truncated"] = False
            self._write(f"{base}/list-aliases.json", aliases)
        if keys is None:
            return
        keys.pop("NextMarker", None)
        keys["Truncated"] = False
        self._write(f"{base}/list-keys.json", keys)
        grants_here = 0
        key_list = [k for k in keys.get("Keys", []) if isinstance(k.get("KeyId"), str)]
        listed = {k["KeyId"] for k in key_list}
        if aliases is not None:
            self.result.counts["aliases"] += sum(1 for a in aliases.get("Aliases", []) if a.get("TargetKeyId") in listed)
        for k in key_list:
            kid, arn = k["KeyId"], k.get("KeyArn") or k["KeyId"]
            folder = f"{base}/{kid}"
            meta = self._call("kms", region, "DescribeKey", resource=arn, missing=f"{folder}/describe-key.json",
                              consistency=True, KeyId=kid)
            if meta is not None:
                self._write(f"{folder}/describe-key.json", meta)
            pol = self._call("kms", region, "GetKeyPolicy", resource=arn, missing=f"{folder}/get-key-policy.json",
                             consistency=True, KeyId=kid, PolicyName="default")
            if pol is not None:
                pol.setdefault("PolicyName", "default")
                self._write(f"{folder}/get-key-policy.json", pol)
            grants = self._call("kms", region, "ListGrants", resource=arn, missing=f"{folder}/list-grants.json",
                                paginate=True, consistency=True, KeyId=kid)
            if grants is not None:
                grants.pop("NextMarker", None)
                grants["Truncated"] = False
                self._write(f"{folder}/list-grants.json", grants)
                grants_here += len(grants.get("Grants", []))
            # AWS managed keys cannot be tagged (KMS Developer Guide, "Tagging keys"): not asked.
            if not (meta and meta.get("KeyMetadata", {}).get("KeyManager") == "AWS"):
                tags = self._call("kms", region, "ListResourceTags", resource=arn,
                                  missing=f"{folder}/list-resource-tags.json", paginate=True, consistency=True,
                                  KeyId=kid)
                if tags is not None:
                    tags.pop("NextMarker", None)
                    tags["Truncated"] = False
                    self._write(f"{folder}/list-resource-tags.json", tags)
        self.result.counts["keys"] += len(key_list)
        self.result.counts["grants"] += grants_here
        self.progress(f"{region} kms: {len(key_list)} keys, {grants_here} grants")

    def _organizations(self, region: str) -> None:
        from botocore.exceptions import ClientError

        self.progress("global organizations: describe-organization, list-policies")
        try:
            org = self._call("organizations", region, "DescribeOrganization", resource="organization",
                             missing="organizations/describe-organization.json",
                             quiet=frozenset({"AWSOrganizationsNotInUseException", *_DENIED}))
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if code == "AWSOrganizationsNotInUseException":
                self._note("the account is not in an AWS Organizations organization: no SCPs or RCPs apply")
            else:
                self._note(f"AWS Organizations cannot be read by the caller ({code}): SCPs and RCPs were not "
                           "collected, and answers over this snapshot leave them out", "warning")
            return
        if org is None:
            return
        lists: dict[str, dict] = {}
        for flt in _ORG_FILTERS:
            kind = "SCPs" if flt == "SERVICE_CONTROL_POLICY" else "RCPs"
            try:
                got = self._call("organizations", region, "ListPolicies", resource=flt,
                                 missing=f"organizations/list-policies-{flt}.json", paginate=True,
                                 quiet=frozenset({*_DENIED, "PolicyTypeNotEnabledException",
                                                  "AWSOrganizationsNotInUseException"}), Filter=flt)
            except ClientError as e:
                code = e.response.get("Error", {}).get("Code")
                self._note(f"{kind} cannot be listed by the caller ({code}; only the management account or a "
                           f"delegated administrator may): {kind} were not collected, and answers over this "
                           "snapshot leave them out", "warning")
                continue
            if got is not None:
                got.pop("NextToken", None)
                lists[flt] = got
        if not lists:
            return  # nothing usable: no organizations/ folder, so the loader says SCPs are not considered
        self._write("organizations/describe-organization.json", org)
        for flt, got in lists.items():
            self._write(f"organizations/list-policies-{flt}.json", got)
            for pol in got.get("Policies", []):
                pid = pol.get("Id")
                if not isinstance(pid, str):
                    continue
                self.result.counts["org_policies"] += 1
                folder = f"organizations/policies/{pid}"
                desc = self._call("organizations", region, "DescribePolicy", resource=pid,
                                  missing=f"{folder}/describe-policy.json", PolicyId=pid)
                if desc is not None:
                    self._write(f"{folder}/describe-policy.json", desc)
                targets = self._call("organizations", region, "ListTargetsForPolicy", resource=pid,
                                     missing=f"{folder}/list-targets-for-policy.json", paginate=True, PolicyId=pid)
                if targets is not None:
                    targets.pop("NextToken", None)
                    self._write(f"{folder}/list-targets-for-policy.json", targets)
        child, seen = self.result.account, set()
        while child and child not in seen and not child.startswith("r-"):
            seen.add(child)
            rel = f"organizations/parents/{child}/list-parents.json"
            parents = self._call("organizations", region, "ListParents", resource=child, missing=rel, paginate=True,
                                 ChildId=child)
            if parents is None:
                break
            parents.pop("NextToken", None)
            self._write(rel, parents)
            ps = parents.get("Parents", [])
            child = ps[0].get("Id") if ps else None
        self.progress(f"global organizations: {self.result.counts['org_policies']} policies")

    def _report(self) -> None:
        r = self.result
        report = {REPORT_KEY: {
            "Version": 1,
            "StartedAt": self.started,
            "FinishedAt": datetime.now(timezone.utc),
            "Caller": {"Account": r.account, "Arn": r.caller},
            "Regions": r.regions,
            "Retries": {"Mode": self.o.retry_mode, "MaxAttempts": self.o.max_attempts,
                        "ConsistencyAttempts": self.o.consistency_attempts},
            "Counts": r.counts,
            "ErrorsByKind": r.errors_by_kind,
            "Problems": [p.to_json() for p in r.problems],
            "Notes": self.notes_detail,
        }}
        self._write(REPORT_FILE, report)
