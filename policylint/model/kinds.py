"""Detect a policy's kind from its content and from hints about where it came from.

Precedence, highest first:

1. ``--kind`` on the command line (the user knows);
2. the AWS CLI output the document came out of (``aws iam get-role`` holds a
   trust policy, ``aws kms get-key-policy`` a key policy, ``aws organizations
   describe-policy`` says SCP or RCP in ``PolicySummary.Type``);
3. the content: statements with ``Principal``/``NotPrincipal`` (at least half
   of them, so one stray or one missing principal does not flip the document)
   make a resource-based policy, a trust policy when every action is an ``sts:``
   action (IAM User Guide, *Roles terms and concepts*: a trust policy is the
   resource-based policy of a role); no principal anywhere makes an
   identity-based policy;
4. the file's folders, which refine case 3 only: under a folder named for
   service control policies (``scp``, ``service_control_policies``, ...) a
   principal-less policy is an SCP; under one named for resource control
   policies (``rcp``, ``resource_control_policies``) a policy with a
   principal is an RCP. SCPs and identity policies, or RCPs and resource
   policies, cannot be told apart by content alone.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from policylint.model.policy import PolicyKind

__all__ = ["detect_kind", "kind_from_path", "looks_like_key_policy"]

_SCP = re.compile(r"(^|[^a-z])(scps?|service[-_ ]?control[-_ ]?polic(y|ies))([^a-z]|$)", re.I)
_RCP = re.compile(r"(^|[^a-z])(rcps?|resource[-_ ]?control[-_ ]?polic(y|ies))([^a-z]|$)", re.I)


def kind_from_path(path: str) -> PolicyKind | None:
    """SCP or RCP if the nearest folder naming exactly one of them says so, else None.

    Folders are examined from the file's own folder upward; a folder whose
    name mentions both (``scp-rcp-examples``) decides nothing.
    """
    return _kind_from_folder(os.path.dirname(path))


@lru_cache(maxsize=4096)
def _kind_from_folder(folder: str) -> PolicyKind | None:
    for part in reversed(PurePath(folder).parts):
        scp, rcp = bool(_SCP.search(part)), bool(_RCP.search(part))
        if scp != rcp:
            return PolicyKind.SCP if scp else PolicyKind.RCP
    return None


def _statements(doc: Any) -> list[dict]:
    st = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(st, dict):
        return [st]
    if isinstance(st, list):
        return [s for s in st if isinstance(s, dict)]
    return []


def _actions(stmts: list[dict]) -> list[str]:
    out: list[str] = []
    for s in stmts:
        for el in ("Action", "NotAction"):
            v = s.get(el)
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, list):
                out.extend(x for x in v if isinstance(x, str))
    return out


def detect_kind(doc: Any, source_hint: PolicyKind | str | None = None, path: str | None = None) -> tuple[PolicyKind, str]:
    """Decide the kind of a parsed policy document.

    Args:
        doc: the parsed document (any JSON value; non-objects are identity).
        source_hint: kind implied by the AWS CLI output that held the document
            (a PolicyKind or its value, as the loaders give it).
        path: the file path, for the folder-name refinement.

    Returns:
        (kind, reason), the reason being a short phrase for reports.
    """
    if source_hint is not None:
        return PolicyKind(source_hint), "from the AWS CLI output shape"
    stmts = _statements(doc)
    with_principal = sum(1 for s in stmts if "Principal" in s or "NotPrincipal" in s)
    # A stray Principal in an identity policy, or a key policy statement that
    # lost its Principal, should not flip the whole document: the majority decides.
    has_principal = bool(stmts) and with_principal * 2 >= len(stmts)
    folder = kind_from_path(path) if path else None
    if has_principal:
        if folder is PolicyKind.RCP:
            return PolicyKind.RCP, "statements name a Principal and the folder name says resource control policy"
        acts = _actions(stmts)
        if acts and all(a.lower().startswith("sts:") for a in acts):
            return PolicyKind.TRUST, "statements name a Principal and every action is an sts: action"
        return PolicyKind.RESOURCE, "statements name a Principal"
    if folder is PolicyKind.SCP:
        return PolicyKind.SCP, "no Principal and the folder name says service control policy"
    return PolicyKind.IDENTITY, "no statement names a Principal"


def looks_like_key_policy(doc: Any) -> bool:
    """True for a resource-based policy whose actions are all KMS actions (or ``*``)."""
    acts = _actions(_statements(doc))
    return bool(acts) and all(a == "*" or a.lower().startswith("kms:") for a in acts) and any(
        a.lower().startswith("kms:") for a in acts
    )
