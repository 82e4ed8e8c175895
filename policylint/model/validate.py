"""Build a :class:`PolicyDocument` from parsed JSON/YAML, reporting grammar problems.

The rules implemented here are those of the IAM User Guide pages
*IAM JSON policy language grammar*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
and *IAM JSON policy element reference*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):

* a policy is an object with ``Version``, optional ``Id``, and ``Statement``
  (one object or a non-empty list of objects); no other elements;
* a statement has ``Effect`` (``Allow`` or ``Deny``, case-sensitive; in a
  template, one it computes, ``${...}`` with no colon, is unknown: no problem, and
  the statement is not modeled, so no rule takes it as Allow or Deny), exactly one
  of ``Action``/``NotAction``, at most one of ``Resource``/``NotResource``
  (required in identity policies and SCPs), at most one of
  ``Principal``/``NotPrincipal`` (required in resource-based and trust policies,
  forbidden in identity policies and SCPs), optional ``Sid`` and ``Condition``;
* ``Sid`` values are unique within a policy;
* ``Version`` is ``2012-10-17`` or ``2008-10-17``.

Nothing here raises on bad input: every problem is returned, and what is
valid is still modeled, so the catalog checks can run on the rest.
"""

from __future__ import annotations

import json
from typing import Any

from policylint.load.source import clip, json_type_name
from policylint.model.policy import VERSIONS, DataPath, PolicyDocument, PolicyKind
from policylint.model.problems import Problem, ProblemKind

__all__ = ["build_policy", "type_name"]

_TOP = ("Version", "Id", "Statement")
_STMT = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
_PRINCIPAL_TYPES = {"AWS": "aws", "Service": "service", "Federated": "federated", "CanonicalUser": "canonical_user"}


type_name = json_type_name


def _suggest(name: str, allowed: tuple[str, ...]) -> str:
    """' (did you mean "X"?)' for a case or near-spelling match, else ''."""
    low = name.lower()
    for a in allowed:
        if a.lower() == low:
            return f' (did you mean "{a}"? element names are case-sensitive)'
    for a in allowed:
        if a.lower().rstrip("s") == low.rstrip("s") or a.lower() == low.replace("_", ""):
            return f' (did you mean "{a}"?)'
    import difflib

    hit = difflib.get_close_matches(name, allowed, n=1, cutoff=0.8)
    return f' (did you mean "{hit[0]}"?)' if hit else ""


