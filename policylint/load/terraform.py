"""Policies in Terraform: ``.tf`` files (HCL) and ``terraform show -json`` output.

Which arguments hold a policy comes from the Terraform AWS provider
documentation (registry.terraform.io/providers/hashicorp/aws/latest/docs, one
page per resource) and the AWS Cloud Control provider (``awscc``):

====================================================  ==============================  ==========
resource type                                         argument                        kind
====================================================  ==============================  ==========
``aws_iam_policy``                                    ``policy``                      identity
``aws_iam_role_policy``/``user_policy``/``group_policy``  ``policy``                  identity
``aws_iam_role``                                      ``assume_role_policy``          trust
``aws_iam_role``                                      ``inline_policy { policy }``    identity
``aws_kms_key``, ``aws_kms_replica_key``, ``aws_kms_external_key``,
``aws_kms_replica_external_key``                      ``policy``                      key policy
``awscc_kms_key``                                     ``key_policy``                  key policy
``aws_s3_bucket_policy``, ``aws_sqs_queue_policy``, ``aws_sns_topic_policy``,
``aws_secretsmanager_secret_policy``, ``aws_ecr_repository_policy``,
``aws_glacier_vault``, ``aws_sqs_queue``, ``aws_sns_topic``   ``policy``              resource
``awscc_iam_role``                                    ``assume_role_policy_document``  trust
====================================================  ==============================  ==========

In ``.tf`` files a policy is written as ``jsonencode({...})`` (positions of
every element), a heredoc or string of JSON (positions inside a ``<<`` heredoc;
the string's own position otherwise), or a reference to an
``aws_iam_policy_document`` data source of the same file, which is built as
the provider builds it (page *Data Source: aws_iam_policy_document*):
``statement`` blocks with ``sid``, ``effect`` (default ``Allow``),
``actions``/``not_actions``, ``resources``/``not_resources``,
``principals``/``not_principals`` (``type`` + ``identifiers``; type ``"*"`` with
identifier ``"*"`` is ``Principal: "*"``), ``condition`` (``test``, ``variable``,
``values``); ``&{...}`` in its strings is the IAM policy variable ``${...}``.
``dynamic "statement"`` (and ``principals``/``condition``) blocks are checked
once, with their iterator's values unknown, and so is the object body of a
``[for x in xs : {...}]`` expression (a note says so); ``source_policy_documents`` and
``override_policy_documents`` are not merged (a note says so). Values
Terraform computes are placeholders (:mod:`policylint.load.hcl`), unknown to
the rules. Positions are those of each HCL value.

``terraform show -json`` output (Terraform *JSON Output Format* page):
``planned_values`` (plan) or ``values`` (state) -> ``root_module`` and its
``child_modules`` -> ``resources[].values``, and
``resource_changes[].change.after`` for the resources not there (a plan
written with only ``resource_changes``); the policies are JSON strings
inside the JSON, mapped to their characters in the file. A policy that is
unknown until apply (``resource_changes[].change.after_unknown``) or
redacted as sensitive (``after_sensitive``) is noted, not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from policylint.load.hcl import Block, HclFile, PositionLocator, is_placeholder
from policylint.load.source import DataPath, Locator, SourceText, pointer

__all__ = ["HclPolicy", "hcl_policies", "is_terraform_json", "plan_policy_paths", "POLICY_ARGUMENTS"]

_R = "resource"
#: resource type -> ((argument, kind hint, key policy?), ...); "inline_policy.policy" = a nested block's argument.
POLICY_ARGUMENTS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "aws_iam_policy": (("policy", "identity", False),),
    "aws_iam_role_policy": (("policy", "identity", False),),
    "aws_iam_user_policy": (("policy", "identity", False),),
    "aws_iam_group_policy": (("policy", "identity", False),),
    "aws_iam_role": (("assume_role_policy", "trust", False), ("inline_policy.policy", "identity", False)),
    "aws_kms_key": (("policy", _R, True),),
    "aws_kms_replica_key": (("policy", _R, True),),
    "aws_kms_external_key": (("policy", _R, True),),
    "aws_kms_replica_external_key": (("policy", _R, True),),
    "awscc_kms_key": (("key_policy", _R, True),),
    "awscc_iam_role": (("assume_role_policy_document", "trust", False),),
    "aws_s3_bucket_policy": (("policy", _R, False),),
    "aws_sqs_queue_policy": (("policy", _R, False),),
    "aws_sqs_queue": (("policy", _R, False),),
    "aws_sns_topic_policy": (("policy", _R, False),),
    "aws_sns_topic": (("policy", _R, False),),
    "aws_secretsmanager_secret_policy": (("policy", _R, False),),
    "aws_ecr_repository_policy": (("policy", _R, False),),
    "aws_glacier_vault": (("access_policy", _R, False),),
}

_DOC_REF = re.compile(r"data\.aws_iam_policy_document\.([\w-]+)(?:\[[^\]]*\])?\.json")


@dataclass
class HclPolicy:
    """One policy found in a ``.tf`` file.

    Attributes:
        document: the policy document (placeholders for computed values), or
            None when ``text`` must be parsed first.
        locator: positions of paths relative to the document (None with ``text``).
        at: the data path of the HCL value (``("resource", "aws_kms_key", "app", "policy")``).
        name: label for reports (``aws_kms_key.app``).
        kind_hint: ``identity``, ``resource``, ``trust`` or None (detected).
        key_policy: True for a KMS key policy.
        text: the JSON text of a heredoc or string policy, else None.
        text_offset: file offset of the text's first character when its
            characters map one to one to the file (a ``<<`` heredoc), else None.
    """

    document: Any
    locator: Locator | None
    at: DataPath
    name: str
    kind_hint: str | None
    key_policy: bool
    text: str | None = None
    text_offset: int | None = None


def _amp(v: Any) -> Any:
    """``&{...}`` -> ``${...}`` in every string (the data source's policy-variable escape)."""
    if isinstance(v, str):
        return v.replace("&{", "${")
    if isinstance(v, list):
        return [_amp(x) for x in v]
    return v


class _DocBuilder:
    """Builds the JSON policy of an ``aws_iam_policy_document`` block, with positions."""

    def __init__(self, hcl: HclFile, notes: list[str], where: str) -> None:
        self.hcl, self.notes, self.where = hcl, notes, where
        self.pos: dict = {}
        self.keys: dict = {}

    def put(self, doc_path: DataPath, hcl_path: DataPath, key: bool = True) -> None:
        p = self.hcl.positions.get(hcl_path)
        if p:
            self.pos[doc_path] = p
        k = self.hcl.key_positions.get(hcl_path)
        if k and key:
            self.keys[doc_path] = k
        elif p:
            self.keys[doc_path] = p

    def list_value(self, attrs: dict, name: str, block_path: DataPath, doc_path: DataPath) -> Any:
        v = _amp(attrs[name])
        self.put(doc_path, block_path + (name,))
        if isinstance(v, list):
            for i in range(len(v)):
                self.put(doc_path + (i,), block_path + (name, i))
        return v

    def build(self, block: Block) -> dict:
        doc: dict[str, Any] = {"Version": block.attrs.get("version", "2012-10-17")}
        self.put((), block.path)
        self.put(("Version",), block.path + ("version",)) if "version" in block.attrs else self.put(("Version",), block.path)
        if "policy_id" in block.attrs:
            doc["Id"] = block.attrs["policy_id"]
            self.put(("Id",), block.path + ("policy_id",))
        for arg in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
            if arg in block.attrs:
                self.notes.append(f"{self.where}: {arg} is not merged; only the statements written here are checked")
        stmts = []
        dynamic = 0
        for b in block.blocks:
            sb = b
            if b.type == "dynamic" and b.labels == ("statement",):
                content = next((c for c in b.blocks if c.type == "content"), None)
                if content is None:
                    continue
                dynamic += 1
                sb = content
            elif b.type != "statement":
                continue
            stmts.append(self.statement(sb, ("Statement", len(stmts))))
        if dynamic:
            self.notes.append(f"{self.where}: {dynamic} dynamic statement block(s) checked once each, "
                              "with their iterator's values unknown")
        doc["Statement"] = stmts
        self.put(("Statement",), block.path)
        return doc

    def statement(self, b: Block, at: DataPath) -> dict:
        self.put(at, b.path, key=False)
        st: dict[str, Any] = {}
        if "sid" in b.attrs and is_placeholder(b.attrs["sid"]):
            self.notes.append(f"{self.where}: a Sid that is computed ({b.attrs['sid']}) is left out")
        elif "sid" in b.attrs:
            st["Sid"] = b.attrs["sid"]
            self.put(at + ("Sid",), b.path + ("sid",))
        st["Effect"] = b.attrs.get("effect", "Allow")
        if is_placeholder(st["Effect"]):
            self.notes.append(f"{self.where}: an effect that is computed ({st['Effect']}) is checked as Allow")
            st["Effect"] = "Allow"
        self.put(at + ("Effect",), b.path + ("effect",) if "effect" in b.attrs else b.path)
        for arg, elem in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                          ("not_resources", "NotResource")):
            if arg in b.attrs:
                st[elem] = self.list_value(b.attrs, arg, b.path, at + (elem,))
        for btype, elem in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = [c for c in b.blocks if c.type == btype]
            blocks += [c2 for c in b.blocks if c.type == "dynamic" and c.labels == (btype,)
                       for c2 in c.blocks if c2.type == "content"]
            if not blocks:
                continue
            princ: dict[str, Any] = {}
            star = False
            for pb in blocks:
                ptype = pb.attrs.get("type")
                ids = _amp(pb.attrs.get("identifiers", []))
                if not isinstance(ptype, str) or is_placeholder(ptype):
                    self.notes.append(f"{self.where}: a {btype} block whose type is computed ({ptype}) is checked as type AWS")
                    ptype = "AWS"
                if ptype == "*" and (ids == ["*"] or ids == "*"):
                    star = True
                    self.put(at + (elem,), pb.path + ("identifiers",))
                    continue
                have = princ.setdefault(ptype, [])
                self.put(at + (elem,), pb.path, key=False)
                self.put(at + (elem, ptype), pb.path + ("identifiers",))
                if isinstance(ids, list):
                    for i, x in enumerate(ids):
                        self.put(at + (elem, ptype, len(have) + i), pb.path + ("identifiers", i))
                    have.extend(ids)
                else:
                    have.append(ids)
            st[elem] = "*" if star and not princ else princ
        conds = [c for c in b.blocks if c.type == "condition"]
        conds += [c2 for c in b.blocks if c.type == "dynamic" and c.labels == ("condition",)
                  for c2 in c.blocks if c2.type == "content"]
        if conds:
            cond: dict[str, Any] = {}
            for cb in conds:
                test, var = cb.attrs.get("test"), _amp(cb.attrs.get("variable"))
                vals = _amp(cb.attrs.get("values", []))
                if not isinstance(test, str) or not isinstance(var, str):
                    continue
                if is_placeholder(test):
                    self.notes.append(f"{self.where}: a condition whose test is computed ({test}) is not checked")
                    continue
                have = cond.setdefault(test, {}).setdefault(var, [])
                self.put(at + ("Condition", test), cb.path + ("test",))
                self.put(at + ("Condition", test, var), cb.path + ("variable",))
                if isinstance(vals, list):
                    for i in range(len(vals)):
                        self.put(at + ("Condition", test, var, len(have) + i), cb.path + ("values", i))
                    have.extend(vals)
                else:
                    have.append(vals)
            if cond:
                st["Condition"] = cond
        # A dynamic block often sets both of a pair from its iterator (one of them null): keep the written one.
        for pos, neg in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
            if pos in st and neg in st and (_computed(st[pos]) or _computed(st[neg])):
                drop = neg if _computed(st[neg]) else pos
                self.notes.append(f"{self.where}: {pos} and {neg} both set, {drop} computed; checked without {drop}")
                del st[drop]
        return st


