"""Errors policylint raises for usage and configuration mistakes.

Problems with *input files* are never raised: they become findings. These
exceptions are for things the user must fix before a run makes sense; the
CLI prints their message (no traceback) and exits with code 2.
"""

from __future__ import annotations

__all__ = ["ConfigError", "PolicylintError", "UsageError"]


class PolicylintError(Exception):
    """Base class; the message is meant for the user as is."""


class ConfigError(PolicylintError):
    """Invalid or unreadable configuration (file, key and reason in the message)."""


class UsageError(PolicylintError):
    """Invalid command-line usage not caught by argument parsing."""
