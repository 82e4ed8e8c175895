"""Condition operators, compiled once and evaluated against a request context.

Sources (IAM User Guide): *IAM JSON policy elements: Condition operators*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html),
*Conditions with multiple context keys or values*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html),
*Single-valued vs. multivalued context keys* and its set operators.

Semantics implemented here:

* several clauses (operators, and keys under one operator) are ANDed; several
  policy values for one key are ORed; for a negated operator
  (``StringNotEquals``, ``NotIpAddress``...) they are NORed: the request value
  must match none of them;
* a key absent from the request: positive operators are false, negated
  operators are true, ``...IfExists`` is true, ``Null: true`` is true;
* ``ForAnyValue``: true if at least one request value satisfies the operator
  (false when the key is absent or empty); ``ForAllValues``: true if every
  request value does (true when the key is absent or empty);
* without a set operator, a key that carries several values is satisfied when
  any value satisfies a positive operator and when every value satisfies a
  negated one;
* ``String*Like`` uses ``*`` and ``?`` wildcards; ``*IgnoreCase`` folds case;
  ``Numeric*`` compares numbers; ``Date*`` compares ISO 8601 times or epoch
  seconds; ``Bool`` compares ``true``/``false`` (any case); ``BinaryEquals``
  compares base64-decoded bytes; ``IpAddress`` tests IPv4/IPv6 addresses
  against CIDR blocks; ``Arn*`` match ARNs field by field (``ArnEquals`` and
  ``ArnLike`` are the same test); ``Null`` tests absence.

A value that cannot be parsed for its operator (a date that is not a date, a
CIDR that is not one) never matches. Evaluation returns True, False or None:
None means the result depends on a key the request did not supply, so that
the caller can say what would change the answer (or, with strict absence,
apply AWS's rule for a missing key).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable

from policylint.evaluate.arn import arn_like
from policylint.evaluate.variables import Template, Unresolved, compile_template, has_variables
from policylint.model.policy import ConditionClause
from policylint.parse.operators import ConditionOperator, OperatorError, parse_operator
from policylint.wildcard import compile_glob, escape

__all__ = ["CompiledClause", "compile_clause", "describe_clause", "format_date", "parse_binary", "parse_date", "parse_network",
           "parse_number", "result_when_absent"]

Context = dict  # lower-case key -> tuple[str, ...]


# ---------------------------------------------------------------------------
# Value parsing, per family.


@lru_cache(maxsize=8192)
def _number(text: str) -> float | None:
    """A finite number, or None (``nan``, ``inf`` and overflowing values are
    not numbers a request or a policy carries)."""
    try:
        n = float(text)
    except ValueError:
        return None
    return n if math.isfinite(n) else None


@lru_cache(maxsize=8192)
def _date(text: str) -> float | None:
    """Epoch seconds of an ISO 8601 date/time or of an epoch number."""
    t = text.strip()
    try:
        n = float(t)
        return n if math.isfinite(n) else None
    except ValueError:
        pass
    try:
        d = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


@lru_cache(maxsize=8192)
def parse_number(text: str) -> float | None:
    """A condition value as the Numeric operators read it: a finite number, or None."""
    return _number(text)


def parse_date(text: str) -> float | None:
    """A condition value as the Date operators read it (ISO 8601 or epoch seconds): epoch seconds, or None."""
    return _date(text)


def format_date(t: float) -> str:
    """Epoch seconds as an ``aws:CurrentTime`` value (ISO 8601, UTC, whole seconds: ``2030-01-01T00:00:00Z``).

    Raises:
        ValueError: ``t`` is outside years 1 to 9999 (which ISO 8601 dates can hold).
    """
    try:
        return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{t} seconds is outside the dates ISO 8601 can write") from None


def parse_network(text: str):
    """A condition value as the IpAddress operators read it: an ``ipaddress`` network, or None."""
    return _network(text)


def parse_binary(text: str) -> bytes | None:
    """A condition value as BinaryEquals reads it (base64): the bytes, or None."""
    return _binary(text)


def _network(text: str):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        net = _network(text)  # a request value given as a one-address CIDR
        return net.network_address if net is not None and net.num_addresses == 1 else None


def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


_NUMERIC = {
    "NumericEquals": lambda a, b: a == b,
    "NumericNotEquals": lambda a, b: a == b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}
_DATE = {k.replace("Numeric", "Date"): v for k, v in _NUMERIC.items()}


def _comparison(parse: Callable[[str], float | None], cmp: Callable[[float, float], bool],
                policy_value: str) -> Callable[[str], bool]:
    """A numeric or date test: both sides parsed; a side that does not parse never matches."""
    want = parse(policy_value)
    if want is None:
        return lambda v: False

    def compare(v: str) -> bool:
        got = parse(v)
        return got is not None and cmp(got, want)

    return compare


def _matcher(op: ConditionOperator, policy_value: str) -> Callable[[str], bool]:
    """A test of one request value against one (resolved) policy value, before negation."""
    base = op.base
    if base in ("StringEquals", "StringNotEquals"):
        return lambda v: v == policy_value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        low = policy_value.casefold()
        return lambda v: v.casefold() == low
    if base in ("StringLike", "StringNotLike"):
        g = compile_glob(policy_value)
        return g.match
    if base in _NUMERIC:
        return _comparison(_number, _NUMERIC[base], policy_value)
    if base in _DATE:
        return _comparison(_date, _DATE[base], policy_value)
    if base == "Bool":
        low = policy_value.strip().lower()
        if low not in ("true", "false"):
            return lambda v: False
        return lambda v: v.strip().lower() == low
    if base == "BinaryEquals":
        want_b = _binary(policy_value)
        return lambda v: want_b is not None and _binary(v) == want_b
    if base in ("IpAddress", "NotIpAddress"):
        net = _network(policy_value)
        if net is None:
            return lambda v: False

        def ip(v: str) -> bool:
            addr = _address(v)
            return addr is not None and addr.version == net.version and addr in net

        return ip
    if base in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return lambda v: arn_like(policy_value, v)
    raise ValueError(f"no matcher for {base}")  # pragma: no cover - Null is handled by the caller


def _wildcard_family(op: ConditionOperator) -> bool:
    return op.base in ("StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")


class CompiledClause:
    """One operator/key/values clause, ready to evaluate.

    Attributes:
        clause: the model clause.
        operator: the parsed operator, or None when the operator is unknown
            (such a clause never holds: IAM would have rejected the policy).
        key: the context key, lower case.
    """

    __slots__ = ("clause", "operator", "key", "_fixed", "_templates", "_exact", "_negated", "_qualifier",
                 "_null", "_absent", "test")

    def __init__(self, clause: ConditionClause, operator: ConditionOperator | None, key: str,
                 fixed: list | None, templates: list | None) -> None:
        self.clause = clause
        self.operator = operator
        self.key = key
        self._fixed = fixed
        self._templates = templates
        self._negated = operator.negated if operator else False
        self._qualifier = operator.set_qualifier if operator else None
        self._null = operator is not None and operator.base == "Null"
        self._absent = _absent(operator, clause.values) if operator else False
        # StringEquals / StringNotEquals without variables: set membership.
        exact = operator is not None and fixed is not None and operator.base in ("StringEquals", "StringNotEquals")
        self._exact = frozenset(clause.values) if exact else None
        #: For clauses without policy variables: the test of a non-empty
        #: tuple of request values, or None.
        self.test = self._make_test() if operator is not None and fixed is not None else None

    def _make_test(self) -> Callable[[tuple[str, ...]], bool]:
        if self._null:
            present = "false" in {v.strip().lower() for v in self.clause.values}
            return lambda values: present
        return _values_test(self._fixed or [], self._exact, self._negated, self._qualifier)

    def __repr__(self) -> str:
        return f"CompiledClause({self.clause.operator!r}, {self.clause.key!r}, {list(self.clause.values)!r})"

    def evaluate(self, ctx: Context, strict: bool) -> bool | None:
        """True/False, or None when the result depends on a key the request did
        not supply (only when ``strict`` is False; strict evaluation applies
        AWS's rules for absent keys)."""
        if self.operator is None:
            return False
        values = ctx.get(self.key)
        if not values:
            if not strict and values is None:
                return None
            return self._absent
        if self.test is not None:
            return self.test(values)
        try:
            matchers = self._resolve(ctx)
        except Unresolved as u:
            if not strict and u.key.lower() not in ctx:
                return None
            return False
        return _values_test(matchers, None, self._negated, self._qualifier)(values)

    def _resolve(self, ctx: Context) -> list:
        op = self.operator
        esc = escape if _wildcard_family(op) else None  # type: ignore[arg-type]
        return [_matcher(op, t.resolve(ctx, esc) if isinstance(t, Template) else t) for t in self._templates]  # type: ignore[arg-type, union-attr]

    def missing_keys(self, ctx: Context) -> list[str]:
        """The keys this clause reads that the request does not supply (the
        clause's own key and keys of policy variables in its values)."""
        out = [] if self.key in ctx else [self.clause.key]
        for t in self._templates or ():
            if isinstance(t, Template):
                out.extend(k for k in t.keys if k not in ctx)
        return out


def _values_test(matchers: list, exact: frozenset | None, negated: bool, qualifier: str | None) -> Callable[[tuple[str, ...]], bool]:
    """The test of a non-empty tuple of request values against a clause's
    matchers (or, for String(Not)Equals, its ``exact`` set of values).

    A request value matches when it matches any policy value; a negated
    operator is the negation of that. Several request values without a set
    qualifier: a positive operator must hold for any value, a negated one for
    every value (IAM User Guide, *Condition operators*, and *Multivalued
    context keys*); ``ForAllValues``: every value; ``ForAnyValue``: any value.
    """
    if exact is not None:
        if negated:
            def one(v: str) -> bool:
                return v not in exact
        else:
            one = exact.__contains__
    elif len(matchers) == 1:
        m = matchers[0]
        if negated:
            def one(v: str) -> bool:
                return not m(v)
        else:
            one = m
    else:
        def hit(v: str) -> bool:
            return any(m(v) for m in matchers)
        if negated:
            def one(v: str) -> bool:
                return not hit(v)
        else:
            one = hit
    if qualifier == "ForAllValues" or (qualifier is None and negated):
        return lambda values: all(map(one, values))
    return lambda values: any(map(one, values))


def result_when_absent(op: ConditionOperator, policy_values) -> bool:
    """AWS's result of a clause whose key is absent from the request context
    (the ``IfExists`` forms and ``Null`` hold then; everything else fails).
    Source: IAM User Guide, *IAM JSON policy elements: Condition operators*."""
    return _absent(op, policy_values)


def _absent(op: ConditionOperator, policy_values) -> bool:
    """AWS's result for a key absent from the request context."""
    if op.base == "Null":
        return any(v.strip().lower() == "true" for v in policy_values)
    if op.if_exists:
        return True
    if op.set_qualifier == "ForAllValues":
        return True
    if op.set_qualifier == "ForAnyValue":
        return False
    return op.negated


def compile_clause(clause: ConditionClause, variables: bool) -> CompiledClause:
    """Prepare a clause: parse its operator and its values once.

    Args:
        clause: from the model.
        variables: True under policy Version 2012-10-17, where ``${...}`` in
            values are policy variables; literal text otherwise.
    """
    try:
        op: ConditionOperator | None = parse_operator(clause.operator)
    except OperatorError:
        op = None
    key = clause.key.lower()
    if op is None or op.base == "Null":
        return CompiledClause(clause, op, key, [], None)
    templated = variables and any(has_variables(v) for v in clause.values)
    if not templated:
        return CompiledClause(clause, op, key, [_matcher(op, v) for v in clause.values], None)
    templates = [compile_template(v) if has_variables(v) else v for v in clause.values]
    return CompiledClause(clause, op, key, None, templates)


def describe_clause(clause: ConditionClause, negate: bool = False) -> str:
    """Readable form: ``aws:SourceIp is in 10.0.0.0/8``, ``kms:ViaService equals x or y``.

    With ``negate``, the form of the opposite condition, as a value of the
    key would have to make it (``StringNotEquals`` negated reads "equals";
    a set qualifier turns into the other one).
    """
    try:
        op = parse_operator(clause.operator)
    except OperatorError:
        text = f"{clause.operator} {clause.key} {list(clause.values)}"
        return f"not ({text})" if negate else text
    verbs = {
        "String": ("equals", "does not equal"),
        "Numeric": ("is", "is not"),
        "Date": ("is", "is not"),
        "Bool": ("is", "is not"),
        "Binary": ("equals", "does not equal"),
        "IpAddress": ("is in", "is not in"),
        "Arn": ("matches", "does not match"),
    }
    values = " or ".join(clause.values)
    if op.base == "Null":
        want = clause.values[0].strip().lower() if clause.values else "true"
        absent = (want == "true") != negate
        return f"{clause.key} is absent" if absent else f"{clause.key} is present"
    negated = op.negated != negate
    base = op.base
    if base.startswith("String") and "Like" in base:
        verb = "does not match" if negated else "matches"
    elif base.startswith("Numeric") or base.startswith("Date"):
        rel = base.removeprefix("Numeric").removeprefix("Date").removeprefix("Not")
        sym = {"Equals": "=", "LessThan": "<", "LessThanEquals": "<=", "GreaterThan": ">", "GreaterThanEquals": ">="}.get(rel, rel)
        if negated:
            verb = f"is not {sym}"
        else:
            verb = "equals" if sym == "=" else f"is {sym}"
    else:
        verb = verbs[op.family][1 if negated else 0]
    if "IgnoreCase" in base:
        verb += " (ignoring case)"
    text = f"{clause.key} {verb} {values}"
    qualifier = op.set_qualifier
    if negate and qualifier:
        qualifier = "ForAnyValue" if qualifier == "ForAllValues" else "ForAllValues"
    if qualifier == "ForAllValues":
        text = f"every value of {text}"
    elif qualifier == "ForAnyValue":
        text = f"some value of {text}"
    if op.if_exists and not negate:
        text += " (when present)"
    elif op.if_exists and negate and not op.negated:
        text = f"{clause.key} is present and " + text.removeprefix(f"{clause.key} ")
    return text
