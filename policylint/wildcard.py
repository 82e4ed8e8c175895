"""Glob matching with ``*`` and ``?`` as IAM policies use it.

IAM policy elements accept two wildcards: ``*`` matches any run of zero or more
characters and ``?`` matches exactly one character (IAM User Guide, *IAM JSON
policy elements: Action* and *IAM JSON policy elements: Resource*;
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).

This module is a leaf: it knows nothing of policies. It matches in linear time
in the length of the subject for patterns without ``?`` (each literal run
between stars is located with ``str.find``), and in time proportional to
subject length times the length of one ``?``-bearing run otherwise. A
backtracking regular expression would be exponential on hostile patterns such
as ``*a*a*a*...b`` against a long run of ``a``; the greedy leftmost placement
used here is correct because each ``*`` can absorb whatever lies between two
runs.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["Glob", "compile_glob", "escape", "glob_covers", "glob_match", "has_wildcard", "literal_head"]

# Private-use characters that stand for a literal "*" or "?" inside a pattern
# (IAM's ${*} and ${?} policy variables); they never occur in policy text.
_STAR, _QMARK = "\ue000", "\ue001"


def escape(text: str) -> str:
    """``text`` with ``*`` and ``?`` marked literal, for splicing a value into a pattern."""
    return text.replace("*", _STAR).replace("?", _QMARK)


def _unmark(text: str) -> str:
    return text.replace(_STAR, "*").replace(_QMARK, "?")


def has_wildcard(text: str) -> bool:
    """Return True if ``text`` contains ``*`` or ``?``."""
    return "*" in text or "?" in text


class _Run:
    """One literal run between stars; ``?`` inside it matches any one character."""

    __slots__ = ("text", "length", "regex")

    def __init__(self, text: str) -> None:
        self.text = _unmark(text)
        self.length = len(text)
        # A run of literals and single-character wildcards: a regex with no
        # repetition, so matching at one offset is O(len(run)).
        self.regex = re.compile(".".join(re.escape(_unmark(p)) for p in text.split("?")), re.DOTALL) if "?" in text else None

    def at(self, subject: str, pos: int) -> bool:
        """True if the run matches ``subject`` starting exactly at ``pos``."""
        if self.regex is None:
            return subject.startswith(self.text, pos)
        return self.regex.match(subject, pos) is not None and pos + self.length <= len(subject)

    def find(self, subject: str, pos: int) -> int:
        """Leftmost offset >= pos where the run matches, or -1."""
        if self.regex is None:
            return subject.find(self.text, pos)
        m = self.regex.search(subject, pos)
        return m.start() if m else -1


class Glob:
    """A compiled IAM glob pattern.

    Attributes:
        pattern: the pattern as written.
        ignore_case: whether matching folds case (IAM action names and service
            prefixes are case-insensitive; resource ARNs are case-sensitive).

    ``match(subject)`` returns True when the whole subject matches.
    """

    __slots__ = ("pattern", "ignore_case", "_runs", "_starred", "literal", "prefix")

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        self.ignore_case = ignore_case
        p = pattern.lower() if ignore_case else pattern
        self._starred = "*" in p
        #: The pattern itself when it has no wildcard (then matching is equality).
        self.literal = None if has_wildcard(p) else _unmark(p)
        # Collapse consecutive stars: "a**b" is "a*b".
        self._runs = [_Run(r) for r in re.sub(r"\*+", "*", p).split("*")] if self._starred else [_Run(p)]
        #: For the common "Prefix*" shape, the prefix (matching is startswith).
        runs = self._runs
        self.prefix = runs[0].text if len(runs) == 2 and not runs[1].length and runs[0].regex is None else None

    def match(self, subject: str) -> bool:
        """Return True if ``subject`` matches the whole pattern."""
        s = subject.lower() if self.ignore_case else subject
        if self.literal is not None:
            return s == self.literal
        if self.prefix is not None:
            return s.startswith(self.prefix)
        runs = self._runs
        if not self._starred:
            only = runs[0]
            return len(s) == only.length and only.at(s, 0)
        first, last = runs[0], runs[-1]
        if len(s) < first.length + last.length:
            return False
        if first.length and not first.at(s, 0):
            return False
        end = len(s) - last.length
        if last.length and not last.at(s, end):
            return False
        pos = first.length
        for run in runs[1:-1]:
            if not run.length:
                continue
            found = run.find(s, pos)
            if found < 0 or found + run.length > end:
                return False
            pos = found + run.length
        return pos <= end

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r}, ignore_case={self.ignore_case})"


def literal_head(pattern: str) -> str:
    """The text of ``pattern`` before its first wildcard (``*``, ``?``) or
    ``${...}`` (a policy variable or template reference): every text the
    pattern matches starts with it. ``"arn:aws:iam::1:role/app-*"`` ->
    ``"arn:aws:iam::1:role/app-"``."""
    cut = len(pattern)
    for mark in ("*", "?", "${"):
        at = pattern.find(mark)
        if 0 <= at < cut:
            cut = at
    return pattern[:cut]


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, ignore_case: bool = False) -> Glob:
    """Return the cached compiled :class:`Glob` for ``pattern``."""
    return Glob(pattern, ignore_case)


def glob_match(pattern: str, subject: str, ignore_case: bool = False) -> bool:
    """Return True if ``subject`` matches the IAM glob ``pattern`` in full.

    Args:
        pattern: text with optional ``*`` (zero or more characters) and ``?``
            (exactly one character).
        subject: the string to test.
        ignore_case: fold case on both sides before matching.
    """
    return compile_glob(pattern, ignore_case).match(subject)


#: Largest pattern-length product the inclusion test walks (beyond it, answer False).
_DP_LIMIT = 250_000


@lru_cache(maxsize=65536)
def glob_covers(a: str, b: str, ignore_case: bool = False) -> bool:
    """True when every string that IAM glob ``b`` matches is matched by glob ``a``.

    Both patterns use ``*`` (any run of characters) and ``?`` (exactly one).
    The test walks both patterns together: a literal of ``a`` must meet the
    same literal in ``b``, a ``?`` of ``a`` one literal or ``?`` of ``b``, and
    a ``*`` of ``a`` any run of ``b``'s symbols (``*`` included). It is sound
    (a True answer is always right) and exact for the shapes policies use
    (``kms:*`` over ``kms:Decrypt``, ``kms:Get*`` over ``kms:GetKey*``); some
    exotic pairs (``?*`` against ``*?``) answer False although one covers the
    other, which only means a redundancy goes unreported; so do patterns
    whose lengths multiply past 250,000 (the walk is quadratic).
    """
    if ignore_case:
        a, b = a.lower(), b.lower()
    if a == b or a == "*" or (not has_wildcard(b) and compile_glob(a).match(b)):
        return True
    if not has_wildcard(a):
        return False
    first = min(i for i in (a.find("*"), a.find("?")) if i >= 0)
    if not b.startswith(a[:first]):
        return False  # the literal head of a must open b (cheap rejection)
    if first == len(a) - 1 and a[-1] == "*":  # "Prefix*", the common shape
        return True
    last = max(a.rfind("*"), a.rfind("?"))
    if not b.endswith(a[last + 1:]):
        return False
    a = re.sub(r"\*+", "*", a)
    b = re.sub(r"\*+", "*", b)
    n, m = len(a), len(b)
    if n * m > _DP_LIMIT:
        return False  # hostile lengths: not judged (False only means "not reported")
    # reach[j]: a[:i] can produce b[:j]
    reach = [False] * (m + 1)
    reach[0] = True
    for i in range(n):
        c = a[i]
        nxt = [False] * (m + 1)
        if c == "*":
            seen = False
            for j in range(m + 1):
                seen = seen or reach[j]
                nxt[j] = seen
        else:
            for j in range(m):
                if reach[j]:
                    d = b[j]
                    if d == "*":
                        continue
                    if c == "?" or c == d:
                        nxt[j + 1] = True
        reach = nxt
        if not any(reach):
            return False
    return reach[m]
