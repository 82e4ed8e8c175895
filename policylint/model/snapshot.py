"""An account snapshot: the IAM principals, managed policies, KMS keys and
Organizations policies of one or more AWS accounts, as AWS CLI outputs hold them.

Sources: IAM API Reference, *GetAccountAuthorizationDetails* (UserDetail,
GroupDetail, RoleDetail, ManagedPolicyDetail, PolicyVersion); AWS KMS API
Reference, *DescribeKey*, *GetKeyPolicy*, *ListGrants*, *ListAliases*; AWS
Organizations API Reference, *DescribePolicy*, *ListTargetsForPolicy*,
*ListParents*, *DescribeOrganization*.

Policy documents stay as :class:`SnapshotPolicy` (the parsed document, its
file and JSON pointer, and a locator for positions); the evaluator's model is
built from them on demand (:mod:`policylint.evaluate.snapshot`).
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

import os
import re

from policylint.gcpause import paused_gc
from policylint.load.jsonload import JsonLocator
from policylint.load.reader import LoadedFile, read_file
from policylint.model.grant import Grant, build_grants, truncated

__all__ = [
    "IamGroup", "IamRole", "IamUser", "KmsKey", "ManagedPolicy", "OrgPolicy", "Snapshot", "SnapshotPolicy",
    "SnapshotProblem", "build_snapshot", "load_snapshot",
]


_KEY_ID = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_ORG_KINDS = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, arbitrary_types_allowed=True, extra="forbid")


class SnapshotPolicy(_Model):
    """One policy document inside a snapshot file.

    Attributes:
        name: a label for answers (``user/alice inline policy KmsUse``,
            ``managed policy KeyUse v2``, ``key policy of key/1234...``).
        document: the parsed document (a dict, unvalidated).
        file: the file it was read from (as shown in reports).
        pointer: JSON pointer of the document in that file (through a JSON
            string for documents embedded as text, e.g. ``/Policy``).
        locate: maps a data path inside the document to a 1-based (line,
            column) in ``file``, or None when unknown.
    """

    name: str
    document: Any
    file: str
    pointer: str = ""
    locate: Callable[..., Any] | None = Field(default=None, exclude=True, repr=False)


class ManagedPolicy(_Model):
    """A managed policy of ``Policies`` (customer or AWS managed), default version only.

    Attributes:
        arn: ``arn:aws:iam::111122223333:policy/Name`` or ``arn:aws:iam::aws:policy/Name``.
        name: the policy name.
        default_version: the ``VersionId`` in force (``v2``).
        policy: the default version's document, or None when the export lists no default version.
    """

    arn: str
    name: str
    default_version: str | None = None
    policy: SnapshotPolicy | None = None


class _Principal(_Model):
    arn: str
    name: str
    account: str
    path: str = "/"
    inline: list[SnapshotPolicy] = Field(default_factory=list)
    attached: list[str] = Field(default_factory=list)  # managed policy ARNs
    boundary: str | None = None  # permissions boundary policy ARN
    tags: dict[str, str] = Field(default_factory=dict)
    file: str = ""
    pointer: str = ""


class IamUser(_Principal):
    """An IAM user: ``groups`` are group names of the same account."""

    groups: list[str] = Field(default_factory=list)


class IamGroup(_Principal):
    """An IAM group (no boundary, no trust policy)."""


class IamRole(_Principal):
    """An IAM role: ``trust`` is its role trust policy (who may assume it);
    ``instance_profiles`` are the ARNs of its instance profiles."""

    trust: SnapshotPolicy | None = None
    instance_profiles: list[str] = Field(default_factory=list)

    @property
    def service_linked(self) -> bool:
        """A service-linked role (path ``/aws-service-role/``): only its service assumes it."""
        return self.path.startswith("/aws-service-role/")


class KmsKey(_Model):
    """A KMS key: ``describe-key`` metadata, its key policy, grants and aliases.

    Attributes:
        arn: the key ARN. key_id: the key ID. account, region: where it is.
        metadata: the ``KeyMetadata`` object (KeyManager, KeyState, ...), or {} when absent.
        policy: the key policy, or None when the snapshot has none for this key.
        grants: the grants from ``list-grants``.
        grants_read: whether a ``list-grants`` output was found for the key.
        grants_truncated: the list-grants output said more grants follow.
        grants_file: where the grants came from.
        aliases: alias names (``alias/app-data``) that point at the key.
        tags: the key's tags (``list-resource-tags``), TagKey -> TagValue; {} when not collected.
    """

    arn: str
    key_id: str
    account: str
    region: str
    metadata: dict = Field(default_factory=dict)
    policy: SnapshotPolicy | None = None
    grants: list[Grant] = Field(default_factory=list)
    grants_read: bool = False
    grants_truncated: bool = False
    grants_file: str | None = None
    aliases: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def label(self) -> str:
        """``key/<id>`` with its first alias, for answers."""
        return f"key/{self.key_id}" + (f" ({self.aliases[0]})" if self.aliases else "")


class OrgPolicy(_Model):
    """An SCP or RCP: ``kind`` is ``scp`` or ``rcp``; ``targets`` are the IDs
    (root ``r-...``, OU ``ou-...``, 12-digit account) it is attached to."""

    id: str
    name: str
    kind: str
    policy: SnapshotPolicy | None = None
    targets: list[str] = Field(default_factory=list)
    targets_read: bool = False


class SnapshotProblem(_Model):
    """A missing or inconsistent piece of the snapshot (never a crash).

    Attributes:
        file: the file concerned (or the snapshot folder).
        line, column: 1-based position, when known.
        message: what is missing or wrong and what it changes in the answers.
        severity: ``error`` (answers may be wrong), ``warning``, ``info``.
    """

    file: str
    line: int | None = None
    column: int | None = None
    message: str
    severity: str = "warning"


class Snapshot(_Model):
    """Everything read from a snapshot folder.

    Attributes:
        accounts: the account IDs that hold principals or keys in the snapshot.
        users, groups, roles: by ARN.
        policies: managed policies by ARN.
        keys: KMS keys by key ARN.
        org_policies: SCPs and RCPs by policy ID.
        parents: Organizations child ID (account or OU) -> parent ID (OU or root).
        management_account: the organization's management account (SCPs and RCPs
            do not apply to it), or None.
        org_read: whether Organizations outputs were found at all.
        problems: missing pieces, in reading order.
        files: every file read (as shown in reports).
    """

    accounts: list[str] = Field(default_factory=list)
    users: dict[str, IamUser] = Field(default_factory=dict)
    groups: dict[str, IamGroup] = Field(default_factory=dict)
    roles: dict[str, IamRole] = Field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = Field(default_factory=dict)
    keys: dict[str, KmsKey] = Field(default_factory=dict)
    org_policies: dict[str, OrgPolicy] = Field(default_factory=dict)
    parents: dict[str, str] = Field(default_factory=dict)
    management_account: str | None = None
    org_read: bool = False
    problems: list[SnapshotProblem] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)

    def group(self, account: str, name: str) -> IamGroup | None:
        """The group ``name`` of ``account``, or None."""
        for g in self.groups.values():
            if g.account == account and g.name == name:
                return g
        return None

    def org_levels(self, account: str) -> list[str]:
        """Organizations IDs from the root down to ``account`` (``[r-.., ou-.., account]``),
        or [] when the snapshot does not place the account."""
        chain = [account]
        seen = {account}
        while chain[-1] in self.parents:
            parent = self.parents[chain[-1]]
            if parent in seen:
                break
            seen.add(parent)
            chain.append(parent)
        if len(chain) == 1 or not chain[-1].startswith("r-"):
            return []
        return list(reversed(chain))


# ---------------------------------------------------------------------------
# Building a snapshot from its files.
#
# Each file is recognised by its content, as the AWS CLI v2 prints it; folder
# names supply what an output does not say itself (the key ID of a
# ``get-key-policy`` output, the policy ID of ``list-targets-for-policy``, the
# child ID of ``list-parents``). The layout README documents::
#
#     SNAPSHOT/
#       [ACCOUNT/]iam/get-account-authorization-details.json
#       [ACCOUNT/]kms/REGION/list-keys.json, list-aliases.json
#       [ACCOUNT/]kms/REGION/KEY-ID/describe-key.json, get-key-policy.json, list-grants.json
#       organizations/describe-organization.json
#       organizations/list-policies-SERVICE_CONTROL_POLICY.json (and ..._RESOURCE_CONTROL_POLICY)
#       organizations/policies/POLICY-ID/describe-policy.json, list-targets-for-policy.json
#       organizations/parents/CHILD-ID/list-parents.json


def load_snapshot(paths: list[str], progress: bool | None = None) -> "Snapshot":
    """Read every JSON file under ``paths`` into a :class:`Snapshot`
    (:func:`policylint.load.snapshot.read_snapshot_files`, then :func:`build_snapshot`).

    Args:
        paths: snapshot folders and/or files.
        progress: show a progress bar on stderr; None means "when stderr is a
            terminal and there are many files".

    Returns:
        The snapshot; files that cannot be read or are not AWS CLI outputs of
        the kinds above are listed in ``problems`` (with line and column when
        the file does not parse), and every other file is still read.
    """
    from policylint.load.snapshot import read_snapshot_files

    with paused_gc():
        return build_snapshot(read_snapshot_files(paths, progress))


def build_snapshot(files) -> "Snapshot":
    """The :class:`Snapshot` of read files (a :class:`policylint.load.snapshot.SnapshotFiles`).

    Missing pieces (a boundary or attached policy absent from ``Policies``, a
    key with no policy file, a truncated output) become :class:`SnapshotProblem`
    entries, never exceptions. Sources: IAM API Reference,
    *GetAccountAuthorizationDetails*; AWS KMS API Reference, *DescribeKey*,
    *GetKeyPolicy*, *ListGrants*, *ListKeys*, *ListAliases*; AWS Organizations
    API Reference, *DescribePolicy*, *ListTargetsForPolicy*, *ListParents*.
    """
    snap = Snapshot()
    for missing in files.missing:
        snap.problems.append(SnapshotProblem(file=missing, message="no such file or folder", severity="error"))
    for shown, reason in files.skipped:
        snap.problems.append(SnapshotProblem(file=shown, message=f"not read: {reason}", severity="warning"))
    state = _State(snap)
    for path, shown, loaded in files.files:
        state.read(path, shown, loaded)
    state.finish()
    return snap


class _State:
    """Collects the pieces while files are read, then joins them (:meth:`finish`)."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.key_policies: dict[str, tuple[SnapshotPolicy, str]] = {}  # key id -> (policy, file)
        self.key_grants: dict[str, tuple[list, bool, str]] = {}
        self.key_meta: dict[str, tuple[dict, str]] = {}
        self.listed_keys: dict[str, tuple[str, str]] = {}  # key id -> (arn, file)
        self.aliases: dict[str, list[str]] = {}  # key id -> alias names
        self.org_targets: dict[str, tuple[list[str], str]] = {}
        self.org_listed: dict[str, tuple[str, str, str]] = {}  # id -> (name, kind, file)
        self.unreadable_policies: set[str] = set()  # key IDs whose get-key-policy output was unusable
        self.key_tags: dict[str, dict[str, str]] = {}  # key id -> tags (list-resource-tags)

    # -- reading ---------------------------------------------------------------

    def problem(self, file: str, message: str, severity: str = "warning", pos: tuple[int, int] | None = None) -> None:
        self.snap.problems.append(SnapshotProblem(file=file, line=pos[0] if pos else None,
                                                  column=pos[1] if pos else None, message=message, severity=severity))

    def read(self, path: str, shown: str, loaded: LoadedFile) -> None:
        snap = self.snap
        snap.files.append(shown)
        for p in loaded.problems:
            self.problem(shown, p.message, "error", (p.line, p.column) if p.line else None)
        if loaded.problems and not loaded.roots:
            return  # nothing parsed; what did parse is still used below
        if len(loaded.roots) != 1 or not isinstance(loaded.roots[0], dict):
            self.problem(shown, "not an AWS CLI JSON output (expected one JSON object); not used", "warning")
            return
        root = loaded.roots[0]
        folder = os.path.basename(os.path.dirname(path))
        policies = {p.pointer: p for p in loaded.policies}
        if any(k in root for k in ("UserDetailList", "GroupDetailList", "RoleDetailList")) or (
                isinstance(root.get("Policies"), list) and any(
                    isinstance(p, dict) and "PolicyVersionList" in p for p in root["Policies"])):
            self.auth_details(root, loaded, policies)
        elif isinstance(root.get("KeyMetadata"), dict):
            meta = root["KeyMetadata"]
            kid = meta.get("KeyId") if isinstance(meta.get("KeyId"), str) else folder
            self.key_meta[kid] = (meta, shown)
        elif isinstance(root.get("Policy"), str):
            kid = self._key_of_folder(path, folder, shown)
            if kid is None:
                self.problem(shown, "a get-key-policy output whose key is unknown: put it in a folder named after the "
                             "key ID (kms/REGION/KEY-ID/get-key-policy.json) or beside its describe-key.json; not used")
                return
            ps = policies.get("/Policy")
            if ps is None or not isinstance(ps.document, dict):
                self.problem(shown, f"key {kid}: the Policy string holds no policy document (a JSON object); the key "
                             "policy is unknown, so answers about the key say what it would need to allow", "error")
                self.unreadable_policies.add(kid)
                return
            self.key_policies[kid] = (SnapshotPolicy(name=f"key policy of key/{kid}", document=ps.document, file=shown,
                                                     pointer="/Policy", locate=ps.locator.locate), shown)
        elif "Grants" in root:
            grants, problems = build_grants(root)
            loc = JsonLocator(loaded.source)
            for where, message in problems:
                self.problem(shown, f"grant not understood: {message}; left out", "error", loc.locate(where))
            kid = self._key_of_folder(path, folder, shown)
            if kid is None and grants:
                kid = grants[0].key_id.rsplit("/", 1)[-1]
            if kid is None:
                self.problem(shown, "a list-grants output whose key is unknown (no grants, and the folder is not a key ID)", "info")
                return
            self.key_grants[kid] = (grants, truncated(root), shown)
            if truncated(root):
                self.problem(shown, "list-grants output is truncated (Truncated is true): grants past this page are "
                             "missing, so grant access may be under-reported", "error")
        elif isinstance(root.get("PolicylintCollectionReport"), dict):
            self.collection_report(root["PolicylintCollectionReport"], shown)
        elif isinstance(root.get("Tags"), list) and "Grants" not in root and _KEY_ID.match(folder):
            kid = self._key_of_folder(path, folder, shown) or folder
            self.key_tags[kid] = {t["TagKey"]: str(t.get("TagValue", "")) for t in root["Tags"]
                                  if isinstance(t, dict) and isinstance(t.get("TagKey"), str)}
            if root.get("Truncated") is True:
                self.problem(shown, "list-resource-tags output is truncated: tags past this page are missing", "warning")
        elif isinstance(root.get("Keys"), list):
            for k in root["Keys"]:
                if isinstance(k, dict) and isinstance(k.get("KeyId"), str):
                    self.listed_keys[k["KeyId"]] = (k.get("KeyArn") or "", shown)
            if root.get("Truncated") is True:
                self.problem(shown, "list-keys output is truncated: keys past this page are missing", "error")
        elif isinstance(root.get("Aliases"), list):
            for a in root["Aliases"]:
                if isinstance(a, dict) and isinstance(a.get("TargetKeyId"), str) and isinstance(a.get("AliasName"), str):
                    self.aliases.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
            if root.get("Truncated") is True:
                self.problem(shown, "list-aliases output is truncated: aliases past this page are missing", "warning")
        elif isinstance(root.get("Organization"), dict):
            org = root["Organization"]
            snap.org_read = True
            mgmt = org.get("ManagementAccountId") or org.get("MasterAccountId")
            snap.management_account = mgmt if isinstance(mgmt, str) else None
        elif isinstance(root.get("Policy"), dict) and "Content" in root["Policy"]:
            self.org_policy(root, folder, shown, policies)
        elif isinstance(root.get("Policies"), list):
            snap.org_read = True
            for p in root["Policies"]:
                if isinstance(p, dict) and isinstance(p.get("Id"), str):
                    kind = _ORG_KINDS.get(p.get("Type", ""))
                    if kind:
                        self.org_listed[p["Id"]] = (str(p.get("Name", p["Id"])), kind, shown)
        elif isinstance(root.get("Targets"), list):
            snap.org_read = True
            ids = [t["TargetId"] for t in root["Targets"] if isinstance(t, dict) and isinstance(t.get("TargetId"), str)]
            self.org_targets[folder] = (ids, shown)
            if root.get("NextToken"):
                self.problem(shown, "list-targets-for-policy output has a NextToken: targets past this page are missing", "error")
        elif isinstance(root.get("Parents"), list):
            snap.org_read = True
            parents = [p["Id"] for p in root["Parents"] if isinstance(p, dict) and isinstance(p.get("Id"), str)]
            if parents:
                snap.parents[folder] = parents[0]
        else:
            shown_keys = ", ".join(sorted(root)[:5])
            self.problem(shown, f"not an AWS CLI output the snapshot uses (top-level keys: {shown_keys or 'none'}); not used", "info")

    def collection_report(self, report: dict, shown: str) -> None:
        """``collection-report.json`` of ``policylint collect``: each call that failed is an
        error (its output is missing from the snapshot), each note at its own severity."""
        for p in _list(report.get("Problems")):
            what = f"{p.get('Service', '?')}:{p.get('Operation', '?')}"
            where = p.get("Region") or "?"
            attempts = p.get("Attempts")
            self.problem(shown, f"collection could not read {what} for {p.get('Resource', '?')} ({where}; "
                         f"{p.get('Kind', 'error')}: {p.get('Code', '?')}"
                         f"{f' after {attempts} attempts' if isinstance(attempts, int) and attempts > 1 else ''}): "
                         f"{p.get('MissingFile') or 'an output'} is missing from the snapshot, so answers that "
                         "need it may be wrong", "error")
        for n in _list(report.get("Notes")):
            sev = n.get("Severity") if n.get("Severity") in ("error", "warning", "info") else "info"
            self.problem(shown, f"collection note: {n.get('Message', '')}", sev)

    def _key_of_folder(self, path: str, folder: str, shown: str) -> str | None:
        """The key a per-key output belongs to: its folder's describe-key.json
        says, else the folder name when it is a key ID."""
        said = _key_id_of(os.path.join(os.path.dirname(path), "describe-key.json"))
        if said is not None and _KEY_ID.match(folder) and said != folder:
            self.problem(shown, f"the folder is named {folder} but its describe-key.json is for key {said}; "
                         f"read as key {said}", "error")
        return said or (folder if _KEY_ID.match(folder) else None)

    def auth_details(self, root: dict, loaded: LoadedFile, policies: dict) -> None:
        snap, shown = self.snap, loaded.path
        loc = JsonLocator(loaded.source)
        if root.get("IsTruncated") is True:
            self.problem(shown, "get-account-authorization-details output is truncated (IsTruncated is true): principals "
                         "and policies past this page are missing; fetch every page (the CLI's default pagination)",
                         "error", loc.locate(("IsTruncated",)))

        def doc(ptr: str, name: str) -> SnapshotPolicy | None:
            ps = policies.get(ptr)
            if ps is None:
                return None
            return SnapshotPolicy(name=name, document=ps.document, file=shown, pointer=ptr, locate=ps.locator.locate)

        for i, pol in enumerate(_list(root.get("Policies"))):
            arn, name = pol.get("Arn"), pol.get("PolicyName")
            if not isinstance(arn, str) or not isinstance(name, str):
                self.problem(shown, "managed policy without Arn or PolicyName; left out", "error", loc.locate(("Policies", i)))
                continue
            declared = pol.get("DefaultVersionId") if isinstance(pol.get("DefaultVersionId"), str) else None
            mp = ManagedPolicy(arn=arn, name=name, default_version=declared)
            flagged = []
            for j, ver in enumerate(_list(pol.get("PolicyVersionList"))):
                flag = ver.get("IsDefaultVersion")
                if flag is True or (isinstance(flag, str) and flag.lower() == "true") or (
                        declared and ver.get("VersionId") == declared):
                    flagged.append((j, ver))
            if len(flagged) > 1:
                self.problem(shown, f"managed policy {name}: {len(flagged)} versions claim to be the default; "
                             f"{'DefaultVersionId ' + declared + ' is used' if declared else 'the first is used'}",
                             "error", loc.locate(("Policies", i)))
                flagged = [f for f in flagged if f[1].get("VersionId") == declared] or flagged[:1]
            for j, ver in flagged[:1]:
                mp.default_version = ver.get("VersionId") or mp.default_version
                mp.policy = doc(f"/Policies/{i}/PolicyVersionList/{j}/Document", f"managed policy {name} {mp.default_version}")
            if mp.policy is None:
                self.problem(shown, f"managed policy {name}: no default version document in the export; "
                             "it grants nothing in the answers", "error", loc.locate(("Policies", i)))
            if arn in snap.policies:
                self.problem(shown, f"managed policy {arn} is listed twice; the later one is used", "warning",
                             loc.locate(("Policies", i)))
            snap.policies[arn] = mp

        for list_name in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            bad = _non_objects(root.get(list_name))
            if bad or (list_name in root and not isinstance(root[list_name], list)):
                self.problem(shown, f"{list_name}: {bad or 'the value'} {'entries are' if bad != 1 else 'entry is'} not "
                             "JSON objects; left out", "error", loc.locate((list_name,)))
        for list_name, inline_key, cls in (("UserDetailList", "UserPolicyList", IamUser),
                                           ("GroupDetailList", "GroupPolicyList", IamGroup),
                                           ("RoleDetailList", "RolePolicyList", IamRole)):
            name_key = {"UserDetailList": "UserName", "GroupDetailList": "GroupName", "RoleDetailList": "RoleName"}[list_name]
            for i, ent in enumerate(_list(root.get(list_name))):
                arn, name = ent.get("Arn"), ent.get(name_key)
                account = arn.split(":")[4] if isinstance(arn, str) and arn.count(":") >= 5 else ""
                if not isinstance(name, str) or not _ACCOUNT.match(account):
                    self.problem(shown, f"{list_name} entry without {name_key} or a valid Arn; left out", "error",
                                 loc.locate((list_name, i)))
                    continue
                kind = cls.__name__[3:].lower()
                fields: dict[str, Any] = dict(arn=arn, name=name, account=account, path=str(ent.get("Path") or "/"),
                                              file=shown, pointer=f"/{list_name}/{i}")
                fields["attached"] = [a["PolicyArn"] for a in _list(ent.get("AttachedManagedPolicies"))
                                      if isinstance(a.get("PolicyArn"), str)]
                inline = []
                for j, pol in enumerate(_list(ent.get(inline_key))):
                    p = doc(f"/{list_name}/{i}/{inline_key}/{j}/PolicyDocument",
                            f"{kind}/{name} inline policy {pol.get('PolicyName', j)}")
                    if p is not None:
                        inline.append(p)
                fields["inline"] = inline
                tags = {t["Key"]: str(t.get("Value", "")) for t in _list(ent.get("Tags")) if isinstance(t.get("Key"), str)}
                fields["tags"] = tags
                if cls is not IamGroup:
                    pb = ent.get("PermissionsBoundary")
                    if isinstance(pb, dict) and isinstance(pb.get("PermissionsBoundaryArn"), str):
                        fields["boundary"] = pb["PermissionsBoundaryArn"]
                    elif pb is not None:
                        # A boundary is there but unreadable: it allows nothing rather than being ignored.
                        fields["boundary"] = f"(unreadable permissions boundary of {arn})"
                        self.problem(shown, f"{kind}/{name}: PermissionsBoundary is not an object with a "
                                     "PermissionsBoundaryArn; the boundary is unknown, so it allows nothing in the "
                                     "answers", "error", loc.locate((list_name, i, "PermissionsBoundary")))
                if cls is IamUser:
                    fields["groups"] = [g for g in ent.get("GroupList") or [] if isinstance(g, str)]
                if cls is IamRole:
                    fields["trust"] = doc(f"/{list_name}/{i}/AssumeRolePolicyDocument", f"role/{name} trust policy")
                    fields["instance_profiles"] = [p["Arn"] for p in _list(ent.get("InstanceProfileList"))
                                                   if isinstance(p.get("Arn"), str)]
                    if fields["trust"] is None:
                        self.problem(shown, f"role/{name} has no trust policy in the export: nobody can be shown to "
                                     "assume it", "warning", loc.locate((list_name, i)))
                principal = cls(**fields)
                target = {IamUser: snap.users, IamGroup: snap.groups, IamRole: snap.roles}[cls]
                if arn in target:
                    self.problem(shown, f"{arn} is defined twice in the snapshot ({target[arn].file} and here); the "
                                 "later one is used", "warning", loc.locate((list_name, i)))
                target[arn] = principal
                if account not in snap.accounts:
                    snap.accounts.append(account)

    def org_policy(self, root: dict, folder: str, shown: str, policies: dict) -> None:
        snap = self.snap
        snap.org_read = True
        pol = root["Policy"]
        summary = pol.get("PolicySummary") if isinstance(pol.get("PolicySummary"), dict) else {}
        kind = _ORG_KINDS.get(summary.get("Type", ""))
        pid = summary.get("Id") if isinstance(summary.get("Id"), str) else folder
        if kind is None:
            self.problem(shown, f"an Organizations policy of type {summary.get('Type') or 'unknown'}, not an SCP or RCP; "
                         "not used", "info")
            return
        ps = policies.get("/Policy/Content")
        name = str(summary.get("Name") or pid)
        sp = None if ps is None else SnapshotPolicy(name=f"{kind.upper()} {name}", document=ps.document, file=shown,
                                                    pointer="/Policy/Content", locate=ps.locator.locate)
        if sp is None or not isinstance(sp.document, dict):
            sp = None
            self.problem(shown, f"{kind.upper()} {name}: Content holds no policy document (a JSON object); it is "
                         "unknown, so it is taken as denying everything where it is attached", "error")
        snap.org_policies[pid] = OrgPolicy(id=pid, name=name, kind=kind, policy=sp)

    # -- joining ---------------------------------------------------------------

    def finish(self) -> None:
        snap = self.snap
        key_ids = set(self.key_meta) | set(self.key_policies) | set(self.key_grants) | set(self.listed_keys)
        for kid in sorted(key_ids):
            meta, meta_file = self.key_meta.get(kid, ({}, None))
            arn = meta.get("Arn") or self.listed_keys.get(kid, ("", ""))[0]
            if not arn:
                grants = self.key_grants.get(kid)
                arn = grants[0][0].key_id if grants and grants[0] and grants[0][0].key_id.startswith("arn:") else ""
            parts = arn.split(":") if arn else []
            if len(parts) < 6:
                where = (self.key_policies.get(kid) or self.key_grants.get(kid, (None, None, "")))[-1]
                self.problem(where or "snapshot", f"key {kid}: its ARN is unknown (no describe-key or list-keys output); "
                             "left out of the answers", "error")
                continue
            key = KmsKey(arn=arn, key_id=kid, account=parts[4], region=parts[3], metadata=meta,
                         aliases=sorted(self.aliases.get(kid, [])), tags=self.key_tags.get(kid, {}))
            if kid in self.key_policies:
                key.policy = self.key_policies[kid][0]
            elif kid not in self.unreadable_policies:
                where = meta_file or self.listed_keys.get(kid, ("", "snapshot"))[1]
                self.problem(where, f"key {kid}: no get-key-policy output in the snapshot; nobody can be shown to "
                             "use it except through grants", "error")
            if kid in self.key_grants:
                key.grants, key.grants_truncated, key.grants_file = self.key_grants[kid]
                key.grants_read = True
            else:
                where = meta_file or self.listed_keys.get(kid, ("", "snapshot"))[1]
                aws_managed = meta.get("KeyManager") == "AWS"
                self.problem(where, f"key {kid}: no list-grants output in the snapshot; access through grants is not "
                             "shown" + (" (an AWS managed key: its grants are the services')" if aws_managed else ""),
                             "info" if aws_managed else "warning")
            if arn in snap.keys:
                self.problem(meta_file or "snapshot", f"key {arn} appears under two key IDs ({snap.keys[arn].key_id} "
                             f"and {kid}: a folder named after another key?); the later one is used", "error")
            elif meta.get("KeyId") not in (None, kid):
                self.problem(meta_file or "snapshot", f"key {kid}: describe-key says KeyId {meta.get('KeyId')}", "error")
            snap.keys[arn] = key
            if key.account not in snap.accounts:
                snap.accounts.append(key.account)

        for pid, (name, kind, file) in self.org_listed.items():
            if pid not in snap.org_policies:
                self.problem(file, f"{kind.upper()} {name} ({pid}) is listed but has no usable describe-policy output; "
                             "its content is unknown, so it is taken as denying everything where it is attached",
                             "error")
                snap.org_policies[pid] = OrgPolicy(id=pid, name=name, kind=kind, policy=None)
        for pid, op in snap.org_policies.items():
            if pid in self.org_targets:
                op.targets, _ = self.org_targets[pid]
                op.targets_read = True
            else:
                self.problem("organizations", f"{op.kind.upper()} {op.name} ({pid}) has no list-targets-for-policy "
                             "output; where it applies is unknown and it is left out", "error")
        if not snap.users and not snap.roles and not snap.keys:
            self.problem("snapshot", "no IAM principals or KMS keys found: is this a snapshot folder (see README for "
                         "the layout)?", "error")
        if not snap.org_read and (snap.users or snap.roles):
            self.problem("snapshot", "no AWS Organizations outputs: SCPs and RCPs are not considered (an account "
                         "outside an organization has none)", "info")
        if snap.org_read:
            for account in snap.accounts:
                if account != snap.management_account and not snap.org_levels(account):
                    self.problem("organizations", f"account {account} is not placed in the organization (no list-parents "
                                 "chain up to the root): its SCPs are left out", "error")

        for who in (*snap.users.values(), *snap.groups.values(), *snap.roles.values()):
            for arn in who.attached:
                if arn not in snap.policies:
                    self.problem(who.file, f"{_kind(who)}/{who.name}: attached policy {arn} is not in the export's "
                                 "Policies; its permissions are missing from the answers", "error")
            if who.boundary and who.boundary not in snap.policies:
                self.problem(who.file, f"{_kind(who)}/{who.name}: permissions boundary {who.boundary} is not in the "
                             "export's Policies; the boundary is unknown, so this principal is shown with no access "
                             "through identity-based policies", "error")
        for user in snap.users.values():
            for g in user.groups:
                if snap.group(user.account, g) is None:
                    self.problem(user.file, f"user/{user.name}: group {g} is not in the export; its policies are missing",
                                 "error")


def _kind(who) -> str:
    return type(who).__name__[3:].lower()


def _list(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _non_objects(value: Any) -> int:
    return sum(1 for v in value if not isinstance(v, dict)) if isinstance(value, list) else 0


def _key_id_of(describe_key: str) -> str | None:
    if not os.path.isfile(describe_key):
        return None
    loaded = read_file(describe_key)
    root = loaded.roots[0] if len(loaded.roots) == 1 else None
    meta = root.get("KeyMetadata") if isinstance(root, dict) else None
    kid = meta.get("KeyId") if isinstance(meta, dict) else None
    return kid if isinstance(kid, str) else None
