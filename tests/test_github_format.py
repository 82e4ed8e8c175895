"""``lint --format github``: GitHub Actions workflow commands, one per finding, escaped
as GitHub's "Workflow commands for GitHub Actions" page and the Actions toolkit say."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli


def test_annotations_of_a_key_policy():
    code, out, _ = run_cli("lint", "--format", "github", "fixtures/findings/key-policy-single-admin.json",
                           "fixtures/findings/unknown-actions.json", "fixtures/findings/no-version.json", cwd=ROOT)
    assert code == 1
    assert out.splitlines() == [
        "::notice file=fixtures/findings/key-policy-single-admin.json,line=4,col=16,"
        "title=PL307 key-policy-no-account-delegation::only arn:aws:iam::111122223333:role/KMSAdmin can change this key "
        "policy, not the account principal (arn:aws:iam::111122223333:root): if it is deleted, only AWS Support can "
        "restore access to the key; the default key policy allows arn:aws:iam::111122223333:root kms:* to keep the key manageable",
        "::warning file=fixtures/findings/no-version.json,line=1,col=1,title=PL115 missing-version::policy has no Version: "
        'AWS then uses "2008-10-17", where policy variables such as ${aws:username} are literal text; add "Version": "2012-10-17"',
        "::warning file=fixtures/findings/no-version.json,line=6,col=19,title=PL504 policy-variable-without-version::"
        'statement 1: Resource value "arn:aws:s3:::home-bucket/${aws:username}/*" holds a policy variable, but the policy '
        'has no Version (so 2008-10-17 applies): the variable is literal text and matches nothing; add "Version": "2012-10-17"',
        "::error file=fixtures/findings/unknown-actions.json,line=7,col=18,title=PL200 unknown-service::Action "
        '"kmss:Decrypt": unknown service prefix "kmss" (did you mean kms?); it is not in the Service Authorization '
        "Reference (a typo, or a retired service)",
        "::error file=fixtures/findings/unknown-actions.json,line=7,col=34,title=PL201 unknown-action::Action "
        '"kms:Decrpyt": AWS Key Management Service has no action "Decrpyt" (did you mean kms:Decrypt?)',
        "::error file=fixtures/findings/unknown-actions.json,line=7,col=49,title=PL202 action-matches-nothing::Action "
        '"kms:Decypt*" matches no action of AWS Key Management Service',
        "::error file=fixtures/findings/unknown-actions.json,line=7,col=64,title=PL201 unknown-action::Action "
        '"Decrypt" is not an action: use service:Action, such as "kms:Decrypt"',
        "::error file=fixtures/findings/unknown-actions.json,line=13,col=21,title=PL200 unknown-service::NotAction "
        '"codestar:*" and 1 more codestar: actions: unknown service prefix "codestar"; it is not in the Service '
        "Authorization Reference (a typo, or a retired service)",
        "Checked 3 policies in 3 files read; 0 skipped. Found 5 errors, 2 warnings, 1 info.",
    ]


def test_whole_file_and_escaped_values():
    from policylint.check.finding import Finding, Location, Severity
    from policylint.report.github import annotation, escape_data, escape_property

    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"
    # Other control characters are shown, not sent to the log.
    assert escape_data("a\x1b[31mb") == "a\\x1b[31mb"
    f = Finding("PL100", "unreadable-file", Severity.ERROR, "cannot read file: Permission denied\nretry",
                Location("keys/a,b:c.json"))
    assert annotation(f) == ("::error file=keys/a%2Cb%3Ac.json,title=PL100 unreadable-file::"
                             "cannot read file: Permission denied%0Aretry")
    h = Finding("PL000", "internal-error", Severity.ERROR, "boom", Location("", 3, 1))
    assert annotation(h) == "::error title=PL000 internal-error::boom"
    assert annotation(Finding("PL115", "missing-version", Severity.WARNING, "x", Location("./p/../k.json", 1, 1))) == (
        "::warning file=k.json,line=1,col=1,title=PL115 missing-version::x")
    g = Finding("PL303", "key-policy-admin-and-use", Severity.INFO, "50% admin", Location("k.json", 3, 7, policy="role/Ops"))
    assert annotation(g) == "::notice file=k.json,line=3,col=7,title=PL303 key-policy-admin-and-use::50%25 admin [role/Ops]"


def test_file_names_are_escaped_end_to_end(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrpyt", "Resource": "*"}]}
    (tmp_path / "a,b:c%.json").write_text(json.dumps(policy, indent=2))
    code, out, _ = run_cli("lint", "--format", "github", "a,b:c%.json", "missing.json", cwd=tmp_path)
    assert code == 2
    assert out.splitlines() == [
        '::error file=a%2Cb%3Ac%25.json,line=6,col=17,title=PL201 unknown-action::'
        'Action "kms:Decrpyt": AWS Key Management Service has no action "Decrpyt" (did you mean kms:Decrypt?)',
        "::error::missing.json: no such file or folder",
        "Checked 1 policy in 1 file read; 0 skipped. Found 1 error, 0 warnings, 0 info.",
    ]


def test_readme_workflows_parse_and_upload_the_sarif():
    import re

    import yaml

    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Use in GitHub Actions\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.+?)```", section, re.S)
    workflow = yaml.safe_load(blocks[0])
    steps = workflow["jobs"]["policylint"]["steps"]
    lint = next(s for s in steps if s.get("name") == "Lint policies")
    assert lint["run"].endswith("--format sarif > policylint.sarif")
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()" and upload["with"]["sarif_file"] == "policylint.sarif"
    assert workflow["jobs"]["policylint"]["permissions"]["security-events"] == "write"
    for block in blocks[1:]:
        assert isinstance(yaml.safe_load(block), list)
    assert "--format github" in blocks[-1]
