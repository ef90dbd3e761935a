"""What a Django migration's operations do to the database, as far as its own file says.

Two readings the rules need:
- `SeparateDatabaseAndState(database_operations, state_operations)` and `RunSQL(sql, reverse_sql,
  state_operations)`: the state operations only change Django's picture of the models and run no
  SQL; the database operations (and RunSQL's own SQL) do run. A call written inside
  `state_operations` (a list given directly, or a name bound once to one) is state-only, at any depth.
- A `RunPython(forwards)` step that comes after `AddField(model_name=…, name=…)` in the same
  operations writes into a column that the migration has just created: filling it overwrites
  nothing. An `AddField` that is state-only creates no column and does not count.
"""

from __future__ import annotations

import libcst as cst

# Operations that take a list of state operations, and its position: `SeparateDatabaseAndState(
# database_operations=None, state_operations=None)`, `RunSQL(sql, reverse_sql=None, state_operations=None, …)`.
_STATE_OPERATIONS_AT = {"SeparateDatabaseAndState": 1, "RunSQL": 2}


class DjangoMigration:
    """The Django operations of one file, read once per document."""

    def __init__(self, model, folder) -> None:
        self._model = model
        self._folder = folder
        self._state_only = self._state_only_calls(model.calls)
        self._added = self._added_before_run_python(model.calls)

    def state_only(self, call) -> bool:
        """`call` is written inside a `state_operations` list: Django runs no SQL for it."""
        return id(call.node) in self._state_only

    def added_columns(self, function: str) -> set[tuple[str, str]]:
        """(model, field), both lower case, of every `AddField` that precedes a `RunPython` whose
        forward code is the function `function`, in the same operations (written in the same class
        body, or at module level)."""
        return self._added.get(function, set())

    # --- state operations ------------------------------------------------------------------------

    def _state_only_calls(self, calls) -> set[int]:
        found: set[int] = set()
        for call in calls:
            if call.method not in _STATE_OPERATIONS_AT:
                continue
            operations = call.argument(_STATE_OPERATIONS_AT[call.method], "state_operations")
            stack = list(self._elements(operations, call))
            while stack:  # every call written under the state operations, however nested
                node = stack.pop()
                if isinstance(node, cst.Call):
                    found.add(id(node))
                stack.extend(node.children)
        return found

    def _elements(self, operations, call) -> list[cst.CSTNode]:
        """A list or tuple of operations, given directly or through a name bound once to one."""
        if isinstance(operations, cst.Name):
            bound = self._bound(operations, call.scope)
            operations = bound if isinstance(bound, (cst.List, cst.Tuple)) else None
        if isinstance(operations, (cst.List, cst.Tuple)):
            return [element.value for element in operations.elements]
        return []

    def _bound(self, name: cst.Name, scope):
        """The one plain assignment of `name`, including one in the class body the call is in
        (`class Migration: state = [...]; operations = [SeparateDatabaseAndState(state_operations=state)]`)."""
        if scope.kind == "class":
            found = scope.bindings.get(name.value, [])
            if len(found) == 1:
                return found[0][0]
        bound = self._model.binding(name, scope)
        return bound[0] if bound is not None else None

    # --- AddField before RunPython --------------------------------------------------------------

    def _added_before_run_python(self, calls) -> dict[str, set[tuple[str, str]]]:
        added: dict[int, list[tuple[str, str]]] = {}  # scope id -> columns added so far, in order
        result: dict[str, set[tuple[str, str]]] = {}
        for call in calls:  # in source order
            if call.method == "AddField" and not self.state_only(call):
                column = self._column(call)
                if column is not None:
                    added.setdefault(id(call.scope), []).append(column)
            elif call.method == "RunPython":
                code = call.argument(0, "code")
                if isinstance(code, cst.Name):  # a function run by two steps counts what both follow
                    columns = set(added.get(id(call.scope), ()))
                    result[code.value] = result[code.value] & columns if code.value in result else columns
        return result

    def _column(self, call) -> tuple[str, str] | None:
        model = self._text(call.argument(0, "model_name"), call)
        field = self._text(call.argument(1, "name"), call)
        return (model.lower(), field.lower()) if model and field else None

    def _text(self, node, call) -> str | None:
        value = self._folder.string(node, call.scope, call.chunk) if node is not None else None
        return value.text if value is not None and value.literal else None
