"""Shared by the ORM rules: a query filter that tests nothing but NULLs, in an ORM's own words.

SQL104 judges `WHERE last_login IS NULL` in SQL; here the same condition is read where an ORM writes
it: Django's `last_login__isnull=True` and `last_login=None` (also in `exclude` and `Q(...)`),
SQLAlchemy's `User.last_login.is_(None)`, `.is_not(None)`, `== None`, `!= None` (also inside
`and_`/`or_`/`not_`), peewee's `User.last_login.is_null()` and `>> None`. Anything else, a name
whose value is not followed or `**filters` included, counts as a real condition.
"""

from __future__ import annotations

import libcst as cst

from blastguard.frontends.python.string_values import code_of
from blastguard.rules.python._orm import FILTERS, KEEPS_ROWS

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from blastguard.rules.python._orm import Link

_IS_NULL = ("is_",)
_IS_NOT_NULL = ("isnot", "is_not")
_CONNECTIVES = ("and_", "or_", "not_")


def null_only_filters(links: list[Link], document) -> tuple[list[Link], list[str]] | None:
    """The filter links of a query (`links` between where its rows come from and its verb) and the
    columns they test, when every condition given tests only NULLs; None when a link filters by
    anything else, or nothing filters at all (an unfiltered query is another rule's)."""
    filters, tested = [], []
    for link in links:
        if link.name in FILTERS and link.has_arguments:
            assert link.call is not None  # has_arguments says so
            negated = link.name == "exclude"  # `exclude(a, b)` is NOT (a AND b)
            phrases: list[str] = []
            for arg in link.call.args:
                columns = _null_test(arg, document, negated)
                if columns is None:
                    return None
                phrases += columns
            tested += _joined(phrases, False, negated)
            filters.append(link)
        elif link.name not in FILTERS and link.name not in KEEPS_ROWS:
            return None
    return (filters, tested) if filters else None


def _null_test(arg: cst.Arg, document, negated: bool) -> list[str] | None:
    """How an argument of a filter reads ("`last_login` is NULL"), one phrase per column; None when it is
    not a NULL test."""
    if arg.star:
        return None  # `**filters`: unknown conditions
    if arg.keyword is not None:
        return _keyword_test(arg.keyword.value, arg.value, negated)
    return _expression_test(arg.value, document, negated)


def _keyword_test(key: str, value: cst.BaseExpression, negated: bool) -> list[str] | None:
    """Django's `x__isnull=True` / `x=None`, SQLAlchemy's `filter_by(x=None)`."""
    if key.endswith("__isnull") and isinstance(value, cst.Name) and value.value in ("True", "False"):
        return [_phrase(key.removesuffix("__isnull"), (value.value == "True") != negated)]
    if _is_none(value) and not key.endswith(("__exact", "__iexact")) and "__" not in key:
        return [_phrase(key, not negated)]
    return None


def _expression_test(node: cst.BaseExpression, document, negated: bool) -> list[str] | None:
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        target = node.comparisons[0]
        if _is_none(target.comparator) and isinstance(target.operator, (cst.Equal, cst.NotEqual)):
            return [_phrase(code_of(node.left), isinstance(target.operator, cst.Equal) != negated)]
        return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.BitInvert, cst.Not)):
        return _expression_test(node.expression, document, not negated)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.RightShift) and _is_none(node.right):  # peewee: `X.y >> None`
            return [_phrase(code_of(node.left), not negated)]
        if isinstance(node.operator, (cst.BitAnd, cst.BitOr)):  # peewee expressions, Django `Q() | Q()`
            left = _expression_test(node.left, document, negated)
            right = _expression_test(node.right, document, negated)
            if left is None or right is None:
                return None
            return _joined(left + right, isinstance(node.operator, cst.BitOr), negated)
        return None
    if not isinstance(node, cst.Call):
        return None
    function = node.func
    method = function.attr.value if isinstance(function, cst.Attribute) else ""
    if isinstance(function, cst.Attribute) and method in _IS_NULL + _IS_NOT_NULL:
        if len(node.args) == 1 and _is_null_value(node.args[0].value, document):
            return [_phrase(code_of(function.value), (method in _IS_NULL) != negated)]
        return None
    if isinstance(function, cst.Attribute) and method == "is_null":  # peewee: `is_null()`, `is_null(False)`
        given = node.args[0].value if len(node.args) == 1 else None
        if given is None or (isinstance(given, cst.Name) and given.value in ("True", "False")):
            null = given is None or given.value == "True"
            return [_phrase(code_of(function.value), null != negated)]
        return None
    name = document.model.qualified_name(function) or ""
    last = name.rsplit(".", 1)[-1]
    if last in _CONNECTIVES and node.args:  # sqlalchemy's and_/or_/not_
        inner = negated != (last == "not_")
        found: list[str] = []
        for arg in node.args:
            columns = _expression_test(arg.value, document, inner)
            if columns is None or arg.keyword is not None:
                return None
            found += columns
        return _joined(found, last == "or_", inner)
    if last == "Q" and node.args:  # Django's Q(x__isnull=True)
        found = []
        for arg in node.args:
            columns = _keyword_test(arg.keyword.value, arg.value, negated) if arg.keyword is not None else None
            if columns is None:
                return None
            found += columns
        return found
    return None


def _joined(phrases: list[str], disjunction: bool, negated: bool) -> list[str]:
    """Conditions joined by OR as one phrase (negated, an AND becomes an OR); ANDed ones stay a list."""
    if disjunction == negated or len(phrases) < 2:
        return phrases
    return ["(" + " or ".join(phrases) + ")"]


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_null_value(node: cst.BaseExpression, document) -> bool:
    """`None`, or SQLAlchemy's `null()`."""
    if _is_none(node):
        return True
    return isinstance(node, cst.Call) and (document.model.qualified_name(node.func) or "").endswith("null")


def _phrase(column: str, null: bool) -> str:
    return f"`{column}` is NULL" if null else f"`{column}` is set"
