"""PL400 allow-with-not-principal."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.model.policy import PolicyKind
from policylint.rules._iam import sample


class AllowWithNotPrincipal(Rule):
    """An Allow statement with ``NotPrincipal`` grants everyone but the listed principals.

    What it does:
        In resource-based and trust policies, reports every ``"Effect":
        "Allow"`` statement that uses ``NotPrincipal``, naming the actions it
        grants and the principals it leaves out.

    Why it matters:
        ``NotPrincipal`` inverts the principal match: an Allow with it grants
        the actions to every principal in every account except the ones
        listed, anonymous (unauthenticated) callers included. The IAM User
        Guide says ``NotPrincipal`` must be used with ``Deny`` and that its use
        with ``Allow`` is not supported; AWS recommends against
        ``NotPrincipal`` in new resource-based policies altogether.

    Example:
        ``{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Bob"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"}``

    Instead:
        Name who is allowed in ``Principal``. To refuse everyone but a few
        principals, use a ``Deny`` with ``"Principal": "*"`` and an
        ``ArnNotEquals`` condition on ``aws:PrincipalArn``.
    """

    code = "PL400"
    name = "allow-with-not-principal"
    summary = "an Allow statement uses NotPrincipal: it grants every principal but the listed ones, anonymous users included"
    severity = Severity.ERROR
    tags = ("iam", "principal")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind not in (PolicyKind.RESOURCE, PolicyKind.TRUST):
            return
        for stmt in doc.statements:
            if stmt.effect != "Allow" or stmt.not_principal is None:
                continue
            if stmt.action is not None:
                what = sample([f'"{clip(a)}"' for a in stmt.action])
            elif stmt.not_action is not None:
                what = "every action but " + sample([f'"{clip(a)}"' for a in stmt.not_action])
            else:
                what = "its actions"
            left_out = sample([clip(v) for _, v in stmt.not_principal.values()]) or "nobody"
            yield ctx.finding(
                self,
                f"{stmt.label} allows {what} to every principal except {left_out}, anonymous users included "
                '(AWS does not support NotPrincipal with "Allow"): name the principals that need access in Principal',
                stmt.path + ("NotPrincipal",),
                key=True,
            )
