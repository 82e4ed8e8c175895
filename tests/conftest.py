"""Shared test helpers: paths, the shared corpus, and running the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("POLICYLINT_CORPUS", ROOT.parent / "shared" / "corpus"))


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", help="rewrite tests/snapshots/fixtures.json from the current output")


@pytest.fixture
def update_snapshots(request) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


def corpus_dir(name: str) -> Path:
    """A folder of ../shared/corpus, or skip the test with the reason."""
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"shared corpus folder {path} is not present on this machine")
    return path


def run_cli(*args: str, cwd: str | os.PathLike | None = None) -> tuple[int, str, str]:
    """Run the policylint CLI in-process; returns (exit code, stdout, stderr)."""
    from typer.testing import CliRunner

    from policylint.cli import app

    runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def readme_example(command: str) -> tuple[list[str], str, int]:
    """The first README example that runs ``policylint COMMAND`` and shows
    ``$ echo $?`` after its output: (its arguments, what it prints, its exit code)."""
    import shlex

    text = (ROOT / "README.md").read_text()
    cmdline, rest = text.split(f"$ policylint {command} ", 1)[1].split("\n", 1)
    expected, tail = rest.split("$ echo $?\n", 1)
    return shlex.split(cmdline), expected, int(tail.split("\n", 1)[0])


def lint_json(*args: str, cwd=None) -> tuple[int, dict]:
    code, out, _ = run_cli("lint", "--format", "json", *args, cwd=cwd)
    return code, json.loads(out)
