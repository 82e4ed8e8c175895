"""Deviations from the IAM policy grammar found while building the model."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from policylint.model.policy import DataPath

__all__ = ["Problem", "ProblemKind"]


class ProblemKind(StrEnum):
    """Categories of grammar problems; each is reported by one rule."""

    INVALID_TYPE = "invalid-type"
    MISSING_ELEMENT = "missing-element"
    CONFLICTING_ELEMENTS = "conflicting-elements"
    UNKNOWN_ELEMENT = "unknown-element"
    INVALID_VERSION = "invalid-version"
    MISSING_VERSION = "missing-version"
    EMPTY_ELEMENT = "empty-element"
    DUPLICATE_SID = "duplicate-sid"
    INVALID_EFFECT = "invalid-effect"
    PRINCIPAL_NOT_ALLOWED = "principal-not-allowed"
    PRINCIPAL_REQUIRED = "principal-required"
    ELEMENT_NOT_ALLOWED = "element-not-allowed"


@dataclass(frozen=True, slots=True)
class Problem:
    """One grammar problem.

    Attributes:
        kind: category.
        message: one sentence for the user.
        path: data path inside the policy document.
        at_key: True when the position is the key itself (an unknown element
            name), False for the value.
    """

    kind: ProblemKind
    message: str
    path: DataPath
    at_key: bool = False