class _Builder:
    def __init__(self, kind: PolicyKind, template: bool = False) -> None:
        self.kind = kind
        self.template = template
        self.problems: list[Problem] = []
        self.sids: dict[str, int] = {}

    def add(self, kind: ProblemKind, message: str, path: DataPath, at_key: bool = False) -> None:
        self.problems.append(Problem(kind, message, path, at_key))

    # -- values -------------------------------------------------------------
    def strings(self, value: Any, path: DataPath, element: str) -> tuple[tuple[str, ...], bool] | None:
        """A string or non-empty list of strings -> (values, single); None if unusable."""
        if isinstance(value, str):
            return (value,), True
        if isinstance(value, list):
            if not value:
                self.add(ProblemKind.EMPTY_ELEMENT, f"{element} is an empty list: the statement matches nothing", path)
                return None
            if all(type(v) is str for v in value):  # the common case, checked in one pass
                return tuple(value), False
            out = []
            for i, v in enumerate(value):
                if isinstance(v, str):
                    out.append(v)
                else:
                    self.add(
                        ProblemKind.INVALID_TYPE,
                        f"each {element} value must be a string, got {type_name(v)}",
                        path + (i,),
                    )
            return tuple(out), False
        self.add(
            ProblemKind.INVALID_TYPE,
            f"{element} must be a string or a list of strings, got {type_name(value)}",
            path,
        )
        return None

    def principal(self, value: Any, path: DataPath, element: str) -> dict | None:
        if isinstance(value, str):
            if value == "*":
                return {"all": True}
            self.add(
                ProblemKind.INVALID_TYPE,
                f'{element} must be "*" or an object such as {{"AWS": "arn:aws:iam::111122223333:root"}}, '
                f'got the string "{clip(value)}"',
                path,
            )
            return None
        if not isinstance(value, dict):
            self.add(ProblemKind.INVALID_TYPE, f"{element} must be \"*\" or an object, got {type_name(value)}", path)
            return None
        if not value:
            self.add(ProblemKind.EMPTY_ELEMENT, f"{element} is an empty object: it names no principal", path)
            return None
        fields: dict[str, tuple[str, ...]] = {}
        for k, v in value.items():
            if k not in _PRINCIPAL_TYPES:
                self.add(
                    ProblemKind.UNKNOWN_ELEMENT,
                    f'unknown principal type "{clip(k, 40)}" in {element}; expected AWS, Service, Federated or CanonicalUser'
                    + _suggest(k, tuple(_PRINCIPAL_TYPES)),
                    path + (k,),
                    at_key=True,
                )
                continue
            got = self.strings(v, path + (k,), f"{element} {k}")
            if got is not None:
                fields[_PRINCIPAL_TYPES[k]] = got[0]
        return fields or None

    def condition(self, value: Any, path: DataPath) -> list[dict]:
        if not isinstance(value, dict):
            self.add(
                ProblemKind.INVALID_TYPE,
                f"Condition must be an object mapping operators to {{key: values}}, got {type_name(value)}",
                path,
            )
            return []
        clauses: list[dict] = []
        for op, block in value.items():
            if not isinstance(block, dict):
                self.add(
                    ProblemKind.INVALID_TYPE,
                    f'condition operator "{clip(op)}" must map to an object of {{key: values}}, got {type_name(block)}',
                    path + (op,),
                )
                continue
            if not block:
                self.add(ProblemKind.EMPTY_ELEMENT, f'condition operator "{clip(op)}" has no keys', path + (op,))
                continue
            for key, raw in block.items():
                vpath = path + (op, key)
                if isinstance(raw, list):
                    vals, ok = [], True
                    for i, v in enumerate(raw):
                        s = _scalar_text(v)
                        if s is None:
                            ok = False
                            self.add(
                                ProblemKind.INVALID_TYPE,
                                f'condition value for "{clip(key)}" must be a string, number or boolean, got {type_name(v)}',
                                vpath + (i,),
                            )
                        else:
                            vals.append(s)
                    if not raw:
                        self.add(ProblemKind.EMPTY_ELEMENT, f'condition key "{clip(key)}" has an empty list of values', vpath)
                    elif ok:
                        clauses.append({"operator": op, "key": key, "values": vals, "single": False})
                else:
                    s = _scalar_text(raw)
                    if s is None:
                        self.add(
                            ProblemKind.INVALID_TYPE,
                            f'condition value for "{clip(key)}" must be a string, number, boolean or a list of them, '
                            f"got {type_name(raw)}",
                            vpath,
                        )
                    else:
                        clauses.append({"operator": op, "key": key, "values": (s,), "single": True})
        return clauses

    # -- statement ----------------------------------------------------------
    def rcp_rules(self, raw: dict, path: DataPath) -> None:
        """AWS Organizations User Guide, *RCP syntax*: an RCP has no
        NotPrincipal and no NotAction, its Principal is ``"*"``, and Allow is
        supported only in ``RCPFullAWSAccess`` (Principal, Action and Resource
        ``"*"``, no Condition)."""
        for element in ("NotPrincipal", "NotAction"):
            if element in raw:
                self.add(ProblemKind.ELEMENT_NOT_ALLOWED, f"{element} is not allowed in a resource control policy",
                         path + (element,), at_key=True)
        if "Principal" in raw and raw["Principal"] != "*":
            self.add(ProblemKind.ELEMENT_NOT_ALLOWED, 'in a resource control policy the Principal must be "*"',
                     path + ("Principal",))
        full_access = (raw.get("Principal") == "*" and raw.get("Action") in ("*", ["*"])
                       and raw.get("Resource") in ("*", ["*"]) and "Condition" not in raw)
        if raw.get("Effect") == "Allow" and not full_access:
            self.add(ProblemKind.ELEMENT_NOT_ALLOWED, "a resource control policy allows only as RCPFullAWSAccess does "
                     '(Principal, Action and Resource "*", no Condition); write the restriction as a Deny',
                     path + ("Effect",))

    def statement(self, raw: Any, index: int, path: DataPath) -> dict | None:
        """The statement's fields for :class:`Statement` (validated by pydantic
        with the whole document), or None when it has no valid Effect."""
        if not isinstance(raw, dict):
            self.add(ProblemKind.INVALID_TYPE, f"a statement must be an object, got {type_name(raw)}", path)
            return None
        for k in raw:
            if k not in _STMT:
                self.add(
                    ProblemKind.UNKNOWN_ELEMENT,
                    f'unknown statement element "{clip(k, 40)}"' + _suggest(k, _STMT),
                    path + (k,),
                    at_key=True,
                )
        fields: dict[str, Any] = {"index": index, "path": path}
        single: set[str] = set()

        sid = raw.get("Sid")
        if "Sid" in raw:
            if isinstance(sid, str):
                fields["sid"] = sid
                if sid:
                    if sid in self.sids:
                        self.add(
                            ProblemKind.DUPLICATE_SID,
                            f'Sid "{clip(sid, 60)}" is already used by statement {self.sids[sid] + 1}; Sids must be unique within a policy',
                            path + ("Sid",),
                        )
                    else:
                        self.sids[sid] = index
            else:
                self.add(ProblemKind.INVALID_TYPE, f"Sid must be a string, got {type_name(sid)}", path + ("Sid",))

        effect = raw.get("Effect")
        if "Effect" not in raw:
            self.add(ProblemKind.MISSING_ELEMENT, 'statement has no Effect ("Allow" or "Deny")', path)
        elif not isinstance(effect, str):
            self.add(ProblemKind.INVALID_TYPE, f"Effect must be a string, got {type_name(effect)}", path + ("Effect",))
        elif effect not in ("Allow", "Deny") and self.template and _computed(effect):
            pass  # a template value (``${Eff}``, ``${expression}``): unknown, so neither Allow nor Deny (not modeled)
        elif effect not in ("Allow", "Deny"):
            hint = ""
            if effect.lower() in ("allow", "deny"):
                hint = f' (did you mean "{effect.capitalize()}"? the value is case-sensitive)'
            self.add(ProblemKind.INVALID_EFFECT, f'Effect must be "Allow" or "Deny", got "{clip(effect, 40)}"' + hint, path + ("Effect",))
        else:
            fields["effect"] = effect

        # Action / NotAction
        has_a, has_na = "Action" in raw, "NotAction" in raw
        if has_a and has_na:
            self.add(ProblemKind.CONFLICTING_ELEMENTS, "statement has both Action and NotAction; use one", path + ("NotAction",), at_key=True)
        elif not has_a and not has_na:
            self.add(ProblemKind.MISSING_ELEMENT, "statement has neither Action nor NotAction: it matches no request", path)
        for element, name in (("Action", "action"), ("NotAction", "not_action")):
            if element in raw:
                got = self.strings(raw[element], path + (element,), element)
                if got is not None:
                    fields[name] = got[0]
                    if got[1]:
                        single.add(element)

        # Resource / NotResource
        has_r, has_nr = "Resource" in raw, "NotResource" in raw
        if has_r and has_nr:
            self.add(ProblemKind.CONFLICTING_ELEMENTS, "statement has both Resource and NotResource; use one", path + ("NotResource",), at_key=True)
        if self.kind is PolicyKind.TRUST and (has_r or has_nr):
            which = "Resource" if has_r else "NotResource"
            self.add(
                ProblemKind.ELEMENT_NOT_ALLOWED,
                f"{which} is not allowed in a role trust policy (IAM answers \"Has prohibited field {which}\"): "
                "the resource is the role itself",
                path + (which,),
                at_key=True,
            )
        elif not has_r and not has_nr and self.kind is not PolicyKind.TRUST:
            if self.kind is PolicyKind.RESOURCE:
                msg = "statement has neither Resource nor NotResource: AWS accepts it but it has no effect"
            else:
                msg = "statement has neither Resource nor NotResource; IAM requires one in this kind of policy"
            self.add(ProblemKind.MISSING_ELEMENT, msg, path)
        for element, name in (("Resource", "resource"), ("NotResource", "not_resource")):
            if element in raw:
                got = self.strings(raw[element], path + (element,), element)
                if got is not None:
                    fields[name] = got[0]
                    if got[1]:
                        single.add(element)

        # Principal / NotPrincipal
        has_p, has_np = "Principal" in raw, "NotPrincipal" in raw
        if has_p and has_np:
            self.add(ProblemKind.CONFLICTING_ELEMENTS, "statement has both Principal and NotPrincipal; use one", path + ("NotPrincipal",), at_key=True)
        if (has_p or has_np) and not self.kind.takes_principal:
            which = "Principal" if has_p else "NotPrincipal"
            where = "an identity-based policy" if self.kind is PolicyKind.IDENTITY else "a service control policy"
            self.add(
                ProblemKind.PRINCIPAL_NOT_ALLOWED,
                f"{which} is not allowed in {where}: the principal is whoever the policy is attached to",
                path + (which,),
                at_key=True,
            )
        elif not has_p and not has_np and self.kind.takes_principal:
            what = {
                PolicyKind.RESOURCE: "a resource-based policy (such as a KMS key policy)",
                PolicyKind.TRUST: "a role trust policy",
                PolicyKind.RCP: "a resource control policy",
            }[self.kind]
            self.add(ProblemKind.PRINCIPAL_REQUIRED, f"statement has no Principal, which {what} requires", path)
        for element, name in (("Principal", "principal"), ("NotPrincipal", "not_principal")):
            if element in raw:
                p = self.principal(raw[element], path + (element,), element)
                if p is not None:
                    fields[name] = p

        if "Condition" in raw:
            fields["condition"] = self.condition(raw["Condition"], path + ("Condition",))
        if self.kind is PolicyKind.RCP:
            self.rcp_rules(raw, path)

        if "effect" not in fields:
            return None
        fields["single"] = single
        return fields


