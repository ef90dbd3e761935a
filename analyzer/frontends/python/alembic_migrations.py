"""What an Alembic migration function puts back after dropping an index or a constraint.

Changing an index or a constraint in Alembic is a drop followed by a create: `drop_constraint(
"fk", …)` then `create_foreign_key("fk", …, ondelete="CASCADE")`, or `drop_constraint("pk",
type_="primary")` then `create_primary_key("pk", [..., "step"])`. Such a drop removes no guarantee.
A drop counts as replaced when the same outermost function creates, later in source order, an index
or constraint of the same name on the same table (when both tables are known), or, for a primary
key, any primary key on the same table (a table has one). This is the reading SQL207 gives to
`ALTER TABLE … DROP CONSTRAINT` followed by `ADD CONSTRAINT` of the same name.

The table of a `batch_op.…` call is the one of the nearest `batch_alter_table(…)` before it in the
same function: the `with op.batch_alter_table("t") as batch_op:` block it is written in.
"""

from __future__ import annotations

import libcst as cst

_CREATES = frozenset(
    {
        "create_index",
        "create_foreign_key",
        "create_primary_key",
        "create_unique_constraint",
        "create_check_constraint",
    }
)
_NAME_KEYWORDS = ("constraint_name", "index_name", "name")
_TABLE_KEYWORDS = ("table_name", "source_table", "source")


class AlembicMigration:
    """The Alembic operations of one file, read once per document."""

    def __init__(self, model, folder) -> None:
        self._model = model
        self._folder = folder

    def replaced(self, drop) -> bool:
        """`drop` (a `drop_index` or `drop_constraint` call) is followed, in its outermost function, by
        a create that puts the same index or constraint back."""
        function = _outermost_function(drop.scope)
        if function is None:
            return False
        calls = [c for c in self._model.calls if _outermost_function(c.scope) is function]
        name = self._name(drop)
        table = self._table(drop, calls)
        primary = drop.method == "drop_constraint" and self._literal(drop.keyword("type_"), drop) == "primary"
        for create in calls:
            if create.method not in _CREATES or create.span()[0] <= drop.span()[0]:
                continue
            created_table = self._table(create, calls)
            if table and created_table and table != created_table:
                continue
            if name is not None and self._name(create) == name:
                return True
            if primary and create.method == "create_primary_key" and table and table == created_table:
                return True
        return False

    def _name(self, call) -> str | None:
        """The literal name of the index or constraint, lower case; `op.f("name")` is that name."""
        node = call.argument(0, *_NAME_KEYWORDS)
        if node is not None and _is_call_of(node, "f") and node.args:
            node = node.args[0].value
        return self._literal(node, call)

    def _table(self, call, calls) -> str | None:
        """The table an operation acts on: its table argument on `op`, the batch's table on a `batch_op`."""
        if _on_op(call):
            return self._literal(call.argument(1, *_TABLE_KEYWORDS), call)
        start = call.span()[0]
        batches = [c for c in calls if c.method == "batch_alter_table" and c.span()[0] < start]
        return self._literal(batches[-1].argument(0, "table_name"), batches[-1]) if batches else None

    def _literal(self, node, call) -> str | None:
        value = self._folder.string(node, call.scope, call.chunk) if node is not None else None
        return value.text.lower() if value is not None and value.literal else None


def _outermost_function(scope):
    """The outermost function `scope` is in (what a migration's `upgrade()` is); None at module level."""
    function = None
    while scope is not None:
        function = scope if scope.kind == "function" else function
        scope = scope.parent
    return function


def _on_op(call) -> bool:
    """Called on Alembic's `op` itself (`op.drop_index(...)`), not on a `batch_op`."""
    return call.name.startswith("alembic.op.")


def _is_call_of(node, method: str) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method