def _computed(v: Any) -> bool:
    """A value Terraform computes as a whole: a placeholder, or a principal map of only placeholders."""
    if is_placeholder(v):
        return True
    if isinstance(v, dict) and v:
        return all(all(is_placeholder(x) for x in (ids if isinstance(ids, list) else [ids])) for ids in v.values())
    return False


def _doc_locator(source: SourceText, b: _DocBuilder) -> PositionLocator:
    return PositionLocator(source, b.pos, b.keys)


def hcl_policies(hcl: HclFile, source: SourceText) -> tuple[list[HclPolicy], list[str]]:
    """The policies of one parsed ``.tf`` file.

    Args:
        hcl: the file parsed by :func:`policylint.load.hcl.parse_hcl`.
        source: its text.

    Returns:
        (policies, notes): notes say what was not checked and why (a policy
        Terraform computes, a data source defined in another file, arguments
        not merged, dynamic blocks).
    """
    notes: list[str] = []
    out: list[HclPolicy] = []
    docs: dict[str, Block] = {}
    for b in hcl.blocks:
        if b.type == "data" and len(b.labels) == 2 and b.labels[0] == "aws_iam_policy_document":
            docs[b.labels[1]] = b
    used: dict[str, list[tuple[str, str | None, bool]]] = {}  # data name -> [(user label, kind, key policy)]
    for b in hcl.blocks:
        if b.type != "resource" or len(b.labels) != 2 or b.labels[0] not in POLICY_ARGUMENTS:
            continue
        rtype, rname = b.labels
        for arg, hint, key in POLICY_ARGUMENTS[rtype]:
            holders: list[tuple[dict, DataPath, str]] = []
            if "." in arg:
                btype, arg = arg.split(".", 1)
                for nb in b.blocks:
                    if nb.type == btype:
                        holders.append((nb.attrs, nb.path, f"{rtype}.{rname} {btype} {nb.attrs.get('name', len(holders))}"))
            else:
                label = f"{rtype}.{rname}" + (" trust policy" if hint == "trust" else "")
                holders.append((b.attrs, b.path, label))
            for attrs, bpath, label in holders:
                if arg not in attrs:
                    if key:
                        notes.append(f"{label}: no {arg}; AWS gives the key the default key policy")
                    continue
                value, at = attrs[arg], bpath + (arg,)
                if isinstance(value, dict):
                    out.append(HclPolicy(value, PositionLocator(source, hcl.positions, hcl.key_positions, at), at,
                                         label, hint, key))
                    for fpath, (fline, fcol) in sorted(hcl.for_bodies.items(), key=lambda kv: kv[1]):
                        if fpath[: len(at)] == at:
                            what = pointer(fpath[len(at):]) or "the policy"
                            notes.append(f"{label}: {what} is a for expression (line {fline}, column {fcol}); "
                                         "its body is checked once, with the iterator's values unknown")
                elif isinstance(value, str) and not is_placeholder(value):
                    out.append(HclPolicy(None, None, at, label, hint, key, text=value,
                                         text_offset=hcl.heredocs.get(at)))
                elif isinstance(value, str):
                    refs = set(_DOC_REF.findall(hcl.sources.get(at, value)))
                    if len(refs) == 1 and next(iter(refs)) in docs:
                        (ref,) = refs
                        used.setdefault(ref, []).append((label, hint, key))
                        if value != f"${{data.aws_iam_policy_document.{ref}.json}}" and not _DOC_REF.fullmatch(value[2:-1]):
                            notes.append(f"{label}: {arg} = {value} is checked as data.aws_iam_policy_document.{ref}")
                    elif len(refs) == 1:
                        notes.append(f"{label}: {arg} is data.aws_iam_policy_document.{next(iter(refs))}, which is not "
                                     "in this file; it is checked where it is defined, as a policy of unknown use")
                    else:
                        notes.append(f"{label}: {arg} is computed ({value}); not checked")
                else:
                    notes.append(f"{label}: {arg} is not a policy document or JSON text; not checked")
    for name, b in docs.items():
        where = f"data.aws_iam_policy_document.{name}"
        builder = _DocBuilder(hcl, notes, where)
        doc = builder.build(b)
        users = used.get(name)
        if users:
            # Used by several resources: checked once, as a key policy if one of them is a key.
            label = ", ".join(u[0] for u in users)
            _, hint, key = next((u for u in users if u[2]), users[0])
            if len({u[1] for u in users}) > 1:
                notes.append(f"{where}: used by {label}, of different kinds; checked as a {'key' if key else hint} policy")
            out.append(HclPolicy(doc, _doc_locator(source, builder), b.path, f"{label} ({where})", hint, key))
        else:
            out.append(HclPolicy(doc, _doc_locator(source, builder), b.path, where, None, False))
    return out, notes


