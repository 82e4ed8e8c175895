"""Read one file: bytes -> text -> parsed data -> the policies inside.

Every outcome is reported: a file that cannot be read, is not text, does not
parse or holds no policy comes back with a problem or a skip reason, and the
caller goes on with the next file.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field

from policylint.load.documents import PolicySource, find_policies, find_terraform_policies
from policylint.load.cfn import fill_known
from policylint.load.jsonload import JsonLocator, load_json
from policylint.load.source import LoadProblem, LoadProblemKind, SourceText

__all__ = ["LoadedFile", "MAX_FILE_BYTES", "read_file"]

#: Files larger than this (bytes) are reported instead of parsed (AWS's own largest
#: policy document, a KMS key policy, is 32 KB; authorization-details dumps of
#: large accounts reach tens of MB).
MAX_FILE_BYTES = 256 * 1024 * 1024

_YAML_EXT = (".yaml", ".yml", ".template")
_JSON_EXT = (".json",)
_TF_EXT = (".tf",)


@dataclass
class LoadedFile:
    """The result of reading one file.

    Attributes:
        path: display path.
        source: the decoded text, or None if the file could not be decoded.
        format: ``"json"``, ``"yaml"`` or ``"hcl"`` (Terraform ``.tf``), or None when undecided.
        policies: the policy documents found.
        problems: load problems (unreadable, not text, syntax, duplicate keys, limits).
        notes: parts of the file not checked, each with why.
        skip_reason: set when the file holds no policy at all.
        roots: the parsed documents (one per YAML document; one for JSON).
        known_used: the keys of ``known`` filled into its policies.
    """

    path: str
    source: SourceText | None = None
    format: str | None = None
    policies: list[PolicySource] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skip_reason: str | None = None
    roots: list = field(default_factory=list)
    known_used: set = field(default_factory=set)


def _decode(data: bytes) -> tuple[str | None, LoadProblem | None]:
    """Decode file bytes: UTF-8 (with or without BOM), or UTF-16/32 with a BOM
    (what Windows PowerShell 5 redirection writes)."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), None
            except UnicodeDecodeError as e:
                return None, LoadProblem(LoadProblemKind.NOT_TEXT, f"not valid {enc.upper()} text: {e.reason}", 1, 1)
    if b"\x00" in data[:8192]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is NUL.
        head = data[:8192]
        for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if len(head) >= 4 and zeros.count(0) == len(zeros):
                try:
                    return data.decode(enc), None
                except UnicodeDecodeError:
                    break
        return None, LoadProblem(LoadProblemKind.NOT_TEXT, "binary file (contains NUL bytes), not JSON or YAML text", 1, 1)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return None, LoadProblem(
            LoadProblemKind.NOT_TEXT,
            f"not UTF-8 text: byte 0x{data[e.start]:02x} cannot be decoded (policies are UTF-8 JSON or YAML)",
            line,
            col,
        )


def _format_for(path: str, text: str) -> str | None:
    """``json`` or ``yaml`` by the file's extension; for other names, by the
    content: JSON if it starts like JSON, YAML for files without an extension
    (CLI outputs saved as ``policy``), None (not a policy file) otherwise."""
    ext = os.path.splitext(path)[1].lower()
    if ext in _TF_EXT:
        return "hcl"
    if ext in _JSON_EXT:
        return "json"
    if ext in _YAML_EXT:
        return "yaml"
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return "json"
    return "yaml" if not ext else None


def read_file(path: str, display: str | None = None, max_bytes: int = MAX_FILE_BYTES,
              known: dict[str, str] | None = None) -> LoadedFile:
    """Read, decode, parse and unwrap one file.

    Args:
        path: file system path.
        display: the path to show in reports (defaults to ``path``).
        max_bytes: files larger than this get a LIMIT problem instead of parsing.
        known: values of template references (``--parameter``, ``--account``;
            see :func:`policylint.load.cfn.known_values`), filled into the
            policies of CloudFormation templates and Terraform files.

    Returns:
        A :class:`LoadedFile`; never raises for bad content or I/O errors.
    """
    out = LoadedFile(display or path)
    try:
        with open(path, "rb") as fh:
            # Read one byte more than the limit: a device or a growing file
            # reports no useful size, so the size is what was read.
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            out.problems.append(
                LoadProblem(LoadProblemKind.LIMIT, f"file is larger than the {max_bytes // 2**20} MiB limit; not read")
            )
            return out
    except OSError as e:
        out.problems.append(LoadProblem(LoadProblemKind.UNREADABLE, f"cannot read file: {e.strerror or e}"))
        return out
    text, problem = _decode(data)
    if problem is not None:
        out.problems.append(problem)
        return out
    assert text is not None
    source = SourceText(out.path, text)
    out.source = source
    out.format = _format_for(path, text)
    if out.format == "hcl":
        found = find_terraform_policies(source)
        out.policies, out.problems, out.notes = found.policies, found.problems, found.notes
        out.skip_reason = found.skip_reason
        _fill(out, known)
        return out
    if out.format is None:
        ext = os.path.splitext(path)[1]
        out.skip_reason = f"not a policy file: a {ext} file whose content is not JSON"
        return out
    if out.format == "json":
        root, problems = load_json(source)
        out.problems.extend(problems)
        if root is None and problems:
            return out
        roots = [(root, JsonLocator(source))]
    else:
        from policylint.load.yamlload import load_yaml

        docs, locators, problems = load_yaml(source)
        out.problems.extend(problems)
        if not docs:
            if not problems:
                out.skip_reason = "no policy document: the YAML file holds no document (empty, or comments only)"
            return out
        roots = list(zip(docs, locators))
    out.roots = [r for r, _ in roots]
    reasons = []
    for i, (root, loc) in enumerate(roots):
        found = find_policies(root, loc, source)
        if len(roots) > 1:
            for p in found.policies:
                p.name = f"document {i + 1}" + (f" {p.name}" if p.name else "")
        out.policies.extend(found.policies)
        out.problems.extend(found.problems)
        out.notes.extend(found.notes)
        if found.skip_reason:
            reasons.append(found.skip_reason if len(roots) == 1 else f"document {i + 1}: {found.skip_reason}")
    if not out.policies and not out.problems:
        out.skip_reason = "; ".join(reasons) or "no policy document found"
    elif reasons:
        out.notes.extend(reasons)
    _fill(out, known)
    return out


_TEMPLATE_ORIGINS = ("CloudFormation template", "Terraform configuration", "terraform show -json output")


def _fill(out: LoadedFile, known: dict[str, str] | None) -> None:
    """Fill known template values into the policies of templates and Terraform files."""
    if known:
        for p in out.policies:
            if p.origin in _TEMPLATE_ORIGINS:
                p.document = fill_known(p.document, known, out.known_used)
