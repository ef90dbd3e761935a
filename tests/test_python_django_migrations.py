"""Django migrations: which operations run SQL (`SeparateDatabaseAndState`), and a data migration
filling a column the same migration adds. Samples are only ever parsed, never run."""

from blastguard.api import check_paths, check_text


def findings(code, filename="shop/migrations/0002_change.py"):
    return sorted(
        (f.rule_id, f.region.start_line) for f in check_text(code, filename=filename) if f.suppression is None
    )


def migration(*operations, before=""):
    """A migration module whose `Migration.operations` are `operations`, one per line."""
    body = "".join(f"        {operation},\n" for operation in operations)
    return (
        f"from django.db import migrations, models\n{before}\n"
        f"class Migration(migrations.Migration):\n    operations = [\n{body}    ]\n"
    )


# --- SeparateDatabaseAndState ----------------------------------------------------------------------------

REMOVE = 'migrations.RemoveField(model_name="product", name="sku")'
DROP_SQL = 'migrations.RunSQL("DROP TABLE shop_coupon")'


def test_state_operations_run_no_sql_and_database_operations_do():
    # line 5 holds the operation; keyword and positional forms, in either keyword order
    assert findings(migration(f"migrations.SeparateDatabaseAndState(state_operations=[{REMOVE}])")) == []
    assert findings(migration(f"migrations.SeparateDatabaseAndState([], [{REMOVE}])")) == []
    assert findings(migration(f"migrations.SeparateDatabaseAndState(database_operations=[{REMOVE}])")) == [("PY201", 5)]
    assert findings(migration(f"migrations.SeparateDatabaseAndState([{REMOVE}])")) == [("PY201", 5)]
    assert findings(
        migration(f"migrations.SeparateDatabaseAndState(state_operations=[], database_operations=[{REMOVE}])")
    ) == [("PY201", 5)]


def test_run_sql_as_a_state_operation_is_not_executed():
    assert findings(migration(f"migrations.SeparateDatabaseAndState(state_operations=[{DROP_SQL}])")) == []
    assert findings(migration(f"migrations.SeparateDatabaseAndState(database_operations=[{DROP_SQL}])")) == [
        ("SQL202", 5)
    ]


def test_state_operations_in_a_name_bound_once():
    before = f"\nSTATE = [\n    {REMOVE},\n]\n"
    code = migration("migrations.SeparateDatabaseAndState(state_operations=STATE)", before=before)
    assert findings(code) == []
    database = migration("migrations.SeparateDatabaseAndState(database_operations=STATE)", before=before)
    assert findings(database) == [("PY201", 4)]


def test_a_name_bound_twice_is_not_known_to_be_state_only():
    before = f"\nSTATE = [{REMOVE}]\nSTATE = STATE + []\n"
    code = migration("migrations.SeparateDatabaseAndState(state_operations=STATE)", before=before)
    assert findings(code) == [("PY201", 3)]


def test_state_operations_bound_in_the_migration_class():
    code = (
        "from django.db import migrations\n\nclass Migration(migrations.Migration):\n"
        f"    state = [{REMOVE}]\n"
        "    operations = [migrations.SeparateDatabaseAndState(state_operations=state)]\n"
    )
    assert findings(code) == []


def test_run_sql_state_operations_run_no_sql_but_its_sql_does():
    drop = '"ALTER TABLE shop_product DROP COLUMN sku"'
    keyword = migration(f"migrations.RunSQL({drop}, state_operations=[{REMOVE}])")
    positional = migration(f"migrations.RunSQL({drop}, None, [{REMOVE}])")
    assert {rule for rule, _ in findings(keyword)} == {rule for rule, _ in findings(positional)}
    assert findings(keyword) and "PY201" not in {rule for rule, _ in findings(keyword)}
    assert "PY201" in {rule for rule, _ in findings(migration(f"migrations.RunSQL({drop}, [{REMOVE}])"))}


def test_everything_nested_in_state_operations_is_state_only():
    inner = f"migrations.SeparateDatabaseAndState(database_operations=[{REMOVE}])"
    assert findings(migration(f"migrations.SeparateDatabaseAndState(state_operations=[{inner}])")) == []


# --- a data migration filling a column it adds -------------------------------------------------------------

ADD_SKU = 'migrations.AddField(model_name="product", name="sku", field=models.CharField(max_length=20))'
RUN = "migrations.RunPython(forwards, migrations.RunPython.noop)"


def forwards(*lines):
    body = "".join(f"    {line}\n" for line in lines)
    return f"\ndef forwards(apps, schema_editor):\n    Product = apps.get_model('shop', 'Product')\n{body}\n"


