"""YAML loading: scalars stay text, positions, CloudFormation tags, limits."""

from __future__ import annotations

from policylint.load.source import LoadProblemKind, SourceText
from policylint.load.yamlload import load_yaml


def load(text: str):
    docs, locs, problems = load_yaml(SourceText("p.yaml", text))
    return docs, locs, problems


def test_scalars_stay_as_written():
    docs, _, problems = load(
        "Version: 2012-10-17\nAccount: 012345678901\nFlag: yes\nBool: true\nNum: 1.50\nEmpty:\nTilde: ~\nQuoted: 'null'\n"
    )
    assert problems == []
    assert docs[0] == {
        "Version": "2012-10-17",
        "Account": "012345678901",
        "Flag": "yes",
        "Bool": "true",
        "Num": "1.50",
        "Empty": None,
        "Tilde": None,
        "Quoted": "null",
    }


def test_positions_of_keys_and_values():
    docs, locs, _ = load("Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Action:\n      - kms:Decrypt\n")
    loc = locs[0]
    assert loc.locate(("Version",)) == (1, 10)
    assert loc.locate(("Version",), key=True) == (1, 1)
    assert loc.locate(("Statement", 0, "Effect")) == (3, 13)
    assert loc.locate(("Statement", 0, "Action", 0)) == (5, 9)
    assert loc.locate(("Statement", 3)) is None


def test_cloudformation_short_forms():
    docs, _, _ = load("A: !Ref KeyArn\nB: !GetAtt Key.Arn\nC: !Sub 'arn:aws:iam::${AWS::AccountId}:root'\nD: !Join ['', [a, b]]\n")
    assert docs[0] == {
        "A": {"Ref": "KeyArn"},
        "B": {"Fn::GetAtt": ["Key", "Arn"]},
        "C": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"},
        "D": {"Fn::Join": ["", ["a", "b"]]},
    }


def test_duplicate_keys_reported():
    docs, _, problems = load("Effect: Deny\nAction: s3:*\nEffect: Allow\n")
    assert docs[0]["Effect"] == "Allow"
    assert [(p.kind, p.line, p.column) for p in problems] == [(LoadProblemKind.DUPLICATE_KEY, 3, 1)]


def test_billion_laughs_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    docs, _, problems = load("\n".join(lines) + "\n")
    assert docs == [] and problems[0].kind is LoadProblemKind.LIMIT
    assert "billion laughs" in problems[0].message and problems[0].line is not None


def test_small_aliases_are_expanded():
    docs, _, problems = load("base: &b [kms:Decrypt]\nActions: *b\n")
    assert problems == [] and docs[0]["Actions"] == ["kms:Decrypt"]


def test_syntax_error_positioned_and_multi_documents():
    docs, _, problems = load("Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n     Action: x\n")
    assert docs == [] and problems[0].kind is LoadProblemKind.SYNTAX and problems[0].line == 4
    docs, _, problems = load("a: 1\n---\nb: 2\n")
    assert docs == [{"a": "1"}, {"b": "2"}]


def test_deep_nesting_limit():
    docs, _, problems = load("[" * 2000 + "]" * 2000)
    assert docs == [] and problems[0].kind is LoadProblemKind.LIMIT


def test_complex_key_and_empty_file():
    docs, _, problems = load("? [a, b]\n: c\n")
    assert docs == [] and problems[0].kind is LoadProblemKind.SYNTAX
    docs, _, problems = load("# only a comment\n")
    assert docs == [] and problems == []  # the reader lists such a file as skipped


def test_keys_are_literal_text():
    docs, _, problems = load("null: a\n~: b\n'': c\n")
    assert problems == [] and docs[0] == {"null": "a", "~": "b", "": "c"}


def test_merge_keys():
    docs, locs, problems = load(
        "base: &b {Effect: Allow, Resource: '*'}\nStatement:\n  - <<: *b\n    Action: kms:Decrypt\n    Effect: Deny\n"
    )
    assert problems == []
    assert docs[0]["Statement"][0] == {"Action": "kms:Decrypt", "Effect": "Deny", "Resource": "*"}
    assert locs[0].locate(("Statement", 0, "Resource")) == (3, 5)  # the "<<" that brought it
    docs, _, problems = load("a: {<<: 5}\n")
    assert docs == [] and "merge key" in problems[0].message


def test_unsupported_tags_are_refused():
    for text in ("Action: !!python/name:os.system\n", "a: !!python/object:os.system {}\n",
                 "%TAG ! tag:evil:\n---\na: !Ref x\n", "a: !Custom x\n"):
        docs, _, problems = load(text)
        assert docs == [] and problems[0].kind is LoadProblemKind.SYNTAX and "unsupported YAML tag" in problems[0].message, text
    # A template tool's function (CloudFormation Rain) is an unknown intrinsic, not a refused file.
    docs, _, problems = load("TemplateBody: !Rain::Embed other.yaml\n")
    assert problems == [] and docs[0] == {"TemplateBody": {"Fn::Rain::Embed": "other.yaml"}}
    docs, _, problems = load("a: !!str 12\nb: !!int 012\n")
    assert problems == [] and docs[0] == {"a": "12", "b": "012"}


def test_undefined_alias_is_positioned():
    docs, _, problems = load("Version: '2012-10-17'\nStatement: *nope\n")
    assert docs == [] and (problems[0].line, problems[0].column) == (2, 12)


def test_alias_character_budget():
    big = "x" * 10_000
    text = f"a: &a '{big}'\nb: [" + ", ".join(["*a"] * 2000) + "]\n"
    docs, _, problems = load(text)
    assert docs == [] and problems[0].kind is LoadProblemKind.LIMIT
