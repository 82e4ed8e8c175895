"""Plain-text report: one ``file:line:col: severity CODE message`` line per finding, then a summary."""

from __future__ import annotations

import re
from collections import defaultdict

from policylint.check.finding import Finding, Severity
from policylint.check.runner import LintResult

__all__ = ["finding_line", "render_text", "safe"]

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"
_MAX_LISTED = 50


# Control characters (C0, DEL, C1), zero-width and bidirectional marks and
# overrides, line and paragraph separators, the byte-order mark, lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def safe(text: str) -> str:
    """``text`` with control characters, bidirectional overrides and lone
    surrogates written as escapes (``\\x1b``, ``\\u202e``): policy values and
    file names must not move the cursor, recolor the terminal or reorder a line."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def finding_line(f: Finding, color: bool = False) -> str:
    """``file:line:col: severity CODE message`` (``file: ...`` when the whole file is meant)."""
    loc = f.location
    file = safe(loc.file)
    where = file if loc.line is None else f"{file}:{loc.line}:{loc.column}"
    sev = str(f.severity)
    if color:
        sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
    msg = f.message if not loc.policy else f"{f.message} [{loc.policy}]"
    return f"{where}: {sev} {f.code} {safe(msg)}"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def render_text(result: LintResult, color: bool = False) -> str:
    """The whole text report, ending with a newline."""
    lines = [finding_line(f, color) for f in result.findings]
    if lines:
        lines.append("")
    for path in result.missing:
        lines.append(f"{safe(path)}: no such file or folder")
    skipped: dict[str, list[str]] = defaultdict(list)
    for path, reason in result.skipped:
        skipped[reason].append(path)
    for fs in result.files:
        if fs.status == "skipped":
            skipped[fs.reason or "no policy document"].append(fs.path)
    n_skipped = sum(len(v) for v in skipped.values())
    for reason, paths in sorted(skipped.items()):
        lines.append(f"skipped {_plural(len(paths), 'file')}: {safe(reason)}")
        for p in paths[:_MAX_LISTED]:
            lines.append(f"  {safe(p)}")
        if len(paths) > _MAX_LISTED:
            lines.append(f"  ... and {len(paths) - _MAX_LISTED} more (--format json lists them all)")
    for fs in result.files:
        for note in fs.notes:
            lines.append(f"note: {safe(fs.path)}: {safe(note)}")
    failed = sum(1 for f in result.files if f.status == "failed")
    counts = result.counts_by_severity()
    lines.append(
        f"Checked {_plural(result.policies_checked, 'policy', 'policies')} in "
        f"{_plural(result.files_read, 'file')} read"
        + (f" ({failed} could not be parsed)" if failed else "")
        + f"; {n_skipped} skipped. "
        + "Found " + ", ".join(_plural(counts[s], s) if s != "info" else f"{counts[s]} info" for s in ("error", "warning", "info"))
        + (f"; {len(result.suppressed)} suppressed" if result.suppressed else "")
        + (f"; {len(result.in_baseline)} in the baseline" if result.in_baseline else "")
        + (f" ({_plural(result.baseline_gone, 'baseline entry', 'baseline entries')} no longer found)" if result.baseline_gone else "")
        + "."
    )
    for tb in result.tracebacks:
        lines.append(tb.rstrip())
    return "\n".join(lines) + "\n"
