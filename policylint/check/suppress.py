"""Suppressions from configuration: silence accepted findings, with a reason,
and report the suppressions that silence nothing (PL001).

JSON has no comments, so a finding is accepted in configuration rather than
in the policy file (cfn-lint and ruff keep per-file ignores the same way)::

    [[tool.policylint.suppress]]
    code = "PL305"                  # a code or a code prefix
    file = "keys/shared-*.json"     # glob, relative to the configuration's folder
    sid = "AllowPartnerDecrypt"     # optional: only this statement
    pointer = "/Statement/2"        # optional: only at or below this JSON pointer
    reason = "partner account reviewed in SEC-123"
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from policylint.check.finding import Finding, Location
from policylint.config import Settings, Suppression

__all__ = ["Suppressed", "apply_inline_suppressions", "apply_suppressions", "matches"]


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding silenced by a suppression, kept for the reports.

    ``suppression`` is a configuration :class:`~policylint.config.Suppression`
    or a template's :class:`~policylint.load.cfn.InlineSuppression`; ``where``
    says which (``configuration #2``, ``Metadata of MyKey #1``).
    """

    finding: Finding
    suppression: object
    where: str

    @property
    def reason(self) -> str:
        return self.suppression.reason  # type: ignore[attr-defined]


def matches(s: Suppression, f: Finding, settings: Settings) -> bool:
    """Whether suppression ``s`` silences finding ``f``: the code prefix, the
    file glob, and (when given) the statement's Sid and the JSON pointer
    subtree all agree."""
    if not f.code.startswith(s.code):
        return False
    if s.sid is not None and f.location.sid != s.sid:
        return False
    if s.pointer is not None and s.pointer != "":
        p = f.location.pointer
        if p != s.pointer and not p.startswith(s.pointer + "/"):  # RFC 6901: "/" names the key ""
            return False
    return settings.file_matches(s.file, f.location.file)


def _unsuppressible(code: str) -> bool:
    """Findings about the run itself (PL001) and inputs that could not be read
    (PL000, PL100-PL104) cannot be suppressed."""
    from policylint.check.registry import registry

    return code == "PL001" or registry().is_input_error(code)


def _split(findings: list[Finding], entries, hits, key, where) -> tuple[list[Finding], list[Suppressed], set]:
    """(kept, suppressed, keys of the entries used): each finding goes to the
    first entry ``hits(entry, finding)`` accepts."""
    kept: list[Finding] = []
    silenced: list[Suppressed] = []
    used: set = set()
    for f in findings:
        hit = None if _unsuppressible(f.code) else next((e for e in entries if hits(e, f)), None)
        if hit is None:
            kept.append(f)
        else:
            used.add(key(hit))
            silenced.append(Suppressed(f, hit, where(hit)))
    return kept, silenced, used


def _unused(settings: Settings, entries, used: set, key, report) -> list[Finding]:
    """PL001 findings (with the configured severity) for the entries not in
    ``used`` whose rules run; ``report(entry)`` gives (message, location) or
    None to say nothing."""
    if not settings.rule_enabled("PL001"):
        return []
    from policylint.check.registry import registry

    rule = registry().get("PL001")
    severity = settings.severity_overrides().get("PL001", rule.severity)
    out = []
    for e in entries:
        if key(e) in used or not _judged(e.code, settings):
            continue
        said = report(e)
        if said is not None:
            out.append(Finding("PL001", rule.name, severity, said[0], said[1]))
    return out


def _what(code: str, sid: str | None, pointer: str | None = None) -> str:
    return f"code {code}" + (f', Sid "{sid}"' if sid is not None else "") + (f", pointer {pointer}" if pointer else "")


def apply_suppressions(findings: list[Finding], checked_files: list[str], settings: Settings
                       ) -> tuple[list[Finding], list[Suppressed], list[Finding]]:
    """Split ``findings`` into those reported and those suppressed, and make
    a PL001 finding for each suppression that matched a checked file but no
    finding.

    Args:
        findings: every finding of the run.
        checked_files: display paths of the files read in this run.
        settings: the configuration (its ``suppress`` list, globs relative to it).

    Returns:
        (kept findings, suppressed findings, PL001 findings); PL001 findings
        are made only when the rule is enabled, with its configured severity,
        and not for suppressions of rules that do not run.
    """
    if not settings.suppress:
        return findings, [], []
    index = lambda s: s.index  # noqa: E731
    kept, silenced, used = _split(findings, settings.suppress, lambda s, f: matches(s, f, settings), index,
                                  lambda s: f"configuration #{s.index + 1}")
    lines = _entry_lines(settings.origin)

    def report(s: Suppression):
        named = sum(1 for p in checked_files if settings.file_matches(s.file, p))
        if not named:
            return None  # its files were not part of this run
        line = lines[s.index] if s.index < len(lines) else None
        return (f'suppression #{s.index + 1} ({_what(s.code, s.sid, s.pointer)}, file "{s.file}") matched no finding in the '
                f'{named} checked file(s) it names; remove it or correct it (reason given: "{s.reason}")',
                Location(_shown(settings.origin), line, 1 if line else None))

    return kept, silenced, _unused(settings, settings.suppress, used, index, report)


def apply_inline_suppressions(findings: list[Finding], suppressions, file: str, settings: Settings
                              ) -> tuple[list[Finding], list[Suppressed], list[Finding]]:
    """Apply the suppressions a file gives for one of its policies
    (:class:`policylint.load.cfn.InlineSuppression`) to that policy's findings.

    Returns:
        (kept findings, suppressed findings, PL001 findings for entries that
        silenced nothing, at the entry's position in the file).
    """
    number = lambda s: s.number  # noqa: E731
    kept, silenced, used = _split(
        findings, suppressions,
        lambda s, f: f.code.startswith(s.code) and (s.sid is None or s.sid == f.location.sid),
        number, lambda s: f"Metadata of {s.resource} #{s.number}")
    from policylint.check.registry import registry

    def report(s):
        if not any(r.code.startswith(s.code) for r in registry()):
            what = f"names no rule ({_what(s.code, s.sid)}; see policylint rules)"
        else:
            what = f"({_what(s.code, s.sid)}) matched no finding of its policies"
        return (f'suppression #{s.number} in the Metadata of {s.resource} {what}; remove it or correct it '
                f'(reason given: "{s.reason}")', Location(file, s.line, s.column, ""))

    return kept, silenced, _unused(settings, suppressions, used, number, report)


def _judged(code: str, settings: Settings) -> bool:
    """Whether a suppression of ``code`` can be judged unused: some rule it
    names runs, or it names no rule at all (a typo, reported). One for a
    rule that exists but is not selected is left alone."""
    from policylint.check.registry import registry

    named = [r for r in registry() if r.code.startswith(code)]
    return not named or any(settings.rule_enabled(r.code) for r in named)


_ENTRY = re.compile(r"^[ \t]*\[\[\s*(?:tool\s*\.\s*policylint\s*\.\s*)?suppress\s*\]\]", re.MULTILINE)


def _entry_lines(origin: str | None) -> list[int]:
    """1-based lines of the ``[[...suppress]]`` headers of the configuration
    file, in order (empty when the entries are written as an inline array)."""
    if not origin:
        return []
    try:
        with open(origin, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return []
    return [text.count("\n", 0, m.start()) + 1 for m in _ENTRY.finditer(text)]


def _shown(origin: str | None) -> str:
    if not origin:
        return "configuration"
    try:
        rel = os.path.relpath(origin)
    except ValueError:
        return origin
    return origin if rel.startswith("../..") else rel
