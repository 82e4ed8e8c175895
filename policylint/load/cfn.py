"""Policies embedded in AWS CloudFormation templates (JSON or YAML).

Which properties hold a policy document comes from the CloudFormation User
Guide, *AWS resource and property types reference* (one page per type):

=====================================  ==========================================  ========
resource type                          property                                    kind
=====================================  ==========================================  ========
``AWS::IAM::Policy``, ``ManagedPolicy``  ``PolicyDocument``                          identity
``AWS::IAM::RolePolicy`` (and User/Group)  ``PolicyDocument``                        identity
``AWS::IAM::Role``                     ``AssumeRolePolicyDocument``                trust
``AWS::IAM::Role``, ``User``, ``Group``  ``Policies[].PolicyDocument``               identity
``AWS::SSO::PermissionSet``            ``InlinePolicy``                            identity
``AWS::KMS::Key``, ``ReplicaKey``      ``KeyPolicy``                               key policy
``AWS::S3::BucketPolicy``, ``SQS::QueuePolicy``, ``SNS::TopicPolicy``,
``Logs::ResourcePolicy``, ``EC2::VPCEndpoint`` ``PolicyDocument``                  resource
``AWS::SecretsManager::ResourcePolicy`` ``ResourcePolicy``                         resource
``AWS::ECR::Repository``               ``RepositoryPolicyText``                    resource
``AWS::OpenSearchService::Domain``, ``Elasticsearch::Domain`` ``AccessPolicies``   resource
``AWS::Backup::BackupVault``           ``AccessPolicy``                            resource
``AWS::EFS::FileSystem``               ``FileSystemPolicy``                        resource
``AWS::S3::AccessPoint``               ``Policy``                                  resource
``AWS::S3ObjectLambda::AccessPointPolicy`` ``PolicyDocument``                      resource
``AWS::Organizations::Policy``         ``Content`` (by ``Type``)                   scp/rcp
=====================================  ==========================================  ========

Intrinsic functions (CloudFormation User Guide, *Intrinsic function
reference*) are written back as the text ``Fn::Sub`` would show:
``{"Ref": "P"}`` becomes ``${P}``, ``{"Fn::GetAtt": ["Key", "Arn"]}`` becomes
``${Key.Arn}``, ``Fn::Sub`` strings keep their ``${...}`` references (its
variable map is applied, and ``${!Literal}`` becomes ``${Literal}``, the IAM
policy variable it stands for), ``Fn::Join`` joins its parts, ``Fn::FindInMap``
and ``Fn::Select`` are looked up when their arguments are literal. Anything
else becomes ``${Fn::Name}``. Such *template references* (``${...}`` with no
colon, or with ``::``) are never IAM policy variables, which always have one
``prefix:`` (:func:`has_template_reference`); rules treat them as unknown
values. ``Fn::If`` is checked with its first branch that has a value, and a
note says so; ``Ref: AWS::NoValue`` removes the property.

A resource's ``Metadata`` may accept findings of its policies::

    Metadata:
      policylint:
        suppress:
          - code: PL300
            reason: the partner account is trusted (SEC-123)
            sid: AllowPartner        # optional

Each entry needs ``code`` and ``reason``; one that silences nothing is
reported (PL001).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policylint.load.source import DataPath, Locator, json_type_name, pointer

__all__ = ["InlineSuppression", "fill_known", "has_template_reference", "is_template", "known_values", "substitute",
           "template_policies"]

_RESOURCE = "resource"
#: type -> [(property path, kind hint, key policy?)]; "*" in a path = every list element.
_POLICY_PROPERTIES: dict[str, tuple[tuple[tuple[Any, ...], str, bool], ...]] = {
    "AWS::IAM::Policy": ((("PolicyDocument",), "identity", False),),
    "AWS::IAM::ManagedPolicy": ((("PolicyDocument",), "identity", False),),
    "AWS::IAM::RolePolicy": ((("PolicyDocument",), "identity", False),),
    "AWS::IAM::UserPolicy": ((("PolicyDocument",), "identity", False),),
    "AWS::IAM::GroupPolicy": ((("PolicyDocument",), "identity", False),),
    "AWS::IAM::Role": ((("AssumeRolePolicyDocument",), "trust", False), (("Policies", "*", "PolicyDocument"), "identity", False)),
    "AWS::IAM::User": ((("Policies", "*", "PolicyDocument"), "identity", False),),
    "AWS::IAM::Group": ((("Policies", "*", "PolicyDocument"), "identity", False),),
    "AWS::SSO::PermissionSet": ((("InlinePolicy",), "identity", False),),
    "AWS::KMS::Key": ((("KeyPolicy",), _RESOURCE, True),),
    "AWS::KMS::ReplicaKey": ((("KeyPolicy",), _RESOURCE, True),),
    "AWS::S3::BucketPolicy": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::SQS::QueuePolicy": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::SNS::TopicPolicy": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::Logs::ResourcePolicy": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::EC2::VPCEndpoint": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::SecretsManager::ResourcePolicy": ((("ResourcePolicy",), _RESOURCE, False),),
    "AWS::ECR::Repository": ((("RepositoryPolicyText",), _RESOURCE, False),),
    "AWS::OpenSearchService::Domain": ((("AccessPolicies",), _RESOURCE, False),),
    "AWS::Elasticsearch::Domain": ((("AccessPolicies",), _RESOURCE, False),),
    "AWS::Backup::BackupVault": ((("AccessPolicy",), _RESOURCE, False),),
    "AWS::EFS::FileSystem": ((("FileSystemPolicy",), _RESOURCE, False),),
    "AWS::S3::AccessPoint": ((("Policy",), _RESOURCE, False),),
    "AWS::S3ObjectLambda::AccessPointPolicy": ((("PolicyDocument",), _RESOURCE, False),),
    "AWS::Organizations::Policy": ((("Content",), "org", False),),
}
_ORG_TYPES = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}

#: ``${...}`` references of a template: no colon, or CloudFormation's ``::``.
_TEMPLATE_REF = re.compile(r"\$\{(?:[^}:]*|[^}]*::[^}]*)\}")


def has_template_reference(text: str) -> bool:
    """True when ``text`` holds a CloudFormation reference left unresolved
    (``${Param}``, ``${Res.Arn}``, ``${AWS::AccountId}``, ``${Fn::Select}``);
    IAM policy variables (``${aws:username}``, ``${*}``) are not such references."""
    if "${" not in text:
        return False
    for m in _TEMPLATE_REF.finditer(text):
        inner = m.group()[2:-1]
        if inner not in ("*", "?", "$"):
            return True
    return False


def is_template(root: Any) -> bool:
    """Whether a parsed file is a CloudFormation template: an object with
    ``AWSTemplateFormatVersion``, or ``Resources`` whose entries have an
    ``AWS::``/``Custom::`` ``Type``."""
    if not isinstance(root, dict):
        return False
    if "AWSTemplateFormatVersion" in root:
        return True
    res = root.get("Resources")
    return isinstance(res, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in res.values()
    )


@dataclass(frozen=True, slots=True)
class InlineSuppression:
    """A suppression from a resource's ``Metadata.policylint.suppress``.

    Attributes:
        code: rule code or prefix.
        reason: why (required).
        sid: only findings in the statement with this Sid, or None.
        line, column: where the entry is in the template.
        number: 1-based position in the resource's list.
        resource: the logical ID of the resource.
    """

    code: str
    reason: str
    sid: str | None
    line: int | None
    column: int | None
    number: int
    resource: str


@dataclass
class TemplatePolicy:
    """One policy found in a template: the document with template references
    written as text, where it is, and what it is."""

    document: Any
    at: DataPath
    name: str
    kind_hint: str | None
    key_policy: bool
    suppressions: tuple[InlineSuppression, ...]
    #: When the policy is JSON text (a string property, or ``Fn::Sub`` of
    #: one): the text, where it is, and the ``Fn::Sub`` variables to apply
    #: after parsing (None: not a ``Fn::Sub``).
    text: str | None = None
    text_at: DataPath = ()
    sub_variables: dict[str, str] | None = None


_CODE = re.compile(r"^PL[0-9]{1,3}$")


def template_policies(root: dict, loc: Locator) -> tuple[list[TemplatePolicy], list[str]]:
    """The policies of a CloudFormation template.

    Args:
        root: the parsed template.
        loc: locator for paths from ``root`` (for suppression positions).

    Returns:
        (policies, notes): notes say what was not checked and why (a policy
        property that is an intrinsic function as a whole, an ``Fn::If``
        checked with one branch, a malformed suppression, a key without a
        ``KeyPolicy``, which CloudFormation gives the default key policy).
    """
    out: list[TemplatePolicy] = []
    notes: list[str] = []
    resources = root.get("Resources")
    if not isinstance(resources, dict):
        return out, ["the template has no Resources object"]
    ctx = _Resolver(root, notes)
    for logical_id, res in resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            continue
        rtype = res["Type"]
        specs = _POLICY_PROPERTIES.get(rtype)
        if specs is None:
            continue
        props = res.get("Properties")
        base: DataPath = ("Resources", logical_id, "Properties")
        if props is None:
            if rtype == "AWS::KMS::Key":
                notes.append(f"{pointer(base[:2])}: {rtype} without KeyPolicy: CloudFormation gives it the default key policy")
            continue
        if not isinstance(props, dict):
            notes.append(f"{pointer(base)}: Properties should be an object, found {json_type_name(props)}; not checked")
            continue
        sups = _suppressions(res.get("Metadata"), ("Resources", logical_id, "Metadata"), logical_id, loc, notes)
        for prop_path, hint, key_policy in specs:
            for at, value in _walk(props, prop_path, base, notes):
                where = pointer(at)
                ctx.here = where
                text, text_at, variables = None, at, None
                if isinstance(value, dict) and _intrinsic_name(value) is not None:
                    name = _intrinsic_name(value)
                    arg = value[name]
                    if name == "Fn::If":
                        value = ctx.if_branch(value, where)
                        if value is _NO_VALUE:
                            continue
                    elif name == "Fn::Sub" and isinstance(arg, str):
                        text, text_at, variables = arg, at + ("Fn::Sub",), {}
                    elif (name == "Fn::Sub" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
                          and isinstance(arg[1], dict)):
                        text, text_at = arg[0], at + ("Fn::Sub", 0)
                        variables = {k: ctx.text(x) for k, x in arg[1].items()}
                    else:
                        notes.append(f"{where}: the policy is computed by {name}; not checked")
                        continue
                elif isinstance(value, str):
                    text = value
                if text is None and isinstance(value, dict):
                    computed = [k for k in ("Statement", "Version") if isinstance(value.get(k), dict)
                                and _intrinsic_name(value[k]) not in (None, "Fn::If")]
                    if "Statement" in computed:
                        notes.append(f"{where}/Statement: computed by {_intrinsic_name(value['Statement'])}; "
                                     "the policy is not checked")
                        continue
                doc = ctx.resolve(value) if text is None else None
                if doc is _NO_VALUE:
                    continue
                if isinstance(doc, dict) and isinstance(doc.get("Version"), str) and has_template_reference(doc["Version"]):
                    notes.append(f"{where}/Version: {doc['Version']} is known only when deployed; checked as 2012-10-17")
                    doc["Version"] = "2012-10-17"
                kind = hint
                if hint == "org":
                    kind = _ORG_TYPES.get(props.get("Type")) if isinstance(props.get("Type"), str) else None
                    if kind is None:
                        shown = props.get("Type") if isinstance(props.get("Type"), str) else json_type_name(props.get("Type"))
                        notes.append(f"{where}: an AWS Organizations policy of type {shown} is not an IAM policy; not checked")
                        continue
                label = f"{logical_id} ({rtype})"
                if len(at) > 4 and at[3] == "Policies":
                    pname = props["Policies"][at[4]].get("PolicyName") if isinstance(props["Policies"][at[4]], dict) else None
                    label += f" policy {pname if isinstance(pname, str) else at[4]}"
                elif hint == "trust":
                    label += " trust policy"
                out.append(TemplatePolicy(doc, at, label, kind, key_policy, sups, text, text_at, variables))
        if rtype == "AWS::KMS::Key" and "KeyPolicy" not in props:
            notes.append(f"{pointer(base)}: {rtype} {logical_id} has no KeyPolicy: CloudFormation gives it the default key policy")
    return out, notes


def _walk(props: dict, path: tuple[Any, ...], base: DataPath, notes: list[str]):
    """(path, value) for every value at ``path`` under ``props``; ``"*"`` steps
    into each list element (a value that is not a list is noted, not dropped)."""
    items: list[tuple[DataPath, Any]] = [(base, props)]
    for step in path:
        nxt: list[tuple[DataPath, Any]] = []
        for at, v in items:
            if step == "*":
                if isinstance(v, list):
                    nxt.extend((at + (i,), x) for i, x in enumerate(v))
                else:
                    notes.append(f"{pointer(at)}: should be a list, found {json_type_name(v)}; not checked")
            elif isinstance(v, dict) and step in v:
                nxt.append((at + (step,), v[step]))
        items = nxt
    return items


def _suppressions(meta: Any, at: DataPath, logical_id: str, loc: Locator, notes: list[str]) -> tuple[InlineSuppression, ...]:
    if not isinstance(meta, dict) or "policylint" not in meta:
        return ()
    block = meta["policylint"]
    where = pointer(at + ("policylint",))
    if not isinstance(block, dict) or set(block) - {"suppress"}:
        notes.append(f"{where}: expected {{suppress: [{{code, reason, sid?}}]}}; not applied")
        return ()
    entries = block.get("suppress")
    if not isinstance(entries, list):
        notes.append(f"{where}/suppress: expected a list of {{code, reason, sid?}}; not applied")
        return ()
    out = []
    for i, e in enumerate(entries):
        epath = at + ("policylint", "suppress", i)
        bad = None
        if not isinstance(e, dict):
            bad = f"expected an object, found {json_type_name(e)}"
        elif set(e) - {"code", "reason", "sid"}:
            bad = f"unknown key(s) {', '.join(sorted(map(str, set(e) - {'code', 'reason', 'sid'})))}"
        elif not isinstance(e.get("code"), str) or not _CODE.match(e["code"]):
            bad = "code must be a rule code or prefix such as PL300"
        elif not isinstance(e.get("reason"), str) or not e["reason"].strip():
            bad = "a suppression needs a reason"
        elif "sid" in e and not isinstance(e["sid"], str):
            bad = "sid must be a string"
        if bad:
            notes.append(f"{pointer(epath)}: {bad}; not applied")
            continue
        pos = loc.locate(epath) or (None, None)
        out.append(InlineSuppression(e["code"], e["reason"], e.get("sid"), pos[0], pos[1], i + 1, logical_id))
    return tuple(out)


def substitute(doc: Any, variables: dict[str, str]) -> Any:
    """Apply ``Fn::Sub`` to every string of a parsed document: ``${!X}``
    becomes ``${X}``, a variable of ``variables`` its value; other
    references stay as they are."""
    if isinstance(doc, dict):
        return {k: substitute(v, variables) for k, v in doc.items()}
    if isinstance(doc, list):
        return [substitute(v, variables) for v in doc]
    if isinstance(doc, str):
        return _sub(doc, variables)
    return doc


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


_NO_VALUE = _NoValue()
_FUNCTIONS = ("Ref", "Condition") + tuple(f"Fn::{n}" for n in (
    "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "And", "Or", "Not", "FindInMap", "Base64", "Cidr",
    "GetAZs", "ImportValue", "Transform", "ToJsonString", "Length", "ForEach"))


def _intrinsic_name(v: dict) -> str | None:
    if len(v) == 1:
        (k,) = v
        if k in _FUNCTIONS or (isinstance(k, str) and k.startswith("Fn::")):
            return k
    return None


class _Resolver:
    """Writes intrinsic functions as text (see the module docstring)."""

    #: Most characters of text the functions of one template may produce
    #: (chained ``Fn::FindInMap``/``Fn::Join`` can double it at each step).
    BUDGET = 1_000_000
    #: Deepest nesting of mapping lookups followed.
    MAX_DEPTH = 50

    def __init__(self, root: dict, notes: list[str]) -> None:
        self.mappings = root.get("Mappings") if isinstance(root.get("Mappings"), dict) else {}
        self.notes = notes
        self.here = ""
        self.left = self.BUDGET
        self.looking: list[tuple] = []

    def _spend(self, text: str, name: str) -> str:
        """Count ``text`` against the budget; past it, the function's placeholder."""
        self.left -= len(text)
        if self.left < 0:
            if self.left + len(text) >= 0:
                self.notes.append(f"{self.here}: intrinsic functions expand to more than {self.BUDGET:,} characters; "
                                  f"the rest are left as ${{{name}}}")
            return "${" + name + "}"
        return text

    def resolve(self, v: Any) -> Any:
        if isinstance(v, dict):
            name = _intrinsic_name(v)
            if name is not None:
                return self.function(name, v[name])
            out = {}
            for k, x in v.items():
                r = self.resolve(x)
                if r is not _NO_VALUE:
                    out[k] = r
            return out
        if isinstance(v, list):
            return [r for r in (self.resolve(x) for x in v) if r is not _NO_VALUE]
        return v

    def if_branch(self, v: dict, where: str) -> Any:
        args = v["Fn::If"]
        if not isinstance(args, list) or len(args) != 3:
            return "${Fn::If}"
        cond = args[0] if isinstance(args[0], str) else "?"
        for branch, which in ((args[1], "true"), (args[2], "false")):
            if isinstance(branch, dict) and branch == {"Ref": "AWS::NoValue"}:
                continue
            self.notes.append(f"{where}: Fn::If {cond}: checked with its {which} branch only")
            return branch
        return _NO_VALUE

    def text(self, v: Any) -> str:
        r = self.resolve(v)
        if isinstance(r, str):
            return r
        if isinstance(r, bool):
            return "true" if r else "false"
        if isinstance(r, (int, float)):
            return str(r)
        return "${Fn::?}"

    def function(self, name: str, arg: Any) -> Any:
        if name == "Ref":
            if arg == "AWS::NoValue":
                return _NO_VALUE
            return f"${{{arg}}}" if isinstance(arg, str) else "${Ref}"
        if name == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
                return f"${{{parts[0]}.{parts[1]}}}"
            return "${Fn::GetAtt}"
        if name == "Fn::Sub":
            if isinstance(arg, str):
                return _sub(arg, {})
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
                return _sub(arg[0], {k: self.text(x) for k, x in arg[1].items()})
            return "${Fn::Sub}"
        if name == "Fn::Join":
            if self.left < 0:
                return "${Fn::Join}"
            if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list):
                parts = [self.resolve(p) for p in arg[1]]
                return self._spend(arg[0].join(self.text(p) for p in parts if p is not _NO_VALUE), name)
            return "${Fn::Join}"
        if name == "Fn::FindInMap":
            if isinstance(arg, list) and len(arg) >= 3 and self.left >= 0:
                keys = [self.resolve(a) for a in arg[:3]]
                if all(isinstance(k, str) and not has_template_reference(k) for k in keys):
                    hit = self.mappings.get(keys[0], {})
                    hit = hit.get(keys[1], {}) if isinstance(hit, dict) else {}
                    if isinstance(hit, dict) and keys[2] in hit:
                        key = tuple(keys)
                        if key in self.looking or len(self.looking) >= self.MAX_DEPTH:
                            self.notes.append(f"{self.here}: Fn::FindInMap {'/'.join(keys)} refers to itself "
                                              "(or nests too deeply); left as ${Fn::FindInMap}")
                            return "${Fn::FindInMap}"
                        self.looking.append(key)
                        try:
                            return self.resolve(hit[keys[2]])
                        finally:
                            self.looking.pop()
            return "${Fn::FindInMap}"
        if name == "Fn::Select":
            if isinstance(arg, list) and len(arg) == 2:
                idx, items = self.resolve(arg[0]), self.resolve(arg[1])
                try:
                    i = int(idx)
                except (TypeError, ValueError):
                    i = None
                if i is not None and isinstance(items, list) and 0 <= i < len(items):
                    return items[i]
            return "${Fn::Select}"
        if name == "Fn::If":
            branch = self.if_branch({"Fn::If": arg}, self.here)
            return self.resolve(branch) if branch is not _NO_VALUE else _NO_VALUE
        return "${" + name + "}"