def test_filling_a_column_added_before_the_step_is_clean():
    assert findings(migration(ADD_SKU, RUN, before=forwards('Product.objects.update(sku="")'))) == []
    assert (
        findings(
            migration(
                ADD_SKU,
                "migrations.RunPython(code=forwards)",
                before=forwards('Product.objects.all().update(sku=models.F("name"))'),
            )
        )
        == []
    )
    direct = "\ndef forwards(apps, schema_editor):\n    apps.get_model('shop.Product').objects.update(sku='')\n"
    assert findings(migration(ADD_SKU, RUN, before=direct)) == []
    keyword = (
        "\ndef forwards(apps, schema_editor):\n"
        "    apps.get_model(app_label='shop', model_name='Product').objects.update(sku='')\n"
    )
    assert findings(migration(ADD_SKU, RUN, before=keyword)) == []


def test_a_column_the_migration_did_not_add_still_reports():
    # the update is on line 5 of the module
    assert findings(migration(ADD_SKU, RUN, before=forwards("Product.objects.update(price=0)"))) == [("PY102", 5)]
    assert findings(migration(ADD_SKU, RUN, before=forwards('Product.objects.update(sku="", price=0)'))) == [
        ("PY102", 5)
    ]
    assert findings(migration(ADD_SKU, RUN, before=forwards("Product.objects.update(**values)"))) == [("PY102", 5)]


def test_the_column_must_be_added_to_the_same_model_before_the_step():
    other_model = ADD_SKU.replace('"product"', '"variant"')
    assert findings(migration(other_model, RUN, before=forwards('Product.objects.update(sku="")'))) == [("PY102", 5)]
    assert findings(migration(RUN, ADD_SKU, before=forwards('Product.objects.update(sku="")'))) == [("PY102", 5)]


FILL_SQL = "migrations.RunSQL(\"UPDATE shop_product SET sku = ''\")"


def test_run_sql_filling_a_column_added_before_it_is_clean():
    assert findings(migration(ADD_SKU, FILL_SQL)) == []
    assert findings(migration(ADD_SKU, FILL_SQL.replace("shop_product", '\\"shop_product\\"'))) == []


def test_run_sql_that_overwrites_a_column_the_migration_did_not_add_still_reports():
    # the UPDATE is on line 6 of the module: after the operation, before it, on another table or column,
    # after a state-only AddField, or outside an app's migrations folder
    assert findings(migration(ADD_SKU, FILL_SQL.replace("sku", "price"))) == [("SQL102", 6)]
    assert findings(migration(FILL_SQL, ADD_SKU)) == [("SQL102", 5)]
    assert findings(migration(ADD_SKU, FILL_SQL.replace("shop_product", "shop_variant"))) == [("SQL102", 6)]
    state_add = f"migrations.SeparateDatabaseAndState(state_operations=[{ADD_SKU}])"
    assert findings(migration(state_add, FILL_SQL)) == [("SQL102", 6)]
    assert findings(migration(ADD_SKU, FILL_SQL), filename="scripts/0002_change.py") == [("SQL102", 6)]


def test_a_state_only_add_field_creates_no_column():
    state_add = f"migrations.SeparateDatabaseAndState(state_operations=[{ADD_SKU}])"
    assert findings(migration(state_add, RUN, before=forwards('Product.objects.update(sku="")'))) == [("PY102", 5)]


def test_only_the_function_the_step_runs_forward_is_filling():
    backwards = forwards('Product.objects.update(sku="")').replace("def forwards", "def backwards")
    code = migration(ADD_SKU, "migrations.RunPython(migrations.RunPython.noop, backwards)", before=backwards)
    assert findings(code) == [("PY102", 5)]


def test_a_function_run_by_two_steps_counts_only_what_both_follow():
    code = migration(RUN, ADD_SKU, RUN, before=forwards('Product.objects.update(sku="")'))
    assert findings(code) == [("PY102", 5)]


def test_a_function_defined_in_the_migration_class_or_nested_in_the_step_function():
    code = (
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n"
        "    def fill(apps, schema_editor):\n"
        "        def each(model):\n"
        "            model.objects.update(sku='')\n"
        "        each(apps.get_model('shop', 'Product'))\n"
        "        apps.get_model('shop', 'Product').objects.update(sku='')\n\n"
        f"    operations = [{ADD_SKU}, migrations.RunPython(fill)]\n"
    )
    # `model` is a parameter: which model it is is not known, so that update still reports
    assert findings(code) == [("PY102", 6)]


# --- what the app's earlier migrations did (read from the migrations folder) --------------------------------

INITIAL = (
    "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n"
    '        migrations.CreateModel(name="Product", fields=[("price", models.IntegerField())]),\n    ]\n'
)
ADD_NULLABLE_SKU = migration('migrations.AddField(model_name="product", name="sku", field=models.TextField(null=True))')
EMPTY = migration()
BACKFILL = migration(
    "migrations.RunPython(forwards, backwards)",
    before=(
        "\ndef forwards(apps, schema_editor):\n"
        "    apps.get_model('shop', 'Product').objects.all().update(sku=models.F('name'))\n"
        "\ndef backwards(apps, schema_editor):\n"
        "    apps.get_model('shop', 'Product').objects.all().update(sku=None)\n"
    ),
)


