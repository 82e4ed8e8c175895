"""PL000 internal-error."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.check.rule import Rule


class InternalError(Rule):
    """A rule or a loader crashed on this input.

    What it does:
        Reports, instead of a traceback, that policylint itself failed while
        checking a file or running a rule. The message names the rule (or the
        stage) and the exception; ``--debug`` prints the traceback.

    Why it matters:
        A crash must never hide the other findings or stop the other files,
        and it must not pass silently either: the run exits with code 2.

    Example:
        ``policy.json:1:1: error PL000 rule PL205 crashed: KeyError: 'x'``

    Instead:
        Report the message and the input file to the policylint developers.
    """

    code = "PL000"
    name = "internal-error"
    summary = "policylint failed on this input (a bug); the other checks still ran"
    severity = Severity.ERROR
    tags = ("engine",)
    scope = "run"
    input_error = True

    def check(self, ctx):  # emitted by the runner, never run directly
        return ()
