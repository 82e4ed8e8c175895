"""PL001 unused-suppression."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.check.rule import Rule


class UnusedSuppression(Rule):
    """A suppression in the configuration silenced nothing.

    What it does:
        After a run, reports every ``[[tool.policylint.suppress]]`` entry whose
        ``file`` glob matched a file that was checked but which silenced no
        finding there: the finding it was written for is gone (fixed, moved to
        another statement, or its rule renamed), or the ``sid`` or
        ``pointer`` is misspelled. Entries whose glob matched no file of this
        run are not reported, so a pre-commit run over a few changed files
        stays quiet. The position is the entry in the configuration file.

    Why it matters:
        A stale suppression is a hole waiting for the next real finding at
        that place, and a misspelled one silences nothing while looking as if
        it did.

    Example:
        ``[[tool.policylint.suppress]]`` with ``code = "PL300"``,
        ``file = "keys/*.json"``, ``sid = "AllowAll"`` after the statement was
        renamed ``AllowOrg``.

    Instead:
        Delete the entry, or correct its ``sid``/``pointer``.
    """

    code = "PL001"
    name = "unused-suppression"
    summary = "a suppression in the configuration matched no finding in the files it names"
    severity = Severity.WARNING
    tags = ("engine", "configuration")
    scope = "run"

    def check(self, ctx):  # emitted by policylint.check.suppress, never run per file
        return ()