# --- terraform show -json ------------------------------------------------------


def is_terraform_json(root: Any) -> bool:
    """Whether a parsed JSON file is ``terraform show -json`` output (a plan or a state)."""
    return isinstance(root, dict) and "format_version" in root and (
        "planned_values" in root or "values" in root or "terraform_version" in root
        or isinstance(root.get("resource_changes"), list))


def plan_policy_paths(root: dict) -> tuple[list[tuple[DataPath, str, str | None, bool]], list[str]]:
    """Where the policies of a ``terraform show -json`` output are.

    ``planned_values`` (plan) or ``values`` (state) are read first; then
    ``resource_changes[].change.after`` for the resources they do not hold
    (a plan written with only ``resource_changes``), so no policy is counted twice.

    Returns:
        (found, notes): ``found`` holds (data path of the policy's JSON string,
        label such as ``module.kms.aws_kms_key.this``, kind hint, key policy?);
        ``notes`` name policies unknown until apply, policies redacted as
        sensitive, and values that are not strings.
    """
    found: list[tuple[DataPath, str, str | None, bool]] = []
    notes: list[str] = []
    unknown: set[tuple[str, str]] = set()
    sensitive: set[tuple[str, str]] = set()
    changes: list[tuple[dict, int]] = []
    for i, rc in enumerate(root.get("resource_changes") or [] if isinstance(root.get("resource_changes"), list) else []):
        if isinstance(rc, dict) and isinstance(rc.get("change"), dict):
            changes.append((rc, i))
            for field_name, into in (("after_unknown", unknown), ("after_sensitive", sensitive)):
                flags = rc["change"].get(field_name)
                if isinstance(flags, dict):
                    for k, v in flags.items():
                        if v is True:
                            into.add((str(rc.get("address")), k))
                        elif isinstance(v, list) and any(isinstance(x, dict) and x.get("policy") is True for x in v):
                            into.add((str(rc.get("address")), f"{k}.policy"))
    seen: set[str] = set()  # a data source read at plan time is in planned_values and prior_state
    done: set[str] = set()  # addresses read from planned_values or values

    def resource(values: dict, rtype: Any, mode: Any, addr: str, rpath: DataPath) -> None:
        if mode == "data" and rtype == "aws_iam_policy_document":
            if isinstance(values.get("json"), str) and addr not in seen:
                seen.add(addr)
                found.append((rpath + ("json",), addr, None, False))
            return
        for arg, hint, key in POLICY_ARGUMENTS.get(str(rtype), ()):
            label = addr + (" trust policy" if hint == "trust" else "")
            if "." in arg:
                btype, sub = arg.split(".", 1)
                blocks = values.get(btype)
                for k, nb in enumerate(blocks if isinstance(blocks, list) else []):
                    if isinstance(nb, dict) and isinstance(nb.get(sub), str) and nb[sub]:
                        found.append((rpath + (btype, k, sub), f"{addr} {btype} {nb.get('name', k)}", hint, key))
                if (addr, arg) in sensitive:
                    notes.append(f"{addr}: {arg} is sensitive (after_sensitive), so terraform show -json leaves it "
                                 "out; not checked")
                continue
            v = values.get(arg)
            if isinstance(v, str) and v:
                found.append((rpath + (arg,), label, hint, key))
            elif (addr, arg) in unknown:
                notes.append(f"{addr}: {arg} is known only after apply (after_unknown); not checked")
            elif (addr, arg) in sensitive:
                notes.append(f"{addr}: {arg} is sensitive (after_sensitive), so terraform show -json leaves it "
                             "out (redacted); not checked")
            elif v is not None and not isinstance(v, str):
                notes.append(f"{pointer(rpath + (arg,))}: {arg} should be a JSON string; not checked")

    for top in ("planned_values", "values", "prior_state"):
        mod = root.get(top)
        base: DataPath = (top,)
        if top == "prior_state":
            if not isinstance(mod, dict) or not isinstance(mod.get("values"), dict) or "planned_values" not in root:
                continue
            mod, base = mod["values"], (top, "values")
        if not isinstance(mod, dict) or not isinstance(mod.get("root_module"), dict):
            continue
        stack: list[tuple[dict, DataPath]] = [(mod["root_module"], base + ("root_module",))]
        while stack:
            m, mpath = stack.pop(0)
            resources = m.get("resources")
            for j, res in enumerate(resources if isinstance(resources, list) else []):
                if not isinstance(res, dict):
                    continue
                rtype, mode, addr = res.get("type"), res.get("mode"), str(res.get("address", res.get("name")))
                values = res.get("values")
                if not isinstance(values, dict):
                    continue
                if top == "prior_state" and mode != "data":
                    continue  # only data sources read at plan time come from the prior state
                if top != "prior_state":
                    done.add(addr)
                resource(values, rtype, mode, addr, mpath + ("resources", j, "values"))
            children = m.get("child_modules")
            for k, child in enumerate(children if isinstance(children, list) else []):
                if isinstance(child, dict):
                    stack.append((child, mpath + ("child_modules", k)))
    for rc, i in changes:
        addr, after = str(rc.get("address", rc.get("name"))), rc["change"].get("after")
        if addr in done or not isinstance(after, dict):
            continue
        done.add(addr)
        resource(after, rc.get("type"), rc.get("mode", "managed"), addr, ("resource_changes", i, "change", "after"))
    return found, notes