def _computed(effect: str) -> bool:
    """An Effect a CloudFormation or Terraform template computes (``${Eff}``), not a typo."""
    from policylint.load.cfn import has_template_reference

    return effect.startswith("${") and effect.endswith("}") and has_template_reference(effect)


def _scalar_text(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return None


def build_policy(raw: Any, kind: PolicyKind, template: bool = False) -> tuple[PolicyDocument | None, list[Problem]]:
    """Validate a parsed policy document and build its model.

    Args:
        raw: the parsed JSON/YAML value of the document.
        kind: the policy kind, which decides whether Principal is required,
            forbidden, and whether Resource is required.
        template: the document comes from a CloudFormation template or a
            Terraform file (``lint``): an Effect the template computes
            (``${Eff}``) is then unknown, not a problem, and its statement is
            left out of the model. Elsewhere (``can``, plain policy files) it is
            an invalid Effect, so no answer is given on a guess.

    Returns:
        (document, problems). ``document`` is None only when ``raw`` is not an
        object; otherwise it holds every statement with a valid Effect, even
        when other problems were found. ``problems`` lists every deviation
        from the grammar, each with its data path inside the document.
    """
    b = _Builder(kind, template)
    if not isinstance(raw, dict):
        b.add(ProblemKind.INVALID_TYPE, f"a policy document must be an object, got {type_name(raw)}", ())
        return None, b.problems
    for k in raw:
        if k not in _TOP:
            b.add(ProblemKind.UNKNOWN_ELEMENT, f'unknown policy element "{clip(k, 40)}"' + _suggest(k, _TOP), (k,), at_key=True)

    fields: dict[str, Any] = {"kind": kind}
    if "Version" not in raw:
        b.add(
            ProblemKind.MISSING_VERSION,
            'policy has no Version: AWS then uses "2008-10-17", where policy variables such as '
            '${aws:username} are literal text; add "Version": "2012-10-17"',
            (),
        )
    else:
        v = raw["Version"]
        if not isinstance(v, str):
            b.add(ProblemKind.INVALID_TYPE, f"Version must be a string, got {type_name(v)}", ("Version",))
        elif v not in VERSIONS:
            b.add(
                ProblemKind.INVALID_VERSION,
                f'Version must be "2012-10-17" (or the legacy "2008-10-17"), got "{clip(v, 40)}"; '
                "it is the policy language version, not a date you choose",
                ("Version",),
            )
        else:
            fields["version"] = v
    if "Id" in raw:
        if isinstance(raw["Id"], str):
            fields["id"] = raw["Id"]
        else:
            b.add(ProblemKind.INVALID_TYPE, f"Id must be a string, got {type_name(raw['Id'])}", ("Id",))

    statements: list[dict] = []
    count = 0
    if "Statement" not in raw:
        b.add(ProblemKind.MISSING_ELEMENT, "policy has no Statement", ())
    else:
        st = raw["Statement"]
        if isinstance(st, dict):
            count = 1
            s = b.statement(st, 0, ("Statement",))
            if s is not None:
                statements.append(s)
        elif isinstance(st, list):
            count = len(st)
            if not st:
                b.add(ProblemKind.EMPTY_ELEMENT, "Statement is an empty list: the policy grants and denies nothing", ("Statement",))
            for i, item in enumerate(st):
                s = b.statement(item, i, ("Statement", i))
                if s is not None:
                    statements.append(s)
        else:
            b.add(
                ProblemKind.INVALID_TYPE,
                f"Statement must be an object or a list of objects, got {type_name(st)}",
                ("Statement",),
            )
    fields["statements"] = statements
    fields["statement_count"] = count
    # One validation of the whole document: pydantic builds the nested models.
    return PolicyDocument.model_validate(fields), b.problems
