"""Access assertions: declarative statements about who can do what on which keys.

Grammar: ``grammars/assert.lark`` (one assertion per line, ``#`` comments).
The four forms::

    no principal [outside account ID[, ID...]] can do ACTIONS on RESOURCES [when ...]
    only PRINCIPAL[, PRINCIPAL...] can do ACTIONS on RESOURCES [when ...]
    PRINCIPAL must be able to do ACTIONS on RESOURCES [when ...]
    PRINCIPAL cannot do ACTIONS on RESOURCES [when ...]

``ACTIONS`` and ``RESOURCES`` are comma-separated lists; ``all keys`` stands for
every key (the snapshot's keys; with policy files, the key the grants are for,
else any key with the ``--key-policy``, asked as ``key/*``). The ``when``
part is the ``can`` question's (``grammars/query.lark``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.parse import lark_parser

__all__ = ["ALL_KEYS", "Assertion", "AssertionSyntaxError", "parse_assertion_line", "parse_assertions"]

#: The resource list of ``on all keys``.
ALL_KEYS = ("all keys",)

_FORMS = {
    "no-principal": "no principal [outside account ID] can do ACTION on RESOURCE",
    "only": "only PRINCIPAL[, PRINCIPAL] can do ACTION on RESOURCE",
    "must": "PRINCIPAL must be able to do ACTION on RESOURCE",
    "cannot": "PRINCIPAL cannot do ACTION on RESOURCE",
}
_ANY_FORM = ("an assertion: no principal outside account ID can do ... | only PRINCIPAL can do ... | "
             "PRINCIPAL must be able to do ... | PRINCIPAL cannot do ...")


class AssertionSyntaxError(ValueError):
    """An assertion that does not parse.

    Attributes:
        source: the file (or configuration file) it was read from.
        line, column: 1-based position in ``source`` where it goes wrong.
        text: the line as written.
        expected: the tokens that would have fit there (lower case keywords, ``word``, ``","``...).
    """

    def __init__(self, message: str, source: str, line: int, column: int, text: str,
                 expected: tuple[str, ...] = (), text_column: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.line = line
        self.column = column
        self.text = text
        self.expected = expected
        #: 1-based column inside :attr:`text` (differs from :attr:`column` for configuration strings)
        self.text_column = column if text_column is None else text_column

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}: {self.args[0]}"


@dataclass(frozen=True)
class Assertion:
    """One parsed assertion.

    Attributes:
        kind: ``no-principal`` (no principal [outside accounts] can), ``only``,
            ``must`` (must be able to) or ``cannot``.
        principals: the principals as written (``only``: the list; ``must``
            and ``cannot``: one); empty for ``no-principal``.
        accounts: ``no-principal``: the accounts whose principals may (empty: no
            principal at all may).
        actions: ``service:Action`` names as written.
        resources: as written, or :data:`ALL_KEYS`.
        context: request context, key -> values (the ``when`` part).
        text: the assertion as written (comment removed); source, line: where.
    """

    kind: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    context: dict[str, list[str]] = field(default_factory=dict, compare=False, hash=False)
    text: str = ""
    source: str = ""
    line: int = 0
    #: (word as written, 1-based column in ``source``) of each principal, account, action and resource
    columns: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def column_of(self, message: str) -> int | None:
        """The column of the first word of the assertion that ``message`` quotes, or None."""
        for word, col in self.columns:
            if f"'{word}'" in message or f"{word}:" in message.split(" ", 1)[0] or message.startswith(word + " "):
                return col
        return None

    @property
    def where(self) -> str:
        """``source:line``."""
        return f"{self.source}:{self.line}"


def _token_name(name: str) -> str:
    if name == "COMMA":
        return '","'
    if name == "EQUAL":
        return '"="'
    if name in ("WORD", "STRING"):
        return name.lower()
    return name.lstrip("_").lower()


def parse_assertion_line(text: str, source: str = "<assertion>", line: int = 1, column_offset: int = 0) -> Assertion | None:
    """Parse one line: an assertion, or None for a blank or comment-only line.

    Args:
        text: the line (no newline).
        source, line: where it was read, for the result and errors.
        column_offset: added to columns in errors (the column of the line's
            first character in ``source``, minus one: an assertion written
            inside a quoted string of a configuration file).

    Raises:
        AssertionSyntaxError: with the position and the tokens expected there.
    """
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    def fail(message: str, col: int, expected: tuple[str, ...] = ()) -> AssertionSyntaxError:
        return AssertionSyntaxError(message, source, line, col + column_offset, text, expected, col)

    end = len(_without_comment(text).rstrip()) + 1
    try:
        tree = lark_parser("assert.lark").parse(text)
    except (UnexpectedEOF, UnexpectedToken) as e:
        tok = getattr(e, "token", None)
        expected = tuple(sorted({_token_name(x) for x in e.expected if not x.startswith("__")}))
        want = " or ".join(expected) if expected else "nothing more"
        if tok is None or tok.type == "$END":
            form = _form_of(text)
            raise fail(f"the assertion ends too early: expected {want} ({form})", end, expected) from None
        col = tok.column
        shown = str(tok) if len(str(tok)) <= 40 else str(tok)[:39] + "…"
        raise fail(f'unexpected "{shown}": expected {want}', col, expected) from None
    except UnexpectedCharacters as e:
        col = e.column
        raise fail(f"unexpected character {text[e.pos_in_stream]!r}", col) from None
    except UnexpectedInput as e:  # pragma: no cover - the subclasses above cover lark's errors
        raise fail(str(e), getattr(e, "column", 1) or 1) from None
    if not tree.children:
        return None
    node = tree.children[0]
    principals: list[str] = []
    accounts: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    context: dict[str, list[str]] = {}
    columns = tuple((str(t), t.column + column_offset) for t in node.scan_values(lambda v: getattr(v, "type", "") == "WORD"))
    for child in node.children:
        if child.data == "principal":
            principals.append(str(child.children[0]))
        elif child.data == "principals":
            principals.extend(str(p.children[0]) for p in child.children)
        elif child.data == "accounts":
            accounts = tuple(str(t) for t in child.children)
            for t in child.children:
                if not (str(t).isascii() and str(t).isdigit() and len(str(t)) == 12):
                    raise fail(f'"{t}" is not an AWS account ID (12 digits)', t.column)
        elif child.data == "actions":
            actions = tuple(str(t) for t in child.children)
        elif child.data == "resources":
            first = child.children[0]
            resources = ALL_KEYS if getattr(first, "data", None) == "all_keys" else tuple(str(t) for t in child.children)
        elif child.data == "condition":
            key = str(child.children[0])
            vals = [str(v.children[0]) for v in child.children[1:]]
            context.setdefault(key, []).extend(v[1:-1] if v[:1] in "\"'" else v for v in vals)
    return Assertion(str(node.data).replace("_", "-"), actions, resources, tuple(principals), accounts, context, _without_comment(text).strip(), source, line,
                     columns)


def _without_comment(text: str) -> str:
    """The line without its ``#`` comment (a ``#`` inside quotes stays)."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return text[:i]
    return text


def _form_of(text: str) -> str:
    words = text.split("#", 1)[0].split()
    if not words:
        return _ANY_FORM
    if words[0] == "no":
        return _FORMS["no-principal"]
    if words[0] == "only":
        return _FORMS["only"]
    if "must" in words:
        return _FORMS["must"]
    if "cannot" in words:
        return _FORMS["cannot"]
    return _ANY_FORM


def parse_assertions(text: str, source: str = "<assertions>") -> list[Assertion]:
    """Every assertion of a file, one per line.

    Raises:
        AssertionSyntaxError: for the first line that does not parse
            (position in the file, expected tokens).
    """
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        a = parse_assertion_line(line, source, n)
        if a is not None:
            out.append(a)
    return out
