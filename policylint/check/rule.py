"""The rule base class and the contexts rules read.

A rule is a class in its own file under ``policylint/rules/``. Its metadata
(code, name, summary, default severity, tags, AWS documentation link) are
class attributes; its docstring holds the long documentation in four
sections: *What it does*, *Why it matters*, *Example*, *Instead*.

There are two scopes: file rules see a :class:`FileContext` once per file
(load problems), policy rules see a :class:`PolicyContext` once per policy
document found in a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable, Literal

from policylint.check.finding import Finding, Location, Severity
from policylint.load.source import DataPath, pointer

if TYPE_CHECKING:
    from policylint.config import Settings
    from policylint.load.documents import PolicySource
    from policylint.load.reader import LoadedFile
    from policylint.model.policy import PolicyDocument, PolicyKind
    from policylint.model.problems import Problem

__all__ = ["FileContext", "PolicyContext", "Rule"]


class Rule:
    """Base class of every rule.

    Class attributes:
        code: stable code, ``PL`` + three digits; never reused.
        name: kebab-case name (``unknown-action``).
        summary: one line.
        severity: default severity (configuration may override it).
        tags: free-form labels (``schema``, ``catalog``, ``kms``, ``console``).
        source_url: the AWS documentation page the rule rests on.
        scope: ``"file"``, ``"policy"``, or ``"run"`` for findings the runner
            itself makes (internal errors, unused suppressions).
        input_error: True when a finding means the input could not be read
            as a whole (the run then exits 2, whatever ``--fail-on`` says).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    tags: ClassVar[tuple[str, ...]] = ()
    source_url: ClassVar[str] = ""
    scope: ClassVar[Literal["file", "policy", "run"]] = "policy"
    input_error: ClassVar[bool] = False

    def check(self, ctx) -> Iterable[Finding]:  # pragma: no cover - abstract
        """Yield findings for one file (file scope) or one policy (policy scope)."""
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        """The rule's long documentation (its docstring, dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or cls.summary)


@dataclass
class FileContext:
    """What a file rule sees: the loaded file and the settings."""

    file: "LoadedFile"
    settings: "Settings"
    severity_of: dict[str, Severity] = field(default_factory=dict)

    def finding(self, rule: Rule, message: str, line: int | None = None, column: int | None = None,
                path: DataPath = ()) -> Finding:
        """A finding of ``rule`` at a position in this file."""
        sev = self.severity_of.get(rule.code, rule.severity)
        return Finding(rule.code, rule.name, sev, message, Location(self.file.path, line, column, pointer(path)))


@dataclass
class PolicyContext:
    """What a policy rule sees.

    Attributes:
        file: the loaded file.
        source: the policy as found in the file (raw document, locator, origin).
        kind: the policy kind in force (``--kind`` or detected).
        kind_reason: why that kind.
        document: the model, or None when the document is not even an object.
        problems: grammar problems found while building the model.
        settings: configuration.
    """

    file: "LoadedFile"
    source: "PolicySource"
    kind: "PolicyKind"
    kind_reason: str
    document: "PolicyDocument | None"
    problems: list["Problem"]
    settings: "Settings"
    severity_of: dict[str, Severity] = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute):
        """``compute()`` once per policy, shared by the rules that need it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def cli_sdk_only(self) -> bool:
        """Whether this policy's users need no KMS console checks: the file
        says nobody signs in with it (a boundary-only or service-linked-role
        policy), its file matches a ``cli-sdk-only`` glob, or the principal
        it is inline in matches a ``cli-sdk-only`` ARN pattern."""
        if self.settings.is_cli_sdk_only(self.file.path) or self.source.not_console:
            return True
        owner = self.source.owner
        return owner is not None and self.settings.is_cli_sdk_only_principal(owner)

    def unresolved_actions(self) -> list[tuple]:
        """(statement, element, index, value, status) for every Action/NotAction
        value the catalog does not resolve (values holding a CloudFormation
        reference such as ``${Service}`` are unknown, not unresolved) (status from
        :func:`policylint.catalog.check_action`: ``malformed``,
        ``unknown-service``, ``unknown-action``, ``no-match``), in document order."""

        def compute():
            from policylint.catalog import check_action
            from policylint.load.cfn import has_template_reference

            def status_of(v: str) -> str:
                # A template reference (``${Service}:Get*``) is an unknown value, not a typo.
                return "known" if "${" in v and has_template_reference(v) else check_action(v)

            out = []
            for stmt in self.document.statements if self.document else ():
                for element, values in (("Action", stmt.action), ("NotAction", stmt.not_action)):
                    if values is None:
                        continue
                    statuses = [status_of(v) for v in values]
                    if statuses.count("known") + statuses.count("all") == len(statuses):
                        continue
                    for i, (value, status) in enumerate(zip(values, statuses)):
                        if status not in ("known", "all"):
                            out.append((stmt, element, i, value, status))
            return out

        return self.memo("unresolved_actions", compute)

    def finding(self, rule: Rule, message: str, path: DataPath, key: bool = False) -> Finding:
        """A finding of ``rule`` at ``path`` inside this policy document.

        The position is looked up only now, so clean files never pay for it.
        ``key=True`` points at the element's name rather than its value.
        """
        pos = self.source.locator.locate(path, key) or self.source.locator.locate(path) or (None, None)
        if pos == (None, None):  # the path is not in the data (e.g. a missing element): use the nearest parent
            for cut in range(len(path) - 1, -1, -1):
                hit = self.source.locator.locate(path[:cut])
                if hit:
                    pos = hit
                    break
        sev = self.severity_of.get(rule.code, rule.severity)
        loc = Location(self.file.path, pos[0], pos[1], self.source.file_pointer(path), self.source.name, self._sid_at(path))
        return Finding(rule.code, rule.name, sev, message, loc)

    def _sid_at(self, path: DataPath) -> str | None:
        """The Sid of the statement holding ``path``, or None."""
        if self.document is None or not path or path[0] != "Statement":
            return None
        for stmt in self.document.statements:
            if path[: len(stmt.path)] == stmt.path:
                return stmt.sid
        return None
