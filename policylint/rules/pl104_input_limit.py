"""PL104 input-limit."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.load.source import LoadProblemKind
from policylint.rules._base import LoadProblemRule


class InputLimit(LoadProblemRule):
    """The file exceeds a safety limit of the reader.

    What it does:
        Reports files that would make the reader itself misbehave: nesting
        deeper than 500 levels, YAML aliases that expand to more than 100,000
        nodes or 10 million characters (the "billion laughs" attack), files
        over 256 MiB.

    Why it matters:
        No IAM or KMS policy comes near these limits (a key policy is at most
        32 KB), so such a file is either not a policy or hostile. It is
        reported and the other files are still checked.

    Example:
        ``bomb.yaml:9:8: error PL104 YAML aliases expand to more than 100,000 nodes``

    Instead:
        Remove the file from the paths checked, or fix it.
    """

    code = "PL104"
    name = "input-limit"
    summary = "the file exceeds a reader safety limit (nesting, YAML alias expansion, size)"
    severity = Severity.ERROR
    tags = ("load",)
    input_error = True
    problem_kind = LoadProblemKind.LIMIT