def app_findings(tmp_path, *files):
    """Findings in the last of `files` (name, text), written as the migrations folder of an app."""
    folder = tmp_path / "shop" / "migrations"
    folder.mkdir(parents=True)
    for name, text in files:
        (folder / name).write_text(text, encoding="utf-8")
    report = check_paths([str(folder / files[-1][0])])
    return sorted((f.rule_id, f.region.start_line) for f in report.findings if f.suppression is None)


def test_a_backfill_of_a_column_a_recent_migration_added_is_clean(tmp_path):
    assert (
        app_findings(
            tmp_path, ("0001_initial.py", INITIAL), ("0002_sku.py", ADD_NULLABLE_SKU), ("0003_fill_sku.py", BACKFILL)
        )
        == []
    )


def test_a_backfill_of_an_older_or_existing_column_still_reports(tmp_path):
    # lines 4 and 7: the forward and the reverse update
    older = [(f"000{n}_step.py", EMPTY) for n in range(3, 6)]
    assert app_findings(
        tmp_path / "older",
        ("0001_initial.py", INITIAL),
        ("0002_sku.py", ADD_NULLABLE_SKU),
        *older,
        ("0006_fill_sku.py", BACKFILL),
    ) == [("PY102", 4), ("PY102", 7)]
    existing = BACKFILL.replace("sku=", "price=")
    assert app_findings(
        tmp_path / "existing",
        ("0001_initial.py", INITIAL),
        ("0002_sku.py", ADD_NULLABLE_SKU),
        ("0003_fill_price.py", existing),
    ) == [("PY102", 4), ("PY102", 7)]


def test_a_column_added_not_null_without_a_default_is_not_known_to_be_empty(tmp_path):
    not_null = ADD_NULLABLE_SKU.replace("null=True", "max_length=20")
    assert app_findings(
        tmp_path, ("0001_initial.py", INITIAL), ("0002_sku.py", not_null), ("0003_fill_sku.py", BACKFILL)
    ) == [("PY102", 4), ("PY102", 7)]


def test_an_update_outside_a_run_python_step_is_no_backfill(tmp_path):
    outside = BACKFILL.replace("migrations.RunPython(forwards, backwards)", "")
    assert app_findings(
        tmp_path, ("0001_initial.py", INITIAL), ("0002_sku.py", ADD_NULLABLE_SKU), ("0003_fill_sku.py", outside)
    ) == [("PY102", 4), ("PY102", 7)]


UNMANAGED = migration('migrations.CreateModel(name="Admin", fields=[], options={"managed": False})')
DELETE_ADMIN = migration('migrations.DeleteModel(name="Admin")')


def test_deleting_a_model_an_earlier_migration_made_unmanaged_runs_no_sql(tmp_path):
    assert app_findings(tmp_path, ("0001_admin.py", UNMANAGED), ("0002_delete_admin.py", DELETE_ADMIN)) == []


def test_deleting_a_managed_model_still_reports(tmp_path):
    managed = UNMANAGED.replace('"managed": False', '"permissions": []')
    assert app_findings(tmp_path / "a", ("0001_admin.py", managed), ("0002_delete_admin.py", DELETE_ADMIN)) == [
        ("PY201", 5)
    ]
    made_managed = migration('migrations.AlterModelOptions(name="Admin", options={})')
    assert app_findings(
        tmp_path / "b",
        ("0001_admin.py", UNMANAGED),
        ("0002_managed.py", made_managed),
        ("0003_delete_admin.py", DELETE_ADMIN),
    ) == [("PY201", 5)]
    # a migration numbered after the deletion is not its history
    assert app_findings(tmp_path / "c", ("0002_admin.py", UNMANAGED), ("0001_delete_admin.py", DELETE_ADMIN)) == [
        ("PY201", 5)
    ]


def test_model_state_counts_even_from_state_operations_but_a_state_only_column_does_not(tmp_path):
    create = 'migrations.CreateModel(name="Admin", fields=[], options={"managed": False})'
    state_unmanaged = migration(f"migrations.SeparateDatabaseAndState(state_operations=[{create}])")
    assert (
        app_findings(tmp_path / "a", ("0001_admin.py", state_unmanaged), ("0002_delete_admin.py", DELETE_ADMIN)) == []
    )
    add = 'migrations.AddField(model_name="product", name="sku", field=models.TextField(null=True))'
    state_add = migration(f"migrations.SeparateDatabaseAndState(state_operations=[{add}])")
    assert app_findings(
        tmp_path / "b", ("0001_initial.py", INITIAL), ("0002_sku.py", state_add), ("0003_fill_sku.py", BACKFILL)
    ) == [("PY102", 4), ("PY102", 7)]