_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def _sub(text: str, variables: dict[str, str]) -> str:
    """``Fn::Sub`` of ``text``: ``${!X}`` becomes ``${X}``, a variable its value, other references stay."""

    def repl(m: re.Match) -> str:
        inner = m.group(1)
        if inner.startswith("!"):
            return "${" + inner[1:] + "}"
        return variables.get(inner, m.group())

    return _REFERENCE.sub(repl, text)


_KNOWN_REF = re.compile(r"\$\{([^}]*)\}")
_CALLER_ACCOUNT = re.compile(r"data\.aws_caller_identity\.[\w-]+\.account_id\Z")
_IAM_VARIABLE = re.compile(r"[^:]+:[^:]")


def known_values(parameters: dict[str, str] | None = None, account: str | None = None) -> dict[str, str]:
    """Values of template references known before deployment, for :func:`fill_known`.

    Args:
        parameters: ``--parameter Key=Value`` pairs: a CloudFormation parameter
            or resource attribute (``Env``, ``AppRole.Arn``), or a Terraform
            reference (``var.env``, ``local.bucket``), written as inside ``${...}``.
        account: the 12-digit AWS account ID (``--account``): the value of the
            CloudFormation pseudo parameter ``AWS::AccountId`` (CloudFormation
            User Guide, *Pseudo parameters reference*) and of Terraform's
            ``data.aws_caller_identity.NAME.account_id``.

    Returns:
        reference -> value.

    Raises:
        ValueError: a key that is an IAM policy variable (``aws:username``, one
            colon): such ``${...}`` are resolved by AWS per request, never by a
            template; an account that is not 12 digits.
    """
    out: dict[str, str] = {}
    for key, value in (parameters or {}).items():
        if _IAM_VARIABLE.match(key) and "::" not in key:
            raise ValueError(f"{key} is an IAM policy variable (resolved by AWS per request), not a template parameter")
        out[key] = value
    if account is not None:
        if not re.fullmatch(r"\d{12}", account):
            raise ValueError(f"account {account!r} is not a 12-digit AWS account ID")
        out.setdefault("AWS::AccountId", account)
        out.setdefault("data.aws_caller_identity.*.account_id", account)
    return out


def fill_known(doc: Any, known: dict[str, str], used: set[str] | None = None) -> Any:
    """Replace the template references of ``known`` in every string of a
    parsed document (``${AWS::AccountId}`` -> ``111122223333``); other
    references and IAM policy variables stay as they are. The keys of
    ``known`` that were filled are added to ``used``, when given."""
    if not known:
        return doc
    account = known.get("data.aws_caller_identity.*.account_id")

    def repl(m: re.Match) -> str:
        inner = m.group(1)
        if inner in known:
            if used is not None:
                used.add(inner)
            return known[inner]
        if account is not None and _CALLER_ACCOUNT.match(inner):
            return account
        return m.group()

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {walk(k) if isinstance(k, str) else k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str) and "${" in v:
            return _KNOWN_REF.sub(repl, v)
        return v

    return walk(doc)
