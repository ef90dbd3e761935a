"""PY201 destructive-migration: a migration step that drops a table, a column or an index."""

from __future__ import annotations

from blastguard.examples import Example
from blastguard.model import Severity
from blastguard.rule import Hit, Rule

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs an agent hook ~3 ms
if TYPE_CHECKING:
    from collections.abc import Iterator

    from blastguard.frontends.python.calls import Call
    from blastguard.frontends.python.frontend import PythonDocument

# Alembic operations (on `op` or a `batch_op`), and what each destroys.
_ALEMBIC = {
    "drop_table": "drops the table {} with all its rows",
    "drop_column": "drops the column {} and its data",
}
# Alembic operations that delete no rows, and what is lost when the migration does not put them back.
_ALEMBIC_GUARANTEES = {
    "drop_index": (
        "drops the index {} and does not recreate it. No rows are lost, but queries that used it can slow "
        "down, and if it was unique, duplicates can creep in."
    ),
    "drop_constraint": (
        "drops the constraint {} and does not recreate it. No rows are lost, but the database stops "
        "rejecting the duplicate, orphaned or invalid rows it kept out."
    ),
}
_GUARANTEE_FIX = "If the index or constraint is being changed, create it again in the same migration."
# A drop inside `if is_table_empty(…):` or the like (`document.found_empty`).
_EMPTY = "but only after `{}` has just found the table empty, so no row is lost."
# Django migration operations.
_DJANGO = {
    "DeleteModel": "deletes the model {} and drops its table with all its rows",
    "RemoveField": "removes the field {} and drops its column with its data",
}
# A helper that recreates a column of a table when `{}` holds (the emptiness-guard examples).
_GUARDED = (
    "from alembic import op\n\ndef recreate_column(conn, table_name):\n    if {}:\n"
    "        with op.batch_alter_table(table_name) as batch_op:\n"
    '            batch_op.drop_column("last_updated")\n'
    '            batch_op.add_column(sa.Column("last_updated", sa.DateTime))\n\n'
    'def upgrade():\n    recreate_column(op.get_bind(), "dag_code")'
)
_FIX = (
    "Make sure nothing reads the data any more and that a backup exists; deploy the code that stops using it "
    "first, and drop in a later release."
)


def check(call: Call, document: PythonDocument) -> Iterator[Hit]:
    method = call.method
    imported = document.model.imported_modules
    if "alembic" in imported and method in _ALEMBIC_GUARANTEES and not call.scope.within("downgrade"):
        # No data is lost: a replaced index or constraint is clean, a removed one is worth a look (a note).
        if not document.alembic.replaced(call):
            what = _ALEMBIC_GUARANTEES[method].format(_named(call, document, "name"))
            yield Hit(*call.span(), f"This migration {what} {_GUARANTEE_FIX}", severity=Severity.NOTE)
    elif method in _ALEMBIC and "alembic" in imported and not call.scope.within("downgrade"):
        what = _ALEMBIC[method].format(
            _named(call, document, "table_name" if method == "drop_table" else "column_name")
        )
        if guard := document.found_empty(call, document.alembic.table_expression(call)):
            # The table holds no row when this runs: a note that says so, not a request for a backup.
            yield Hit(*call.span(), f"This migration {what}, {_EMPTY.format(guard)}", severity=Severity.NOTE)
        else:
            yield Hit(*call.span(), f"This migration {what}. {_FIX}")
    elif (
        method in _DJANGO
        and (call.name.startswith("django.") or "django" in imported)
        and not document.migration.state_only(call)  # `SeparateDatabaseAndState(state_operations=…)`: no SQL
        and not document.migration.deletes_unmanaged(call)  # a `managed=False` model has no table Django owns
    ):
        what = _DJANGO[method].format(_named(call, document, "name"))
        yield Hit(*call.span(), f"This migration {what}. {_FIX}")


