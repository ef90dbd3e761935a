"""A drop that runs only when the code has just found its table empty: what it drops holds no row.

Two guards are read, each the test of an `if` (or one operand of its `and`) around the drop, in
the same function:

- a call whose name says the table is empty (`is_table_empty(conn, table)`, `table_is_empty(…)`,
  `is_empty(…)`), given the same table;
- `not rows`, where `rows` is bound once in the same function, before the test, to the rows a query
  of every row of the same table returns, with nothing but a LIMIT of one or more: `session.execute(
  select(1).select_from(t).limit(1)).all()`, `.first()`, `.fetchone()`, `.fetchall()`, `.one_or_none()`.
  A WHERE, a join or any other link is not read: such a query may find no row while the table has some.

The same table is the same literal name, or the same variable bound once in the function (a
parameter, one assignment). A guard is code the author wrote: where an agent runs the code it is
no reason at all (it could write one that lies), so the rules only trust it in a repository check.
"""

from __future__ import annotations

import libcst as cst

from blastguard.frontends.python.string_values import code_of

_EMPTY_WORDS = frozenset({"is", "table", "empty"})
_ROW_READS = frozenset({"all", "first", "fetchone", "fetchall", "one_or_none"})
_BOUNDARIES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class EmptinessGuards:
    """The emptiness checks that guard drops in one file."""

    def __init__(self, model, folder) -> None:
        self._model = model
        self._folder = folder
        self._parents: dict[int, dict[int, cst.CSTNode]] = {}  # id of a parsed chunk -> its nodes' parents

    def guard(self, call, table: cst.BaseExpression | None) -> str | None:
        """The condition, as written, of an `if` around `call` that has just found `table` empty; else None."""
        if table is None:
            return None
        parents = self._parents.get(id(call.chunk))
        if parents is None:  # one walk per parsed chunk, however many drops it holds
            parents = self._parents[id(call.chunk)] = _parents(call.chunk.module)
        for test in _tests_around(call, parents):
            for condition in _conjuncts(test):
                if self._finds_empty(condition, table, call, test):
                    return " ".join(code_of(condition).split())
        return None

    def _finds_empty(self, condition, table, call, test) -> bool:
        if isinstance(condition, cst.Call):
            words = set(code_of(condition.func).rsplit(".", 1)[-1].lower().split("_"))
            return {"is", "empty"} <= words <= _EMPTY_WORDS and any(
                self._same_table(arg.value, table, call) for arg in condition.args
            )
        if not (isinstance(condition, cst.UnaryOperation) and isinstance(condition.operator, cst.Not)):
            return False
        rows = condition.expression
        bound = self._model.binding(rows, call.scope) if isinstance(rows, cst.Name) else None
        if bound is None:
            return False
        value, scope, chunk = bound
        if scope is not call.scope or scope.kind != "function":
            return False  # read elsewhere (at import, in an enclosing function): maybe long before the drop
        if chunk.span(value)[0] >= chunk.span(test)[0]:
            return False  # bound after the test: it may hold another time's rows
        read = self._table_read(value, call)
        return read is not None and self._same_table(read, table, call)

    def _table_read(self, rows, call) -> cst.BaseExpression | None:
        """The table whose every row `rows` (`session.execute(query).all()`) reads, or None."""
        if not (_method(rows) in _ROW_READS and not rows.args and _method(rows.func.value) == "execute"):
            return None
        execute = rows.func.value
        query = execute.args[0].value if len(execute.args) == 1 else None
        if isinstance(query, cst.Name) and (bound := self._model.binding(query, call.scope)) is not None:
            query = bound[0]
        table = None
        while isinstance(query, cst.Call) and (link := _method(query)) in ("limit", "select_from"):
            argument = query.args[0].value if len(query.args) == 1 else None
            if link == "limit" and not (isinstance(argument, cst.Integer) and argument.evaluated_value >= 1):
                return None  # LIMIT 0 finds no row in any table
            if link == "select_from":
                if table is not None or argument is None:
                    return None
                table = argument
            query = cst.ensure_type(query.func, cst.Attribute).value
        if not (isinstance(query, cst.Call) and code_of(query.func).rsplit(".", 1)[-1] == "select"):
            return None
        if table is None and len(query.args) == 1:  # `select(t)`: every column of t
            table = query.args[0].value
        return table

    def _same_table(self, one, other, call) -> bool:
        if isinstance(one, cst.Name) and isinstance(other, cst.Name):
            return one.value == other.value and _bound_once(one.value, call.scope)
        first = self._folder.string(one, call.scope, call.chunk)
        second = self._folder.string(other, call.scope, call.chunk)
        return (
            first is not None
            and second is not None
            and first.literal
            and second.literal
            and first.text.lower() == second.text.lower()
        )


def _tests_around(call, parents: dict[int, cst.CSTNode]) -> list[cst.BaseExpression]:
    """The tests of the `if` statements whose body holds `call`, nearest first, within its function."""
    tests = []
    child: cst.CSTNode = call.node
    while (parent := parents.get(id(child))) is not None and not isinstance(parent, _BOUNDARIES):
        if isinstance(parent, cst.If) and child is parent.body:
            tests.append(parent.test)
        child = parent
    return tests


def _parents(root: cst.CSTNode) -> dict[int, cst.CSTNode]:
    """id of each node under `root` -> its parent (an explicit stack: no recursion)."""
    parents: dict[int, cst.CSTNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            parents[id(child)] = node
            stack.append(child)
    return parents


def _conjuncts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    """`a and (b and c)` -> a, b, c: each must hold for the body to run."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _conjuncts(test.left) + _conjuncts(test.right)
    return [test]


def _method(node) -> str | None:
    """`x.name(...)` -> "name"; None for anything else."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value
    return None


def _bound_once(name: str, scope) -> bool:
    """`name` has one binding (a parameter, one assignment) where it is read: the same value all along."""
    while scope is not None:
        if scope.kind != "class" and name in scope.bindings:
            return len(scope.bindings[name]) == 1
        scope = scope.parent
    return False
