"""Collect an account snapshot from a live AWS account, read-only (``policylint collect``).

Layer: at the level of :mod:`policylint.load` (it produces the files the snapshot
loader reads); it imports nothing of the model, evaluator, rules or reports.
"""

from policylint.collect.aws import (
    READ_ONLY_OPERATIONS,
    CollectError,
    CollectOptions,
    CollectProblem,
    CollectResult,
    ReadOnlyViolation,
    collect,
)

__all__ = [
    "READ_ONLY_OPERATIONS", "CollectError", "CollectOptions", "CollectProblem", "CollectResult",
    "ReadOnlyViolation", "collect",
]
