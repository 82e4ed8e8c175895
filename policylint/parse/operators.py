"""Condition operator names: parse ``ForAnyValue:StringLikeIfExists`` into its parts.

Grammar: ``grammars/condition_operator.lark``. Source: IAM User Guide, *IAM JSON
policy elements: Condition operators*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from policylint.parse import lark_parser

__all__ = ["ConditionOperator", "OperatorError", "parse_operator", "BASE_OPERATORS"]

#: Base operator -> family, the families the IAM condition-operator page defines.
BASE_OPERATORS: dict[str, str] = {
    **{o: "String" for o in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                             "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")},
    **{o: "Numeric" for o in ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                              "NumericGreaterThan", "NumericGreaterThanEquals")},
    **{o: "Date" for o in ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
                           "DateGreaterThan", "DateGreaterThanEquals")},
    "Bool": "Bool",
    "BinaryEquals": "Binary",
    "IpAddress": "IpAddress",
    "NotIpAddress": "IpAddress",
    **{o: "Arn" for o in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike")},
    "Null": "Null",
}

_NEGATED = frozenset(("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals",
                      "DateNotEquals", "NotIpAddress", "ArnNotEquals", "ArnNotLike"))


@dataclass(frozen=True, slots=True)
class ConditionOperator:
    """A parsed condition operator.

    Attributes:
        text: as written.
        set_qualifier: ``"ForAllValues"``, ``"ForAnyValue"`` or None.
        base: the base operator (``"StringLike"``).
        if_exists: True for the ``...IfExists`` form.
        family: ``String``, ``Numeric``, ``Date``, ``Bool``, ``Binary``,
            ``IpAddress``, ``Arn`` or ``Null``.
        negated: True for the ``Not`` forms (``StringNotEquals``, ``NotIpAddress``...).
    """

    text: str
    set_qualifier: str | None
    base: str
    if_exists: bool

    @property
    def family(self) -> str:
        return BASE_OPERATORS[self.base]

    @property
    def negated(self) -> bool:
        return self.base in _NEGATED


class OperatorError(ValueError):
    """An operator name that is not in the grammar.

    Attributes:
        column: 1-based column inside the operator name where parsing failed.
        suggestion: a close valid spelling, or None.
    """

    def __init__(self, message: str, column: int, suggestion: str | None) -> None:
        super().__init__(message)
        self.column = column
        self.suggestion = suggestion


def _suggest(text: str) -> str | None:
    import difflib

    qual, sep, rest = text.rpartition(":")
    cands = list(BASE_OPERATORS) + [b + "IfExists" for b in BASE_OPERATORS if b != "Null"]
    hit = difflib.get_close_matches(rest, cands, n=1, cutoff=0.7)
    if not hit:
        low = {c.lower(): c for c in cands}
        hit = [low[rest.lower()]] if rest.lower() in low else []
    if not hit:
        return None
    if sep:
        q = difflib.get_close_matches(qual, ["ForAllValues", "ForAnyValue"], n=1, cutoff=0.6)
        return f"{q[0] if q else qual}:{hit[0]}"
    return hit[0]


@lru_cache(maxsize=4096)
def parse_operator(text: str) -> ConditionOperator:
    """Parse a condition operator name.

    Well-formed names (the common case) are split directly against the
    grammar's vocabulary, :data:`BASE_OPERATORS`; anything else goes through
    the lark grammar, whose parse error gives the column where the name goes
    wrong. Both accept exactly the same language; a test checks that they
    agree on every combination.

    Raises:
        OperatorError: for a name outside the grammar, or ``NullIfExists``
            (the IfExists form is not defined for Null), with the column and
            a did-you-mean suggestion.
    """
    qual, sep, rest = text.rpartition(":")
    if (not sep or qual in _QUALIFIERS) and ":" not in qual:
        base, if_exists = (rest[:-8], True) if rest.endswith("IfExists") else (rest, False)
        if base in BASE_OPERATORS and not (base == "Null" and if_exists):
            return ConditionOperator(text, qual or None, base, if_exists)
    return _parse_with_grammar(text)


_QUALIFIERS = ("ForAllValues", "ForAnyValue")


def _parse_with_grammar(text: str) -> ConditionOperator:
    from lark.exceptions import UnexpectedInput

    try:
        tree = lark_parser("condition_operator.lark").parse(text)
    except UnexpectedInput as e:
        sugg = _suggest(text)
        shown = text if len(text) <= 100 else text[:99] + "\u2026"
        msg = f'unknown condition operator "{shown}"'
        if sugg:
            msg += f' (did you mean "{sugg}"? operator names are case-sensitive)'
        raise OperatorError(msg, getattr(e, "column", 1) or 1, sugg) from None
    qual = base = None
    if_exists = False
    for child in tree.children:
        name = child.data
        tok = str(child.children[0])
        if name == "set_qualifier":
            qual = tok
        elif name == "base":
            base = tok
        elif name == "if_exists":
            if_exists = True
    assert base is not None
    if base == "Null" and if_exists:
        raise OperatorError('"NullIfExists" is not an operator: Null already tests whether the key exists', 5, "Null")
    return ConditionOperator(text, qual, base, if_exists)
