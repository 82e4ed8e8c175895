"""PL507 invalid-sid-characters."""

from __future__ import annotations

import re
from typing import Iterable

from policylint.check.finding import Finding, Severity
from policylint.check.rule import PolicyContext, Rule
from policylint.load.source import clip
from policylint.model.policy import PolicyKind

_SID = re.compile(r"[A-Za-z0-9]*\Z")


class InvalidSidCharacters(Rule):
    """A ``Sid`` with characters IAM rejects.

    What it does:
        In IAM policies (identity and role trust policies), reports each
        ``Sid`` holding anything but ASCII letters and digits. Resource
        policies are not checked: services set their own rules there (KMS key
        policies accept spaces, as in the default "Enable IAM User
        Permissions"); nor are SCPs and RCPs, whose Sid rules AWS
        Organizations does not document.

    Why it matters:
        IAM rejects the whole policy ("Statement IDs (SID) must be
        alpha-numeric"), so a deployment fails; Access Analyzer reports it
        as the error "Unsupported Sid". A Sid copied from a key policy
        ("Allow use of the key") is the usual cause.

    Example:
        ``"Sid": "Allow-read_access 2"``

    Instead:
        ``"Sid": "AllowReadAccess2"``
    """

    code = "PL507"
    name = "invalid-sid-characters"
    summary = "a Sid in an IAM policy holds characters other than A-Z, a-z and 0-9, which IAM rejects"
    severity = Severity.ERROR
    tags = ("hygiene",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        if ctx.document is None or ctx.kind not in (PolicyKind.IDENTITY, PolicyKind.TRUST):
            return
        for stmt in ctx.document.statements:
            sid = stmt.sid
            if sid is None or _SID.match(sid):
                continue
            bad = sorted({c for c in sid if not (c.isascii() and c.isalnum())})
            shown = ", ".join(repr(c) if c != " " else "space" for c in bad[:5])
            yield ctx.finding(
                self,
                f'Sid "{clip(sid, 60)}" holds {shown}: IAM accepts only letters A-Z, a-z and digits 0-9 in a Sid '
                "and rejects the policy",
                stmt.path + ("Sid",),
            )
