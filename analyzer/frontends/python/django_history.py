"""What the earlier migrations of a Django app did, read from the app's migrations folder.

A migration's own file cannot tell that `Revision.objects.all().update(content_type=…)` fills a
column the migration before it added empty, or that the model a `DeleteModel` removes was created
with `managed=False`. The earlier migrations can, and they sit next to it: files named like
`0071_populate_revision_content_type.py` in the same folder, numbered in the order
`makemigrations` wrote them. They are read through the file reader of the check (never imported),
only when the checked file is itself such a migration, and only as far back as needed:

- columns added recently: the `_RECENT` migrations numbered just before this one. A backfill in
  the same release as the `AddField` overwrites only the NULL or default it put in every row; a
  column added longer ago may have been filled by the application since.
- whether a model is unmanaged: every earlier migration, at most `_FARTHEST` of them, since the
  `CreateModel` may be anywhere before.

An `AddField` inside the `state_operations` of `SeparateDatabaseAndState` or `RunSQL` creates no
column and does not count; a `CreateModel` there still sets the model's options, which Django
reads when it later decides whether a `DeleteModel` runs SQL.
"""

from __future__ import annotations

import os
import re

import libcst as cst

from blastguard.sources import SkipFile

_MIGRATION_FILE = re.compile(r"\d{4}_\w+\.py")
_RECENT = 3
_FARTHEST = 200
# Operations that take a list of state operations, and its position: `SeparateDatabaseAndState(
# database_operations=None, state_operations=None)`, `RunSQL(sql, reverse_sql=None, state_operations=None, …)`.
STATE_OPERATIONS_AT = {"SeparateDatabaseAndState": 1, "RunSQL": 2}


class AppHistory:
    """The migrations before the checked one in its folder, read lazily and at most once per scan."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._earlier: list[str] | None = None
        self._recently_added: set[tuple[str, str]] | None = None

    def recently_added(self) -> set[tuple[str, str]]:
        """(model, field), lower case, of every `AddField` with `null=True` or a `default` in the
        `_RECENT` migrations before this one."""
        if self._recently_added is None:
            self._recently_added = {
                (operation.model, operation.field)
                for path in self._earlier_paths()[-_RECENT:]
                for operation in self._operations(path)
                if operation.kind == "AddField" and operation.fills_rows and not operation.state_only
            }
        return self._recently_added

    def unmanaged(self, model: str) -> bool | None:
        """Whether the last earlier `CreateModel` / `AlterModelOptions` of `model` (lower case) made it
        unmanaged; None when no earlier migration says."""
        managed = None
        for path in self._earlier_paths()[-_FARTHEST:]:
            for operation in self._operations(path):
                if operation.model == model and operation.kind in ("CreateModel", "AlterModelOptions"):
                    managed = operation.managed
                elif operation.model == model and operation.kind == "DeleteModel":
                    managed = None
        return None if managed is None else not managed

    def _earlier_paths(self) -> list[str]:
        if self._earlier is None:
            host = self._reader.host
            name = os.path.basename(host) if host else ""
            self._earlier = []
            if _MIGRATION_FILE.fullmatch(name):
                self._earlier = [
                    path
                    for path in self._reader.names(os.path.dirname(host))
                    if _MIGRATION_FILE.fullmatch(os.path.basename(path)) and os.path.basename(path) < name
                ]
        return self._earlier

    def _operations(self, path: str) -> list[Operation]:
        try:
            text = self._reader.read(path)
        except (SkipFile, OSError):
            return []
        return self._reader.parsed("django-operations", path, text, operations)


class Operation:
    """One Django migration operation, as far as its literal arguments say."""

    __slots__ = ("kind", "model", "field", "fills_rows", "managed", "state_only")

    def __init__(self, kind: str, model: str, field: str = "", fills_rows: bool = False, managed: bool = True):
        self.kind = kind
        self.model = model
        self.field = field
        self.fills_rows = fills_rows  # AddField: every existing row gets NULL or the default
        self.managed = managed  # CreateModel / AlterModelOptions: `options={"managed": False}` makes it False
        self.state_only = False  # written inside state operations: changes Django's models, not the tables


def operations(text: str) -> list[Operation]:
    """The operations of a migration module, in source order."""
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):  # unreadable: nothing known
        return []
    found: list[Operation] = []
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    while stack:  # explicit stack, in source order: deep nesting must not exhaust the recursion limit
        node, state_only = stack.pop()
        children = [(child, state_only) for child in node.children]
        if isinstance(node, cst.Call):
            kind = _method(node)
            if kind in STATE_OPERATIONS_AT:
                state = _argument(node, STATE_OPERATIONS_AT[kind], "state_operations")
                children = [(child, held or _holds(child, state)) for child, held in children]
            operation = operation_of(node)
            if operation is not None:
                operation.state_only = state_only
                found.append(operation)
        stack.extend(reversed(children))
    return found


def operation_of(call: cst.Call) -> Operation | None:
    """The operation `call` writes, when it is one the history keeps."""
    kind = _method(call)
    if kind == "AddField":
        model, field = _text(_argument(call, 0, "model_name")), _text(_argument(call, 1, "name"))
        definition = _argument(call, 2, "field")
        fills = isinstance(definition, cst.Call) and any(
            arg.keyword is not None
            and (arg.keyword.value == "default" or (arg.keyword.value == "null" and _is_true(arg.value)))
            for arg in definition.args
        )
        return Operation(kind, model.lower(), field.lower(), fills_rows=fills) if model and field else None
    if kind in ("CreateModel", "AlterModelOptions", "DeleteModel"):
        model = _text(_argument(call, 0, "name"))
        options = _argument(call, 2 if kind == "CreateModel" else 1, "options")
        return Operation(kind, model.lower(), managed=not _unmanaged(options)) if model else None
    return None


def _unmanaged(options) -> bool:
    """`{"managed": False, …}`."""
    if not isinstance(options, cst.Dict):
        return False
    return any(
        isinstance(element, cst.DictElement)
        and _text(element.key) == "managed"
        and isinstance(element.value, cst.Name)
        and element.value.value == "False"
        for element in options.elements
    )


def _method(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _argument(call: cst.Call, position: int, keyword: str):
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if position < len(positional):
        return positional[position].value
    named = [a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword]
    return named[0] if named else None


def _holds(child: cst.CSTNode, state) -> bool:
    """`child` is the argument whose value is the state operations."""
    return state is not None and isinstance(child, cst.Arg) and child.value is state


def _text(node) -> str:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else ""
    return ""


def _is_true(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"
