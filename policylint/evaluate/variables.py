"""IAM policy variables: ``${aws:username}`` and friends in Resource and Condition values.

Source: IAM User Guide, *IAM policy elements: Variables and tags*
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):

* ``${key}`` takes the single value of the request context key ``key`` (key
  names are case-insensitive); a multivalued key cannot be a variable;
* ``${key, 'default'}`` uses ``default`` when the key is absent;
* ``${*}``, ``${?}`` and ``${$}`` are the literal characters ``*``, ``?``, ``$``;
* variables are replaced only when the policy's ``Version`` is
  ``2012-10-17``; otherwise ``${...}`` is literal text;
* a variable that cannot be resolved makes the statement invalid: it applies
  to no request (neither its Allow nor its Deny).

Templates are parsed once, with ``grammars/policy_variable.lark``, when a
policy is prepared; resolving one against a request is a few string joins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Template", "Unresolved", "compile_template", "has_policy_variable", "has_variables"]

_LITERALS = {"*": "*", "?": "?", "$": "$"}


class Unresolved(Exception):
    """A variable whose key is absent from the request context, with no default.

    Attributes:
        key: the context key (as written in the policy).
    """

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


#: ``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${saml:sub}``, with an
#: optional default (``${aws:username, 'anon'}``), and the literal forms
#: ``${*}``, ``${?}``, ``${$}``; a leading ``!`` is CloudFormation's Fn::Sub
#: escape for one. CloudFormation references (``${AWS::Region}``,
#: ``${Bucket.Arn}``, ``${Param}``) have no single ``prefix:`` and do not match.
_VARIABLE = re.compile(r"\$\{!?(?:(?P<literal>[*?$])|[A-Za-z0-9._/-]+:(?!:)[^},]*)(?:,[^}]*)?\}")


def has_policy_variable(text: str, literals: bool = True) -> bool:
    """True if ``text`` holds an IAM policy variable, not a CloudFormation
    reference; with ``literals=False``, ``${*}``/``${?}``/``${$}`` (which
    stand for their own character) do not count."""
    if "${" not in text:
        return False
    return any(literals or m.group("literal") is None for m in _VARIABLE.finditer(text))


def has_variables(text: str) -> bool:
    """True if ``text`` holds ``${`` (a variable to replace under 2012-10-17)."""
    return "${" in text


@dataclass(frozen=True, slots=True)
class Template:
    """A value with variables: a sequence of literal text and (key, default) parts.

    ``parts`` items are ``str`` (literal text, where ``*`` and ``?`` keep their
    wildcard meaning) or ``(key, default, literal, lower_key)`` tuples:
    ``literal`` is True for ``${*}``/``${?}``/``${$}``, whose value must match
    literally.
    """

    text: str
    parts: tuple
    #: context keys the template reads, lower case
    keys: tuple[str, ...] = ()

    def resolve(self, context, escape=None) -> str:
        """The text with each variable replaced.

        Args:
            context: mapping of lower-case key -> tuple of values.
            escape: applied to substituted values when the result is a
                wildcard pattern (so that a ``*`` in a user name is literal).

        Raises:
            Unresolved: a variable's key is absent (or multivalued) and has no default.
        """
        out = []
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
                continue
            key, default, literal, low = p
            if literal:
                out.append(escape(key) if escape else key)
                continue
            values = context.get(low)
            if values is not None and len(values) == 1:
                out.append(escape(values[0]) if escape else values[0])
            elif default is not None:
                out.append(escape(default) if escape else default)
            else:
                raise Unresolved(key)
        return "".join(out)


@lru_cache(maxsize=4096)
def compile_template(text: str) -> Template:
    """Parse ``text`` into a :class:`Template` (cached).

    Text that does not parse as a template (an unclosed ``${``) is kept as
    literal text.
    """
    from lark.exceptions import LarkError

    from policylint.parse import lark_parser

    try:
        tree = lark_parser("policy_variable.lark").parse(text)
    except LarkError:
        return Template(text, (text,))
    parts: list = []
    for child in tree.children:
        if child.data == "literal":
            parts.append(str(child.children[0]))
        else:
            key = str(child.children[0]).strip()
            default = None
            if len(child.children) > 1:
                default = str(child.children[1].children[0]).strip()[1:-1]
            if key in _LITERALS:
                parts.append((_LITERALS[key], None, True, None))
            else:
                parts.append((key, default, False, key.lower()))
    keys = tuple(p[3] for p in parts if isinstance(p, tuple) and not p[2])
    return Template(text, tuple(parts), keys)
