"""GitHub Actions annotations: one workflow command per finding.

Source: GitHub Docs, *Workflow commands for GitHub Actions* (sections "Setting an
error message", "Setting a warning message", "Setting a notice message"): a line
``::error file={name},line={line},col={column},title={title}::{message}`` on the
standard output of a step becomes an annotation on that file and line. Values are
escaped as the Actions toolkit's ``@actions/core`` escapes them: in the message ``%``,
``\\r`` and ``\\n`` become ``%25``, ``%0D``, ``%0A``; in a property value ``:`` and ``,``
also become ``%3A`` and ``%2C``.
"""

from __future__ import annotations

from policylint.check.finding import Finding, Severity, normal_path
from policylint.check.runner import LintResult
from policylint.report.text import render_text, safe

__all__ = ["annotation", "escape_data", "escape_property", "render_github"]

#: Severity -> workflow command (``info`` findings become notices).
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: ``%`` -> ``%25``, ``\\r`` -> ``%0D``, ``\\n`` ->
    ``%0A``; other control characters and bidirectional marks are then written as
    visible escapes (``\\x1b``), as in the text report."""
    return safe(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A workflow command's property value: as :func:`escape_data`, and ``:`` ->
    ``%3A``, ``,`` -> ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    """One finding as a workflow command line (no newline):
    ``::error file=F,line=L,col=C,title=PL300 key-policy-public-access::message``;
    ``line``/``col`` are left out when the finding is about the whole file, ``file`` when
    it is about no file; the file name is normalized (``./a/../b.json`` -> ``b.json``)."""
    loc = f.location
    props = [f"file={escape_property(normal_path(loc.file))}"] if loc.file else []
    if loc.file and loc.line is not None:
        props.append(f"line={loc.line}")
        if loc.column is not None:
            props.append(f"col={loc.column}")
    props.append(f"title={escape_property(f'{f.code} {f.name}')}")
    message = f.message if not loc.policy else f"{f.message} [{loc.policy}]"
    return f"::{_COMMAND[f.severity]} {','.join(props)}::{escape_data(message)}"


def render_github(result: LintResult) -> str:
    """The annotations, one line per finding in report order, then paths that do not
    exist as ``::error::`` lines, then the plain text report's closing lines (skipped
    files, notes, the summary) as ordinary log lines. Newline-terminated."""
    lines = [annotation(f) for f in result.findings]
    lines += [f"::error::{escape_data(p)}: no such file or folder" for p in result.missing]
    tail = render_text(result).rstrip("\n").split("\n")[len(result.findings) + (1 if result.findings else 0):]
    tail = tail[len(result.missing):]  # already annotated above
    lines += tail
    return "\n".join(lines) + "\n"
