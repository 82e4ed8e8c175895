"""README keeps the two set-up commands, and CI runs the test one as written."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup, re.S)


def test_readme_has_the_two_setup_commands():
    run, test = _commands()
    assert run.endswith("pip install . && policylint lint fixtures/ --snapshot fixtures/snapshot")
    assert test.endswith("pip install '.[test]' && pytest")


def test_ci_runs_the_readme_test_command():
    _, test = _commands()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == test


def test_readme_example_output_is_current():
    # The example session in README is real output of the current code.
    from conftest import run_cli

    text = (ROOT / "README.md").read_text()
    block = text.split("$ policylint lint fixtures/findings/key-policy-risks.json", 1)[1].split("$ echo $?", 1)[0]
    expected = block.split("\n", 1)[1].rstrip() + "\n"
    code, out, _ = run_cli(
        "lint",
        "fixtures/findings/key-policy-risks.json",
        "fixtures/findings/unknown-actions.json",
        "fixtures/findings/console-operator-missing-iam-lists.json",
        "fixtures/clean/get-key-policy-output.json",
        cwd=ROOT,
    )
    assert code == 1 and out == expected


def test_readme_can_example_is_current():
    from conftest import readme_example, run_cli

    args, expected, exit_code = readme_example("can")
    code, out, _ = run_cli("can", *args, cwd=ROOT)
    assert out == expected
    assert code == exit_code


def test_readme_snapshot_example_is_current():
    import shlex

    from conftest import run_cli

    text = (ROOT / "README.md").read_text()
    block = text.split('```console\n$ policylint can "user/dev-ann', 1)[1].split("```", 1)[0]
    cmdline, expected = ('"user/dev-ann' + block).split("\n", 1)
    code, out, _ = run_cli("can", *shlex.split(cmdline), cwd=ROOT)
    assert code == 0 and out == expected
