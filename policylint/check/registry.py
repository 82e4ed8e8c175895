"""The rule registry: every rule class, by code, with a duplicate guard."""

from __future__ import annotations

from functools import cache

from policylint.check.rule import Rule

__all__ = ["DuplicateRuleError", "Registry", "registry"]


class DuplicateRuleError(Exception):
    """Two rules claim the same code or name."""


class Registry:
    """Rules keyed by code, in code order.

    Raises:
        DuplicateRuleError: at construction, when two rules share a code or a name.
    """

    def __init__(self, rules: list[type[Rule]]) -> None:
        self._by_code: dict[str, Rule] = {}
        names: dict[str, str] = {}
        for cls in rules:
            if cls.code in self._by_code:
                raise DuplicateRuleError(f"rule code {cls.code} is used by {self._by_code[cls.code].__class__.__name__} and {cls.__name__}")
            if cls.name in names:
                raise DuplicateRuleError(f"rule name {cls.name} is used by {names[cls.name]} and {cls.code}")
            names[cls.name] = cls.code
            self._by_code[cls.code] = cls()
        self._by_code = dict(sorted(self._by_code.items()))

    def __iter__(self):
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code_or_name: str) -> Rule | None:
        """A rule by code (``PL201``, any case) or name (``unknown-action``)."""
        hit = self._by_code.get(code_or_name.upper())
        if hit is not None:
            return hit
        return next((r for r in self._by_code.values() if r.name == code_or_name), None)

    def is_input_error(self, code: str) -> bool:
        """Whether findings of ``code`` mean an input could not be read (PL000,
        PL100-PL104): those are never suppressed or baselined."""
        rule = self._by_code.get(code)
        return bool(rule is not None and rule.input_error)

    def codes(self) -> list[str]:
        return list(self._by_code)

    def check_settings(self, settings) -> None:
        """Refuse configuration that names rules that do not exist.

        Raises:
            ConfigError: a code or prefix in ``select``, ``ignore``,
                ``per-file-ignores``, ``severity`` or ``suppress`` matches no rule.
        """
        from policylint.errors import ConfigError

        where = settings.origin or "configuration"
        named = [("select", c) for c in settings.select or ()] + [("ignore", c) for c in settings.ignore]
        named += [(f"per-file-ignores.{g}", c) for g, codes in settings.per_file_ignores.items() for c in codes]
        named += [("severity", c) for c in settings.severity]
        named += [(f"suppress #{s.index + 1} code", s.code) for s in settings.suppress]
        for key, code in named:
            if not any(c.startswith(code) for c in self._by_code):
                raise ConfigError(f"{where}: {key}: {code!r} matches no rule (see policylint rules)")


@cache
def registry() -> Registry:
    """The built-in rules (every ``policylint/rules/plNNN_*.py`` module)."""
    from policylint.rules import all_rules

    return Registry(list(all_rules()))
