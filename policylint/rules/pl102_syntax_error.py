"""PL102 syntax-error."""

from __future__ import annotations

from policylint.check.finding import Severity
from policylint.load.source import LoadProblemKind
from policylint.rules._base import LoadProblemRule


class SyntaxError_(LoadProblemRule):
    """The file (or a policy embedded in it as a string) is not valid JSON or YAML.

    What it does:
        Reports the first syntax error with its line and column: truncated
        JSON, a missing comma, a stray character, an empty file, bad YAML
        indentation. A policy held in a JSON string (``aws kms get-key-policy``
        output) or URL-encoded (the raw IAM API) is parsed too, and an error
        inside it is positioned in the outer file.

    Why it matters:
        AWS rejects such a document with MalformedPolicyDocument; nothing in
        the file can be checked until it parses.

    Example:
        ``key-policy.json:14:5: error PL102 invalid JSON: Expecting ',' delimiter``

    Instead:
        Fix the syntax at the position given.
    """

    code = "PL102"
    name = "syntax-error"
    summary = "the file is not valid JSON or YAML"
    severity = Severity.ERROR
    tags = ("load",)
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
    input_error = True
    problem_kind = LoadProblemKind.SYNTAX
