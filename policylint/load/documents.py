"""Find the policy documents inside a parsed file.

Recognized shapes (AWS CLI v2 output as ``aws ... --output json`` writes it;
field names from the AWS API references of IAM, KMS and Organizations):

==========================================  ==========================================  ========
shape                                       where the policy is                         kind
==========================================  ==========================================  ========
bare policy document                        the file itself (``Statement`` at the top)  detected
a JSON list of policy documents             each element                                detected
``aws iam get-policy-version``              ``PolicyVersion.Document``                  identity
``aws iam get-role``                        ``Role.AssumeRolePolicyDocument``           trust
``aws iam get-{user,group,role}-policy``    ``PolicyDocument``                          identity
``aws kms get-key-policy``                  ``Policy`` (a JSON string)                  resource
other ``get-*-policy`` with a ``Policy``    ``Policy`` (a JSON string)                  resource
``aws organizations describe-policy``       ``Policy.Content`` (a JSON string)          scp/rcp
``aws iam get-account-authorization-details``  inline, trust and default-version        per place
                                            managed policy documents
==========================================  ==========================================  ========

Documents may also be URL-encoded strings, as the IAM API returns them
(IAM API Reference, *GetPolicyVersion*: "The policy document returned in this
structure is URL-encoded compliant with RFC 3986").

A policy document held directly under a top-level key of any other object
(``{"name": "...", "document": {...}}``, as policy datasets store them) is
found too.

CloudFormation templates: the policies of the resource types listed in
:mod:`policylint.load.cfn`, with intrinsic functions written as text.
Terraform: ``terraform show -json`` output and ``.tf`` files
(:func:`find_terraform_policies`), as :mod:`policylint.load.terraform` describes.

Files that hold no policy (``kms list-grants``, ``describe-key``, a ``.tf``
file of variables, ...) are reported as skipped with the reason, never
dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from policylint.load.cfn import has_template_reference, is_template, substitute, template_policies
from policylint.load.hcl import parse_hcl
from policylint.load.terraform import hcl_policies, is_terraform_json, plan_policy_paths
from policylint.load.jsonload import JsonLocator, load_json
from policylint.load.source import (
    DataPath,
    LoadProblem,
    Locator,
    MappedLocator,
    SourceText,
    json_type_name,
    pointer,
)

__all__ = ["PolicySource", "find_policies", "find_terraform_policies"]


class SubLocator:
    """A locator for a sub-tree: paths are relative to ``prefix`` in ``parent``."""

    def __init__(self, parent: Locator, prefix: DataPath) -> None:
        self.parent = parent
        self.prefix = prefix
        self.source = parent.source

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        return self.parent.locate(self.prefix + path, key)

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        off = getattr(self.parent, "offset", None)
        return off(self.prefix + path, key) if off else None


@dataclass
class PolicySource:
    """One policy document found in a file.

    Attributes:
        document: the parsed document (unvalidated).
        locator: positions of paths *relative to the document*.
        pointer: JSON pointer of the document in the file (``""`` for a bare
            policy; a document embedded as a string is addressed through the
            string, e.g. ``/Policy``).
        name: a label for reports (managed policy name, ``role/Admin trust policy``...), or None.
        kind_hint: the kind implied by the surrounding CLI output
            (``"identity"``, ``"resource"``, ``"trust"``, ``"scp"``, ``"rcp"``), or None.
        origin: what the file is, e.g. ``aws kms get-key-policy output``.
        key_policy: True when the document is known to be a KMS key policy.
        fragment: True when the file held only statements; ``document`` then
            wraps them as ``{"Version": "2012-10-17", "Statement": ...}``, and
            paths under ``Statement`` map back to the file without that step.
        suppressions: suppressions the file itself gives for this policy (a
            CloudFormation resource's ``Metadata.policylint.suppress``).
        owner: ARN of the user, group or role the policy is inline in, when
            the file says (``get-account-authorization-details``), else None.
        aws_managed: True when the file says the policy is an AWS managed
            policy (its ARN is ``arn:aws:iam::aws:policy/...``): AWS writes and
            maintains it, and the customer quotas do not apply to it.
        not_console: why nobody signs in to the console with this policy's
            permissions, when the file says so (a managed policy used only as
            a permissions boundary, which grants nothing; a service-linked
            role's policy), else None.
    """

    document: Any
    locator: Locator
    pointer: str
    name: str | None = None
    kind_hint: str | None = None
    origin: str = "policy document"
    key_policy: bool = False
    fragment: bool = False
    suppressions: tuple = ()
    owner: str | None = None
    aws_managed: bool = False
    not_console: str | None = None

    def file_pointer(self, path: DataPath) -> str:
        """JSON pointer, in the file, of ``path`` inside the document."""
        if self.fragment and path and path[0] == "Statement":
            path = path[1:]
        elif self.fragment:
            path = ()
        return self.pointer + pointer(path)


@dataclass
class Found:
    """What :func:`find_policies` found in one parsed root value."""

    policies: list[PolicySource] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parts not checked, with why
    skip_reason: str | None = None  # the whole root holds no policy


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _is_policy(v: Any) -> bool:
    """A policy document, or something meant to be one: a ``Statement`` (in
    any case, or misspelled ``Statements``/``Statment``), or a policy-language
    ``Version`` date. Grammar problems are then reported, not the file skipped."""
    if not isinstance(v, dict):
        return False
    if "Statement" in v:
        return True
    keys = {str(k).lower() for k in v}
    if keys & {"statement", "statements", "statment", "statemnt"}:
        return True
    version = next((val for k, val in v.items() if str(k).lower() == "version"), None)
    return isinstance(version, str) and bool(_DATE.match(version)) and len(keys) <= 4


def _json_string_map(source: SourceText, start: int) -> list[int] | None:
    """File offsets of each decoded character of the JSON string literal at ``start``."""
    text = source.text
    if start >= len(text) or text[start] != '"':
        return None
    out: list[int] = []
    i, n = start + 1, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            break
        if c == "\\":
            nxt = text[i + 1] if i + 1 < n else ""
            if nxt == "u":
                code = int(text[i + 2 : i + 6], 16)
                if 0xD800 <= code < 0xDC00 and text[i + 6 : i + 8] == "\\u":
                    out.append(i)  # surrogate pair: one str character
                    i += 12
                    continue
                out.append(i)
                i += 6
            else:
                out.append(i)
                i += 2
        else:
            out.append(i)
            i += 1
    out.append(i)  # end position, for "unexpected end of string" errors
    return out


def _url_map(encoded: str) -> tuple[str, list[int]]:
    """URL-decode ``encoded`` (RFC 3986 percent-encoding) with a decoded->encoded offset map."""
    chars: list[str] = []
    offs: list[int] = []
    hexdigits = "0123456789abcdefABCDEF"
    i, n = 0, len(encoded)
    while i < n:
        j, raw = i, bytearray()
        while j + 3 <= n and encoded[j] == "%" and encoded[j + 1] in hexdigits and encoded[j + 2] in hexdigits:
            raw.append(int(encoded[j + 1 : j + 3], 16))
            j += 3
        if raw:
            # Each decoded character points at the start of its own %XX run.
            k = i
            for ch in raw.decode("utf-8", errors="replace"):
                chars.append(ch)
                offs.append(k)
                k += 3 * len(ch.encode("utf-8", errors="replace"))
            i = j
            continue
        chars.append(encoded[i])
        offs.append(i)
        i += 1
    offs.append(n)
    return "".join(chars), offs


def _embedded(value: str, parent: Locator, at: DataPath, source: SourceText, what: str) -> tuple[Any, Locator | None, list[LoadProblem]]:
    """Parse a policy held in a string (JSON text or URL-encoded JSON), with
    the same checks as a file (syntax, duplicate keys, NaN, nesting).

    Returns (document, locator, problems): positions inside the string are
    mapped to the file when the parent is JSON; otherwise every inner
    position is the string's own position. ``document`` is None when the
    string is not valid JSON.
    """
    text = value
    url_offsets: list[int] | None = None
    stripped = value.lstrip()
    if stripped.startswith("%"):
        text, url_offsets = _url_map(value)
    inner_source = SourceText(source.path, text)
    start = getattr(parent, "offset", lambda *a, **k: None)(at)
    char_map = _json_string_map(source, start) if start is not None else None
    if char_map is not None and len(char_map) - 1 != len(value):
        char_map = None  # not a plain JSON string literal (YAML, or an unexpected shape)

    def to_file(off: int) -> int | None:
        if char_map is None:
            return None
        if url_offsets is not None:
            off = url_offsets[min(off, len(url_offsets) - 1)]
        return char_map[min(off, len(char_map) - 1)]

    doc, problems = load_json(inner_source)
    mapped: list[LoadProblem] = []
    for p in problems:
        line, col = p.line, p.column
        if line is not None and col is not None:
            f = to_file(inner_source.offset_of(line, col))
            line, col = source.line_col(f) if f is not None else (_FixedLocator(parent, at).locate(()) or (None, None))
        mapped.append(LoadProblem(p.kind, f"in {what}: {p.message}", line, col, at))
    if doc is None:
        return None, None, mapped
    if char_map is None:
        return doc, _FixedLocator(parent, at), mapped
    inner = JsonLocator(inner_source)
    return doc, MappedLocator(inner, _Offsets(to_file, len(text) + 1), source), mapped  # type: ignore[arg-type]


class _Offsets:
    """File offset of each inner character, worked out when asked (most
    embedded policies are never located: a snapshot holds hundreds)."""

    __slots__ = ("_of", "_n")

    def __init__(self, of: Callable[[int], int | None], n: int) -> None:
        self._of, self._n = of, n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> int | None:
        return self._of(i)


class _FragmentLocator:
    """Positions for statements wrapped into a document: ``("Statement", ...)``
    is the file's root; the synthetic Version points at the file's start."""

    def __init__(self, parent: Locator) -> None:
        self.parent, self.source = parent, parent.source

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        if path and path[0] == "Statement":
            return self.parent.locate(path[1:], key)
        return self.parent.locate(())

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        off = getattr(self.parent, "offset", None)
        if off is None:
            return None
        return off(path[1:] if path and path[0] == "Statement" else (), key)


def _is_statement(v: Any) -> bool:
    return isinstance(v, dict) and "Effect" in v and ("Action" in v or "NotAction" in v) and "Statement" not in v


def _fragment(root: Any, loc: Locator, what: str) -> PolicySource:
    return PolicySource(
        {"Version": "2012-10-17", "Statement": root},
        _FragmentLocator(loc),
        "",
        origin=f"{what} (checked as the Statement of a 2012-10-17 policy)",
        fragment=True,
    )


class _FixedLocator:
    """Every path inside an embedded document resolves to the string's position."""

    def __init__(self, parent: Locator, at: DataPath) -> None:
        self.parent, self.at, self.source = parent, at, parent.source

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        # The string's own position; a value written with a tag (YAML
        # ``!Sub |``) has none of its own, so the nearest enclosing one.
        for cut in range(len(self.at), -1, -1):
            hit = self.parent.locate(self.at[:cut])
            if hit:
                return hit
        return None

    def offset(self, path: DataPath, key: bool = False) -> int | None:
        return None


def _doc_at(value: Any, loc: Locator, at: DataPath, source: SourceText, found: Found, **meta: Any) -> None:
    """Add the policy at ``at`` to ``found``: an object as is, a string parsed
    as (possibly URL-encoded) JSON; any other value too, so that the grammar
    check reports its type at its position."""
    if isinstance(value, str):
        doc, dloc, problems = _embedded(value, loc, at, source, f"the policy string at {pointer(at)}")
        found.problems.extend(problems)
        if doc is not None:
            found.policies.append(PolicySource(doc, dloc, pointer(at), **meta))  # type: ignore[arg-type]
    else:
        found.policies.append(PolicySource(value, SubLocator(loc, at), pointer(at), **meta))


def _items(value: Any, at: DataPath, found: Found, what: str) -> list[tuple[int, dict]]:
    """(index, element) for the object elements of a list; anything else is noted."""
    if value is None:
        return []
    if not isinstance(value, list):
        found.notes.append(f"{pointer(at)}: {what} should be a list, found {json_type_name(value)}; not checked")
        return []
    out = []
    for i, v in enumerate(value):
        if isinstance(v, dict):
            out.append((i, v))
        else:
            found.notes.append(f"{pointer(at + (i,))}: expected an object in {what}, found {json_type_name(v)}; not checked")
    return out


def _label(value: Any, default: Any) -> str:
    return value if isinstance(value, str) else str(default)


def _auth_details(root: dict, loc: Locator, source: SourceText, found: Found) -> None:
    """Policies of ``aws iam get-account-authorization-details`` (IAM API Reference,
    *GetAccountAuthorizationDetails*): inline user/group/role policies, role
    trust policies, and the default version of each managed policy."""
    origin = "aws iam get-account-authorization-details output"
    for list_name, name_key, inline_key, label in (
        ("UserDetailList", "UserName", "UserPolicyList", "user"),
        ("GroupDetailList", "GroupName", "GroupPolicyList", "group"),
        ("RoleDetailList", "RoleName", "RolePolicyList", "role"),
    ):
        for i, ent in _items(root.get(list_name), (list_name,), found, list_name):
            who = f"{label}/{_label(ent.get(name_key), i)}"
            owner = ent.get("Arn") if isinstance(ent.get("Arn"), str) else None
            slr = "a service-linked role's policy" if str(ent.get("Path", "")).startswith("/aws-service-role/") else None
            if label == "role" and "AssumeRolePolicyDocument" in ent:
                _doc_at(ent["AssumeRolePolicyDocument"], loc, (list_name, i, "AssumeRolePolicyDocument"), source,
                        found, name=f"{who} trust policy", kind_hint="trust", origin=origin)
            for j, pol in _items(ent.get(inline_key), (list_name, i, inline_key), found, inline_key):
                if "PolicyDocument" not in pol:
                    found.notes.append(f"{pointer((list_name, i, inline_key, j))}: inline policy without PolicyDocument")
                    continue
                _doc_at(pol["PolicyDocument"], loc, (list_name, i, inline_key, j, "PolicyDocument"), source,
                        found, name=f"{who} inline policy {_label(pol.get('PolicyName'), j)}",
                        kind_hint="identity", origin=origin, owner=owner, not_console=slr)
    for i, pol in _items(root.get("Policies"), ("Policies",), found, "Policies"):
        pname = _label(pol.get("PolicyName"), i)
        default = pol.get("DefaultVersionId")
        versions = _items(pol.get("PolicyVersionList"), ("Policies", i, "PolicyVersionList"), found, "PolicyVersionList")
        for j, ver in versions:
            if "Document" not in ver:
                found.notes.append(f"{pointer(('Policies', i, 'PolicyVersionList', j))}: version without Document")
                continue
            flag = ver.get("IsDefaultVersion")
            is_default = flag is True or (isinstance(flag, str) and flag.lower() == "true") or (
                isinstance(default, str) and ver.get("VersionId") == default
            )
            vid = _label(ver.get("VersionId"), j)
            if is_default:
                arn = pol.get("Arn") if isinstance(pol.get("Arn"), str) else ""
                _doc_at(ver["Document"], loc, ("Policies", i, "PolicyVersionList", j, "Document"), source, found,
                        name=f"managed policy {pname} {vid}", kind_hint="identity", origin=origin,
                        aws_managed=arn.split(":policy/", 1)[0].endswith(":iam::aws"), not_console=_not_console(pol))
            else:
                found.notes.append(f"managed policy {pname} version {vid} is not the default version (not in force), not checked")


def _not_console(pol: dict) -> str | None:
    """Why a managed policy of an authorization-details export serves no
    console user: used only as a permissions boundary, or written for
    service-linked roles (path ``/aws-service-role/``)."""
    if str(pol.get("Path", "")).startswith("/aws-service-role/"):
        return "a policy for service-linked roles"
    if pol.get("AttachmentCount") == 0 and isinstance(pol.get("PermissionsBoundaryUsageCount"), int) \
            and pol["PermissionsBoundaryUsageCount"] > 0:
        return "used only as a permissions boundary, which grants nothing"
    return None


_ORG_KINDS = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def find_policies(root: Any, loc: Locator, source: SourceText) -> Found:
    """Recognize the shape of one parsed root value and collect its policies.

    Args:
        root: the parsed JSON/YAML value.
        loc: locator for paths from ``root``.
        source: the file's text (for mapping embedded strings to positions).

    Returns:
        A :class:`Found` with the policies, problems from embedded documents,
        notes on parts not checked, and ``skip_reason`` when the value holds
        no policy at all.
    """
    found = Found()
    if _is_policy(root):
        found.policies.append(PolicySource(root, loc, ""))
        return found
    if isinstance(root, list):
        if any(_is_policy(x) for x in root):
            for i, doc in enumerate(root):
                if isinstance(doc, dict):
                    found.policies.append(PolicySource(doc, SubLocator(loc, (i,)), pointer((i,)), name=f"policy {i + 1}"))
                else:
                    found.notes.append(f"{pointer((i,))}: expected a policy document, found {json_type_name(doc)}; not checked")
            return found
        if any(_is_statement(x) for x in root):
            found.policies.append(_fragment(root, loc, "a list of policy statements"))
            found.notes.append("the file holds a list of statements, not a policy document; checked as one policy")
            return found
        found.skip_reason = "a list that holds no policy documents or statements"
        return found
    if not isinstance(root, dict):
        found.skip_reason = f"no policy document: the file holds {'nothing' if root is None else json_type_name(root)}"
        return found
    if _is_statement(root):
        found.policies.append(_fragment(root, loc, "a single policy statement"))
        found.notes.append("the file holds one statement, not a policy document; checked as one policy")
        return found

    if is_terraform_json(root):
        _terraform_json(root, loc, source, found)
        return found
    if is_template(root):
        policies, notes = template_policies(root, loc)
        for tp in policies:
            meta = dict(name=tp.name, kind_hint=tp.kind_hint, origin="CloudFormation template",
                        key_policy=tp.key_policy, suppressions=tp.suppressions)
            if tp.text is None:
                found.policies.append(PolicySource(tp.document, SubLocator(loc, tp.at), pointer(tp.at), **meta))
                continue
            doc, dloc, problems = _embedded(tp.text, loc, tp.text_at, source, f"the policy text at {pointer(tp.text_at)}")
            found.problems.extend(problems)
            if doc is not None:
                if tp.sub_variables is not None:
                    doc = substitute(doc, tp.sub_variables)
                found.policies.append(PolicySource(doc, dloc, pointer(tp.text_at), **meta))
        found.notes.extend(notes)
        _computed_effects(found)
        if not found.policies:
            found.skip_reason = "a CloudFormation template with no policy documents"
        return found
    if isinstance(root.get("PolicyVersion"), dict) and "Document" in root["PolicyVersion"]:
        pv = root["PolicyVersion"]
        _doc_at(pv["Document"], loc, ("PolicyVersion", "Document"), source, found,
                name=f"policy version {pv['VersionId']}" if isinstance(pv.get("VersionId"), str) else None,
                kind_hint="identity", origin="aws iam get-policy-version output")
        return found
    if isinstance(root.get("Role"), dict) and "AssumeRolePolicyDocument" in root["Role"]:
        role = root["Role"]
        _doc_at(role["AssumeRolePolicyDocument"], loc, ("Role", "AssumeRolePolicyDocument"), source, found,
                name=f"role/{_label(role.get('RoleName'), '?')} trust policy", kind_hint="trust",
                origin="aws iam get-role output")
        return found
    if "PolicyDocument" in root and "PolicyName" in root:
        owner = next((f"{k[:-4].lower()}/{_label(root[k], '?')}" for k in ("UserName", "GroupName", "RoleName") if k in root), None)
        _doc_at(root["PolicyDocument"], loc, ("PolicyDocument",), source, found,
                name=f"{owner + ' ' if owner else ''}inline policy {_label(root['PolicyName'], '?')}",
                kind_hint="identity", origin="aws iam get-*-policy output")
        return found
    pol = root.get("Policy")
    if isinstance(pol, str):
        is_key = "PolicyName" in root
        _doc_at(pol, loc, ("Policy",), source, found, name=None,
                kind_hint="resource",
                origin="aws kms get-key-policy output" if is_key else "resource policy output (Policy string)",
                key_policy=is_key)
        return found
    if isinstance(pol, dict) and "Content" in pol:
        summary = pol.get("PolicySummary") if isinstance(pol.get("PolicySummary"), dict) else {}
        ptype = summary.get("Type") if isinstance(summary.get("Type"), str) else ""
        kind = _ORG_KINDS.get(ptype)
        if kind is None:
            found.skip_reason = f"an AWS Organizations {ptype or 'policy of unknown type'} (not an IAM policy language document)"
            return found
        name = summary.get("Name") if isinstance(summary.get("Name"), str) else None
        _doc_at(pol["Content"], loc, ("Policy", "Content"), source, found, name=name, kind_hint=kind,
                origin="aws organizations describe-policy output")
        return found
    if any(k in root for k in ("UserDetailList", "GroupDetailList", "RoleDetailList")) or (
        "Policies" in root and isinstance(root["Policies"], list) and "IsTruncated" in root
    ):
        _auth_details(root, loc, source, found)
        if root.get("IsTruncated") is True:
            found.notes.append("the output is truncated (IsTruncated is true): fetch every page with the CLI's default pagination")
        if not found.policies and not found.problems:
            found.skip_reason = "aws iam get-account-authorization-details output with no policy documents"
        return found
    # Other wrappers (policy datasets, tool outputs): policy documents held
    # directly under a top-level key, such as {"name": ..., "document": {...}}.
    for key, value in root.items():
        if _is_policy(value):
            found.policies.append(
                PolicySource(value, SubLocator(loc, (key,)), pointer((key,)), origin=f'policy document under "{key}"')
            )
    if not found.policies:
        found.skip_reason = _describe_non_policy(root)
    return found


def _describe_non_policy(root: dict) -> str:
    keys = set(root)
    if "Grants" in keys:
        return "aws kms list-grants output (grants, not a policy)"
    if "KeyMetadata" in keys:
        return "aws kms describe-key output (key metadata, not a policy)"
    if "Keys" in keys:
        return "aws kms list-keys output (not a policy)"
    if "Aliases" in keys:
        return "aws kms list-aliases output (not a policy)"
    if "Tags" in keys and "Truncated" in keys:
        return "aws kms list-resource-tags output (key tags, not a policy)"
    if "PolicylintCollectionReport" in keys:
        return "policylint collect's collection report (what was read and what could not be; not a policy)"
    if "Policy" in keys and isinstance(root["Policy"], dict) and "Arn" in root["Policy"]:
        return "aws iam get-policy output (metadata only; use get-policy-version for the document)"
    shown = ", ".join(sorted(keys)[:5]) + (", ..." if len(keys) > 5 else "")
    return f"no IAM policy document found (top-level keys: {shown or 'none'})"


def _terraform_json(root: dict, loc: Locator, source: SourceText, found: Found) -> None:
    """Policies of ``terraform show -json`` output (see :mod:`policylint.load.terraform`):
    each a JSON string inside the JSON, with positions on its own characters."""
    paths, notes = plan_policy_paths(root)
    origin = "terraform show -json output"
    for at, label, hint, key in paths:
        value: Any = root
        for step in at:
            value = value[step]
        _doc_at(value, loc, at, source, found, name=label, kind_hint=hint, origin=origin, key_policy=key)
    found.notes.extend(notes)
    if not found.policies and not found.problems:
        found.skip_reason = "a Terraform plan or state (terraform show -json) with no policies"


def find_terraform_policies(source: SourceText) -> Found:
    """The policies of a Terraform ``.tf`` file (HCL; see :mod:`policylint.load.terraform`).

    Args:
        source: the file's text.

    Returns:
        A :class:`Found`: an HCL syntax error is a problem at its line and
        column; a policy given as JSON text (heredoc or string) that is not
        valid JSON is a problem too, unless Terraform computes part of it
        (``${...}`` outside a JSON string), which is noted instead.
    """
    found = Found()
    hcl = parse_hcl(source)
    found.problems.extend(hcl.problems)
    if hcl.problems:
        return found
    policies, notes = hcl_policies(hcl, source)
    origin = "Terraform configuration"
    for hp in policies:
        meta = dict(name=hp.name, kind_hint=hp.kind_hint, origin=origin, key_policy=hp.key_policy)
        if hp.text is None:
            found.policies.append(PolicySource(hp.document, hp.locator, pointer(hp.at), **meta))  # type: ignore[arg-type]
            continue
        inner = SourceText(source.path, hp.text)
        doc, problems = load_json(inner)
        here = hcl.positions.get(hp.at) or (None, None)
        if doc is None:
            if "${" in hp.text:
                notes.append(f"{hp.name}: the policy text is JSON only once Terraform fills in its ${{...}} values; not checked")
            else:
                for p in problems:
                    line, col = here
                    if hp.text_offset is not None and p.line is not None and p.column is not None:
                        line, col = source.line_col(hp.text_offset + inner.offset_of(p.line, p.column))
                    found.problems.append(LoadProblem(p.kind, f"in the policy text of {hp.name}: {p.message}", line, col, hp.at))
            continue
        if hp.text_offset is not None and "$${" not in source.text[hp.text_offset: hp.text_offset + len(hp.text)]:
            off = hp.text_offset
            dloc: Locator = MappedLocator(JsonLocator(inner), _Offsets(lambda i, off=off: off + i, len(hp.text) + 1), source)  # type: ignore[arg-type]
        else:
            dloc = _FixedLocator(_HclAt(source, here), ())  # type: ignore[arg-type]
        found.policies.append(PolicySource(doc, dloc, pointer(hp.at), **meta))
    found.notes.extend(notes)
    _computed_effects(found)
    if not found.policies and not found.problems:
        found.skip_reason = "a Terraform file with no policy documents"
    return found


def _computed_effects(found: Found) -> None:
    """Note each statement whose Effect the template computes (``${...}``): the
    model leaves it out (:mod:`policylint.model.validate`), so no rule takes it as Allow or Deny."""
    for ps in found.policies:
        doc = ps.document
        st = doc.get("Statement") if isinstance(doc, dict) else None
        items = [(("Statement",), st)] if isinstance(st, dict) else \
            [(("Statement", i), s) for i, s in enumerate(st)] if isinstance(st, list) else []
        for at, s in items:
            eff = s.get("Effect") if isinstance(s, dict) else None
            if isinstance(eff, str) and eff.startswith("${") and eff not in ("Allow", "Deny") and has_template_reference(eff):
                found.notes.append(f"{ps.name}: {pointer(at)} has an Effect that is computed ({eff}); its grammar is "
                                   "checked, but no rule takes it as Allow or Deny")


class _HclAt:
    """A locator with one position (for policies whose inner positions are unknown)."""

    def __init__(self, source: SourceText, here: tuple) -> None:
        self.source, self.here = source, here

    def locate(self, path: DataPath, key: bool = False) -> tuple[int, int] | None:
        return self.here if self.here[0] is not None else None
