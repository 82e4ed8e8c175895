"""Configuration: ``[tool.policylint]`` in ``pyproject.toml`` or a ``.policylint.toml``.

The nearest file, searching from the current folder upward, wins; ``--config``
names one explicitly. Keys (kebab-case, as in ruff and cfn-lint):

``select``            rule codes or code prefixes to run (default: all)
``ignore``            rule codes or prefixes not to run
``per-file-ignores``  ``{glob = [codes]}``: codes not reported for matching files
``cli-sdk-only``      globs of files whose principals use only the CLI/SDK: the
                      KMS console-minimum rules skip them (KMS Developer Guide,
                      *Permissions required to use the AWS KMS console*: "Users
                      who call KMS only through the AWS SDKs, CLI or Tools for
                      PowerShell do not need the console permissions")
                      and principal ARN patterns (``arn:aws:iam::*:role/ci-*``),
                      for the per-principal checks of an account snapshot
``severity``          ``{code = "error"|"warning"|"info"}`` overrides
``fail-on``           default for ``--fail-on``
``trusted-accounts``  12-digit account IDs trusted besides a key's own account:
                      key policy principals of other accounts are reported
                      unless listed here
``suppress``          a list of ``{code, file, sid?, pointer?, reason}`` tables;
                      each silences the findings of ``code`` (or a prefix) in
                      files matching ``file`` (a glob), limited to one statement
                      by ``sid`` or to a JSON pointer subtree by ``pointer``;
                      ``reason`` is required. A suppression that silences
                      nothing is reported (PL001).
``assertions``        access assertions that ``policylint assert`` checks when
                      no file is given: a list of assertion strings
                      (``["no principal outside account 111122223333 can do
                      kms:Decrypt on all keys"]``), or the path of an
                      assertions file, relative to the configuration's folder

Globs are matched against file paths relative to the folder holding the
configuration file; ``*`` stays within one folder, ``**`` crosses folders, and
a glob without ``/`` also matches the file name alone. Unknown keys are errors.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from policylint.check.finding import Severity
from policylint.errors import ConfigError

__all__ = ["Settings", "Suppression", "glob_regex", "load_settings"]

_CODE = re.compile(r"PL[0-9]{0,3}\Z")
_ACCOUNT = re.compile(r"[0-9]{12}\Z")


class Suppression(BaseModel):
    """One ``[[tool.policylint.suppress]]`` entry.

    Attributes:
        code: rule code or code prefix (``PL300``, ``PL3``).
        file: glob of the files it applies to (relative to the configuration's folder).
        sid: only findings inside the statement with this ``Sid``.
        pointer: only findings at this RFC 6901 JSON pointer into the file, or below it.
        reason: why the finding is accepted (required, shown in reports).
        index: position in the configuration list (for messages).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    file: str = "**"
    sid: str | None = None
    pointer: str | None = None
    reason: str
    index: int = 0

    @field_validator("code")
    @classmethod
    def _code(cls, v):
        if not _CODE.match(v) or v == "PL":
            raise ValueError(f"{v!r} is not a rule code or code prefix (PL3, PL300...)")
        return v

    @field_validator("reason")
    @classmethod
    def _reason(cls, v):
        if not v.strip().strip("\u200b\u200c\u200d\u2060\ufeff"):
            raise ValueError("a suppression needs a reason")
        return v

    @field_validator("file")
    @classmethod
    def _file(cls, v):
        parts = v.replace("\\", "/").split("/")
        if v.startswith(("/", "\\")) or (len(v) > 1 and v[1] == ":") or ".." in parts:
            raise ValueError(f"{v!r}: file globs are relative to the configuration's folder and stay inside it")
        return v

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, v):
        if v is not None and v != "" and not v.startswith("/"):
            raise ValueError(f"{v!r} is not a JSON pointer (they start with /, such as /Statement/0)")
        return v


