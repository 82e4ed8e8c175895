"""Glob matching: IAM's * and ?, case folding, and linear time on hostile input."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.wildcard import glob_match, has_wildcard


@pytest.mark.parametrize(
    ("pattern", "subject", "ignore_case", "expected"),
    [
        ("kms:*", "kms:Decrypt", False, True),
        ("kms:Get*", "kms:GetKeyPolicy", False, True),
        ("kms:Get*", "kms:ListKeys", False, False),
        ("kms:*Key", "kms:DescribeKey", False, True),
        ("kms:*Key*", "kms:GetKeyPolicy", False, True),
        ("kms:Re?ncrypt*", "kms:ReEncryptFrom", False, True),
        ("kms:Re?ncrypt*", "kms:ReencryptFrom", False, True),
        ("kms:Re?ncrypt*", "kms:RencryptFrom", False, False),
        ("KMS:decrypt", "kms:Decrypt", True, True),
        ("KMS:decrypt", "kms:Decrypt", False, False),
        ("*", "", False, True),
        ("a*a", "a", False, False),
        ("a*a", "aa", False, True),
        ("a*b*c", "abc", False, True),
        ("a*b*c", "acb", False, False),
        ("?", "", False, False),
        ("??", "ab", False, True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", False, True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False, False),
        ("a**b", "ab", False, True),
        ("*.txt", "x.TXT", False, False),
        ("*.txt", "x.TXT", True, True),
    ],
)
def test_glob_match_examples(pattern, subject, ignore_case, expected):
    # Source: IAM User Guide, "IAM JSON policy elements: Action" (wildcards * and ?).
    assert glob_match(pattern, subject, ignore_case) is expected


def _reference(pattern: str, subject: str) -> bool:
    """A plain regex translation: correct, but exponential on hostile input."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, subject, re.DOTALL) is not None


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ab*?", max_size=8), st.text(alphabet="ab", max_size=10))
def test_glob_agrees_with_reference_matcher(pattern, subject):
    assert glob_match(pattern, subject) == _reference(pattern, subject)


def test_has_wildcard():
    assert has_wildcard("kms:*") and has_wildcard("kms:Get?ey") and not has_wildcard("kms:Decrypt")


def test_hostile_pattern_is_linear():
    # 50 stars against 100 kB that almost matches: a backtracking matcher
    # would not finish; the run-by-run matcher is linear. Generous bound here;
    # the measured figure is in BENCHMARKS.md.
    pattern = "*a" * 50 + "b"
    subject = "a" * 100_000
    start = time.perf_counter()
    assert glob_match(pattern, subject) is False
    assert glob_match(pattern[:-1], subject) is True
    assert time.perf_counter() - start < 0.5
def test_wildcard_overlap_agrees_with_a_brute_force_search():
    """_overlap (with its literal-ends shortcut) against a search over every
    text of up to six characters from the alphabet the patterns use."""
    import itertools
    import random

    from policylint.rules._iam import _ANY, _ANY_NO_SLASH, _ONE, _overlap

    def matches(tokens, text):
        # Backtracking over tokens; _ANY_NO_SLASH takes no "/".
        if not tokens:
            return not text
        t, rest = tokens[0], tokens[1:]
        if t in (_ANY, _ANY_NO_SLASH):
            return any(matches(rest, text[k:]) for k in range(len(text) + 1)
                       if t == _ANY or "/" not in text[:k])
        if not text:
            return False
        return (t == _ONE or t == text[0]) and matches(rest, text[1:])

    texts = ["".join(p) for n in range(7) for p in itertools.product("ab/", repeat=n)]
    rng = random.Random(7)
    for _ in range(600):
        a = tuple(rng.choice(["a", "b", "/", _ANY, _ONE]) for _ in range(rng.randint(0, 3)))
        b = tuple(rng.choice(["a", "b", "/", _ANY, _ANY_NO_SLASH]) for _ in range(rng.randint(0, 3)))
        expected = any(matches(a, t) and matches(b, t) for t in texts)
        assert _overlap(a, b) == expected, (a, b)


def test_literal_head_stops_at_wildcards_and_references():
    from policylint.wildcard import literal_head

    assert literal_head("arn:aws:iam::1:role/app-*") == "arn:aws:iam::1:role/app-"
    assert literal_head("key/${KeyId}") == "key/"
    assert literal_head("a?b*") == "a"
    assert literal_head("plain") == "plain"
    assert literal_head("*") == ""
