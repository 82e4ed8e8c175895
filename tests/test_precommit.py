"""The pre-commit hook of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` tool.

``pre-commit try-repo`` clones this checkout (with its uncommitted changes to tracked
files, when there are any), installs it with pip into an environment of its own, and runs
the hook in a temporary git repository holding one clean and one bad policy (about 20-30 s
for each install, which needs PyPI: try-repo installs into a throwaway store every time,
so the two runs go side by side). Source: pre-commit docs, https://pre-commit.com/#pre-commit-try-repo
and https://pre-commit.com/#creating-new-hooks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import FIXTURES, ROOT


def _git(*args: str, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def _checkout_or_skip() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    top = _git("rev-parse", "--show-toplevel", cwd=ROOT)
    if top.returncode != 0 or os.path.realpath(top.stdout.strip()) != os.path.realpath(ROOT):
        pytest.skip(f"{ROOT} is not a git checkout (an unpacked sdist?): pre-commit try-repo needs one")
    if _git("rev-parse", "--verify", "HEAD", cwd=ROOT).returncode != 0:
        pytest.skip(f"{ROOT} has no commit yet: pre-commit try-repo needs HEAD")


def test_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["policylint"]
    hook = hooks[0]
    assert (hook["language"], hook["entry"]) == ("python", "policylint lint")
    assert hook.get("pass_filenames", True) is True
    files = re.compile(hook["files"])
    for name in ("iam/a.json", "keys/k.yaml", "k.yml", "stack.template", "main.tf"):
        assert files.search(name), name
    for name in ("README.md", "a.json.bak", "x.tfvars", "tf"):
        assert not files.search(name), name


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[int, str]]:
    """``pre-commit try-repo`` of this checkout on clean.json and on bad.json, in a
    temporary git repository, each with its own ``PRE_COMMIT_HOME`` in tmp: file name
    -> (exit code, output). try-repo installs the hook into a throwaway store on every
    call (``PRE_COMMIT_HOME`` does not keep it), so the two calls run side by side."""
    _checkout_or_skip()
    base = tmp_path_factory.mktemp("precommit")
    work = base / "repo"
    work.mkdir()
    env = dict(os.environ, GIT_AUTHOR_NAME="policylint test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="policylint test", GIT_COMMITTER_EMAIL="test@example.invalid",
               PRE_COMMIT_COLOR="never")
    env.pop("VIRTUAL_ENV", None)
    shutil.copy(FIXTURES / "clean" / "key-policy-default-api.json", work / "clean.json")
    shutil.copy(FIXTURES / "findings" / "key-policy-risks.json", work / "bad.json")
    assert _git("init", "-q", cwd=work, env=env).returncode == 0
    assert _git("add", "clean.json", "bad.json", cwd=work, env=env).returncode == 0
    procs = {}
    for name in ("clean.json", "bad.json"):
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "policylint", "--verbose", "--files", name],
            cwd=work, env=dict(env, PRE_COMMIT_HOME=str(base / f"home-{name}")),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    out = {}
    for name, proc in procs.items():
        text, _ = proc.communicate(timeout=900)
        out[name] = (proc.returncode, text)
    return out


def test_hook_passes_a_clean_policy(runs):
    code, out = runs["clean.json"]
    assert code == 0, out
    assert re.search(r"^policylint\.+Passed$", out, re.M), out
    assert "Checked 1 policy in 1 file read; 0 skipped. Found 0 errors, 0 warnings, 0 info." in out


def test_hook_fails_a_bad_policy_with_the_finding(runs):
    code, out = runs["bad.json"]
    assert code == 1, out
    assert re.search(r"^policylint\.+Failed$", out, re.M) and "- exit code: 1" in out, out
    assert 'bad.json:15:28: error PL300 Sid "DecryptThroughS3" allows everyone (Principal "*")' in out
    assert "Checked 1 policy in 1 file read; 0 skipped. Found 1 error, 4 warnings, 1 info." in out


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_hook_configurations_match_the_hook():
    section = _readme_section("Use in pre-commit")
    blocks = re.findall(r"```yaml\n(.+?)```", section, re.S)
    remote, local = (yaml.safe_load(b) for b in blocks)
    assert remote["repos"][0]["hooks"][0]["id"] == "policylint"
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    mine = local["repos"][0]["hooks"][0]
    assert (mine["entry"], mine["files"]) == (hook["entry"], hook["files"])


def test_readme_failing_commit_output_is_current(tmp_path):
    from conftest import run_cli

    section = _readme_section("Use in pre-commit")
    console = section.split('$ git commit -m "Add the payments key policy"\n', 1)[1].split("```", 1)[0]
    head, report = console.split("- exit code: 1\n\n", 1)
    assert head.startswith("policylint....") and head.rstrip().endswith("- hook id: policylint")
    (tmp_path / "keys").mkdir()
    shutil.copy(FIXTURES / "findings" / "key-policy-risks.json", tmp_path / "keys" / "payments.json")
    code, out, _ = run_cli("lint", "keys/payments.json", cwd=tmp_path)
    assert code == 1 and out == report
