"""Alembic migrations: the SQL one function runs through `op.execute` is judged as one script, with what
its Alembic operations do (add a column, create a constraint, rename a table) counted in it; an index
or constraint put back by the same function is no finding. Samples are only ever parsed, never run."""

from blastguard.api import check_text


def findings(code):
    found = check_text(code, filename="migrations/versions/0042_change.py")
    return sorted((f.rule_id, f.region.start_line, f.severity.label) for f in found if f.suppression is None)


def upgrade(*lines, other=()):
    """A migration module whose `upgrade()` runs `lines`, and whose `downgrade()` runs `other`."""
    body = "".join(f"    {line}\n" for line in lines)
    rest = "".join(f"    {line}\n" for line in other) or "    pass\n"
    return f"import sqlalchemy as sa\nfrom alembic import op\n\ndef upgrade():\n{body}\ndef downgrade():\n{rest}"


# --- SQLite's table rebuild, one statement per op.execute ------------------------------------------------

PRAGMA_OFF = 'op.execute("PRAGMA foreign_keys=off")'
PRAGMA_ON = 'op.execute("PRAGMA foreign_keys=on")'
BATCH = ['with op.batch_alter_table("dag") as batch_op:', '    batch_op.alter_column("x", nullable=False)']
REBUILD = [
    'op.execute("CREATE TABLE dag_new (id INTEGER NOT NULL, name VARCHAR(250))")',
    'op.execute("INSERT INTO dag_new SELECT * FROM dag")',
    'op.execute("DROP TABLE dag")',
    'op.execute("ALTER TABLE dag_new RENAME TO dag")',
]


def test_foreign_keys_off_then_on_around_a_rebuild_is_clean():
    assert findings(upgrade(PRAGMA_OFF, *BATCH, PRAGMA_ON)) == []
    assert findings(upgrade(PRAGMA_OFF, *REBUILD, PRAGMA_ON)) == []


def test_backfilling_a_column_added_while_foreign_keys_are_off_is_clean():
    add = ['with op.batch_alter_table("dag") as batch_op:', '    batch_op.add_column(sa.Column("concurrency"))']
    fill = 'op.execute("UPDATE dag SET concurrency = 16 WHERE concurrency IS NULL")'
    assert findings(upgrade(PRAGMA_OFF, *add, fill, PRAGMA_ON)) == []
    overwrite = fill.replace("concurrency = 16", "owner = 'x'")
    assert ("SQL301", 5, "warning") in findings(upgrade(PRAGMA_OFF, *add, overwrite, PRAGMA_ON))


def test_foreign_keys_left_off_or_turned_on_elsewhere_still_reports():
    assert findings(upgrade(PRAGMA_OFF, *BATCH)) == [("SQL301", 5, "warning")]
    assert findings(upgrade(PRAGMA_OFF, *BATCH, other=[PRAGMA_ON])) == [("SQL301", 5, "warning")]
    deleting = 'op.execute("DELETE FROM dag WHERE id = 1")'
    assert ("SQL301", 5, "warning") in findings(upgrade(PRAGMA_OFF, deleting, PRAGMA_ON))


def test_a_rebuild_that_does_not_copy_every_row_still_reports():
    filtered = [line.replace("FROM dag", "FROM dag WHERE active") for line in REBUILD]
    assert ("SQL202", 7, "error") in findings(upgrade(*filtered))
    never_renamed = REBUILD[:3]
    assert ("SQL202", 7, "error") in findings(upgrade(*never_renamed))


# --- constraints and columns that Alembic operations create ---------------------------------------------


def test_a_constraint_dropped_by_sql_and_created_again_by_alembic_is_clean():
    drop = 'op.execute("ALTER TABLE connection DROP CONSTRAINT IF EXISTS connection_conn_id_uq")'
    batch = 'with op.batch_alter_table("connection") as batch_op:'
    create = '    batch_op.create_unique_constraint(batch_op.f("connection_conn_id_uq"), ["conn_id"])'
    assert findings(upgrade(drop, batch, create)) == []
    other_name = create.replace('"connection_conn_id_uq"', '"conn_id_unique"')
    assert findings(upgrade(drop, batch, other_name)) == [("SQL207", 5, "warning")]
    assert findings(upgrade(batch, create, drop)) == [("SQL207", 7, "warning")]


def test_filling_a_column_the_function_added_is_clean():
    add = 'op.add_column("slot_pool", sa.Column("include_deferred", sa.Boolean))'
    fill = 'op.execute("UPDATE slot_pool SET include_deferred = false")'
    assert findings(upgrade(add, fill)) == []
    batch = [
        'with op.batch_alter_table("slot_pool") as batch_op:',
        '    batch_op.add_column(sa.Column("include_deferred"))',
    ]
    assert findings(upgrade(*batch, fill)) == []
    assert findings(upgrade(fill, add)) == [("SQL102", 5, "error")]
    assert findings(upgrade(add.replace('"slot_pool"', '"pool"'), fill)) == [("SQL102", 6, "error")]


