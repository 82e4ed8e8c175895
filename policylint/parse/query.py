"""The ``can`` question: ``PRINCIPAL do ACTION on RESOURCE when KEY = VALUE and ...``.

Grammar: ``grammars/query.lark``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.parse import lark_parser

__all__ = ["Query", "QueryError", "parse_query"]


class QueryError(ValueError):
    """A question that does not parse.

    Attributes:
        column: 1-based column where it goes wrong.
        text: the question.
    """

    def __init__(self, message: str, text: str, column: int) -> None:
        super().__init__(message)
        self.text = text
        self.column = column

    def pointed(self) -> str:
        """The message, the question, and a caret under the column."""
        return f"{self}\n  {self.text}\n  {' ' * (self.column - 1)}^"


@dataclass
class Query:
    """A parsed question: ``kind`` (``can``, ``who-can``, ``what-can``),
    principal (empty for who-can), action (empty for what-can), resource
    (``*`` when not given) and context (key -> values, keys as written)."""

    principal: str
    action: str
    resource: str = "*"
    context: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "can"


def parse_query(text: str) -> Query:
    """Parse a ``can`` question.

    Raises:
        QueryError: with the column where the text stops making sense.
    """
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    first = text.split(None, 1)[0] if text.split() else ""
    form = {"who": "who can ACTION on RESOURCE [when KEY = VALUE]", "what": "what can PRINCIPAL do"}.get(
        first, "PRINCIPAL do ACTION [on RESOURCE] [when KEY = VALUE]")
    try:
        tree = lark_parser("query.lark").parse(text)
    except UnexpectedEOF:
        raise QueryError(f"the question ends too early: expected {form}", text, len(text) + 1) from None
    except UnexpectedToken as e:
        if e.token.type == "$END":
            raise QueryError(f"the question ends too early: expected {form}", text, len(text) + 1) from None
        expected = sorted(x.strip('"').lstrip("_").lower() for x in e.expected if not x.startswith("__"))
        want = ", ".join(expected) if expected else "something else"
        # Columns count in the whole question (lark's restart at each newline).
        col = e.token.start_pos + 1
        raise QueryError(f'unexpected "{e.token}" at column {col}: expected {want}', text, col) from None
    except UnexpectedCharacters as e:
        col = e.pos_in_stream + 1
        raise QueryError(f"unexpected character {text[e.pos_in_stream]!r} at column {col}", text, col) from None
    except UnexpectedInput as e:  # pragma: no cover - the subclasses above cover lark's errors
        raise QueryError(str(e), text, getattr(e, "column", 1)) from None
    q = Query(principal="", action="")
    (question,) = tree.children
    q.kind = {"can_q": "can", "who_q": "who-can", "what_q": "what-can"}[question.data]
    for node in question.children:
        if node.data == "principal":
            q.principal = str(node.children[0])
        elif node.data == "action":
            q.action = str(node.children[0])
        elif node.data == "resource":
            q.resource = str(node.children[0])
        elif node.data == "condition":
            key = str(node.children[0])
            values = []
            for v in node.children[1:]:
                tok = str(v.children[0])
                values.append(tok[1:-1] if tok[:1] in "\"'" else tok)
            q.context.setdefault(key, []).extend(values)
    return q