class Settings(BaseModel):
    """Validated configuration (see the module docstring for each key)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict, alias="per-file-ignores")
    cli_sdk_only: tuple[str, ...] = Field(default=(), alias="cli-sdk-only")
    severity: dict[str, str] = Field(default_factory=dict)
    fail_on: str = Field(default="error", alias="fail-on")
    trusted_accounts: tuple[str, ...] = Field(default=(), alias="trusted-accounts")
    suppress: tuple[Suppression, ...] = ()
    assertions: str | tuple[str, ...] | None = None
    #: Folder that globs are relative to, and the file the settings came from.
    _root: str = PrivateAttr(default=".")
    _origin: str | None = PrivateAttr(default=None)

    @classmethod
    def create(cls, data: dict, root: str, origin: str | None = None) -> "Settings":
        """Validate ``data`` (keys as in the TOML table) into settings whose
        globs are relative to ``root``. Raises pydantic's ValidationError."""
        settings = cls.model_validate(data) if data else cls.model_construct()
        settings._root = root
        settings._origin = origin
        return settings

    @property
    def root(self) -> str:
        return self._root

    @property
    def origin(self) -> str | None:
        return self._origin

    @field_validator("select", "ignore", "cli_sdk_only", "trusted_accounts", mode="before")
    @classmethod
    def _lists(cls, v):
        if isinstance(v, str):
            raise ValueError(f'must be a list, such as ["{v}"]')
        return v

    @field_validator("select", "ignore")
    @classmethod
    def _codes(cls, v):
        for c in v or ():
            if not _CODE.match(c):
                raise ValueError(f"{c!r} is not a rule code or code prefix (PL, PL2, PL201...)")
        return v

    @field_validator("per_file_ignores")
    @classmethod
    def _pfi(cls, v):
        for codes in v.values():
            cls._codes(codes)
        return v

    @field_validator("severity")
    @classmethod
    def _sev(cls, v):
        for code, s in v.items():
            if not _CODE.match(code):
                raise ValueError(f"{code!r} is not a rule code")
            Severity.parse(s)
        return v

    @field_validator("trusted_accounts")
    @classmethod
    def _accounts(cls, v):
        for a in v:
            if not _ACCOUNT.match(a):
                raise ValueError(f"{a!r} is not an AWS account ID (12 digits, as a quoted string)")
        return v

    @field_validator("suppress", mode="before")
    @classmethod
    def _number_suppressions(cls, v):
        if isinstance(v, list):
            for x in v:
                if isinstance(x, dict) and "index" in x:
                    raise ValueError("unknown key 'index' in a suppression (keys: code, file, sid, pointer, reason)")
            return [dict(x, index=i) if isinstance(x, dict) else x for i, x in enumerate(v)]
        return v

    @field_validator("assertions", mode="before")
    @classmethod
    def _assertions(cls, v):
        if v is None or isinstance(v, str):
            return v
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError("must be a list of assertion strings, or the path of an assertions file")
        return tuple(v)

    @field_validator("fail_on")
    @classmethod
    def _fail_on(cls, v):
        Severity.parse(v)
        return v

    # -- queries --------------------------------------------------------------
    def relative(self, path: str) -> str:
        """``path`` relative to the configuration's folder, with ``/`` separators."""
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive on Windows
            rel = path
        return rel.replace(os.sep, "/")

    def rule_enabled(self, code: str) -> bool:
        """Whether ``code`` runs: selected (default: all) and not ignored. The
        longer matching prefix wins; at equal length ``ignore`` wins."""
        if self.select is None:
            sel = 0
        else:
            sel = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        if sel < 0:
            return False
        ign = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        return ign < 0 or sel > ign

    def ignored_for_file(self, path: str) -> frozenset[str]:
        """Code prefixes ignored for this file by ``per-file-ignores``."""
        if not self.per_file_ignores:
            return frozenset()
        rel = self.relative(path)
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores.items():
            if _glob_matches(pattern, rel):
                out.update(codes)
        return frozenset(out)

    def is_cli_sdk_only(self, path: str) -> bool:
        """True if ``path`` matches a ``cli-sdk-only`` file glob."""
        if not self.cli_sdk_only:
            return False
        rel = self.relative(path)
        return any(_glob_matches(p, rel) for p in self.cli_sdk_only if not p.startswith("arn:"))

    def is_cli_sdk_only_principal(self, arn: str) -> bool:
        """True if the principal ``arn`` matches a ``cli-sdk-only`` ARN pattern
        (``*`` and ``?`` wildcards, as in ArnLike)."""
        from policylint.wildcard import glob_match

        return any(glob_match(p, arn) for p in self.cli_sdk_only if p.startswith("arn:"))

    def file_matches(self, pattern: str, path: str) -> bool:
        """Whether the file ``path`` matches the glob ``pattern`` (relative to the configuration's folder)."""
        return _glob_matches(pattern, self.relative(path))

    def severity_overrides(self) -> dict[str, Severity]:
        """``severity`` as a code -> Severity map."""
        return {code: Severity.parse(s) for code, s in self.severity.items()}