def test_a_statement_run_outside_any_function_has_no_script():
    code = "from alembic import op\n\nop.execute('PRAGMA foreign_keys=off')\nop.execute('PRAGMA foreign_keys=on')\n"
    assert findings(code) == [("SQL301", 3, "warning")]


# --- PY201 on indexes and constraints -------------------------------------------------------------------


def test_a_constraint_put_back_in_another_batch_of_the_same_function_is_clean():
    code = upgrade(
        'with op.batch_alter_table("task_instance") as batch_op:',
        '    batch_op.drop_constraint("task_instance_dag_run_fkey", type_="foreignkey")',
        'op.execute("UPDATE dag SET x = 1 WHERE id = 2")',
        'with op.batch_alter_table("task_instance") as batch_op:',
        '    batch_op.create_foreign_key("task_instance_dag_run_fkey", "dag_run", ["run_id"], ["run_id"])',
    )
    assert findings(code) == []
    elsewhere = code.replace(
        'batch_alter_table("task_instance") as batch_op:\n        batch_op.create',
        'batch_alter_table("task_map") as batch_op:\n        batch_op.create',
    )
    assert findings(elsewhere) == [("PY201", 6, "note")]


def test_a_constraint_dropped_in_the_downgrade_is_not_reported():
    assert findings(upgrade("pass", other=['op.drop_constraint("fk", "orders", type_="foreignkey")'])) == []


# --- drops that run only when the table was just found empty ----------------------------------------------

EMPTY_GUARDED = """from alembic import op

def recreate_mssql_ts_column(conn, op, table_name, column_name):
    if _is_timestamp(conn, table_name, column_name) and is_table_empty(conn, table_name):
        with op.batch_alter_table(table_name) as batch_op:
            batch_op.drop_column(column_name=column_name)
            batch_op.add_column(sa.Column(column_name, TIMESTAMP, nullable=False))
    else:
        op.drop_column(table_name, column_name)

def upgrade():
    recreate_mssql_ts_column(op.get_bind(), op, "dag_code", "last_updated")
"""


def test_a_column_dropped_only_when_its_table_is_empty_is_a_note_and_the_else_branch_is_not():
    assert findings(EMPTY_GUARDED) == [("PY201", 6, "note"), ("PY201", 9, "warning")]


def test_a_guard_is_not_trusted_where_an_agent_runs_the_code():
    from blastguard.context import Context

    found = check_text(EMPTY_GUARDED, filename="migrations/versions/0042_change.py", context=Context(agent=True))
    assert sorted((f.rule_id, f.region.start_line, f.severity.label) for f in found) == [
        ("PY201", 6, "warning"),
        ("PY201", 9, "warning"),
    ]


MOVED_ROWS = """from sqlalchemy import select

def move_dangling_rows(session, source_table, target_table_name):
    target_table = source_table.to_metadata(source_table.metadata, name=target_table_name)
    moved_rows_exist_query = select(1).select_from(target_table).limit(1)
    first_moved_row = session.execute(moved_rows_exist_query).all()
    session.commit()
    if not first_moved_row:
        target_table.drop(bind=session.get_bind(), checkfirst=True)
"""


def test_a_table_dropped_after_a_query_found_no_row_in_it_is_a_note():
    assert findings(MOVED_ROWS) == [("PY103", 9, "note")]
    first = MOVED_ROWS.replace(".all()", ".first()")
    assert findings(first) == [("PY103", 9, "note")]


def test_a_query_read_after_the_test_or_rebound_table_still_reports():
    read = "    first_moved_row = session.execute(moved_rows_exist_query).all()\n"
    drop = "        target_table.drop("
    assigned_after = MOVED_ROWS.replace(read, "").replace(drop, "    " + read + drop)
    assert findings(assigned_after) == [("PY103", 9, "error")]
    rebound = MOVED_ROWS.replace("    session.commit()\n", "    target_table = source_table\n")
    assert findings(rebound) == [("PY103", 9, "error")]
    negated = MOVED_ROWS.replace("if not first_moved_row:", "if first_moved_row:")
    assert findings(negated) == [("PY103", 9, "error")]


def test_rows_read_at_import_or_in_an_enclosing_function_do_not_guard_a_drop():
    read = "first_moved_row = session.execute(select(1).select_from(target_table).limit(1)).all()\n"
    drop = "    if not first_moved_row:\n        target_table.drop(bind=session.get_bind(), checkfirst=True)\n"
    at_import = f"from sqlalchemy import select\n\n{read}\ndef drop_moved_rows(session):\n{drop}"
    assert findings(at_import) == [("PY103", 7, "error")]
    nested = drop.replace("\n    ", "\n        ").replace("    if", "        if", 1)
    enclosing = (
        f"from sqlalchemy import select\n\ndef move(session, target_table):\n    {read}    def later():\n{nested}"
    )
    assert findings(enclosing) == [("PY103", 7, "error")]
    same_function = f"from sqlalchemy import select\n\ndef move(session, target_table):\n    {read}{drop}"
    assert findings(same_function) == [("PY103", 6, "note")]
