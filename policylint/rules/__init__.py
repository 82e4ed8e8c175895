"""The built-in rules, one per file: ``plNNN_<name>.py`` holds one :class:`Rule`
subclass, and every such module is registered (:func:`all_rules`).

Code families: PL0xx engine, PL1xx load and policy grammar, PL2xx catalog
(actions, condition operators and keys), PL3xx KMS key policies, PL4xx IAM
permissions (breadth, privilege escalation), PL5xx hygiene (conditions that
cannot work, redundancy, limits, malformed values), PL6xx KMS console minimums.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from policylint.check.rule import Rule

__all__ = ["all_rules"]

_MODULE = re.compile(r"^pl\d{3}_[a-z0-9_]+$")


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, one per ``plNNN_*.py`` module of this package, in code order.

    Raises:
        RuntimeError: a rule module defines no rule, or more than one.
    """
    out = []
    for info in pkgutil.iter_modules(__path__):
        if not _MODULE.match(info.name):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rules = [v for v in vars(module).values()
                 if isinstance(v, type) and issubclass(v, Rule) and v.__module__ == module.__name__ and hasattr(v, "code")]
        if len(rules) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one rule, found {len(rules)}")
        out.append(rules[0])
    return tuple(sorted(out, key=lambda r: r.code))
