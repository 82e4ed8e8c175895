"""JSON loading: positions on demand, duplicates, errors, encodings."""

from __future__ import annotations

import codecs
import json

from policylint.load.jsonload import JsonLocator, load_json
from policylint.load.reader import read_file
from policylint.load.source import LoadProblemKind, SourceText

DOC = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:Encrypt"],
      "Resource": "*"
    }
  ]
}
"""


def test_positions_of_keys_and_values():
    src = SourceText("p.json", DOC)
    data, problems = load_json(src)
    assert problems == [] and data["Statement"][0]["Effect"] == "Allow"
    loc = JsonLocator(src)
    assert loc.locate(()) == (1, 1)
    assert loc.locate(("Version",)) == (2, 14)
    assert loc.locate(("Version",), key=True) == (2, 3)
    assert loc.locate(("Statement", 0)) == (4, 5)
    assert loc.locate(("Statement", 0, "Action", 1)) == (6, 33)
    assert loc.locate(("Statement", 0, "Resource"), key=True) == (7, 7)
    assert loc.locate(("Statement", 5)) is None
    assert loc.locate(("Nope",)) is None
    assert loc.locate(("Version", 0)) is None


def test_duplicate_keys_are_reported_with_both_lines():
    text = '{\n "Effect": "Deny",\n "Action": "s3:*",\n "Effect": "Allow"\n}'
    data, problems = load_json(SourceText("d.json", text))
    assert data["Effect"] == "Allow"
    assert [(p.kind, p.line, p.column, p.path) for p in problems] == [
        (LoadProblemKind.DUPLICATE_KEY, 4, 2, ("Effect",))
    ]
    assert "first at line 2" in problems[0].message


def test_nested_duplicates_found_everywhere():
    text = json.dumps({"a": [{"x": 1}]}).replace('{"x": 1}', '{"x": 1, "y": 2, "x": 3}')
    _, problems = load_json(SourceText("d.json", text))
    assert [p.path for p in problems] == [("a", 0, "x")]


def test_truncated_and_empty_and_garbage():
    data, problems = load_json(SourceText("t.json", '{"Version": "2012-10-17",\n "Statement": ['))
    assert data is None and problems[0].kind is LoadProblemKind.SYNTAX
    assert "truncated" in problems[0].message and (problems[0].line, problems[0].column) == (2, 16)
    data, problems = load_json(SourceText("e.json", "  \n"))
    assert data is None and problems[0].message.startswith("file is empty")
    data, problems = load_json(SourceText("n.json", '{"a": NaN}'))
    assert data is None and "NaN is not valid JSON" in problems[0].message
    data, problems = load_json(SourceText("x.json", '{"a": 1} trailing'))
    assert data is None and (problems[0].line, problems[0].column) == (1, 10)


def test_deep_nesting_is_a_positioned_limit_problem():
    text = '{"Statement": ' + "[" * 20000 + "]" * 20000 + "}"
    data, problems = load_json(SourceText("deep.json", text))
    assert data is None and problems[0].kind is LoadProblemKind.LIMIT
    # The object is level 1, so the 499th bracket (offset 14 + 498) opens level 500.
    assert problems[0].line == 1 and problems[0].column == 14 + 498 + 1


def test_nesting_limit_counts_containers_not_brackets_in_strings():
    """The depth check reads the text: brackets inside strings (policies held
    as JSON text, escaped quotes) are not containers. Level 500 is refused,
    level 499 read."""
    noise = '"[[[{{ \\" ]]" '
    for depth, refused in ((499, False), (500, True)):
        text = "[" * (depth - 1) + "{" + '"k": ' + noise.strip() + "}" + "]" * (depth - 1)
        data, problems = load_json(SourceText("d.json", text))
        assert (data is None) is refused
        assert [p.kind for p in problems] == ([LoadProblemKind.LIMIT] if refused else [])
    text = '{"a": "' + "[" * 600 + '", "b": [1, {"c": "{{{{"}]}'
    data, problems = load_json(SourceText("s.json", text))
    assert problems == [] and data["b"][1]["c"] == "{{{{"


def test_encodings(tmp_path):
    doc = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:ListKeys", "Resource": "*"}}'
    (tmp_path / "bom8.json").write_bytes(codecs.BOM_UTF8 + doc.encode())
    (tmp_path / "utf16.json").write_bytes(doc.encode("utf-16"))  # with BOM, as PowerShell writes
    (tmp_path / "latin1.json").write_bytes(doc.replace("Allow", "Allow\u00e9").encode("latin-1"))
    (tmp_path / "bin.json").write_bytes(b"\x00\x01\x02" * 100)
    assert len(read_file(str(tmp_path / "bom8.json")).policies) == 1
    assert len(read_file(str(tmp_path / "utf16.json")).policies) == 1
    latin = read_file(str(tmp_path / "latin1.json"))
    bad_column = doc.index("Allow") + len("Allow") + 1  # the first byte after "Allow"
    assert latin.problems[0].kind is LoadProblemKind.NOT_TEXT and latin.problems[0].column == bad_column
    assert read_file(str(tmp_path / "bin.json")).problems[0].message.startswith("binary file")


def test_unreadable_file_is_a_problem(tmp_path, monkeypatch):
    p = tmp_path / "secret.json"
    p.write_text("{}")

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)
    loaded = read_file(str(p))
    assert loaded.problems[0].kind is LoadProblemKind.UNREADABLE
    assert "Permission denied" in loaded.problems[0].message


def test_number_too_long_to_read_is_a_positioned_limit_problem():
    import sys

    digits = "9" * (sys.get_int_max_str_digits() + 1)
    data, problems = load_json(SourceText("big.json", '{\n  "Version": "2012-10-17",\n  "n": ' + digits + "\n}"))
    assert data is None
    assert [(p.kind, p.line, p.column) for p in problems] == [(LoadProblemKind.LIMIT, 3, 8)]
    assert "more than 4300 digits" in problems[0].message
