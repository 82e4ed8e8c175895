"""Shared bases for rules that report one category of load or grammar problem."""

from __future__ import annotations

from typing import ClassVar, Iterable

from policylint.check.finding import Finding
from policylint.check.rule import FileContext, PolicyContext, Rule
from policylint.load.source import LoadProblemKind
from policylint.model.problems import ProblemKind

__all__ = ["LoadProblemRule", "GrammarProblemRule"]


class LoadProblemRule(Rule):
    """Reports every load problem of one :class:`LoadProblemKind`."""

    scope = "file"
    problem_kind: ClassVar[LoadProblemKind]

    def check(self, ctx: FileContext) -> Iterable[Finding]:
        for p in ctx.file.problems:
            if p.kind is self.problem_kind:
                yield ctx.finding(self, p.message, p.line, p.column, p.path)


class GrammarProblemRule(Rule):
    """Reports every grammar problem of one :class:`ProblemKind`."""

    problem_kind: ClassVar[ProblemKind]

    def check(self, ctx: PolicyContext) -> Iterable[Finding]:
        for p in ctx.problems:
            if p.kind is self.problem_kind:
                yield ctx.finding(self, p.message, p.path, key=p.at_key)