@lru_cache(maxsize=1024)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a path glob: ``**`` any folders, ``*`` within a folder, ``?`` one character."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _glob_matches(pattern: str, rel: str) -> bool:
    pattern = pattern.replace("\\", "/").removeprefix("./")
    if glob_regex(pattern).match(rel):
        return True
    return "/" not in pattern and bool(glob_regex(pattern).match(rel.rsplit("/", 1)[-1]))


def _find_config(start: Path) -> tuple[Path, dict] | None:
    for folder in (start, *start.parents):
        dot = folder / ".policylint.toml"
        if dot.is_file():
            return dot, _settings_table(dot, _read_toml(dot))
        py = folder / "pyproject.toml"
        if py.is_file() and _mentions_policylint(py):
            data = _read_toml(py)
            if "policylint" in (data.get("tool") if isinstance(data.get("tool"), dict) else {}) or (
                "tool" in data and not isinstance(data["tool"], dict)
            ):
                return py, _settings_table(py, data)
    return None


def _mentions_policylint(path: Path) -> bool:
    """Whether a pyproject.toml can hold policylint settings at all (a cheap
    look at the bytes, so that most projects' files are not parsed)."""
    try:
        return b"policylint" in path.read_bytes()
    except OSError:
        return True  # let the parse report the error


def _settings_table(path: Path, data: dict) -> dict:
    """The policylint table of a configuration file: ``[tool.policylint]`` in a
    ``pyproject.toml``; in any other file, the top level, or a
    ``[tool.policylint]`` table if the file has one.

    Raises:
        ConfigError: ``tool`` or ``tool.policylint`` is not a table.
    """
    tool = data.get("tool")
    table = None
    if tool is not None:
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: 'tool' must be a table")
        table = tool.get("policylint")
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{path}: 'tool.policylint' must be a table")
    if path.name == "pyproject.toml":
        return table or {}
    return table if table is not None and set(data) == {"tool"} else data


def _read_toml(path: Path) -> dict:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (TOML files are UTF-8): {e.reason}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None


def load_settings(config: str | None = None, start: str | None = None) -> Settings:
    """Load settings from ``config`` or the nearest configuration file.

    Args:
        config: an explicit ``.toml`` file (``pyproject.toml`` is read from its
            ``[tool.policylint]`` table, any other file from its top level).
        start: folder to search upward from (default: the current folder).

    Raises:
        ConfigError: unreadable or invalid TOML, unknown keys, bad values.
    """
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: configuration file not found")
        found: tuple[Path, dict] | None = (path, _settings_table(path, _read_toml(path)))
    else:
        found = _find_config(Path(start or os.getcwd()).resolve())
    if found is None:
        # Defaults are valid by construction; no validation on this common path.
        return Settings.create({}, os.getcwd())
    path, data = found
    try:
        return Settings.create(data, str(path.resolve().parent), str(path))
    except ValidationError as e:
        problems = []
        for err in e.errors():
            where = ".".join(str(x) for x in err["loc"]) or "(top level)"
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {msg}")
        raise ConfigError(f"{path}: invalid policylint configuration: " + "; ".join(problems)) from None
