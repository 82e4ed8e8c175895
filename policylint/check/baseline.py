"""Baselines: accept today's findings, report only new ones.

``policylint lint --write-baseline FILE`` records every finding of a run by
its stable fingerprint (:attr:`policylint.check.finding.Finding.fingerprint`:
code, file, JSON pointer and the message with digits removed, so moved lines
and changed counts keep their identity). ``--baseline FILE`` then leaves out
findings whose fingerprint the baseline holds, as many times as it holds it
(three identical findings against a baseline of two report one).

File format (JSON, sorted, so that it diffs well under version control)::

    {"policylint_baseline": 1,
     "findings": [{"fingerprint": "...", "code": "PL300", "file": "keys/a.json",
                   "pointer": "/Statement/1/Principal", "message": "..."}]}
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from policylint.check.finding import Finding, normal_path
from policylint.errors import ConfigError

__all__ = ["Baseline", "load_baseline", "record_baseline", "write_baseline"]

FORMAT = 1


@dataclass
class Baseline:
    """Accepted findings by fingerprint (a multiset), and the file they came from."""

    path: str
    counts: Counter = field(default_factory=Counter)
    #: fingerprint -> the file it was recorded for (normalized).
    files: dict[str, str] = field(default_factory=dict)

    def apply(self, findings: list[Finding], checked_files: list[str] | None = None) -> tuple[list[Finding], int, int]:
        """(new findings, how many were in the baseline, baseline entries no
        longer found: fixed or changed). Only entries of ``checked_files``
        (display paths; all when None) or of files that no longer exist can
        be no longer found: a run over some files says nothing of the others."""
        from policylint.check.registry import registry

        left = Counter(self.counts)
        new: list[Finding] = []
        known = 0
        for f in findings:
            if registry().is_input_error(f.code):
                new.append(f)  # an unreadable input is never accepted
                continue
            fp = f.fingerprint
            if left[fp] > 0:
                left[fp] -= 1
                known += 1
            else:
                new.append(f)
        if checked_files is not None:
            import os

            read = {normal_path(p) for p in checked_files}
            return new, known, sum(n for fp, n in left.items()
                                   if self.files.get(fp) in read or not os.path.exists(self.files.get(fp, "")))
        return new, known, sum(left.values())


def write_baseline(findings: list[Finding], path: str) -> int:
    """Write the baseline of ``findings`` to ``path`` (leaving out inputs
    that could not be read, PL000 and PL100-PL104); returns how many entries.

    Raises:
        ConfigError: the file cannot be written.
    """
    from policylint.check.registry import registry

    entries = sorted(
        ({"fingerprint": f.fingerprint, "code": f.code, "file": normal_path(f.location.file),
          "pointer": f.location.pointer, "message": f.message}
         for f in findings if not registry().is_input_error(f.code)),
        key=lambda e: (e["file"], e["pointer"], e["code"], e["fingerprint"]),
    )
    text = json.dumps({"policylint_baseline": FORMAT, "findings": entries}, indent=2, ensure_ascii=True) + "\n"
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as e:
        raise ConfigError(f"--write-baseline {path}: cannot write: {e.strerror or e}") from None
    return len(entries)


def record_baseline(result, path: str) -> int:
    """``--write-baseline``: write every finding of ``result`` (a
    :class:`~policylint.check.runner.LintResult`, baselined ones included) to
    ``path``, then count them as baselined in ``result``; inputs that could
    not be read stay reported. Returns how many entries were written.

    Raises:
        ConfigError: the file cannot be written.
    """
    from policylint.check.registry import registry

    n = write_baseline(result.findings + result.in_baseline, path)
    unread = [f for f in result.findings if registry().is_input_error(f.code)]
    result.in_baseline = result.in_baseline + [f for f in result.findings if not registry().is_input_error(f.code)]
    result.findings = unread
    return n


def load_baseline(path: str) -> Baseline:
    """Read a baseline written by :func:`write_baseline`.

    Raises:
        ConfigError: the file is missing, unreadable, not JSON (with line and
            column), or not a policylint baseline.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ConfigError(f"--baseline {path}: no such file (write one with --write-baseline)") from None
    except IsADirectoryError:
        raise ConfigError(f"--baseline {path}: is a folder, not a baseline file") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"--baseline {path}: not UTF-8 text: {e.reason}") from None
    except OSError as e:
        raise ConfigError(f"--baseline {path}: cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"--baseline {path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    except RecursionError:
        raise ConfigError(f"--baseline {path}: nested too deeply to be a policylint baseline") from None
    version = doc.get("policylint_baseline") if isinstance(doc, dict) else None
    if type(version) is not int or version != FORMAT or not isinstance(doc.get("findings"), list):
        raise ConfigError(f'--baseline {path}: not a policylint baseline (expected {{"policylint_baseline": {FORMAT}, "findings": [...]}})')
    counts: Counter = Counter()
    files: dict[str, str] = {}
    for i, e in enumerate(doc["findings"]):
        fp = e.get("fingerprint") if isinstance(e, dict) else None
        if not isinstance(fp, str) or not fp:
            raise ConfigError(f"--baseline {path}: findings[{i}] has no fingerprint")
        counts[fp] += 1
        if isinstance(e.get("file"), str):
            files[fp] = normal_path(e["file"])
    return Baseline(path, counts, files)
