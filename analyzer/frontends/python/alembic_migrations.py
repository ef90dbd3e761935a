"""What an Alembic migration function puts back after dropping an index or a constraint.

Changing an index or a constraint in Alembic is a drop followed by a create: `drop_constraint(
"fk", …)` then `create_foreign_key("fk", …, ondelete="CASCADE")`, or `drop_constraint("pk",
type_="primary")` then `create_primary_key("pk", [..., "step"])`. Such a drop removes no guarantee.
A drop counts as replaced when the same outermost function creates, later in source order, an index
or constraint of the same name on the same table (when both tables are known), or, for a primary
key, any primary key on the same table (a table has one). The same name may differ in a naming
convention's suffix for the same kind (`_uq` and `_key`), or, known only at run time, be given by
the same variable. This is the reading SQL207 gives to `ALTER TABLE … DROP CONSTRAINT` followed by
`ADD CONSTRAINT` of the same name.

The table of a `batch_op.…` call is the one of the nearest `batch_alter_table(…)` before it in the
same function: the `with op.batch_alter_table("t") as batch_op:` block it is written in.

The SQL rules read what an operation does to the script's tables through `equivalent_sql`: the
SQL statement an `add_column`, `create_table`, `rename_table` or constraint create amounts to, so
that SQL the same function runs with `op.execute` is judged knowing it (a column filled just after
it was added, a constraint dropped by SQL and created again by Alembic).
"""

from __future__ import annotations

import libcst as cst

from blastguard.frontends.constraint_names import same_constraint

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
_TABLE_KEYWORDS = ("table_name", "source_table", "source", "old_table_name")
# Operations on `op` whose first argument is the table (the others name the index or constraint first).
_TABLE_FIRST = frozenset({"add_column", "drop_column", "alter_column", "rename_table", "create_table", "drop_table"})
# The SQL each operation amounts to: {0} the table, {1} the column, constraint or new table name.
_EQUIVALENTS = {
    "add_column": "ALTER TABLE {0} ADD COLUMN {1} INT",
    "create_table": "CREATE TABLE {0} (id INT)",
    "rename_table": "ALTER TABLE {0} RENAME TO {1}",
    "create_unique_constraint": "ALTER TABLE {0} ADD CONSTRAINT {1} UNIQUE (id)",
    "create_check_constraint": "ALTER TABLE {0} ADD CONSTRAINT {1} CHECK (id > 0)",
    "create_foreign_key": "ALTER TABLE {0} ADD CONSTRAINT {1} FOREIGN KEY (id) REFERENCES other (id)",
    "create_primary_key": "ALTER TABLE {0} ADD CONSTRAINT {1} PRIMARY KEY (id)",
}