def _named(call, document, keyword: str) -> str:
    """`op.drop_table("audit_log")` -> `audit_log`; the column of `drop_column("users", "legacy_id")`."""
    position = 1 if call.method == "drop_column" else 0
    node = call.argument(position, keyword, "name", "table_name", "index_name", "constraint_name")
    value = document.string(node, call) if node is not None else None
    if call.method == "RemoveField":
        model = call.argument(0, "model_name")
        model_value = document.string(model, call) if model is not None else None
        if value is not None and model_value is not None:
            return f"`{model_value.text}.{value.text}`"
    return f"`{value.text}`" if value is not None and value.literal else "it names"


RULE = Rule(
    id="PY201",
    name="destructive-migration",
    language="python",
    severity=Severity.WARNING,
    summary="An Alembic or Django migration step that drops a table, a column, an index or a constraint.",
    rationale=(
        "Migrations that drop things are often intended, and still irreversible: the downgrade can recreate "
        "a table but not its rows. `op.drop_table`, `op.drop_column` (also on a `batch_op`), Django's "
        "`DeleteModel` and `RemoveField` are reported so a person looks. `op.drop_index` and "
        "`op.drop_constraint` delete no rows and the downgrade can create them again: one that the same "
        "outermost function puts back afterwards (a create of the same name, or of a name that differs only in "
        "a naming convention's suffix for the same kind such as `_uq` and `_key`, or given by the same variable, "
        "on the same table when both "
        "name it, or any primary key on the table after dropping its primary key: how Alembic changes a "
        "foreign key's ON DELETE or a primary key's columns) is not reported, as SQL207 reads DROP and ADD "
        "CONSTRAINT; one that is not put back is a note, since the guarantee or the index is gone. "
        "Steps inside `downgrade()` undo what the upgrade created and are not reported. A Django operation "
        "written inside the `state_operations` of `SeparateDatabaseAndState` (its second positional argument) "
        "or of `RunSQL` (its third), given as a list or as a name bound once to one, only changes Django's "
        "model state and runs no SQL: it is not reported. One inside `database_operations` (the first "
        "argument) runs and is. SQL run by `op.execute` or `RunSQL` is checked by the SQL rules (not when the "
        "`RunSQL` is itself a state operation). A `drop_column` or `drop_table` inside an `if` whose test (or "
        "one operand of its `and`) has just found the same table empty is a note: a call named like "
        "`is_table_empty(conn, table)`, or `not rows` where `rows` holds what a query of every row of the table "
        "returned (`session.execute(select(1).select_from(t).limit(1)).all()`); where an agent runs the code, "
        "such a guard is not trusted. Nor is a `DeleteModel` of a model whose last `CreateModel` or "
        "`AlterModelOptions`, in this migration or an earlier one of the app (read from the files numbered "
        "before it in its folder, at most 200), says `managed=False`: Django owns no table for it."
    ),
    fix=_FIX,
    flag=(
        Example(
            'from alembic import op\n\ndef upgrade():\n    op.drop_table("audit_log")',
            flagged='op.drop_table("audit_log")',
            severity=Severity.WARNING,
            message="This migration drops the table `audit_log` with all its rows.",
        ),
        'from alembic import op\n\ndef upgrade():\n    op.drop_column("users", "legacy_id")',
        'from alembic import op\n\ndef upgrade():\n    with op.batch_alter_table("users") as batch_op:\n'
        '        batch_op.drop_column("legacy_id")',
        'from django.db import migrations\n\noperations = [migrations.DeleteModel(name="LegacyCoupon")]',
        'from django.db import migrations\n\noperations = [\n    migrations.RemoveField(model_name="product", '
        'name="legacy_sku"),\n]',
        # The database operations of a SeparateDatabaseAndState run, keyword or positional.
        Example(
            "from django.db import migrations\n\noperations = [\n    migrations.SeparateDatabaseAndState(\n"
            '        database_operations=[migrations.RemoveField(model_name="product", name="legacy_sku")],\n'
            '        state_operations=[migrations.RemoveField(model_name="product", name="legacy_sku")],\n'
            "    ),\n]",
            flagged='migrations.RemoveField(model_name="product", name="legacy_sku")',
            message="removes the field `product.legacy_sku`",
        ),
        "from django.db import migrations\n\noperations = [\n    migrations.SeparateDatabaseAndState(\n"
        '        [migrations.DeleteModel(name="LegacyCoupon")],\n'
        '        [migrations.DeleteModel(name="LegacyCoupon")],\n'
        "    ),\n]",
        # The model this migration created is managed (the default), or was made managed again.
        "from django.db import migrations\n\noperations = [\n"
        '    migrations.CreateModel(name="Admin", fields=[], options={"permissions": []}),\n'
        '    migrations.DeleteModel(name="Admin"),\n]',
        "from django.db import migrations\n\noperations = [\n"
        '    migrations.CreateModel(name="Admin", fields=[], options={"managed": False}),\n'
        '    migrations.AlterModelOptions(name="Admin", options={}),\n'
        '    migrations.DeleteModel(name="Admin"),\n]',
        # An index or constraint that is not put back: no rows lost, the guarantee is (a note).
        Example(
            'from alembic import op\n\ndef upgrade():\n    op.drop_constraint("orders_customer_fk", "orders", '
            'type_="foreignkey")',
            flagged='op.drop_constraint("orders_customer_fk", "orders", type_="foreignkey")',
            severity=Severity.NOTE,
            message="drops the constraint `orders_customer_fk` and does not recreate it. No rows are lost",
        ),
        Example(
            'from alembic import op\n\ndef upgrade():\n    op.drop_index("ix_users_email", table_name="users")',
            severity=Severity.NOTE,
            message="drops the index `ix_users_email` and does not recreate it",
        ),
        # A drop that runs only when the table was just found empty: no row is lost (a note).
        Example(
            _GUARDED.format("is_mssql(conn) and is_table_empty(conn, table_name)"),
            flagged='batch_op.drop_column("last_updated")',
            severity=Severity.NOTE,
            message="but only after `is_table_empty(conn, table_name)` has just found the table empty",
        ),
        # Guarded by another check, by the opposite one, or by a check of another table: reported.
        Example(_GUARDED.format("is_mssql(conn)"), severity=Severity.WARNING),
        Example(_GUARDED.format("not is_table_empty(conn, table_name)"), severity=Severity.WARNING),
        Example(_GUARDED.format("is_table_empty(conn, table_name) or force"), severity=Severity.WARNING),
        Example(_GUARDED.format('is_table_empty(conn, "dag")'), severity=Severity.WARNING),
        # Put back on another table, under another name, or before the drop: not a replacement.
        'from alembic import op\n\ndef upgrade():\n    op.drop_constraint("orders_customer_fk", "orders")\n'
        '    op.create_foreign_key("orders_customer_fk", "invoices", "customers", ["customer_id"], ["id"])',
        'from alembic import op\n\ndef upgrade():\n    with op.batch_alter_table("metric") as batch_op:\n'
        '        batch_op.drop_constraint("metric_pk", type_="primary")\n'
        '        batch_op.create_unique_constraint("metric_uq", ["key", "step"])',
        'from alembic import op\n\ndef upgrade():\n    op.create_index("ix_users_email", "users", ["email"])\n'
        '    op.drop_index("ix_users_email", table_name="users")',
        'from alembic import op\n\ndef upgrade():\n    op.drop_constraint("orders_customer_fkey", "orders")\n'
        '    op.create_unique_constraint("orders_customer_key", "orders", ["customer_id"])',
        "from alembic import op\n\ndef upgrade():\n"
        '    op.drop_constraint(old_fk_name, "datasets", type_="foreignkey")\n'
        '    op.create_foreign_key(new_fk_name, "datasets", "experiments", ["experiment_id"], ["experiment_id"])',
    ),
    clean=(
        'from alembic import op\n\ndef downgrade():\n    op.drop_table("audit_log")',
        'from alembic import op\n\ndef upgrade():\n    op.create_table("audit_log")',
        'from django.db import migrations\n\noperations = [migrations.AddField(model_name="p", name="sku", field=f)]',
        # State only: the model leaves Django's state, the table stays (it moved app, or is unmanaged).
        "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n"
        "        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.DeleteModel(name="Coupon")],\n'
        "            database_operations=[],\n        ),\n    ]",
        "from django.db import migrations\n\noperations = [\n    migrations.SeparateDatabaseAndState(\n"
        '        [], [migrations.RemoveField(model_name="product", name="sku")]\n    ),\n]',
        "from django.db import migrations\n\nSTATE_OPERATIONS = [\n"
        '    migrations.RemoveField(model_name="product", name="sku"),\n'
        '    migrations.DeleteModel(name="Coupon"),\n]\n\n'
        "class Migration(migrations.Migration):\n"
        "    operations = [migrations.SeparateDatabaseAndState(state_operations=STATE_OPERATIONS)]",
        # An unmanaged model (`managed=False`, here or in an earlier migration of the app): no table to drop.
        "from django.db import migrations\n\noperations = [\n"
        '    migrations.CreateModel(name="Admin", fields=[], options={"managed": False}),\n'
        '    migrations.DeleteModel(name="Admin"),\n]',
        # The SQL drops the column (the SQL rules judge it); the RemoveField only tells Django.
        "from django.db import migrations\n\noperations = [\n    migrations.RunSQL(\n"
        '        "ALTER TABLE shop_product RENAME COLUMN sku TO code",\n'
        '        state_operations=[migrations.RemoveField(model_name="product", name="sku")],\n    ),\n]',
        # The index or constraint is put back in the same function: Alembic's way to change one.
        'from alembic import op\n\ndef upgrade():\n    op.drop_constraint("datasets_fk", "datasets", '
        'type_="foreignkey")\n    op.create_foreign_key("datasets_fk", "datasets", "experiments", '
        '["experiment_id"], ["experiment_id"], ondelete="CASCADE")',
        'from alembic import op\n\ndef upgrade():\n    with op.batch_alter_table("metrics") as batch_op:\n'
        '        batch_op.drop_constraint("metric_pk", type_="primary")\n'
        '        batch_op.create_primary_key("metric_pk", ["key", "timestamp", "step"])',
        'from alembic import op\n\ndef upgrade():\n    with op.batch_alter_table("metrics") as batch_op:\n'
        '        batch_op.drop_constraint(old_primary_key_name, type_="primary")\n'
        '        batch_op.create_primary_key("metrics_pkey", ["key", "step"])',
        'from alembic import op\n\ndef upgrade():\n    op.drop_index("ix_runs_state", table_name="runs")\n'
        '    with op.batch_alter_table("runs") as batch_op:\n'
        '        batch_op.create_index(batch_op.f("ix_runs_state"), ["state", "start_time"])',
        # Renamed to another naming convention's suffix for the same kind of constraint.
        'from alembic import op\n\ndef upgrade():\n    op.drop_constraint("dag_run_dag_id_run_id_uq", "dag_run")\n'
        '    op.create_unique_constraint("dag_run_dag_id_run_id_key", "dag_run", ["dag_id", "run_id"])',
        # The name is known only at run time, and both calls take it from the same variable.
        "from alembic import op\n\ndef upgrade():\n    for table in TABLES:\n"
        '        fk_name = f"fk_{table}_request_id"\n'
        "        with op.batch_alter_table(table) as batch_op:\n"
        '            batch_op.drop_constraint(fk_name, type_="foreignkey")\n'
        '            batch_op.create_foreign_key(fk_name, "trace_info", ["request_id"], ["request_id"])',
        'df.drop_column("x")',
        "print(\"op.drop_table('users')\")",
    ),
    check=check,
    escalates=True,
    keywords=("drop_table", "drop_column", "drop_index", "drop_constraint", "deletemodel", "removefield"),
    precision="high",
    tags=("schema", "migration"),
)
