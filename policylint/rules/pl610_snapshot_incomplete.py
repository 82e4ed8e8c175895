"""PL610 snapshot-incomplete."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.check.rule import Rule


class SnapshotIncomplete(Rule):
    """A piece of an account snapshot is missing, so some answers may be wrong.

    What it does:
        With ``--snapshot``, reports what the snapshot loader could not find
        or use: a truncated output (``IsTruncated`` or ``Truncated`` true, a
        ``NextToken``), a permissions boundary or attached policy absent from
        the export's ``Policies``, a key with no ``get-key-policy`` or
        ``list-grants`` output, an SCP without its targets, an account not
        placed in the organization, a file that is not an AWS CLI output the
        snapshot uses, and each call that ``policylint collect`` could not
        make (access denied, throttled, not found after its retries), as its
        ``collection-report.json`` records it. The severity is the piece's:
        error when answers may be wrong, warning when some access may not be
        shown, info for unused files.

    Why it matters:
        An answer over an incomplete snapshot is only as good as what it was
        given: a missing boundary or SCP makes access look wider, a truncated
        grant list makes it look narrower.

    Example:
        ``get-account-authorization-details.json`` saved with ``--max-items 100``
        (``"IsTruncated": true``).

    Instead:
        Collect every page (the AWS CLI paginates by default) and every output
        the README's snapshot layout lists; ``policylint collect`` does both,
        given the permissions of ``docs/collect-policy.json``.
    """

    code = "PL610"
    name = "snapshot-incomplete"
    summary = "a piece of the account snapshot is missing or truncated; answers may be wrong"
    severity = Severity.WARNING
    tags = ("snapshot",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html"
    scope = "run"

    def check(self, ctx):  # emitted by policylint.check.principals, never run per file
        return ()
