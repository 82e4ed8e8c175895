"""PL403 privilege-escalation."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.evaluate.match import matched_catalog_actions
from policylint.model.policy import PolicyDocument, PolicyKind, Statement
from policylint.rules._iam import (action_path, all_of_type, facts, is_full_admin, narrowing_keys, resource_formats,
                                   spelled, unconditional_denied)

#: Actions that, alone, let their holder give itself (or an identity it
#: controls) more permissions, with what the holder can do. Our own list,
#: from the IAM User Guide pages of these actions' APIs and the published
#: research on IAM privilege escalation (Rhino Security Labs, "AWS IAM
#: Privilege Escalation - Methods and Mitigation").
SINGLE: dict[str, str] = {
    "iam:createpolicyversion": "rewrite any managed policy to allow everything",
    "iam:setdefaultpolicyversion": "switch any managed policy to a broader stored version",
    "iam:attachuserpolicy": "attach any managed policy, AdministratorAccess included, to a user",
    "iam:attachgrouppolicy": "attach any managed policy to a group",
    "iam:attachrolepolicy": "attach any managed policy to a role",
    "iam:putuserpolicy": "write any inline policy on a user",
    "iam:putgrouppolicy": "write any inline policy on a group",
    "iam:putrolepolicy": "write any inline policy on a role",
    "iam:updateassumerolepolicy": "make any role trust the holder, then assume it",
    "iam:createaccesskey": "create access keys for other users",
    "iam:createloginprofile": "set a console password for users that have none",
    "iam:updateloginprofile": "change other users' console passwords",
    "iam:addusertogroup": "join any group",
}

PASS_ROLE = "iam:passrole"

#: Services that run code under a role they are given: with ``iam:PassRole``
#: on any role, these actions run the holder's code with that role's permissions.
RUNS_CODE: tuple[tuple[str, ...], ...] = (
    ("lambda:createfunction", "lambda:invokefunction"),
    ("lambda:createfunction", "lambda:createeventsourcemapping"),
    ("ec2:runinstances",),
    ("cloudformation:createstack",),
    ("glue:createdevendpoint",),
    ("datapipeline:createpipeline", "datapipeline:putpipelinedefinition"),
    ("ecs:registertaskdefinition", "ecs:runtask"),
    ("codebuild:createproject", "codebuild:startbuild"),
    ("sagemaker:createnotebookinstance",),
)

_WATCHED = frozenset(SINGLE) | {PASS_ROLE}
_RUNNERS = frozenset(a for combo in RUNS_CODE for a in combo)


def _broad_for(stmt: Statement, name: str) -> bool:
    """True if the statement grants ``name`` on every resource of its type
    (``"*"``, ``NotResource``, or ``role/*``-style ARNs)."""
    if stmt.not_resource is not None:
        return True
    f = facts(name)
    if f is None or stmt.resource is None:
        return False
    svc = name.partition(":")[0]
    formats = [fmt for rt, _ in f[1] for fmt in resource_formats(svc, rt)]
    return any(v == "*" or any(all_of_type(v, fmt) for fmt in formats) for v in stmt.resource)


def _allowed_anywhere(doc: PolicyDocument, denied: frozenset[str]) -> dict[str, Statement]:
    """First Allow statement granting each action of :data:`RUNS_CODE`."""
    wanted = frozenset({a for combo in RUNS_CODE for a in combo} - denied)
    out: dict[str, Statement] = {}
    for s in doc.statements:
        if s.effect != "Allow":
            continue
        for a in matched_catalog_actions(s, wanted):
            out.setdefault(a, s)
    return out


class PrivilegeEscalation(Rule):
    """An identity-based policy lets its holder give itself more permissions.

    What it does:
        In identity-based policies, reports each Allow statement that grants,
        on every resource of the action's type (``"*"``, ``NotResource``, or
        an ARN such as ``arn:aws:iam::111122223333:role/*``) and with no
        condition that could narrow it, one of the actions with which an
        identity can raise its own permissions: ``iam:CreatePolicyVersion``,
        ``iam:SetDefaultPolicyVersion``, ``iam:Attach{User,Group,Role}Policy``,
        ``iam:Put{User,Group,Role}Policy``, ``iam:UpdateAssumeRolePolicy``,
        ``iam:CreateAccessKey``, ``iam:CreateLoginProfile``,
        ``iam:UpdateLoginProfile``, ``iam:AddUserToGroup``, and
        ``iam:PassRole``. For ``iam:PassRole`` the message names the actions of
        the same policy that run code under a passed role (``ec2:RunInstances``,
        ``lambda:CreateFunction`` with ``lambda:InvokeFunction``,
        ``cloudformation:CreateStack``, ``glue:CreateDevEndpoint``...).
        Wildcards (``iam:*``, ``iam:Put*``, ``*``, ``NotAction``) are expanded
        through the catalog. Actions refused by an unconditional Deny of the
        same policy are left out, and a policy that already allows ``"*"`` on
        ``"*"`` is not checked (it has nothing left to gain).

    Why it matters:
        Whoever holds such a permission holds, in effect, every permission:
        an inline policy or an attached ``AdministratorAccess`` is one call
        away, and passing an administrator role to an EC2 instance or a Lambda
        function runs the holder's code as that role. AWS advises granting
        ``iam:PassRole`` on named roles only.

    Example:
        ``{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}``

    Instead:
        Name the roles that may be passed
        (``"Resource": "arn:aws:iam::111122223333:role/app/*"``) and add an
        ``iam:PassedToService`` condition; grant IAM write actions on the
        principals the holder administers only, or use a permissions boundary
        (``iam:PermissionsBoundary`` condition).
    """

    code = "PL403"
    name = "privilege-escalation"
    summary = "an identity-based policy allows an action that lets its holder gain more permissions (iam:PassRole on any role, iam:Put*Policy...)"
    severity = Severity.ERROR
    tags = ("iam", "escalation")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY:
            return
        if any(is_full_admin(s) for s in doc.statements):
            return
        denied: frozenset[str] | None = None
        runners: dict[str, Statement] | None = None
        for stmt in doc.statements:
            if stmt.effect != "Allow" or narrowing_keys(stmt):
                continue
            hits = matched_catalog_actions(stmt, _WATCHED)
            if not hits:
                continue
            if denied is None:
                denied = unconditional_denied(doc.statements)
            hits = sorted(n for n in hits - denied if _broad_for(stmt, n))
            if not hits:
                continue
            parts = [f"{spelled(n)} ({SINGLE[n]})" for n in hits if n in SINGLE]
            if PASS_ROLE in hits:
                if runners is None:
                    runners = _allowed_anywhere(doc, denied)
                own = matched_catalog_actions(stmt, _RUNNERS)
                combos = [c for c in RUNS_CODE if all(a in runners for a in c)]
                # Prefer a combination the statement itself grants.
                combos.sort(key=lambda c: not all(a in own for a in c))
                if combos:
                    first = combos[0]
                    where = sorted({runners[a].label for a in first if a not in own} - {stmt.label})
                    with_ = " and ".join(spelled(a) for a in first) + (f" ({', '.join(where)})" if where else "")
                    parts.insert(0, f"iam:PassRole on every role, with {with_}: runs the holder's code as any role")
                else:
                    parts.insert(0, "iam:PassRole on every role (hands any role, admin roles included, "
                                    "to a service that acts for the holder)")
            path, key = action_path(stmt, hits)
            yield ctx.finding(
                self,
                f"{stmt.label} lets its holder gain permissions: {'; '.join(parts[:4])}"
                + (f"; and {len(parts) - 4} more" if len(parts) > 4 else "") + "; "
                "limit these actions to named resources or a permissions boundary",
                path,
                key=key,
            )