class AlembicMigration:
    """The Alembic operations of one file, read once per document."""

    def __init__(self, model, folder) -> None:
        self._model = model
        self._folder = folder

    def replaced(self, drop) -> bool:
        """`drop` (a `drop_index` or `drop_constraint` call) is followed, in its outermost function, by
        a create that puts the same index or constraint back."""
        function = drop.scope.outermost_function()
        if function is None:
            return False
        calls = [c for c in self._model.calls if c.scope.outermost_function() is function]
        name = self._name(drop)
        table = self._table(drop, calls)
        primary = drop.method == "drop_constraint" and self._literal(drop.keyword("type_"), drop) == "primary"
        for create in calls:
            if create.method not in _CREATES or create.span()[0] <= drop.span()[0]:
                continue
            created_table = self._table(create, calls)
            if table and created_table and table != created_table:
                continue
            if name is not None and (created := self._name(create)) is not None and same_constraint(created, name):
                return True
            if name is None and _same_variable(_name_node(drop), _name_node(create)):
                return True
            if primary and create.method == "create_primary_key" and table and table == created_table:
                return True
        return False

    def equivalent_sql(self, call) -> str | None:
        """The SQL statement an Alembic operation amounts to, as far as the SQL rules need it (a
        placeholder type, no columns of a constraint); None for any other call or an unknown name."""
        if call.method not in _EQUIVALENTS or not (_on_op(call) or call.receiver is not None):
            return None
        function = call.scope.outermost_function()
        calls = [c for c in self._model.calls if c.scope.outermost_function() is function]
        if call.method == "create_table":
            table = self._literal(call.argument(0, "table_name"), call, lower=False) if _on_op(call) else None
        else:
            table = self._table(call, calls, lower=False)
        if table is None:
            return None
        if call.method == "add_column":
            value = self._column(call, lower=False)
            return _EQUIVALENTS["add_column"].format(_quoted(table), _quoted(value)) if value else None
        if call.method == "rename_table":
            new_name = self._literal(call.argument(1, "new_table_name"), call, lower=False)
            return _EQUIVALENTS["rename_table"].format(_quoted(table), _quoted(new_name)) if new_name else None
        name = self._name(call, lower=False)
        if name is None:  # unnamed: only a primary key is still known for what it is
            return f"ALTER TABLE {_quoted(table)} ADD PRIMARY KEY (id)" if call.method == "create_primary_key" else None
        return _EQUIVALENTS[call.method].format(_quoted(table), _quoted(name))

    def columns_added_before(self, call) -> set[tuple[str, str]]:
        """(table, column), lower case, of every `add_column` that the outermost function of `call` runs
        before it: columns that hold only NULL or their default until the function fills them."""
        function = call.scope.outermost_function()
        if function is None:
            return set()
        calls = [c for c in self._model.calls if c.scope.outermost_function() is function]
        start = call.span()[0]
        added = set()
        for add in calls:
            if add.method == "add_column" and add.span()[0] < start:
                table, column = self._table(add, calls), self._column(add)
                if table and column:
                    added.add((table, column))
        return added

    def _column(self, call, lower: bool = True) -> str | None:
        """The name of the `sa.Column("name", …)` an `add_column` adds."""
        column = call.argument(1 if _on_op(call) else 0, "column")
        name = column.args[0].value if isinstance(column, cst.Call) and column.args else None
        return self._literal(name, call, lower)

    def _name(self, call, lower: bool = True) -> str | None:
        """The literal name of the index or constraint, lower case; `op.f("name")` is that name."""
        return self._literal(_name_node(call), call, lower)

    def table_expression(self, call) -> cst.BaseExpression | None:
        """The expression naming the table an operation acts on (`"dag"`, `table_name`), as `_table` finds it."""
        function = call.scope.outermost_function()
        calls = [c for c in self._model.calls if c.scope.outermost_function() is function]
        found = self._table_argument(call, calls)
        return found[0] if found is not None else None

    def _table(self, call, calls, lower: bool = True) -> str | None:
        """The table an operation acts on: its table argument on `op`, the batch's table on a `batch_op`."""
        found = self._table_argument(call, calls)
        return self._literal(found[0], found[1], lower) if found is not None else None

    def _table_argument(self, call, calls):
        """(the table's expression, the call it is an argument of), or None when no table is given."""
        if _on_op(call):
            position = 0 if call.method in _TABLE_FIRST else 1
            return call.argument(position, *_TABLE_KEYWORDS), call
        start = call.span()[0]
        batches = [c for c in calls if c.method == "batch_alter_table" and c.span()[0] < start]
        return (batches[-1].argument(0, "table_name"), batches[-1]) if batches else None

    def _literal(self, node, call, lower: bool = True) -> str | None:
        value = self._folder.string(node, call.scope, call.chunk) if node is not None else None
        if value is None or not value.literal:
            return None
        return value.text.lower() if lower else value.text


def _on_op(call) -> bool:
    """Called on Alembic's `op` itself (`op.drop_index(...)`), not on a `batch_op`."""
    return call.name.startswith("alembic.op.")


def _name_node(call):
    """The expression naming the index or constraint; `op.f("name")` is that name."""
    node = call.argument(0, *_NAME_KEYWORDS)
    if node is not None and _is_call_of(node, "f") and node.args:
        node = node.args[0].value
    return node


def _same_variable(one, other) -> bool:
    """Both names are the same variable (`batch_op.drop_constraint(fk_name)` … `create_foreign_key(fk_name,
    …)`): a name known only at run time, the same in both calls of one function."""
    return isinstance(one, cst.Name) and isinstance(other, cst.Name) and one.value == other.value


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_call_of(node, method: str) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method
