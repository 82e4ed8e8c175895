"""Run the rules over files: discover -> read -> model -> rules -> findings.

One bad file never stops the others: load problems become findings, a rule
that raises becomes a PL000 finding naming the rule, and every file given or
found is accounted for in the result (checked, skipped with a reason, or
failed with findings).
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policylint.check.finding import Finding, Location, Severity
from policylint.check.registry import registry
from policylint.check.rule import FileContext, PolicyContext, Rule
from policylint.check.suppress import Suppressed, apply_inline_suppressions, apply_suppressions
from policylint.config import Settings
from policylint.load.discover import discover
from policylint.load.reader import read_file

#: Origins whose ``${...}`` values a template computes (an Effect of them is unknown, not invalid).
TEMPLATE_ORIGINS = ("CloudFormation template", "Terraform configuration")
from policylint.model.kinds import detect_kind
from policylint.model.policy import PolicyKind
from policylint.model.validate import build_policy

if TYPE_CHECKING:
    from policylint.check.baseline import Baseline

__all__ = ["LintOptions", "LintResult", "lint_paths"]


@dataclass
class LintOptions:
    """Options of one lint run.

    Attributes:
        settings: configuration (select/ignore, per-file ignores, ...).
        kind: force every policy to this kind (``--kind``), or None to detect.
        debug: keep tracebacks of internal errors (printed by the CLI).
        jobs: worker processes; None picks one per CPU when there are at
            least :data:`PARALLEL_MIN_FILES` files (and fork is available),
            else 1.
        baseline: accepted findings (``--baseline``): left out of the result.
        snapshot: snapshot folders (``--snapshot``): their files are linted too,
            and each principal's effective permissions are checked (PL603),
            with the snapshot's missing pieces reported (PL610).
        known: values of template references (``--parameter``, ``--account``),
            filled into CloudFormation and Terraform policies
            (:func:`policylint.load.cfn.known_values`).
    """

    settings: Settings = field(default_factory=Settings)
    kind: PolicyKind | None = None
    debug: bool = False
    jobs: int | None = None
    baseline: "Baseline | None" = None
    snapshot: list[str] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)


@dataclass
class FileSummary:
    """How one file was handled: ``checked`` (policies found), ``skipped`` (no
    policy, with the reason) or ``failed`` (could not be read or parsed)."""

    path: str
    status: str
    policies: int = 0
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    known_used: set = field(default_factory=set)  # the --parameter/--account keys filled in its policies


@dataclass
class LintResult:
    """Everything a lint run found.

    Attributes:
        findings: sorted by file, line, column, code.
        files: one summary per file read.
        skipped: (path, reason) for files and folders met but not read.
        missing: command-line paths that do not exist.
        tracebacks: internal-error tracebacks (only with ``debug``).
        suppressed: findings silenced by configuration suppressions, with the suppression.
        in_baseline: findings left out because the baseline holds them.
        baseline_gone: baseline entries no longer found (fixed or changed).
    """

    findings: list[Finding] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    suppressed: list["Suppressed"] = field(default_factory=list)
    in_baseline: list[Finding] = field(default_factory=list)
    baseline_gone: int = 0

    @property
    def files_read(self) -> int:
        return len(self.files)

    @property
    def policies_checked(self) -> int:
        return sum(f.policies for f in self.files)

    def counts_by_severity(self) -> dict[str, int]:
        out = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def counts_by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.code] = out.get(f.code, 0) + 1
        return dict(sorted(out.items()))

    def exit_code(self, fail_on: Severity) -> int:
        """0 clean; 1 findings at or above ``fail_on``; 2 usage/input errors
        (a missing path, a file that could not be read or parsed, even when
        its finding is ignored by configuration, or an internal error),
        whatever the threshold."""
        reg = registry()
        if self.missing or any(f.status == "failed" for f in self.files):
            return 2
        if any(reg.is_input_error(f.code) for f in self.findings):
            return 2
        return 1 if any(f.severity >= fail_on for f in self.findings) else 0


def _internal(file: str, what: str, exc: BaseException, policy: str | None = None) -> Finding:
    return Finding(
        "PL000", "internal-error", Severity.ERROR,
        f"{what} crashed: {type(exc).__name__}: {exc} (a policylint bug; the other checks still ran)",
        Location(file, None, None, "", policy),
    )


def _run_rule(rule: Rule, ctx, out: list[Finding], result: LintResult, debug: bool, file: str, policy: str | None) -> None:
    try:
        out.extend(rule.check(ctx))
    except Exception as exc:  # noqa: BLE001 - a crashing rule must become a finding
        out.append(_internal(file, f"rule {rule.code} ({rule.name})", exc, policy))
        if debug:
            result.tracebacks.append(traceback.format_exc())


#: Fewer files than this are checked in the calling process: starting
#: workers costs more than it saves.
PARALLEL_MIN_FILES = 200


def lint_paths(paths: list[str], options: LintOptions | None = None) -> LintResult:
    """Lint files and folders.

    Args:
        paths: files and folders (folders are walked recursively).
        options: settings, forced kind, debug, worker processes.

    Returns:
        A :class:`LintResult`; never raises for bad input files. The result
        is the same whatever the number of workers. Suppressions from the
        settings and the baseline (if any) are applied; unused suppressions
        become PL001 findings.

    Raises:
        ConfigError: the settings name rules that do not exist.
    """
    options = options or LintOptions()
    registry().check_settings(options.settings)
    result = LintResult()
    found = discover(paths)
    result.skipped.extend(found.skipped)
    result.missing.extend(found.missing)
    files = found.files

    jobs = options.jobs
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_MIN_FILES else 1
    jobs = max(1, min(jobs, len(files) or 1))
    if jobs > 1 and sys.platform.startswith("linux"):
        parts = _lint_parallel(files, options, jobs)
    else:
        parts = [_lint_files(files, options)]
    for summaries, findings, tracebacks, suppressed in parts:
        result.files.extend(summaries)
        result.findings.extend(findings)
        result.tracebacks.extend(tracebacks)
        result.suppressed.extend(suppressed)
    order = {shown: i for i, (_, shown) in enumerate(files)}
    result.files.sort(key=lambda f: order.get(f.path, 0))
    # A snapshot folder that does not exist is already a missing path (exit 2): not PL610 too.
    present = [p for p in options.snapshot or () if p not in result.missing]
    if present:
        from policylint.check.principals import snapshot_findings
        from policylint.model.snapshot import load_snapshot

        result.findings.extend(snapshot_findings(load_snapshot(present), options.settings))
    kept, silenced, unused = apply_suppressions(result.findings, [f.path for f in result.files], options.settings)
    result.suppressed.extend(silenced)
    result.findings = kept + unused
    if options.baseline is not None:
        new, _, result.baseline_gone = options.baseline.apply(result.findings, [f.path for f in result.files])
        new_ids = {id(f) for f in new}
        result.in_baseline = [f for f in result.findings if id(f) not in new_ids]
        result.findings = new
    result.findings.sort(key=Finding.sort_key)
    return result


def _lint_parallel(files: list[tuple[str, str]], options: LintOptions, jobs: int):
    """Split ``files`` over ``jobs`` processes (interleaved, for balance): this
    process takes one share and ``jobs - 1`` forked workers the others.

    The catalog's name index is loaded before forking, so workers share it.
    """
    import multiprocessing

    from policylint import catalog

    catalog.services()
    catalog._names_index()
    chunks = [files[i::jobs] for i in range(jobs)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs - 1) as pool:
        pending = pool.starmap_async(_lint_files, [(chunk, options) for chunk in chunks[1:]])
        mine = _lint_files(chunks[0], options)
        return [mine, *pending.get()]


def _lint_files(files: list[tuple[str, str]], options: LintOptions):
    """Lint a list of (path, display path); returns (summaries, findings, tracebacks, suppressed)."""
    settings = options.settings
    reg = registry()
    severity_of = settings.severity_overrides()
    enabled = [r for r in reg if settings.rule_enabled(r.code) and r.scope != "run"]
    file_rules = [r for r in enabled if r.scope == "file"]
    policy_rules = [r for r in enabled if r.scope == "policy"]
    result = LintResult()

    for fs_path, shown in files:
        findings: list[Finding] = []
        ignored = settings.ignored_for_file(shown)

        def active(rules: list[Rule]) -> list[Rule]:
            return [r for r in rules if not any(r.code.startswith(p) for p in ignored)] if ignored else rules

        try:
            loaded = read_file(fs_path, shown, known=options.known)
        except Exception as exc:  # noqa: BLE001
            findings.append(_internal(shown, "reading the file", exc))
            if options.debug:
                result.tracebacks.append(traceback.format_exc())
            result.files.append(FileSummary(shown, "failed", reason="internal error"))
            result.findings.extend(findings)
            continue
        fctx = FileContext(loaded, settings, severity_of)
        for rule in active(file_rules):
            _run_rule(rule, fctx, findings, result, options.debug, shown, None)

        checked = 0
        for ps in loaded.policies:
            try:
                if options.kind is not None:
                    kind, reason = options.kind, "--kind"
                else:
                    kind, reason = detect_kind(ps.document, ps.kind_hint, shown)
                doc, problems = build_policy(ps.document, kind, template=ps.origin in TEMPLATE_ORIGINS)
            except Exception as exc:  # noqa: BLE001
                findings.append(_internal(shown, "building the policy model", exc, ps.name))
                if options.debug:
                    result.tracebacks.append(traceback.format_exc())
                continue
            checked += 1
            pctx = PolicyContext(loaded, ps, kind, reason, doc, problems, settings, severity_of)
            start = len(findings)
            for rule in active(policy_rules):
                _run_rule(rule, pctx, findings, result, options.debug, shown, ps.name)
            if ps.suppressions:
                kept, silenced, unused = apply_inline_suppressions(findings[start:], ps.suppressions, shown, settings)
                findings[start:] = kept + unused
                result.suppressed.extend(silenced)

        if loaded.policies:
            status, reason = "checked", None
        elif loaded.problems:
            status, reason = "failed", loaded.problems[0].message
        else:
            status, reason = "skipped", loaded.skip_reason
        result.files.append(FileSummary(shown, status, checked, reason, loaded.notes, set(loaded.known_used)))
        result.findings.extend(findings)
    return result.files, result.findings, result.tracebacks, result.suppressed
