"""Findings: frozen values with a stable fingerprint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

__all__ = ["Finding", "Location", "Severity", "normal_path"]


class Severity(IntEnum):
    """How serious a finding is; ordered so ``>=`` compares thresholds."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """``"error"``/``"warning"``/``"info"`` (any case) -> Severity; ValueError otherwise."""
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use error, warning or info") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is.

    Attributes:
        file: display path of the file.
        line, column: 1-based position, or None when the whole file is meant.
        pointer: RFC 6901 JSON pointer into the file's data (a policy embedded
            as a JSON string is addressed through the string: ``/Policy/Statement/0``).
        policy: a label for the policy inside the file when the file holds
            several (``role/Admin trust policy``), else None.
        sid: the ``Sid`` of the statement the finding is in, if it has one
            (suppressions can name it).
    """

    file: str
    line: int | None = None
    column: int | None = None
    pointer: str = ""
    policy: str | None = None
    sid: str | None = None


#: Counts and positions in messages (not 12-digit account IDs, which name who).
_NUMBERS = re.compile(r"(?<![0-9])[0-9]{1,11}(?![0-9])")
_STATEMENT_INDEX = re.compile(r"(/Statement/)\d+(?=/|$)")


def normal_path(path: str) -> str:
    """``path`` with ``/`` separators and no ``./`` or ``a/../`` steps, so that
    ``./p/a.json`` and ``p/a.json`` name one file in fingerprints."""
    import os

    return os.path.normpath(path).replace(os.sep, "/") if path else path


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem.

    Attributes:
        code: the rule code (``PL201``).
        name: the rule name (``unknown-action``).
        severity: effective severity.
        message: what is wrong here, specific to this case.
        location: where.
    """

    code: str
    name: str
    severity: Severity
    message: str
    location: Location

    @property
    def fingerprint(self) -> str:
        """A stable identity: sha256 of code, file (normalized), pointer (with
        the statement named by its Sid when it has one) and the message with
        counts removed (numbers of up to 11 digits: account IDs stay) (so a line shift, a statement inserted before a
        statement with a Sid, or a changed count keeps the identity)."""
        import hashlib

        where = self.location.pointer
        if self.location.sid:
            # A statement with a Sid is named by it, so inserting a statement
            # before it keeps the identity.
            where = _STATEMENT_INDEX.sub(lambda m: f"{m.group(1)}Sid={self.location.sid}", where, count=1)
        basis = "\x1f".join((self.code, normal_path(self.location.file), where, _NUMBERS.sub("#", self.message)))
        # surrogatepass: file names and policy text may hold lone surrogates.
        return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        """Order: file, line, column, code."""
        loc = self.location
        return (loc.file, loc.line or 0, loc.column or 0, self.code, self.message)
