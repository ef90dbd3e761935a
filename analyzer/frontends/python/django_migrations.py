"""What a Django migration's operations do to the database, as far as its own file says.

Two readings the rules need:
- `SeparateDatabaseAndState(database_operations, state_operations)` and `RunSQL(sql, reverse_sql,
  state_operations)`: the state operations only change Django's picture of the models and run no
  SQL; the database operations (and RunSQL's own SQL) do run. A call written inside
  `state_operations` (a list given directly, or a name bound once to one) is state-only, at any depth.
- A `RunPython(forwards)` step that comes after `AddField(model_name=…, name=…)` in the same
  operations writes into a column that the migration has just created: filling it overwrites
  nothing. An `AddField` that is state-only creates no column and does not count. The app's
  earlier migrations add two more readings (`django_history`): a column a recent earlier migration
  added holds only NULL or its default when a `RunPython` here fills or empties it, and a
  `DeleteModel` of a model created `managed=False` runs no SQL.
- `RunSQL` after `AddField` in the same operations: its SQL is judged knowing the column was just
  added (`equivalent_sql`), so an `UPDATE` that fills it overwrites nothing.
"""

from __future__ import annotations

from functools import cached_property

import libcst as cst

from blastguard.frontends.python.django_history import STATE_OPERATIONS_AT, AppHistory, operation_of


class DjangoMigration:
    """The Django operations of one file, read once per document, and of the app's earlier ones."""

    def __init__(self, model, folder, history: AppHistory, app_label: str | None = None) -> None:
        self._model = model
        self._folder = folder
        self._history = history
        self._app_label = app_label
        self._state_only = self._state_only_calls(model.calls)
        self._added = self._added_before_run_python(model.calls)

    def state_only(self, call) -> bool:
        """`call` is written inside a `state_operations` list: Django runs no SQL for it."""
        return id(call.node) in self._state_only

    def added_columns(self, function: str) -> set[tuple[str, str]]:
        """(model, field), both lower case, of every column that held nothing but NULL or a default
        when the function `function` runs: added by an `AddField` that precedes a `RunPython` whose
        forward code it is, in the same operations (written in the same class body, or at module level),
        or, for the forward or reverse code of any `RunPython` here, by a recent earlier migration of the
        app (`AppHistory.recently_added`)."""
        added = self._added.get(function, set())
        if function in self._run_python_functions:
            added = added | self._history.recently_added()
        return added

    def equivalent_sql(self, call) -> str | None:
        """The SQL an `AddField` amounts to, for the SQL that `RunSQL` runs after it in the same
        operations: a column added to the model's table as Django names it by default
        (`<app label>_<model>`). None for any other call, a state-only one, or a file outside an app's
        `migrations` folder. A model with its own `db_table` is not matched: its SQL is judged alone."""
        if call.method != "AddField" or self._app_label is None or self.state_only(call):
            return None
        column = self._column(call)
        if column is None:
            return None
        model, field = column
        return f'ALTER TABLE "{self._app_label}_{model}" ADD COLUMN "{field}" INT'

    def deletes_unmanaged(self, call) -> bool:
        """`call` is a `DeleteModel` of a model that an earlier `CreateModel` (or `AlterModelOptions`)
        of this migration or of an earlier one of the app made `managed=False`, as a database or a state
        operation (either sets the options Django reads): Django runs no SQL."""
        deleted = operation_of(call.node)
        if deleted is None or deleted.kind != "DeleteModel":
            return False
        start = call.span()[0]
        here = [
            operation
            for c in self._model.calls
            if (operation := operation_of(c.node)) is not None
            and operation.model == deleted.model
            and operation.kind in ("CreateModel", "AlterModelOptions")
            and c.span()[0] < start  # locating a call costs most: last
        ]
        if here:
            return not here[-1].managed
        return bool(self._history.unmanaged(deleted.model))

    # --- state operations ------------------------------------------------------------------------

    def _state_only_calls(self, calls) -> set[int]:
        found: set[int] = set()
        for call in calls:
            if call.method not in STATE_OPERATIONS_AT:
                continue
            operations = call.argument(STATE_OPERATIONS_AT[call.method], "state_operations")
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

    @cached_property
    def _run_python_functions(self) -> set[str]:
        """The functions a `RunPython` here runs, forwards (`code`) or in reverse (`reverse_code`)."""
        names = set()
        for call in self._model.calls:
            if call.method == "RunPython":
                for node in (call.argument(0, "code"), call.argument(1, "reverse_code")):
                    if isinstance(node, cst.Name):
                        names.add(node.value)
        return names

    def _column(self, call) -> tuple[str, str] | None:
        model = self._text(call.argument(0, "model_name"), call)
        field = self._text(call.argument(1, "name"), call)
        return (model.lower(), field.lower()) if model and field else None

    def _text(self, node, call) -> str | None:
        value = self._folder.string(node, call.scope, call.chunk) if node is not None else None
        return value.text if value is not None and value.literal else None
