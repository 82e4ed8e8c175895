"""PL401 allow-with-not-action."""

from __future__ import annotations

from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.model.policy import PolicyKind
from policylint.rules._iam import all_names, finding, narrowing_keys, plural, sample, service_counts, spelled, statement_names

#: Actions named as examples of what a NotAction grant still allows, in this
#: order of interest: passing roles and assuming them, reading secrets and
#: data, using keys.
NOTABLE = (
    "iam:passrole", "iam:createaccesskey", "iam:attachrolepolicy", "sts:assumerole", "kms:decrypt",
    "secretsmanager:getsecretvalue", "s3:getobject", "ssm:getparameter", "ec2:runinstances",
    "lambda:createfunction", "organizations:leaveorganization",
)


class AllowWithNotAction(Rule):
    """An Allow statement with ``NotAction`` grants every action it does not list.

    What it does:
        In identity-based policies, reports every ``"Effect": "Allow"``
        statement that uses ``NotAction`` and says how much it grants, counted
        in the catalog: how many actions of how many services, a few notable
        ones among them (``iam:PassRole``, ``sts:AssumeRole``, ``kms:Decrypt``...),
        on which resources and under which conditions. The finding is a
        warning when the statement applies to every resource (``"*"`` or
        ``NotResource``) with no condition that narrows it, and info otherwise.

    Why it matters:
        ``NotAction`` with ``Allow`` grants everything the list leaves out,
        including every action of every service AWS adds later. It is easy to
        read as "these actions" when it means "all but these". The IAM User
        Guide warns that it can grant more than intended.

    Example:
        ``{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}``

    Instead:
        List the actions the principal needs in ``Action``. If "everything
        but" is really meant, keep the broad Allow and add an explicit
        ``Deny`` for what must stay out; that also holds against other
        policies' Allows.
    """

    code = "PL401"
    name = "allow-with-not-action"
    summary = "an Allow statement uses NotAction: it grants every action it does not list (counted in the catalog)"
    severity = Severity.WARNING
    tags = ("iam", "least-privilege")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        doc = ctx.document
        if doc is None or ctx.kind is not PolicyKind.IDENTITY:
            return
        for stmt in doc.statements:
            if stmt.effect != "Allow" or stmt.not_action is None:
                continue
            total, total_services = len(all_names()), len(service_counts(all_names()))
            names = statement_names(stmt)
            services = len(service_counts(names))
            notable = [spelled(n) for n in NOTABLE if n in names]
            including = f", including {sample(notable)}" if notable else ""
            if stmt.resource is not None and "*" in stmt.resource:
                where, everywhere = 'on Resource "*"', True
            elif stmt.not_resource is not None:
                where, everywhere = "on every resource but those NotResource lists", True
            else:
                where, everywhere = f"on the {plural(len(stmt.resource or ()), 'resource pattern')} of Resource", False
            keys = narrowing_keys(stmt)
            cond = f"under a Condition on {sample(keys)}" if keys else "with no Condition that narrows it"
            yield finding(
                ctx, self,
                f"{stmt.label} allows every action but those NotAction lists: {len(names):,} of the catalog's "
                f"{total:,} actions ({services:,} of {total_services:,} services){including}, {where} {cond}",
                stmt.path + ("NotAction",),
                narrower=not everywhere or bool(keys),
                key=True,
            )
